//! What visitors do on the website family's sites, and what their owners read of it: leads
//! from a landing page's form (checked against the form the live deployment was built from,
//! rate-limited, kept, forwarded by SMTP when Quorum has a server), views and conversions per
//! headline, and clicks on an affiliate site's links, each redirect going only to a URL the
//! deployed inputs list. Everything is counted in the database, so any number of servers
//! agree.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use quorum_domain::ids::new_id;
use quorum_domain::{FieldError, Principal, Role};
use quorum_steps::site::{
    LEAD_EMAIL, LEAD_NAME, Landing, LeadAnswer, LeadProblem, LeadProblemKind, Media, SiteInputs,
    SiteSpec, VARIANT_B_FILE, Variant, check_lead, lead_answer, merchant_url,
};
use quorum_store::{DeliveryReport, Hit, Lead, SiteCount, SiteEvent};
use serde::Serialize;

use crate::sites::LiveSite;
use crate::{Quorum, ServiceError, ServiceResult};

/// Leads one address may send one site per minute, over a sliding minute.
pub const LEADS_PER_MINUTE: u32 = 5;
/// The most leads one page of `GET /api/sites/{slug}/leads` holds.
pub const LEADS_PAGE_MAX: i64 = 1_000;

/// What became of a lead form's submission.
#[derive(Debug)]
pub enum LeadReceipt {
    Kept(Box<Lead>),
    /// The honeypot was filled in: answered like a success, kept nowhere.
    Discarded {
        id: String,
        delivery: String,
    },
    /// The form's rules refused it: each problem for the page, the error for JSON clients.
    Refused {
        problems: Vec<LeadProblem>,
        variant: Variant,
        error: ServiceError,
    },
}

/// A site's leads and how each headline converts, for its owner.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeadsReport {
    pub site: String,
    /// The live deployment, whose headlines `variants` counts.
    pub deployment_id: String,
    pub variants: Vec<VariantStats>,
    /// Newest first.
    pub leads: Vec<Lead>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VariantStats {
    /// `a` or `b`.
    pub variant: String,
    pub headline: String,
    /// Page loads of this headline (HEAD requests and revalidations that send no page are
    /// not counted).
    pub views: i64,
    /// Leads from visitors shown this headline.
    pub conversions: i64,
    /// conversions ÷ views, 0 without views.
    pub conversion_rate: f64,
}

/// A site's affiliate clicks, for its owner: per link, and per page within each link.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClicksReport {
    pub site: String,
    pub total: i64,
    pub links: Vec<LinkClicks>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LinkClicks {
    pub link: String,
    /// Where the link redirects in the live deployment; None for a link it no longer has.
    pub merchant_url: Option<String>,
    pub clicks: i64,
    pub pages: Vec<PageClicks>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PageClicks {
    /// The page the click came from: `home`, `reviews/{link}`, `compare/{slug}`.
    pub page: String,
    pub clicks: i64,
}

fn no_lead_form(slug: &str) -> ServiceError {
    ServiceError::NotFound(format!("the site {slug:?} has no lead form"))
}

/// The problems as the API's field errors, in English.
fn field_errors(landing: &Landing, problems: &[LeadProblem]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| {
            let rule = match p.kind {
                LeadProblemKind::Required => "required",
                LeadProblemKind::TooLong { .. } => "length",
                LeadProblemKind::NotEmail => "format",
                LeadProblemKind::NotOneLine => "no_control_characters",
                LeadProblemKind::NotAnOption => "enum",
                LeadProblemKind::Consent => "consent",
                LeadProblemKind::Unreadable => "no_nul",
                LeadProblemKind::TooMany { .. } => "rate",
                LeadProblemKind::Unavailable => "unavailable",
            };
            FieldError::new(
                p.field.clone().unwrap_or_default(),
                rule,
                p.said(landing, "en"),
            )
        })
        .collect()
}

impl Quorum {
    /// A live site of the landing-page kind, with the inputs it was built from.
    async fn landing_site(&self, slug: &str) -> ServiceResult<(Arc<LiveSite>, Arc<SiteInputs>)> {
        self.site_with(slug, |i| i.landing.is_some(), "lead form")
            .await
    }

