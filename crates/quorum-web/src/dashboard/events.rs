//! `/dashboard/events`: the workflow event stream of `GET /api/events`, for a signed-in
//! dashboard session instead of a bearer token (a browser's `EventSource` cannot send one).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::layout::PageError;
use super::session::Session;
use crate::api::events::{EventQuery, stream as event_stream};
use crate::router::AppState;

/// Every council's events: the page's script keeps those of the councils it shows, which
/// one stream filtered by a single council could not do for a member of several. The session
/// is what admits the reader; without one, the browser is sent to sign in.
pub async fn stream(
    State(state): State<AppState>,
    _session: Session,
    headers: HeaderMap,
) -> Response {
    match event_stream(state, &headers, EventQuery::default()).await {
        Ok(sse) => sse.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
