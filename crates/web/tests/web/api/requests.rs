//! The request side of the contract: which documented path a request path matches,
//! and whether the document accepts a request — path and query parameters and body —
//! as [`Contract::accepts`] says; the oracle of `fuzz.rs`, and of every 2xx answer.

use std::collections::BTreeSet;

use axum::http::Method;
use serde_json::Value;
use shikaku_web::api::PREFIX;

use super::contract::Contract;

/// A documented path a request path matches: the template, its path item, and the
/// path parameters by name (`None`: not UTF-8 once decoded).
pub(super) type PathMatch<'a> = (&'a str, &'a Value, Vec<(String, Option<String>)>);

/// A request's body, for [`Contract::accepts`].
#[derive(Clone, Copy, Debug)]
pub(super) enum Body<'a> {
    /// None.
    None,
    /// This JSON value.
    Json(&'a Value),
    /// One the caller does not know as JSON (not checked).
    Unchecked,
}

impl Contract {
    /// The documented path a request path matches: its template, its item, and the
    /// path parameters by name (percent-decoded; `None` for one that is not UTF-8).
    pub(super) fn path_item(&self, path: &str) -> Option<PathMatch<'_>> {
        let sub = path.strip_prefix(PREFIX)?;
        let segments: Vec<&str> = sub.split('/').collect();
        self.doc["paths"]
            .as_object()?
            .iter()
            .find_map(|(template, item)| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != segments.len() {
                    return None;
                }
                let mut params = Vec::new();
                for (part, segment) in parts.iter().zip(&segments) {
                    match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                        Some(name) if !segment.is_empty() => {
                            params.push((name.to_owned(), percent_decode(segment)));
                        }
                        Some(_) => return None,
                        None if part == segment => {}
                        None => return None,
                    }
                }
                Some((template.as_str(), item, params))
            })
    }

    /// The parameters (path and query) an operation documents, dereferenced.
    fn parameters<'a>(&'a self, item: &'a Value, op: &'a Value) -> Vec<&'a Value> {
        item.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(
                op.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .map(|p| self.deref(p))
            .collect()
    }

    /// Whether the document accepts a request's path and query parameters and body
    /// (`None`: no body). Header parameters other than `Authorization` (a security
    /// scheme) are all optional; unknown and repeated query parameters are refused, as
    /// the document says.
    pub(super) fn accepts(&self, method: &Method, uri: &str, body: Body<'_>) -> Result<(), String> {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let (template, item, path_params) = self
            .path_item(path)
            .ok_or_else(|| format!("{path}: no such path"))?;
        let op = item
            .get(method.as_str().to_ascii_lowercase())
            .ok_or_else(|| format!("{method} {template}: no such operation"))?;
        let params = self.parameters(item, op);
        for (name, value) in &path_params {
            let spec = params
                .iter()
                .find(|p| p["in"] == "path" && p["name"] == name.as_str())
                .unwrap_or_else(|| panic!("{template}: {{{name}}} is not documented"));
            let value = value
                .as_ref()
                .ok_or_else(|| format!("path {name}: not UTF-8"))?;
            self.validate(&spec["schema"], &Value::String(value.clone()), name)?;
        }
        let mut seen = BTreeSet::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = form_decode(name).ok_or("query name not UTF-8")?;
            let value = form_decode(value).ok_or_else(|| format!("{name}: not UTF-8"))?;
            let spec = params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == name.as_str())
                .ok_or_else(|| format!("query {name}: not documented"))?;
            if !seen.insert(name.clone()) {
                return Err(format!("query {name}: repeated"));
            }
            let schema = self.deref(&spec["schema"]);
            let typed = if self.resolved_type(schema) == Some("integer") {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("query {name}: {value:?} is not an integer"));
                }
                serde_json::from_str::<Value>(&value)
                    .map_err(|_| format!("query {name}: {value:?} is out of range"))?
            } else {
                Value::String(value)
            };
            self.validate(schema, &typed, &name)?;
        }
        let request = &op["requestBody"]["content"]["application/json"]["schema"];
        match (body, request.is_null()) {
            (Body::Json(body), false) => self.validate(request, body, "request"),
            (Body::None, false) => Err(format!("{method} {template}: a body is required")),
            (Body::Unchecked, _) | (_, true) => Ok(()),
        }
    }

    /// The `type` of a schema, following `$ref`.
    fn resolved_type<'a>(&'a self, schema: &'a Value) -> Option<&'a str> {
        schema.get("type").and_then(Value::as_str).or_else(|| {
            schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.resolved_type(self.pointer(r)))
        })
    }
}

/// `%XX`-decoding of a path segment; `None` if the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap());
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `application/x-www-form-urlencoded` decoding of a query name or value (`+` is a
/// space); `None` if the bytes are not UTF-8.
fn form_decode(text: &str) -> Option<String> {
    percent_decode(&text.replace('+', " "))
}