    /// The live site `slug` with the inputs it was built from, when they are of the kind
    /// `fits` accepts; NotFound naming `what` it lacks otherwise.
    pub(crate) async fn site_with(
        &self,
        slug: &str,
        fits: impl Fn(&SiteInputs) -> bool,
        what: &str,
    ) -> ServiceResult<(Arc<LiveSite>, Arc<SiteInputs>)> {
        let site = self
            .live_site(slug)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("there is no site {slug:?}")))?;
        let inputs = self
            .sites
            .inputs(&site)
            .await?
            .filter(|i| fits(i))
            .ok_or_else(|| ServiceError::NotFound(format!("the site {slug:?} has no {what}")))?;
        Ok((site, inputs))
    }

    /// Receives a lead for the landing page `slug` from `remote`: `submitted` is the form as
    /// posted, field by field.
    pub async fn receive_lead(
        &self,
        slug: &str,
        submitted: &BTreeMap<String, String>,
        remote: Option<IpAddr>,
    ) -> ServiceResult<LeadReceipt> {
        let (site, inputs) = self.landing_site(slug).await?;
        let landing = inputs.landing.as_ref().ok_or_else(|| no_lead_form(slug))?;
        let variant = Variant::parse(submitted.get("variant").map_or("", String::as_str));
        let values = match check_lead(landing, submitted) {
            Ok(values) => values,
            Err(problems) => {
                let error = ServiceError::invalid(
                    "the lead cannot be kept as it is",
                    field_errors(landing, &problems),
                );
                return Ok(LeadReceipt::Refused {
                    problems,
                    variant,
                    error,
                });
            }
        };
        let address = remote.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let now = quorum_domain::time::now();
        let counts = self
            .store
            .count_hit(&Hit {
                key: format!("lead:{slug}:{address}"),
                at: now,
                window: chrono::Duration::minutes(1),
            })
            .await?;
        if counts.estimate(now) > f64::from(LEADS_PER_MINUTE) {
            return Err(ServiceError::RateLimited(format!(
                "at most {LEADS_PER_MINUTE} sign-ups a minute may be sent to this site from one address; try again shortly"
            )));
        }
        let delivery = match self.mailer {
            Some(_) => "sent",
            None => "outbox",
        };
        if submitted
            .get(quorum_steps::site::HONEYPOT_FIELD)
            .is_some_and(|v| !v.is_empty())
        {
            tracing::info!(site = slug, "discarded a lead that filled in the honeypot");
            return Ok(LeadReceipt::Discarded {
                id: new_id("lead"),
                delivery: delivery.into(),
            });
        }
        let mut lead = Lead {
            id: new_id("lead"),
            site: slug.to_owned(),
            deployment_id: site.deployment.id.clone(),
            workflow_id: site.deployment.workflow_id.clone(),
            name: values.name,
            email: values.email,
            fields: values.fields,
            consent: values.consent,
            variant: values.variant.as_str().to_owned(),
            remote_addr: remote.map(|ip| ip.to_string()),
            received_at: now,
            delivery: "outbox".into(),
            delivered_at: None,
            error: None,
        };
        self.store.add_lead(&lead).await?;
        if let Some(mailer) = &self.mailer {
            let labelled: Vec<(String, String)> = landing
                .form
                .fields
                .iter()
                .filter_map(|f| {
                    let value = lead.fields.get(&f.name)?;
                    Some((f.label.trim().to_owned(), value.clone()))
                })
                .collect();
            let sent = mailer
                .send_lead(&inputs.site_name, &inputs.contact_email, &lead, &labelled)
                .await;
            let (delivery, error) = match sent {
                Ok(()) => ("sent", None),
                Err(e) => {
                    tracing::warn!(site = slug, error = %e, "forwarding a lead failed; it stays kept");
                    ("failed", Some(e))
                }
            };
            let report = DeliveryReport {
                message_id: lead.id.clone(),
                delivery: delivery.into(),
                error,
                at: quorum_domain::time::now(),
            };
            self.store.set_lead_delivery(&report).await?;
            lead.delivery = report.delivery;
            lead.delivered_at = Some(report.at);
            lead.error = report.error;
        }
        Ok(LeadReceipt::Kept(Box::new(lead)))
    }

    /// The page answering a lead, in the site's own layout; None when the site or the inputs
    /// it was built from are gone.
    pub async fn lead_answer_page(
        &self,
        slug: &str,
        answer: LeadAnswer<'_>,
    ) -> ServiceResult<Option<Vec<u8>>> {
        let Ok((site, inputs)) = self.landing_site(slug).await else {
            return Ok(None);
        };
        let date = site.deployment.created_at.format("%Y-%m-%d").to_string();
        let spec = SiteSpec::served_by(&self.step_env.public_url, slug, &site.deployment.id, &date);
        let pictures: Vec<String> = inputs
            .logo
            .iter()
            .chain(&inputs.hero_image)
            .map(|image| image.upload.clone())
            .collect();
        let media = crate::uploads::media(&self.sites, &pictures)
            .await
            .unwrap_or_else(|_| Media::default());
        Ok(lead_answer(&inputs, &spec, &media, answer))
    }

    /// The variant of a landing page's home the visitor keyed by `visitor` is shown: half
    /// see the second headline when the deployment has one. None for a site that is not a
    /// landing page (its home is not counted).
    pub async fn home_variant(&self, site: &LiveSite, visitor: &str) -> Option<Variant> {
        if site.has_file(VARIANT_B_FILE) {
            return Some(Variant::for_visitor(&format!(
                "{}:{visitor}",
                site.deployment.site
            )));
        }
        let inputs = self.sites.inputs(site).await.ok().flatten()?;
        inputs.landing.is_some().then_some(Variant::A)
    }

    /// Counts a page load of `variant`'s headline on `site`, in the background: a visitor's
    /// page does not wait for a count, and a count that fails is logged.
    pub fn count_view(&self, site: &LiveSite, variant: Variant) {
        let store = self.store.clone();
        let event = SiteEvent {
            site: site.deployment.site.clone(),
            deployment_id: site.deployment.id.clone(),
            metric: "view".into(),
            label: variant.as_str().into(),
        };
        tokio::spawn(async move {
            if let Err(e) = store.count_site_event(&event).await {
                tracing::warn!(site = event.site, error = %e, "counting a view failed");
            }
        });
    }

    /// Where the affiliate link `link` of `slug` leads, counting the click from `from` when
    /// `count` (a GET; a HEAD only asks). None when the live deployment lists no such link:
    /// the redirect goes nowhere the inputs did not name.
    pub async fn affiliate_target(
        &self,
        slug: &str,
        link: &str,
        from: Option<&str>,
        count: bool,
    ) -> ServiceResult<Option<String>> {
        let Some(site) = self.live_site(slug).await? else {
            return Ok(None);
        };
        let Some(inputs) = self.sites.inputs(&site).await? else {
            return Ok(None);
        };
        let Some(url) = inputs
            .affiliate
            .as_ref()
            .and_then(|a| merchant_url(a, link))
            .map(str::to_owned)
        else {
            return Ok(None);
        };
        if count {
            // A page the site has, or "home"; anything else a visitor typed is not a page.
            let page = from
                .filter(|p| *p == "home" || site.has_file(&format!("{p}/index.html")))
                .unwrap_or("unknown");
            let event = SiteEvent {
                site: slug.to_owned(),
                deployment_id: site.deployment.id.clone(),
                metric: "click".into(),
                label: format!("{link} {page}"),
            };
            self.store.count_site_event(&event).await?;
        }
        Ok(Some(url))
    }

    /// The site `slug`, for its owner or an admin.
    pub(crate) async fn owned_site(
        &self,
        caller: &Principal,
        slug: &str,
        what: &str,
    ) -> ServiceResult<()> {
        let site = self.site(slug).await?;
        let owner = site.owner_agent.as_deref() == Some(caller.id.as_str());
        if !owner && !caller.has_role(Role::Admin) {
            return Err(ServiceError::Forbidden(format!(
                "only {} (its owner) or an admin may read the {what} of {slug}",
                site.owner_agent.as_deref().unwrap_or("the site's owner")
            )));
        }
        Ok(())
    }

    /// A landing page's leads, newest first, and its headlines' views and conversions.
    pub async fn site_leads(
        &self,
        caller: &Principal,
        slug: &str,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<LeadsReport> {
        self.owned_site(caller, slug, "leads").await?;
        let (site, inputs) = self.landing_site(slug).await?;
        let landing = inputs.landing.as_ref().ok_or_else(|| no_lead_form(slug))?;
        let limit = limit.clamp(1, LEADS_PAGE_MAX);
        let offset = offset.max(0);
        let counts = self.store.site_counts(slug).await?;
        let count = |metric: &str, variant: Variant| {
            counts
                .iter()
                .filter(|c| c.deployment_id == site.deployment.id)
                .filter(|c| c.metric == metric && c.label == variant.as_str())
                .map(|c| c.count)
                .sum::<i64>()
        };
        let mut shown = vec![Variant::A];
        if landing.has_variants() {
            shown.push(Variant::B);
        }
        let variants = shown
            .into_iter()
            .map(|v| {
                let (views, conversions) = (count("view", v), count("conversion", v));
                VariantStats {
                    variant: v.as_str().into(),
                    headline: landing.headline(v).to_owned(),
                    views,
                    conversions,
                    conversion_rate: rate(conversions, views),
                }
            })
            .collect();
        Ok(LeadsReport {
            site: slug.to_owned(),
            deployment_id: site.deployment.id.clone(),
            variants,
            leads: self.store.leads(slug, limit, offset).await?,
            limit,
            offset,
        })
    }

    /// A landing page's leads as CSV: a header row, then one row per lead, newest first, the
    /// form's own fields as columns in the form's order.
    pub async fn site_leads_csv(&self, caller: &Principal, slug: &str) -> ServiceResult<String> {
        self.owned_site(caller, slug, "leads").await?;
        let (_, inputs) = self.landing_site(slug).await?;
        let landing = inputs.landing.as_ref().ok_or_else(|| no_lead_form(slug))?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let own: Vec<&str> = landing
            .form
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        let mut header = vec!["received_at", "id", LEAD_NAME, LEAD_EMAIL];
        header.extend(&own);
        header.extend(["consent", "variant", "delivery"]);
        out.write_record(&header).map_err(csv_error)?;
        let mut offset = 0;
        loop {
            let page = self.store.leads(slug, LEADS_PAGE_MAX, offset).await?;
            for lead in &page {
                let mut row = vec![
                    lead.received_at.to_rfc3339(),
                    lead.id.clone(),
                    spreadsheet_safe(&lead.name),
                    spreadsheet_safe(&lead.email),
                ];
                row.extend(
                    own.iter()
                        .map(|f| spreadsheet_safe(lead.fields.get(*f).map_or("", String::as_str))),
                );
                row.extend([
                    if lead.consent { "yes" } else { "no" }.to_owned(),
                    lead.variant.clone(),
                    lead.delivery.clone(),
                ]);
                out.write_record(&row).map_err(csv_error)?;
            }
            if (page.len() as i64) < LEADS_PAGE_MAX {
                break;
            }
            offset += LEADS_PAGE_MAX;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
    }

    /// An affiliate site's clicks per link and per page, across its deployments.
    pub async fn site_clicks(&self, caller: &Principal, slug: &str) -> ServiceResult<ClicksReport> {
        self.owned_site(caller, slug, "clicks").await?;
        let site = self
            .live_site(slug)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("there is no site {slug:?}")))?;
        let inputs = self.sites.inputs(&site).await?;
        let affiliate = inputs
            .as_ref()
            .and_then(|i| i.affiliate.as_ref())
            .ok_or_else(|| {
                ServiceError::NotFound(format!("the site {slug:?} has no affiliate links"))
            })?;
        let counts = self.store.site_counts(slug).await?;
        Ok(ClicksReport {
            site: slug.to_owned(),
            total: counts
                .iter()
                .filter(|c| c.metric == "click")
                .map(|c| c.count)
                .sum(),
            links: clicks_by_link(&counts, |link| {
                merchant_url(affiliate, link).map(str::to_owned)
            }),
        })
    }
}

