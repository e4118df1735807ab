//! Which of the designs a site wears, and why: the inputs' `theme` when they name one, else
//! the one the business's own words point to, with the words that decided it, so the council
//! can see the choice and overrule it. Also each design's stylesheet part.

use serde::Serialize;

use super::{SiteInputs, Theme};

/// A design and the reason it was picked, as `apply_branding`'s outputs show it:
/// `{"name": "warm", "chosen_by": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chosen {
    #[serde(rename = "name")]
    pub theme: Theme,
    #[serde(rename = "chosen_by")]
    pub reason: String,
}

/// The stylesheet part that makes a site look like `theme`, after the base every site shares.
pub(crate) fn stylesheet(theme: Theme) -> &'static str {
    match theme {
        Theme::Studio => include_str!("static/themes/studio.css"),
        Theme::Warm => include_str!("static/themes/warm.css"),
        Theme::Bold => include_str!("static/themes/bold.css"),
    }
}

/// The words that point to a design: a word counts when it starts with one of `stems`, or is
/// one of `words` (kept whole because as stems they would catch too much: `tea` in `team`,
/// `spa` in `space`).
struct Cues {
    theme: Theme,
    stems: &'static [&'static str],
    words: &'static [&'static str],
}

/// Studio has cues of its own although it is also the default: a design agency that "builds
/// brands" should not be dressed as a builder.
const CUES: [Cues; 3] = [
    Cues {
        theme: Theme::Warm,
        stems: &[
            "bake",
            "baker",
            "backer",
            "boulang",
            "patisser",
            "pastr",
            "konditor",
            "bread",
            "cake",
            "cupcake",
            "chocolat",
            "confection",
            "cafe",
            "coffee",
            "kaffee",
            "espresso",
            "roaster",
            "teahouse",
            "tearoom",
            "restaur",
            "ristorante",
            "trattoria",
            "osteria",
            "bistro",
            "brasserie",
            "pizz",
            "pasta",
            "noodle",
            "sushi",
            "taco",
            "burger",
            "brunch",
            "breakfast",
            "dining",
            "diner",
            "food",
            "catering",
            "grocer",
            "butcher",
            "cheese",
            "delicatess",
            "gelat",
            "icecream",
            "wine",
            "brewer",
            "tavern",
            "juice",
            "shop",
            "boutique",
            "florist",
            "flower",
            "bouquet",
            "salon",
            "barber",
            "hairdress",
            "beauty",
            "cosmetic",
            "candle",
            "gift",
            "bookshop",
            "bookstore",
            "tailor",
        ],
        words: &[
            "tea", "teas", "deli", "bar", "bars", "pub", "pubs", "spa", "spas", "inn", "eatery",
            "kitchen", "menu", "hair", "nails", "store", "stores",
        ],
    },
    Cues {
        theme: Theme::Bold,
        stems: &[
            "plumb",
            "plomb",
            "electric",
            "elektri",
            "roof",
            "build",
            "construct",
            "repair",
            "garage",
            "mechanic",
            "landscap",
            "cleaning",
            "cleaner",
            "fitness",
            "crossfit",
            "bootcamp",
            "boxing",
            "martial",
            "carpent",
            "joiner",
            "handyman",
            "renovat",
            "remodel",
            "weld",
            "locksmith",
            "heating",
            "boiler",
            "drain",
            "glazier",
            "glazing",
            "tiling",
            "tiler",
            "flooring",
            "paving",
            "fencing",
            "concrete",
            "masonry",
            "bricklay",
            "scaffold",
            "demolition",
            "excavat",
            "haulage",
            "removals",
            "tyre",
            "autobody",
            "contractor",
            "tradesm",
            "installer",
            "decorator",
            "gutter",
            "solar",
            "hvac",
        ],
        words: &[
            "gym", "gyms", "auto", "cars", "tires", "trades", "movers", "painter", "painters",
            "pest", "pests",
        ],
    },
    Cues {
        theme: Theme::Studio,
        stems: &[
            "studio",
            "design",
            "agency",
            "consult",
            "architect",
            "photograph",
            "creative",
            "brand",
            "marketing",
            "digital",
            "software",
            "develop",
            "lawyer",
            "attorney",
            "solicitor",
            "legal",
            "account",
            "advis",
            "strateg",
            "coach",
            "therap",
            "counsel",
            "clinic",
            "dental",
            "dentist",
            "research",
            "analytic",
            "illustrat",
            "animation",
            "film",
            "video",
            "publish",
            "copywrit",
            "translat",
            "tutor",
            "yoga",
            "pilates",
            "web",
        ],
        words: &["law", "data", "media", "app", "apps", "practice", "ai"],
    },
];

/// Where a word was found, and how much a word there counts: the name says most about what a
/// business is, a service name least (a bakery may also "repair" a wedding cake's delivery).
const FIELD_WEIGHTS: [(&str, u32); 4] = [
    ("name", 3),
    ("tagline", 2),
    ("description", 2),
    ("services", 1),
];

