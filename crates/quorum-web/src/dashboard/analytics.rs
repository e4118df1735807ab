//! `/dashboard/analytics`: status distribution, savings, savings by month and leaderboards,
//! as charts with their numbers beside them. The totals are the very summary
//! `GET /api/workflows/metrics` returns, so the two always agree.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use maud::{Markup, html};
use quorum_domain::WorkflowStatus;
use quorum_store::WorkflowFilter;

use super::charts::{self, Bar};
use super::components::{count, money, percent};
use super::layout::{self, Chrome, Nav, PageResult};
use super::session::Session;
use crate::router::AppState;

/// Months in the savings trend, the current one included.
const MONTHS: u32 = 12;
/// Entries in each leaderboard.
const LEADERS: usize = 10;

fn stat(label: &str, metric: &str, value: impl ToString, shown: String) -> Markup {
    html! {
        li { span class="stat-label" { (label) }
             span class="stat-value" data-metric=(metric) data-value=(value.to_string()) { (shown) } }
    }
}

/// The largest `LEADERS` entries of a count map, largest first.
fn leaders(map: &BTreeMap<String, i64>) -> Vec<Bar> {
    let mut entries: Vec<(&String, &i64)> = map.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    entries
        .into_iter()
        .take(LEADERS)
        .map(|(name, n)| Bar::new(name.clone(), *n as f64, count(*n)))
        .collect()
}

fn board(id: &str, title: &str, column: &str, key: &str, map: &BTreeMap<String, i64>) -> Markup {
    let bars = leaders(map);
    html! {
        section class="chart-block" aria-labelledby=(id) {
            h3 id=(id) { (title) }
            (charts::horizontal(title, &bars))
            (charts::table(title, (column, "Workflows"), &bars, key))
            @if map.len() > LEADERS { p class="muted" { "The top " (LEADERS) " of " (map.len()) "." } }
        }
    }
}

pub async fn page(State(state): State<AppState>, session: Session) -> PageResult {
    let quorum = &state.quorum;
    let s = quorum.metrics(&WorkflowFilter::default()).await?;
    let months = quorum.savings_by_month(MONTHS).await?;
    let statuses: Vec<Bar> = WorkflowStatus::ALL
        .iter()
        .map(|status| {
            let n = s
                .status_distribution
                .get(status.as_str())
                .copied()
                .unwrap_or(0);
            Bar::new(status.as_str(), n as f64, count(n))
        })
        .collect();
    let savings: Vec<Bar> = months
        .iter()
        .map(|m| {
            Bar::new(
                m.month.format("%b %Y").to_string(),
                m.weekly_savings,
                money(m.weekly_savings),
            )
        })
        .collect();
    let body = html! {
        h1 { "Analytics" }
        section aria-labelledby="totals" {
            h2 id="totals" { "Totals" }
            ul class="stats" {
                (stat("Workflows", "total_workflows", s.total_workflows, count(s.total_workflows)))
                (stat("Weekly savings", "total_weekly_savings", s.total_weekly_savings, money(s.total_weekly_savings)))
                (stat("Annual savings", "total_annual_savings", s.total_annual_savings, money(s.total_annual_savings)))
                (stat("Average run", "average_duration_seconds", s.average_duration_seconds, format!("{:.1} s", s.average_duration_seconds)))
                (stat("Success rate", "success_rate", s.success_rate.map(|r| r.to_string()).unwrap_or_default(), percent(s.success_rate)))
                (stat("Step success", "average_step_success_rate", s.average_step_success_rate.map(|r| r.to_string()).unwrap_or_default(), percent(s.average_step_success_rate)))
                (stat("Attempts", "total_attempts", s.total_attempts, count(s.total_attempts)))
                (stat("Errors", "total_errors", s.total_errors, count(s.total_errors)))
            }
            p class="muted" { "Savings count the workflows that completed. Success rate: completed of those that finished." }
        }
        div class="chart-grid" {
            section class="chart-block" aria-labelledby="status-chart" {
                h2 id="status-chart" { "Status distribution" }
                (charts::horizontal("Workflows by status", &statuses))
                (charts::table("Workflows by status", ("Status", "Workflows"), &statuses, "status_distribution"))
            }
            section class="chart-block" aria-labelledby="trend-chart" {
                h2 id="trend-chart" { "Weekly savings by month created" }
                (charts::columns("Weekly savings of completed workflows, by month created", &savings))
                (charts::table("Weekly savings by month created", ("Month", "Weekly savings"), &savings, "savings_by_month"))
                @if months.iter().all(|m| m.weekly_savings == 0.0) {
                    p { "No workflow created in these months has completed yet." }
                }
                p class="muted" { "Updated at most once a minute." }
            }
        }
        h2 { "Leaderboards" }
        div class="chart-grid" {
            (board("by-agent", "Workflows by agent", "Agent", "workflows_by_agent", &s.workflows_by_agent))
            (board("by-council", "Workflows by council", "Council", "workflows_by_council", &s.workflows_by_council))
            (board("by-type", "Workflows by type", "Type", "workflows_by_type", &s.workflows_by_type))
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        "Analytics",
        &Chrome::of(&session, Nav::Analytics),
        body,
    ))
}
