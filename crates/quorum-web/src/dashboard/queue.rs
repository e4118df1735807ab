//! `/dashboard/queue`: the pending workflows my councils must decide, and the vote form
//! they post to. The list is also served alone (`?fragment=1`) for the page's script,
//! which fetches it again when the event stream says something changed.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use quorum_domain::{Principal, VoteChoice, Workflow};
use quorum_service::dashboard::{QueueItem, ReviewQueue};
use quorum_service::{Ballot, ReviewSummary, Standing, Tally, VoteRequest};
use quorum_store::QueueOrder;
use serde::Deserialize;

use super::components::{count, json_view, time, truncate, vote_form, votes_list};
use super::layout::{self, Chrome, Flash, FlashKind, Nav, PageError, PageResult};
use super::session::Session;
use crate::error::ApiError;
use crate::router::AppState;
use crate::strict;

/// Undecided workflows shown a page. Each is read whole (votes, electorate, preview files);
/// at 25 the queue was the one page over 50 ms at p99 with 1,000,000 workflows under load.
const QUEUE_SIZE: i64 = 10;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub fragment: Option<String>,
    /// `newest`, `oldest` or `deadline`.
    #[serde(default)]
    pub sort: Option<String>,
    /// From 1.
    #[serde(default)]
    pub page: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    vote: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    return_to: String,
    /// The member a delegate votes for; empty for the reader's own vote.
    #[serde(default)]
    on_behalf_of: String,
}

/// The vote form, or why this member cannot vote here. A delegate gets the form of the
/// member they vote for, when that member may vote.
pub fn my_part(
    ballot: &Ballot<'_>,
    me: &Principal,
    delegators: &[String],
    csrf: &str,
    return_to: &str,
) -> Markup {
    let on_behalf = delegators.iter().find(|member| {
        ballot.electorate.contains(member) && !ballot.votes.iter().any(|v| &v.user_id == *member)
    });
    html! {
        @match (ballot.standing(me), on_behalf) {
            (Standing::Voted(vote), _) => {
                p class="my-vote" { "You voted " strong { (vote.vote.as_str()) } " " (time(&vote.voted_at)) "." }
            }
            (Standing::Closed, _) => {}
            (Standing::NotInElectorate, Some(member)) => {
                p class="my-vote" { "You vote for " strong { (member) } ", as their delegate." }
                (vote_form(&ballot.workflow.id, csrf, return_to, Some(member)))
            }
            (Standing::NotInElectorate, None) => {
                p class="muted" { "You are not a voting member for this workflow." }
            }
            (Standing::MayVote, _) => { (vote_form(&ballot.workflow.id, csrf, return_to, None)) }
        }
    }
}

/// Approvals and rejections so far against what the threshold needs.
pub fn tally(t: Tally) -> Markup {
    html! {
        (t.approve) " approve, " (t.reject) " reject of "
        (t.members) " members; " (t.needed) " approvals decide."
    }
}

/// How long until `deadline`, in words a person reads at a glance.
pub fn countdown(deadline: &DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = *deadline - now;
    if left <= chrono::Duration::zero() {
        return "closed".into();
    }
    let (days, hours, minutes) = (
        left.num_days(),
        left.num_hours() % 24,
        left.num_minutes() % 60,
    );
    let unit = |n: i64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (days, hours) {
        (0, 0) => format!("closes in {}", unit(minutes.max(1), "minute")),
        (0, _) => format!(
            "closes in {}, {}",
            unit(hours, "hour"),
            unit(minutes, "minute")
        ),
        _ => format!("closes in {}, {}", unit(days, "day"), unit(hours, "hour")),
    }
}

fn swatch(hex: &str) -> Markup {
    // A drawn square: the page's policy allows no inline style, and SVG's fill is not one.
    html! {
        svg class="swatch" width="28" height="28" viewBox="0 0 28 28" aria-hidden="true" focusable="false" {
            rect x="0.5" y="0.5" width="27" height="27" rx="5" fill=(hex) stroke="#6b7280";
        }
    }
}

