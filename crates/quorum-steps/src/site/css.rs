//! The stylesheet's fixed parts: the base every site shares (`static/main.css`) and each
//! design's own part (`static/themes/`), minified once per process, so a site carries only
//! the bytes a browser reads and generating one only copies them.

use std::sync::OnceLock;

use super::{Theme, theme};

const BASE_CSS: &str = include_str!("static/main.css");

/// The base and `theme`'s part, minified, in the order the stylesheet takes them.
pub(crate) fn parts(theme: Theme) -> [&'static str; 2] {
    static PARTS: OnceLock<(String, [String; 3])> = OnceLock::new();
    let (base, themes) = PARTS.get_or_init(|| {
        (
            minify(BASE_CSS),
            Theme::ALL.map(|t| minify(theme::stylesheet(t))),
        )
    });
    let i = Theme::ALL.iter().position(|t| *t == theme).unwrap_or(0);
    [base, &themes[i]]
}

/// The CSS without comments and without the whitespace a browser does not need. Quoted
/// strings are kept as written, and a space stays wherever it may separate two tokens: in
/// `.a :focus` it is a descendant combinator, in `calc(100% - 2rem)` the minus needs it.
pub(crate) fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut previous = '\0';
            for c in chars.by_ref() {
                if previous == '*' && c == '/' {
                    break;
                }
                previous = c;
            }
            // A comment separates the tokens either side of it, as whitespace does.
            space = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            let after_joiner = out.chars().last().is_none_or(|p| "{};,>:(".contains(p));
            if !after_joiner && !"{};,>)!".contains(c) {
                out.push(' ');
            }
            space = false;
        }
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        // `0.75rem` is `.75rem`: a number's leading zero, where no digit, letter or point
        // comes before it (`10.5`, `u0.5` and `1.05` keep theirs).
        let starts_number = !out
            .chars()
            .last()
            .is_some_and(|p| p.is_ascii_alphanumeric() || p == '.' || p == '_' || p == '#');
        if c == '0' && chars.peek() == Some(&'.') && starts_number {
            continue;
        }
        out.push(c);
        if c == '"' || c == '\'' {
            while let Some(s) = chars.next() {
                out.push(s);
                if s == '\\' {
                    if let Some(escaped) = chars.next() {
                        out.push(escaped);
                    }
                } else if s == c {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minifying_drops_comments_and_spare_whitespace_only() {
        let css = "/* why */\n.a :focus-visible,\n.b > .c {\n  margin: 0 auto;\n  \
                   width: calc(100% - 2rem); /* inline */\n  content: \"a  { b; }\" / \"\";\n}\n\
                   @media (min-width: 48em) and (prefers-reduced-motion: reduce) {\n  \
                   a { color: red !important; }\n}\n";
        assert_eq!(
            minify(css),
            ".a :focus-visible,.b>.c{margin:0 auto;width:calc(100% - 2rem);\
             content:\"a  { b; }\" / \"\"}@media (min-width:48em) and \
             (prefers-reduced-motion:reduce){a{color:red!important}}"
        );
        assert_eq!(
            minify(
                "a { margin: 0.5rem -0.25em 10.5px 0; line-height: 1.05; top: calc(0.5vw + 0px) }"
            ),
            "a{margin:.5rem -.25em 10.5px 0;line-height:1.05;top:calc(.5vw + 0px)}"
        );
    }

    #[test]
    fn every_part_keeps_its_rules_balanced_and_its_comments_out() {
        for theme in Theme::ALL {
            for part in parts(theme) {
                assert!(!part.contains("/*") && !part.contains('\n'));
                assert_eq!(part.matches('{').count(), part.matches('}').count());
                assert_eq!(part.matches('(').count(), part.matches(')').count());
            }
        }
    }

    /// The palette's roles (and the older names their fallbacks are made from), and the
    /// design settings the base reads.
    const VARIABLES: [&str; 27] = [
        "surface",
        "surface-alt",
        "text",
        "muted",
        "link",
        "button",
        "on-button",
        "header",
        "on-header",
        "accent",
        "on-accent",
        "border",
        "font-heading",
        "font-body",
        "background",
        "primary",
        "on-primary",
        "line",
        "shadow",
        "radius",
        "radius-lg",
        "radius-input",
        "radius-photo",
        "heading-weight",
        "heading-tracking",
        "heading-case",
        "hero-size",
    ];

    #[test]
    fn colours_come_only_from_the_palettes_variables() {
        for theme in Theme::ALL {
            for part in parts(theme) {
                for (i, _) in part.match_indices("var(--") {
                    let name: String = part[i + 6..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    assert!(
                        VARIABLES.contains(&name.as_str()),
                        "{}: --{name}",
                        theme.name()
                    );
                }
                for literal in ["#", "rgb(", "rgba(", "hsl(", "oklch("] {
                    assert!(!part.contains(literal), "{}: {literal}", theme.name());
                }
                for named in ["white", "black", "gray", "grey", "red", "blue", "silver"] {
                    let found = part
                        .split(|c: char| !c.is_ascii_alphabetic() && c != '-')
                        .any(|w| w == named);
                    assert!(!found, "{}: {named}", theme.name());
                }
            }
        }
    }

    #[test]
    fn each_stylesheet_carries_the_base_and_only_its_own_design() {
        for theme in Theme::ALL {
            let [base, own] = parts(theme);
            assert!(base.starts_with("*,*::before,*::after{"));
            assert!(own.contains(&format!(".theme-{}{{", theme.name())));
            for other in Theme::ALL.into_iter().filter(|t| *t != theme) {
                assert!(!own.contains(&format!(".theme-{}", other.name())));
            }
        }
    }

    #[test]
    fn the_base_has_the_layout_the_browser_tests_rely_on() {
        let [base, _] = parts(Theme::Studio);
        for needed in [
            // A short page's footer at the bottom of the screen.
            "body{--line:",
            "display:flex;flex-direction:column;min-height:100vh;min-height:100dvh;",
            "main{flex:1 0 auto;",
            // The phone's menu until there is room for the list.
            ".nav-wide{display:none}",
            ".menu{display:none}.nav-wide{display:block}}",
            "@media (min-width:60em){.header-inner{flex-wrap:wrap}",
            ".menu ul{position:absolute;",
            ".brand-name{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;",
            ":focus-visible{outline:3px solid var(--link);",
            "@media (prefers-reduced-motion:reduce)",
        ] {
            assert!(base.contains(needed), "{needed}");
        }
        for theme in Theme::ALL {
            for part in parts(theme) {
                for banned in ["@media (max-width", "url(", "@import", "@font-face"] {
                    assert!(!part.contains(banned), "{}: {banned}", theme.name());
                }
            }
        }
    }

    /// The classes the pages' content is written with: each has a rule in the base.
    #[test]
    fn every_content_class_has_a_rule() {
        let [base, _] = parts(Theme::Studio);
        for class in [
            "hero",
            "hero-media",
            "hero-text",
            "tagline",
            "lead",
            "actions",
            "button",
            "button-secondary",
            "band",
            "cards",
            "card",
            "price",
            "testimonials",
            "testimonial",
            "team",
            "member",
            "role",
            "gallery",
            "contact-details",
            "phone",
            "hours",
            "social-links",
            "post-list",
            "post-summary",
            "post",
            "post-byline",
            "prose",
        ] {
            let selector = format!(".{class}");
            let styled = base.match_indices(&selector).any(|(i, _)| {
                let next = base[i + selector.len()..].chars().next().unwrap_or(' ');
                !(next.is_ascii_alphanumeric() || next == '-' || next == '_')
            });
            assert!(styled, "{selector}");
        }
    }
}
