//! Liveness, readiness and the Prometheus metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

use crate::router::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    /// The queue's backend (`db-sqlite`, `db-postgres`, `redis`), or `unreachable`.
    pub queue: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", operation_id = "healthz",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        database: state.quorum.database_backend(),
        queue: state.quorum.queue().backend(),
    })
}

/// The database and the queue answer; 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "health", operation_id = "readyz",
    responses((status = 200, description = "The database and the queue answer", body = Health),
        (status = 503, description = "The database or the queue does not answer", body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let quorum = &state.quorum;
    let (database, queue) = tokio::join!(quorum.ping_database(), quorum.queue().ping());
    if let Err(e) = &database {
        tracing::warn!(error = %e, "readiness: the database does not answer");
    }
    if let Err(e) = &queue {
        tracing::warn!(error = %e, "readiness: the queue does not answer");
    }
    let ready = database.is_ok() && queue.is_ok();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if ready { "ready" } else { "unavailable" },
            database: if database.is_ok() {
                "ok"
            } else {
                "unreachable"
            },
            queue: if queue.is_ok() {
                quorum.queue().backend()
            } else {
                "unreachable"
            },
        }),
    )
}

/// Prometheus metrics: queue depth, claims, completions, failures, retries, lease expiries
/// and step durations.
#[utoipa::path(get, path = "/metrics", tag = "health", operation_id = "get_prometheus_metrics",
    responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.quorum.render_metrics().await,
    )
}