/// A heading at `level` (3 or 4), for parts that sit at different depths on different pages.
fn heading(level: u8, text: &str) -> Markup {
    match level {
        3 => html! { h3 { (text) } },
        _ => html! { h4 { (text) } },
    }
}

/// The workflow as a member judges it: what it makes, its colours, pages, content and
/// pictures, with the raw inputs behind a disclosure; its headings at `level`.
pub fn review(summary: &ReviewSummary, workflow: &Workflow, raw_chars: usize, level: u8) -> Markup {
    let id = &workflow.id;
    html! {
        @if !summary.facts.is_empty() {
            dl class="facts" { @for (label, value) in &summary.facts { dt { (label) } dd { (value) } } }
        }
        @if !summary.swatches.is_empty() {
            (heading(level, "Colours"))
            ul class="swatches" {
                @for s in &summary.swatches {
                    li { (swatch(&s.hex)) span { strong { (s.role) " " } code { (s.hex) } br; span class="hint" { (s.note) } } }
                }
            }
            @if !summary.adjustments.is_empty() {
                p class="hint" { "Moved so that every text reads:" }
                ul class="hint" { @for a in &summary.adjustments { li { (a) } } }
            }
        }
        @if !summary.pages.is_empty() {
            (heading(level, "Pages"))
            ul class="pages" {
                @for (title, path) in &summary.pages {
                    li { a href={ "/previews/" (id) "/" (path) } { (title) } }
                }
            }
        }
        @if !summary.excerpts.is_empty() {
            (heading(level, "Content"))
            dl class="facts" { @for (label, text) in &summary.excerpts { dt { (label) } dd { (text) } } }
        }
        @if !summary.thumbnails.is_empty() {
            (heading(level, "Pictures"))
            ul class="thumbnails" {
                @for t in &summary.thumbnails {
                    li { figure {
                        img src={ "/previews/" (id) "/" (t.path) } alt=(t.alt) width=(t.width) height=(t.height) loading="lazy";
                        figcaption { (t.label) }
                    } }
                }
            }
        }
        details class="raw" {
            summary { "Raw inputs (JSON)" }
            (json_view(&workflow.inputs.to_value(), raw_chars))
        }
    }
}

/// The preview beside the review, or why there is none.
pub fn preview(summary: &ReviewSummary, workflow: &Workflow) -> Markup {
    html! {
        @if summary.imported {
            p class="note" { strong { "Imported history. " } "This record was loaded with the demo's history without running anything: it has no preview, steps or site." }
        } @else if summary.previewed {
            div class="preview" {
                iframe src={ "/previews/" (workflow.id) "/" } title={ "Preview of " (summary.title) }
                    loading="lazy" class="preview-frame" {}
                p { a href={ "/previews/" (workflow.id) "/" } target="_blank" rel="noopener" { "Open the preview in a new tab" } }
            }
        } @else if summary.type_previews {
            p class="muted" { "This workflow was proposed before previews were built: judge it by its inputs." }
        } @else {
            p class="muted" { (summary.type_name) " builds no preview: judge it by its inputs." }
        }
    }
}

/// The review criteria as a checklist for the reader (nothing is submitted).
pub fn criteria(criteria: &[String], id: &str) -> Markup {
    html! {
        @if !criteria.is_empty() {
            fieldset class="criteria" {
                legend { "Review criteria" }
                @for (i, c) in criteria.iter().take(12).enumerate() {
                    div { input type="checkbox" id={ "criterion-" (id) "-" (i) };
                          label for={ "criterion-" (id) "-" (i) } { (truncate(c, 200)) } }
                }
            }
        }
    }
}

