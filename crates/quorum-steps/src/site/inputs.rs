//! The inputs of `website.create_basic_site`, as the type's schema describes them (defaults
//! included). Everything past the seed's fields is optional, so the seed's inputs are still a
//! whole site; what a field holds reaches pages only through the templates, escaped.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInputs {
    pub site_name: String,
    pub site_description: String,
    #[serde(default)]
    pub brand_colors: BrandColors,
    #[serde(default)]
    pub typography: Typography,
    /// The pages in navigation order: a slug, or a custom page with its own title and body.
    #[serde(default = "default_pages")]
    pub pages: Vec<PageInput>,
    #[serde(default = "yes")]
    pub include_blog: bool,
    pub contact_email: String,
    /// Where the site is served, when not where its name says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_slug: Option<String>,

    /// A short line under the name on the home page and the social card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagline: Option<String>,
    /// The About page's story, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub testimonials: Vec<Testimonial>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team: Vec<TeamMember>,
    #[serde(default, skip_serializing_if = "ContactDetails::is_empty")]
    pub contact: ContactDetails,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub social_links: Vec<SocialLink>,
    /// Blog posts, newest first or in any order: the blog sorts them by date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<PostInput>,
    /// The site's language, a BCP 47 tag such as `en`, `fr-CA` or `pt-BR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// A design by name; absent, the business's own words choose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// An uploaded logo; absent, one is drawn from the name's initials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<ImageRef>,
    /// The home page's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hero_image: Option<ImageRef>,
    /// Pictures of the work, shown on the home page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gallery: Vec<ImageRef>,
    /// A host name the site is also served at the root of, e.g. `www.example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// A landing page's content: given, the site is one page built to convert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<super::Landing>,
    /// An affiliate site's products and comparisons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliate: Option<super::Affiliate>,
    /// A shop's catalogue, currency and how customers pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop: Option<super::Shop>,
}

/// One entry of `pages`: the seed's plain slug, or a custom page with its own content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PageInput {
    Slug(String),
    Page(CustomPage),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomPage {
    pub slug: String,
    /// The page's heading and navigation label; absent, made from the slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl PageInput {
    pub fn slug(&self) -> &str {
        match self {
            PageInput::Slug(slug) => slug,
            PageInput::Page(page) => &page.slug,
        }
    }

    pub fn title(&self) -> Option<&str> {
        match self {
            PageInput::Slug(_) => None,
            PageInput::Page(page) => page.title.as_deref(),
        }
    }

    pub fn body(&self) -> Option<&str> {
        match self {
            PageInput::Slug(_) => None,
            PageInput::Page(page) => page.body.as_deref(),
        }
    }
}

impl From<&str> for PageInput {
    fn from(slug: &str) -> Self {
        PageInput::Slug(slug.to_owned())
    }
}

impl From<String> for PageInput {
    fn from(slug: String) -> Self {
        PageInput::Slug(slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// As the business writes it: `from $120`, `£45 / hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Testimonial {
    pub quote: String,
    pub author: String,
    /// Who the author is: `owner, Green Leaf Café`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<ImageRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    /// As dialled from abroad is best (`+1 555 010 0199`); shown as given, linked as `tel:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opening_hours: Vec<OpeningHours>,
}

impl ContactDetails {
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.address.is_none() && self.opening_hours.is_empty()
    }
}

/// A postal address, in the parts schema.org's PostalAddress names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    /// The town or city.
    pub locality: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// An ISO 3166-1 alpha-2 code (`US`, `DE`) or the country's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The hours of a set of days: `{"days": ["monday", "friday"], "opens": "08:00", "closes":
/// "17:30"}`. A day open twice (a lunch break) is two entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub days: Vec<Weekday>,
    /// `HH:MM`, 24-hour.
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// schema.org's name for the day (`Monday`), as JSON-LD's `dayOfWeek` takes it.
    pub fn schema_org(self) -> &'static str {
        match self {
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialLink {
    /// `https://…`.
    pub url: String,
    /// What the link is called on the page; absent, the network's name from the URL's host
    /// (`instagram.com` → Instagram).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostInput {
    pub title: String,
    /// `YYYY-MM-DD`: the post's publication date.
    pub date: String,
    /// Markdown.
    pub body: String,
    /// Where the post lives, `blog/<slug>/`; absent, made from the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The blog's line about the post; absent, the body's first paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// The designs a site can wear. Each is a whole look (type scale, shapes, hero and card
/// layout), coloured by the brand's palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Clean and airy: consultancies, studios, agencies, practices.
    Studio,
    /// Soft and inviting: food, cafés, bakeries, shops, salons.
    Warm,
    /// Strong and direct: trades, repairs, construction, fitness.
    Bold,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Studio, Theme::Warm, Theme::Bold];

    pub fn name(self) -> &'static str {
        match self {
            Theme::Studio => "studio",
            Theme::Warm => "warm",
            Theme::Bold => "bold",
        }
    }
}

/// An image uploaded with `POST /api/uploads`, and the words that stand for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// The upload's id, `upl_…`.
    pub upload: String,
    /// What the picture shows, for people who cannot see it; required except for a logo,
    /// whose alt text is the site's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandColors {
    #[serde(default = "default_primary")]
    pub primary: String,
    #[serde(default = "default_secondary")]
    pub secondary: String,
    #[serde(default = "default_accent")]
    pub accent: String,
}

impl Default for BrandColors {
    fn default() -> Self {
        BrandColors {
            primary: default_primary(),
            secondary: default_secondary(),
            accent: default_accent(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Typography {
    #[serde(default = "default_heading_font")]
    pub heading: String,
    #[serde(default = "default_body_font")]
    pub body: String,
}

impl Default for Typography {
    fn default() -> Self {
        Typography {
            heading: default_heading_font(),
            body: default_body_font(),
        }
    }
}

impl SiteInputs {
    /// The site's language tag; `en` when the inputs name none.
    pub fn language(&self) -> &str {
        self.language.as_deref().unwrap_or("en")
    }

    /// Every image the inputs name, with the field that names it (`hero_image`,
    /// `gallery[2]`, `team[0].photo`, `logo`).
    pub fn images(&self) -> Vec<(String, &ImageRef)> {
        let mut images = Vec::new();
        if let Some(logo) = &self.logo {
            images.push(("logo".to_owned(), logo));
        }
        if let Some(hero) = &self.hero_image {
            images.push(("hero_image".to_owned(), hero));
        }
        for (i, image) in self.gallery.iter().enumerate() {
            images.push((format!("gallery[{i}]"), image));
        }
        for (i, member) in self.team.iter().enumerate() {
            if let Some(photo) = &member.photo {
                images.push((format!("team[{i}].photo"), photo));
            }
        }
        for (i, product) in self.shop.iter().flat_map(|s| &s.products).enumerate() {
            for (j, image) in product.images.iter().enumerate() {
                images.push((format!("shop.products[{i}].images[{j}]"), image));
            }
        }
        images
    }
}

fn default_pages() -> Vec<PageInput> {
    ["home", "about", "services", "contact", "blog"]
        .map(PageInput::from)
        .to_vec()
}
fn yes() -> bool {
    true
}
fn default_primary() -> String {
    "#1a1a1a".into()
}
fn default_secondary() -> String {
    "#f7f1e3".into()
}
fn default_accent() -> String {
    "#d4af37".into()
}
fn default_heading_font() -> String {
    "Inter".into()
}
fn default_body_font() -> String {
    "Open Sans".into()
}
