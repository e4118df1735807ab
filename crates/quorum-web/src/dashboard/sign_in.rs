//! Signing in with an API token, and signing out.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::layout::{self, Chrome, Flash, FlashKind, Nav, PageError};
use super::session::{
    self, SESSION_COOKIE, SIGN_IN_COOKIE, Session, cookie, new_sign_in_token, same_secret,
    set_cookie,
};
use crate::router::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn next_of(text: &str) -> &str {
    layout::local_path(text).unwrap_or("/dashboard")
}

/// The sign-in page; `error` re-renders it after a failed attempt, with its status.
fn page(
    state: &AppState,
    status: StatusCode,
    csrf: &str,
    next: &str,
    flash: Option<&Flash>,
) -> Response {
    let chrome = Chrome {
        flash,
        ..Chrome::anonymous(Nav::Other)
    };
    let body = html! {
        h1 { "Sign in" }
        p { "Sign in with your Quorum API token. An admin creates one for you with "
            code { "quorum token create" } " or " code { "POST /api/principals" } "." }
        form class="sign-in" method="post" action="/dashboard/sign-in" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label for="token" { "API token" }
            input id="token" name="token" type="password" autocomplete="current-password"
                required spellcheck="false";
            button type="submit" { "Sign in" }
        }
    };
    let mut response = layout::render(state, status, "Sign in", &chrome, body);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, SIGN_IN_COOKIE, csrf, 3600),
    );
    response
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Next>,
) -> Response {
    let flash = session::read_flash(&state, &headers).await;
    let csrf = cookie(&headers, SIGN_IN_COOKIE)
        .filter(|c| c.len() >= 32)
        .map(str::to_owned)
        .unwrap_or_else(new_sign_in_token);
    page(
        &state,
        StatusCode::OK,
        &csrf,
        next_of(&query.next),
        flash.as_ref(),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return layout::error_page(
            StatusCode::BAD_REQUEST,
            "The sign-in form could not be read.",
        );
    };
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if !same_secret(expected, &form.csrf) {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "This sign-in form has expired or did not come from Quorum. Reload the sign-in page and try again.",
        );
    }
    let next = next_of(&form.next);
    let token = form.token.trim();
    match state.quorum.auth().sign_in(token).await {
        Ok(session_id) => {
            let mut response = Redirect::to(next).into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    SESSION_COOKIE,
                    &session_id,
                    session::LIFETIME_SECONDS,
                ),
            );
            headers.append(
                header::SET_COOKIE,
                set_cookie(&state, SIGN_IN_COOKIE, "", 0),
            );
            response
        }
        Err(quorum_service::ServiceError::Unauthorized(_)) => {
            let flash = Flash::new(
                FlashKind::Error,
                "That token is not valid. Check it, or ask an admin for a new one.",
            );
            // A fresh form token, so that the failed attempt's cannot be replayed.
            page(
                &state,
                StatusCode::UNAUTHORIZED,
                &new_sign_in_token(),
                next,
                Some(&flash),
            )
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

/// Ends every session of the token this one signed in with (another browser's too, and on
/// every server), then clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let given = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if let Err(refused) = session.check_csrf(&given) {
        return refused.into_response();
    }
    if let Err(e) = state.quorum.auth().sign_out(&session.signed_in).await {
        return PageError::from(e).into_response();
    }
    let mut response = layout::redirect_with(
        &state,
        "/dashboard/sign-in",
        Flash::new(FlashKind::Success, "You are signed out."),
    )
    .await;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0),
    );
    response
}
