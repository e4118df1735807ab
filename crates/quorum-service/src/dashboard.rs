//! Reads the dashboards need beyond the API's: a member's councils and review queue, agent
//! profiles and savings by month. All of them are built on the store's aggregates and its
//! paged list, so a page never reads more than one page of workflows.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, TimeZone, Utc};
use quorum_domain::{Council, Principal, Role, WorkflowStatus};
use quorum_store::{
    AggregateRow, MetricsSummary, QueueOrder, Store, StoreError, WorkflowDetail, WorkflowFilter,
    summarize,
};
use tokio::sync::Mutex;

use crate::{Quorum, ServiceError, ServiceResult};

/// A pending workflow awaiting its council, with what a reviewer needs to judge it.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub detail: WorkflowDetail,
    /// From the workflow's type, at the version it was created with.
    pub review_criteria: Vec<String>,
    /// The live site approving it would replace.
    pub replaces: Option<crate::Replaces>,
    /// What it makes, for people.
    pub summary: crate::ReviewSummary,
}

/// A page of a review queue, and how many workflows are pending.
#[derive(Debug, Clone)]
pub struct ReviewQueue {
    pub councils: Vec<Council>,
    /// Whether every council's workflows are shown (admins).
    pub all_councils: bool,
    /// The members whose votes the reader casts now, as their delegate.
    pub delegators: Vec<String>,
    pub items: Vec<QueueItem>,
    /// The page shown, from 1.
    pub page: i64,
    /// Whether a page follows.
    pub has_next: bool,
    /// PENDING workflows of these councils (approved ones not yet started included), from
    /// the aggregates.
    pub pending: i64,
}

/// One agent's line in the agents table, from the aggregates.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSummary {
    pub agent_id: String,
    pub workflows: i64,
    pub completed: i64,
    pub failed: i64,
    /// Completed / (completed + failed); `None` until something finished.
    pub success_rate: Option<f64>,
    /// Of the completed workflows, as the metrics endpoint counts savings.
    pub weekly_savings: f64,
    pub annual_savings: f64,
}

/// Workflows created in one calendar month (UTC) and the savings of those that completed.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthSavings {
    pub month: DateTime<Utc>,
    pub workflows: i64,
    pub weekly_savings: f64,
    pub annual_savings: f64,
}

/// Months of savings are scans of the workflows created in them (the aggregates have no
/// time), so they are kept this long per store and shared by every request.
const TREND_TTL: Duration = Duration::from_secs(60);

struct Trend {
    store: Weak<dyn Store>,
    computed: Instant,
    months: usize,
    series: Vec<MonthSavings>,
    /// A background refresh is under way.
    refreshing: bool,
}

static TRENDS: Mutex<Vec<Trend>> = Mutex::const_new(Vec::new());

/// The first instant of the month `back` months before the month of `now`.
fn month_start(now: DateTime<Utc>, back: u32) -> DateTime<Utc> {
    let index = now.year() * 12 + now.month0() as i32 - back as i32;
    Utc.with_ymd_and_hms(
        index.div_euclid(12),
        index.rem_euclid(12) as u32 + 1,
        1,
        0,
        0,
        0,
    )
    .single()
    .unwrap_or(now)
}

/// Per-agent lines from aggregate rows, busiest first.
pub fn agent_summaries(rows: &[AggregateRow]) -> Vec<AgentSummary> {
    let mut by_agent: BTreeMap<&str, Vec<AggregateRow>> = BTreeMap::new();
    for row in rows {
        by_agent
            .entry(row.key.agent_id.as_str())
            .or_default()
            .push(row.clone());
    }
    let mut agents: Vec<AgentSummary> = by_agent
        .into_iter()
        .map(|(agent_id, rows)| summary_of(agent_id, &summarize(&rows)))
        .filter(|a| a.workflows != 0)
        .collect();
    agents.sort_by(|a, b| {
        b.workflows
            .cmp(&a.workflows)
            .then(a.agent_id.cmp(&b.agent_id))
    });
    agents
}

fn summary_of(agent_id: &str, s: &MetricsSummary) -> AgentSummary {
    AgentSummary {
        agent_id: agent_id.to_owned(),
        workflows: s.total_workflows,
        completed: s.status_distribution["COMPLETED"],
        failed: s.status_distribution["FAILED"],
        success_rate: s.success_rate,
        weekly_savings: s.total_weekly_savings,
        annual_savings: s.total_annual_savings,
    }
}

