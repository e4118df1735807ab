//! Hostile requests: where in an operation a hostile value can go, the request with it there
//! (bodies as raw bytes), and sending it.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use super::document::{Operation, Pointer, schema_fields, typed_inputs, value_fields};
use super::valid::Valid;
use super::values::{Hostile, encode};
use crate::helpers::TestApp;

/// Long enough for a slow answer, short enough that a hanging one fails the test.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Where in a request the hostile value goes.
#[derive(Clone, Debug)]
pub enum Target {
    Path(String),
    Query(String),
    Field(Pointer),
    /// The body as a whole: a top-level duplicate, invalid UTF-8 in a key, nesting …
    Body,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(name) => write!(f, "path {{{name}}}"),
            Self::Query(name) => write!(f, "query {name}"),
            Self::Field(pointer) => write!(f, "body {pointer}"),
            Self::Body => write!(f, "the whole body"),
        }
    }
}

/// Every place of `op` a hostile value can go: its parameters, an undocumented query
/// parameter, each field its body schema names or its valid body holds (the inputs of the
/// workflow type the body names included), and the body as a whole.
pub async fn targets(app: &TestApp, doc: &Value, op: &Operation, valid: &Valid) -> Vec<Target> {
    let mut targets: Vec<Target> = op.path_params.iter().cloned().map(Target::Path).collect();
    targets.extend(op.query_params.iter().cloned().map(Target::Query));
    targets.push(Target::Query("undocumented".into()));
    if let Some(body) = &valid.body {
        let root = Pointer(Vec::new());
        let mut fields = BTreeSet::new();
        if let Some(schema) = &op.body_schema {
            schema_fields(doc, schema, &root, &mut fields);
        }
        value_fields(body, &root, &mut fields);
        let mut typed = Vec::new();
        typed_inputs(body, &root, &mut typed);
        for (type_id, at) in typed {
            let definition = app.get(&format!("/api/workflow-types/{type_id}")).await;
            let schema = definition["definition"]
                .get("input_schema")
                .or_else(|| definition.get("input_schema"))
                .cloned()
                .unwrap_or(Value::Null);
            schema_fields(doc, &schema, &at, &mut fields);
        }
        targets.extend(fields.into_iter().map(Target::Field));
        targets.push(Target::Body);
    }
    targets
}

/// The request with `hostile` at `target` and every other value valid.
pub fn build(
    app: &TestApp,
    op: &Operation,
    valid: &Valid,
    target: &Target,
    hostile: &Hostile,
) -> (String, Option<Vec<u8>>) {
    let mut path = op.path.clone();
    for (name, value) in &valid.path {
        let text = match target {
            Target::Path(p) if p == name => hostile.url(Some(value)),
            _ => encode(value.as_bytes()),
        };
        path = path.replace(&format!("{{{name}}}"), &text);
    }
    if let Target::Query(name) = target {
        let value = valid.query.get(name).map(String::as_str);
        let query = match hostile {
            Hostile::DuplicateKey(second) => format!(
                "{name}={}&{name}={}",
                encode(value.unwrap_or("x").as_bytes()),
                encode(second.as_bytes())
            ),
            _ => format!("{name}={}", hostile.url(value)),
        };
        path = format!("{path}?{query}");
    }
    let body = valid.body.as_ref().map(|body| match target {
        Target::Field(pointer) => in_field(body, pointer, hostile),
        Target::Body => whole(body, hostile),
        _ => serde_json::to_vec(body).unwrap(),
    });
    (format!("{}{path}", app.url), body)
}

const PLACEHOLDER: &str = "__quorum_hostile_value__";

/// The body with the raw hostile bytes where `pointer` is.
fn in_field(body: &Value, pointer: &Pointer, hostile: &Hostile) -> Vec<u8> {
    let mut marked = body.clone();
    pointer.set(&mut marked, Value::String(PLACEHOLDER.into()));
    let text = serde_json::to_string(&marked).unwrap();
    let (before, after) = text
        .split_once(&format!("\"{PLACEHOLDER}\""))
        .expect("the placeholder is in the body");
    let value = hostile.json(pointer.get(body), pointer.key());
    [before.as_bytes(), &value, after.as_bytes()].concat()
}

/// The body with the hostile value at its top: a duplicate of its first key, bytes inside
/// that key's name, or the value itself in place of the body.
fn whole(body: &Value, hostile: &Hostile) -> Vec<u8> {
    let text = serde_json::to_vec(body).unwrap();
    let first_key = body.as_object().and_then(|o| o.keys().next());
    let Some(key) = first_key else {
        return hostile.json(None, None);
    };
    let splice = |at: usize, bytes: &[u8]| [&text[..at], bytes, &text[at..]].concat();
    match hostile {
        Hostile::DuplicateKey(second) => splice(
            1,
            format!("{}: {second}, ", Value::String(key.clone())).as_bytes(),
        ),
        // Just after `{"`: inside the first key's name.
        Hostile::RawControl(byte) => splice(2, &[*byte]),
        Hostile::LoneSurrogate(escape) => splice(2, escape.as_bytes()),
        Hostile::InvalidUtf8(bytes) => splice(2, bytes),
        _ => hostile.json(None, None),
    }
}

/// What came back.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// A client that opens a connection per request: the server may close one after answering
/// early (a 401 before a large body is read), and a pooled connection reused at that moment
/// fails on the client's side, not the server's.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// Sends one request as `who` (a principal id, or "" for none).
pub async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    method: &Method,
    url: &str,
    who: &str,
    body: Option<Vec<u8>>,
) -> Result<Answer, String> {
    let mut request = client.request(method.clone(), url).timeout(TIMEOUT);
    if !who.is_empty() {
        request = request.bearer_auth(&app.tokens[who]);
    }
    if let Some(body) = body {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    let response = request.send().await.map_err(|e| format!("{e:?}"))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    // A stream that was opened is the answer; its events are not awaited.
    if content_type.starts_with("text/event-stream") {
        return Ok(Answer {
            status,
            content_type,
            body: Vec::new(),
        });
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading the body: {e:?}"))?;
    Ok(Answer {
        status,
        content_type,
        body: body.to_vec(),
    })
}
