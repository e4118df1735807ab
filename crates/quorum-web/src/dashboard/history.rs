//! `/dashboard/history`: every workflow, filtered like `GET /api/workflows`, 50 to a page.
//!
//! Pages follow the store's keyset cursors, so the thousandth page costs what the first does.
//! A cursor only goes forward; to go back, each link carries the cursors of the pages before
//! it (the last few of them: past that, "Previous" starts again from the newest).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};
use quorum_domain::WorkflowStatus;
use quorum_store::{Cursor, PageRequest, WorkflowFilter};
use serde::Deserialize;

use super::components::{count, workflow_table};
use super::layout::{self, Chrome, Nav, PageResult};
use super::session::Session;
use crate::router::AppState;

pub const PAGE_SIZE: i64 = 50;
/// Previous pages remembered in a link; keeps URLs short.
const TRAIL: usize = 20;

#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    council_id: String,
    #[serde(default)]
    agent_id: String,
    #[serde(default)]
    workflow_type_id: String,
    #[serde(default)]
    created_after: String,
    #[serde(default)]
    created_before: String,
    #[serde(default)]
    cursor: String,
    /// Cursors of the pages before this one, oldest first, joined by '.'.
    #[serde(default)]
    trail: String,
}

/// A day (`2025-01-31`, midnight UTC) as a date field sends it, or an RFC 3339 time.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day.and_hms_opt(0, 0, 0)?.and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl HistoryQuery {
    /// The filter, or the sentences saying which values are wrong.
    fn filter(&self) -> Result<WorkflowFilter, Vec<String>> {
        let mut problems = Vec::new();
        let status = match self.status.as_str() {
            "" => None,
            text => text.parse::<WorkflowStatus>().map_err(|_| problems.push(
                "Status must be one of PENDING, IN_PROGRESS, COMPLETED, FAILED or CANCELLED.".to_owned(),
            )).ok(),
        };
        let mut time = |label: &str, text: &str| match text {
            "" => None,
            text => {
                let at = instant(text);
                if at.is_none() {
                    problems.push(format!("{label} must be a date such as 2025-01-31."));
                }
                at
            }
        };
        let created_after = time("Created on or after", &self.created_after);
        let created_before = time("Created before", &self.created_before);
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let filter = WorkflowFilter {
            status,
            council_id: text(&self.council_id),
            agent_id: text(&self.agent_id),
            workflow_type_id: text(&self.workflow_type_id),
            created_after,
            created_before,
        };
        if problems.is_empty() {
            Ok(filter)
        } else {
            Err(problems)
        }
    }

    fn trail(&self) -> Vec<&str> {
        self.trail
            .split('.')
            .filter(|c| Cursor::decode(c).is_some())
            .collect()
    }

    fn page(&self) -> PageRequest {
        match Cursor::decode(&self.cursor) {
            Some(cursor) => PageRequest::After {
                limit: PAGE_SIZE,
                cursor,
            },
            None => PageRequest::Offset {
                limit: PAGE_SIZE,
                offset: 0,
            },
        }
    }

    /// This page's filters with `cursor` and `trail`, as a link.
    fn link(&self, cursor: &str, trail: &[&str]) -> String {
        let trail = trail.join(".");
        let query = layout::query(&[
            ("status", &self.status),
            ("council_id", &self.council_id),
            ("agent_id", &self.agent_id),
            ("workflow_type_id", &self.workflow_type_id),
            ("created_after", &self.created_after),
            ("created_before", &self.created_before),
            ("cursor", cursor),
            ("trail", &trail),
        ]);
        format!("/dashboard/history{query}")
    }
}

struct Choices {
    councils: Vec<(String, String)>,
    types: Vec<String>,
    agents: Vec<String>,
}

fn select(id: &str, label: &str, current: &str, options: &[(String, String)]) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                option value="" selected[current.is_empty()] { "Any" }
                @for (value, text) in options {
                    option value=(value) selected[current == value] { (text) }
                }
            }
        }
    }
}

fn filters(q: &HistoryQuery, choices: &Choices) -> Markup {
    let statuses: Vec<(String, String)> = WorkflowStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.as_str().to_owned()))
        .collect();
    let types: Vec<(String, String)> = choices
        .types
        .iter()
        .map(|t| (t.clone(), t.clone()))
        .collect();
    let date = |text: &str| text.get(..10).unwrap_or(text).to_owned();
    html! {
        form class="filters" method="get" action="/dashboard/history" role="search" aria-label="Filter workflows" {
            (select("status", "Status", &q.status.to_uppercase(), &statuses))
            (select("council_id", "Council", &q.council_id, &choices.councils))
            (select("workflow_type_id", "Type", &q.workflow_type_id, &types))
            div class="field" {
                label for="agent_id" { "Agent" }
                input id="agent_id" name="agent_id" type="text" value=(q.agent_id) list="agents" autocomplete="off";
                datalist id="agents" { @for a in &choices.agents { option value=(a) {} } }
            }
            div class="field" {
                label for="created_after" { "Created on or after" }
                input id="created_after" name="created_after" type="date" value=(date(&q.created_after));
            }
            div class="field" {
                label for="created_before" { "Created before" }
                input id="created_before" name="created_before" type="date" value=(date(&q.created_before));
            }
            div class="actions" {
                button type="submit" { "Apply filters" }
                a href="/dashboard/history" { "Clear" }
            }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<HistoryQuery>,
) -> PageResult {
    let quorum = &state.quorum;
    let choices = Choices {
        councils: quorum
            .councils()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        types: {
            let mut ids: Vec<String> = quorum
                .registry()
                .list()
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect();
            ids.dedup();
            ids
        },
        agents: quorum
            .agents()
            .await?
            .into_iter()
            .take(200)
            .map(|a| a.agent_id)
            .collect(),
    };
    let (status, results) = match q.filter() {
        Err(problems) => (
            StatusCode::BAD_REQUEST,
            html! { div class="flash flash-error" role="alert" { ul { @for p in &problems { li { (p) } } } } },
        ),
        Ok(filter) => {
            let found = quorum.list_workflows(&filter, &q.page()).await?;
            let trail = q.trail();
            let on_first = Cursor::decode(&q.cursor).is_none();
            let previous = match (on_first, trail.split_last()) {
                (true, _) => None,
                (false, None) => Some(q.link("", &[])),
                (false, Some((last, rest))) => Some(q.link(last, rest)),
            };
            let next = found.next_cursor.as_ref().map(|next| {
                let mut after: Vec<&str> = trail.clone();
                if !on_first {
                    after.push(&q.cursor);
                }
                let start = after.len().saturating_sub(TRAIL);
                q.link(&next.encode(), &after[start..])
            });
            let html = html! {
                p class="result-count" data-total=(found.total) {
                    (count(found.total)) " workflows match. "
                    @if !found.workflows.is_empty() { "This page shows " (found.workflows.len()) ", newest first." }
                }
                (workflow_table("Workflows", &found.workflows))
                @if previous.is_some() || next.is_some() {
                    nav class="pager" aria-label="Pages" {
                        @if !trail.is_empty() { a href=(q.link("", &[])) { "Newest" } }
                        @if let Some(href) = &previous { a href=(href) rel="prev" { "Previous page" } }
                        @if let Some(href) = &next { a href=(href) rel="next" { "Next page" } }
                    }
                }
            };
            (StatusCode::OK, html)
        }
    };
    let body = html! {
        h1 { "History" }
        (filters(&q, &choices))
        section aria-label="Results" { (results) }
    };
    Ok(layout::render(
        &state,
        status,
        "History",
        &Chrome::of(&session, Nav::History),
        body,
    ))
}
