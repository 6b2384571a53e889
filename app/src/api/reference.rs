//! Reads the REST API's OpenAPI document into the operations the "API"
//! page lists, so that the page always says what the running API does.

use crate::model::{ApiField, ApiOperation, ApiParameter};
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// Follows a `$ref` inside the document.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r.strip_prefix("#/").map_or(v, |path| path.split('/').fold(doc, |at, part| &at[part])),
        None => v,
    }
}

/// The JSON type of a schema, in a word or two.
fn kind(doc: &Value, schema: &Value) -> String {
    let schema = resolve(doc, schema);
    if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
        return name.rsplit('/').next().unwrap_or_default().to_owned();
    }
    match &schema["type"] {
        Value::String(t) if t == "array" => format!("array of {}", kind(doc, &schema["items"])),
        Value::String(t) => t.clone(),
        Value::Array(ts) => {
            ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join(" or ")
        }
        _ if schema.get("oneOf").is_some() || schema.get("enum").is_some() => "one of several".into(),
        _ => "object".into(),
    }
}

fn request_fields(doc: &Value, op: &Value) -> Vec<ApiField> {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = resolve(doc, schema);
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let Some(props) = schema["properties"].as_object() else { return Vec::new() };
    props
        .iter()
        .map(|(name, p)| ApiField {
            name: name.clone(),
            kind: kind(doc, p),
            required: required.contains(&name.as_str()),
            description: text(resolve(doc, p), "description"),
        })
        .collect()
}

/// Every operation of the document, in the order of its paths.
pub fn operations(doc: &Value) -> Vec<ApiOperation> {
    let Some(paths) = doc["paths"].as_object() else { return Vec::new() };
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let parameters = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| ApiParameter {
                            name: text(p, "name"),
                            place: text(p, "in"),
                            required: p["required"].as_bool().unwrap_or(false),
                            description: text(p, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .map(|rs| rs.iter().map(|(status, r)| (status.clone(), text(resolve(doc, r), "description"))).collect())
                .unwrap_or_default();
            out.push(ApiOperation {
                tag: op["tags"][0].as_str().unwrap_or("other").to_owned(),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                parameters,
                request: request_fields(doc, op),
                responses,
            });
        }
    }
    out
}
