//! The website generator behind `website.create_basic_site`: from the workflow's inputs and
//! where the site will be served, every file of a static site, in memory. No I/O: the steps
//! that write, deploy and verify the files live elsewhere and take their part from here.
//!
//! Output is deterministic (the same inputs and spec give the same bytes), every piece of
//! input that reaches HTML, XML or CSS is escaped or re-validated on the way, and every text
//! colour meets WCAG 2.1 AA on its background.

mod affiliate;
mod assets;
mod card;
mod check;
mod contact;
mod css;
mod encode;
mod family_words;
mod fonts;
mod footer;
mod glyphs;
mod icons;
mod images;
mod inputs;
mod jsonld;
mod landing;
mod layout;
mod logo;
mod markdown;
mod media;
mod pages;
mod palette;
mod plan;
mod raster;
mod sections;
mod seo;
mod shop;
mod slots;
#[cfg(test)]
mod tests;
mod theme;
mod words;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use affiliate::{
    AFFILIATE_REL, Affiliate, AffiliateProduct, Comparison, FROM_PARAM, GO_PREFIX,
    links as affiliate_links, merchant_url,
};
pub use card::{CARD_FILE, HEIGHT as CARD_HEIGHT, WIDTH as CARD_WIDTH};
pub use check::{check, domain_ok};
pub use contact::{ContactAnswer, ContactFormState, FormProblem, ProblemKind, contact_answer};
pub use encode::png_size;
pub use family_words::FamilyWords;
pub use fonts::{FONT_BUDGET, FontChoice, SiteFonts, fonts};
pub use icons::{FAVICON_FILE, FAVICON_SIZES, TOUCH_ICON_FILE, ico_images};
pub use images::valid_upload_id;
pub use inputs::*;
pub use landing::{
    Benefit, LEAD_CONSENT, LEAD_EMAIL, LEAD_ENDPOINT, LEAD_NAME, LEAD_VARIANT, Landing, LeadAnswer,
    LeadField, LeadFieldKind, LeadForm, LeadFormState, LeadProblem, LeadProblemKind, LeadValues,
    PricingPlan, Question, RESERVED_LEAD_FIELDS, VARIANT_B_FILE, Variant, check_lead, lead_answer,
    plausible_email,
};
pub use media::{ImageVariant, Media, UploadedImage};
pub use palette::{AA, AAA, Adjustment, ContrastPair, NON_TEXT, Palette, contrast_ratio, palette};
pub use plan::Missing;
pub use shop::{
    CART_PATH, CartLine, CartProblem, CheckoutState, MAX_LINES, MAX_QUANTITY, ORDER_ENDPOINT,
    ORDER_NAME_MAX, ORDER_NOTES_MAX, ORDER_PHONE_MAX, OrderAnswer, Payment, PlacedOrder,
    PricedLine, PricedOrder, Product, ProductOption, Shop, money, order_answer, price_order,
    products as shop_products,
};
pub use theme::Chosen;
pub use words::Words;

/// The contact form's fields, in the names its POST body carries.
pub const CONTACT_FIELDS: [&str; 3] = ["name", "email", "message"];
/// The longest name, e-mail address and message the contact form takes, in characters. The
/// form's `maxlength`s and the server's checks both read these, so a browser never lets
/// through what the server then refuses. (A browser counts UTF-16 units, so for text beyond
/// the Basic Multilingual Plane the form is the stricter of the two.)
pub const CONTACT_NAME_MAX: usize = 100;
pub const CONTACT_EMAIL_MAX: usize = 254;
pub const CONTACT_MESSAGE_MAX: usize = 5_000;
/// A field people never see and bots fill in: a submission with it non-empty is spam.
pub const HONEYPOT_FIELD: &str = "website";
/// Page slugs that would collide with the site's own files.
pub const RESERVED_SLUGS: [&str; 1] = ["assets"];
/// What a site generated from `inputs` is: the type decides which inputs it takes, and so
/// which of these its sites are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    Basic,
    Landing,
    Affiliate,
    Shop,
}

impl SiteKind {
    pub fn of(inputs: &SiteInputs) -> SiteKind {
        if inputs.landing.is_some() {
            SiteKind::Landing
        } else if inputs.affiliate.is_some() {
            SiteKind::Affiliate
        } else if inputs.shop.is_some() {
            SiteKind::Shop
        } else {
            SiteKind::Basic
        }
    }
}

