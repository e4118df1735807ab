//! Aggregates: counts and sums per council × agent × type × status, kept in step with every
//! write so that analytics never scan the workflows. Amounts are integers (cents,
//! milliseconds, millionths) so that a million increments and decrements stay exact.

use std::collections::{BTreeMap, HashMap};
use std::ops::{AddAssign, SubAssign};

use quorum_domain::WorkflowStatus;

use crate::records::BulkBatch;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AggregateKey {
    pub council_id: String,
    pub agent_id: String,
    pub workflow_type_id: String,
    pub status: WorkflowStatus,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub workflows: i64,
    pub weekly_cents: i64,
    pub annual_cents: i64,
    pub metric_count: i64,
    pub duration_ms: i64,
    pub success_ppm: i64,
    pub error_count: i64,
}

// Saturating: the bounds on what one workflow may add (`quorum_domain::savings`) keep every
// real sum far from the limits, and should a row ever hold more, a read saturates instead of
// panicking or wrapping into a negative total.
impl AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.workflows = self.workflows.saturating_add(o.workflows);
        self.weekly_cents = self.weekly_cents.saturating_add(o.weekly_cents);
        self.annual_cents = self.annual_cents.saturating_add(o.annual_cents);
        self.metric_count = self.metric_count.saturating_add(o.metric_count);
        self.duration_ms = self.duration_ms.saturating_add(o.duration_ms);
        self.success_ppm = self.success_ppm.saturating_add(o.success_ppm);
        self.error_count = self.error_count.saturating_add(o.error_count);
    }
}

impl SubAssign for Counts {
    fn sub_assign(&mut self, o: Self) {
        self.workflows = self.workflows.saturating_sub(o.workflows);
        self.weekly_cents = self.weekly_cents.saturating_sub(o.weekly_cents);
        self.annual_cents = self.annual_cents.saturating_sub(o.annual_cents);
        self.metric_count = self.metric_count.saturating_sub(o.metric_count);
        self.duration_ms = self.duration_ms.saturating_sub(o.duration_ms);
        self.success_ppm = self.success_ppm.saturating_sub(o.success_ppm);
        self.error_count = self.error_count.saturating_sub(o.error_count);
    }
}

impl Counts {
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateRow {
    pub key: AggregateKey,
    pub counts: Counts,
}

/// Rows keyed and summed, without all-zero rows: two sets of rows describe the same
/// workflows exactly when their normal forms are equal.
pub fn normalize(rows: impl IntoIterator<Item = AggregateRow>) -> BTreeMap<AggregateKey, Counts> {
    let mut map: BTreeMap<AggregateKey, Counts> = BTreeMap::new();
    for row in rows {
        *map.entry(row.key).or_default() += row.counts;
    }
    map.retain(|_, c| !c.is_zero());
    map
}

/// What a bulk batch adds to the aggregates, in key order (the order every writer touches
/// aggregate rows in, so that none deadlocks another).
pub fn bulk_deltas(batch: &BulkBatch) -> Vec<AggregateRow> {
    let mut key_of: HashMap<&str, AggregateKey> = HashMap::with_capacity(batch.workflows.len());
    let mut sums: HashMap<AggregateKey, Counts> = HashMap::new();
    for bulk in &batch.workflows {
        let w = &bulk.workflow;
        let key = AggregateKey {
            council_id: w.assigned_council_id.clone(),
            agent_id: w.created_by_agent.clone(),
            workflow_type_id: w.workflow_type_id.clone(),
            status: w.status,
        };
        *sums.entry(key.clone()).or_default() += Counts {
            workflows: 1,
            weekly_cents: w.weekly_cents,
            annual_cents: w.annual_cents,
            ..Counts::default()
        };
        key_of.insert(&w.id, key);
    }
    for m in &batch.metrics {
        if let Some(key) = key_of.get(m.workflow_id.as_str()) {
            *sums.entry(key.clone()).or_default() += Counts {
                metric_count: 1,
                duration_ms: m.duration_ms,
                success_ppm: m.success_ppm,
                error_count: m.error_count,
                ..Counts::default()
            };
        }
    }
    let mut rows: Vec<AggregateRow> = sums
        .into_iter()
        .map(|(key, counts)| AggregateRow { key, counts })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    rows
}

/// Each workflow's share of a batch's metrics, which its row carries.
pub fn metric_shares(batch: &BulkBatch) -> HashMap<&str, Counts> {
    let mut shares: HashMap<&str, Counts> = HashMap::new();
    for m in &batch.metrics {
        *shares.entry(m.workflow_id.as_str()).or_default() += Counts {
            metric_count: 1,
            duration_ms: m.duration_ms,
            success_ppm: m.success_ppm,
            error_count: m.error_count,
            ..Counts::default()
        };
    }
    shares
}

/// The analytics of `GET /api/workflows/metrics`, summed from aggregate rows.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSummary {
    pub total_workflows: i64,
    /// Savings of the workflows that completed: work that actually ran.
    pub total_weekly_savings: f64,
    pub total_annual_savings: f64,
    pub average_duration_seconds: f64,
    pub status_distribution: BTreeMap<&'static str, i64>,
    pub workflows_by_agent: BTreeMap<String, i64>,
    pub workflows_by_council: BTreeMap<String, i64>,
    pub workflows_by_type: BTreeMap<String, i64>,
    /// Completed / (completed + failed); `None` until something finished.
    pub success_rate: Option<f64>,
    /// Mean of the attempts' step success rates; `None` without attempts.
    pub average_step_success_rate: Option<f64>,
    pub total_attempts: i64,
    pub total_errors: i64,
}

