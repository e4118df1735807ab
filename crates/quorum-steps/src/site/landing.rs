//! `website.create_landing_page`: one page built to convert — a headline (two, when the
//! inputs try one against the other), the benefits, social proof, pricing, questions and a
//! lead form — and the form's rules, which the page's markup and the server's check of a
//! submission both read, so a browser never lets through what the server then refuses.
//!
//! A/B: with `headline_b`, the generator makes a second home page, [`VARIANT_B_FILE`], the
//! same but for its headline and the form's hidden `variant`; the server picks one per
//! visitor by a stable split and counts views and sign-ups per variant.

use std::collections::BTreeMap;

use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::family_words::FamilyWords;
use super::images::{self, Placement};
use super::layout::{Ctx, Meta, document};
use super::sections::{self, band, lines, words};
use super::words::fill;
use super::{HONEYPOT_FIELD, Media, Page, PageKind, SiteInputs, SiteSpec, Words, plan, theme};

/// The second variant's home page, at the root's depth so its relative links are the
/// first's. The server serves it at the site's root to half the visitors.
pub const VARIANT_B_FILE: &str = "index-b.html";
/// Where the lead form posts, relative to the site's root.
pub const LEAD_ENDPOINT: &str = "lead";
/// The fields every lead form has, besides those the inputs add.
pub const LEAD_NAME: &str = "name";
pub const LEAD_EMAIL: &str = "email";
pub const LEAD_CONSENT: &str = "consent";
pub const LEAD_VARIANT: &str = "variant";
/// Names a field of the inputs' own may not take: the form's own fields.
pub const RESERVED_LEAD_FIELDS: [&str; 5] = [
    LEAD_NAME,
    LEAD_EMAIL,
    LEAD_CONSENT,
    LEAD_VARIANT,
    HONEYPOT_FIELD,
];
pub const LEAD_NAME_MAX: usize = 100;
pub const LEAD_EMAIL_MAX: usize = super::CONTACT_EMAIL_MAX;
/// A one-line field's limit unless the inputs set a lower one, and a paragraph's.
pub const LEAD_LINE_MAX: usize = 200;
pub const LEAD_TEXT_MAX: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    pub headline: String,
    /// The line under the headline; absent, the site's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_headline: Option<String>,
    /// A second headline, shown to half the visitors, to learn which converts better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_b: Option<String>,
    /// The button's words, and the form's heading: "Get the free guide".
    pub call_to_action: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub benefits: Vec<Benefit>,
    /// Short facts that vouch for the business: "1,200 bakers use it", "4.9 on Google".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proof: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faq: Vec<Question>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pricing: Vec<PricingPlan>,
    #[serde(default)]
    pub form: LeadForm,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingPlan {
    pub name: String,
    /// As the business writes it: "$19", "Free".
    pub price: String,
    /// "per month".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// The plan to draw the eye to.
    #[serde(default)]
    pub highlighted: bool,
}

/// The lead form: name and e-mail always, then the inputs' own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadForm {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<LeadField>,
    /// What a visitor agrees to, e.g. "I agree to receive e-mails from Crumbs". Given, the
    /// form has a checkbox that must be ticked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadField {
    /// The name it is posted and stored under: `company`, `team_size`.
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub kind: LeadFieldKind,
    #[serde(default)]
    pub required: bool,
    /// A select's choices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Characters; at most [`LEAD_LINE_MAX`] for one line, [`LEAD_TEXT_MAX`] for a paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadFieldKind {
    #[default]
    Text,
    Tel,
    Url,
    Textarea,
    Select,
}

impl LeadField {
    /// The most characters the field takes.
    pub fn max(&self) -> usize {
        let limit = match self.kind {
            LeadFieldKind::Textarea => LEAD_TEXT_MAX,
            _ => LEAD_LINE_MAX,
        };
        self.max_length.map_or(limit, |max| max.clamp(1, limit))
    }

    fn one_line(&self) -> bool {
        self.kind != LeadFieldKind::Textarea
    }
}

/// Which of the two headlines a visitor is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    #[default]
    A,
    B,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::A => "a",
            Variant::B => "b",
        }
    }

    /// What a form's hidden field says; anything else is the first variant.
    pub fn parse(value: &str) -> Variant {
        match value {
            "b" => Variant::B,
            _ => Variant::A,
        }
    }

    /// The variant a visitor keyed by `key` (their address and browser, say) sees: the same
    /// each time, half the keys each way.
    pub fn for_visitor(key: &str) -> Variant {
        use sha2::Digest;
        match sha2::Sha256::digest(key.as_bytes())[0] & 1 {
            0 => Variant::A,
            _ => Variant::B,
        }
    }
}

