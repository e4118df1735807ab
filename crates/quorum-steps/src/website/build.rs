//! The six steps that build a deployment: each keeps its own files' bytes in the store
//! (content-addressed, so a step that runs again keeps nothing new); deploy names them all.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::Plan;
use super::verify::{form_actions, resolve};
use crate::site::{
    AFFILIATE_REL, CARD_FILE, CARD_HEIGHT, CARD_WIDTH, CART_PATH, FAVICON_FILE, FileKind,
    GO_PREFIX, LEAD_EMAIL, LEAD_ENDPOINT, LEAD_NAME, ORDER_ENDPOINT, TOUCH_ICON_FILE,
    VARIANT_B_FILE, Variant, Words, affiliate_links, money, shop_products,
};
use crate::{StepContext, StepError, StepHandler};

/// Keeps `files`' bytes; returns how many files there were. A workflow with a preview keeps
/// nothing here: its preview's files were kept when it was created, blob collection keeps
/// whatever a preview names, and deploy ships those files or nothing.
async fn keep(ctx: &StepContext<'_>, files: BTreeMap<&str, &[u8]>) -> Result<usize, StepError> {
    let count = files.len();
    if ctx.preview.is_some() {
        return Ok(count);
    }
    ctx.sites
        .keep_files(files.into_values().map(<[u8]>::to_vec).collect())
        .await?;
    Ok(count)
}

pub(crate) struct InitializeProject;

#[async_trait]
impl StepHandler for InitializeProject {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        // The site's name and recipient go into the deployment's row at deploy; here the
        // inputs are only checked, so a site that cannot be built fails first.
        let plan = Plan::new(ctx).await?;
        Ok(json!({
            "slug": plan.spec.slug,
            "deployment_id": plan.spec.deployment_id,
            "files_planned": plan.site.files.len(),
        }))
    }
}

pub(crate) struct GeneratePages;

#[async_trait]
impl StepHandler for GeneratePages {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let written = keep(ctx, plan.site.files_of(FileKind::Html)).await?;
        let pages: Vec<&str> = plan.site.pages.iter().map(|p| p.slug.as_str()).collect();
        let language = plan.inputs.language();
        let words = plan.site.words_language;
        let mut outputs = json!({
            "pages": pages,
            "html_files": written,
            "missing": plan.site.missing,
            "language": language,
            "words_language": words,
        });
        // The council should see that the headings and labels are not in the site's language.
        if Words::find(language).is_none() {
            outputs["words_note"] = json!(format!(
                "Quorum has no words in {language:?}: the generator's own (navigation, headings, \
                 labels, dates) are in English; the site's own text is shown as given."
            ));
        }
        Ok(outputs)
    }
}

pub(crate) struct ApplyBranding;

#[async_trait]
impl StepHandler for ApplyBranding {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        // Pictures' renditions are kept as blobs since their upload: the deployment names those.
        keep(ctx, plan.site.files_of(FileKind::Branding)).await?;
        // The design is shown with why it was picked, so the council can ask for another.
        Ok(json!({
            "palette": plan.site.palette,
            "contrast_adjustments": plan.site.palette.adjustments,
            "fonts": plan.site.fonts,
            "theme": plan.site.theme,
        }))
    }
}

pub(crate) struct SetupSeo;

#[async_trait]
impl StepHandler for SetupSeo {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let files = plan.site.files_of(FileKind::Seo);
        for picture in [CARD_FILE, FAVICON_FILE, TOUCH_ICON_FILE] {
            if !files.contains_key(picture) {
                return Err(StepError::Permanent(format!(
                    "{picture} could not be drawn"
                )));
            }
        }
        keep(ctx, files).await?;
        let structured: Vec<Value> = plan
            .site
            .pages
            .iter()
            .map(|page| {
                let types = plan.site.structured_data.get(&page.file);
                json!({"url": plan.url(&page.path), "types": types.cloned().unwrap_or_default()})
            })
            .collect();
        Ok(json!({
            "sitemap_url": plan.canonical("sitemap.xml"),
            "robots_url": plan.canonical("robots.txt"),
            "canonical_urls": plan.site.pages.iter().map(|p| plan.canonical(&p.path)).collect::<Vec<_>>(),
            "lastmod": plan.spec.date,
            "social_card": {"url": plan.canonical(CARD_FILE), "width": CARD_WIDTH, "height": CARD_HEIGHT},
            "icons": {"favicon": plan.canonical(FAVICON_FILE), "apple_touch_icon": plan.canonical(TOUCH_ICON_FILE)},
            "structured_data": structured,
        }))
    }
}

pub(crate) struct ConfigureNavigation;

#[async_trait]
impl StepHandler for ConfigureNavigation {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        keep(ctx, plan.site.files_of(FileKind::Script)).await?;
        let navigation: Vec<Value> = plan
            .site
            .pages
            .iter()
            .filter(|p| !p.slug.starts_with("blog/"))
            .map(|p| json!({"title": p.title, "url": plan.url(&p.path)}))
            .collect();
        Ok(json!({ "navigation": navigation }))
    }
}

pub(crate) struct SetupContactForm;

#[async_trait]
impl StepHandler for SetupContactForm {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        // The form is in the contact page; what makes it work is the deployment's recipient,
        // which deploy stores from the same inputs. Check the page posts to Quorum: its
        // action, relative to the page, names the contact endpoint.
        let page_url = plan.url("contact/");
        let posts_to_quorum = plan
            .site
            .files
            .get("contact/index.html")
            .map(|file| String::from_utf8_lossy(&file.bytes))
            .is_some_and(|page| {
                form_actions(&page).iter().any(|action| {
                    resolve(&page_url, action) == Some(plan.spec.contact_action.clone())
                })
            });
        if !posts_to_quorum {
            return Err(StepError::Permanent(
                "the contact page has no form posting to Quorum".into(),
            ));
        }
        Ok(
            json!({ "contact_action": plan.spec.contact_action, "recipient": plan.inputs.contact_email }),
        )
    }
}