impl Quorum {
    /// The councils `principal` sits on, or every council for an admin.
    pub async fn councils_of(&self, principal: &Principal) -> ServiceResult<(Vec<Council>, bool)> {
        let councils = self.store.list_councils().await?;
        if principal.has_role(Role::Admin) {
            return Ok((councils, true));
        }
        let mine = councils
            .into_iter()
            .filter(|c| c.members.contains(&principal.id))
            .collect();
        Ok((mine, false))
    }

    /// The members who have delegated their votes to `principal`, now.
    pub async fn delegators_of(&self, principal: &Principal) -> ServiceResult<Vec<String>> {
        let now = quorum_domain::time::now();
        Ok(self
            .store
            .delegations_to(&principal.id, now)
            .await?
            .into_iter()
            .map(|d| d.principal_id)
            .collect())
    }

    /// PENDING workflows of `councils` (all of them when `all`), from the aggregates.
    pub async fn pending_count(&self, councils: &[Council], all: bool) -> ServiceResult<i64> {
        let pending = |council_id: Option<String>| WorkflowFilter {
            status: Some(WorkflowStatus::Pending),
            council_id,
            ..WorkflowFilter::default()
        };
        if all {
            return Ok(summarize(&self.store.aggregates(&pending(None)).await?).total_workflows);
        }
        let mut total = 0;
        for council in councils {
            let rows = self
                .store
                .aggregates(&pending(Some(council.id.clone())))
                .await?;
            total += summarize(&rows).total_workflows;
        }
        Ok(total)
    }

