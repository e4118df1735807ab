//! `/dashboard/agents` and `/dashboard/agents/{id}`: who proposes work, how much of it
//! succeeds and what it saves, all from the aggregates.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use maud::html;
use quorum_store::{PageRequest, WorkflowFilter};

use super::components::{count, money, percent, scroll_table, workflow_table};
use super::layout::{self, Chrome, Nav, PageResult};
use super::session::Session;
use crate::router::AppState;

/// Agents listed; the busiest come first, and the rest are a filter away in the history.
const AGENT_ROWS: usize = 200;
const RECENT: i64 = 20;

pub async fn list(State(state): State<AppState>, session: Session) -> PageResult {
    let agents = state.quorum.agents().await?;
    let body = html! {
        h1 { "Agents" }
        p { "Every agent that has proposed a workflow, busiest first. Savings count completed workflows." }
        @if agents.is_empty() {
            p class="empty" { "No agent has proposed a workflow yet." }
        } @else {
            (scroll_table("Agents", html! {
                table {
                    thead { tr {
                        th scope="col" { "Agent" } th scope="col" class="num" { "Workflows" }
                        th scope="col" class="num" { "Completed" } th scope="col" class="num" { "Failed" }
                        th scope="col" class="num" { "Success rate" } th scope="col" class="num" { "Weekly savings" }
                        th scope="col" class="num" { "Annual savings" }
                    } }
                    tbody { @for a in agents.iter().take(AGENT_ROWS) { tr data-agent=(a.agent_id) {
                        td { a href={ "/dashboard/agents/" (a.agent_id) } { (a.agent_id) } }
                        td class="num" data-value=(a.workflows) { (count(a.workflows)) }
                        td class="num" { (count(a.completed)) }
                        td class="num" { (count(a.failed)) }
                        td class="num" { (percent(a.success_rate)) }
                        td class="num" { (money(a.weekly_savings)) }
                        td class="num" { (money(a.annual_savings)) }
                    } } }
                }
            }))
            @if agents.len() > AGENT_ROWS { p class="muted" { (agents.len() - AGENT_ROWS) " quieter agents are not listed." } }
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        "Agents",
        &Chrome::of(&session, Nav::Agents),
        body,
    ))
}

pub async fn profile(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let quorum = &state.quorum;
    let (summary, principal) = quorum.agent(&id).await?;
    let filter = WorkflowFilter {
        agent_id: Some(id.clone()),
        ..WorkflowFilter::default()
    };
    let recent = quorum
        .list_workflows(
            &filter,
            &PageRequest::Offset {
                limit: RECENT,
                offset: 0,
            },
        )
        .await?;
    let name = principal.as_ref().map_or(id.as_str(), |p| p.name.as_str());
    let body = html! {
        p class="crumbs" { a href="/dashboard/agents" { "Agents" } " / " (id) }
        h1 { (name) }
        dl class="facts" {
            dt { "Id" } dd { (id) }
            @if let Some(p) = &principal {
                dt { "Kind" } dd { (p.kind.as_str()) }
                dt { "Roles" } dd { (p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
            }
        }
        ul class="stats" {
            li { span class="stat-label" { "Workflows" } span class="stat-value" data-metric="workflows" data-value=(summary.workflows) { (count(summary.workflows)) } }
            li { span class="stat-label" { "Success rate" } span class="stat-value" { (percent(summary.success_rate)) } }
            li { span class="stat-label" { "Weekly savings" } span class="stat-value" data-metric="weekly_savings" data-value=(summary.weekly_savings) { (money(summary.weekly_savings)) } }
            li { span class="stat-label" { "Annual savings" } span class="stat-value" { (money(summary.annual_savings)) } }
        }
        h2 { "Recent workflows" }
        (workflow_table("Recent workflows of this agent", &recent.workflows))
        @if recent.total > recent.workflows.len() as i64 {
            p { a href={ "/dashboard/history" (layout::query(&[("agent_id", &id)])) } { "All " (count(recent.total)) " workflows of this agent" } }
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        name,
        &Chrome::of(&session, Nav::Agents),
        body,
    ))
}
