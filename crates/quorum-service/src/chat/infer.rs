//! Reading a chat message: which registered workflow type it asks for, and the site name it
//! gives. Only what a message states plainly is taken; anything else is asked for.

use std::sync::Arc;

use quorum_domain::WorkflowTypeDefinition;
use quorum_store::TypeRecord;
use serde_json::Value;

use crate::registry::CompiledType;
use crate::{Quorum, ServiceError, ServiceResult};

impl Quorum {
    /// The type named in the context (refused as creation refuses an unknown type), else the
    /// registered type the message asks for.
    pub(super) async fn chat_type(
        &self,
        named: Option<&str>,
        message: &str,
    ) -> ServiceResult<Arc<CompiledType>> {
        if let Some(id) = named {
            return match self.registry.get(id, None).await {
                Err(ServiceError::NotFound(_)) => Err(ServiceError::invalid_field(
                    "context.workflow_type",
                    "exists",
                    format!(
                        "There is no workflow type {id:?}. {}",
                        menu(&self.registry.list().await?)
                    ),
                )),
                other => other,
            };
        }
        let records = self.registry.list().await?;
        let mut ranked: Vec<(u32, bool, &TypeRecord, String)> = records
            .iter()
            .filter_map(|r| {
                let d: WorkflowTypeDefinition =
                    serde_json::from_value(r.definition.clone()).ok()?;
                Some((score(&d, message), r.executable, r, d.name))
            })
            .filter(|(score, ..)| *score > 0)
            .collect();
        // Best score first; between equals, a type this release can run.
        ranked.sort_by_key(|r| std::cmp::Reverse((r.0, r.1)));
        match ranked.as_slice() {
            [] => Err(ServiceError::invalid_field(
                "context.workflow_type",
                "inferred",
                format!(
                    "I could not tell from your message which workflow you want. {}",
                    menu(&records)
                ),
            )),
            [a, b, ..] if (a.0, a.1) == (b.0, b.1) => Err(ServiceError::invalid_field(
                "context.workflow_type",
                "ambiguous",
                format!(
                    "Your message fits {} ({}) and {} ({}) equally well; name one in context.workflow_type.",
                    a.2.id, a.3, b.2.id, b.3
                ),
            )),
            [best, ..] => self.registry.get(&best.2.id, Some(best.2.version)).await,
        }
    }
}

/// The registered types, for a reply that has to ask which one.
fn menu(records: &[TypeRecord]) -> String {
    let names: Vec<String> = records
        .iter()
        .map(|r| {
            let name = r
                .definition
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let note = if r.executable {
                ""
            } else {
                ", not runnable yet"
            };
            format!("{} ({name}{note})", r.id)
        })
        .collect();
    format!(
        "Available workflow types: {}. Name one in context.workflow_type.",
        names.join(", ")
    )
}

/// How strongly `message` asks for a type: its id (10), its name (5), and one per word of each
/// keyword it uses. Whole words only, so "site" does not match "opposite".
fn score(definition: &WorkflowTypeDefinition, message: &str) -> u32 {
    let message = words(message);
    let uses = |phrase: &str| {
        let phrase = words(phrase);
        // A plural asks for the same thing: "websites" is "website".
        phrase.trim() != ""
            && (message.contains(&phrase) || message.contains(&format!("{}s ", phrase.trim_end())))
    };
    let mut score = 0;
    if uses(&definition.id) {
        score += 10;
    }
    if uses(&definition.name) {
        score += 5;
    }
    for keyword in &definition.keywords {
        if uses(keyword) {
            score += keyword.split_whitespace().count() as u32;
        }
    }
    score
}

/// Lowercase words separated and surrounded by single spaces.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push_str(word);
        out.push(' ');
    }
    out
}

/// Fills a missing `site_name` from the message, for any type whose inputs have one. Nothing
/// else is guessed: a wrong guess would be worse than asking.
pub(super) fn guess_site_name(
    definition: &WorkflowTypeDefinition,
    message: &str,
    inputs: &mut Value,
) -> Option<String> {
    let Value::Object(inputs) = inputs else {
        return None;
    };
    if inputs.contains_key("site_name")
        || definition
            .input_schema
            .pointer("/properties/site_name")
            .is_none()
    {
        return None;
    }
    let name = name_in(message)?;
    inputs.insert("site_name".into(), Value::from(name.clone()));
    Some(name)
}

/// The name a message gives a site: "… called X", "… named X", "website for X", "site for X".
fn name_in(message: &str) -> Option<String> {
    // Explicit naming first: in "a website for my bakery called Crumbs" the name is Crumbs.
    const MARKERS: [&str; 10] = [
        "called ",
        "named ",
        "website for ",
        "web site for ",
        "site for ",
        "homepage for ",
        "page for ",
        "store for ",
        "shop for ",
        "site about ",
    ];
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `message`.
    let lower = message.to_ascii_lowercase();
    MARKERS.iter().find_map(|marker| {
        let at = lower.match_indices(marker).map(|(i, _)| i).find(|&i| {
            !lower[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        })?;
        let rest = &message[at + marker.len()..];
        let name = clause(rest);
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// The start of `text` up to where its clause ends, without quotes or trailing punctuation.
fn clause(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    let mut end = text
        .find([',', ';', ':', '!', '?', '(', '\n'])
        .unwrap_or(text.len());
    for stop in [
        ". ", " called ", " named ", " with ", " that ", " which ", " where ", " using ",
    ] {
        if let Some(i) = lower.find(stop) {
            end = end.min(i);
        }
    }
    text[..end].trim_matches(|c: char| c.is_whitespace() || "\"'“”‘’.!?,;:".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_name_is_read_from_the_usual_phrasings() {
        for (message, name) in [
            (
                "Create a website for Codex Digital Studios",
                Some("Codex Digital Studios"),
            ),
            (
                "Create a website for Codex Digital Studios.",
                Some("Codex Digital Studios"),
            ),
            ("please build a site for Acme, a bakery", Some("Acme")),
            ("Build me a site called \"Blue Fox\"!", Some("Blue Fox")),
            ("a website for my bakery named Crumbs", Some("Crumbs")),
            ("A landing page for Nimbus with a blog", Some("Nimbus")),
            ("Create a website", None),
            ("Create a website for", None),
        ] {
            assert_eq!(name_in(message).as_deref(), name, "{message}");
        }
    }

    #[test]
    fn types_are_scored_by_whole_words_of_their_id_name_and_keywords() {
        let definition: WorkflowTypeDefinition =
            serde_json::from_str(crate::registry::BUILTIN_TYPES[0]).unwrap();
        assert_eq!(score(&definition, "Create a website for Codex"), 1);
        assert_eq!(score(&definition, "Two websites, please"), 1);
        assert_eq!(score(&definition, "the opposite of that"), 0);
        assert_eq!(score(&definition, "run website.create_basic_site"), 12);
        assert_eq!(
            score(&definition, "Create Basic Website: a web site"),
            5 + 1 + 2 + 1
        );
    }
}
