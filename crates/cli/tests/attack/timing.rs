//! Unknown user vs known user with a wrong password: the same status, the same body and
//! the same time — the real binary with the manual's argon2 cost (19 MiB, t=2), so the
//! comparison measures what an attacker would.
//!
//! The known users' stored hashes are **mixed** (issue 10, item 2): one added with the
//! server's configuration, one added with an older, cheaper `[argon2]` section (as every
//! dormant account is after a cost upgrade, or one added by `shikaku user add` without
//! the server's config). All three must answer a wrong password in the same time.
//!
//! The lock threshold is raised in this server's config (`password_threshold`), so every
//! try reaches the verifier instead of the lock; requests rotate known/old/unknown
//! (ABC, BCA, CAB, …) so drift in machine load falls on all equally.

use std::time::{Duration, Instant};

use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

use crate::api::call_bytes;
use crate::binary::Server;
use crate::client::{Response, send};
use crate::{exclusive, m};

const TRIES: usize = 200;
const WARMUP: usize = 10;
const CONFIG: &str = "[lockout]\npassword_threshold = 1000000\n";
/// The settings [`OLD`] was hashed with: a fifth of the memory, one pass.
const OLD_CONFIG: &str =
    "[lockout]\npassword_threshold = 1000000\n[argon2]\nm_cost_kib = 4096\nt_cost = 1\n";
const WRONG: &str = "Wrong#Pass99";
/// Hashed with the server's settings.
const KNOWN: &str = "known01";
/// Hashed with [`OLD_CONFIG`]'s settings.
const OLD: &str = "older01";
/// Same length as [`KNOWN`], so the echoed form differs only in these characters.
const UNKNOWN: &str = "ghost01";
/// The three, in the order of the figures.
const IDS: [&str; 3] = [KNOWN, OLD, UNKNOWN];