/// conversions ÷ views, to four places; 0 without views.
fn rate(conversions: i64, views: i64) -> f64 {
    match views {
        0 => 0.0,
        _ => (conversions as f64 / views as f64 * 10_000.0).round() / 10_000.0,
    }
}

/// The click counts grouped by link (most clicked first), then page.
fn clicks_by_link(
    counts: &[SiteCount],
    merchant: impl Fn(&str) -> Option<String>,
) -> Vec<LinkClicks> {
    let mut by_link: BTreeMap<&str, BTreeMap<&str, i64>> = BTreeMap::new();
    for c in counts.iter().filter(|c| c.metric == "click") {
        let (link, page) = c
            .label
            .split_once(' ')
            .unwrap_or((c.label.as_str(), "unknown"));
        *by_link.entry(link).or_default().entry(page).or_default() += c.count;
    }
    let mut links: Vec<LinkClicks> = by_link
        .into_iter()
        .map(|(link, pages)| {
            let mut pages: Vec<PageClicks> = pages
                .into_iter()
                .map(|(page, clicks)| PageClicks {
                    page: page.to_owned(),
                    clicks,
                })
                .collect();
            pages.sort_by(|a, b| b.clicks.cmp(&a.clicks).then(a.page.cmp(&b.page)));
            LinkClicks {
                link: link.to_owned(),
                merchant_url: merchant(link),
                clicks: pages.iter().map(|p| p.clicks).sum(),
                pages,
            }
        })
        .collect();
    links.sort_by(|a, b| b.clicks.cmp(&a.clicks).then(a.link.cmp(&b.link)));
    links
}