    /// One page of the undecided PENDING workflows of the councils `principal` reviews (every
    /// council for an admin), in `order`, each with its votes so far, its review criteria and
    /// what a member reviews of it.
    pub async fn review_queue(
        &self,
        principal: &Principal,
        order: QueueOrder,
        page: i64,
        page_size: i64,
    ) -> ServiceResult<ReviewQueue> {
        let (mut councils, all) = self.councils_of(principal).await?;
        // A delegate reviews what the members who delegated to them would.
        let delegators = self.delegators_of(principal).await?;
        if !all && !delegators.is_empty() {
            for council in self.store.list_councils().await? {
                let theirs = council.members.iter().any(|m| delegators.contains(m));
                if theirs && !councils.iter().any(|c| c.id == council.id) {
                    councils.push(council);
                }
            }
        }
        let page = page.max(1);
        let scope: Vec<String> = match all {
            true => Vec::new(),
            false => councils.iter().map(|c| c.id.clone()).collect(),
        };
        // One more than the page shows says whether another page follows.
        let mut workflows = match (all, scope.is_empty()) {
            (false, true) => Vec::new(),
            _ => {
                self.store
                    .undecided(&scope, order, page_size + 1, (page - 1) * page_size)
                    .await?
            }
        };
        let has_next = workflows.len() as i64 > page_size;
        workflows.truncate(page_size.max(0) as usize);
        let mut items = Vec::with_capacity(workflows.len());
        for workflow in workflows {
            let detail = match self.workflow(&workflow.id).await {
                Ok(detail) => detail,
                // Gone between the list and the read: nothing to review.
                Err(ServiceError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let review_criteria = self
                .registry
                .get(
                    &workflow.workflow_type_id,
                    Some(workflow.workflow_type_version),
                )
                .await
                .map(|t| t.definition.review_criteria.clone())
                .unwrap_or_default();
            let replaces = self.replaces(&workflow).await?;
            let summary = self.review_summary(&detail).await?;
            items.push(QueueItem {
                detail,
                review_criteria,
                replaces,
                summary,
            });
        }
        let pending = self.pending_count(&councils, all).await?;
        Ok(ReviewQueue {
            councils,
            all_councils: all,
            delegators,
            items,
            page,
            has_next,
            pending,
        })
    }

    /// Every agent that created a workflow, with its counts, success rate and savings.
    pub async fn agents(&self) -> ServiceResult<Vec<AgentSummary>> {
        let rows = self.store.aggregates(&WorkflowFilter::default()).await?;
        Ok(agent_summaries(&rows))
    }

    /// One agent's summary and its principal record (None when the principal is gone but its
    /// workflows remain). 404 when neither exists.
    pub async fn agent(&self, agent_id: &str) -> ServiceResult<(AgentSummary, Option<Principal>)> {
        let filter = WorkflowFilter {
            agent_id: Some(agent_id.to_owned()),
            ..WorkflowFilter::default()
        };
        let summary = summary_of(agent_id, &self.metrics(&filter).await?);
        let principal = match self.store.get_principal(agent_id).await {
            Ok(p) => Some(p),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        if principal.is_none() && summary.workflows == 0 {
            return Err(ServiceError::NotFound(format!(
                "there is no agent {agent_id:?}"
            )));
        }
        Ok((summary, principal))
    }

    /// Workflows created and savings of the completed ones, per calendar month (UTC), for the
    /// `months` months up to and including the current one, oldest first.
    ///
    /// A time range is the one question the aggregate rows cannot answer, so this scans the
    /// year's workflows: served from a cache instead, refreshed in the background once older
    /// than a minute (the stale series is served meanwhile), so a page never waits for it
    /// except the very first time a process is asked.
    pub async fn savings_by_month(&self, months: u32) -> ServiceResult<Vec<MonthSavings>> {
        let months = months.clamp(1, 36) as usize;
        let mut cache = TRENDS.lock().await;
        cache.retain(|t| t.store.strong_count() > 0);
        let mine =
            |t: &Trend| Weak::ptr_eq(&t.store, &Arc::downgrade(&self.store)) && t.months == months;
        if let Some(hit) = cache.iter_mut().find(|t| mine(t)) {
            if hit.computed.elapsed() >= TREND_TTL && !hit.refreshing {
                hit.refreshing = true;
                let quorum = self.clone();
                tokio::spawn(async move {
                    let fresh = quorum.month_scans(months).await;
                    let mut cache = TRENDS.lock().await;
                    if let Some(entry) = cache.iter_mut().find(|t| {
                        Weak::ptr_eq(&t.store, &Arc::downgrade(&quorum.store)) && t.months == months
                    }) {
                        entry.refreshing = false;
                        match fresh {
                            Ok(series) => {
                                entry.series = series;
                                entry.computed = Instant::now();
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "refreshing the savings by month failed; serving the last series")
                            }
                        }
                    }
                });
            }
            return Ok(hit.series.clone());
        }
        // The first request of a process computes while holding the lock, so concurrent
        // first requests wait for one scan instead of starting their own.
        let series = self.month_scans(months).await?;
        cache.push(Trend {
            store: Arc::downgrade(&self.store),
            computed: Instant::now(),
            months,
            series: series.clone(),
            refreshing: false,
        });
        Ok(series)
    }

    /// Computes the analytics' slow series now, so that no page has to: `quorum serve` calls
    /// this at start.
    pub async fn warm_dashboards(&self) -> ServiceResult<()> {
        self.savings_by_month(12).await.map(|_| ())
    }

    async fn month_scans(&self, months: usize) -> ServiceResult<Vec<MonthSavings>> {
        let now = quorum_domain::time::now();
        // One month at a time: run side by side, the scans held every pooled connection and
        // the pages being served meanwhile waited a second for one (measured at 1,000,000).
        let mut series = Vec::with_capacity(months);
        for back in (0..months as u32).rev() {
            let start = month_start(now, back);
            let filter = WorkflowFilter {
                created_after: Some(start),
                created_before: Some(start + chrono::Months::new(1)),
                ..WorkflowFilter::default()
            };
            let s = summarize(&self.store.aggregates(&filter).await?);
            series.push(MonthSavings {
                month: start,
                workflows: s.total_workflows,
                weekly_savings: s.total_weekly_savings,
                annual_savings: s.total_annual_savings,
            });
        }
        Ok(series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_back_across_years() {
        let now = Utc.with_ymd_and_hms(2025, 2, 14, 9, 30, 0).unwrap();
        let start = |back| month_start(now, back).format("%Y-%m-%d").to_string();
        assert_eq!(start(0), "2025-02-01");
        assert_eq!(start(1), "2025-01-01");
        assert_eq!(start(2), "2024-12-01");
        assert_eq!(start(14), "2023-12-01");
    }
}