/// At most this many words are quoted per design in a reason, so it stays one line.
const QUOTED_WORDS: usize = 4;

/// The design for these inputs: theirs when they name one, else by their words.
pub(crate) fn choose(inputs: &SiteInputs) -> Chosen {
    if let Some(theme) = inputs.theme {
        return Chosen {
            theme,
            reason: "the inputs name it".into(),
        };
    }
    let services: Vec<&str> = inputs.services.iter().map(|s| s.name.as_str()).collect();
    let fields: [(&str, Vec<&str>); 4] = [
        (FIELD_WEIGHTS[0].0, vec![inputs.site_name.as_str()]),
        (
            FIELD_WEIGHTS[1].0,
            inputs.tagline.as_deref().into_iter().collect(),
        ),
        (FIELD_WEIGHTS[2].0, vec![inputs.site_description.as_str()]),
        (FIELD_WEIGHTS[3].0, services),
    ];

    // Per design: its score and the words that earned it, in the order found.
    let mut tally: [(u32, Vec<(String, &str)>); 3] = Default::default();
    for ((field, texts), (_, weight)) in fields.iter().zip(FIELD_WEIGHTS) {
        for text in texts {
            for word in words(text) {
                for (i, cues) in CUES.iter().enumerate() {
                    if cues.matches(&word) {
                        tally[i].0 += weight;
                        if !tally[i].1.iter().any(|(w, f)| *w == word && f == field) {
                            tally[i].1.push((word.clone(), field));
                        }
                    }
                }
            }
        }
    }

    // The highest score wins; a tie goes to the calmer design (studio, then warm), which
    // suits a mixed business better than the loudest one does.
    let rank = |i: usize| match CUES[i].theme {
        Theme::Studio => 0,
        Theme::Warm => 1,
        Theme::Bold => 2,
    };
    let winner = (0..CUES.len())
        .max_by(|&a, &b| tally[a].0.cmp(&tally[b].0).then(rank(b).cmp(&rank(a))))
        .unwrap_or(0);
    if tally[winner].0 == 0 {
        return Chosen {
            theme: Theme::Studio,
            reason: "no word in the name, tagline, description or service names points to food, \
                     shops or trades, so the default"
                .into(),
        };
    }
    let mut reason = format!("the business's words {}", quote(&tally[winner].1));
    let outweighed: Vec<String> = (0..CUES.len())
        .filter(|&i| i != winner && tally[i].0 > 0)
        .map(|i| format!("{} ({})", quote(&tally[i].1), CUES[i].theme.name()))
        .collect();
    if !outweighed.is_empty() {
        reason.push_str(&format!(", which outweigh {}", outweighed.join(" and ")));
    }
    Chosen {
        theme: CUES[winner].theme,
        reason,
    }
}

impl Cues {
    fn matches(&self, word: &str) -> bool {
        self.words.contains(&word) || self.stems.iter().any(|stem| word.starts_with(stem))
    }
}

