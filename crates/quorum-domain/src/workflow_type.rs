//! Workflow types: definitions as data (a JSON or TOML file), their validation, and how a
//! workflow's inputs are checked against them and completed with defaults.

use jsonschema::{Validator, error::ValidationErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::council::Threshold;
use crate::ids::is_valid_name_id;
use crate::savings::SavingsModel;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowTypeDefinition {
    /// `website.create_basic_site`
    #[schema(schema_with = crate::schema::name_id)]
    pub id: String,
    #[schema(schema_with = crate::schema::display_name)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The domain decides which council reviews the type's workflows (`media` → `council_media`).
    #[schema(schema_with = crate::schema::name_id)]
    pub domain: String,
    pub category: String,
    #[schema(maximum = 4294967295_u64)]
    pub estimated_duration_seconds: u32,
    /// JSON Schema (2020-12) of the inputs; `default`s are applied before validation.
    #[schema(schema_with = input_schema_schema)]
    pub input_schema: Value,
    /// What a finished workflow's `outputs` hold.
    #[schema(value_type = Object)]
    pub outputs: Value,
    #[schema(min_items = 1)]
    pub steps: Vec<StepDefinition>,
    #[serde(default)]
    pub success_criteria: Vec<String>,
    pub oversight: Oversight,
    #[serde(default)]
    pub review_criteria: Vec<String>,
    pub savings_model: SavingsModel,
    /// Attempts per workflow before it is FAILED.
    #[serde(default = "default_max_attempts")]
    #[schema(minimum = 1, maximum = 20)]
    pub max_attempts: u32,
    /// Words an agent's chat message may use to ask for this type.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// What [`WorkflowTypeDefinition::compile`] asks of `input_schema` before compiling it.
fn input_schema_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::schema::from_json(serde_json::json!({
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["object"]}},
        "description": "A JSON Schema (2020-12) describing an object.",
    }))
}

fn default_max_attempts() -> u32 {
    3
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDefinition {
    #[schema(schema_with = crate::schema::name_id)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[schema(maximum = 4294967295_u64)]
    pub estimated_seconds: u32,
    /// The registered Rust step handler that runs this step.
    #[schema(schema_with = crate::schema::name_id)]
    pub handler: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Oversight {
    pub required: bool,
    /// The council that reviews; when absent, the council owning the domain.
    #[serde(default)]
    pub council: Option<String>,
    #[serde(default)]
    pub threshold: Threshold,
}

/// One failing field of a request, as the error envelope's `details` list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `brand_colors.primary`; empty for the whole value.
    pub field: String,
    /// The rule that failed: a JSON Schema keyword such as `required`, `maxLength`, `format`.
    pub rule: String,
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            message: message.into(),
        }
    }
}

impl WorkflowTypeDefinition {
    /// Checks the definition and compiles its input schema.
    pub fn compile(&self) -> Result<Validator, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |ok: bool, field: &str, message: &str| {
            if !ok {
                errors.push(FieldError::new(field, "definition", message));
            }
        };
        check(
            is_valid_name_id(&self.id),
            "id",
            "id must be lowercase letters, digits, '.', '_' or '-' (at most 64)",
        );
        check(
            !self.name.trim().is_empty() && self.name.chars().count() <= 200,
            "name",
            "name must be 1 to 200 characters",
        );
        check(
            is_valid_name_id(&self.domain),
            "domain",
            "domain must be a lowercase identifier",
        );
        check(
            !self.steps.is_empty(),
            "steps",
            "a type needs at least one step",
        );
        check(
            (1..=20).contains(&self.max_attempts),
            "max_attempts",
            "max_attempts must be 1 to 20",
        );
        check(
            self.input_schema.get("type") == Some(&Value::from("object")),
            "input_schema",
            "input_schema must describe an object (\"type\": \"object\")",
        );
        for (i, step) in self.steps.iter().enumerate() {
            let unique = self.steps[..i].iter().all(|s| s.name != step.name);
            check(
                is_valid_name_id(&step.name) && unique,
                &format!("steps.{i}.name"),
                "step names must be unique lowercase identifiers",
            );
            check(
                is_valid_name_id(&step.handler),
                &format!("steps.{i}.handler"),
                "handler must name a registered step handler",
            );
        }
        if let Err(message) = self.savings_model.validate() {
            errors.push(FieldError::new("savings_model", "definition", message));
        }
        // A type names no council of its own size here, so only the threshold's form is checked.
        if let Err(message) = self.oversight.threshold.validate(usize::MAX) {
            errors.push(FieldError::new(
                "oversight.threshold",
                "definition",
                message,
            ));
        }
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&self.input_schema)
            .map_err(|e| {
                FieldError::new(
                    "input_schema",
                    "schema",
                    format!("input_schema is not a valid JSON Schema: {e}"),
                )
            });
        match validator {
            Ok(validator) if errors.is_empty() => Ok(validator),
            Ok(_) => Err(errors),
            Err(e) => {
                errors.push(e);
                Err(errors)
            }
        }
    }

    /// Applies the schema's defaults to `inputs`, then validates them: one error per failing
    /// field path.
    pub fn prepare_inputs(
        &self,
        validator: &Validator,
        inputs: Value,
    ) -> Result<Value, Vec<FieldError>> {
        let mut inputs = match inputs {
            Value::Null => Value::Object(Map::new()),
            Value::Object(_) => inputs,
            _ => {
                return Err(vec![FieldError::new(
                    "",
                    "type",
                    "inputs must be a JSON object",
                )]);
            }
        };
        apply_defaults(&self.input_schema, &mut inputs);
        let errors: Vec<FieldError> = validator
            .iter_errors(&inputs)
            .map(|e| field_error(&e))
            .collect();
        if errors.is_empty() {
            Ok(inputs)
        } else {
            Err(errors)
        }
    }

    pub fn handlers(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.handler.as_str())
    }
}

