//! `/dashboard/workflows/{id}`: one workflow's status, decision, votes, step timeline,
//! metrics, inputs, outputs and audit trail. It shows the service's workflow view, the one
//! `GET /api/workflows/{id}` answers, so the page and the API cannot disagree about a step.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{Markup, html};
use quorum_service::WorkflowView;
use serde_json::Value;

use super::components::{
    choice, decision, json_view, maybe_time, money, percent, savings_of, scroll_table,
    status_badge, time, truncate,
};
use super::layout::{self, Chrome, Nav, PageResult};
use super::queue::{QueueQuery, my_part, tally};
use super::session::Session;
use crate::router::AppState;

/// Audit entries shown; a workflow has a handful, but the page stays bounded regardless.
const AUDIT_ROWS: usize = 200;

/// A link to the deployed site, only for web addresses: outputs are written by step
/// handlers, and a `javascript:` URL must never become a link.
fn site_link(outputs: &Value) -> Option<&str> {
    let url = outputs.get("site_url")?.as_str()?;
    (url.starts_with("https://") || url.starts_with("http://") || url.starts_with("/sites/"))
        .then_some(url)
}

fn summary(d: &WorkflowView) -> Markup {
    let w = &d.workflow;
    let (weekly, annual) = savings_of(w);
    html! {
        dl class="facts" {
            dt { "Status" } dd { (status_badge(w.status)) }
            dt { "Decision" } dd { (decision(w.decision.map(|d| d.as_str()))) }
            dt { "Type" } dd { (w.workflow_type_id) " (version " (w.workflow_type_version) ")" }
            dt { "Agent" } dd { a href={ "/dashboard/agents/" (w.created_by_agent) } { (w.created_by_agent) } }
            dt { "Council" } dd { (w.assigned_council_id) }
            dt { "Created" } dd { (time(&w.created_at)) }
            dt { "Started" } dd { (maybe_time(w.started_at.as_ref())) }
            dt { "Finished" } dd { (maybe_time(w.completed_at.as_ref())) }
            @if let Some(deadline) = &w.voting_deadline { dt { "Voting closes" } dd { (time(deadline)) } }
            dt { "Savings" } dd { (money(weekly)) " a week, " (money(annual)) " a year" }
            @if let Some(error) = &w.error { dt { "Error" } dd class="error-text" { (truncate(error, 2000)) } }
        }
    }
}

fn timeline(d: &WorkflowView) -> Markup {
    html! {
        ol class="timeline" {
            @for step in &d.steps {
                li class={ "step step-" (step.status) } {
                    span class="step-title" { (step.title) }
                    " "
                    span class="step-status" { (step.status) }
                    span class="step-facts" {
                        @if let Some(ms) = step.duration_ms { (ms) " ms" } @else { "—" }
                        @if step.attempts > 1 { ", " (step.attempts) " attempts" }
                        @if let Some(at) = &step.started_at { ", started " (time(at)) }
                    }
                    @if let Some(error) = &step.error { p class="error-text" { (truncate(error, 500)) } }
                }
            }
        }
    }
}

fn votes(d: &WorkflowView) -> Markup {
    if d.votes.is_empty() {
        return html! { p class="muted" { "No votes yet." } };
    }
    scroll_table(
        "Votes",
        html! {
            table {
                thead { tr { th scope="col" { "Member" } th scope="col" { "Vote" } th scope="col" { "Reason" } th scope="col" { "When" } } }
                tbody { @for v in &d.votes { tr {
                    td { (v.user_id) } td { (choice(v.vote)) } td class="wrap" { (truncate(&v.reason, 2000)) } td { (time(&v.voted_at)) }
                } } }
            }
        },
    )
}

fn metrics(d: &WorkflowView) -> Markup {
    if d.metrics.is_empty() {
        return html! { p class="muted" { "No attempt has finished yet." } };
    }
    scroll_table(
        "Metrics",
        html! {
            table {
                thead { tr {
                    th scope="col" { "Attempt" } th scope="col" class="num" { "Duration" } th scope="col" class="num" { "Step success" }
                    th scope="col" class="num" { "Errors" } th scope="col" class="num" { "Weekly savings" } th scope="col" { "Recorded" }
                } }
                tbody { @for m in &d.metrics { tr {
                    td { (m.attempt) } td class="num" { (format!("{:.3}", m.duration_seconds)) " s" }
                    td class="num" { (percent(Some(m.success_rate))) } td class="num" { (m.error_count) }
                    td class="num" { (money(m.estimated_weekly_savings)) } td { (time(&m.recorded_at)) }
                } } }
            }
        },
    )
}

