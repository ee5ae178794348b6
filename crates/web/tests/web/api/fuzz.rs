//! The document is the oracle: seeded random requests for every operation that takes
//! input — identifiers, passwords, passcodes, tokens, path and query parameters, typed
//! the ways people and programs type them (full-width, surrounding spaces of every
//! kind, controls, emoji, wrong JSON types) — are classified by the OpenAPI document
//! itself ([`Contract::accepts`]) and sent:
//!
//! * a request the document accepts is never refused for its form: no 400, and no 422
//!   but the history rules of `POST /password`, which only the server can know;
//! * a request the document refuses is refused: 400, or 422 where the document's
//!   schema is the password rules;
//! * nothing is ever a 500.
//!
//! Every answer also goes through [`Api::send`]'s contract check. `SHIKAKU_FUZZ_CASES`
//! sets the cases per operation (default 120), `SHIKAKU_FUZZ_SEED` the seed.

use axum::http::{Method, StatusCode};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

use super::contract::{Body, contract};
use super::generate::{Gen, SPACES, encode};
use super::harness::{Api, Call};

/// How many requests of each kind were sent.
#[derive(Debug, Default)]
struct Tally {
    valid: usize,
    invalid: usize,
}

impl Tally {
    fn count(&mut self, valid: bool) {
        if valid {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
    }
}

/// A request to classify and send.
struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    bearer: Option<String>,
}

/// What the server answered to a request the document accepts or refuses.
fn judge(case: &Case, valid: bool, status: StatusCode, reply: &Value) {
    let what = format!(
        "{} {} {}\n→ {status} {reply}",
        case.method,
        case.path,
        case.body.as_ref().map(Value::to_string).unwrap_or_default()
    );
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{what}");
    if valid {
        let history_only = reply["violations"].as_array().is_some_and(|list| {
            case.path.ends_with("/password")
                && list.iter().all(|v| {
                    [
                        "same_as_current",
                        "reused_generation",
                        "similar_to_generation",
                    ]
                    .contains(&v["code"].as_str().unwrap_or(""))
                })
        });
        assert!(
            status != StatusCode::BAD_REQUEST
                && (status != StatusCode::UNPROCESSABLE_ENTITY || history_only),
            "the document accepts this request, the server refused its form: {what}"
        );
    } else {
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "the document refuses this request, the server did not: {what}"
        );
    }
}