fn field_error(e: &jsonschema::ValidationError<'_>) -> FieldError {
    let mut field = e
        .instance_path()
        .as_str()
        .trim_start_matches('/')
        .replace('/', ".");
    if let ValidationErrorKind::Required { property } = e.kind() {
        let name = property.as_str().unwrap_or_default();
        field = if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        };
    }
    let message = match e.kind() {
        ValidationErrorKind::MaxLength { limit } => format!("must be at most {limit} characters"),
        ValidationErrorKind::Required { .. } => "is required".to_owned(),
        // The default message quotes the value, which may be huge or hostile.
        ValidationErrorKind::Pattern { pattern } => format!("must match the pattern {pattern}"),
        ValidationErrorKind::Format { format } => format!("must be a valid {format}"),
        _ => e.to_string(),
    };
    FieldError::new(field, e.kind().keyword(), message)
}

/// Fills missing object properties with the schema's `default`s, recursively through nested
/// objects, as a form would before submitting.
fn apply_defaults(schema: &Value, instance: &mut Value) {
    let (Some(properties), Value::Object(object)) = (
        schema.get("properties").and_then(Value::as_object),
        instance,
    ) else {
        return;
    };
    for (name, property_schema) in properties {
        if !object.contains_key(name) {
            if let Some(default) = property_schema.get("default") {
                object.insert(name.clone(), default.clone());
            } else if property_schema.get("type") == Some(&Value::from("object"))
                && property_schema.get("properties").is_some_and(|p| {
                    p.as_object()
                        .is_some_and(|p| p.values().any(|s| s.get("default").is_some()))
                })
            {
                object.insert(name.clone(), Value::Object(Map::new()));
            }
        }
        if let Some(value) = object.get_mut(name) {
            apply_defaults(property_schema, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definition() -> WorkflowTypeDefinition {
        serde_json::from_value(json!({
            "id": "test.echo",
            "name": "Echo",
            "domain": "media",
            "category": "Test",
            "estimated_duration_seconds": 1,
            "input_schema": {
                "type": "object",
                "required": ["site_name"],
                "properties": {
                    "site_name": {"type": "string", "maxLength": 10},
                    "contact_email": {"type": "string", "format": "email"},
                    "brand_colors": {"type": "object", "properties": {
                        "primary": {"type": "string", "default": "#1a1a1a"}
                    }},
                    "include_blog": {"type": "boolean", "default": true}
                }
            },
            "outputs": {},
            "steps": [{"name": "echo", "estimated_seconds": 1, "handler": "test.echo"}],
            "oversight": {"required": true},
            "savings_model": {"tasks_automated": "x", "minutes_saved_per_week": 60, "hourly_rate": 10}
        }))
        .unwrap()
    }

    #[test]
    fn defaults_fill_missing_fields_even_inside_nested_objects() {
        let def = definition();
        let validator = def.compile().unwrap();
        let inputs = def
            .prepare_inputs(&validator, json!({"site_name": "Codex"}))
            .unwrap();
        assert_eq!(inputs["include_blog"], true);
        assert_eq!(inputs["brand_colors"]["primary"], "#1a1a1a");
    }

    #[test]
    fn every_failing_field_is_named_with_its_rule() {
        let def = definition();
        let validator = def.compile().unwrap();
        let errors = def
            .prepare_inputs(
                &validator,
                json!({"contact_email": "nope", "brand_colors": {"primary": 3}}),
            )
            .unwrap_err();
        let mut got: Vec<(String, String)> =
            errors.into_iter().map(|e| (e.field, e.rule)).collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("brand_colors.primary".to_owned(), "type".to_owned()),
                ("contact_email".to_owned(), "format".to_owned()),
                ("site_name".to_owned(), "required".to_owned()),
            ]
        );
    }

    #[test]
    fn a_definition_with_duplicate_steps_or_a_bad_schema_is_refused() {
        let mut def = definition();
        def.steps.push(def.steps[0].clone());
        def.input_schema = json!({"type": "object", "properties": {"x": {"type": "nonsense"}}});
        let fields: Vec<String> = def
            .compile()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(fields.contains(&"steps.1.name".to_owned()), "{fields:?}");
        assert!(fields.contains(&"input_schema".to_owned()), "{fields:?}");
    }
}
