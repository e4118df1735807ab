//! The generator's own words — page titles, headings, labels, weekdays, dates — in the site's
//! language. English, German, French, Spanish, Italian, Dutch and Portuguese (Brazilian), by
//! the tag's primary subtag (`fr-CA` speaks French); any other language gets English, and the
//! site says so in its outputs. The business's own text is never translated.

mod de;
mod es;
mod fr;
mod it;
mod nl;
mod pt;

pub use de::DE;
pub use es::ES;
pub use fr::FR;
pub use it::IT;
pub use nl::NL;
pub use pt::PT;

use super::Weekday;

/// Every string the generator writes itself, in one language. A word with `{braces}` is a
/// pattern for [`fill`].
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Words {
    /// The primary subtag these words are in: `en`, `fr`.
    pub language: &'static str,
    pub home: &'static str,
    pub about: &'static str,
    pub services: &'static str,
    pub contact: &'static str,
    pub blog: &'static str,
    /// The call to action that leads to the contact page.
    pub get_in_touch: &'static str,
    /// The heading over the services, on the home page and the services page.
    pub what_we_offer: &'static str,
    pub all_services: &'static str,
    pub testimonials: &'static str,
    pub team: &'static str,
    pub gallery: &'static str,
    pub latest_posts: &'static str,
    pub all_posts: &'static str,
    pub read_more: &'static str,
    /// Before an author's name: "By Ana Lima".
    pub by: &'static str,
    pub contact_details: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub address: &'static str,
    pub opening_hours: &'static str,
    pub closed: &'static str,
    pub follow_us: &'static str,
    /// The contact page's line above the form.
    pub contact_lead: &'static str,
    pub form_name: &'static str,
    pub form_email: &'static str,
    pub form_message: &'static str,
    pub form_required: &'static str,
    pub form_send: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub not_found_home: &'static str,
    pub skip_to_content: &'static str,
    pub menu: &'static str,
    /// After a label, spaced as the language spaces it: `Email: `, `E-mail : `.
    pub colon: &'static str,
    /// What a screen reader calls the header's navigation and the footer's.
    pub main_nav: &'static str,
    pub footer_nav: &'static str,
    /// The logo's text alternative; `{name}` is the site's name.
    pub logo_alt: &'static str,
    /// The label of the field only bots fill in, for a reader that meets it anyway.
    pub form_honeypot: &'static str,
    /// What the send button says while the form is sent (the script shows it).
    pub form_sending: &'static str,
    /// The heading over a refused submission's problems.
    pub form_refused: &'static str,
    /// Before a field's problem (then `colon`), for a screen reader that reads it alone.
    pub form_error: &'static str,
    /// The answer to a submission: "received" when it is kept, "sent" only once the SMTP
    /// server took it.
    pub thank_you: &'static str,
    pub message_sent_title: &'static str,
    pub message_sent: &'static str,
    pub message_received_title: &'static str,
    pub message_received: &'static str,
    pub reply_promise: &'static str,
    pub back_home: &'static str,
    /// An answer's meta description: `{title}` is the answer's title, `{name}` the site's.
    pub answer_description: &'static str,
    /// Why a submission was refused, as one sentence each; `{max}` is the field's limit.
    pub problem_name_length: &'static str,
    pub problem_name_line: &'static str,
    pub problem_email: &'static str,
    pub problem_message_length: &'static str,
    /// A field holding what no browser sends (NUL, bytes that are not UTF-8).
    pub problem_unreadable_field: &'static str,
    /// A form that could not be read at all.
    pub problem_unreadable: &'static str,
    /// `{count}` is how many messages one address may send a minute.
    pub problem_too_many: &'static str,
    /// The server could not keep the message (its database is down, say).
    pub problem_unavailable: &'static str,
    /// Between groups of three digits: `12,500`, `12.500`.
    pub thousands_separator: &'static str,
    /// How many digits a number has before they are grouped: English writes `5,000`; the
    /// others write `5000` but `12.500`.
    pub(crate) group_from: usize,
    /// Monday first, capitalised as a table's row label.
    pub weekdays: [&'static str; 7],
    /// January first, as written inside a date.
    pub months: [&'static str; 12],
    #[cfg_attr(test, serde(skip))]
    pub(crate) date_style: DateStyle,
}

/// How a language writes a date in running text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DateStyle {
    /// `14 March 2026`
    DayMonthYear,
    /// `14. März 2026`
    DayDotMonthYear,
    /// `1er mars 2026`, `14 mars 2026`
    French,
    /// `14 de marzo de 2026`
    DayDeMonthDeYear,
}

impl Words {
    pub const ALL: [&'static Words; 7] = [&EN, &DE, &FR, &ES, &IT, &NL, &PT];

    /// The words for a BCP 47 tag, by its primary subtag, if Quorum has them.
    pub fn find(tag: &str) -> Option<&'static Words> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        Words::ALL
            .into_iter()
            .find(|words| words.language.eq_ignore_ascii_case(primary))
    }

    /// The words for a BCP 47 tag; English when Quorum has none in its language.
    pub fn for_language(tag: &str) -> &'static Words {
        Words::find(tag).unwrap_or(&EN)
    }

    pub fn weekday(&self, day: Weekday) -> &'static str {
        self.weekdays[day as usize]
    }

    /// A calendar date as this language writes it; `None` for a month outside 1–12.
    pub fn date(&self, year: u32, month: u32, day: u32) -> Option<String> {
        let name = self.months.get(month.checked_sub(1)? as usize)?;
        Some(match self.date_style {
            DateStyle::DayMonthYear => format!("{day} {name} {year}"),
            DateStyle::DayDotMonthYear => format!("{day}. {name} {year}"),
            DateStyle::French if day == 1 => format!("1er {name} {year}"),
            DateStyle::French => format!("{day} {name} {year}"),
            DateStyle::DayDeMonthDeYear => format!("{day} de {name} de {year}"),
        })
    }

    /// A count as this language writes it: `5,000` and `12,500` in English, `5000` and
    /// `12 500` in French.
    pub fn number(&self, n: usize) -> String {
        let digits = n.to_string();
        if digits.len() < self.group_from {
            return digits;
        }
        let mut out = String::with_capacity(digits.len() + 8);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.thousands_separator);
            }
            out.push(digit);
        }
        out
    }

    /// The logo's text alternative for a site called `name`.
    pub fn logo_alt(&self, name: &str) -> String {
        fill(self.logo_alt, &[("name", name)])
    }
}

