//! `/dashboard/queue`: the pending workflows my councils must decide, and the vote form
//! they post to. The list is also served alone (`?fragment=1`) for the page's script,
//! which fetches it again when the event stream says something changed.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use quorum_domain::{Principal, VoteChoice};
use quorum_service::dashboard::{QueueItem, ReviewQueue};
use quorum_service::{Ballot, Standing, Tally, VoteRequest};
use serde::Deserialize;

use super::components::{count, json_view, status_badge, time, truncate, vote_form, votes_list};
use super::layout::{self, Chrome, Flash, FlashKind, Nav, PageError, PageResult};
use super::session::Session;
use crate::error::ApiError;
use crate::router::AppState;
use crate::strict;

/// The newest this many undecided workflows are shown; the rest are counted and linked. Each
/// is read whole (votes, electorate); at 25 the queue was the one page over 50 ms at p99 with
/// 1,000,000 workflows under load, at 15 it is not.
const QUEUE_SIZE: i64 = 15;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub fragment: Option<String>,
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

/// The vote form, or why this member cannot vote here.
pub fn my_part(ballot: &Ballot<'_>, me: &Principal, csrf: &str, return_to: &str) -> Markup {
    html! {
        @match ballot.standing(me) {
            Standing::Voted(vote) => {
                p class="my-vote" { "You voted " strong { (vote.vote.as_str()) } " " (time(&vote.voted_at)) "." }
            }
            Standing::Closed => {}
            Standing::NotInElectorate => {
                p class="muted" { "You are not a voting member for this workflow." }
            }
            Standing::MayVote => { (vote_form(&ballot.workflow.id, csrf, return_to)) }
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

fn item(item: &QueueItem, session: &Session) -> Markup {
    let w = &item.detail.workflow;
    let ballot = Ballot::of(&item.detail);
    let heading = format!("title-{}", w.id);
    html! {
        article class="card" aria-labelledby=(heading) {
            h2 id=(heading) {
                a href={ "/dashboard/workflows/" (w.id) } { (w.workflow_type_id) }
                " " (status_badge(w.status))
            }
            dl class="facts" {
                dt { "Workflow" } dd { (w.id) }
                dt { "Agent" } dd { a href={ "/dashboard/agents/" (w.created_by_agent) } { (w.created_by_agent) } }
                dt { "Council" } dd { (w.assigned_council_id) }
                dt { "Created" } dd { (time(&w.created_at)) }
                dt { "Votes" } dd { (tally(ballot.tally())) }
            }
            @if let Some(r) = &item.replaces {
                p class="flash flash-error" role="note" {
                    strong { "Replaces a live site: " }
                    a href={ "/sites/" (r.slug) "/" } { "/sites/" (r.slug) "/" }
                    " (now serving " (r.live_deployment_id) " from "
                    a href={ "/dashboard/workflows/" (r.live_workflow_id) } { (r.live_workflow_id) } ")."
                }
            }
            h3 { "Inputs" }
            (json_view(&w.inputs.to_value(), 400))
            @if !item.review_criteria.is_empty() {
                h3 { "Review criteria" }
                ul { @for c in item.review_criteria.iter().take(8) { li { (truncate(c, 200)) } } }
            }
            h3 { "Votes so far" }
            (votes_list(&item.detail.votes, 5, 200))
            (my_part(&ballot, &session.principal, &session.csrf, "/dashboard/queue"))
        }
    }
}

/// The list the script replaces: its root carries what the script needs to know.
fn list(queue: &ReviewQueue, session: &Session) -> Markup {
    let councils: Vec<&str> = queue.councils.iter().map(|c| c.id.as_str()).collect();
    html! {
        @if queue.items.is_empty() {
            p class="empty" { "Nothing is waiting for your councils. New workflows appear here as agents propose them." }
        }
        @for i in &queue.items { (item(i, session)) }
        @if queue.truncated {
            p { "Showing the newest " (queue.items.len()) " of " (count(queue.pending)) " pending workflows. "
                a href={ "/dashboard/history" (layout::query(&[("status", "PENDING"), ("council_id", if councils.len() == 1 { councils[0] } else { "" })])) } { "See them all in the history" } "." }
        }
        span hidden data-count=(queue.items.len()) data-councils=(councils.join(" ")) data-all=(queue.all_councils) {}
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let queue = state
        .quorum
        .review_queue(&session.principal, QUEUE_SIZE)
        .await?;
    if query.fragment.is_some() {
        return Ok(list(&queue, &session).into_response());
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
    let body = html! {
        h1 { "Council queue" }
        p { "Pending workflows awaiting a decision from " (scope) "." }
        p id="live-status" class="live-status" role="status" { "Reload the page to see new workflows." }
        div id="queue-list" class="queue" data-live-src="/dashboard/queue?fragment=1"
            data-live-councils=(councils.join(" ")) data-live-all=(queue.all_councils) {
            (list(&queue, &session))
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
