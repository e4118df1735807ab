//! The one check every text from outside passes before it can reach a database: no NUL
//! (PostgreSQL's text refuses it, and no reader expects it), and, where the text is a single
//! line such as an id or a query value, no other control character either.
//!
//! Invalid UTF-8 and lone surrogates never get this far: request decoding refuses them, and a
//! Rust `str` cannot hold them.

use crate::FieldError;

/// How much of a text may hold control characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Free text such as a reason or a message: tabs and line breaks are fine, NUL is not.
    Multiline,
    /// Ids, names, header-bound and URL-bound values: no control character at all.
    Line,
}

impl Text {
    /// Whether `text` may be kept as this kind of text.
    pub fn allows(self, text: &str) -> bool {
        match self {
            Self::Multiline => !text.contains('\0'),
            Self::Line => !text.chars().any(char::is_control),
        }
    }

    /// `Ok` when `text` may be kept; otherwise the detail that names `field` and the rule.
    pub fn check(self, field: &str, text: &str) -> Result<(), FieldError> {
        if self.allows(text) {
            return Ok(());
        }
        Err(match self {
            Self::Multiline => FieldError::new(field, "no_nul", "must not contain NUL characters"),
            Self::Line => FieldError::new(
                field,
                "no_control_characters",
                "must not contain control characters such as NUL, line breaks or tabs",
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_keeps_line_breaks_and_refuses_nul() {
        assert!(Text::Multiline.allows("two\nlines\tand a tab"));
        assert!(!Text::Multiline.allows("a\0b"));
        assert_eq!(
            Text::Multiline.check("reason", "\0").unwrap_err().rule,
            "no_nul"
        );
    }

    #[test]
    fn a_line_refuses_every_control_character() {
        assert!(Text::Line.allows("Café Москва 東京"));
        for bad in [
            "a\0",
            "a\r\nb",
            "a\u{7f}",
            "\u{1b}[31m",
            "a\u{85}b",
            "tab\t",
        ] {
            assert!(!Text::Line.allows(bad), "{bad:?}");
        }
        assert_eq!(
            Text::Line.check("council_id", "x\n").unwrap_err().field,
            "council_id"
        );
    }
}
