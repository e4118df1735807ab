//! What every page shares: URLs under the site's base, the document head (title, description,
//! canonical, Open Graph), the skip link, the header with its navigation, and the footer.

use maud::{DOCTYPE, Markup, html};

use super::{CSS_FILE, JS_FILE, LOGO_FILE, Media, Page, PageKind, SiteInputs, SiteSpec};

/// The logo's drawn size in pixels; the SVG's own viewBox matches it.
pub(crate) const LOGO_SIZE: u32 = 48;

/// Everything a template needs, computed once per site.
pub(crate) struct Ctx<'a> {
    pub inputs: &'a SiteInputs,
    pub spec: &'a SiteSpec,
    pub pages: &'a [Page],
    /// The uploads the inputs' images name.
    pub media: &'a Media,
    /// `base_url` without a trailing slash.
    base_url: String,
    /// The path part of `base_url` (`/sites/x`, or empty at a host's root): links are
    /// absolute paths, so they resolve from any page, the 404 page at any depth included.
    base_path: String,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        inputs: &'a SiteInputs,
        spec: &'a SiteSpec,
        pages: &'a [Page],
        media: &'a Media,
    ) -> Self {
        let base_url = spec.base_url.trim_end_matches('/').to_string();
        let after_scheme = base_url
            .split_once("://")
            .map_or(base_url.as_str(), |(_, rest)| rest);
        let base_path = after_scheme
            .find('/')
            .map_or("", |i| &after_scheme[i..])
            .to_string();
        Ctx {
            inputs,
            spec,
            pages,
            media,
            base_url,
            base_path,
        }
    }

    /// An absolute path for a site-relative path: `about/` → `/sites/x/about/`.
    pub(crate) fn href(&self, path: &str) -> String {
        format!("{}/{path}", self.base_path)
    }

    /// An absolute URL for a site-relative path, as canonical links and the sitemap want.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url)
    }

    pub(crate) fn name(&self) -> &str {
        self.inputs.site_name.trim()
    }

    pub(crate) fn description(&self) -> &str {
        self.inputs.site_description.trim()
    }

    pub(crate) fn page(&self, kind: PageKind) -> Option<&Page> {
        self.pages.iter().find(|p| p.kind == kind)
    }

    pub(crate) fn page_href(&self, kind: PageKind) -> Option<String> {
        self.page(kind).map(|p| self.href(&p.info.path))
    }
}

/// One page's head-level facts.
pub(crate) struct Meta<'p> {
    pub page: &'p Page,
    pub description: String,
}

/// The whole document around a page's main content.
pub(crate) fn document(ctx: &Ctx, meta: &Meta, main: Markup) -> Markup {
    let page = meta.page;
    let title = format!("{} — {}", page.info.title, ctx.name());
    let canonical = ctx.url(&page.info.path);
    let is_404 = page.kind == PageKind::NotFound;
    let og_type = if page.kind == PageKind::Post {
        "article"
    } else {
        "website"
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(meta.description);
                @if is_404 {
                    meta name="robots" content="noindex";
                } @else {
                    link rel="canonical" href=(canonical);
                    meta property="og:url" content=(canonical);
                }
                meta property="og:title" content=(title);
                meta property="og:description" content=(meta.description);
                meta property="og:type" content=(og_type);
                meta property="og:site_name" content=(ctx.name());
                meta property="og:image" content=(ctx.url(LOGO_FILE));
                meta name="generator" content="Quorum";
                meta name="quorum-deployment" content=(ctx.spec.deployment_id);
                link rel="icon" href=(ctx.href(LOGO_FILE)) type="image/svg+xml";
                link rel="stylesheet" href=(ctx.href(CSS_FILE));
                script src=(ctx.href(JS_FILE)) defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                (header(ctx, page))
                main #main tabindex="-1" { (main) }
                (footer(ctx, page))
            }
        }
    }
}

fn header(ctx: &Ctx, current: &Page) -> Markup {
    let logo_alt = format!("{} logo", ctx.name());
    html! {
        header.site-header {
            div.header-inner {
                a.brand href=(ctx.href("")) {
                    @if let Some(uploaded) = super::images::logo(ctx, &logo_alt) {
                        (uploaded)
                    } @else {
                        img src=(ctx.href(LOGO_FILE)) alt=(logo_alt) width=(LOGO_SIZE) height=(LOGO_SIZE);
                    }
                    span.brand-name { (ctx.name()) }
                }
                nav.site-nav aria-label="Main" {
                    (nav_list(ctx, current))
                }
            }
        }
    }
}

fn nav_list(ctx: &Ctx, current: &Page) -> Markup {
    html! {
        ul {
            @for page in ctx.pages.iter().filter(|p| p.in_nav()) {
                li {
                    a href=(ctx.href(&page.info.path))
                        aria-current=[is_current(page, current).then_some("page")] {
                        (page.info.title)
                    }
                }
            }
        }
    }
}

/// A blog post marks the blog as where the visitor is.
fn is_current(page: &Page, current: &Page) -> bool {
    page.info.slug == current.info.slug
        || (current.kind == PageKind::Post && page.kind == PageKind::Blog)
}

fn footer(ctx: &Ctx, current: &Page) -> Markup {
    let email = ctx.inputs.contact_email.trim();
    html! {
        footer.site-footer {
            div.footer-inner {
                nav.footer-nav aria-label="Footer" {
                    (nav_list(ctx, current))
                }
                p.footer-contact {
                    "Email: "
                    a href=(format!("mailto:{email}")) { (email) }
                }
                p.footer-legal {
                    "© " span data-year {} (ctx.name())
                }
            }
        }
    }
}
