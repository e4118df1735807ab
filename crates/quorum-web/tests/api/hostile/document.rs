//! What the OpenAPI document says each operation takes (path and query parameters, the fields
//! of its JSON body) and answers (its statuses), read so that a route added later is driven
//! without a change here.

use std::collections::BTreeSet;
use std::fmt;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// One path × method of the document.
pub struct Operation {
    pub method: Method,
    /// The template, `{name}` for each path parameter.
    pub path: String,
    pub path_params: Vec<String>,
    pub query_params: Vec<String>,
    /// The JSON request body's schema, when the operation takes one.
    pub body_schema: Option<Value>,
    /// The response keys: `"200"`, `"4XX"`, `"default"` …
    pub statuses: Vec<String>,
}

impl Operation {
    pub fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    pub fn documents(&self, status: StatusCode) -> bool {
        let code = status.as_u16().to_string();
        let range = format!("{}XX", status.as_u16() / 100);
        self.statuses
            .iter()
            .any(|s| *s == code || s.eq_ignore_ascii_case(&range) || s == "default")
    }
}

/// Every operation of the document, in its order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("the document has paths") {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let parameters: Vec<Value> = item["parameters"]
                .as_array()
                .into_iter()
                .chain(operation["parameters"].as_array())
                .flatten()
                .map(|p| resolve(doc, p).clone())
                .collect();
            let named = |place: &str| -> Vec<String> {
                parameters
                    .iter()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            let body = resolve(doc, &operation["requestBody"]);
            operations.push(Operation {
                method,
                path: path.clone(),
                path_params: named("path"),
                query_params: named("query"),
                body_schema: body["content"]["application/json"].get("schema").cloned(),
                statuses: operation["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default(),
            });
        }
    }
    operations
}

/// A `$ref` into the document, followed (to any depth); anything else as it is.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..16 {
        let Some(reference) = value["$ref"].as_str() else {
            break;
        };
        let pointer = reference.strip_prefix('#').unwrap_or(reference);
        value = doc.pointer(pointer).unwrap_or(&Value::Null);
    }
    value
}

/// A place in a JSON body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pointer(pub Vec<Seg>);

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Pointer {
    fn child(&self, seg: Seg) -> Self {
        let mut segs = self.0.clone();
        segs.push(seg);
        Self(segs)
    }

    pub fn get<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        self.0.iter().try_fold(value, |v, seg| match seg {
            Seg::Key(k) => v.get(k),
            Seg::Index(i) => v.get(i),
        })
    }

    /// Sets the value there, making the objects and array slots on the way.
    pub fn set(&self, root: &mut Value, new: Value) {
        let mut here = root;
        for seg in &self.0 {
            here = match seg {
                Seg::Key(k) => {
                    if !here.is_object() {
                        *here = Value::Object(Default::default());
                    }
                    here.as_object_mut()
                        .unwrap()
                        .entry(k.clone())
                        .or_insert(Value::Null)
                }
                Seg::Index(i) => {
                    if !here.is_array() {
                        *here = Value::Array(Vec::new());
                    }
                    let items = here.as_array_mut().unwrap();
                    if items.len() <= *i {
                        items.resize(i + 1, Value::Null);
                    }
                    &mut items[*i]
                }
            };
        }
        *here = new;
    }

    /// The member's name when the place is in an object.
    pub fn key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => write!(f, "/{k}")?,
                Seg::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}

/// Every field a schema describes: properties, array items (as the first item), and the
/// branches of `oneOf`/`anyOf`/`allOf`, with `$ref`s followed.
pub fn schema_fields(doc: &Value, schema: &Value, at: &Pointer, into: &mut BTreeSet<Pointer>) {
    if at.0.len() > 8 {
        return;
    }
    let schema = resolve(doc, schema);
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for branch in schema[combinator].as_array().into_iter().flatten() {
            schema_fields(doc, branch, at, into);
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let field = at.child(Seg::Key(name.clone()));
        into.insert(field.clone());
        schema_fields(doc, property, &field, into);
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        let field = at.child(Seg::Index(0));
        into.insert(field.clone());
        schema_fields(doc, items, &field, into);
    }
}

/// Every field of a JSON value (arrays by their first item).
pub fn value_fields(value: &Value, at: &Pointer, into: &mut BTreeSet<Pointer>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                let field = at.child(Seg::Key(name.clone()));
                into.insert(field.clone());
                value_fields(member, &field, into);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                let field = at.child(Seg::Index(0));
                into.insert(field.clone());
                value_fields(first, &field, into);
            }
        }
        _ => {}
    }
}

/// The workflow types a body names, each with where its inputs go: any object holding a
/// string `workflow_type_id` (or `workflow_type`) and a member whose name ends in `inputs`.
pub fn typed_inputs(value: &Value, at: &Pointer, into: &mut Vec<(String, Pointer)>) {
    if let Value::Object(members) = value {
        let type_id = ["workflow_type_id", "workflow_type"]
            .iter()
            .find_map(|k| members.get(*k).and_then(Value::as_str));
        if let Some(type_id) = type_id {
            for name in members.keys().filter(|k| k.ends_with("inputs")) {
                into.push((type_id.to_owned(), at.child(Seg::Key(name.clone()))));
            }
        }
        for (name, member) in members {
            typed_inputs(member, &at.child(Seg::Key(name.clone())), into);
        }
    }
}

/// A small instance of a schema: required properties only, the first enum value or branch;
/// for an operation no valid request is written for.
pub fn minimal(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > 8 {
        return Value::Null;
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[combinator].as_array().and_then(|b| b.first()) {
            return minimal(doc, first, depth + 1);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned(),
        other => Some(other.clone()),
    };
    match kind.as_ref().and_then(Value::as_str) {
        Some("object") => {
            let mut object = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                let property = &schema["properties"][name];
                object.insert(name.into(), minimal(doc, property, depth + 1));
            }
            Value::Object(object)
        }
        Some("array") => Value::Array(Vec::new()),
        Some("string") => Value::String("hostile".into()),
        Some("integer" | "number") => Value::from(1),
        Some("boolean") => Value::Bool(true),
        _ => Value::Null,
    }
}
