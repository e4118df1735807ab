//! A workflow as a council member reads it: what it makes, in words; its colours shown with
//! how they read; the pages its preview holds; excerpts of its content; its pictures. The raw
//! inputs stay available beside it, for whoever wants them.

use quorum_steps::site::{SiteInputs, contrast_ratio, palette};
use quorum_store::WorkflowDetail;

use crate::{Quorum, ServiceResult};

/// One brand colour, and what the site does with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Swatch {
    pub role: &'static str,
    /// `#rrggbb`.
    pub hex: String,
    pub note: String,
}

/// One picture of the workflow's, as its preview serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Thumbnail {
    pub label: String,
    /// Under `/previews/{workflow}/`.
    pub path: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// What a member needs to judge a workflow, for people.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewSummary {
    /// What it makes: the site's name, or the type's.
    pub title: String,
    pub type_name: String,
    pub facts: Vec<(&'static str, String)>,
    pub swatches: Vec<Swatch>,
    /// Colours the site had to move to be readable, in words.
    pub adjustments: Vec<String>,
    /// The preview's pages: title and path.
    pub pages: Vec<(String, String)>,
    pub excerpts: Vec<(&'static str, String)>,
    pub thumbnails: Vec<Thumbnail>,
    /// Whether the workflow has a preview to show.
    pub previewed: bool,
    /// Whether its type can preview at all.
    pub type_previews: bool,
    /// Whether it is imported history: recorded, never run, with no preview or site.
    pub imported: bool,
}

/// Whether `detail` was imported rather than proposed (see [`crate::demo::IMPORTED`]).
pub fn imported(detail: &WorkflowDetail) -> bool {
    detail
        .audit
        .first()
        .and_then(|a| a.reason.as_deref())
        .is_some_and(|reason| reason == crate::demo::IMPORTED)
}

/// `text` cut at a word near `max` characters, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', '.', ';', ':']))
}

/// How readable `fg` is on `bg`, in WCAG's terms.
fn reads(fg: &str, bg: &str) -> String {
    let ratio = contrast_ratio(fg, bg);
    let grade = match ratio {
        r if r >= 7.0 => "AAA",
        r if r >= 4.5 => "AA",
        r if r >= 3.0 => "AA for large text only",
        _ => "too faint to read",
    };
    format!(
        "{fg} on it reads {:.1}:1 ({grade})",
        (ratio * 10.0).floor() / 10.0
    )
}

/// A page's path in a preview, from its file: `about/index.html` → `about/`.
fn page_path(file: &str) -> Option<String> {
    let folder = file.strip_suffix("index.html")?;
    (!folder.starts_with("assets/")).then(|| folder.to_owned())
}

fn site_summary(inputs: &SiteInputs, summary: &mut ReviewSummary) {
    summary.title = inputs.site_name.trim().to_owned();
    let mut fact = |label, value: Option<&str>| {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            summary.facts.push((label, excerpt(value, 300)));
        }
    };
    fact("Description", Some(&inputs.site_description));
    fact("Tagline", inputs.tagline.as_deref());
    fact("Contact messages go to", Some(&inputs.contact_email));
    fact("Own domain", inputs.domain.as_deref());
    fact("Language", inputs.language.as_deref());
    fact("Design", inputs.theme.map(|t| t.name()));
    let colors = palette(&inputs.brand_colors);
    summary.swatches = vec![
        Swatch {
            role: "Primary",
            hex: colors.brand.primary.clone(),
            note: format!(
                "header and footer; {}",
                reads(&colors.on_header, &colors.header)
            ),
        },
        Swatch {
            role: "Secondary",
            hex: colors.brand.secondary.clone(),
            note: format!("page background; {}", reads(&colors.text, &colors.surface)),
        },
        Swatch {
            role: "Accent",
            hex: colors.brand.accent.clone(),
            note: format!("buttons; {}", reads(&colors.on_button, &colors.button)),
        },
    ];
    summary.adjustments = colors
        .adjustments
        .iter()
        .map(|a| {
            format!(
                "{} moved from {} to {} to read {:.2}:1 on {} (it read {:.2}:1; {:.1}:1 is needed)",
                a.role.replace('_', " "),
                a.from,
                a.to,
                a.contrast_after,
                a.against,
                a.contrast_before,
                a.required
            )
        })
        .collect();
    if let Some(about) = inputs.about.as_deref().filter(|a| !a.trim().is_empty()) {
        let plain: String = about
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ");
        summary.excerpts.push(("About", excerpt(&plain, 280)));
    }
    if !inputs.services.is_empty() {
        let names: Vec<String> = inputs
            .services
            .iter()
            .map(|s| match &s.price {
                Some(price) => format!("{} ({price})", s.name),
                None => s.name.clone(),
            })
            .collect();
        summary
            .excerpts
            .push(("Services", excerpt(&names.join(", "), 280)));
    }
    if let Some(t) = inputs.testimonials.first() {
        summary.excerpts.push((
            "A testimonial",
            excerpt(&format!("“{}” — {}", t.quote, t.author), 200),
        ));
    }
    if !inputs.team.is_empty() {
        let names: Vec<&str> = inputs.team.iter().map(|m| m.name.as_str()).collect();
        summary
            .excerpts
            .push(("Team", excerpt(&names.join(", "), 200)));
    }
    if !inputs.posts.is_empty() {
        let titles: Vec<&str> = inputs.posts.iter().map(|p| p.title.as_str()).collect();
        summary
            .excerpts
            .push(("Blog posts", excerpt(&titles.join("; "), 200)));
    }
    family_summary(inputs, summary);
}

