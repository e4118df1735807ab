//! The OpenAPI document's frame (info, tags, the bearer scheme) and the answers every route
//! gives for the same reasons: each route's annotation lists what is its own (its success,
//! the roles it refuses, its conflicts, its 422s), and [`complete`] adds what follows from the
//! route's shape — a token, a JSON body, a path or query string — worded once here.

use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi as Document, Ref, RefOr, Required, Response,
    ResponseBuilder, Schema,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quorum",
        description = "A governed workflow engine: agents propose, councils vote, workers run, savings are counted.\n\n\
            Every error is the JSON envelope `{\"error\": {\"code\", \"message\", \"details\"}}`. Each operation lists \
            the statuses it answers; besides those, a method a path does not list is answered 405, and an internal \
            error 500 (it is logged).\n\n\
            Reads need a token unless the server runs with public reads (`quorum serve --demo`); a token that is \
            sent is always checked."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "workflows", description = "Propose, list and inspect workflows"),
        (name = "chat", description = "Agents propose work in words"),
        (name = "workflow types", description = "The registry of workflow types"),
        (name = "councils", description = "Who reviews which domain"),
        (name = "governance", description = "Votes, decisions, cancellation and live events"),
        (name = "principals", description = "Agents, people and their tokens"),
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "sites", description = "Deployed websites and their contact forms"),
        (name = "uploads", description = "Pictures agents upload for the websites they propose"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

const URL_400: &str =
    "the path or query string holds a NUL, another control character or invalid UTF-8";
const QUERY_400: &str = "a query parameter is invalid (`details` names it)";
const BODY_400: &str = "the body is not JSON, is not the expected shape, has an unknown field or a duplicate key, or holds a NUL";

/// Adds to every operation the answers that follow from its shape, unless its annotation
/// already lists that status:
/// - every route: 400 when the path or query string holds a control character or invalid
///   UTF-8 (refused before routing), and so a pattern on every path and query text;
/// - a query parameter: 400 naming it;
/// - a bearer token (`Caller`, `Reader`): 401 without a valid one, 503 when the database that
///   holds the tokens does not answer;
/// - a JSON body: 400, 413 over 1 MiB, 415 without `Content-Type: application/json`.
pub fn complete(doc: &mut Document) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            complete_operation(operation);
        }
    }
}

fn complete_operation(operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    let mut has_query = false;
    for parameter in parameters.iter_mut() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        has_query |= parameter.parameter_in == ParameterIn::Query;
        if matches!(
            parameter.parameter_in,
            ParameterIn::Query | ParameterIn::Path
        ) && let Some(RefOr::T(Schema::Object(schema))) = &mut parameter.schema
            && is_text(&schema.schema_type)
            && schema.pattern.is_none()
            && schema.format.is_none()
        {
            schema.pattern = Some(quorum_domain::schema::URL_TEXT_PATTERN.to_owned());
        }
    }
    if parameters.is_empty() {
        operation.parameters = None;
    }
    let has_body = match &mut operation.request_body {
        Some(RefOr::T(body)) => {
            optional_body_is_left_out(body);
            true
        }
        Some(RefOr::Ref(_)) => true,
        None => false,
    };
    // A body that is not JSON (a picture) has its own limit, types and refusals, listed by
    // its route.
    let json_body = match &operation.request_body {
        Some(RefOr::T(body)) => body.content.contains_key("application/json"),
        Some(RefOr::Ref(_)) => true,
        None => false,
    };
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());

    let mut bad_request = vec![URL_400];
    if has_query {
        bad_request.push(QUERY_400);
    }
    if json_body {
        bad_request.push(BODY_400);
    } else if has_body {
        bad_request.push("the body cannot be read to its end");
    }
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, response: Response| {
        responses
            .entry(status.to_owned())
            .or_insert(RefOr::T(response));
    };
    add("400", error(&sentence(&bad_request)));
    if secured {
        let mut unauthorized = error(
            "No valid API token: send `Authorization: Bearer <token>` (an invalid token is refused even where reads are public)",
        );
        unauthorized.headers.insert(
            "WWW-Authenticate".to_owned(),
            HeaderBuilder::new()
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["Bearer"])),
                ))
                .description(Some("Always `Bearer`"))
                .build()
                .into(),
        );
        add("401", unauthorized);
        add("503", error("The database is unavailable; retry shortly"));
    }
    if json_body {
        add("413", error("The body is larger than the 1 MiB limit"));
        add(
            "415",
            error("The body is not sent with `Content-Type: application/json`"),
        );
    }
}

/// An `Option<T>` request body in an annotation means the body may be left out, not that it
/// may be the JSON `null` (which the server refuses like any other wrong shape).
fn optional_body_is_left_out(body: &mut RequestBody) {
    if body.required == Some(Required::True) {
        return;
    }
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
            let not_null: Vec<RefOr<Schema>> = one_of
                .items
                .iter()
                .filter(|item| !is_null(item))
                .cloned()
                .collect();
            if let [only] = not_null.as_slice() {
                content.schema = Some(only.clone());
            }
        }
    }
    body.required = Some(Required::False);
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

fn is_text(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}

/// "A; b; or c." as one sentence, capitalized.
fn sentence(parts: &[&str]) -> String {
    let joined = match parts {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{}; or {last}", init.join("; ")),
    };
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => joined,
    }
}

