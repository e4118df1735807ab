//! A site in French or German says nothing in English: no word the generator writes itself
//! reaches any of its pages, its logo or its contact answers in English. The business's own
//! text is its own, so the sites here are written in their language throughout.

use scraper::{Html, Node};

use super::*;

fn french() -> SiteInputs {
    serde_json::from_str(include_str!("../../../fixtures/boulangerie-fr.json")).unwrap()
}

fn german() -> SiteInputs {
    serde_json::from_str(include_str!("../../../fixtures/baeckerei-de.json")).unwrap()
}

/// Every reason a submission can be refused, so the answer shows every problem's words.
fn every_problem() -> ContactFormState {
    let problem = |field: Option<&str>, kind| FormProblem {
        field: field.map(Into::into),
        kind,
    };
    ContactFormState {
        name: "Ana".into(),
        email: "ana".into(),
        message: "Bonjour".into(),
        problems: vec![
            problem(Some("name"), ProblemKind::NameLength),
            problem(Some("name"), ProblemKind::NameNotOneLine),
            problem(Some("email"), ProblemKind::NotEmail),
            problem(Some("message"), ProblemKind::MessageLength),
            problem(Some("message"), ProblemKind::Unreadable),
            problem(None, ProblemKind::Unreadable),
            problem(None, ProblemKind::TooMany { per_minute: 5 }),
            problem(None, ProblemKind::Unavailable),
        ],
    }
}

/// What a reader meets on a page: its text outside scripts (JSON-LD speaks schema.org's
/// English, for machines) and the attributes read aloud or shown.
fn shown(html: &str) -> String {
    const READ: [&str; 6] = [
        "alt",
        "aria-label",
        "title",
        "content",
        "value",
        "data-sending",
    ];
    let doc = Html::parse_document(html);
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        match node.value() {
            Node::Text(text) => {
                let in_script = node
                    .parent()
                    .and_then(|p| p.value().as_element().map(|e| e.name()))
                    .is_some_and(|name| name == "script" || name == "style");
                if !in_script {
                    out.push_str(text);
                    out.push('\n');
                }
            }
            Node::Element(element) => {
                for value in READ.iter().filter_map(|a| element.attr(a)) {
                    out.push_str(value);
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether `text` holds `phrase` as whole words.
fn says(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The English of every word the generator writes where `words` says it otherwise: each
/// word, and each pattern's text between its placeholders.
fn english_not_in(words: &Words) -> Vec<String> {
    let english = serde_json::to_value(&words::EN).unwrap();
    let theirs = serde_json::to_value(words).unwrap();
    let mut phrases = Vec::new();
    let mut add = |en: &serde_json::Value, their: &serde_json::Value| {
        let (Some(en), Some(their)) = (en.as_str(), their.as_str()) else {
            return;
        };
        if en == their {
            return;
        }
        for piece in en.split(['{', '}']).step_by(2) {
            let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
            if piece.chars().any(char::is_alphabetic) {
                phrases.push(piece.to_owned());
            }
        }
    };
    for (field, en) in english.as_object().unwrap() {
        if field == "language" {
            continue;
        }
        match (en, &theirs[field]) {
            (serde_json::Value::Array(en), serde_json::Value::Array(their)) => {
                en.iter().zip(their).for_each(|(en, their)| add(en, their));
            }
            (en, their) => add(en, their),
        }
    }
    phrases
}

/// Every page of the site (with and without its pictures), its 404 pages, its logo, and
/// every answer to a submission, as what a reader meets.
fn everything_shown(inputs: &SiteInputs) -> Vec<(String, String)> {
    let spec = spec();
    let mut shown_by = Vec::new();
    for media in [media_for(inputs), Media::default()] {
        let site = generate(inputs, &spec, &media);
        for (path, file) in &site.files {
            let text = String::from_utf8_lossy(&file.bytes);
            // The logo's title is what a reader of the SVG meets.
            if path.ends_with(".html") || path == LOGO_FILE {
                shown_by.push((path.clone(), shown(&text)));
            }
        }
        let refused = every_problem();
        for (name, answer) in [
            ("received", ContactAnswer::Received),
            ("sent", ContactAnswer::Sent),
            ("refused", ContactAnswer::Refused(&refused)),
        ] {
            let html = contact_answer(inputs, &spec, &media, answer);
            shown_by.push((name.into(), shown(&String::from_utf8(html).unwrap())));
        }
    }
    shown_by
}

fn no_english_on(inputs: &SiteInputs) {
    assert_eq!(check(inputs), Ok(()), "the fixture is a valid site");
    let words = Words::for_language(inputs.language());
    assert_ne!(words.language, "en");
    let english = english_not_in(words);
    assert!(english.len() > 60, "{english:?}");
    let pages = everything_shown(inputs);
    assert!(pages.len() > 20);
    for (path, text) in &pages {
        for phrase in &english {
            assert!(!says(text, phrase), "{path} says {phrase:?}:\n{text}");
        }
    }
    // And the words it does say are its own, the answers' and the problems' among them.
    let all: String = pages.iter().map(|(_, text)| text.as_str()).collect();
    for own in [
        words.thank_you,
        words.message_received,
        words.form_refused,
        words.problem_email,
        words.form_honeypot,
        words.form_sending,
        words.main_nav,
        words.footer_nav,
    ] {
        assert!(says(&all, own), "{own}");
    }
}

#[test]
fn a_french_site_says_nothing_in_english_on_any_page_or_answer() {
    no_english_on(&french());
}

#[test]
fn a_german_site_says_nothing_in_english_on_any_page_or_answer() {
    no_english_on(&german());
}

#[test]
fn the_problems_are_said_in_the_sites_language_with_its_numbers() {
    let refused = every_problem();
    let answer = |inputs: &SiteInputs| {
        let html = contact_answer(
            inputs,
            &spec(),
            &Media::default(),
            ContactAnswer::Refused(&refused),
        );
        String::from_utf8(html).unwrap()
    };
    let french = answer(&french());
    for said in [
        r##"<li><a href="#contact-message">Écrivez un message de 1 à 5000 caractères</a></li>"##,
        "<li>Ce site reçoit au plus 5 messages par minute\u{a0}; réessayez dans un instant</li>",
        "<span class=\"visually-hidden\">Erreur\u{a0}: </span>Indiquez un nom de 1 à 100 caractères",
        r#"data-sending="Envoi…">Envoyer le message</button>"#,
    ] {
        assert!(french.contains(said), "{said}");
    }
    let german = answer(&german());
    assert!(german.contains("Schreiben Sie eine Nachricht mit 1 bis 5000 Zeichen"));
    let english = answer(&seed());
    assert!(english.contains("Write a message of 1 to 5,000 characters"));
}

#[test]
fn an_answer_says_sent_only_when_it_was_in_every_language() {
    let inputs = [seed(), french(), german()];
    for inputs in &inputs {
        let words = Words::for_language(inputs.language());
        let answer = |answer| {
            let html = contact_answer(inputs, &spec(), &Media::default(), answer);
            shown(&String::from_utf8(html).unwrap())
        };
        let received = answer(ContactAnswer::Received);
        assert!(
            says(&received, words.message_received),
            "{}",
            words.language
        );
        assert!(!says(&received, words.message_sent), "{}", words.language);
        assert!(
            !says(&received, words.message_sent_title),
            "{}",
            words.language
        );
        let sent = answer(ContactAnswer::Sent);
        assert!(says(&sent, words.message_sent), "{}", words.language);
        assert!(!says(&sent, words.message_received), "{}", words.language);
    }
}