/// A cell a spreadsheet shows as text: one that starts like a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading apostrophe, so opening the export never runs
/// what a visitor typed (OWASP's CSV injection advice).
fn spreadsheet_safe(value: &str) -> String {
    match value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{value}"),
        false => value.to_owned(),
    }
}

fn csv_error(e: csv::Error) -> ServiceError {
    ServiceError::Store(quorum_store::StoreError::Other(format!(
        "writing the leads as CSV failed: {e}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(metric: &str, label: &str, n: i64) -> SiteCount {
        SiteCount {
            deployment_id: "deploy_1".into(),
            metric: metric.into(),
            label: label.into(),
            count: n,
        }
    }

    #[test]
    fn clicks_group_by_link_then_page_most_first() {
        let counts = [
            count("click", "tent home", 3),
            count("click", "tent reviews/tent", 5),
            count("click", "stove home", 1),
            count("view", "a", 100),
        ];
        let links = clicks_by_link(&counts, |l| {
            (l == "tent").then(|| "https://m.example".into())
        });
        assert_eq!(links.len(), 2);
        assert_eq!((links[0].link.as_str(), links[0].clicks), ("tent", 8));
        assert_eq!(
            links[0].pages[0],
            PageClicks {
                page: "reviews/tent".into(),
                clicks: 5
            }
        );
        assert_eq!(links[1].merchant_url, None);
    }

    #[test]
    fn rates_are_conversions_per_view() {
        assert_eq!(rate(0, 0), 0.0);
        assert_eq!(rate(1, 3), 0.3333);
    }

    #[test]
    fn exported_cells_never_start_a_formula() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("Ana"), "Ana");
    }
}

