//! `/api/workflow-types`: the registry.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, Caller, Reader};
use crate::router::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkflowType {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub domain: String,
    pub category: String,
    /// False while some step names a handler this release does not have: new workflows of the
    /// type are refused.
    pub executable: bool,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub registered_at: chrono::DateTime<chrono::Utc>,
    /// The whole definition: input schema, steps, oversight, savings model …
    #[schema(value_type = Object)]
    pub definition: Value,
}

impl From<quorum_store::TypeRecord> for WorkflowType {
    fn from(r: quorum_store::TypeRecord) -> Self {
        let text = |key: &str| {
            r.definition
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            name: text("name"),
            domain: text("domain"),
            category: text("category"),
            id: r.id,
            version: r.version,
            executable: r.executable,
            registered_at: r.registered_at,
            definition: r.definition,
        }
    }
}

/// The latest version of every registered type.
#[utoipa::path(get, path = "/api/workflow-types", tag = "workflow types", operation_id = "list_workflow_types",
    security(("bearer" = [])),
    responses((status = 200, description = "Every type, at its latest version", body = Vec<WorkflowType>)))]
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
) -> Result<Json<Vec<WorkflowType>>, ApiError> {
    Ok(Json(
        state
            .quorum
            .registry()
            .list()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A type's latest version.
#[utoipa::path(get, path = "/api/workflow-types/{id}", tag = "workflow types", operation_id = "get_workflow_type",
    params(("id" = String, Path, description = "The type's id, e.g. `website.create_basic_site`")), security(("bearer" = [])),
    responses((status = 200, description = "The type at its latest version", body = WorkflowType),
        (status = 404, description = "There is no type with this id", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    _reader: Reader,
    Path(id): Path<String>,
) -> Result<Json<WorkflowType>, ApiError> {
    let compiled = state.quorum.registry().get(&id, None).await?;
    Ok(Json(compiled.record.clone().into()))
}

/// Register a definition as its type's next version (admin). An identical definition is
/// answered 200 with the existing version.
#[utoipa::path(post, path = "/api/workflow-types", tag = "workflow types", operation_id = "register_workflow_type",
    request_body = quorum_domain::WorkflowTypeDefinition, security(("bearer" = [])),
    responses((status = 201, description = "The definition, registered as the type's next version", body = WorkflowType,
            links(("get" = (operation_id = "get_workflow_type", parameters(("id" = "$response.body#/id")))))),
        (status = 200, description = "The definition is identical to the latest version, which is returned", body = WorkflowType),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope),
        (status = 409, description = "Rarely: another registration of this type raced this one twice; retry", body = ErrorEnvelope),
        (status = 422, description = "The definition does not parse or breaks a rule, or names a step handler this release does not have (`details` names each)", body = ErrorEnvelope)))]
pub async fn register(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(definition): ApiJson<Value>,
) -> Result<(StatusCode, Json<WorkflowType>), ApiError> {
    let registered = state
        .quorum
        .registry()
        .register(&caller, definition)
        .await?;
    let status = match registered.new_version {
        true => StatusCode::CREATED,
        false => StatusCode::OK,
    };
    Ok((status, Json(registered.record.into())))
}
