//! `/previews/{workflow_id}/…`: a workflow's preview, served as its site will be, for the
//! people who decide it. Pages get a banner saying what they are (added as they are served,
//! so the files stay byte for byte those deploy will ship), and every answer says `noindex`.
//!
//! Who may look: a signed-in dashboard user or an API token that may see the workflow (its
//! council's voters, its creator, admins), or a browser that opened the preview's signed link
//! (`?token=…`), which leaves a cookie for this preview's path only and is redirected to the
//! same page without the token in its address.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maud::html;
use quorum_domain::{Decision, Principal, WorkflowStatus};
use quorum_service::{PreviewAnswer, PreviewFile};
use quorum_store::WorkflowDetail;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::dashboard::{layout, session};
use crate::error::ApiError;
use crate::router::AppState;
use crate::sites::file;

/// The cookie a preview link leaves, for its preview's path only.
const LINK_COOKIE: &str = "quorum_preview";
/// How long a browser keeps a preview link's cookie; the token inside keeps its own bounds.
const LINK_COOKIE_SECONDS: i64 = 7 * 24 * 3600;

/// The banner's look. Its hash is allowed by the pages' policy, which allows no other inline
/// style, so a site's own files cannot add one.
const BANNER_STYLE: &str = ".quorum-preview{position:sticky;top:0;z-index:2147483647;margin:0;\
padding:.6rem 1rem;background:#1e1b4b;color:#fff;font:600 1rem/1.4 system-ui,sans-serif;\
text-align:center}.quorum-preview a{color:#fff;text-decoration:underline}";

static BANNER_STYLE_HASH: LazyLock<String> =
    LazyLock::new(|| STANDARD.encode(Sha256::digest(BANNER_STYLE.as_bytes())));

#[derive(Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
}

/// The preview's path under `/previews/`, escaped as a site's is.
fn preview_url(workflow_id: &str, path: &str) -> String {
    format!("/previews/{workflow_id}/{path}")
}

/// What the banner says of where the workflow stands, and what became of these files.
fn standing(detail: &WorkflowDetail) -> (&'static str, &'static str) {
    let w = &detail.workflow;
    let unpublished = "Not published: what it will deploy once approved";
    match (w.status, w.decision) {
        (WorkflowStatus::Pending, None) => ("Preview — awaiting the council", unpublished),
        (_, Some(Decision::Rejected)) => ("Preview — the council rejected this", "Never published"),
        (_, Some(Decision::Expired)) => ("Preview — the vote expired", "Never published"),
        (WorkflowStatus::Completed, _) => (
            "Preview — approved and deployed",
            "These are the files it deployed",
        ),
        (WorkflowStatus::Cancelled | WorkflowStatus::Failed, _) => {
            ("Preview — not deployed", "Never published")
        }
        _ => (
            "Preview — approved, not yet deployed",
            "Not published yet: what it will deploy",
        ),
    }
}

/// `page` with the banner after its `<body>` and the banner's style before `</head>`: the
/// page's own bytes are left as they are.
fn with_banner(page: &[u8], detail: &WorkflowDetail) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let (title, fate) = standing(detail);
    let banner = html! {
        aside class="quorum-preview" aria-label="Preview" {
            (title) ". " (fate) " ("
            a href={ "/dashboard/workflows/" (detail.workflow.id) } target="_top" { "workflow " (detail.workflow.id) }
            ")."
        }
    }
    .into_string();
    let style = format!("<style>{BANNER_STYLE}</style>");
    let mut out = text.into_owned();
    if let Some(head_end) = out.find("</head>") {
        out.insert_str(head_end, &style);
    }
    let body = out
        .find("<body")
        .and_then(|start| out[start..].find('>').map(|end| start + end + 1));
    // After the page's skip link when it opens the body: that link stays the first thing a
    // keyboard reaches, and everything else stays inside a landmark.
    let at = body.map(|at| {
        let rest = &out[at..];
        let opens_with_skip = rest.trim_start().starts_with("<a class=\"skip-link\"");
        match (opens_with_skip, rest.find("</a>")) {
            (true, Some(end)) => at + end + "</a>".len(),
            _ => at,
        }
    });
    out.insert_str(at.unwrap_or(0), &banner);
    out.into_bytes()
}

/// Whether the request may see `detail`'s preview, and the cookie to leave when it came with
/// a valid link token.
async fn admitted(
    state: &AppState,
    headers: &HeaderMap,
    detail: &WorkflowDetail,
    token: Option<&str>,
) -> Result<bool, ApiError> {
    let id = &detail.workflow.id;
    let quorum = &state.quorum;
    if let Some(token) = token.or_else(|| session::cookie(headers, LINK_COOKIE))
        && quorum.preview_token_opens(id, token).await
    {
        return Ok(true);
    }
    let viewer: Option<Principal> = match session::cookie(headers, session::SESSION_COOKIE) {
        Some(value) => quorum
            .auth()
            .session(value)
            .await?
            .map(|signed_in| signed_in.principal),
        None => None,
    };
    let viewer = match viewer {
        Some(viewer) => Some(viewer),
        None => crate::extract::bearer_of(headers, state).await?,
    };
    Ok(viewer.is_some_and(|viewer| quorum_service::Quorum::may_preview(&viewer, detail)))
}

