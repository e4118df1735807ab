//! `/dashboard/workflows/{id}`: one workflow for people: where it stands, its votes, its
//! preview, one timeline of what happened (created, votes, decision, steps, result), its
//! outputs as links and its inputs as the council reviews them; the raw record behind a
//! disclosure. It shows the service's workflow view, the one
//! `GET /api/workflows/{id}` answers, so the page and the API cannot disagree about a step.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use quorum_domain::EventKind;
use quorum_service::{WorkflowPage, WorkflowView};
use serde_json::Value;

use super::components::{
    choice, json_view, money, percent, savings_of, scroll_table, status_badge, time, truncate,
};
use super::layout::{self, Chrome, Nav, PageResult};
use super::queue::{QueueQuery, criteria, my_part, preview, review, tally};
use super::session::Session;
use crate::router::AppState;

/// Audit entries shown; a workflow has a handful, but the page stays bounded regardless.
const AUDIT_ROWS: usize = 200;

/// Whether `url` may become a link: outputs are written by step handlers, and a
/// `javascript:` URL must never become one.
fn web_address(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://") || url.starts_with("/sites/")
}

/// A link to the deployed site, only for a web address.
fn site_link(outputs: &Value) -> Option<&str> {
    let url = outputs.get("site_url")?.as_str()?;
    web_address(url).then_some(url)
}

/// Where a workflow stands, in words.
pub fn standing_words(w: &quorum_domain::Workflow) -> &'static str {
    use quorum_domain::{Decision, WorkflowStatus::*};
    match (w.status, w.decision) {
        (Pending, None) => "Awaiting the council's decision",
        (Pending, Some(Decision::Approved)) if w.queued_at.is_some() => {
            "Approved, waiting for a worker"
        }
        (Pending, Some(_)) => "Approved, not yet handed to execution",
        (InProgress, _) => "Running",
        (Completed, _) => "Completed",
        (Failed, _) => "Failed",
        (Cancelled, Some(Decision::Rejected)) => "Rejected by the council",
        (Cancelled, Some(Decision::Expired)) => "Expired: the council did not decide in time",
        (Cancelled, _) => "Cancelled",
    }
}

fn summary(page: &WorkflowPage) -> Markup {
    let d = &page.view;
    let w = &d.workflow;
    let names = &page.names;
    let (weekly, annual) = savings_of(w);
    html! {
        dl class="facts" {
            dt { "Status" } dd { (status_badge(w.status)) " " (standing_words(w)) }
            dt { "Makes" } dd { (page.summary.type_name) " (version " (w.workflow_type_version) ")" }
            dt { "Proposed by" } dd { a href={ "/dashboard/agents/" (w.created_by_agent) } { (names.principal(&w.created_by_agent)) } }
            dt { "Decided by" } dd { (names.council(&w.assigned_council_id)) }
            dt { "Created" } dd { (time(&w.created_at)) }
            @if let Some(deadline) = &w.voting_deadline { dt { "Voting closes" } dd { (time(deadline)) } }
            dt { "Savings" } dd { (money(weekly)) " a week, " (money(annual)) " a year" }
            @if let Some(error) = &w.error { dt { "Error" } dd class="error-text" { (truncate(error, 2000)) } }
        }
    }
}

/// One moment of the workflow's life, in order.
struct Moment {
    at: Option<DateTime<Utc>>,
    /// Ties at one instant keep the order they were recorded in.
    order: i64,
    body: Markup,
}