impl Landing {
    /// The headline `variant` shows: the second only when the inputs give one.
    pub fn headline(&self, variant: Variant) -> &str {
        match (variant, &self.headline_b) {
            (Variant::B, Some(b)) => b.trim(),
            _ => self.headline.trim(),
        }
    }

    pub fn has_variants(&self) -> bool {
        self.headline_b
            .as_deref()
            .is_some_and(|b| !b.trim().is_empty())
    }
}

/// A lead as a submission gives it, checked against the deployed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadValues {
    pub name: String,
    pub email: String,
    /// The inputs' own fields that were filled in, by name.
    pub fields: BTreeMap<String, String>,
    pub consent: bool,
    pub variant: Variant,
}

/// What the form shows: empty on the page, the visitor's own words when the server refused
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFormState {
    pub values: BTreeMap<String, String>,
    pub problems: Vec<LeadProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadProblem {
    /// The field's name; None for the whole form.
    pub field: Option<String>,
    pub kind: LeadProblemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadProblemKind {
    Required,
    TooLong {
        max: usize,
    },
    NotEmail,
    NotOneLine,
    NotAnOption,
    Consent,
    /// Beside a field: what no browser sends; about the whole: the form could not be read.
    Unreadable,
    TooMany {
        per_minute: u32,
    },
    Unavailable,
}

impl LeadProblem {
    fn of(field: &str, kind: LeadProblemKind) -> LeadProblem {
        LeadProblem {
            field: Some(field.to_owned()),
            kind,
        }
    }

    /// The problem as a sentence in `language`, naming the field by its label.
    pub fn said(&self, landing: &Landing, language: &str) -> String {
        let words = Words::for_language(language);
        let family = FamilyWords::for_language(language);
        let label = self
            .field
            .as_deref()
            .map(|field| field_label(landing, field, words))
            .unwrap_or_default();
        let with = |pattern: &str, max: usize| {
            fill(
                pattern,
                &[("label", label.as_str()), ("max", &words.number(max))],
            )
        };
        match self.kind {
            LeadProblemKind::Required => with(family.problem_required, 0),
            LeadProblemKind::TooLong { max } => with(family.problem_too_long, max),
            LeadProblemKind::NotEmail => words.problem_email.to_owned(),
            LeadProblemKind::NotOneLine => with(family.problem_one_line, 0),
            LeadProblemKind::NotAnOption => with(family.problem_option, 0),
            LeadProblemKind::Consent => family.problem_consent.to_owned(),
            LeadProblemKind::Unreadable if self.field.is_some() => {
                words.problem_unreadable_field.to_owned()
            }
            LeadProblemKind::Unreadable => words.problem_unreadable.to_owned(),
            LeadProblemKind::TooMany { per_minute } => fill(
                family.problem_too_many,
                &[("count", &words.number(per_minute as usize))],
            ),
            LeadProblemKind::Unavailable => words.problem_unavailable.to_owned(),
        }
    }
}

fn field_label(landing: &Landing, field: &str, words: &Words) -> String {
    match field {
        LEAD_NAME => words.form_name.to_owned(),
        LEAD_EMAIL => words.form_email.to_owned(),
        _ => landing
            .form
            .fields
            .iter()
            .find(|f| f.name == field)
            .map_or_else(|| field.to_owned(), |f| f.label.trim().to_owned()),
    }
}

/// Checks a submission (field name → value, as posted) against the form the inputs define.
/// Fields the form does not have are ignored; what is kept is trimmed.
pub fn check_lead(
    landing: &Landing,
    submitted: &BTreeMap<String, String>,
) -> Result<LeadValues, Vec<LeadProblem>> {
    let mut problems = Vec::new();
    let value = |name: &str| submitted.get(name).map_or("", |v| v.trim());
    let name = value(LEAD_NAME);
    if name.is_empty() {
        problems.push(LeadProblem::of(LEAD_NAME, LeadProblemKind::Required));
    } else if name.chars().count() > LEAD_NAME_MAX {
        problems.push(LeadProblem::of(
            LEAD_NAME,
            LeadProblemKind::TooLong { max: LEAD_NAME_MAX },
        ));
    } else if name.chars().any(char::is_control) {
        problems.push(LeadProblem::of(LEAD_NAME, LeadProblemKind::NotOneLine));
    }
    let email = value(LEAD_EMAIL);
    if !plausible_email(email) {
        problems.push(LeadProblem::of(LEAD_EMAIL, LeadProblemKind::NotEmail));
    }
    let mut fields = BTreeMap::new();
    for field in &landing.form.fields {
        let given = value(&field.name);
        if given.is_empty() {
            if field.required {
                problems.push(LeadProblem::of(&field.name, LeadProblemKind::Required));
            }
            continue;
        }
        let kind = if given.chars().count() > field.max() {
            Some(LeadProblemKind::TooLong { max: field.max() })
        } else if given.contains('\0') {
            Some(LeadProblemKind::Unreadable)
        } else if field.one_line() && given.chars().any(char::is_control) {
            Some(LeadProblemKind::NotOneLine)
        } else if field.kind == LeadFieldKind::Select
            && !field.options.iter().any(|o| o.trim() == given)
        {
            Some(LeadProblemKind::NotAnOption)
        } else {
            None
        };
        match kind {
            Some(kind) => problems.push(LeadProblem::of(&field.name, kind)),
            None => {
                fields.insert(field.name.clone(), given.to_owned());
            }
        }
    }
    let consent = !value(LEAD_CONSENT).is_empty();
    if landing.form.consent.is_some() && !consent {
        problems.push(LeadProblem::of(LEAD_CONSENT, LeadProblemKind::Consent));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(LeadValues {
        name: name.to_owned(),
        email: email.to_owned(),
        fields,
        consent,
        variant: Variant::parse(value(LEAD_VARIANT)),
    })
}

/// One @, something on each side, a dot in the domain, no spaces or control characters: what
/// a form can check; only delivery proves an address.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= LEAD_EMAIL_MAX
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// The landing page's main content, showing `variant`'s headline.
pub(crate) fn page(ctx: &Ctx, landing: &Landing, variant: Variant) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let inputs = ctx.inputs;
    let hero = inputs
        .hero_image
        .as_ref()
        .and_then(|image| images::img(ctx, image, Placement::Hero, ""));
    let sub = landing
        .sub_headline
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(ctx.description());
    let empty = LeadFormState::default();
    let state = ctx.lead.unwrap_or(&empty);
    html! {
        section.hero.landing-hero aria-labelledby="page-title" {
            @if let Some(hero) = hero {
                div.hero-media { (hero) }
            }
            div.hero-text {
                h1 #page-title { (landing.headline(variant)) }
                p.lead { (sub) }
                p.actions { a.button href="#signup" { (landing.call_to_action.trim()) } }
                @if !landing.proof.is_empty() {
                    ul.proof {
                        @for fact in &landing.proof { li { (fact.trim()) } }
                    }
                }
            }
        }
        @if !landing.benefits.is_empty() {
            (band("benefits", &fill(family.why, &[("name", ctx.name())]), html! {
                ul.cards {
                    @for benefit in &landing.benefits {
                        li.card {
                            h3 { (benefit.title.trim()) }
                            @if let Some(text) = &benefit.text { p { (lines(text)) } }
                        }
                    }
                }
            }))
        }
        @if !inputs.testimonials.is_empty() {
            (band("testimonials", words(ctx).testimonials, sections::testimonials(&inputs.testimonials)))
        }
        @if !landing.pricing.is_empty() {
            (band("pricing", family.pricing, pricing(landing, family)))
        }
        @if !landing.faq.is_empty() {
            (band("faq", family.faq, html! {
                div.faq {
                    @for q in &landing.faq {
                        details {
                            summary { (q.question.trim()) }
                            p { (lines(&q.answer)) }
                        }
                    }
                }
            }))
        }
        (band("signup", landing.call_to_action.trim(), form(ctx, landing, state, variant)))
    }
}

fn pricing(landing: &Landing, family: &FamilyWords) -> Markup {
    html! {
        ul.cards.plans {
            @for plan in &landing.pricing {
                li.card.plan.featured[plan.highlighted] {
                    @if plan.highlighted { p.plan-badge { (family.most_popular) } }
                    h3 { (plan.name.trim()) }
                    p.price {
                        (plan.price.trim())
                        @if let Some(period) = &plan.period { " " span.period { (period.trim()) } }
                    }
                    @if !plan.features.is_empty() {
                        ul.features { @for feature in &plan.features { li { (feature.trim()) } } }
                    }
                    p { a.button href="#signup" { (landing.call_to_action.trim()) } }
                }
            }
        }
    }
}

/// The form in `state`: the same markup on the deployed page and in a refused answer.
pub(crate) fn form(
    ctx: &Ctx,
    landing: &Landing,
    state: &LeadFormState,
    variant: Variant,
) -> Markup {
    let words = words(ctx);
    let family = FamilyWords::for_language(ctx.inputs.language());
    let language = ctx.inputs.language();
    let value = |name: &str| state.values.get(name).filter(|v| !v.is_empty()).cloned();
    let problem = |name: &str| {
        state
            .problems
            .iter()
            .find(|p| p.field.as_deref() == Some(name))
    };
    let error_id = |name: &str| problem(name).map(|_| format!("lead-{name}-error"));
    let invalid = |name: &str| problem(name).map(|_| "true");
    let said = |name: &str| {
        html! {
            @if let Some(p) = problem(name) {
                p.field-error id={ "lead-" (name) "-error" } {
                    span.visually-hidden { (words.form_error) (words.colon) }
                    (p.said(landing, language))
                }
            }
        }
    };
    html! {
        form.contact-form.lead-form method="post" action=(ctx.href(LEAD_ENDPOINT))
            data-thanks=(family.lead_thanks) {
            @if !state.problems.is_empty() {
                div.error-summary role="alert" aria-labelledby="lead-problems" {
                    h2 #lead-problems { (words.form_refused) }
                    ul {
                        @for p in &state.problems {
                            li {
                                @match p.field.as_deref() {
                                    Some(field) => a href={ "#lead-" (field) } { (p.said(landing, language)) },
                                    None => (p.said(landing, language)),
                                }
                            }
                        }
                    }
                }
            }
            input type="hidden" name=(LEAD_VARIANT) value=(variant.as_str());
            div.field {
                label for="lead-name" { (words.form_name) }
                (said(LEAD_NAME))
                input #lead-name type="text" name=(LEAD_NAME) autocomplete="name"
                    maxlength=(LEAD_NAME_MAX) required value=[value(LEAD_NAME)]
                    aria-invalid=[invalid(LEAD_NAME)] aria-describedby=[error_id(LEAD_NAME)];
            }
            div.field {
                label for="lead-email" { (words.form_email) }
                (said(LEAD_EMAIL))
                input #lead-email type="email" name=(LEAD_EMAIL) autocomplete="email"
                    maxlength=(LEAD_EMAIL_MAX) required value=[value(LEAD_EMAIL)]
                    aria-invalid=[invalid(LEAD_EMAIL)] aria-describedby=[error_id(LEAD_EMAIL)];
            }
            @for field in &landing.form.fields {
                @let id = format!("lead-{}", field.name);
                div.field {
                    label for=(id) {
                        (field.label.trim())
                        @if !field.required { " " span.optional { (family.optional) } }
                    }
                    (said(&field.name))
                    @match field.kind {
                        LeadFieldKind::Textarea => {
                            textarea #(id) name=(field.name) rows="4" maxlength=(field.max())
                                required[field.required]
                                aria-invalid=[invalid(&field.name)]
                                aria-describedby=[error_id(&field.name)] {
                                (value(&field.name).unwrap_or_default())
                            }
                        }
                        LeadFieldKind::Select => {
                            @let chosen = value(&field.name);
                            select #(id) name=(field.name) required[field.required]
                                aria-invalid=[invalid(&field.name)]
                                aria-describedby=[error_id(&field.name)] {
                                option value="" { "—" }
                                @for option in &field.options {
                                    option selected[chosen.as_deref() == Some(option.trim())] { (option.trim()) }
                                }
                            }
                        }
                        kind => {
                            @let (input_type, autocomplete) = match kind {
                                LeadFieldKind::Tel => ("tel", Some("tel")),
                                LeadFieldKind::Url => ("url", Some("url")),
                                _ => ("text", None),
                            };
                            input #(id) type=(input_type) name=(field.name)
                                autocomplete=[autocomplete] maxlength=(field.max())
                                required[field.required] value=[value(&field.name)]
                                aria-invalid=[invalid(&field.name)]
                                aria-describedby=[error_id(&field.name)];
                        }
                    }
                }
            }
            @if let Some(consent) = &landing.form.consent {
                div.field.consent {
                    (said(LEAD_CONSENT))
                    input #lead-consent type="checkbox" name=(LEAD_CONSENT) value="yes" required
                        checked[value(LEAD_CONSENT).is_some()]
                        aria-invalid=[invalid(LEAD_CONSENT)]
                        aria-describedby=[error_id(LEAD_CONSENT)];
                    " "
                    label for="lead-consent" { (consent.trim()) }
                }
            }
            div.visually-hidden aria-hidden="true" {
                label for="lead-website" { (words.form_honeypot) }
                input #lead-website type="text" name=(HONEYPOT_FIELD) tabindex="-1"
                    autocomplete="off";
            }
            p {
                button.button type="submit" data-sending=(words.form_sending) {
                    (landing.call_to_action.trim())
                }
            }
        }
    }
}

/// What the server answers a lead form's submission with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadAnswer<'a> {
    Received,
    /// The landing page again, its form holding what was typed and why it was refused.
    Refused(&'a LeadFormState, Variant),
}

/// The page answering a submission, as served at the form's endpoint (the site's root
/// depth); None when the inputs are not a landing page's.
pub fn lead_answer(
    inputs: &SiteInputs,
    spec: &SiteSpec,
    media: &Media,
    answer: LeadAnswer<'_>,
) -> Option<Vec<u8>> {
    inputs.landing.as_ref()?;
    let words = Words::for_language(inputs.language());
    let family = FamilyWords::for_language(inputs.language());
    let (plan, _) = plan::plan(inputs, words);
    let mut ctx = Ctx::new(inputs, spec, &plan, media, theme::choose(inputs).theme);
    ctx.noindex = true;
    let home = plan.iter().find(|p| p.kind == PageKind::Landing)?;
    Some(match answer {
        LeadAnswer::Refused(state, variant) => {
            ctx.lead = Some(state);
            ctx.variant = variant;
            super::pages::render(&ctx, home)
        }
        LeadAnswer::Received => {
            let page = Page::new(
                LEAD_ENDPOINT,
                PageKind::Contact,
                family.lead_thanks_title.into(),
            );
            let main = html! {
                h1 { (family.lead_thanks_title) }
                p.lead { (family.lead_thanks) }
                p { a.button href=(ctx.href("")) { (words.back_home) } }
            };
            let meta = Meta {
                page: &page,
                description: fill(
                    words.answer_description,
                    &[("title", family.lead_thanks_title), ("name", ctx.name())],
                ),
            };
            document(&ctx, &meta, main).into_string().into_bytes()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn landing() -> Landing {
        serde_json::from_value(serde_json::json!({
            "headline": "Bake bread that sells out",
            "headline_b": "Sell out by noon",
            "call_to_action": "Get the free guide",
            "form": {
                "fields": [
                    {"name": "company", "label": "Bakery name", "required": true, "max_length": 60},
                    {"name": "size", "label": "Loaves a day", "kind": "select", "options": ["Under 100", "100 or more"]},
                    {"name": "notes", "label": "Anything else", "kind": "textarea"}
                ],
                "consent": "I agree to receive e-mails from Crumbs"
            }
        }))
        .unwrap()
    }

    fn submitted(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_good_lead_is_kept_trimmed_with_its_variant() {
        let lead = check_lead(
            &landing(),
            &submitted(&[
                ("name", " Ana "),
                ("email", "ana@example.com"),
                ("company", "Crumbs"),
                ("size", "100 or more"),
                ("consent", "yes"),
                ("variant", "b"),
                ("unknown", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(lead.name, "Ana");
        assert_eq!(lead.variant, Variant::B);
        assert_eq!(
            lead.fields.keys().collect::<Vec<_>>(),
            ["company", "size"],
            "an empty optional field is not kept, nor one the form lacks"
        );
    }

    #[test]
    fn each_rule_is_named_beside_its_field() {
        let problems = check_lead(
            &landing(),
            &submitted(&[
                ("name", "Ana\r\nBcc: x@example.com"),
                ("email", "ana@"),
                ("company", &"c".repeat(61)),
                ("size", "a thousand"),
                ("notes", "a\0b"),
            ]),
        )
        .unwrap_err();
        let kinds: Vec<(&str, LeadProblemKind)> = problems
            .iter()
            .map(|p| (p.field.as_deref().unwrap(), p.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("name", LeadProblemKind::NotOneLine),
                ("email", LeadProblemKind::NotEmail),
                ("company", LeadProblemKind::TooLong { max: 60 }),
                ("size", LeadProblemKind::NotAnOption),
                ("notes", LeadProblemKind::Unreadable),
                ("consent", LeadProblemKind::Consent),
            ]
        );
        assert_eq!(
            problems[2].said(&landing(), "en"),
            "Bakery name takes at most 60 characters"
        );
        assert_eq!(
            problems[3].said(&landing(), "de"),
            "Wählen Sie eine der Möglichkeiten für Loaves a day"
        );
    }

    #[test]
    fn the_split_is_stable_and_uses_both_variants() {
        let keys: Vec<String> = (0..200).map(|i| format!("10.0.0.{i} Firefox")).collect();
        let b = keys
            .iter()
            .filter(|k| Variant::for_visitor(k) == Variant::B)
            .count();
        assert!((60..140).contains(&b), "{b} of 200 saw b");
        for key in &keys {
            assert_eq!(Variant::for_visitor(key), Variant::for_visitor(key));
        }
    }
}