fn cases_per_operation() -> usize {
    std::env::var("SHIKAKU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120)
}

pub(super) async fn document_valid_requests_are_accepted_and_invalid_ones_refused(api: &Api) {
    let seed = std::env::var("SHIKAKU_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_u64);
    let mut g = Gen(ChaCha20Rng::seed_from_u64(seed));
    api.provision("fuzz01");
    let (_, session) = api.enroll("fuzz01").await;
    let mut current = INITIAL_PASSWORD.to_owned();
    let (key, _) = api.api_key(&[]);
    let mut tally = Tally::default();

    for round in 0..cases_per_operation() {
        // One request per operation and round: a document-valid one, then perhaps one
        // field broken (the document decides whether it still is valid).
        let new_password = g.policy_password();
        let bodies: Vec<(&str, Value)> = vec![
            (
                "/login",
                json!({"institution_code": g.institution_code(), "login_id": g.login_id(), "password": g.password()}),
            ),
            (
                "/authenticate",
                json!({"institution_code": g.institution_code(), "login_id": g.login_id(), "password": g.password(), "passcode": g.passcode()}),
            ),
            (
                "/passcode",
                json!({"login_token": g.token(), "passcode": g.passcode()}),
            ),
            (
                "/password",
                json!({"current_password": current, "new_password": new_password, "new_password_confirm": new_password}),
            ),
            ("/admin/accounts", {
                let mut body =
                    json!({"institution_code": g.institution_code(), "login_id": g.login_id()});
                match g.below(3) {
                    0 => body["initial_password"] = Value::String(g.policy_password()),
                    1 => body["initial_password"] = Value::Null,
                    _ => {}
                }
                body
            }),
        ];
        for (path, valid_body) in bodies {
            let mut body = valid_body.clone();
            let broken = g.chance(0.6);
            if broken {
                let object = body.as_object_mut().unwrap();
                let fields: Vec<String> = object.keys().cloned().collect();
                match g.below(12) {
                    0 => {
                        object.remove(&fields[g.below(fields.len())]);
                    }
                    1 => {
                        object.insert("extra".to_owned(), json!("x"));
                    }
                    _ => {
                        let field = fields[g.below(fields.len())].clone();
                        let mutated = g.mutate_value(&object[&field]);
                        object.insert(field, mutated);
                    }
                }
            }
            let case = Case {
                method: Method::POST,
                path: path.to_owned(),
                body: Some(body.clone()),
                bearer: match path {
                    "/password" => Some(session.clone()),
                    p if p.starts_with("/admin") => Some(key.clone()),
                    _ => None,
                },
            };
            let valid = contract()
                .accepts(
                    &case.method,
                    &format!("{}{path}", shikaku_web::api::PREFIX),
                    Body::Json(&body),
                )
                .is_ok();
            if path == "/password" {
                // Only the server knows the current password and the history: never
                // send a wrong current password that the document accepts (it would
                // count toward the lock), nor two different valid new passwords.
                let same_current = body["current_password"] == valid_body["current_password"];
                let confirmed = body["new_password"] == body["new_password_confirm"];
                if valid && !(same_current && confirmed) {
                    continue;
                }
                if !valid
                    && !same_current
                    && body.get("current_password").is_some_and(|c| {
                        contract()
                            .validate(&json!({"$ref": "#/components/schemas/Password"}), c, "c")
                            .is_ok()
                    })
                {
                    continue;
                }
            }
            let reply = send(api, &case).await;
            judge(&case, valid, reply.0, &reply.1);
            if path == "/password" && reply.0 == StatusCode::NO_CONTENT {
                current = body["new_password"].as_str().unwrap().to_owned();
            }
            tally.count(valid);
        }

        // Path parameters.
        let (code, login) = (g.institution_code(), g.login_id());
        let (code, login) = match g.below(4) {
            0 => (g.mutate_text(&code), login),
            1 => (code, g.mutate_text(&login)),
            _ => (code, login),
        };
        let action = g.pick(&[
            "",
            "/unlock",
            "/reset-mfa",
            "/reset-password",
            "/disable",
            "/enable",
        ]);
        let path = format!(
            "/admin/accounts/{}/{}{action}",
            encode(&code),
            encode(&login)
        );
        let method = if action.is_empty() {
            Method::GET
        } else {
            Method::POST
        };
        let case = Case {
            method,
            path,
            body: None,
            bearer: Some(key.clone()),
        };
        let uri = format!("{}{}", shikaku_web::api::PREFIX, case.path);
        // A segment the router cannot route (empty) is not this operation.
        if contract().path_item(&uri).is_some() {
            let valid = contract().accepts(&case.method, &uri, Body::None).is_ok();
            let reply = send(api, &case).await;
            judge(&case, valid, reply.0, &reply.1);
            tally.count(valid);
        }

        // Query strings.
        for listing in ["/admin/accounts", "/admin/audit"] {
            let mut pairs: Vec<(String, String)> = Vec::new();
            let kinds = contract().doc["components"]["schemas"]["AuditKind"]["enum"]
                .as_array()
                .unwrap()
                .clone();
            let candidates: Vec<(&str, String)> = vec![
                ("institution_code", g.institution_code()),
                ("limit", (1 + g.below(500)).to_string()),
                (
                    "after",
                    if listing == "/admin/accounts" {
                        format!("{INSTITUTION_CODE}/{}", g.login_id().trim_matches(SPACES))
                    } else {
                        (1 + g.below(1_000_000)).to_string()
                    },
                ),
                ("login_id", g.login_id()),
                (
                    "kind",
                    kinds[g.below(kinds.len())].as_str().unwrap().to_owned(),
                ),
                ("since", g.instant()),
                ("until", g.instant()),
            ];
            for (name, value) in candidates {
                if g.chance(0.4) {
                    pairs.push((name.to_owned(), value));
                }
            }
            if g.chance(0.6) {
                match g.below(5) {
                    0 => pairs.push(("unknown".to_owned(), "1".to_owned())),
                    1 if !pairs.is_empty() => pairs.push(pairs[0].clone()),
                    2 => pairs.push((
                        "limit".to_owned(),
                        g.pick(&["0", "501", "-1", "1.5", "", "１"]).to_owned(),
                    )),
                    _ if !pairs.is_empty() => {
                        let i = g.below(pairs.len());
                        pairs[i].1 = g.mutate_text(&pairs[i].1);
                    }
                    _ => {}
                }
            }
            let query: Vec<String> = pairs
                .iter()
                .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
                .collect();
            let path = format!("{listing}?{}", query.join("&"));
            let case = Case {
                method: Method::GET,
                path,
                body: None,
                bearer: Some(key.clone()),
            };
            let uri = format!("{}{}", shikaku_web::api::PREFIX, case.path);
            let valid = contract().accepts(&case.method, &uri, Body::None).is_ok();
            let reply = send(api, &case).await;
            judge(&case, valid, reply.0, &reply.1);
            tally.count(valid);
        }
        // Keep the clock moving: passcodes, locks and sessions age as in life.
        if round % 10 == 9 {
            api.advance(time::Duration::seconds(30));
            api.send(Call::get("/session").bearer(&session)).await;
        }
    }
    let rounds = cases_per_operation();
    assert!(
        tally.valid >= rounds * 3 && tally.invalid >= rounds * 2,
        "too few of one kind: {tally:?}"
    );
}

async fn send(api: &Api, case: &Case) -> (StatusCode, Value) {
    let mut call = match &case.body {
        Some(body) => Call::post(&case.path, body.clone()),
        None if case.method == Method::GET => Call::get(&case.path),
        None => Call::post_empty(&case.path),
    };
    if let Some(token) = &case.bearer {
        call = call.bearer(token);
    }
    let reply = api.send(call).await;
    (reply.status, reply.json)
}
