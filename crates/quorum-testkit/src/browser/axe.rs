//! axe-core accessibility checks: where the script comes from and the report it returns.
//!
//! The script is the one `js/package-lock.json` pins, read from `js/node_modules` at run
//! time so the repository carries no vendored copy; `install-browser-deps.sh` puts it there.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Deserialize;

/// The WebDriver script that runs axe on the current page.
pub(crate) const RUN_SCRIPT: &str = include_str!("axe-run.js");

/// Where `npm ci --prefix crates/quorum-testkit/js` installs axe-core.
pub(crate) fn script_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js/node_modules/axe-core/axe.min.js")
}

/// axe-core's source, read once per test binary; `None` when it is not installed.
pub(crate) fn source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| std::fs::read_to_string(script_path()).ok())
        .as_deref()
}

/// How much a violation hurts, as axe rates it; ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Minor,
    Moderate,
    Serious,
    Critical,
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impact::Minor => "minor",
            Impact::Moderate => "moderate",
            Impact::Serious => "serious",
            Impact::Critical => "critical",
        })
    }
}

/// One failed axe rule and the elements that fail it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AxeViolation {
    /// The rule, e.g. `image-alt` or `label`.
    pub id: String,
    /// `None` when axe gives no rating.
    pub impact: Option<Impact>,
    /// One line saying what the rule asks for.
    pub help: String,
    pub help_url: String,
    pub nodes: Vec<AxeNode>,
}

/// An element that fails a rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AxeNode {
    /// CSS selectors that find the element.
    pub target: Vec<String>,
    /// The element's opening HTML.
    pub html: String,
    /// axe's advice on how to fix it.
    pub failure_summary: Option<String>,
}

/// The violations axe found on one page.
///
/// Its `Display` lists them one per line with the failing elements, meant as an assertion
/// message: `assert!(report.is_empty(), "{report}")`.
#[derive(Debug, Clone, Default)]
pub struct AxeReport {
    pub violations: Vec<AxeViolation>,
    /// True when axe-core is not installed and this is not CI: nothing was checked, so the
    /// report is empty. The test has already printed `SKIPPED: …` to stderr.
    pub skipped: bool,
}

impl AxeReport {
    pub(crate) fn skipped() -> Self {
        Self {
            violations: Vec::new(),
            skipped: true,
        }
    }

    /// Only the violations rated serious or critical: the ones a page must not ship with.
    pub fn serious_or_critical(&self) -> AxeReport {
        AxeReport {
            violations: self
                .violations
                .iter()
                .filter(|violation| violation.impact >= Some(Impact::Serious))
                .cloned()
                .collect(),
            skipped: self.skipped,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    /// The ids of the failed rules, for asserting that a particular rule fired.
    pub fn ids(&self) -> Vec<&str> {
        self.violations.iter().map(|v| v.id.as_str()).collect()
    }

    /// The violation of rule `id`, if the page has one.
    pub fn violation(&self, id: &str) -> Option<&AxeViolation> {
        self.violations.iter().find(|v| v.id == id)
    }
}

impl fmt::Display for AxeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return f.write_str("axe-core not installed: accessibility not checked");
        }
        if self.violations.is_empty() {
            return f.write_str("no accessibility violations");
        }
        writeln!(f, "{} accessibility violation(s):", self.violations.len())?;
        for violation in &self.violations {
            let impact = violation
                .impact
                .map_or_else(|| "unrated".to_owned(), |i| i.to_string());
            writeln!(
                f,
                "- {} ({impact}): {} <{}>",
                violation.id, violation.help, violation.help_url
            )?;
            for node in &violation.nodes {
                writeln!(f, "    {}  {}", node.target.join(", "), node.html)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(id: &str, impact: Option<Impact>) -> AxeViolation {
        AxeViolation {
            id: id.to_owned(),
            impact,
            help: String::new(),
            help_url: String::new(),
            nodes: Vec::new(),
        }
    }

    #[test]
    fn serious_or_critical_keeps_only_the_two_highest_ratings() {
        let report = AxeReport {
            violations: vec![
                violation("minor", Some(Impact::Minor)),
                violation("moderate", Some(Impact::Moderate)),
                violation("serious", Some(Impact::Serious)),
                violation("critical", Some(Impact::Critical)),
                violation("unrated", None),
            ],
            skipped: false,
        };
        assert_eq!(report.serious_or_critical().ids(), ["serious", "critical"]);
    }

    #[test]
    fn violations_deserialize_from_the_shape_the_run_script_returns() {
        let json = serde_json::json!([{
            "id": "image-alt",
            "impact": "critical",
            "help": "Images must have alternative text",
            "helpUrl": "https://example.invalid/image-alt",
            "nodes": [{ "target": ["img"], "html": "<img src=\"a.png\">", "failureSummary": null }]
        }]);
        let violations: Vec<AxeViolation> = serde_json::from_value(json).unwrap();
        assert_eq!(violations[0].impact, Some(Impact::Critical));
        assert_eq!(violations[0].nodes[0].target, ["img"]);
    }
}