fn link_cookie(state: &AppState, workflow_id: &str, token: &str) -> Option<HeaderValue> {
    // Lax, not Strict: the link is opened from a mail client, and the redirect that follows is
    // still that navigation.
    let secure = match state.quorum.step_env().public_url.starts_with("https://") {
        true => "; Secure",
        false => "",
    };
    HeaderValue::from_str(&format!(
        "{LINK_COOKIE}={token}; Path=/previews/{workflow_id}/; Max-Age={LINK_COOKIE_SECONDS}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

fn page(status: StatusCode, message: &str) -> Response {
    let mut response = layout::error_page(status, message);
    response.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// The headers of every preview answer: not indexed, not cached by others, framed only by the
/// dashboards, running only its own files and the banner's style.
fn preview_headers(response: &mut Response) {
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'sha256-{}'; \
         script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'; \
         base-uri 'self'",
        *BANNER_STYLE_HASH
    );
    let headers = response.headers_mut();
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
}

fn served(
    found: PreviewFile,
    status: StatusCode,
    detail: &WorkflowDetail,
    headers: &HeaderMap,
) -> Response {
    let mut response = match found.content_type.starts_with("text/html") {
        true => (
            status,
            [(header::CONTENT_TYPE, found.content_type)],
            Body::from(with_banner(&found.blob.bytes, detail)),
        )
            .into_response(),
        false => file(&found.blob, &found.content_type, headers),
    };
    preview_headers(&mut response);
    response
}

async fn serve(
    state: &AppState,
    workflow_id: &str,
    path: &str,
    query: LinkQuery,
    headers: &HeaderMap,
) -> Response {
    let detail = match state.quorum.workflow(workflow_id).await {
        Ok(detail) => detail,
        Err(quorum_service::ServiceError::NotFound(_)) => {
            return page(StatusCode::NOT_FOUND, "There is no such workflow.");
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    let token = query.token.filter(|t| !t.is_empty());
    match admitted(state, headers, &detail, token.as_deref()).await {
        Ok(true) => {}
        Ok(false) if token.is_some() => {
            return page(
                StatusCode::FORBIDDEN,
                "This preview link is not valid: it may have been changed, or the keys that signed it were replaced. Ask for a new one on the workflow's page.",
            );
        }
        Ok(false) => {
            return page(
                StatusCode::FORBIDDEN,
                "This preview is shown to the council that votes on the workflow, its creator and admins. Sign in on the dashboard, or open the link the council's e-mail gave.",
            );
        }
        Err(e) => return e.into_response(),
    }
    if let Some(token) = token {
        // The token leaves the address bar (and every Referer) at once.
        let mut response = Redirect::to(&preview_url(workflow_id, path)).into_response();
        if let Some(cookie) = link_cookie(state, workflow_id, &token) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        preview_headers(&mut response);
        return response;
    }
    let answer = match state.quorum.preview_file(workflow_id, path).await {
        Ok(answer) => answer,
        Err(quorum_service::ServiceError::NotFound(_)) => {
            return page(
                StatusCode::NOT_FOUND,
                "This workflow has no preview: its type does not build one.",
            );
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    match answer {
        PreviewAnswer::File(found) => served(found, StatusCode::OK, &detail, headers),
        PreviewAnswer::Folder => {
            let mut response =
                Redirect::permanent(&preview_url(workflow_id, &format!("{path}/"))).into_response();
            preview_headers(&mut response);
            response
        }
        PreviewAnswer::Missing(Some(found)) => {
            served(found, StatusCode::NOT_FOUND, &detail, headers)
        }
        PreviewAnswer::Missing(None) => {
            page(StatusCode::NOT_FOUND, "The preview has no such page.")
        }
    }
}

pub async fn root(
    State(state): State<AppState>,
    UrlPath(workflow_id): UrlPath<String>,
    Query(query): Query<LinkQuery>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &workflow_id, "", query, &headers).await
}

pub async fn path(
    State(state): State<AppState>,
    UrlPath((workflow_id, path)): UrlPath<(String, String)>,
    Query(query): Query<LinkQuery>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &workflow_id, &path, query, &headers).await
}

pub async fn bare(UrlPath(workflow_id): UrlPath<String>) -> Response {
    Redirect::permanent(&preview_url(&workflow_id, "")).into_response()
}
