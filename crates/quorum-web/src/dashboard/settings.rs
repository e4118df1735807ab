//! `/dashboard/settings`: how a member is told of workflows awaiting their vote, and who votes
//! for them while they are away. The forms call the same use cases as
//! `PUT /api/principals/me/notifications` and `PUT /api/principals/me/delegation`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use maud::html;
use quorum_service::{DelegationRequest, NotificationRequest, ServiceError};
use quorum_store::NotifyMode;
use serde::Deserialize;

use super::components::time;
use super::layout::{self, Chrome, Flash, FlashKind, Nav, PageResult};
use super::session::Session;
use crate::router::AppState;
use crate::strict;

const HERE: &str = "/dashboard/settings";

#[derive(Debug, Default, Deserialize)]
pub struct NotificationsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mode: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DelegationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    delegate: String,
    /// `YYYY-MM-DD`, the last day the delegate votes.
    #[serde(default)]
    until: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// A service refusal as a sentence for the flash.
fn said(e: ServiceError) -> String {
    match e {
        ServiceError::Invalid { message, details }
        | ServiceError::BadRequest { message, details } => match details.first() {
            Some(d) => format!("{message}: {} {}.", d.field, d.message),
            None => format!("{message}."),
        },
        other => other.to_string(),
    }
}

pub async fn page(State(state): State<AppState>, session: Session) -> PageResult {
    let me = &session.principal;
    let notifications = state.quorum.notifications(me).await?;
    let delegation = state.quorum.delegation(me).await?;
    let mode = notifications.as_ref().map_or(NotifyMode::None, |n| n.mode);
    let body = html! {
        h1 { "Settings" }
        section aria-labelledby="mail" {
            h2 id="mail" { "E-mail when a workflow awaits your vote" }
            form class="settings" method="post" action="/dashboard/settings/notifications" {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="email" { "Address" }
                input type="email" id="email" name="email" autocomplete="email" required
                    value=[notifications.as_ref().map(|n| n.email.as_str())];
                fieldset {
                    legend { "How often" }
                    @for (value, label) in [
                        (NotifyMode::Immediate, "An e-mail per workflow, as it arrives"),
                        (NotifyMode::Daily, "One digest a day, at 08:00 UTC"),
                        (NotifyMode::None, "No e-mail"),
                    ] {
                        div {
                            input type="radio" id={ "mode-" (value.as_str()) } name="mode" value=(value.as_str()) checked[value == mode];
                            label for={ "mode-" (value.as_str()) } { (label) }
                        }
                    }
                }
                p class="hint" { "Reminders before a voting deadline come at once, whatever you choose here, unless you choose no e-mail." }
                button type="submit" { "Save" }
            }
        }
        section aria-labelledby="away" {
            h2 id="away" { "While you are away" }
            @match &delegation {
                Some(d) => {
                    p { strong { (d.delegate_id) } " votes for you from " (time(&d.starts_at)) " until " (time(&d.ends_at)) "." }
                    form method="post" action="/dashboard/settings/delegation/end" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        button type="submit" { "End it now" }
                    }
                }
                None => { p { "Nobody votes for you." } }
            }
            form class="settings" method="post" action="/dashboard/settings/delegation" {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="delegate" { "Delegate (a member's id)" }
                input type="text" id="delegate" name="delegate" required autocomplete="off";
                label for="until" { "Until the end of" }
                input type="date" id="until" name="until" required;
                p class="hint" { "Their vote on a workflow you may vote on counts as yours; the record says they cast it." }
                button type="submit" { "Name this delegate" }
            }
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        "Settings",
        &Chrome::of(&session, Nav::Other),
        body,
    ))
}

async fn back(state: &AppState, outcome: Result<String, String>) -> Response {
    let flash = match outcome {
        Ok(done) => Flash::new(FlashKind::Success, done),
        Err(why) => Flash::new(FlashKind::Error, why),
    };
    layout::redirect_with(state, HERE, flash).await
}

pub async fn notifications(
    State(state): State<AppState>,
    session: Session,
    body: Bytes,
) -> Response {
    let Ok(form) = strict::form::<NotificationsForm>(&body) else {
        return back(
            &state,
            Err("The form could not be read; nothing was changed.".into()),
        )
        .await;
    };
    if let Err(refused) = session.check_csrf(&form.csrf) {
        return axum::response::IntoResponse::into_response(refused);
    }
    let Some(mode) = NotifyMode::parse(&form.mode) else {
        return back(&state, Err("Choose how often to be written to.".into())).await;
    };
    let request = NotificationRequest {
        email: form.email,
        mode,
    };
    let outcome = match state
        .quorum
        .set_notifications(&session.principal, request)
        .await
    {
        Ok(s) => Ok(format!("Saved: {} mail to {}.", s.mode.as_str(), s.email)),
        Err(e) => Err(said(e)),
    };
    back(&state, outcome).await
}

pub async fn delegate(State(state): State<AppState>, session: Session, body: Bytes) -> Response {
    let Ok(form) = strict::form::<DelegationForm>(&body) else {
        return back(
            &state,
            Err("The form could not be read; nothing was changed.".into()),
        )
        .await;
    };
    if let Err(refused) = session.check_csrf(&form.csrf) {
        return axum::response::IntoResponse::into_response(refused);
    }
    let Some(ends_at) = NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|day| day.succ_opt())
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|end| end.and_utc())
    else {
        return back(&state, Err("Give the last day as a date.".into())).await;
    };
    let request = DelegationRequest {
        delegate: form.delegate.trim().to_owned(),
        starts_at: Some(Utc::now()),
        ends_at,
    };
    let outcome = match state
        .quorum
        .set_delegation(&session.principal, request)
        .await
    {
        Ok(d) => Ok(format!(
            "{} votes for you until {}.",
            d.delegate_id,
            quorum_domain::time::format(&d.ends_at)
        )),
        Err(e) => Err(said(e)),
    };
    back(&state, outcome).await
}

pub async fn end_delegation(
    State(state): State<AppState>,
    session: Session,
    body: Bytes,
) -> Response {
    let Ok(form) = strict::form::<CsrfForm>(&body) else {
        return back(
            &state,
            Err("The form could not be read; nothing was changed.".into()),
        )
        .await;
    };
    if let Err(refused) = session.check_csrf(&form.csrf) {
        return axum::response::IntoResponse::into_response(refused);
    }
    let outcome = match state.quorum.end_delegation(&session.principal).await {
        Ok(true) => Ok("Your delegation has ended.".to_owned()),
        Ok(false) => Err("You had named no delegate.".to_owned()),
        Err(e) => Err(said(e)),
    };
    back(&state, outcome).await
}