fn item(item: &QueueItem, session: &Session, delegators: &[String], now: DateTime<Utc>) -> Markup {
    let w = &item.detail.workflow;
    let summary = &item.summary;
    let ballot = Ballot::of(&item.detail);
    let heading = format!("title-{}", w.id);
    html! {
        article class="card review-card" aria-labelledby=(heading) {
            h3 id=(heading) class="card-title" {
                a href={ "/dashboard/workflows/" (w.id) } { (summary.title) }
            }
            p class="card-type" {
                (summary.type_name) " · proposed by "
                a href={ "/dashboard/agents/" (w.created_by_agent) } { (w.created_by_agent) }
                " " (time(&w.created_at))
            }
            p class="deadline" {
                @match &w.voting_deadline {
                    Some(deadline) => { "Voting " (countdown(deadline, now)) " (" (time(deadline)) ")." }
                    None => { "No voting deadline." }
                }
                " " (tally(ballot.tally()))
            }
            @if let Some(r) = &item.replaces {
                p class="flash flash-error" role="note" {
                    strong { "Approving this replaces a live site: " }
                    a href={ "/sites/" (r.slug) "/" } { "/sites/" (r.slug) "/" }
                    " (now serving " (r.live_deployment_id) " from "
                    a href={ "/dashboard/workflows/" (r.live_workflow_id) } { (r.live_workflow_id) } ")."
                }
            }
            div class="review-grid" {
                div class="review-preview" { (preview(summary, w)) }
                div class="review-facts" {
                    (review(summary, w, 4000, 4))
                    (criteria(&item.review_criteria, &w.id))
                }
            }
            h4 { "Votes so far" }
            (votes_list(&item.detail.votes, 5, 200))
            (my_part(&ballot, &session.principal, delegators, &session.csrf, "/dashboard/queue"))
        }
    }
}

/// The order a queue page is asked in: `newest` (the default), `oldest` or `deadline`.
fn order_of(sort: Option<&str>) -> (QueueOrder, &'static str) {
    match sort {
        Some("oldest") => (QueueOrder::Oldest, "oldest"),
        Some("deadline") => (QueueOrder::Deadline, "deadline"),
        _ => (QueueOrder::Newest, "newest"),
    }
}