/// Where and as what the site will be served: decided by the deploy side, not the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSpec {
    /// The site's slug, as `slug_for` makes it. Carried for the deploy side: generated files
    /// locate themselves by `base_url` alone.
    pub slug: String,
    /// Absolute, e.g. `http://127.0.0.1:5000/sites/codex-digital-studios`; a trailing slash
    /// is ignored.
    pub base_url: String,
    /// Absolute URL the contact form POSTs to.
    pub contact_action: String,
    pub deployment_id: String,
    /// The day the site's workflow was created, `YYYY-MM-DD`: the sitemap's `lastmod` of
    /// every page but the posts, which carry their own. Fixed per workflow, so every step
    /// generates the same bytes.
    pub date: String,
}

impl SiteSpec {
    /// A site as Quorum serves it: at `{public_url}/sites/{slug}/`, its contact form posting
    /// to `contact` there; `date` is [`SiteSpec::date`].
    pub fn served_by(public_url: &str, slug: &str, deployment_id: &str, date: &str) -> SiteSpec {
        let public = public_url.trim_end_matches('/');
        SiteSpec {
            base_url: format!("{public}/sites/{slug}"),
            contact_action: format!("{public}/sites/{slug}/contact"),
            deployment_id: deployment_id.to_owned(),
            slug: slug.to_owned(),
            date: date.to_owned(),
        }
    }
}

/// Where the site's canonical URLs point, without a trailing slash: `{scheme}://{domain}`
/// when the inputs name a domain (the scheme is `base_url`'s), else `base_url`. A domain
/// [`check`] would refuse is ignored.
pub fn canonical_base(inputs: &SiteInputs, spec: &SiteSpec) -> String {
    let base_url = spec.base_url.trim_end_matches('/');
    match inputs.domain.as_deref().filter(|d| domain_ok(d)) {
        Some(domain) => {
            let scheme = base_url.split_once("://").map_or("https", |(s, _)| s);
            format!("{scheme}://{domain}")
        }
        None => base_url.to_owned(),
    }
}

/// The generated site: every file by its path relative to the site's root.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub files: BTreeMap<String, SiteFile>,
    /// Every page a visitor can reach by URL, in navigation order (blog posts after the
    /// blog); `404.html` is a file but not a page.
    pub pages: Vec<PageInfo>,
    pub palette: Palette,
    /// The heading and body fonts, and whether Quorum serves them.
    pub fonts: SiteFonts,
    /// What the inputs lack: pages left out for want of content, and what would make a page
    /// better. The `generate_pages` step reports it so the council sees it.
    pub missing: Vec<Missing>,
    /// The language of the generator's own words (`en` when Quorum has none in the site's).
    pub words_language: &'static str,
    pub theme: Chosen,
    /// The `@type` of each JSON-LD document in each page, by the page's file: what search
    /// engines will read there (the verify step reads it again from the served pages).
    pub structured_data: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteFile {
    pub kind: FileKind,
    /// Borrowed for what every site shares (the fonts): a site generated is not a copy of them.
    pub bytes: Cow<'static, [u8]>,
}

/// Which step owns a file: each file has exactly one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Every `.html` file, `404.html` included.
    Html,
    /// `assets/main.css`, `assets/logo.svg` and the fonts under `assets/fonts/`.
    Branding,
    /// `sitemap.xml`, `robots.txt`, the social card and the icons.
    Seo,
    /// `assets/main.js`.
    Script,
    /// The uploaded pictures' renditions, under `assets/images/`.
    Image,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageInfo {
    /// `home`, a page slug from the inputs, or `blog/<post>` for a blog post.
    pub slug: String,
    pub title: String,
    /// The URL path below the site's base: `""` for home, `about/`, `blog/welcome/`.
    pub path: String,
    /// The file serving it: `index.html`, `about/index.html`.
    pub file: String,
}

impl Site {
    /// The files of one kind, by path.
    pub fn files_of(&self, kind: FileKind) -> BTreeMap<&str, &[u8]> {
        self.files
            .iter()
            .filter(|(_, f)| f.kind == kind)
            .map(|(path, f)| (path.as_str(), &*f.bytes))
            .collect()
    }

    pub fn html_files(&self) -> BTreeMap<&str, &[u8]> {
        self.files_of(FileKind::Html)
    }

    pub fn branding_files(&self) -> BTreeMap<&str, &[u8]> {
        self.files_of(FileKind::Branding)
    }

