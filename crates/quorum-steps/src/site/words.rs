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

/// Every string the generator writes itself, in one language.
#[derive(Debug, PartialEq, Eq)]
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
    /// Monday first, capitalised as a table's row label.
    pub weekdays: [&'static str; 7],
    /// January first, as written inside a date.
    pub months: [&'static str; 12],
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
