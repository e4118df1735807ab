//! What visitors do on the website family's sites, at `/sites/{slug}/…` and at a site's own
//! domain: a landing page's home served in the visitor's variant (and counted), its lead
//! form's endpoint (`lead`), a shop's checkout (`order`), an affiliate site's redirects
//! (`go/{link}`); and the owner's API reading them (`/api/sites/{slug}/leads`, `…/clicks`,
//! `…/orders`).
//!
//! The lead form works without JavaScript: a browser gets a page of the site itself, the
//! thanks or the form again with each problem beside its field. Other clients get JSON.

use std::collections::BTreeMap;
use std::net::IpAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quorum_service::{
    CheckoutState, ClicksReport, LEADS_PER_MINUTE, LeadAnswer, LeadFormState, LeadProblem,
    LeadProblemKind, LeadReceipt, LeadsReport, OrderAnswer, OrderDetail, OrderReceipt,
    ServiceError, SiteMount, StatusRequest, Variant, placed_view,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiQuery, Caller};
use crate::router::AppState;
use crate::site_contact::private;
use crate::sites::{RemoteAddr, serve};
use crate::strict;

/// `POST /sites/{slug}/lead`: the answer to a lead form.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeadAccepted {
    /// `outbox` (kept; no SMTP server configured), `sent` (forwarded to the site's address),
    /// or `failed` (kept; forwarding failed).
    pub delivery: String,
    pub id: String,
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Who a visitor is for the stable split: their address and browser, nothing stored.
fn visitor(remote: Option<IpAddr>, headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    format!(
        "{} {agent}",
        remote.map(|ip| ip.to_string()).unwrap_or_default()
    )
}

