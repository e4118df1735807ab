//! What every page shares: URLs under the site's base, the document head (title, description,
//! canonical, Open Graph), the skip link and the header with its navigation (the footer is
//! `footer.rs`), in the site's language.

use std::cell::OnceCell;

use maud::{DOCTYPE, Markup, html};

use super::{
    CSS_FILE, ContactFormState, JS_FILE, LOGO_FILE, Media, Page, PageKind, SiteInputs, SiteSpec,
    Theme,
};

/// The logo's drawn size in pixels; the SVG's own viewBox matches it.
pub(crate) const LOGO_SIZE: u32 = 48;

/// Everything a template needs, computed once per site; [`Ctx::for_page`] and the mounts
/// say where the page being written is served.
#[derive(Clone)]
pub(crate) struct Ctx<'a> {
    pub inputs: &'a SiteInputs,
    pub spec: &'a SiteSpec,
    pub pages: &'a [Page],
    /// The uploads the inputs' images name.
    pub media: &'a Media,
    /// The design the site wears; its name is a class on every page's `<body>`.
    pub theme: Theme,
    /// The footer but its navigation, the same on every page: rendered by the first.
    pub(crate) footer_parts: OnceCell<(Markup, Markup)>,
    /// What a visitor typed into the contact form, when the page answers a submission.
    pub form: Option<&'a ContactFormState>,
    /// What a visitor typed into a landing page's lead form, when the page answers it.
    pub lead: Option<&'a super::LeadFormState>,
    /// Which headline a landing page shows.
    pub variant: super::Variant,
    /// An answer to one visitor's submission: no search engine should list it.
    pub noindex: bool,
    /// `base_url` without a trailing slash.
    base_url: String,
    /// Where canonical URLs point, without a trailing slash (see [`super::canonical_base`]).
    canonical_base: String,
    /// The path part of `base_url` (`/sites/x`, or empty at a host's root).
    base_path: String,
    links: Links,
}

/// How a page writes its links to the site's own files.
#[derive(Clone)]
enum Links {
    /// Climbing out of the page's folders (`../about/`): the same bytes work wherever the
    /// site is mounted, under `/sites/{slug}/` and at its domain's root alike.
    Relative { depth: usize },
    /// Absolute paths under a prefix (`/sites/x`, or empty for a host's root), for a page
    /// served at any depth: the 404 page, one file per mount.
    Absolute(String),
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        inputs: &'a SiteInputs,
        spec: &'a SiteSpec,
        pages: &'a [Page],
        media: &'a Media,
        theme: Theme,
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
            theme,
            footer_parts: OnceCell::new(),
            form: None,
            lead: None,
            variant: super::Variant::A,
            noindex: false,
            canonical_base: super::canonical_base(inputs, spec),
            base_url,
            base_path,
            links: Links::Relative { depth: 0 },
        }
    }

    /// The context of a page served at its own path: links relative to its folder.
    pub(crate) fn for_page(&self, page: &Page) -> Self {
        Ctx {
            links: Links::Relative {
                depth: page.info.path.matches('/').count(),
            },
            ..self.clone()
        }
    }

    /// Links as absolute paths under `base_url`'s path (`/sites/x/about/`).
    pub(crate) fn under_base_path(&self) -> Self {
        Ctx {
            links: Links::Absolute(self.base_path.clone()),
            ..self.clone()
        }
    }

    /// Links as absolute paths at a host's root (`/about/`), as the site's domain serves it.
    pub(crate) fn at_host_root(&self) -> Self {
        Ctx {
            links: Links::Absolute(String::new()),
            ..self.clone()
        }
    }

    /// A link from the current page to a site-relative path: `about/` → `../about/` from
    /// `blog/`, `/sites/x/about/` on the 404 page.
    pub(crate) fn href(&self, path: &str) -> String {
        match &self.links {
            Links::Relative { depth: 0 } if path.is_empty() => "./".to_owned(),
            Links::Relative { depth } => format!("{}{path}", "../".repeat(*depth)),
            Links::Absolute(prefix) => format!("{prefix}/{path}"),
        }
    }

    /// An absolute URL for a site-relative path, as canonical links and the sitemap want:
    /// at the site's domain when it has one.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.canonical_base)
    }

    /// Where the contact form posts. The site's own endpoint is linked like any other path,
    /// so a page served at the site's domain posts to that domain (its CSP's `form-action
    /// 'self'` would refuse any other); an endpoint elsewhere stays absolute.
    pub(crate) fn contact_action(&self) -> String {
        let action = &self.spec.contact_action;
        match action
            .strip_prefix(self.base_url.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
        {
            Some(path) => self.href(path),
            None => action.clone(),
        }
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
    let title = super::seo::title(ctx, page);
    let canonical = ctx.url(&page.info.path);
    let noindex = ctx.noindex || page.kind == PageKind::NotFound;
    // The one list of pages, in the phone's menu, the wide screen's list and the footer.
    let nav = nav_list(ctx, page);
    let og_type = if page.kind == PageKind::Post {
        "article"
    } else {
        "website"
    };
    html! {
        (DOCTYPE)
        html lang=(ctx.inputs.language()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(meta.description);
                @if noindex {
                    meta name="robots" content="noindex";
                } @else {
                    link rel="canonical" href=(canonical);
                    meta property="og:url" content=(canonical);
                }
                meta property="og:title" content=(title);
                meta property="og:description" content=(meta.description);
                meta property="og:type" content=(og_type);
                meta property="og:site_name" content=(ctx.name());
                (super::seo::head(ctx, meta))
                meta name="generator" content="Quorum";
                meta name="quorum-deployment" content=(ctx.spec.deployment_id);
                @for font in super::fonts::fonts(&ctx.inputs.typography).preloads() {
                    link rel="preload" href=(ctx.href(&font)) as="font" type="font/woff2" crossorigin;
                }
                link rel="stylesheet" href=(ctx.href(CSS_FILE));
                script src=(ctx.href(JS_FILE)) defer {}
            }
            body class=(format!("theme-{}", ctx.theme.name())) {
                a.skip-link href="#main" { (super::sections::words(ctx).skip_to_content) }
                (header(ctx, &nav))
                main #main tabindex="-1" { (main) }
                (super::footer::footer(ctx, &nav))
            }
        }
    }
}

/// One row on a phone: the brand and a menu that opens without JavaScript (a `<details>`
/// disclosure). From a breakpoint up the stylesheet hides the disclosure and shows the same
/// links as a plain list; whichever is hidden is `display: none`, so the one navigation
/// landmark never reads its links twice.
fn header(ctx: &Ctx, nav: &Markup) -> Markup {
    let words = super::sections::words(ctx);
    let logo_alt = words.logo_alt(ctx.name());
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
                @if let Some(landing) = &ctx.inputs.landing {
                    // One page: its call to action stands where the menu would.
                    a.button.button-secondary.header-cta href="#signup" { (landing.call_to_action.trim()) }
                } @else {
                    nav.site-nav aria-label=(words.main_nav) {
                        details.menu {
                            summary { span.menu-icon aria-hidden="true" {} (words.menu) }
                            (nav)
                        }
                        div.nav-wide { (nav) }
                    }
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