/// The list the script replaces: its root carries what the script needs to know.
fn list(queue: &ReviewQueue, session: &Session, sort: &str) -> Markup {
    let councils: Vec<&str> = queue.councils.iter().map(|c| c.id.as_str()).collect();
    let now = quorum_domain::time::now();
    let (mine, rest): (Vec<&QueueItem>, Vec<&QueueItem>) = queue.items.iter().partition(|i| {
        let ballot = Ballot::of(&i.detail);
        let for_a_member = queue.delegators.iter().any(|m| {
            ballot.electorate.contains(m) && !ballot.votes.iter().any(|v| &v.user_id == m)
        });
        match ballot.standing(&session.principal) {
            Standing::MayVote => true,
            Standing::NotInElectorate => for_a_member,
            _ => false,
        }
    });
    let (voted, others): (Vec<&QueueItem>, Vec<&QueueItem>) = rest.into_iter().partition(|i| {
        matches!(
            Ballot::of(&i.detail).standing(&session.principal),
            Standing::Voted(_)
        )
    });
    let page_link = |page: i64| {
        format!(
            "/dashboard/queue{}",
            layout::query(&[("sort", sort), ("page", &page.to_string())])
        )
    };
    html! {
        @if queue.items.is_empty() {
            p class="empty" { "Nothing is waiting for your councils. New workflows appear here as agents propose them." }
        }
        @if !mine.is_empty() {
            section aria-labelledby="needs-vote" {
                h2 id="needs-vote" { "Needs your vote (" (mine.len()) ")" }
                @for i in &mine { (item(i, session, &queue.delegators, now)) }
            }
        }
        @if !voted.is_empty() {
            section aria-labelledby="voted" {
                h2 id="voted" { "You voted, waiting for others (" (voted.len()) ")" }
                @for i in &voted { (item(i, session, &queue.delegators, now)) }
            }
        }
        @if !others.is_empty() {
            section aria-labelledby="others" {
                h2 id="others" { "Awaiting other members (" (others.len()) ")" }
                @for i in &others { (item(i, session, &queue.delegators, now)) }
            }
        }
        @if queue.page > 1 || queue.has_next {
            nav class="pager" aria-label="Queue pages" {
                @if queue.page > 1 { a href=(page_link(queue.page - 1)) rel="prev" { "Previous page" } }
                span { "Page " (queue.page) " · " (count(queue.pending)) " pending" }
                @if queue.has_next { a href=(page_link(queue.page + 1)) rel="next" { "Next page" } }
            }
        }
        span hidden data-count=(queue.items.len()) data-councils=(councils.join(" ")) data-all=(queue.all_councils) {}
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let (order, sort) = order_of(query.sort.as_deref());
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let queue = state
        .quorum
        .review_queue(&session.principal, order, page, QUEUE_SIZE)
        .await?;
    if query.fragment.is_some() {
        return Ok(list(&queue, &session, sort).into_response());
    }
    let scope = match (queue.all_councils, queue.councils.len()) {
        (true, _) => "every council (you are an admin)".to_owned(),
        (false, 0) => "no council: you sit on none".to_owned(),
        (false, _) => queue
            .councils
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let councils: Vec<&str> = queue.councils.iter().map(|c| c.id.as_str()).collect();
    let fragment = format!(
        "/dashboard/queue{}",
        layout::query(&[
            ("fragment", "1"),
            ("sort", sort),
            ("page", &page.to_string())
        ])
    );
    let body = html! {
        h1 { "Council queue" }
        p { "Pending workflows awaiting a decision from " (scope) "." }
        form class="sort" method="get" action="/dashboard/queue" {
            label for="sort" { "Order" }
            select id="sort" name="sort" {
                @for (value, label) in [("newest", "Newest first"), ("oldest", "Oldest first"), ("deadline", "Deadline soonest")] {
                    option value=(value) selected[value == sort] { (label) }
                }
            }
            button type="submit" { "Sort" }
        }
        p id="live-status" class="live-status" role="status" { "Reload the page to see new workflows." }
        div id="queue-list" class="queue" data-live-src=(fragment)
            data-live-councils=(councils.join(" ")) data-live-all=(queue.all_councils) {
            (list(&queue, &session, sort))
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        "Council queue",
        &Chrome::of(&session, Nav::Queue),
        body,
    ))
}

/// Casts the signed-in member's vote through the governance use case, then returns to the
/// page the form was on with what happened.
pub async fn vote(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match strict::form::<VoteForm>(&body) {
        Ok(form) => form,
        Err(details) if details.iter().any(|d| d.rule != "shape") => {
            return layout::error_page(
                StatusCode::BAD_REQUEST,
                "The reason holds characters Quorum does not keep (a NUL character or text that is not UTF-8), so nothing was changed.",
            );
        }
        // Without a readable form there is no CSRF token to trust either.
        Err(_) => {
            return layout::error_page(
                StatusCode::FORBIDDEN,
                "The vote form could not be read, so nothing was changed.",
            );
        }
    };
    if let Err(refused) = session.check_csrf(&form.csrf) {
        return refused.into_response();
    }
    let back = layout::local_path(&form.return_to).unwrap_or("/dashboard/queue");
    let Some(choice) = VoteChoice::parse(&form.vote) else {
        let flash = Flash::new(FlashKind::Error, "Choose Approve or Reject.");
        return layout::redirect_with(&state, back, flash).await;
    };
    let request = VoteRequest {
        vote: choice,
        reason: form.reason,
        on_behalf_of: Some(form.on_behalf_of).filter(|member| !member.is_empty()),
    };
    let flash = match state
        .quorum
        .cast_vote(&session.principal, &id, request)
        .await
    {
        Ok(outcome) => {
            let now = match outcome.workflow.decision.map(|d| d.as_str()) {
                Some(decision) => format!("the workflow is now {decision}"),
                None => "the workflow awaits more votes".to_owned(),
            };
            Flash::new(
                FlashKind::Success,
                format!("Your {} vote on {id} was recorded; {now}.", choice.as_str()),
            )
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status.is_server_error() {
                return PageError::from(e).into_response();
            }
            let detail = e
                .details
                .first()
                .map(|d| format!(" ({}: {})", d.field, d.message));
            Flash::new(
                FlashKind::Error,
                format!(
                    "Your vote was not recorded: {}{}",
                    e.message,
                    detail.unwrap_or_default()
                ),
            )
        }
    };
    layout::redirect_with(&state, back, flash).await
}