/// A site's home page: a landing page's in the visitor's variant, each page load counted
/// (a HEAD sends no page and is not).
pub(crate) async fn home(
    state: &AppState,
    slug: &str,
    method: &Method,
    remote: Option<IpAddr>,
    headers: &HeaderMap,
    mount: SiteMount,
) -> Response {
    let verifier = headers
        .get(header::USER_AGENT)
        .is_some_and(|agent| agent.as_bytes() == quorum_service::VERIFIER_AGENT.as_bytes());
    // Verify's requests are never counted: they need not learn which kind the site is.
    if verifier {
        return serve(state, slug, "", headers, mount).await;
    }
    let variant = match state.quorum.live_site(slug).await {
        Ok(Some(site)) => state
            .quorum
            .home_variant(&site, &visitor(remote, headers))
            .await
            .map(|variant| (site, variant)),
        _ => None,
    };
    let Some((site, variant)) = variant else {
        return serve(state, slug, "", headers, mount).await;
    };
    let path = match variant {
        Variant::A => "",
        Variant::B => quorum_service::VARIANT_B_FILE,
    };
    let mut response = serve(state, slug, path, headers, mount).await;
    let shown = matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    if shown && method == Method::GET {
        state.quorum.count_view(&site, variant);
    }
    // One URL, two pages: no cache may hand one visitor's to another.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// `POST /sites/{slug}/lead`.
pub async fn lead(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(&state, &slug, remote, &headers, &body).await
}

/// A lead for `slug`, answered for the client that sent it.
pub(crate) async fn answer(
    state: &AppState,
    slug: &str,
    remote: Option<IpAddr>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let html = wants_html(headers);
    let form = strict::form::<BTreeMap<String, String>>(body);
    let typed = form.as_ref().cloned().unwrap_or_default();
    let variant = Variant::parse(typed.get("variant").map_or("", String::as_str));
    let whole = |kind| vec![LeadProblem { field: None, kind }];
    let receipt = match form {
        Ok(form) => state.quorum.receive_lead(slug, &form, remote).await,
        Err(details) => Err(ServiceError::BadRequest {
            message: "the form could not be read: send it as a browser does, in UTF-8".into(),
            details,
        }),
    };
    let (problems, error) = match receipt {
        Ok(LeadReceipt::Kept(lead)) => {
            return accepted(state, slug, html, lead.delivery, lead.id).await;
        }
        Ok(LeadReceipt::Discarded { id, delivery }) => {
            return accepted(state, slug, html, delivery, id).await;
        }
        Ok(LeadReceipt::Refused {
            problems, error, ..
        }) => (problems, error),
        Err(e @ ServiceError::RateLimited(_)) => (
            whole(LeadProblemKind::TooMany {
                per_minute: LEADS_PER_MINUTE,
            }),
            e,
        ),
        Err(e @ ServiceError::BadRequest { .. }) => (whole(LeadProblemKind::Unreadable), e),
        Err(e @ ServiceError::NotFound(_)) => return ApiError::from(e).into_response(),
        Err(e) => (whole(LeadProblemKind::Unavailable), e),
    };
    let error = ApiError::from(error);
    if !html {
        return error.into_response();
    }
    let refused = LeadFormState {
        values: typed,
        problems,
    };
    let page = state
        .quorum
        .lead_answer_page(slug, LeadAnswer::Refused(&refused, variant))
        .await;
    match page {
        Ok(Some(page)) => private(error.status, page),
        _ => error.into_response(),
    }
}

async fn accepted(
    state: &AppState,
    slug: &str,
    html: bool,
    delivery: String,
    id: String,
) -> Response {
    if !html {
        return (StatusCode::CREATED, Json(LeadAccepted { delivery, id })).into_response();
    }
    match state
        .quorum
        .lead_answer_page(slug, LeadAnswer::Received)
        .await
    {
        Ok(Some(page)) => private(StatusCode::OK, page),
        _ => (StatusCode::CREATED, Json(LeadAccepted { delivery, id })).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct GoQuery {
    from: Option<String>,
}

/// `GET /sites/{slug}/go/{link}`.
pub async fn go(
    State(state): State<AppState>,
    UrlPath((slug, link)): UrlPath<(String, String)>,
    method: Method,
    query: axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    redirect(
        &state,
        &slug,
        &link,
        &method,
        query.0.as_deref(),
        &headers,
        SiteMount::Sites,
    )
    .await
}

/// Redirects to the merchant the live deployment lists for `link`, counting a GET's click;
/// a link it does not list is the site's path like any other (its 404 page, most likely), so
/// the redirect can go nowhere the inputs did not name.
pub(crate) async fn redirect(
    state: &AppState,
    slug: &str,
    link: &str,
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    mount: SiteMount,
) -> Response {
    let from: Option<String> = query
        .and_then(|q| serde_urlencoded::from_str::<GoQuery>(q).ok())
        .and_then(|q| q.from);
    let count = method == Method::GET;
    match state
        .quorum
        .affiliate_target(slug, link, from.as_deref(), count)
        .await
    {
        Ok(Some(url)) => match HeaderValue::from_str(&url) {
            Ok(location) => {
                let mut response = StatusCode::FOUND.into_response();
                let headers = response.headers_mut();
                headers.insert(header::LOCATION, location);
                headers.insert(
                    HeaderName::from_static("x-robots-tag"),
                    HeaderValue::from_static("noindex, nofollow"),
                );
                // Every click is its own count: no cache may answer for Quorum.
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("origin"));
                response
            }
            Err(_) => serve(state, slug, &format!("go/{link}"), headers, mount).await,
        },
        Ok(None) => serve(state, slug, &format!("go/{link}"), headers, mount).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A page's `limit` (1 to 1,000, default 100) and `offset` (0 or more, default 0).
fn page_bounds(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let (limit, offset) = (limit.unwrap_or(100), offset.unwrap_or(0));
    if !(1..=quorum_service::LEADS_PAGE_MAX).contains(&limit) {
        let message = format!("limit must be 1 to 1000, not {limit}");
        return Err(ServiceError::invalid_field("limit", "range", message).into());
    }
    if offset < 0 {
        let message = format!("offset must be 0 or more, not {offset}");
        return Err(ServiceError::invalid_field("offset", "range", message).into());
    }
    Ok((limit, offset))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LeadsQuery {
    /// 1 to 1,000; default 100.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many of the newest to skip; default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// `json` (default) or `csv`: every lead, newest first, as a spreadsheet reads it.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// A landing page's leads, newest first, with its headlines' views, conversions and
/// conversion rates (the site's owner or an admin); `?format=csv` for every lead as CSV.
#[utoipa::path(get, path = "/api/sites/{slug}/leads", tag = "sites", operation_id = "list_site_leads",
    params(("slug" = String, Path, description = "The site's slug"), LeadsQuery), security(("bearer" = [])),
    responses((status = 200, description = "The leads and each headline's counts (JSON), or every lead (text/csv)", body = LeadsReport),
        (status = 403, description = "The caller is neither the site's owner nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No site is deployed at this slug, or it has no lead form", body = ErrorEnvelope),
        (status = 422, description = "A query parameter breaks its rule", body = ErrorEnvelope)))]
pub async fn leads(
    State(state): State<AppState>,
    Caller(caller): Caller,
    UrlPath(slug): UrlPath<String>,
    ApiQuery(query): ApiQuery<LeadsQuery>,
) -> Result<Response, ApiError> {
    let (limit, offset) = page_bounds(query.limit, query.offset)?;
    match query.format.as_deref() {
        None | Some("json") => Ok(Json(
            state
                .quorum
                .site_leads(&caller, &slug, limit, offset)
                .await?,
        )
        .into_response()),
        Some("csv") => {
            let csv = state.quorum.site_leads_csv(&caller, &slug).await?;
            let disposition = format!("attachment; filename=\"{slug}-leads.csv\"");
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                csv,
            )
                .into_response())
        }
        Some(other) => Err(ServiceError::invalid_field(
            "format",
            "enum",
            format!("format must be json or csv, not {other:?}"),
        )
        .into()),
    }
}

/// An affiliate site's clicks per link and per page (the site's owner or an admin).
#[utoipa::path(get, path = "/api/sites/{slug}/clicks", tag = "sites", operation_id = "list_site_clicks",
    params(("slug" = String, Path, description = "The site's slug")), security(("bearer" = [])),
    responses((status = 200, description = "Clicks per link, most first, and per page", body = ClicksReport),
        (status = 403, description = "The caller is neither the site's owner nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No site is deployed at this slug, or it has no affiliate links", body = ErrorEnvelope)))]
