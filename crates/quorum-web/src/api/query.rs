//! The list and metrics query string: every value arrives as text and is checked here, so a
//! bad one is a 400 that names it.

use chrono::{DateTime, Utc};
use quorum_domain::{FieldError, WorkflowStatus};
use quorum_store::{Cursor, PageRequest, WorkflowFilter};
use serde::Deserialize;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 100;
/// Larger limits are clamped to this, and the response's `limit` says so.
pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// PENDING, IN_PROGRESS, COMPLETED, FAILED or CANCELLED, in any case; empty for any.
    #[param(
        pattern = "^(?:[Pp][Ee][Nn][Dd][Ii][Nn][Gg]|[Ii][Nn]_[Pp][Rr][Oo][Gg][Rr][Ee][Ss][Ss]|[Cc][Oo][Mm][Pp][Ll][Ee][Tt][Ee][Dd]|[Ff][Aa][Ii][Ll][Ee][Dd]|[Cc][Aa][Nn][Cc][Ee][Ll][Ll][Ee][Dd])?$"
    )]
    pub status: Option<String>,
    pub council_id: Option<String>,
    pub agent_id: Option<String>,
    pub workflow_type_id: Option<String>,
    /// RFC 3339; inclusive.
    #[param(format = DateTime)]
    pub created_after: Option<String>,
    /// RFC 3339; exclusive.
    #[param(format = DateTime)]
    pub created_before: Option<String>,
    /// 1 or more; larger than 1000 is taken as 1000 (the response's `limit` says so); default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9223372036854775807_i64)]
    pub limit: Option<String>,
    /// 0 or more; default 0. Not combined with `cursor`.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 9223372036854775807_i64)]
    pub offset: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
}

/// The list's filters without its paging, for the metrics, which read only those.
pub struct FilterParams;

impl utoipa::IntoParams for FilterParams {
    fn into_params(
        parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        ListQuery::into_params(parameter_in)
            .into_iter()
            .filter(|p| !["limit", "offset", "cursor"].contains(&p.name.as_str()))
            .collect()
    }
}

fn time(
    details: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
) -> Option<DateTime<Utc>> {
    let value = value.as_deref()?;
    match DateTime::parse_from_rfc3339(value) {
        Ok(at) => Some(at.with_timezone(&Utc)),
        Err(_) => {
            details.push(FieldError::new(
                field,
                "format",
                "must be an RFC 3339 timestamp such as 2025-12-20T12:34:56Z",
            ));
            None
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.is_empty())
}

impl ListQuery {
    pub fn filter(&self) -> Result<WorkflowFilter, ApiError> {
        let mut details = Vec::new();
        let filter = self.collect_filter(&mut details);
        if details.is_empty() {
            Ok(filter)
        } else {
            Err(ApiError::bad_request(
                "the query string has invalid values",
                details,
            ))
        }
    }

    fn collect_filter(&self, details: &mut Vec<FieldError>) -> WorkflowFilter {
        let status = match non_empty(&self.status) {
            None => None,
            Some(text) => match text.parse::<WorkflowStatus>() {
                Ok(status) => Some(status),
                Err(e) => {
                    details.push(FieldError::new("status", "enum", e.to_string()));
                    None
                }
            },
        };
        WorkflowFilter {
            status,
            council_id: non_empty(&self.council_id),
            agent_id: non_empty(&self.agent_id),
            workflow_type_id: non_empty(&self.workflow_type_id),
            created_after: time(details, "created_after", &self.created_after),
            created_before: time(details, "created_before", &self.created_before),
        }
    }

    /// The filter and the page, or a 400 naming every bad value.
    pub fn parse(&self) -> Result<(WorkflowFilter, PageRequest), ApiError> {
        let mut details = Vec::new();
        let filter = self.collect_filter(&mut details);
        let integer = |details: &mut Vec<FieldError>,
                       field: &str,
                       value: &Option<String>,
                       min: i64|
         -> Option<i64> {
            let value = value.as_deref()?;
            match value.parse::<i64>() {
                Ok(n) if n >= min => Some(n),
                _ => {
                    details.push(FieldError::new(
                        field,
                        "integer",
                        format!("must be an integer, {min} or more"),
                    ));
                    None
                }
            }
        };
        let limit = integer(&mut details, "limit", &self.limit, 1)
            .unwrap_or(DEFAULT_LIMIT)
            .min(MAX_LIMIT);
        let offset = integer(&mut details, "offset", &self.offset, 0).unwrap_or(0);
        let cursor = non_empty(&self.cursor).and_then(|text| {
            let cursor = Cursor::decode(&text);
            if cursor.is_none() {
                details.push(FieldError::new(
                    "cursor",
                    "format",
                    "is not a cursor this API returned",
                ));
            }
            cursor
        });
        if cursor.is_some() && offset > 0 {
            details.push(FieldError::new(
                "offset",
                "exclusive",
                "use either offset or cursor, not both",
            ));
        }
        if !details.is_empty() {
            return Err(ApiError::bad_request(
                "the query string has invalid values",
                details,
            ));
        }
        let page = match cursor {
            Some(cursor) => PageRequest::After { limit, cursor },
            None => PageRequest::Offset { limit, offset },
        };
        Ok((filter, page))
    }
}