/// `"bakery" (name), "coffee" (services)`.
fn quote(found: &[(String, &str)]) -> String {
    found
        .iter()
        .take(QUOTED_WORDS)
        .map(|(word, field)| format!("\"{word}\" ({field})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text's words, in lowercase ASCII: `Café Crème` → `cafe`, `creme`, so one list of
/// cues serves accented spellings too.
fn words(text: &str) -> Vec<String> {
    deunicode::deunicode_with_tofu(text, " ")
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::site::tests::{bakery, bakery_media};
    use crate::site::{CSS_FILE, FONT_BUDGET, JS_FILE, SiteSpec, generate};

    fn inputs(name: &str, description: &str) -> SiteInputs {
        serde_json::from_value(json!({
            "site_name": name,
            "site_description": description,
            "contact_email": "hello@example.com"
        }))
        .unwrap()
    }

    #[test]
    fn a_theme_the_inputs_name_is_the_one_worn() {
        let mut bakery = inputs("Rye & Roses Bakery", "Sourdough and cakes");
        bakery.theme = Some(Theme::Bold);
        assert_eq!(
            choose(&bakery),
            Chosen {
                theme: Theme::Bold,
                reason: "the inputs name it".into()
            }
        );
    }

    #[test]
    fn food_and_shop_words_choose_warm_and_say_which() {
        let chosen = choose(&inputs("Rye & Roses Bakery", "Coffee and cakes by the sea"));
        assert_eq!(chosen.theme, Theme::Warm);
        assert_eq!(
            chosen.reason,
            "the business's words \"bakery\" (name), \"coffee\" (description), \"cakes\" (description)"
        );
        for (name, description) in [
            ("Café Lumière", "Breakfast all day"),
            ("Petal & Stem", "A florist in the old town"),
            ("Shear Joy", "Hair salon and barber"),
            ("Il Forno", "Pizzeria and wine bar"),
        ] {
            assert_eq!(
                choose(&inputs(name, description)).theme,
                Theme::Warm,
                "{name}"
            );
        }
    }

    #[test]
    fn trade_words_choose_bold() {
        for (name, description) in [
            ("Dave's Plumbing", "Emergency callouts, 24/7"),
            ("Northside Electrical", "Rewiring and inspections"),
            ("Oak & Iron Builders", "Extensions and loft conversions"),
            ("Greenway", "Landscaping and garden maintenance"),
            ("Quick Fix", "Phone and laptop repairs"),
            ("Iron Temple", "A gym with personal training"),
        ] {
            assert_eq!(
                choose(&inputs(name, description)).theme,
                Theme::Bold,
                "{name}"
            );
        }
    }

    #[test]
    fn without_telling_words_the_design_is_studio_and_the_reason_says_so() {
        let chosen = choose(&inputs("Northwind", "We help teams ship"));
        assert_eq!(chosen.theme, Theme::Studio);
        assert!(chosen.reason.contains("the default"), "{}", chosen.reason);
    }

    #[test]
    fn studio_words_outweigh_a_stray_trade_word() {
        let chosen = choose(&inputs(
            "Codex Digital Studios",
            "We build brands and websites",
        ));
        assert_eq!(chosen.theme, Theme::Studio);
        assert!(
            chosen
                .reason
                .ends_with("which outweigh \"build\" (description) (bold)"),
            "{}",
            chosen.reason
        );
    }

    #[test]
    fn the_name_counts_more_than_a_service() {
        let mut garage = inputs("Harbour Garage", "Servicing and MOTs");
        garage.services =
            serde_json::from_value(json!([{"name": "Coffee while you wait"}])).unwrap();
        assert_eq!(choose(&garage).theme, Theme::Bold);
        // Words are whole words or word starts: a team is not tea, a space is not a spa.
        let team = inputs("Space Team", "A crew");
        assert_eq!(choose(&team).theme, Theme::Studio);
    }

    #[test]
    fn the_seed_is_a_studio_and_the_full_fixture_a_bakery() {
        let seed = inputs("Codex Digital Studios", "AI-powered web development");
        assert_eq!(choose(&seed).theme, Theme::Studio);
        let mut full = bakery();
        full.theme = None;
        assert_eq!(choose(&full).theme, Theme::Warm);
    }

    #[test]
    fn the_choice_shows_as_name_and_reason() {
        let chosen = choose(&inputs("Dave's Plumbing", "Drains"));
        let json = serde_json::to_value(&chosen).unwrap();
        assert_eq!(json["name"], "bold");
        assert!(
            json["chosen_by"]
                .as_str()
                .unwrap()
                .contains("\"plumbing\" (name)")
        );
    }

    /// The budgets, for the full content set with its pictures in every design: a
    /// page with its stylesheet and script under 30 KB before compression, and fonts of at
    /// most two families and 120 KB (the pictures are files of their own, fetched by width).
    #[test]
    fn every_page_of_the_full_content_set_stays_within_the_budgets_in_every_theme() {
        let spec = SiteSpec {
            slug: "hearth-and-crumb".into(),
            base_url: "https://www.hearthandcrumb.com".into(),
            contact_action: "https://quorum.example.com/sites/hearth-and-crumb/contact".into(),
            deployment_id: "deploy_0123456789abcdef".into(),
            date: "2026-11-02".into(),
        };
        let media = bakery_media();
        for theme in Theme::ALL {
            let mut inputs = bakery();
            inputs.theme = Some(theme);
            let site = generate(&inputs, &spec, &media);
            assert_eq!(site.theme.theme, theme);
            let shared = site.files[CSS_FILE].bytes.len() + site.files[JS_FILE].bytes.len();
            let mut pictures = 0;
            for (path, html) in site.html_files() {
                let total = html.len() + shared;
                assert!(total <= 30_000, "{path} in {}: {total} bytes", theme.name());
                pictures += std::str::from_utf8(html).unwrap().matches("<img").count();
            }
            // The logo on every page, and the hero, gallery and portrait besides.
            assert!(pictures > site.html_files().len() + 3, "{pictures}");
            let fonts: Vec<(&String, usize)> = site
                .files
                .iter()
                .filter(|(path, _)| path.ends_with(".woff2"))
                .map(|(path, file)| (path, file.bytes.len()))
                .collect();
            let families: std::collections::BTreeSet<&str> = fonts
                .iter()
                .map(|(path, _)| path.split("-latin-").next().unwrap())
                .collect();
            assert_eq!(
                families.len(),
                2,
                "Lora and Nunito, as the inputs ask: {fonts:?}"
            );
            let bytes: usize = fonts.iter().map(|(_, b)| b).sum();
            assert!(bytes <= FONT_BUDGET, "{bytes} bytes of fonts");
        }
    }
}
