//! The OpenAPI checker: every response is validated against `crates/web/openapi.json`
//! (operation and status documented, body against its schema, documented headers
//! present), and every (operation, status, error code) the document promises is a
//! coverage key [`the_contract_is_exercised_in_full`](super::the_contract_is_exercised_in_full)
//! checks was received.

use std::collections::BTreeSet;
use std::sync::OnceLock;

pub(super) use super::requests::Body;

use axum::http::{HeaderMap, Method, StatusCode, header};
use serde_json::Value;
use shikaku_web::api::OPENAPI_JSON;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The schema keywords the checker enforces. A document using any other keyword fails
/// the tests, so the document never promises what is not checked.
pub(super) const KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "const",
    "items",
    "minItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "pattern",
    "allOf",
    "format",
    "description",
];

pub(super) struct Contract {
    pub(super) doc: Value,
}

pub(super) fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract {
        doc: serde_json::from_str(OPENAPI_JSON).expect("openapi.json is JSON"),
    })
}

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

impl Contract {
    pub(super) fn pointer(&self, reference: &str) -> &Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references: {reference}"));
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"))
    }

    /// Follows a `$ref` (for response, header and parameter objects).
    pub(super) fn deref<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.deref(self.pointer(reference)),
            None => value,
        }
    }

    /// The operation a request path and method name, `None` for an undocumented path.
    /// A template's `{parameter}` matches one non-empty segment.
    fn operation(&self, method: &Method, path: &str) -> Option<(&str, Option<&Value>)> {
        let (name, item, _) = self.path_item(path)?;
        Some((name, item.get(method.as_str().to_ascii_lowercase())))
    }

    /// The documented response for a request and what it covers.
    fn response_for(&self, method: &Method, path: &str, status: StatusCode) -> (String, &Value) {
        match self.operation(method, path) {
            None => {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{method} {path}: undocumented paths answer 404"
                );
                (
                    "any /api/ path".to_owned(),
                    self.deref(&self.doc["components"]["responses"]["NotFound"]),
                )
            }
            Some((_, None)) => {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}: undocumented methods answer 405"
                );
                (
                    "any method not documented".to_owned(),
                    self.deref(&self.doc["components"]["responses"]["MethodNotAllowed"]),
                )
            }
            Some((name, Some(op))) => {
                let response = op["responses"].get(status.as_str()).unwrap_or_else(|| {
                    panic!("{method} {path} answered {status}, which the document does not list")
                });
                (format!("{method} {name}"), self.deref(response))
            }
        }
    }

    /// Checks one received response; returns its coverage key.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        sent: Option<&Value>,
    ) -> String {
        let (operation, spec) = self.response_for(method, path, status);
        let context = format!("{operation} → {status}");
        if let Some(documented) = spec.get("headers").and_then(Value::as_object) {
            for (name, header_spec) in documented {
                let header_spec = self.deref(header_spec);
                let value = headers.get(name.as_str());
                if header_spec["required"] == true {
                    let value = value.unwrap_or_else(|| panic!("{context}: no {name} header"));
                    let text = Value::String(value.to_str().unwrap().to_owned());
                    self.validate(&header_spec["schema"], &text, name)
                        .unwrap_or_else(|e| panic!("{context}: {e}"));
                }
            }
        }
        let code = match spec.get("content") {
            None => {
                assert!(body.is_empty(), "{context}: documented without a body");
                None
            }
            Some(content) => {
                let schema = &content["application/json"]["schema"];
                assert!(!schema.is_null(), "{context}: only JSON is documented");
                assert_eq!(
                    headers[header::CONTENT_TYPE],
                    "application/json",
                    "{context}"
                );
                let json: Value = serde_json::from_slice(body)
                    .unwrap_or_else(|e| panic!("{context}: body is not JSON: {e}"));
                self.validate(schema, &json, "body")
                    .unwrap_or_else(|e| panic!("{context}: {e}\n{json:#}"));
                json.get("error").and_then(Value::as_str).map(str::to_owned)
            }
        };
        // What a client sent and got a 2xx for must validate against the document:
        // its body, its path and query parameters.
        if let (true, Some((_, Some(op)))) = (status.is_success(), self.operation(method, path)) {
            if sent.is_some() {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                assert!(
                    !schema.is_null(),
                    "{context}: a body was sent to an operation without one"
                );
            }
            let uri = match query {
                Some(query) => format!("{path}?{query}"),
                None => path.to_owned(),
            };
            // A body sent raw (not as JSON the test knows) is not checked here.
            let body = if op["requestBody"].is_null() {
                Body::None
            } else {
                sent.map_or(Body::Unchecked, Body::Json)
            };
            self.accepts(method, &uri, body).unwrap_or_else(|e| {
                panic!("{context}: the accepted request breaks the document: {e}")
            });
        }
        coverage_key(&operation, status.as_str(), code.as_deref())
    }

    pub(super) fn validate(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let rules = schema
            .as_object()
            .unwrap_or_else(|| panic!("{at}: a schema must be an object"));
        for keyword in rules.keys() {
            assert!(
                KEYWORDS.contains(&keyword.as_str()),
                "{at}: the checker does not enforce `{keyword}`"
            );
        }
        if let Some(reference) = rules.get("$ref").and_then(Value::as_str) {
            self.validate(self.pointer(reference), value, at)?;
        }
        if let Some(types) = rules.get("type") {
            let types: Vec<&str> = match types {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                other => panic!("{at}: bad type {other}"),
            };
            if !types.iter().any(|t| type_matches(t, value)) {
                return Err(format!("{at}: expected {types:?}, got {value}"));
            }
        }
        if let Some(allowed) = rules.get("enum")
            && !allowed.as_array().unwrap().contains(value)
        {
            return Err(format!("{at}: {value} is not one of {allowed}"));
        }
        if let Some(constant) = rules.get("const")
            && constant != value
        {
            return Err(format!("{at}: {value} is not {constant}"));
        }
        for (i, part) in rules
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.validate(part, value, &format!("{at} (allOf {i})"))?;
        }
        match value {
            Value::Object(map) => {
                let properties = rules.get("properties").and_then(Value::as_object);
                for name in rules
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let name = name.as_str().unwrap();
                    if !map.contains_key(name) {
                        return Err(format!("{at}: required property `{name}` is missing"));
                    }
                }
                for (name, item) in map {
                    let here = format!("{at}.{name}");
                    match properties.and_then(|p| p.get(name)) {
                        Some(property) => self.validate(property, item, &here)?,
                        None => match rules.get("additionalProperties") {
                            Some(Value::Bool(false)) => {
                                return Err(format!("{at}: property `{name}` is not documented"));
                            }
                            Some(extra @ Value::Object(_)) => self.validate(extra, item, &here)?,
                            _ => {}
                        },
                    }
                }
            }
            Value::Array(items) => {
                if let Some(min) = rules.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < min
                {
                    return Err(format!("{at}: fewer than {min} items"));
                }
                if let Some(item_schema) = rules.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.validate(item_schema, item, &format!("{at}[{i}]"))?;
                    }
                }
            }
            Value::Number(number) => {
                if let Some(min) = rules.get("minimum").and_then(Value::as_i64)
                    && number.as_i64().is_none_or(|n| n < min)
                {
                    return Err(format!("{at}: {number} is below {min}"));
                }
                if let Some(max) = rules.get("maximum").and_then(Value::as_i64)
                    && number.as_i64().is_none_or(|n| n > max)
                {
                    return Err(format!("{at}: {number} is above {max}"));
                }
            }
            Value::String(text) => {
                if let Some(min) = rules.get("minLength").and_then(Value::as_u64)
                    && (text.chars().count() as u64) < min
                {
                    return Err(format!("{at}: shorter than {min}"));
                }
                if let Some(max) = rules.get("maxLength").and_then(Value::as_u64)
                    && (text.chars().count() as u64) > max
                {
                    return Err(format!("{at}: longer than {max}"));
                }
                if let Some(pattern) = rules.get("pattern").and_then(Value::as_str) {
                    let re = regex::Regex::new(pattern)
                        .unwrap_or_else(|e| panic!("{at}: bad pattern {pattern}: {e}"));
                    if !re.is_match(text) {
                        return Err(format!("{at}: {text:?} does not match {pattern}"));
                    }
                }
                match rules.get("format").and_then(Value::as_str) {
                    None | Some("password") => {}
                    Some("date-time") => {
                        OffsetDateTime::parse(text, &Rfc3339)
                            .map_err(|e| format!("{at}: {text:?} is not RFC 3339: {e}"))?;
                    }
                    Some(other) => panic!("{at}: the checker does not know format {other}"),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Every (operation, status, error code) the document promises.
    pub(super) fn promised(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        let mut add = |operation: &str, status: &str, response: &Value| {
            let schema = response
                .pointer("/content/application~1json/schema")
                .map(|s| self.deref(s));
            let codes = schema
                .and_then(|s| s.pointer("/properties/error/enum"))
                .and_then(Value::as_array);
            match codes {
                Some(codes) => {
                    for code in codes {
                        all.insert(coverage_key(operation, status, code.as_str()));
                    }
                }
                None => {
                    all.insert(coverage_key(operation, status, None));
                }
            }
        };
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                assert!(HTTP_METHODS.contains(&method.as_str()), "{path}: {method}");
                let operation = format!("{} {path}", method.to_ascii_uppercase());
                for (status, response) in op["responses"].as_object().unwrap() {
                    add(&operation, status, self.deref(response));
                }
            }
        }
        let responses = &self.doc["components"]["responses"];
        add("any /api/ path", "404", self.deref(&responses["NotFound"]));
        add(
            "any method not documented",
            "405",
            self.deref(&responses["MethodNotAllowed"]),
        );
        all
    }
}

fn type_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "null" => value.is_null(),
        other => panic!("unknown type {other}"),
    }
}

fn coverage_key(operation: &str, status: &str, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("{operation} {status} {code}"),
        None => format!("{operation} {status}"),
    }
}
