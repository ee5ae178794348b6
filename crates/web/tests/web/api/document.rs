//! The OpenAPI document itself: served as is, every reference resolves, and every
//! schema uses only keywords the checker enforces.

use serde_json::Value;
use shikaku_web::api::OPENAPI_JSON;

use super::contract::{Contract, KEYWORDS, contract};
use super::harness::{Api, Call};

pub(super) async fn the_document_is_served(api: &Api) {
    let reply = api.send(Call::get("/openapi.json")).await;
    assert_eq!(reply.bytes, OPENAPI_JSON.as_bytes());
    // Every schema in the document uses only keywords the checker enforces, and
    // every reference resolves (validating `{}`-like values walks them all).
    fn walk(contract: &Contract, value: &Value) {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    contract.pointer(reference);
                }
                map.values().for_each(|v| walk(contract, v));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(contract, v)),
            _ => {}
        }
    }
    walk(contract(), &contract().doc);
    // Every schema object, however deep, uses only keywords the checker enforces.
    fn keywords(schema: &Value, at: &str) {
        let map = schema
            .as_object()
            .unwrap_or_else(|| panic!("{at}: not a schema"));
        for (keyword, value) in map {
            assert!(
                KEYWORDS.contains(&keyword.as_str()),
                "{at}: `{keyword}` is not checked"
            );
            match keyword.as_str() {
                "properties" => {
                    for (name, property) in value.as_object().unwrap() {
                        keywords(property, &format!("{at}.{name}"));
                    }
                }
                "items" => keywords(value, &format!("{at}[]")),
                "allOf" => {
                    for (i, part) in value.as_array().unwrap().iter().enumerate() {
                        keywords(part, &format!("{at} allOf {i}"));
                    }
                }
                "additionalProperties" if value.is_object() => keywords(value, at),
                _ => {}
            }
        }
    }
    fn schemas(value: &Value, at: &str) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key == "schema" {
                        keywords(inner, at);
                    } else {
                        schemas(inner, &format!("{at}/{key}"));
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| schemas(v, at)),
            _ => {}
        }
    }
    schemas(&contract().doc["paths"], "paths");
    schemas(&contract().doc["components"]["responses"], "responses");
    schemas(&contract().doc["components"]["headers"], "headers");
    for (name, schema) in contract().doc["components"]["schemas"].as_object().unwrap() {
        keywords(schema, name);
    }
}