/// Created, every vote with its reason, the decision, each step with its duration, the
/// result: one list in time order, steps not reached yet at its end.
fn timeline(page: &WorkflowPage) -> Markup {
    let d = &page.view;
    let names = &page.names;
    let mut moments: Vec<Moment> = Vec::new();
    for a in d.audit.iter().take(AUDIT_ROWS) {
        let who = names.principal(&a.actor);
        let why = a.reason.as_deref().map(|r| truncate(r, 500));
        let text = match a.event {
            EventKind::Created => Some(format!(
                "{who} proposed it to {}{}",
                names.council(&d.workflow.assigned_council_id),
                why.map(|w| format!(" ({w})")).unwrap_or_default()
            )),
            // Votes come from the votes themselves, with their reasons.
            EventKind::Voted | EventKind::StepWaiting | EventKind::StepFinished => None,
            EventKind::Decided => Some(format!("Decided: {}", why.unwrap_or_default())),
            EventKind::Queued => Some(format!("{who} handed it to execution")),
            EventKind::Reassigned => Some(format!(
                "Sent to another council by {who}: {}",
                why.unwrap_or_default()
            )),
            EventKind::Started => Some("A worker started it".to_owned()),
            EventKind::Completed => Some("Completed".to_owned()),
            EventKind::Failed => Some(format!(
                "Failed{}",
                why.map(|w| format!(": {w}")).unwrap_or_default()
            )),
            EventKind::Cancelled => Some(format!(
                "Cancelled by {who}{}",
                why.map(|w| format!(": {w}")).unwrap_or_default()
            )),
            EventKind::Expired => Some(format!(
                "Expired{}",
                why.map(|w| format!(": {w}")).unwrap_or_default()
            )),
        };
        if let Some(text) = text {
            moments.push(Moment {
                at: Some(a.at),
                order: a.id,
                body: html! { li class="event" { span class="when" { (time(&a.at)) } " " (text) } },
            });
        }
    }
    for v in &d.votes {
        let voter = names.principal(&v.user_id);
        moments.push(Moment {
            at: Some(v.voted_at),
            order: 0,
            body: html! {
                li class="event vote-event" {
                    span class="when" { (time(&v.voted_at)) } " "
                    strong { (voter) } " voted " (choice(v.vote))
                    @if let Some(by) = &v.cast_by { " (cast by " (names.principal(by)) ", their delegate)" }
                    @if !v.reason.is_empty() { ": " q { (truncate(&v.reason, 2000)) } }
                }
            },
        });
    }
    let mut later = Vec::new();
    for step in &d.steps {
        let body = html! {
            li class={ "step step-" (step.status) } {
                @if let Some(at) = &step.started_at { span class="when" { (time(at)) } " " }
                span class="step-title" { (step.title) }
                " "
                span class="step-status" { (step.status.replace('_', " ")) }
                span class="step-facts" {
                    @if let Some(ms) = step.duration_ms { ", " (ms) " ms" }
                    @if step.attempts > 1 { ", " (step.attempts) " attempts" }
                }
                @if let Some(error) = &step.error { p class="error-text" { (truncate(error, 500)) } }
            }
        };
        match step.started_at {
            Some(at) => moments.push(Moment {
                at: Some(at),
                order: step.position,
                body,
            }),
            None => later.push(body),
        }
    }
    moments.sort_by_key(|m| (m.at, m.order));
    html! {
        ol class="timeline timeline-events" {
            @for m in &moments { (m.body) }
            @for body in &later { (body) }
        }
    }
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

/// What the workflow produced, links first; the rest behind a disclosure.
fn outputs(outputs: &Value) -> Markup {
    let pages: Vec<&str> = outputs
        .get("pages_created")
        .and_then(Value::as_array)
        .map(|pages| {
            pages
                .iter()
                .filter_map(Value::as_str)
                .filter(|u| web_address(u))
                .collect()
        })
        .unwrap_or_default();
    html! {
        @if let Some(url) = site_link(outputs) {
            p class="site-link" { a href=(url) { "Open the deployed site" } }
        }
        @if !pages.is_empty() {
            ul class="pages" { @for url in &pages { li { a href=(url) { (url) } } } }
        }
        @if outputs.as_object().is_some_and(|o| !o.is_empty()) {
            details class="raw" { summary { "Everything the steps reported (JSON)" } (json_view(outputs, 20_000)) }
        } @else {
            p class="muted" { "Nothing yet: outputs appear as the steps finish." }
        }
    }
}

/// Everything below the heading: the part the script refreshes while the workflow runs.
fn live(page: &WorkflowPage, session: &Session, delegators: &[String]) -> Markup {
    let d = &page.view;
    let w = &d.workflow;
    let ballot = d.ballot();
    let here = format!("/dashboard/workflows/{}", w.id);
    let electorate: Vec<&str> = d
        .electorate
        .iter()
        .map(|m| page.names.principal(m))
        .collect();
    html! {
        @if d.imported {
            p class="note" { strong { "Imported history. " } "This workflow's record was loaded with the demo's history: nothing ran, so it has no step records, preview or site, and its metrics are part of the history." }
        }
        (summary(page))
        section aria-labelledby="votes" {
            h2 id="votes" { "Votes" }
            p { (tally(ballot.tally())) " Voting: " (electorate.join(", ")) "." }
            @if d.votes.is_empty() { p class="muted" { "No votes yet." } }
            @if !d.required.is_empty() {
                p { "Needed whatever the count: " (d.required.iter().map(|m| page.names.principal(m)).collect::<Vec<_>>().join(", ")) "." }
            }
            @if !d.veto.is_empty() {
                p { "A rejection by " (d.veto.iter().map(|m| page.names.principal(m)).collect::<Vec<_>>().join(", ")) " decides at once." }
            }
            (criteria(&d.review_criteria, &w.id))
            (my_part(&ballot, &session.principal, delegators, &session.csrf, &here))
        }
        @if !d.imported {
            section aria-labelledby="preview" {
                h2 id="preview" { "Preview" }
                (preview(&page.summary, w))
            }
        }
        section aria-labelledby="timeline" { h2 id="timeline" { "Timeline" } (timeline(page)) }
        section aria-labelledby="outputs" { h2 id="outputs" { "Outputs" } (outputs(&w.outputs.to_value())) }
        section aria-labelledby="inputs" { h2 id="inputs" { "What was proposed" } (review(&page.summary, w, 20_000, 3)) }
        section aria-labelledby="metrics" { h2 id="metrics" { "Metrics" } (metrics(d)) }
        details class="raw" {
            summary { "The whole record (JSON, as GET /api/workflows/" (w.id) " answers)" }
            (json_view(&serde_json::to_value(d).unwrap_or_default(), 50_000))
        }
        span hidden data-status=(w.status.as_str()) {}
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let page = state.quorum.workflow_page(&id).await?;
    let delegators = state.quorum.delegators_of(&session.principal).await?;
    if query.fragment.is_some() {
        return Ok(live(&page, &session, &delegators).into_response());
    }
    let w = &page.view.workflow;
    // A workflow that can still change is refreshed by the script when its events arrive.
    let watching = !w.status.is_terminal();
    let body = html! {
        p class="crumbs" { a href="/dashboard/history" { "History" } " / " (w.id) }
        h1 { (page.summary.title) }
        p class="card-type" { (page.summary.type_name) " · workflow " (w.id) }
        p id="live-status" class="live-status" role="status" {
            @if watching { "Reload the page to see the latest." }
        }
        div id="workflow-live"
            data-live-src=[watching.then(|| format!("/dashboard/workflows/{}?fragment=1", w.id))]
            data-live-workflow=(w.id) {
            (live(&page, &session, &delegators))
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        &format!("{} · {}", page.summary.title, w.id),
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