/// `pattern` with each `{key}` of `values` replaced by its value. One pass over the pattern,
/// so braces in a value (a site called `{name}`) are never read as a placeholder; an unknown
/// `{key}` stays as written.
pub(crate) fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let key = &after[..close];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub static EN: Words = Words {
    language: "en",
    home: "Home",
    about: "About",
    services: "Services",
    contact: "Contact",
    blog: "Blog",
    get_in_touch: "Get in touch",
    what_we_offer: "What we offer",
    all_services: "All services",
    testimonials: "What our customers say",
    team: "Meet the team",
    gallery: "Our work",
    latest_posts: "Latest posts",
    all_posts: "All posts",
    read_more: "Read more",
    by: "By",
    contact_details: "Contact details",
    phone: "Phone",
    email: "Email",
    address: "Address",
    opening_hours: "Opening hours",
    closed: "Closed",
    follow_us: "Follow us",
    contact_lead: "Write to us with the form below, or reach us directly.",
    form_name: "Name",
    form_email: "Email",
    form_message: "Message",
    form_required: "All fields are required.",
    form_send: "Send message",
    not_found_title: "Page not found",
    not_found_text: "The page you asked for is not here. It may have moved, or the link may be mistyped.",
    not_found_home: "Go to the home page",
    skip_to_content: "Skip to content",
    menu: "Menu",
    colon: ": ",
    main_nav: "Main",
    footer_nav: "Footer",
    logo_alt: "{name} logo",
    form_honeypot: "Leave this field empty",
    form_sending: "Sending…",
    form_refused: "Your message was not sent",
    form_error: "Error",
    thank_you: "Thank you",
    message_sent_title: "Message sent",
    message_sent: "Your message has been sent.",
    message_received_title: "Message received",
    message_received: "Your message has been received.",
    reply_promise: "We will reply to the address you gave.",
    back_home: "Back to the home page",
    answer_description: "{title} by {name}.",
    problem_name_length: "Give a name of 1 to {max} characters",
    problem_name_line: "Give your name on one line, without control characters",
    problem_email: "Give an e-mail address such as ana@example.com",
    problem_message_length: "Write a message of 1 to {max} characters",
    problem_unreadable_field: "This field holds characters no browser sends; type it again",
    problem_unreadable: "The form could not be read: send it as a browser does, in UTF-8",
    problem_too_many: "At most {count} messages a minute may be sent to this site; try again shortly",
    problem_unavailable: "Your message could not be kept just now; try again in a few minutes",
    thousands_separator: ",",
    group_from: 4,
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    date_style: DateStyle::DayMonthYear,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primary_subtag_picks_the_words() {
        assert_eq!(Words::for_language("fr-CA").language, "fr");
        assert_eq!(Words::for_language("pt-BR").language, "pt");
        assert_eq!(Words::for_language("DE").language, "de");
        assert_eq!(Words::for_language("nl_BE").language, "nl");
        assert_eq!(Words::find("ja"), None);
        assert_eq!(Words::for_language("ja").language, "en");
        assert_eq!(Words::for_language("").language, "en");
    }

    #[test]
    fn every_language_has_every_word_and_they_differ_from_english() {
        for words in Words::ALL {
            for day in words.weekdays.iter().chain(words.months.iter()) {
                assert!(!day.trim().is_empty(), "{}", words.language);
            }
            if words.language != "en" {
                assert_ne!(words.weekdays, EN.weekdays, "{}", words.language);
                assert_ne!(words.months, EN.months, "{}", words.language);
                assert_ne!(words.opening_hours, EN.opening_hours, "{}", words.language);
                assert_ne!(words.form_send, EN.form_send, "{}", words.language);
                assert_ne!(
                    words.not_found_text, EN.not_found_text,
                    "{}",
                    words.language
                );
            }
        }
    }

    /// Every string of a language's words, by field name (a weekday as `weekdays[0]`).
    fn strings(words: &Words) -> Vec<(String, String)> {
        let value = serde_json::to_value(words).unwrap();
        let mut out = Vec::new();
        for (field, value) in value.as_object().unwrap() {
            match value {
                serde_json::Value::String(s) => out.push((field.clone(), s.clone())),
                serde_json::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        out.push((format!("{field}[{i}]"), item.as_str().unwrap().to_owned()));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn placeholders(pattern: &str) -> Vec<&str> {
        let mut keys: Vec<&str> = pattern
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(key, _)| key))
            .collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn a_translation_is_english_only_where_the_language_says_it_the_same_way() {
        // Words these languages share with English; anything else equal to English would be a
        // word left untranslated.
        let same_as_english = |language: &str| -> &[&str] {
            match language {
                "de" => &["blog", "colon", "form_name"],
                "fr" => &["blog", "contact", "form_message", "menu", "services"],
                "es" => &["blog", "colon", "form_error"],
                "it" => &["blog", "colon", "home", "menu"],
                "nl" => &["blog", "colon", "contact", "home", "menu"],
                "pt" => &["blog", "colon", "menu"],
                _ => unreachable!("{language}"),
            }
        };
        // A field as a whole: a month may be the same (`April`) where the calendar is not.
        let english = serde_json::to_value(&EN).unwrap();
        for words in Words::ALL.into_iter().filter(|w| w.language != "en") {
            let theirs = serde_json::to_value(words).unwrap();
            for (field, value) in theirs.as_object().unwrap() {
                if ["thousands_separator", "group_from"].contains(&field.as_str()) {
                    continue;
                }
                assert_eq!(
                    *value == english[field],
                    same_as_english(words.language).contains(&field.as_str()),
                    "{}.{field}: {value}",
                    words.language
                );
            }
        }
    }

    #[test]
    fn every_word_is_written_and_every_pattern_keeps_its_placeholders() {
        let english = strings(&EN);
        for words in Words::ALL {
            for ((field, word), (_, en)) in strings(words).iter().zip(&english) {
                assert!(!word.is_empty(), "{}.{field}", words.language);
                assert_eq!(
                    placeholders(word),
                    placeholders(en),
                    "{}.{field}: {word:?}",
                    words.language
                );
            }
        }
    }

    #[test]
    fn a_pattern_is_filled_in_one_pass() {
        assert_eq!(EN.logo_alt("Rye & Roses"), "Rye & Roses logo");
        assert_eq!(FR.logo_alt("Café {name}"), "Logo de Café {name}");
        assert_eq!(
            fill(
                "{title} by {name}.",
                &[("title", "{name}"), ("name", "Ana")]
            ),
            "{name} by Ana."
        );
        assert_eq!(fill("{unknown} {", &[("name", "Ana")]), "{unknown} {");
        assert_eq!(fill("", &[]), "");
    }

    #[test]
    fn numbers_are_grouped_as_each_language_groups_them() {
        assert_eq!(EN.number(5), "5");
        assert_eq!(EN.number(5_000), "5,000");
        assert_eq!(EN.number(1_234_567), "1,234,567");
        assert_eq!(FR.number(5_000), "5000");
        assert_eq!(FR.number(12_500), "12\u{202f}500");
        assert_eq!(DE.number(12_500), "12.500");
        assert_eq!(ES.number(5_000), "5000");
        assert_eq!(DE.number(100), "100");
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        assert_eq!(EN.date(2026, 3, 14).unwrap(), "14 March 2026");
        assert_eq!(DE.date(2026, 3, 14).unwrap(), "14. März 2026");
        assert_eq!(FR.date(2026, 3, 1).unwrap(), "1er mars 2026");
        assert_eq!(FR.date(2026, 8, 15).unwrap(), "15 août 2026");
        assert_eq!(ES.date(2026, 5, 2).unwrap(), "2 de mayo de 2026");
        assert_eq!(PT.date(2026, 3, 14).unwrap(), "14 de março de 2026");
        assert_eq!(EN.date(2026, 13, 1), None);
        assert_eq!(EN.date(2026, 0, 1), None);
        assert_eq!(IT.weekday(Weekday::Sunday), "Domenica");
    }
}