    pub fn seo_files(&self) -> BTreeMap<&str, &[u8]> {
        self.files_of(FileKind::Seo)
    }

    pub fn script_files(&self) -> BTreeMap<&str, &[u8]> {
        self.files_of(FileKind::Script)
    }
}

/// Paths of the shared assets, relative to the site's root.
pub const CSS_FILE: &str = "assets/main.css";
pub const JS_FILE: &str = "assets/main.js";
pub const LOGO_FILE: &str = "assets/logo.svg";
/// The 404 page as `/sites/{slug}/` serves it, its links absolute paths under that mount.
pub const NOT_FOUND_FILE: &str = "404.html";
/// The 404 page as the site's domain serves it, its links absolute paths from the root; made
/// only for a site with a domain.
pub const NOT_FOUND_AT_ROOT_FILE: &str = "404-root.html";

/// A URL-safe slug for a site name: the name transliterated to ASCII (`東京カフェ` →
/// `dong-jing-kafe`, `Кафе Москва` → `kafe-moskva`), lowercase letters and digits, other runs
/// one `-`, no `-` at either end, at most 40 characters. A name with nothing left to read
/// (`!!!`, emoji) gets `site-` and ten hex digits of its SHA-256: stable, and two such names
/// meet only if their hashes do.
pub fn slug_for(site_name: &str) -> String {
    readable_slug(site_name).unwrap_or_else(|| hashed_slug("site", site_name))
}

/// `text` as lowercase ASCII letters and digits, other runs one `-`, at most 40 characters;
/// `None` when nothing readable is left.
pub(crate) fn readable_slug(text: &str) -> Option<String> {
    let ascii = deunicode::deunicode_with_tofu(text, " ");
    let mut slug = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(40);
    let slug = slug.trim_end_matches('-');
    (!slug.is_empty()).then(|| slug.to_owned())
}

/// `prefix-` and ten hex digits of `text`'s SHA-256: stable, and two texts meet only if
/// their hashes do.
pub(crate) fn hashed_slug(prefix: &str, text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let suffix: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{suffix}")
}

/// A slug for each item, in order: its own (`own`, when [`check::post_slug_ok`] accepts
/// it), else one made from its `name`, with `-2`, `-3` … when taken. Chosen slugs are kept
/// first, so a made one never takes a slug an item chose.
pub(crate) fn item_slugs<'a>(
    items: impl Iterator<Item = (Option<&'a str>, &'a str)> + Clone,
    prefix: &str,
) -> Vec<String> {
    let own = |slug: Option<&'a str>| slug.filter(|s| check::post_slug_ok(s));
    let mut taken: Vec<String> = items
        .clone()
        .filter_map(|(slug, _)| own(slug).map(str::to_owned))
        .collect();
    items
        .map(|(slug, name)| match own(slug) {
            Some(slug) => slug.to_owned(),
            None => {
                let base = readable_slug(name).unwrap_or_else(|| hashed_slug(prefix, name));
                let slug = unique_slug(&base, &taken);
                taken.push(slug.clone());
                slug
            }
        })
        .collect()
}

