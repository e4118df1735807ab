//! `GET /api/events`: workflow changes as Server-Sent Events, read from the event log so that
//! a reconnecting client (Last-Event-ID) misses nothing and changes made by other processes
//! arrive too.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use quorum_store::{EventFilter, EventRecord};
use serde::Deserialize;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiQuery, Reader};
use crate::router::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    pub council_id: Option<String>,
    pub agent_id: Option<String>,
    /// Resume after this event id; the `Last-Event-ID` header does the same (and wins).
    #[param(value_type = Option<i64>)]
    pub last_event_id: Option<String>,
}

struct Cursor {
    state: AppState,
    filter: EventFilter,
    last_id: i64,
    buffered: VecDeque<EventRecord>,
}

fn to_event(record: &EventRecord) -> Event {
    let body = serde_json::json!({
        "id": record.id,
        "workflow_id": record.workflow_id,
        "council_id": record.council_id,
        "agent_id": record.agent_id,
        "kind": record.kind,
        "data": record.data,
        "at": quorum_domain::time::format(&record.at),
    });
    Event::default()
        .id(record.id.to_string())
        .event(record.kind.as_str())
        .data(body.to_string())
}

/// Workflow changes as they happen: created, voted, decided, queued, started, completed,
/// failed, cancelled, expired. Filter by council or agent; resume with Last-Event-ID.
#[utoipa::path(get, path = "/api/events", tag = "governance", operation_id = "stream_events",
    params(EventQuery, ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event id")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "A stream of workflow events; it does not end"),
        (status = 400, description = "`Last-Event-ID` (header or parameter) is not an event id, or the path or query string holds a NUL, another control character or invalid UTF-8", body = ErrorEnvelope)))]
pub async fn events(
    State(state): State<AppState>,
    _reader: Reader,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<EventQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    stream(state, &headers, query).await
}

/// The stream `GET /api/events` answers, for a reader already admitted (by a bearer token, or
/// by a dashboard session): it resumes after `Last-Event-ID` (the header, else the parameter),
/// or starts at the newest event.
pub async fn stream(
    state: AppState,
    headers: &HeaderMap,
    query: EventQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>> + use<>>, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.last_event_id.clone());
    let last_id = match resume {
        Some(text) => text.trim().parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                "Last-Event-ID must be an event id this stream sent",
                Vec::new(),
            )
        })?,
        None => state.quorum.last_event_id().await?,
    };
    let filter = EventFilter {
        council_id: query.council_id.filter(|c| !c.is_empty()),
        agent_id: query.agent_id.filter(|a| !a.is_empty()),
    };
    let cursor = Cursor {
        state,
        filter,
        last_id,
        buffered: VecDeque::new(),
    };
    let stream = futures::stream::unfold(cursor, |mut cursor| async move {
        loop {
            if let Some(record) = cursor.buffered.pop_front() {
                cursor.last_id = record.id;
                return Some((Ok(to_event(&record)), cursor));
            }
            let found = cursor
                .state
                .quorum
                .next_events(cursor.last_id, &cursor.filter)
                .await;
            cursor.buffered.extend(found);
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
