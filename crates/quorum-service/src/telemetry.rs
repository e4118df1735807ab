//! Prometheus metrics: the names Quorum records under, and the process-wide recorder that
//! `GET /metrics` renders.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::Quorum;

pub const QUEUE_DEPTH: &str = "quorum_queue_depth";
pub const CLAIMS: &str = "quorum_jobs_claimed_total";
pub const COMPLETED: &str = "quorum_workflows_completed_total";
pub const FAILED: &str = "quorum_workflows_failed_total";
pub const CANCELLED: &str = "quorum_workflows_cancelled_while_running_total";
pub const RETRIES: &str = "quorum_attempt_retries_total";
pub const WAITS: &str = "quorum_step_waits_total";
pub const LEASE_EXPIRIES: &str = "quorum_lease_expiries_total";
pub const LEASES_LOST: &str = "quorum_leases_lost_total";
pub const STEP_SECONDS: &str = "quorum_step_duration_seconds";

const STEP_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's metrics recorder, once; later calls return the same handle. `None`
/// when another recorder was installed first (then `/metrics` says so).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(STEP_SECONDS.into()), &STEP_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            // A counter is exported from its first increment; start every one at zero, so a
            // scraper sees the series (and rates over them) from the first scrape.
            for counter in [
                CLAIMS,
                COMPLETED,
                FAILED,
                CANCELLED,
                RETRIES,
                WAITS,
                LEASE_EXPIRIES,
                LEASES_LOST,
            ] {
                metrics::counter!(counter).increment(0);
            }
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(QUEUE_DEPTH, "Jobs queued, delayed or held, when scraped.");
    describe_counter!(CLAIMS, "Jobs workers of this process claimed.");
    describe_counter!(COMPLETED, "Workflows this process completed.");
    describe_counter!(
        FAILED,
        "Workflows this process failed after their last attempt."
    );
    describe_counter!(
        CANCELLED,
        "Workflows cancelled while this process ran them."
    );
    describe_counter!(RETRIES, "Failed attempts handed back for a retry.");
    describe_counter!(
        WAITS,
        "Workflows handed back to the queue until the time a step waits for."
    );
    describe_counter!(
        LEASE_EXPIRIES,
        "Workflows resumed after their last holder's lease ran out."
    );
    describe_counter!(
        LEASES_LOST,
        "Leases a heartbeat found taken over by another worker."
    );
    describe_histogram!(
        STEP_SECONDS,
        metrics::Unit::Seconds,
        "How long steps ran, by handler and outcome."
    );
}

impl Quorum {
    /// The Prometheus text exposition, with the queue depth read now.
    pub async fn render_metrics(&self) -> String {
        let Some(handle) = install() else {
            return "# metrics are not recorded: another recorder was installed first\n".into();
        };
        match self.queue.depth().await {
            Ok(depth) => {
                metrics::gauge!(QUEUE_DEPTH, "backend" => self.queue.backend()).set(depth as f64)
            }
            Err(e) => tracing::warn!(error = %e, "reading the queue depth for /metrics"),
        }
        handle.render()
    }
}