pub async fn clicks(
    State(state): State<AppState>,
    Caller(caller): Caller,
    UrlPath(slug): UrlPath<String>,
) -> Result<Json<ClicksReport>, ApiError> {
    Ok(Json(state.quorum.site_clicks(&caller, &slug).await?))
}

/// `POST /sites/{slug}/order`: the answer to a checkout.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderAccepted {
    pub number: String,
    /// In minor units of `currency`, as the server priced it.
    pub total: i64,
    pub currency: String,
    pub status: String,
    #[schema(value_type = Vec<Object>)]
    pub lines: serde_json::Value,
    /// True when this key was placed before: the same order, nothing taken or sent again.
    pub replayed: bool,
}

/// `POST /sites/{slug}/order`.
pub async fn order(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    checkout(&state, &slug, remote, &headers, &body).await
}

/// A checkout for `slug`, answered for the client that sent it.
pub(crate) async fn checkout(
    state: &AppState,
    slug: &str,
    remote: Option<IpAddr>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let html = wants_html(headers);
    let form = strict::form::<BTreeMap<String, String>>(body);
    let typed = form.as_ref().cloned().unwrap_or_default();
    let receipt = match form {
        Ok(form) => state.quorum.place_order(slug, &form, remote).await,
        Err(details) => Err(ServiceError::BadRequest {
            message: "the order could not be read: send it as a browser does, in UTF-8".into(),
            details,
        }),
    };
    let (order, replayed) = match receipt {
        Ok(OrderReceipt::Placed { order, replayed }) => (order, replayed),
        Ok(OrderReceipt::Discarded(order)) => (order, false),
        Ok(OrderReceipt::Refused {
            state: refused,
            error,
        }) => {
            return refused_order(state, slug, html, &refused, ApiError::from(error)).await;
        }
        Err(e @ ServiceError::NotFound(_)) => return ApiError::from(e).into_response(),
        Err(e) => {
            let error = ApiError::from(e);
            let refused = CheckoutState {
                name: typed.get("name").cloned().unwrap_or_default(),
                email: typed.get("email").cloned().unwrap_or_default(),
                phone: typed.get("phone").cloned().unwrap_or_default(),
                notes: typed.get("notes").cloned().unwrap_or_default(),
                problems: vec![error.message.clone()],
            };
            return refused_order(state, slug, html, &refused, error).await;
        }
    };
    let accepted = || {
        let body = OrderAccepted {
            number: order.number.clone(),
            total: order.total,
            currency: order.currency.clone(),
            status: order.status.clone(),
            lines: order.lines.clone(),
            replayed,
        };
        let status = if replayed {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        (status, Json(body)).into_response()
    };
    if !html {
        return accepted();
    }
    let placed = placed_view(&order);
    match state
        .quorum
        .order_answer_page(slug, OrderAnswer::Placed(&placed))
        .await
    {
        Ok(Some(page)) => private(StatusCode::OK, page),
        _ => accepted(),
    }
}

async fn refused_order(
    state: &AppState,
    slug: &str,
    html: bool,
    refused: &CheckoutState,
    error: ApiError,
) -> Response {
    if !html {
        return error.into_response();
    }
    match state
        .quorum
        .order_answer_page(slug, OrderAnswer::Refused(refused))
        .await
    {
        Ok(Some(page)) => private(error.status, page),
        _ => error.into_response(),
    }
}

/// A shop's orders, newest first (the site's owner or an admin).
#[utoipa::path(get, path = "/api/sites/{slug}/orders", tag = "sites", operation_id = "list_site_orders",
    params(("slug" = String, Path, description = "The site's slug"), OrdersQuery), security(("bearer" = [])),
    responses((status = 200, description = "The orders, newest first", body = Vec<quorum_store::Order>),
        (status = 403, description = "The caller is neither the site's owner nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No site is deployed at this slug", body = ErrorEnvelope),
        (status = 422, description = "A query parameter breaks its rule", body = ErrorEnvelope)))]
