//! `/dashboard/sites` and `/dashboard/sites/{slug}`: what came in to each site its owner (or
//! an admin) has, beside the workflow that built it — a landing page's leads and how each
//! headline converts, a shop's orders with the forms that fulfil or cancel them, an
//! affiliate site's clicks per link and page.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use quorum_service::{ClicksReport, LeadsReport, SiteActivity, SiteKind, StatusRequest, price};
use quorum_store::Order;
use serde::Deserialize;

use super::components::{count, scroll_table, time};
use super::layout::{self, Chrome, Flash, FlashKind, Nav, PageResult};
use super::session::Session;
use crate::router::AppState;
use crate::strict;

pub async fn list(State(state): State<AppState>, session: Session) -> PageResult {
    let sites = state.quorum.owned_sites(&session.principal).await?;
    let body = html! {
        h1 { "Sites" }
        p { "The sites you own (every site, for an admin), with what their visitors sent." }
        @if sites.is_empty() {
            p class="empty" { "You own no site yet: a website workflow you propose makes one when it deploys." }
        } @else {
            (scroll_table("Sites", html! {
                table {
                    thead { tr {
                        th scope="col" { "Site" } th scope="col" { "Owner" }
                        th scope="col" { "Built by" } th scope="col" { "Updated" }
                    } }
                    tbody { @for s in &sites { tr {
                        td { a href={ "/dashboard/sites/" (s.slug) } { (s.live.site_name) } " " span class="muted" { (s.slug) } }
                        td { (s.owner_agent.as_deref().unwrap_or("—")) }
                        td { a href={ "/dashboard/workflows/" (s.live.workflow_id) } { (s.live.workflow_id) } }
                        td { (time(&s.updated_at)) }
                    } } }
                }
            }))
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        "Sites",
        &Chrome::of(&session, Nav::Sites),
        body,
    ))
}

fn rate(rate: f64) -> String {
    format!("{:.1} %", rate * 100.0)
}

fn leads(report: &LeadsReport, slug: &str) -> Markup {
    html! {
        section aria-labelledby="headlines" {
            h2 id="headlines" { "Headlines" }
            (scroll_table("Views and sign-ups per headline", html! {
                table {
                    thead { tr {
                        th scope="col" { "Variant" } th scope="col" { "Headline" }
                        th scope="col" class="num" { "Views" } th scope="col" class="num" { "Sign-ups" }
                        th scope="col" class="num" { "Conversion rate" }
                    } }
                    tbody { @for v in &report.variants { tr {
                        td { (v.variant.to_uppercase()) } td { (v.headline) }
                        td class="num" { (count(v.views)) } td class="num" { (count(v.conversions)) }
                        td class="num" { (rate(v.conversion_rate)) }
                    } } }
                }
            }))
        }
        section aria-labelledby="leads" {
            h2 id="leads" { "Leads" }
            p { a href={ "/api/sites/" (slug) "/leads?format=csv" } { "Every lead as CSV" } " (with your API token)." }
            @if report.leads.is_empty() {
                p class="empty" { "No lead yet." }
            } @else {
                (scroll_table("Leads, newest first", html! {
                    table {
                        thead { tr {
                            th scope="col" { "Received" } th scope="col" { "Name" } th scope="col" { "E-mail" }
                            th scope="col" { "Answers" } th scope="col" { "Headline" } th scope="col" { "Forwarded" }
                        } }
                        tbody { @for l in &report.leads { tr {
                            td { (time(&l.received_at)) } td { (l.name) }
                            td { a href={ "mailto:" (l.email) } { (l.email) } }
                            td { @for (field, value) in &l.fields { span class="answer" { (field) ": " (value) } br; } }
                            td { (l.variant.to_uppercase()) } td { (l.delivery) }
                        } } }
                    }
                }))
            }
        }
    }
}