/// What a council must see of the website family's own parts before it votes: the
/// headlines tried and what the form asks; every price, stock and payment term; and where
/// each affiliate link sends visitors.
fn family_summary(inputs: &SiteInputs, summary: &mut ReviewSummary) {
    if let Some(landing) = &inputs.landing {
        summary
            .facts
            .push(("Headline", excerpt(&landing.headline, 200)));
        if let Some(b) = landing
            .headline_b
            .as_deref()
            .filter(|b| !b.trim().is_empty())
        {
            summary
                .facts
                .push(("Second headline (half the visitors)", excerpt(b, 200)));
        }
        summary
            .facts
            .push(("Call to action", excerpt(&landing.call_to_action, 80)));
        let mut asked = vec!["name".to_owned(), "e-mail".to_owned()];
        asked.extend(landing.form.fields.iter().map(|f| match f.required {
            true => format!("{} (required)", f.label.trim()),
            false => f.label.trim().to_owned(),
        }));
        summary
            .facts
            .push(("The form asks for", excerpt(&asked.join(", "), 300)));
        let consent = landing.form.consent.as_deref().map_or_else(
            || "none: no consent box".to_owned(),
            |c| format!("a box to tick: “{}”", c.trim()),
        );
        summary.facts.push(("Consent", excerpt(&consent, 300)));
        summary
            .facts
            .push(("Leads go to", inputs.contact_email.trim().to_owned()));
    }
    if let Some(shop) = &inputs.shop {
        let language = inputs.language();
        let products: Vec<String> = quorum_steps::site::shop_products(shop)
            .into_iter()
            .map(|(_, p)| {
                let stock = p
                    .stock
                    .map_or_else(|| "no stock limit".to_owned(), |n| format!("{n} in stock"));
                format!(
                    "{} {} ({stock})",
                    p.name.trim(),
                    quorum_steps::site::money(p.price, &shop.currency, language)
                )
            })
            .collect();
        summary
            .excerpts
            .push(("Products", excerpt(&products.join("; "), 600)));
        let terms = match shop.payment {
            quorum_steps::site::Payment::Pickup => "on pickup: no card is taken online",
            quorum_steps::site::Payment::Invoice => "by invoice: no card is taken online",
        };
        summary.facts.push(("Payment", terms.to_owned()));
        summary
            .facts
            .push(("Orders go to", inputs.contact_email.trim().to_owned()));
    }
    if let Some(affiliate) = &inputs.affiliate {
        let links: Vec<String> = quorum_steps::site::affiliate_links(affiliate)
            .into_iter()
            .map(|(_, p)| format!("{} → {}", p.name.trim(), p.url))
            .collect();
        summary
            .excerpts
            .push(("Affiliate links lead to", excerpt(&links.join("; "), 900)));
        let ratings: Vec<String> = affiliate
            .products
            .iter()
            .map(|p| format!("{} {}/5", p.name.trim(), p.rating))
            .collect();
        summary
            .excerpts
            .push(("Ratings", excerpt(&ratings.join("; "), 300)));
    }
}