pub async fn orders(
    State(state): State<AppState>,
    Caller(caller): Caller,
    UrlPath(slug): UrlPath<String>,
    ApiQuery(query): ApiQuery<OrdersQuery>,
) -> Result<Json<Vec<quorum_store::Order>>, ApiError> {
    let (limit, offset) = page_bounds(query.limit, query.offset)?;
    Ok(Json(
        state
            .quorum
            .site_orders(&caller, &slug, limit, offset)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrdersQuery {
    /// 1 to 1,000; default 100.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many of the newest to skip; default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// One order with its history (the site's owner or an admin).
#[utoipa::path(get, path = "/api/sites/{slug}/orders/{number}", tag = "sites", operation_id = "get_site_order",
    params(("slug" = String, Path, description = "The site's slug"), ("number" = String, Path, description = "The order's number")),
    security(("bearer" = [])),
    responses((status = 200, description = "The order and its history", body = OrderDetail),
        (status = 403, description = "The caller is neither the site's owner nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No such site or order", body = ErrorEnvelope)))]
pub async fn site_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    UrlPath((slug, number)): UrlPath<(String, String)>,
) -> Result<Json<OrderDetail>, ApiError> {
    Ok(Json(
        state.quorum.site_order(&caller, &slug, &number).await?,
    ))
}

/// Moves an order on: received → fulfilled, received or fulfilled → cancelled (which gives
/// its stock back). Audited, and the customer is e-mailed.
#[utoipa::path(post, path = "/api/sites/{slug}/orders/{number}/status", tag = "sites", operation_id = "set_site_order_status",
    params(("slug" = String, Path, description = "The site's slug"), ("number" = String, Path, description = "The order's number")),
    request_body = StatusRequest, security(("bearer" = [])),
    responses((status = 200, description = "The order, changed, with its history", body = OrderDetail),
        (status = 403, description = "The caller is neither the site's owner nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No such site or order", body = ErrorEnvelope),
        (status = 409, description = "The order's status does not allow the change", body = ErrorEnvelope),
        (status = 422, description = "The body breaks its rules", body = ErrorEnvelope)))]
pub async fn order_status(
    State(state): State<AppState>,
    Caller(caller): Caller,
    UrlPath((slug, number)): UrlPath<(String, String)>,
    crate::extract::ApiJson(request): crate::extract::ApiJson<StatusRequest>,
) -> Result<Json<OrderDetail>, ApiError> {
    Ok(Json(
        state
            .quorum
            .set_order_status(&caller, &slug, &number, request)
            .await?,
    ))
}