fn orders(orders: &[Order], activity: &SiteActivity, csrf: &str) -> Markup {
    let slug = &activity.site.slug;
    let currency = activity.currency.as_deref().unwrap_or("USD");
    html! {
        section aria-labelledby="orders" {
            h2 id="orders" { "Orders" }
            p { "Customers pay on pickup or by invoice: no payment was taken online." }
            @if orders.is_empty() {
                p class="empty" { "No order yet." }
            } @else {
                (scroll_table("Orders, newest first", html! {
                    table {
                        thead { tr {
                            th scope="col" { "Order" } th scope="col" { "Placed" } th scope="col" { "Customer" }
                            th scope="col" { "Lines" } th scope="col" class="num" { "Total" }
                            th scope="col" { "Status" } th scope="col" { "Action" }
                        } }
                        tbody { @for o in orders { tr {
                            th scope="row" { (o.number) }
                            td { (time(&o.created_at)) }
                            td { (o.name) br; a href={ "mailto:" (o.email) } { (o.email) } }
                            td { @for line in o.lines.as_array().into_iter().flatten() {
                                (line["quantity"]) " × " (line["name"].as_str().unwrap_or_default()) br;
                            } }
                            td class="num" { (price(o.total.max(0) as u64, currency, &activity.language)) }
                            td { (o.status) }
                            td {
                                @for (to, label) in [("fulfilled", "Fulfil"), ("cancelled", "Cancel")] {
                                    @let allowed = matches!((o.status.as_str(), to), ("received", _) | ("fulfilled", "cancelled"));
                                    @if allowed {
                                        form class="inline" method="post" action={ "/dashboard/sites/" (slug) "/orders/" (o.number) } {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="hidden" name="status" value=(to);
                                            button type="submit" { (label) span class="visually-hidden" { " order " (o.number) } }
                                        }
                                    }
                                }
                            }
                        } } }
                    }
                }))
            }
        }
    }
}

fn clicks(report: &ClicksReport) -> Markup {
    html! {
        section aria-labelledby="clicks" {
            h2 id="clicks" { "Affiliate clicks" }
            p { (count(report.total)) " clicks in all." }
            @if !report.links.is_empty() {
                (scroll_table("Clicks per link and page", html! {
                    table {
                        thead { tr {
                            th scope="col" { "Link" } th scope="col" { "Merchant" }
                            th scope="col" class="num" { "Clicks" } th scope="col" { "From" }
                        } }
                        tbody { @for l in &report.links { tr {
                            th scope="row" { (l.link) }
                            td { (l.merchant_url.as_deref().unwrap_or("no longer listed")) }
                            td class="num" { (count(l.clicks)) }
                            td { @for p in &l.pages { (p.page) ": " (count(p.clicks)) br; } }
                        } } }
                    }
                }))
            }
        }
    }
}

pub async fn site(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> PageResult {
    let activity = state
        .quorum
        .site_activity(&session.principal, &slug)
        .await?;
    let site = &activity.site;
    let kind = match activity.kind {
        SiteKind::Basic => "Business site",
        SiteKind::Landing => "Landing page",
        SiteKind::Affiliate => "Affiliate site",
        SiteKind::Shop => "Online store",
    };
    let body = html! {
        h1 { (site.live.site_name) }
        dl class="facts" {
            dt { "Kind" } dd { (kind) }
            dt { "Address" } dd { a href={ "/sites/" (site.slug) "/" } { "/sites/" (site.slug) "/" } }
            dt { "Built by" } dd { a href={ "/dashboard/workflows/" (site.live.workflow_id) } { (site.live.workflow_id) } }
            dt { "Owner" } dd { (site.owner_agent.as_deref().unwrap_or("—")) }
            dt { "Live since" } dd { (time(&site.updated_at)) }
        }
        @if let Some(report) = &activity.leads { (leads(report, &site.slug)) }
        @if let Some(list) = &activity.orders { (orders(list, &activity, &session.csrf)) }
        @if let Some(report) = &activity.clicks { (clicks(report)) }
        @if activity.kind == SiteKind::Basic {
            p { "Its contact form's messages reach " (site.live.site_name) "'s address; admins read them at "
                code { "/api/sites/" (site.slug) "/messages" } "." }
        }
    };
    Ok(layout::render(
        &state,
        StatusCode::OK,
        &site.live.site_name,
        &Chrome::of(&session, Nav::Sites),
        body,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
}

/// Fulfils or cancels an order from the site's page.
pub async fn order_status(
    State(state): State<AppState>,
    session: Session,
    Path((slug, number)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let here = format!("/dashboard/sites/{slug}");
    let Ok(form) = strict::form::<StatusForm>(&body) else {
        let flash = Flash::new(
            FlashKind::Error,
            "The form could not be read; nothing was changed.",
        );
        return layout::redirect_with(&state, &here, flash).await;
    };
    if let Err(refused) = session.check_csrf(&form.csrf) {
        return refused.into_response();
    }
    let request = StatusRequest {
        status: form.status,
        reason: None,
    };
    let flash = match state
        .quorum
        .set_order_status(&session.principal, &slug, &number, request)
        .await
    {
        Ok(detail) => Flash::new(
            FlashKind::Success,
            format!(
                "Order {number} is {}; the customer has been told.",
                detail.order.status
            ),
        ),
        Err(e) => Flash::new(FlashKind::Error, e.to_string()),
    };
    layout::redirect_with(&state, &here, flash).await
}