impl Quorum {
    /// What a member reviews of `detail`, read from its inputs and its preview's files.
    pub async fn review_summary(&self, detail: &WorkflowDetail) -> ServiceResult<ReviewSummary> {
        let w = &detail.workflow;
        let mut summary = ReviewSummary {
            previewed: detail.preview.is_some(),
            imported: imported(detail),
            ..ReviewSummary::default()
        };
        match self
            .registry
            .get(&w.workflow_type_id, Some(w.workflow_type_version))
            .await
        {
            Ok(compiled) => {
                summary.type_name = compiled.definition.name.clone();
                summary.type_previews = self.type_previews(&compiled.definition);
            }
            Err(_) => summary.type_name = w.workflow_type_id.clone(),
        }
        let site: Option<SiteInputs> = match w.workflow_type_id.starts_with("website.") {
            true => serde_json::from_value(w.inputs.to_value()).ok(),
            false => None,
        };
        match &site {
            Some(inputs) => site_summary(inputs, &mut summary),
            None => summary.title = self.workflow_title(detail).await,
        }
        if !summary.previewed {
            return Ok(summary);
        }
        let files = self.store.preview_files(&w.id).await?;
        let title_of = |path: &str| -> String {
            let slug = path.trim_end_matches('/');
            let custom = site.as_ref().and_then(|s| {
                s.pages
                    .iter()
                    .find(|p| p.slug() == slug)
                    .and_then(|p| p.title().map(str::to_owned))
            });
            match (slug, custom) {
                ("", _) => "Home".to_owned(),
                (_, Some(title)) => title,
                (slug, None) => {
                    let last = slug.rsplit('/').next().unwrap_or(slug).replace('-', " ");
                    let mut chars = last.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect())
                        .unwrap_or_default()
                }
            }
        };
        summary.pages = files
            .iter()
            .filter_map(|f| page_path(&f.path))
            .map(|path| (title_of(&path), path))
            .collect();
        let Some(inputs) = &site else {
            return Ok(summary);
        };
        let pictures: Vec<(String, &quorum_steps::site::ImageRef)> = inputs.images();
        if pictures.is_empty() {
            return Ok(summary);
        }
        let ids: Vec<String> = pictures
            .iter()
            .map(|(_, image)| image.upload.clone())
            .collect();
        let uploads = self.store.uploads(&ids).await?;
        for (label, image) in pictures {
            let Some(upload) = uploads.iter().find(|u| u.id == image.upload) else {
                continue;
            };
            // The narrowest rendition the preview serves.
            let shown = upload.renditions.iter().find_map(|r| {
                files
                    .iter()
                    .find(|f| f.hash == r.hash)
                    .map(|f| (f.path.clone(), r.width, r.height))
            });
            if let Some((path, width, height)) = shown {
                summary.thumbnails.push(Thumbnail {
                    alt: image
                        .alt
                        .clone()
                        .unwrap_or_else(|| inputs.site_name.clone()),
                    label,
                    path,
                    width,
                    height,
                });
            }
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_a_word_and_say_so() {
        assert_eq!(excerpt("Short  and\nsweet", 50), "Short and sweet");
        assert_eq!(
            excerpt("We bake bread, every single morning", 20),
            "We bake bread…"
        );
    }

    #[test]
    fn pages_are_the_preview_s_index_files() {
        assert_eq!(page_path("index.html").as_deref(), Some(""));
        assert_eq!(page_path("about/index.html").as_deref(), Some("about/"));
        assert_eq!(page_path("assets/main.css"), None);
        assert_eq!(page_path("404.html"), None);
    }

    #[test]
    fn colours_are_described_with_their_contrast() {
        let inputs: SiteInputs = serde_json::from_value(serde_json::json!({
            "site_name": "Mill Street Bakery",
            "site_description": "Bread.",
            "contact_email": "a@example.com",
            "brand_colors": {"primary": "#1a1a1a", "secondary": "#ffffff", "accent": "#ffcc00"}
        }))
        .unwrap();
        let mut summary = ReviewSummary::default();
        site_summary(&inputs, &mut summary);
        assert_eq!(summary.title, "Mill Street Bakery");
        assert_eq!(summary.swatches[0].hex, "#1a1a1a");
        assert!(
            summary.swatches[0].note.contains("(AAA)"),
            "{:?}",
            summary.swatches
        );
    }
}

/// The names people know principals and councils by, for the ids a page shows.
#[derive(Debug, Clone, Default)]
pub struct Names {
    principals: std::collections::BTreeMap<String, String>,
    councils: std::collections::BTreeMap<String, String>,
}

impl Names {
    /// The principal's name, or its id when it is gone.
    pub fn principal<'a>(&'a self, id: &'a str) -> &'a str {
        match id {
            "system" => "Quorum",
            _ => self.principals.get(id).map_or(id, String::as_str),
        }
    }

    pub fn council<'a>(&'a self, id: &'a str) -> &'a str {
        self.councils.get(id).map_or(id, String::as_str)
    }
}

impl Quorum {
    /// The names of the principals and councils `detail` mentions: its creator, electorate,
    /// voters and everyone in its audit trail, and its council.
    pub async fn names_in(&self, detail: &WorkflowDetail) -> ServiceResult<Names> {
        let mut ids: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        ids.insert(&detail.workflow.created_by_agent);
        ids.extend(detail.electorate.iter().map(String::as_str));
        for vote in &detail.votes {
            ids.insert(&vote.user_id);
            ids.extend(vote.cast_by.as_deref());
        }
        ids.extend(detail.audit.iter().map(|a| a.actor.as_str()));
        let mut names = Names::default();
        for id in ids {
            let name = match id {
                crate::auth::ADMIN_ID => Some(crate::auth::admin_principal().name),
                _ => match self.store.get_principal(id).await {
                    Ok(p) => Some(p.name),
                    Err(quorum_store::StoreError::NotFound(_)) => None,
                    Err(e) => return Err(e.into()),
                },
            };
            if let Some(name) = name {
                names.principals.insert(id.to_owned(), name);
            }
        }
        let council = &detail.workflow.assigned_council_id;
        if let Ok(c) = self.store.get_council(council).await {
            names.councils.insert(c.id, c.name);
        }
        Ok(names)
    }
}
