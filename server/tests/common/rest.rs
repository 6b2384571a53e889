//! A script's view of the REST API: a bearer token, JSON in and out, and
//! answers checked against the portal's own OpenAPI document.

use super::TestPortal;
use serde_json::{Value, json};

/// A client of the REST API holding one token (or none).
pub struct Api {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

/// One answer: status, `Content-Type`, `Retry-After`, and the JSON body (`null` when empty).
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: Value,
}

impl Api {
    /// A client with `token` (or none), without cookies, that shows redirects instead of following them.
    pub fn new(t: &TestPortal, token: Option<&str>) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Api { base: t.portal.url.clone(), token: token.map(str::to_owned), http }
    }

    /// A client whose requests also carry the cookies of `browser`.
    pub fn with_client(t: &TestPortal, token: Option<&str>, browser: reqwest::Client) -> Self {
        Api { base: t.portal.url.clone(), token: token.map(str::to_owned), http: browser }
    }

    /// Sends `method path` with an optional JSON body.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let mut req = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (content_type, retry_after) = (header("content-type").unwrap_or_default(), header("retry-after"));
        let location = header("location");
        let text = resp.text().await.expect("body");
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(json!(text)) };
        Answer { status, location, content_type, retry_after, body }
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None).await
    }

    /// POST with JSON.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(body)).await
    }
}

/// PUTs each chunk to its part URL of `signed` (an answer of
/// `/uploads/{id}/parts`) and returns the parts as the completion takes them.
pub async fn send_parts(signed: &Value, chunks: &[&[u8]]) -> Vec<Value> {
    let mut sent = Vec::new();
    for (part, chunk) in signed["parts"].as_array().expect("signed parts").iter().zip(chunks) {
        let mut req = reqwest::Client::new().put(part["upload_url"].as_str().unwrap()).body(chunk.to_vec());
        for (k, v) in part["headers"].as_object().unwrap().iter().filter(|(k, _)| !super::client_managed(k)) {
            req = req.header(k.as_str(), v.as_str().unwrap());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
        sent.push(json!({ "number": part["number"], "etag": etag, "crc32c": super::crc32c_b64(chunk) }));
    }
    sent
}

/// Makes a token through the "API tokens" page's server function; returns the secret.
pub async fn make_token(t: &TestPortal, browser: &reqwest::Client, name: &str, read_only: bool) -> String {
    let mut form = vec![("name", name), ("days", "30")];
    if read_only {
        form.push(("read_only", "true"));
    }
    let (status, body) = t.call(browser, "create_token", &form).await;
    assert_eq!(status, 200, "{body}");
    let made: app::model::NewToken = serde_json::from_str(&body).unwrap();
    made.secret
}

/// The portal's OpenAPI document.
pub async fn document(t: &TestPortal) -> Value {
    Api::new(t, None).get("/api/v1/openapi.json").await.body
}

/// Checks that `answer` is one the document promises for `method path` and
/// that its body has the documented shape; returns what did not match.
pub fn check_shape(doc: &Value, method: &str, path: &str, answer: &Answer) -> Vec<String> {
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path} is not in the OpenAPI document");
    let response = &op["responses"][answer.status.to_string()];
    if !response.is_object() {
        return vec![format!("{method} {path}: status {} is not documented", answer.status)];
    }
    let schema = &response["content"]["application/json"]["schema"];
    let mut problems = Vec::new();
    if schema.is_object() {
        conforms(doc, schema, &answer.body, "$", &mut problems);
    }
    problems
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r.trim_start_matches("#/").split('/').fold(doc, |at, part| &at[part]),
        None => schema,
    }
}

fn type_ok(kind: &str, value: &Value) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// A small JSON Schema check: types, required properties, no undocumented
/// properties, recursively through objects and arrays.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = options.iter().any(|o| {
            let mut p = Vec::new();
            conforms(doc, o, value, at, &mut p);
            p.is_empty()
        });
        if !fits {
            problems.push(format!("{at}: fits none of its options: {value}"));
        }
        return;
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(k) => vec![k.as_str()],
        Value::Array(ks) => ks.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !kinds.is_empty() && !kinds.iter().any(|k| type_ok(k, value)) {
        problems.push(format!("{at}: {value} is not {kinds:?}"));
        return;
    }
    if let Some(object) = value.as_object() {
        let props = schema["properties"].as_object();
        for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !object.contains_key(name) {
                problems.push(format!("{at}: required `{name}` is missing"));
            }
        }
        for (name, v) in object {
            match props.and_then(|p| p.get(name)) {
                Some(s) => conforms(doc, s, v, &format!("{at}.{name}"), problems),
                None if schema.get("additionalProperties").is_some() => {}
                None => problems.push(format!("{at}: `{name}` is not documented")),
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            conforms(doc, items, v, &format!("{at}[{i}]"), problems);
        }
    }
}
