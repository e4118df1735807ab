//! `/vote/{token}`: the one-click vote links of members' e-mail. Opening one shows what it
//! would do and a button to confirm (a mail scanner that follows links votes on nothing); the
//! button's POST votes. A link that can no longer vote says why. The token is the credential,
//! so these pages need no session; a browser signed in as another member is refused.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use quorum_domain::{Principal, VoteChoice};
use quorum_service::{LinkRefusal, LinkView, ServiceError};
use serde::Deserialize;

use super::layout::{self, Chrome, Nav};
use super::session;
use crate::error::ApiError;
use crate::router::AppState;
use crate::strict;

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    reason: String,
}

/// The dashboard user this browser is signed in as, if any.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Principal> {
    let value = session::cookie(headers, session::SESSION_COOKIE)?;
    match state.quorum.auth().session(value).await {
        Ok(Some(signed_in)) => Some(signed_in.principal),
        _ => None,
    }
}

fn status_of(refusal: &LinkRefusal) -> StatusCode {
    match refusal {
        LinkRefusal::Unknown => StatusCode::NOT_FOUND,
        LinkRefusal::OtherMember { .. } => StatusCode::FORBIDDEN,
        _ => StatusCode::GONE,
    }
}

fn verb(choice: VoteChoice) -> &'static str {
    match choice {
        VoteChoice::Approve => "Approve",
        VoteChoice::Reject => "Reject",
        VoteChoice::Abstain => "Abstain on",
    }
}

/// Tokens stay out of caches and out of any Referer.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn page(state: &AppState, status: StatusCode, title: &str, body: Markup) -> Response {
    private(layout::render(
        state,
        status,
        title,
        &Chrome::anonymous(Nav::Other),
        body,
    ))
}

fn refused(state: &AppState, refusal: &LinkRefusal) -> Response {
    let body = html! {
        h1 { "This link does not vote" }
        p { (refusal.message()) }
        p { a href="/dashboard/queue" { "Open the council queue" } }
    };
    page(state, status_of(refusal), "This link does not vote", body)
}

fn confirmation(view: &LinkView, token: &str, problem: Option<&str>) -> Markup {
    let w = &view.detail.workflow;
    let choice = view.link.choice;
    let reject = choice == VoteChoice::Reject;
    html! {
        h1 { (verb(choice)) " " (view.title) "?" }
        p {
            "You are voting as " strong { (view.member.name) } " on workflow "
            a href={ "/dashboard/workflows/" (w.id) } { (w.id) }
            ", proposed by " (view.names.principal(&w.created_by_agent)) " to "
            (view.names.council(&w.assigned_council_id)) "."
        }
        @if let Some(url) = &view.preview_url {
            p { a href=(url) { "See the preview of what it will deploy" } }
        }
        @if let Some(deadline) = w.voting_deadline {
            p { "The vote closes at " time datetime=(quorum_domain::time::format(&deadline)) { (quorum_domain::time::format(&deadline)) } "." }
        }
        form method="post" action={ "/vote/" (token) } class="vote-form" {
            @if let Some(problem) = problem {
                p class="flash flash-error" role="alert" id="reason-error" { (problem) }
            }
            label for="reason" {
                @if reject { "Why reject it? The agent reads this (required)." }
                @else { "Anything the agent should know (optional)" }
            }
            textarea id="reason" name="reason" rows="4" maxlength="2000" required[reject]
                aria-describedby=[problem.map(|_| "reason-error")] {}
            div class="actions" {
                button type="submit" class=(if reject { "reject" } else { "approve" }) {
                    "Confirm: " (verb(choice).to_lowercase())
                }
            }
        }
        p class="hint" { "Nothing is voted until you confirm. The link works once, only for you." }
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let viewer = signed_in(&state, &headers).await;
    let now = quorum_domain::time::now();
    match state.quorum.vote_link(&token, viewer.as_ref(), now).await {
        Ok(Ok(view)) => {
            let title = format!("{} {}", verb(view.link.choice), view.title);
            page(
                &state,
                StatusCode::OK,
                &title,
                confirmation(&view, &token, None),
            )
        }
        Ok(Err(refusal)) => refused(&state, &refusal),
        Err(e) => private(ApiError::from(e).into_response()),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(form) = strict::form::<LinkForm>(&body) else {
        return private(layout::error_page(
            StatusCode::BAD_REQUEST,
            "The form could not be read, so nothing was voted. Go back and try again.",
        ));
    };
    let viewer = signed_in(&state, &headers).await;
    match state
        .quorum
        .vote_by_link(&token, form.reason, viewer.as_ref())
        .await
    {
        Ok(Ok(outcome)) => {
            let standing = match outcome.workflow.decision {
                Some(decision) => format!("The council has decided: {decision}."),
                None => "The workflow awaits the other members' votes.".to_owned(),
            };
            let body = html! {
                h1 { "Your vote was recorded" }
                p role="status" { "You voted " (outcome.vote.vote.as_str()) " on "
                    a href={ "/dashboard/workflows/" (outcome.workflow.id) } { (outcome.workflow.id) } ". " (standing) }
            };
            page(&state, StatusCode::CREATED, "Your vote was recorded", body)
        }
        Ok(Err(refusal)) => refused(&state, &refusal),
        Err(ServiceError::Invalid { details, .. }) => {
            let problem = details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| "The vote could not be taken.".into());
            let now = quorum_domain::time::now();
            match state.quorum.vote_link(&token, viewer.as_ref(), now).await {
                Ok(Ok(view)) => page(
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Your vote needs a reason",
                    confirmation(&view, &token, Some(&problem)),
                ),
                Ok(Err(refusal)) => refused(&state, &refusal),
                Err(e) => private(ApiError::from(e).into_response()),
            }
        }
        Err(e) => private(ApiError::from(e).into_response()),
    }
}