fn audit(d: &WorkflowView) -> Markup {
    scroll_table(
        "Audit trail",
        html! {
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Event" } th scope="col" { "By" } th scope="col" { "Change" } th scope="col" { "Why" } } }
                tbody { @for a in d.audit.iter().take(AUDIT_ROWS) { tr {
                    td { (time(&a.at)) } td { (a.event) } td { (a.actor) }
                    td { @if let (Some(from), Some(to)) = (a.from_status, a.to_status) { (from.as_str()) " → " (to.as_str()) }
                         @else if let Some(to) = a.to_status { (to.as_str()) } }
                    td class="wrap" { @if let Some(reason) = &a.reason { (truncate(reason, 500)) } }
                } } }
            }
        },
    )
}

/// Everything below the heading: the part the script refreshes while the workflow runs.
fn live(d: &WorkflowView, session: &Session) -> Markup {
    let w = &d.workflow;
    let outputs = w.outputs.to_value();
    let ballot = d.ballot();
    let here = format!("/dashboard/workflows/{}", w.id);
    html! {
        (summary(d))
        @if let Some(url) = site_link(&outputs) {
            p class="site-link" { a href=(url) { "Open the deployed site" } }
        }
        section aria-labelledby="votes" {
            h2 id="votes" { "Votes" }
            p { (tally(ballot.tally())) " Electorate: " (d.electorate.join(", ")) "." }
            @if !d.review_criteria.is_empty() {
                h3 { "Review criteria" }
                ul { @for c in &d.review_criteria { li { (truncate(c, 500)) } } }
            }
            (votes(d))
            (my_part(&ballot, &session.principal, &session.csrf, &here))
        }
        section aria-labelledby="steps" { h2 id="steps" { "Steps" } (timeline(d)) }
        section aria-labelledby="metrics" { h2 id="metrics" { "Metrics" } (metrics(d)) }
        section aria-labelledby="outputs" { h2 id="outputs" { "Outputs" } (json_view(&outputs, 2000)) }
        section aria-labelledby="inputs" { h2 id="inputs" { "Inputs" } (json_view(&w.inputs.to_value(), 2000)) }
        section aria-labelledby="audit" { h2 id="audit" { "Audit trail" } (audit(d)) }
        span hidden data-status=(w.status.as_str()) {}
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let d = state.quorum.workflow_view(&id).await?;
    if query.fragment.is_some() {
        return Ok(live(&d, &session).into_response());
    }
    let w = &d.workflow;
    // A workflow that can still change is refreshed by the script when its events arrive.
    let watching = !w.status.is_terminal();
    let body = html! {
        p class="crumbs" { a href="/dashboard/history" { "History" } " / " (w.id) }
        h1 { "Workflow " (w.id) }
        p id="live-status" class="live-status" role="status" {
            @if watching { "Reload the page to see the latest." }
        }
        div id="workflow-live"
            data-live-src=[watching.then(|| format!("/dashboard/workflows/{}?fragment=1", w.id))]
            data-live-workflow=(w.id) {
            (live(&d, &session))
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        &format!("Workflow {}", w.id),
        &Chrome::of(&session, Nav::History),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_site_links() {
        let link =
            |url: &str| site_link(&serde_json::json!({ "site_url": url })).map(str::to_owned);
        assert_eq!(
            link("http://127.0.0.1:5000/sites/acme/").as_deref(),
            Some("http://127.0.0.1:5000/sites/acme/")
        );
        assert_eq!(
            link("https://example.com/").as_deref(),
            Some("https://example.com/")
        );
        assert_eq!(link("javascript:alert(1)"), None);
        assert_eq!(link("data:text/html,hi"), None);
        assert_eq!(site_link(&serde_json::json!({})), None);
    }
}