/// What came in to one site, for its owner's dashboard: what each of its parts received.
#[derive(Debug, Clone)]
pub struct SiteActivity {
    pub site: quorum_store::SiteRecord,
    pub kind: quorum_steps::site::SiteKind,
    /// The shop's currency and its catalogue's language, for prices.
    pub currency: Option<String>,
    pub language: String,
    pub leads: Option<LeadsReport>,
    pub orders: Option<Vec<quorum_store::Order>>,
    pub clicks: Option<ClicksReport>,
}

impl Quorum {
    /// Sites the caller may read the activity of: those its agent owns, or every site for an
    /// admin; in slug order, at most 500.
    pub async fn owned_sites(
        &self,
        caller: &Principal,
    ) -> ServiceResult<Vec<quorum_store::SiteRecord>> {
        let sites = self.sites(None, 500).await?;
        Ok(sites
            .into_iter()
            .filter(|s| {
                caller.has_role(Role::Admin) || s.owner_agent.as_deref() == Some(caller.id.as_str())
            })
            .collect())
    }

    /// What came in to `slug` (its owner or an admin): leads and how each headline converts,
    /// the newest orders, the clicks per link; only the parts its kind has.
    pub async fn site_activity(
        &self,
        caller: &Principal,
        slug: &str,
    ) -> ServiceResult<SiteActivity> {
        self.owned_site(caller, slug, "activity").await?;
        let site = self.site(slug).await?;
        let live = self.live_site(slug).await?;
        let inputs = match &live {
            Some(live) => self.sites.inputs(live).await?,
            None => None,
        };
        let kind = inputs.as_deref().map_or(
            quorum_steps::site::SiteKind::Basic,
            quorum_steps::site::SiteKind::of,
        );
        use quorum_steps::site::SiteKind;
        Ok(SiteActivity {
            leads: match kind {
                SiteKind::Landing => Some(self.site_leads(caller, slug, 100, 0).await?),
                _ => None,
            },
            orders: match kind {
                SiteKind::Shop => Some(self.site_orders(caller, slug, 100, 0).await?),
                _ => None,
            },
            clicks: match kind {
                SiteKind::Affiliate => Some(self.site_clicks(caller, slug).await?),
                _ => None,
            },
            currency: inputs
                .as_ref()
                .and_then(|i| i.shop.as_ref())
                .map(|s| s.currency.clone()),
            language: inputs
                .as_ref()
                .map_or("en".into(), |i| i.language().to_owned()),
            kind,
            site,
        })
    }
}
