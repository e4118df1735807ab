//! Input checks beyond the JSON schema: the schema is enforced where a workflow is created,
//! and this is the generator's own line of defence for anything that becomes a path, a CSS
//! value or a link.

mod content;
mod family;
mod values;

use super::{RESERVED_SLUGS, SiteInputs};
use crate::InputProblem as Problem;

pub(crate) use values::{calendar_date, phone_href, post_slug_ok, social_url_ok};

pub const MAX_PAGES: usize = 20;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 300;
pub const MAX_EMAIL_CHARS: usize = 254;

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    /// Records that `field` breaks a rule; the sentence begins with the field's name.
    fn add(&mut self, field: impl Into<String>, rest: impl std::fmt::Display) {
        let field = field.into();
        self.0.push(Problem {
            message: format!("{field} {rest}"),
            field,
        });
    }
}

/// Every reason these inputs cannot make a site, one sentence each naming its field.
pub fn check(inputs: &SiteInputs) -> Result<(), Vec<Problem>> {
    let mut problems = Problems::default();
    text(
        "site_name",
        &inputs.site_name,
        MAX_NAME_CHARS,
        &mut problems,
    );
    text(
        "site_description",
        &inputs.site_description,
        MAX_DESCRIPTION_CHARS,
        &mut problems,
    );

    let colors = &inputs.brand_colors;
    for (field, value) in [
        ("primary", &colors.primary),
        ("secondary", &colors.secondary),
        ("accent", &colors.accent),
    ] {
        if !colour_ok(value) {
            problems.add(
                format!("brand_colors.{field}"),
                format_args!("must be a colour like #1a1a1a, not {value:?}"),
            );
        }
    }
    for (field, value) in [
        ("heading", &inputs.typography.heading),
        ("body", &inputs.typography.body),
    ] {
        if !font_ok(value) {
            problems.add(
                format!("typography.{field}"),
                format_args!("must be 1 to 40 letters, digits, spaces or hyphens, not {value:?}"),
            );
        }
    }

    if inputs.pages.is_empty() {
        problems.add("pages", "must name at least one page");
    }
    if inputs.pages.len() > MAX_PAGES {
        problems.add(
            "pages",
            format_args!(
                "may name at most {MAX_PAGES} pages, not {}",
                inputs.pages.len()
            ),
        );
    }
    for (i, page) in inputs.pages.iter().enumerate() {
        let slug = page.slug();
        if !page_slug_ok(slug) {
            problems.add(
                format!("pages[{i}]"),
                format_args!(
                    "must be 1 to 40 lowercase letters, digits or hyphens, and not {}, not {slug:?}",
                    RESERVED_SLUGS.join(" or ")
                ),
            );
        } else if inputs.pages[..i].iter().any(|p| p.slug() == slug) {
            problems.add(format!("pages[{i}]"), format_args!("repeats {slug:?}"));
        }
    }

    if !email_ok(&inputs.contact_email) {
        problems.add(
            "contact_email",
            format_args!(
                "must be an email address like name@example.com, not {:?}",
                inputs.contact_email
            ),
        );
    }

    if let Some(slug) = &inputs.site_slug
        && !site_slug_ok(slug)
    {
        problems.add(
            "site_slug",
            format_args!(
                "must be 1 to 40 lowercase letters, digits or hyphens, with no hyphen at either end, not {slug:?}"
            ),
        );
    }

    content::check(inputs, &mut problems);
    family::check(inputs, &mut problems);
    if let Some(domain) = &inputs.domain
        && !domain_ok(domain)
    {
        problems.add(
            "domain",
            format_args!(
                "must be a lowercase host name such as www.example.com (no scheme, port or path, not an IP address), not {domain:?}"
            ),
        );
    }

    if problems.0.is_empty() {
        Ok(())
    } else {
        Err(problems.0)
    }
}

fn text(field: &str, value: &str, max: usize, problems: &mut Problems) {
    if value.trim().is_empty() {
        problems.add(field, "must not be empty");
    }
    let chars = value.chars().count();
    if chars > max {
        problems.add(
            field,
            format_args!("may be at most {max} characters, not {chars}"),
        );
    }
    if value.chars().any(char::is_control) {
        problems.add(field, "must not contain control characters");
    }
}