/// A response whose body is the error envelope.
pub fn error(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                .build(),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_join_into_one_sentence() {
        assert_eq!(sentence(&["a"]), "A.");
        assert_eq!(sentence(&["a", "b", "c"]), "A; b; or c.");
    }
}

/// The text rule every body passes (`quorum_domain::Text`: no NUL in any string or key)
/// written into the document's schemas, so that what a schema allows the server takes: a text
/// without a pattern of its own gets the rule's, every object's keys keep it, and an open
/// object (free-form inputs, a type's outputs) holds [`JSON_VALUE`], any JSON whose text keeps
/// it. Applied to the document as JSON: the rule is about every schema, whoever wrote it.
pub fn text_rule(document: &mut Value) {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        constrain(schema);
    }
    schemas.insert(JSON_VALUE.into(), json_value());
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        if let Some(schema) = operation.pointer_mut("/requestBody/content/application~1json/schema")
        {
            constrain(schema);
        }
    }
}

/// The component that stands for any JSON value whose strings and keys hold no NUL.
pub const JSON_VALUE: &str = "JsonValue";

fn json_value() -> Value {
    let text = quorum_domain::schema::TEXT_PATTERN;
    let any = json!({"$ref": format!("#/components/schemas/{JSON_VALUE}")});
    json!({
        "description": "Any JSON value whose strings and object keys hold no NUL character.",
        "anyOf": [
            {"type": ["null", "boolean", "number"]},
            {"type": "string", "pattern": text},
            {"type": "array", "items": any},
            {"type": "object", "propertyNames": {"pattern": text}, "additionalProperties": any},
        ],
    })
}

/// Keywords whose value is one subschema, and those whose value lists or maps several.
const SUBSCHEMA: [&str; 4] = ["items", "additionalProperties", "not", "contains"];
const SUBSCHEMAS: [&str; 6] = [
    "allOf",
    "anyOf",
    "oneOf",
    "prefixItems",
    "properties",
    "patternProperties",
];
/// Keywords that make a schema more than "anything".
const STRUCTURAL: [&str; 8] = [
    "type", "$ref", "allOf", "anyOf", "oneOf", "not", "enum", "const",
];

fn constrain(schema: &mut Value) {
    let Some(node) = schema.as_object_mut() else {
        return;
    };
    if node.contains_key("$ref") {
        return;
    }
    let text = quorum_domain::schema::TEXT_PATTERN;
    if !STRUCTURAL.iter().any(|k| node.contains_key(*k)) && !node.contains_key("properties") {
        node.insert(
            "$ref".into(),
            json!(format!("#/components/schemas/{JSON_VALUE}")),
        );
        return;
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let (is_string, is_object) = (
        types.contains(&"string"),
        types.contains(&"object") || node.contains_key("properties"),
    );
    if is_string
        && !["pattern", "format", "enum", "const"]
            .iter()
            .any(|k| node.contains_key(*k))
    {
        node.insert("pattern".into(), json!(text));
    }
    if is_object {
        node.entry("propertyNames")
            .or_insert_with(|| json!({"pattern": text}));
        if matches!(
            node.get("additionalProperties"),
            None | Some(Value::Bool(true))
        ) {
            node.insert(
                "additionalProperties".into(),
                json!({"$ref": format!("#/components/schemas/{JSON_VALUE}")}),
            );
        }
    }
    for key in SUBSCHEMA {
        if let Some(sub) = node.get_mut(key) {
            constrain(sub);
        }
    }
    for key in SUBSCHEMAS {
        match node.get_mut(key) {
            Some(Value::Array(subs)) => subs.iter_mut().for_each(constrain),
            Some(Value::Object(subs)) => subs.values_mut().for_each(constrain),
            _ => {}
        }
    }
}

#[cfg(test)]
mod text_rule_tests {
    use super::*;

    #[test]
    fn texts_keys_and_open_objects_keep_the_rule_and_closed_objects_stay_closed() {
        let mut document = json!({
            "components": {"schemas": {
                "Open": {"type": "object", "properties": {"inputs": {"type": "object"}, "any": {"description": "x"},
                    "when": {"type": "string", "format": "date-time"}, "id": {"type": "string", "pattern": "^[a-z]+$"}}},
                "Closed": {"type": "object", "properties": {"name": {"type": ["string", "null"]}}, "additionalProperties": false},
            }},
            "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}},
        });
        text_rule(&mut document);
        let schemas = &document["components"]["schemas"];
        let any = json!({"$ref": "#/components/schemas/JsonValue"});
        assert_eq!(schemas["Open"]["additionalProperties"], any);
        assert_eq!(
            schemas["Open"]["properties"]["inputs"]["additionalProperties"],
            any
        );
        assert_eq!(schemas["Open"]["properties"]["any"]["$ref"], any["$ref"]);
        assert!(
            schemas["Open"]["properties"]["when"]
                .get("pattern")
                .is_none()
        );
        assert_eq!(schemas["Open"]["properties"]["id"]["pattern"], "^[a-z]+$");
        assert_eq!(schemas["Closed"]["additionalProperties"], false);
        assert_eq!(
            schemas["Closed"]["properties"]["name"]["pattern"],
            quorum_domain::schema::TEXT_PATTERN
        );
        assert_eq!(
            schemas["Closed"]["propertyNames"]["pattern"],
            quorum_domain::schema::TEXT_PATTERN
        );
        let body = &document["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(
            body["items"]["pattern"],
            quorum_domain::schema::TEXT_PATTERN
        );
        assert!(schemas["JsonValue"]["anyOf"].is_array());
    }
}
