//! `/dashboard`: the totals, savings, what waits for my councils, and the latest workflows.

use axum::extract::State;
use axum::http::StatusCode;
use maud::html;
use quorum_domain::WorkflowStatus;
use quorum_store::{PageRequest, WorkflowFilter};

use super::components::{count, money, percent, workflow_table};
use super::layout::{self, Chrome, Nav, PageResult};
use super::session::Session;
use crate::router::AppState;

const RECENT: i64 = 10;

pub async fn page(State(state): State<AppState>, session: Session) -> PageResult {
    let quorum = &state.quorum;
    let summary = quorum.metrics(&WorkflowFilter::default()).await?;
    let (councils, all) = quorum.councils_of(&session.principal).await?;
    let pending = quorum.pending_count(&councils, all).await?;
    let recent = quorum
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: RECENT,
                offset: 0,
            },
        )
        .await?;
    let pending_label = match all {
        true => "Pending in every council",
        false => "Pending in my councils",
    };
    let body = html! {
        h1 { "Overview" }
        section aria-labelledby="totals" {
            h2 id="totals" { "Totals" }
            ul class="stats" {
                li { span class="stat-label" { "Workflows" }
                     span class="stat-value" data-metric="total_workflows" data-value=(summary.total_workflows) { (count(summary.total_workflows)) } }
                li { span class="stat-label" { (pending_label) }
                     a class="stat-value" href="/dashboard/queue" data-metric="pending_mine" data-value=(pending) { (count(pending)) } }
                li { span class="stat-label" { "Weekly savings" }
                     span class="stat-value" data-metric="total_weekly_savings" data-value=(summary.total_weekly_savings) { (money(summary.total_weekly_savings)) } }
                li { span class="stat-label" { "Annual savings" }
                     span class="stat-value" data-metric="total_annual_savings" data-value=(summary.total_annual_savings) { (money(summary.total_annual_savings)) } }
                li { span class="stat-label" { "Success rate" }
                     span class="stat-value" { (percent(summary.success_rate)) } }
            }
            p class="muted" { "Savings count the workflows that completed." }
        }
        section aria-labelledby="by-status" {
            h2 id="by-status" { "By status" }
            ul class="status-counts" {
                @for status in WorkflowStatus::ALL {
                    @let n = summary.status_distribution.get(status.as_str()).copied().unwrap_or(0);
                    li {
                        a href={ "/dashboard/history" (layout::query(&[("status", status.as_str())])) } {
                            span class="status-name" { (status.as_str()) }
                            " "
                            span class="status-count" data-status=(status.as_str()) data-value=(n) { (count(n)) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="recent" {
            h2 id="recent" { "Recent workflows" }
            (workflow_table("Recent workflows", &recent.workflows))
            p { a href="/dashboard/history" { "All workflows" } }
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        "Overview",
        &Chrome::of(&session, Nav::Overview),
        body,
    ))
}
