//! The contact form's endpoint, at `/sites/{slug}/contact` and at `/contact` on a site's own
//! domain. Browsers posting the form (no JavaScript needed) get a page of the site itself: a
//! thank-you, or the contact page again with what they typed and each field's problem beside
//! it. Other clients get JSON. Every answer is kept out of search engines and caches.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use quorum_service::{
    ContactAnswer, ContactForm, ContactFormState, Received, ServiceError, form_problems,
};
use serde::Serialize;

use crate::error::ApiError;
use crate::router::AppState;
use crate::sites::RemoteAddr;
use crate::strict;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactAccepted {
    /// `outbox` (kept; no SMTP server configured), `sent`, or `failed` (kept; sending failed).
    pub delivery: String,
    pub id: String,
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// `POST /sites/{slug}/contact`.
pub async fn contact(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(&state, &slug, remote, &headers, &body).await
}

/// A submission to `slug`'s form, answered for the client that sent it.
pub(crate) async fn answer(
    state: &AppState,
    slug: &str,
    remote: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let html = wants_html(headers);
    let form = strict::form::<ContactForm>(body);
    let typed = form.as_ref().cloned().unwrap_or_default();
    let received = match form {
        Ok(form) => state.quorum.receive_contact(slug, form, remote).await,
        Err(details) => Err(ServiceError::BadRequest {
            message: "the form could not be read: send it as a browser does, in UTF-8".into(),
            details,
        }),
    };
    match (received, html) {
        (Ok(received), html) => {
            let (delivery, id) = match received {
                Received::Kept(m) => (m.delivery, m.id),
                Received::Discarded { id, delivery } => (delivery, id),
            };
            if !html {
                return (StatusCode::CREATED, Json(ContactAccepted { delivery, id }))
                    .into_response();
            }
            let answer = match delivery.as_str() {
                "sent" => ContactAnswer::Sent,
                _ => ContactAnswer::Received,
            };
            let fallback = || thanks(slug, answer == ContactAnswer::Sent);
            page(state, slug, answer, StatusCode::OK, fallback).await
        }
        (Err(e), true) => {
            let refused = ContactFormState {
                name: typed.name,
                email: typed.email,
                message: typed.message,
                problems: form_problems(&e),
            };
            let error = ApiError::from(e);
            let fallback = || problem(slug, &error);
            page(
                state,
                slug,
                ContactAnswer::Refused(&refused),
                error.status,
                fallback,
            )
            .await
        }
        (Err(e), false) => ApiError::from(e).into_response(),
    }
}

/// The answer drawn by the site's generator; `fallback` when the site or the inputs it was
/// made from are gone.
async fn page(
    state: &AppState,
    slug: &str,
    answer: ContactAnswer<'_>,
    status: StatusCode,
    fallback: impl FnOnce() -> Markup,
) -> Response {
    let body = match state.quorum.contact_answer_page(slug, answer).await {
        Ok(Some(page)) => page,
        Ok(None) => fallback().into_string().into_bytes(),
        Err(e) => {
            tracing::warn!(site = slug, error = %e, "drawing a contact answer in the site's layout failed");
            fallback().into_string().into_bytes()
        }
    };
    private(status, body)
}

/// A page answering one visitor's submission: no search engine should list it, no cache
/// keep it.
pub(crate) fn private(status: StatusCode, page: Vec<u8>) -> Response {
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The plain page of a site that cannot draw its own.
fn bare(slug: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href={ "/sites/" (slug) "/assets/main.css" };
            }
            body {
                main id="main" {
                    (body)
                    p { a href={ "/sites/" (slug) "/" } { "Back to the site" } }
                }
            }
        }
    }
}

/// Says "sent" only once the SMTP server took the message; before that it is kept, which is
/// all a visitor can be told.
fn thanks(slug: &str, sent: bool) -> Markup {
    let (title, said) = match sent {
        true => ("Message sent", "Your message has been sent."),
        false => ("Message received", "Your message has been received."),
    };
    bare(
        slug,
        title,
        html! {
            h1 { "Thank you" }
            p { (said) " We will reply to the address you gave." }
        },
    )
}

fn problem(slug: &str, error: &ApiError) -> Markup {
    bare(
        slug,
        "Message not sent",
        html! {
            h1 { "Your message was not sent" }
            p { (error.message) }
            @if !error.details.is_empty() {
                ul { @for detail in &error.details { li { (detail.message) } } }
            }
        },
    )
}