/// `base`, or `base-2`, `base-3` … the first that `taken` does not hold.
pub(crate) fn unique_slug(base: &str, taken: &[String]) -> String {
    let mut slug = base.to_owned();
    let mut n = 2;
    while taken.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

/// The slug a site is served under: `site_slug` when the inputs choose one, else
/// [`slug_for`] its name.
pub fn slug_of(inputs: &SiteInputs) -> String {
    match &inputs.site_slug {
        Some(slug) => slug.clone(),
        None => slug_for(&inputs.site_name),
    }
}

/// Generates the whole site. Total: inputs `check` would reject still give a safe site
/// (bad colours and fonts fall back to the defaults, bad page slugs are left out), so a
/// caller that forgot to check cannot produce an unsafe one.
pub fn generate(inputs: &SiteInputs, spec: &SiteSpec, media: &Media) -> Site {
    let palette = palette(&inputs.brand_colors);
    let fonts = fonts(&inputs.typography);
    let words = Words::for_language(inputs.language());
    let (plan, missing) = plan::plan(inputs, words);
    let chosen = theme::choose(inputs);
    let ctx = layout::Ctx::new(inputs, spec, &plan, media, chosen.theme);

    let mut files = BTreeMap::new();
    let mut add = |path: &str, kind: FileKind, bytes: Vec<u8>| {
        files.insert(
            path.to_string(),
            SiteFile {
                kind,
                bytes: bytes.into(),
            },
        );
    };
    let mut structured_data = BTreeMap::new();
    for page in &plan {
        let page_ctx = ctx.for_page(page);
        add(
            &page.info.file,
            FileKind::Html,
            pages::render(&page_ctx, page),
        );
        structured_data.insert(page.info.file.clone(), jsonld::types(&page_ctx, page));
    }
    if inputs.landing.as_ref().is_some_and(|l| l.has_variants())
        && let Some(home) = plan.iter().find(|p| p.kind == PageKind::Landing)
    {
        let mut b = ctx.for_page(home);
        b.variant = landing::Variant::B;
        add(VARIANT_B_FILE, FileKind::Html, pages::render(&b, home));
    }
    // Served at whatever depth was asked for, so its links cannot be relative.
    let not_found = plan::not_found(words);
    add(
        NOT_FOUND_FILE,
        FileKind::Html,
        pages::render(&ctx.under_base_path(), &not_found),
    );
    if inputs.domain.as_deref().is_some_and(domain_ok) {
        add(
            NOT_FOUND_AT_ROOT_FILE,
            FileKind::Html,
            pages::render(&ctx.at_host_root(), &not_found),
        );
    }
    add(
        CSS_FILE,
        FileKind::Branding,
        assets::stylesheet(&palette, &fonts, chosen.theme, SiteKind::of(inputs)),
    );
    add(
        LOGO_FILE,
        FileKind::Branding,
        logo::logo(
            &inputs.site_name,
            &words.logo_alt(inputs.site_name.trim()),
            &palette,
            &fonts,
        ),
    );
    add(
        JS_FILE,
        FileKind::Script,
        assets::script(SiteKind::of(inputs)),
    );
    for (path, bytes) in images::files(inputs, media) {
        add(&path, FileKind::Image, bytes);
    }
    add("sitemap.xml", FileKind::Seo, seo::sitemap(&ctx));
    add("robots.txt", FileKind::Seo, seo::robots(&ctx));
    for (path, picture) in [
        (CARD_FILE, card::card(&ctx, &palette)),
        (FAVICON_FILE, icons::favicon(&ctx, &palette)),
        (TOUCH_ICON_FILE, icons::touch_icon(&ctx, &palette)),
    ] {
        // Absent only if resvg refused SVG built here (logged); verify then names the file.
        if let Some(bytes) = picture {
            add(path, FileKind::Seo, bytes);
        }
    }
    for (path, bytes) in fonts.files() {
        let bytes = Cow::Borrowed(bytes);
        let kind = FileKind::Branding;
        files.insert(path, SiteFile { kind, bytes });
    }

    Site {
        files,
        pages: plan.into_iter().map(|p| p.info).collect(),
        palette,
        fonts,
        missing,
        words_language: words.language,
        theme: chosen,
        structured_data,
    }
}

/// What a page is, which decides its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageKind {
    Home,
    About,
    Services,
    Contact,
    Blog,
    Post,
    Custom,
    NotFound,
    /// A landing page's one page, at the site's root.
    Landing,
    /// An affiliate site's review of one product, and its comparisons.
    Review,
    Comparison,
    /// A shop's product pages, category pages and cart.
    Product,
    Category,
    Cart,
}

pub(crate) struct Page {
    pub info: PageInfo,
    pub kind: PageKind,
    /// The input the page is made from: its index in `posts` for a post, in `pages` for a
    /// custom page.
    pub item: Option<usize>,
    /// A post's line on the blog: its summary or its body's first paragraph, made once
    /// because the blog, the home page and the post's description all show it.
    pub summary: Option<String>,
}

impl Page {
    pub(crate) fn new(slug: &str, kind: PageKind, title: String) -> Page {
        let (path, file) = match kind {
            PageKind::Home | PageKind::Landing => (String::new(), "index.html".to_string()),
            PageKind::NotFound => (String::new(), NOT_FOUND_FILE.to_string()),
            _ => (format!("{slug}/"), format!("{slug}/index.html")),
        };
        Page {
            info: PageInfo {
                slug: slug.to_string(),
                title,
                path,
                file,
            },
            kind,
            item: None,
            summary: None,
        }
    }

    /// Blog posts are reached from the blog, not from the navigation.
    pub(crate) fn in_nav(&self) -> bool {
        !matches!(
            self.kind,
            PageKind::Post | PageKind::NotFound | PageKind::Review | PageKind::Product
        )
    }
}
