//! `/api/outbox`: members' notification mail kept where no SMTP server is configured.

use axum::Json;
use axum::extract::State;
use quorum_store::OutboxMail;
use serde::Deserialize;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiQuery, Caller};
use crate::router::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// The recipient's address.
    pub to: String,
}

/// Mail kept for one recipient, newest first, at most 100 (admin).
#[utoipa::path(get, path = "/api/outbox", tag = "principals", operation_id = "list_outbox_mail",
    params(OutboxQuery), security(("bearer" = [])),
    responses((status = 200, description = "The recipient's mail, newest first", body = Vec<OutboxMail>),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<OutboxMail>>, ApiError> {
    Ok(Json(state.quorum.outbox(&caller, &query.to).await?))
}