pub(crate) struct SetupLeadForm;

#[async_trait]
impl StepHandler for SetupLeadForm {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let Some(landing) = &plan.inputs.landing else {
            return Err(StepError::Permanent(
                "the inputs give no `landing`: there is no lead form to set up".into(),
            ));
        };
        // The form's script is the page's only one: a landing page has no navigation step to
        // keep it.
        keep(ctx, plan.site.files_of(FileKind::Script)).await?;
        let endpoint = plan.url(LEAD_ENDPOINT);
        let page_url = plan.url("");
        let mut variants = vec![("a", "index.html")];
        if landing.has_variants() {
            variants.push(("b", VARIANT_B_FILE));
        }
        for (variant, file) in &variants {
            let posts_to_quorum = plan
                .site
                .files
                .get(*file)
                .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
                .is_some_and(|page| {
                    form_actions(&page)
                        .iter()
                        .any(|action| resolve(&page_url, action).as_deref() == Some(&endpoint))
                });
            if !posts_to_quorum {
                return Err(StepError::Permanent(format!(
                    "variant {variant}'s page ({file}) has no form posting to {endpoint}"
                )));
            }
        }
        let mut fields = vec![
            json!({"name": LEAD_NAME, "required": true}),
            json!({"name": LEAD_EMAIL, "required": true}),
        ];
        fields.extend(landing.form.fields.iter().map(
            |f| json!({"name": f.name, "label": f.label, "kind": f.kind, "required": f.required}),
        ));
        let shown: Vec<Value> = variants
            .iter()
            .map(|(variant, _)| {
                json!({"variant": variant, "headline": landing.headline(Variant::parse(variant))})
            })
            .collect();
        Ok(json!({
            "lead_endpoint": endpoint,
            "lead_fields": fields,
            "consent_required": landing.form.consent.is_some(),
            "ab_test": shown,
            "leads_api": format!("/api/sites/{}/leads", plan.spec.slug),
            "recipient": plan.inputs.contact_email,
        }))
    }
}

pub(crate) struct SetupAffiliateLinks;

#[async_trait]
impl StepHandler for SetupAffiliateLinks {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let Some(affiliate) = &plan.inputs.affiliate else {
            return Err(StepError::Permanent(
                "the inputs give no `affiliate`: there are no links to set up".into(),
            ));
        };
        // Every link a page carries must be one the redirect knows, or a visitor's click
        // would land on the site's 404 page.
        let known: Vec<String> = affiliate_links(affiliate)
            .into_iter()
            .map(|(link, _)| link)
            .collect();
        for (path, page) in plan.site.files_of(FileKind::Html) {
            let page = String::from_utf8_lossy(page);
            for part in page.split("href=\"").skip(1) {
                let href = &part[..part.find('"').unwrap_or(0)];
                let Some(rest) = href.rsplit_once(GO_PREFIX).map(|(_, rest)| rest) else {
                    continue;
                };
                let link = rest.split('?').next().unwrap_or_default();
                if !known.iter().any(|k| k == link) {
                    return Err(StepError::Permanent(format!(
                        "{path} links to {href}, which names no product's link"
                    )));
                }
            }
        }
        let links: Vec<Value> = affiliate_links(affiliate)
            .into_iter()
            .map(|(link, product)| {
                json!({
                    "link": link,
                    "product": product.name,
                    "merchant": product.merchant,
                    "merchant_url": product.url,
                    "url": plan.url(&format!("{GO_PREFIX}{link}")),
                })
            })
            .collect();
        Ok(json!({
            "affiliate_links": links,
            "rel": AFFILIATE_REL,
            "clicks_api": format!("/api/sites/{}/clicks", plan.spec.slug),
        }))
    }
}

pub(crate) struct SetupCheckout;

#[async_trait]
impl StepHandler for SetupCheckout {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let Some(shop) = &plan.inputs.shop else {
            return Err(StepError::Permanent(
                "the inputs give no `shop`: there is no checkout to set up".into(),
            ));
        };
        let endpoint = plan.url(ORDER_ENDPOINT);
        let cart_url = plan.url(CART_PATH);
        let posts_to_quorum = plan
            .site
            .files
            .get(&format!("{CART_PATH}index.html"))
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .is_some_and(|page| {
                form_actions(&page)
                    .iter()
                    .any(|action| resolve(&cart_url, action).as_deref() == Some(&endpoint))
            });
        if !posts_to_quorum {
            return Err(StepError::Permanent(format!(
                "the cart page has no checkout form posting to {endpoint}"
            )));
        }
        let language = plan.inputs.language();
        let catalogue: Vec<Value> = shop_products(shop)
            .into_iter()
            .map(|(slug, p)| {
                json!({
                    "slug": slug,
                    "name": p.name,
                    "url": plan.url(&format!("products/{slug}/")),
                    "price": p.price,
                    "price_shown": money(p.price, &shop.currency, language),
                    "currency": shop.currency,
                    "options": p.options,
                    "stock": p.stock,
                })
            })
            .collect();
        Ok(json!({
            "order_endpoint": endpoint,
            "catalogue": catalogue,
            "payment": shop.payment,
            "payment_note": "No payment provider is connected: customers pay on pickup or by invoice.",
            "orders_api": format!("/api/sites/{}/orders", plan.spec.slug),
        }))
    }
}
