//! The website generator behind `website.create_basic_site`: from the workflow's inputs and
//! where the site will be served, every file of a static site, in memory. No I/O: the steps
//! that write, deploy and verify the files live elsewhere and take their part from here.
//!
//! Output is deterministic (the same inputs and spec give the same bytes), every piece of
//! input that reaches HTML, XML or CSS is escaped or re-validated on the way, and every text
//! colour meets WCAG 2.1 AA on its background.

mod assets;
mod check;
mod images;
mod inputs;
mod layout;
mod logo;
mod media;
mod pages;
mod palette;
mod seo;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use check::check;
pub use images::valid_upload_id;
pub use inputs::*;
pub use media::{ImageVariant, Media, UploadedImage};
pub use palette::{AA, Adjustment, Palette, contrast_ratio, palette};

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
/// The blog post every blog starts with, at `blog/<slug>/`.
pub const FIRST_POST_SLUG: &str = "welcome";

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
}

/// The generated site: every file by its path relative to the site's root.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub files: BTreeMap<String, SiteFile>,
    /// Every page a visitor can reach by URL, in navigation order (blog posts after the
    /// blog); `404.html` is a file but not a page.
    pub pages: Vec<PageInfo>,
    pub palette: Palette,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteFile {
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// Which step owns a file: each file has exactly one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Every `.html` file, `404.html` included.
    Html,
    /// `assets/main.css` and `assets/logo.svg`.
    Branding,
    /// `sitemap.xml` and `robots.txt`.
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
            .map(|(path, f)| (path.as_str(), f.bytes.as_slice()))
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
pub const NOT_FOUND_FILE: &str = "404.html";

/// A URL-safe slug for a site name: the name transliterated to ASCII (`東京カフェ` →
/// `dong-jing-kafe`, `Кафе Москва` → `kafe-moskva`), lowercase letters and digits, other runs
/// one `-`, no `-` at either end, at most 40 characters. A name with nothing left to read
/// (`!!!`, emoji) gets `site-` and ten hex digits of its SHA-256: stable, and two such names
/// meet only if their hashes do.
pub fn slug_for(site_name: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(site_name, " ");
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
    if slug.is_empty() {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(site_name.as_bytes());
        let suffix: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
        format!("site-{suffix}")
    } else {
        slug.into()
    }
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
    let plan = plan(inputs);
    let ctx = layout::Ctx::new(inputs, spec, &plan, media);

    let mut files = BTreeMap::new();
    let mut add = |path: &str, kind: FileKind, bytes: Vec<u8>| {
        files.insert(path.to_string(), SiteFile { kind, bytes });
    };
    for page in &plan {
        add(&page.info.file, FileKind::Html, pages::render(&ctx, page));
    }
    add(
        NOT_FOUND_FILE,
        FileKind::Html,
        pages::render(&ctx, &not_found()),
    );
    add(
        CSS_FILE,
        FileKind::Branding,
        assets::stylesheet(&palette, &inputs.typography),
    );
    add(
        LOGO_FILE,
        FileKind::Branding,
        logo::logo(&inputs.site_name, &palette, &inputs.typography),
    );
    add(JS_FILE, FileKind::Script, assets::script());
    for (path, bytes) in images::files(inputs, media) {
        add(&path, FileKind::Image, bytes);
    }
    add("sitemap.xml", FileKind::Seo, seo::sitemap(&ctx));
    add("robots.txt", FileKind::Seo, seo::robots(&ctx));

    Site {
        files,
        pages: plan.into_iter().map(|p| p.info).collect(),
        palette,
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
}

pub(crate) struct Page {
    pub info: PageInfo,
    pub kind: PageKind,
}

impl Page {
    fn new(slug: &str, kind: PageKind, title: String) -> Page {
        let (path, file) = match kind {
            PageKind::Home => (String::new(), "index.html".to_string()),
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
        }
    }

    /// Blog posts are reached from the blog, not from the navigation.
    pub(crate) fn in_nav(&self) -> bool {
        !matches!(self.kind, PageKind::Post | PageKind::NotFound)
    }
}

fn not_found() -> Page {
    // A slug no listed page can have, so no navigation link is marked as this page.
    Page::new(NOT_FOUND_FILE, PageKind::NotFound, "Page not found".into())
}

/// The pages, in navigation order: home first whether listed or not (the site's URL is its
/// home page), then the listed pages in their order; contact is added if missing (the
/// workflow promises a contact form), and the blog follows `include_blog` whatever the list
/// says. Slugs `check` would reject are skipped.
fn plan(inputs: &SiteInputs) -> Vec<Page> {
    let mut slugs: Vec<&str> = vec!["home"];
    for page in &inputs.pages {
        let slug = page.slug();
        if check::page_slug_ok(slug) && !slugs.contains(&slug) {
            slugs.push(slug);
        }
    }
    slugs.retain(|s| inputs.include_blog || *s != "blog");
    if !slugs.contains(&"contact") {
        slugs.push("contact");
    }
    if inputs.include_blog && !slugs.contains(&"blog") {
        slugs.push("blog");
    }

    let mut pages = Vec::new();
    for slug in slugs {
        let (kind, title) = match slug {
            "home" => (PageKind::Home, "Home".to_string()),
            "about" => (PageKind::About, "About".into()),
            "services" => (PageKind::Services, "Services".into()),
            "contact" => (PageKind::Contact, "Contact".into()),
            "blog" => (PageKind::Blog, "Blog".into()),
            other => (PageKind::Custom, title_for(other)),
        };
        pages.push(Page::new(slug, kind, title));
    }
    if inputs.include_blog {
        let title = format!("Welcome to {}", inputs.site_name.trim());
        pages.push(Page::new(
            &format!("blog/{FIRST_POST_SLUG}"),
            PageKind::Post,
            title,
        ));
    }
    pages
}

/// A readable title for a custom slug: `case-studies` → `Case Studies`, `faq` → `FAQ`.
fn title_for(slug: &str) -> String {
    let words: Vec<String> = slug
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "faq" | "faqs" => w.to_ascii_uppercase().replace("FAQS", "FAQs"),
            _ => {
                let mut chars = w.chars();
                chars.next().map_or_else(String::new, |c| {
                    c.to_ascii_uppercase().to_string() + chars.as_str()
                })
            }
        })
        .collect();
    if words.is_empty() {
        "Page".into()
    } else {
        words.join(" ")
    }
}