#[allow(clippy::disallowed_methods)] // measuring wall-clock response time is the point
fn timed(f: impl FnOnce() -> Response) -> (Response, Duration) {
    let start = Instant::now();
    let r = f();
    (r, start.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn percentile(mut v: Vec<Duration>, p: usize) -> Duration {
    v.sort();
    v[(v.len() - 1) * p / 100]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Figures {
    /// Per login ID of [`IDS`], its median.
    medians: Vec<Duration>,
    /// Slowest median over fastest.
    ratio: f64,
}

/// Runs `TRIES` of each of [`IDS`] (`send(i)` sends the request for `IDS[i]`),
/// interleaved and rotating which goes first, after a warm-up; checks every round's
/// answers with `check` and returns the medians.
fn measure(
    what: &str,
    mut send: impl FnMut(usize) -> Response,
    check: impl Fn(&[Response]),
) -> Figures {
    let n = IDS.len();
    for _ in 0..WARMUP {
        let answers: Vec<Response> = (0..n).map(&mut send).collect();
        check(&answers);
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(TRIES); n];
    for i in 0..TRIES {
        let mut answers: Vec<Option<Response>> = vec![None; n];
        for k in 0..n {
            let which = (i + k) % n;
            let (r, t) = timed(|| send(which));
            answers[which] = Some(r);
            times[which].push(t);
        }
        let answers: Vec<Response> = answers.into_iter().map(Option::unwrap).collect();
        check(&answers);
    }
    let medians: Vec<Duration> = times.iter().map(|t| median(t.clone())).collect();
    let fastest = medians.iter().min().copied().unwrap();
    let slowest = medians.iter().max().copied().unwrap();
    let ratio = ms(slowest) / ms(fastest);
    let figures: Vec<String> = IDS
        .iter()
        .zip(&times)
        .zip(&medians)
        .map(|((id, t), m)| {
            format!(
                "{id}: median {:.2} ms (p10 {:.2}, p90 {:.2})",
                ms(*m),
                ms(percentile(t.clone(), 10)),
                ms(percentile(t.clone(), 90)),
            )
        })
        .collect();
    println!(
        "{what}: {TRIES} interleaved tries each, wrong password — {} [{KNOWN}: server's \
         argon2, {OLD}: older argon2, {UNKNOWN}: no account]; medians differ by {:.1} %",
        figures.join("; "),
        (ratio - 1.0) * 100.0
    );
    Figures { medians, ratio }
}

/// The argon2 parameters (`m=…,t=…,p=…`) of each account's stored hash.
fn stored_params(db: &std::path::Path) -> Vec<(String, String)> {
    use shikaku::Store;
    let store = shikaku_store_sqlite::SqliteStore::open_read_only(db).unwrap();
    store
        .accounts()
        .unwrap()
        .into_iter()
        .map(|r| {
            let phc = r.password.current().as_str().to_owned();
            let params = phc
                .split('$')
                .find(|p| p.starts_with("m="))
                .unwrap()
                .to_owned();
            (r.key.login_id.as_str().to_owned(), params)
        })
        .collect()
}

#[test]
fn unknown_and_known_users_get_the_same_answer_in_the_same_time() {
    let _machine = exclusive();
    let prepared = Server::prepare(CONFIG)
        .add_user(KNOWN, INITIAL_PASSWORD)
        .add_user_with(OLD_CONFIG, OLD, INITIAL_PASSWORD);
    let mut stored = stored_params(&prepared.db());
    stored.sort();
    assert_eq!(
        stored,
        [
            (KNOWN.to_owned(), "m=19456,t=2,p=1".to_owned()),
            (OLD.to_owned(), "m=4096,t=1,p=1".to_owned()),
        ],
        "the stored settings must be mixed"
    );
    let server = prepared.serve("warn");
    let addr = server.addr;

    // The screens: one browser (so one CSRF token) posts all three.
    let mut b = server.browser();
    b.get("/login");
    let forms: Vec<Vec<u8>> = IDS
        .iter()
        .map(|id| {
            b.form_bytes(
                "/login",
                &[
                    ("institution_code", INSTITUTION_CODE),
                    ("login_id", id),
                    ("password", WRONG),
                ],
            )
        })
        .collect();
    let screens = rounds("screens POST /login", || {
        measure(
            "screens POST /login",
            |i| send(addr, &forms[i]),
            |answers| {
                let first = &answers[0];
                first.assert_page(m().err_invalid_credentials);
                // The only difference is the login ID the user typed, echoed in its field.
                let page = |r: &Response, id: &str| r.text().replace(id, "<id>");
                for (r, id) in answers.iter().zip(IDS) {
                    assert_eq!(r.status, first.status, "{id}");
                    assert_eq!(page(r, id), page(first, IDS[0]), "{id}");
                    assert_eq!(r.headers.len(), first.headers.len(), "{id}");
                }
            },
        )
    });

    // The JSON API: byte-identical answers.
    let body = |id: &str| serde_json::json!({"institution_code": INSTITUTION_CODE, "login_id": id, "password": WRONG});
    let calls: Vec<Vec<u8>> = IDS
        .iter()
        .map(|id| call_bytes(addr, "POST", "/api/v1/login", None, Some(&body(id))))
        .collect();
    let api = rounds("API POST /api/v1/login", || {
        measure(
            "API POST /api/v1/login",
            |i| send(addr, &calls[i]),
            |answers| {
                let first = &answers[0];
                assert_eq!(first.status, 401, "{}", first.text());
                assert_eq!(first.json()["error"], "invalid_credentials");
                for (r, id) in answers.iter().zip(IDS) {
                    assert_eq!((r.status, &r.body), (first.status, &first.body), "{id}");
                }
            },
        )
    });
    drop(server);

    for (what, f) in [("screens", &screens), ("API", &api)] {
        let medians: Vec<String> = IDS
            .iter()
            .zip(&f.medians)
            .map(|(id, m)| format!("{id} {:.2} ms", ms(*m)))
            .collect();
        assert!(
            f.ratio < LIMIT,
            "{what}: medians {} differ by {:.1} %",
            medians.join(", "),
            (f.ratio - 1.0) * 100.0
        );
    }
}

/// Medians must differ by less than 10 %.
const LIMIT: f64 = 1.10;
/// On a shared 2-core machine, outside load makes response times jump in scheduler
/// ticks (4 ms), which can move one median by a tick. A measurement over the limit is
/// repeated, up to 3 rounds in all; the last one decides. A real difference fails every
/// round (an unknown user answered without its argon2 run: ~1 ms against ~16 ms; an
/// account hashed with the older settings: ~4 ms against ~16 ms).
fn rounds(what: &str, mut once: impl FnMut() -> Figures) -> Figures {
    let mut figures = once();
    for round in 2..=3 {
        if figures.ratio < LIMIT {
            break;
        }
        println!("{what}: over the limit, round {round}");
        figures = once();
    }
    figures
}