/// `^[a-z0-9-]{1,40}$`, and not a path the site's own files use.
pub(crate) fn page_slug_ok(slug: &str) -> bool {
    (1..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !RESERVED_SLUGS.contains(&slug)
}

/// `^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`: what [`super::slug_for`] makes, so a chosen
/// slug and a made one live in one space.
pub(crate) fn site_slug_ok(slug: &str) -> bool {
    (1..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// The schema's `^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`, at
/// most 253 characters: a lowercase host name of two labels or more, without a port or a
/// trailing dot. The last label starts with a letter, so no IPv4 address passes, and no IPv6
/// one has the characters; the server reads a request's `Host` by the same rule.
pub fn domain_ok(domain: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let Some((_, top)) = domain.rsplit_once('.') else {
        return false;
    };
    domain.len() <= 253
        && domain.split('.').all(label_ok)
        && top.len() >= 2
        && top.starts_with(|c: char| c.is_ascii_lowercase())
}

/// `^#[0-9a-fA-F]{6}$`.
pub(crate) fn colour_ok(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `^[A-Za-z0-9 -]{1,40}$`: nothing that could close a CSS string or declaration.
pub(crate) fn font_ok(value: &str) -> bool {
    (1..=40).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
        && !value.trim().is_empty()
}

/// A plain address: one `@`, a dot-atom local part, and a domain of at least two labels of
/// letters, digits and inner hyphens. Stricter than RFC 5322 on purpose: it goes in a
/// `mailto:` link and a mail header.
pub(crate) fn email_ok(value: &str) -> bool {
    if value.len() > MAX_EMAIL_CHARS {
        return false;
    }
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> SiteInputs {
        serde_json::from_value(serde_json::json!({
            "site_name": "Codex Digital Studios",
            "site_description": "AI-powered web development",
            "brand_colors": {"primary": "#1a1a1a"},
            "contact_email": "hello@codexdigital.app"
        }))
        .unwrap()
    }

    fn problems(inputs: &SiteInputs) -> Vec<String> {
        check(inputs)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn the_seed_example_passes() {
        assert_eq!(check(&seed()), Ok(()));
    }

    #[test]
    fn a_page_slug_that_climbs_out_of_the_site_is_rejected() {
        for slug in ["../etc", "a/b", "About", "", "assets", &"a".repeat(41)] {
            let mut inputs = seed();
            inputs.pages = vec!["home".into(), slug.into()];
            let found = problems(&inputs);
            assert!(
                found.iter().any(|p| p.starts_with("pages[1]")),
                "{slug:?}: {found:?}"
            );
        }
    }

    #[test]
    fn a_repeated_page_is_rejected() {
        let mut inputs = seed();
        inputs.pages = vec!["home".into(), "about".into(), "home".into()];
        assert_eq!(problems(&inputs), vec![r#"pages[2] repeats "home""#]);
    }

    #[test]
    fn twenty_one_pages_are_too_many_and_none_is_too_few() {
        let mut inputs = seed();
        inputs.pages = (0..21).map(|i| format!("page-{i}").into()).collect();
        assert!(problems(&inputs)[0].starts_with("pages may name at most 20"));
        inputs.pages.pop();
        assert_eq!(check(&inputs), Ok(()));
        inputs.pages.clear();
        assert_eq!(problems(&inputs), vec!["pages must name at least one page"]);
    }

    #[test]
    fn colours_must_be_six_hex_digits() {
        for bad in ["red", "#fff", "#1a1a1g", "1a1a1a#", "#1a1a1a1", "#1a1a1a;}"] {
            let mut inputs = seed();
            inputs.brand_colors.accent = bad.into();
            let found = problems(&inputs);
            assert_eq!(found.len(), 1, "{bad}: {found:?}");
            assert!(found[0].starts_with("brand_colors.accent"));
        }
        let mut inputs = seed();
        inputs.brand_colors.secondary = "#ABCDEF".into();
        assert_eq!(check(&inputs), Ok(()));
    }

    #[test]
    fn fonts_that_could_break_out_of_css_are_rejected() {
        let mut inputs = seed();
        inputs.typography.heading = "Inter\"; } body { color: red".into();
        inputs.typography.body = "   ".into();
        let found = problems(&inputs);
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn names_and_descriptions_have_limits() {
        let mut inputs = seed();
        inputs.site_name = "n".repeat(101);
        inputs.site_description = "d".repeat(301);
        assert_eq!(problems(&inputs).len(), 2);
        inputs.site_name = "é".repeat(100);
        inputs.site_description = " ".into();
        assert_eq!(
            problems(&inputs),
            vec!["site_description must not be empty"]
        );
    }

    #[test]
    fn a_domain_is_a_lowercase_host_name_without_port_or_address() {
        for good in [
            "example.com",
            "www.green-leaf.co.uk",
            "a1.b2.io",
            "xn--caf-dma.fr",
        ] {
            assert!(domain_ok(good), "{good}");
        }
        for bad in [
            "localhost",
            "Example.com",
            "example.com.",
            "example.com:8080",
            "127.0.0.1",
            "[::1]",
            "https://example.com",
            "example.com/about",
            "-x.example.com",
            "x-.example.com",
            "a..b.com",
            "example.c",
            "example.1com",
            "exa mple.com",
            &format!("{}.com", "a".repeat(64)),
            &format!("{}com", "abcdefghi.".repeat(26)),
        ] {
            assert!(!domain_ok(bad), "{bad}");
        }
        assert!(
            domain_ok(&format!("{}com", "abcdefghi.".repeat(25))),
            "253 characters"
        );
        let mut inputs = seed();
        inputs.domain = Some("Example.COM".into());
        assert!(problems(&inputs)[0].starts_with("domain must be a lowercase host name"));
        inputs.domain = Some("example.com".into());
        assert_eq!(check(&inputs), Ok(()));
    }

    #[test]
    fn email_addresses_must_look_like_one() {
        for good in ["hello@codexdigital.app", "a.b+c@mail.example.co.uk"] {
            assert!(email_ok(good), "{good}");
        }
        for bad in [
            "hello",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@-b.com",
            "\"><img onerror=x>@x.com",
            "a..b@c.com",
            "a@b.com\r\nBcc: x@y.com",
        ] {
            assert!(!email_ok(bad), "{bad}");
        }
    }
}