pub fn summarize(rows: &[AggregateRow]) -> MetricsSummary {
    let mut summary = MetricsSummary {
        total_workflows: 0,
        total_weekly_savings: 0.0,
        total_annual_savings: 0.0,
        average_duration_seconds: 0.0,
        status_distribution: WorkflowStatus::ALL
            .iter()
            .map(|s| (s.as_str(), 0))
            .collect(),
        workflows_by_agent: BTreeMap::new(),
        workflows_by_council: BTreeMap::new(),
        workflows_by_type: BTreeMap::new(),
        success_rate: None,
        average_step_success_rate: None,
        total_attempts: 0,
        total_errors: 0,
    };
    let mut all = Counts::default();
    let (mut weekly_cents, mut annual_cents) = (0i64, 0i64);
    for row in rows
        .iter()
        .filter(|r| r.counts.workflows != 0 || r.counts.metric_count != 0)
    {
        let (k, c) = (&row.key, row.counts);
        all += c;
        if k.status == WorkflowStatus::Completed {
            weekly_cents = weekly_cents.saturating_add(c.weekly_cents);
            annual_cents = annual_cents.saturating_add(c.annual_cents);
        }
        let add = |n: &mut i64| *n = n.saturating_add(c.workflows);
        add(summary
            .status_distribution
            .entry(k.status.as_str())
            .or_default());
        add(summary
            .workflows_by_agent
            .entry(k.agent_id.clone())
            .or_default());
        add(summary
            .workflows_by_council
            .entry(k.council_id.clone())
            .or_default());
        add(summary
            .workflows_by_type
            .entry(k.workflow_type_id.clone())
            .or_default());
    }
    for map in [
        &mut summary.workflows_by_agent,
        &mut summary.workflows_by_council,
        &mut summary.workflows_by_type,
    ] {
        map.retain(|_, n| *n != 0);
    }
    summary.total_workflows = all.workflows;
    summary.total_weekly_savings = weekly_cents as f64 / 100.0;
    summary.total_annual_savings = annual_cents as f64 / 100.0;
    summary.total_attempts = all.metric_count;
    summary.total_errors = all.error_count;
    if all.metric_count > 0 {
        let seconds = all.duration_ms as f64 / 1000.0 / all.metric_count as f64;
        summary.average_duration_seconds = (seconds * 1000.0).round() / 1000.0;
        let rate = all.success_ppm as f64 / 1e6 / all.metric_count as f64;
        summary.average_step_success_rate = Some((rate * 1e4).round() / 1e4);
    }
    let completed = summary.status_distribution["COMPLETED"];
    let finished = completed + summary.status_distribution["FAILED"];
    if finished > 0 {
        summary.success_rate = Some(((completed as f64 / finished as f64) * 1e4).round() / 1e4);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        status: WorkflowStatus,
        workflows: i64,
        metric_count: i64,
        duration_ms: i64,
    ) -> AggregateRow {
        AggregateRow {
            key: AggregateKey {
                council_id: "council_media".into(),
                agent_id: "agent_a".into(),
                workflow_type_id: "website.create_basic_site".into(),
                status,
            },
            counts: Counts {
                workflows,
                weekly_cents: workflows * 22_500,
                annual_cents: workflows * 1_170_000,
                metric_count,
                duration_ms,
                success_ppm: metric_count * 1_000_000,
                error_count: 0,
            },
        }
    }

    #[test]
    fn the_summary_counts_every_status_and_only_completed_savings() {
        let s = summarize(&[
            row(WorkflowStatus::Completed, 2, 2, 3_000),
            row(WorkflowStatus::Pending, 1, 0, 0),
        ]);
        assert_eq!(s.total_workflows, 3);
        assert_eq!(s.total_weekly_savings, 450.0);
        assert_eq!(s.total_annual_savings, 23_400.0);
        assert_eq!(s.average_duration_seconds, 1.5);
        assert_eq!(s.status_distribution.len(), 5);
        assert_eq!(s.status_distribution["CANCELLED"], 0);
        assert_eq!(s.success_rate, Some(1.0));
    }

    #[test]
    fn an_empty_store_has_zeros_and_no_nan() {
        let s = summarize(&[]);
        assert_eq!(s.average_duration_seconds, 0.0);
        assert_eq!(s.success_rate, None);
        assert!(s.workflows_by_agent.is_empty());
    }
}
