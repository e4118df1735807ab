//! The generator's words for the pages of the website family — a landing page's lead form,
//! an affiliate site's reviews and disclosure — in the same seven languages as [`Words`],
//! chosen the same way.

use super::Words;

/// A word with `{braces}` is a pattern for `fill`.
#[derive(Debug, PartialEq, Eq)]
pub struct FamilyWords {
    pub language: &'static str,
    /// The benefits' heading: `{name}` is the site's name.
    pub why: &'static str,
    pub pricing: &'static str,
    /// Above the plan the inputs highlight.
    pub most_popular: &'static str,
    pub faq: &'static str,
    /// After an optional field's label.
    pub optional: &'static str,
    pub lead_thanks_title: &'static str,
    pub lead_thanks: &'static str,
    /// Why a lead was refused; `{label}` is the field's label, `{max}` its limit.
    pub problem_required: &'static str,
    pub problem_too_long: &'static str,
    pub problem_option: &'static str,
    pub problem_consent: &'static str,
    /// A line break or control character in a one-line field.
    pub problem_one_line: &'static str,
    /// `{count}` is how many submissions one address may make a minute.
    pub problem_too_many: &'static str,
    pub disclosure_title: &'static str,
    /// `{name}` is the site's name.
    pub disclosure: &'static str,
    /// Beside every link that earns a commission.
    pub affiliate_link: &'static str,
    pub pros: &'static str,
    pub cons: &'static str,
    /// `{rating}` out of 5.
    pub rating: &'static str,
    /// `{merchant}` is where the link leads.
    pub visit: &'static str,
    pub read_review: &'static str,
    pub reviews: &'static str,
    pub compare: &'static str,
    pub product: &'static str,
    /// A comparison table's rating column.
    pub rating_heading: &'static str,
    pub price: &'static str,
    /// The list of reviews' heading on the home page.
    pub our_picks: &'static str,
}

impl FamilyWords {
    pub const ALL: [&'static FamilyWords; 7] = [&EN, &DE, &FR, &ES, &IT, &NL, &PT];

    /// The family's words in the language [`Words::for_language`] picks for `tag`.
    pub fn for_language(tag: &str) -> &'static FamilyWords {
        let language = Words::for_language(tag).language;
        FamilyWords::ALL
            .into_iter()
            .find(|words| words.language == language)
            .unwrap_or(&EN)
    }
}

pub static EN: FamilyWords = FamilyWords {
    language: "en",
    why: "Why {name}",
    pricing: "Pricing",
    most_popular: "Most popular",
    faq: "Frequently asked questions",
    optional: "(optional)",
    lead_thanks_title: "Thank you",
    lead_thanks: "We have your details and will be in touch soon.",
    problem_required: "Fill in {label}",
    problem_too_long: "{label} takes at most {max} characters",
    problem_option: "Choose one of the options for {label}",
    problem_consent: "Tick the box to agree before you send the form",
    problem_one_line: "Give {label} on one line",
    problem_too_many: "At most {count} sign-ups a minute may be sent from one address; try again shortly",
    disclosure_title: "Advertising disclosure",
    disclosure: "{name} earns a commission when you buy through the affiliate links on this page, at no extra cost to you. Commissions never change our ratings or the order we list products in.",
    affiliate_link: "Affiliate link",
    pros: "Pros",
    cons: "Cons",
    rating: "Rated {rating} out of 5",
    visit: "See it at {merchant}",
    read_review: "Read the review",
    reviews: "Reviews",
    compare: "Comparison",
    product: "Product",
    rating_heading: "Rating",
    price: "Price",
    our_picks: "Our picks",
};

pub static DE: FamilyWords = FamilyWords {
    language: "de",
    why: "Warum {name}",
    pricing: "Preise",
    most_popular: "Am beliebtesten",
    faq: "Häufige Fragen",
    optional: "(optional)",
    lead_thanks_title: "Vielen Dank",
    lead_thanks: "Wir haben Ihre Angaben erhalten und melden uns bald.",
    problem_required: "Bitte füllen Sie {label} aus",
    problem_too_long: "{label} darf höchstens {max} Zeichen lang sein",
    problem_option: "Wählen Sie eine der Möglichkeiten für {label}",
    problem_consent: "Bitte stimmen Sie mit dem Häkchen zu, bevor Sie das Formular senden",
    problem_one_line: "Geben Sie {label} in einer Zeile an",
    problem_too_many: "Von einer Adresse werden höchstens {count} Anmeldungen pro Minute angenommen; versuchen Sie es gleich noch einmal",
    disclosure_title: "Hinweis auf Werbung",
    disclosure: "{name} erhält eine Provision, wenn Sie über die Affiliate-Links auf dieser Seite kaufen; für Sie entstehen keine Mehrkosten. Provisionen ändern weder unsere Bewertungen noch die Reihenfolge der Produkte.",
    affiliate_link: "Affiliate-Link",
    pros: "Vorteile",
    cons: "Nachteile",
    rating: "Bewertet mit {rating} von 5",
    visit: "Bei {merchant} ansehen",
    read_review: "Zum Testbericht",
    reviews: "Testberichte",
    compare: "Vergleich",
    product: "Produkt",
    rating_heading: "Bewertung",
    price: "Preis",
    our_picks: "Unsere Empfehlungen",
};

pub static FR: FamilyWords = FamilyWords {
    language: "fr",
    why: "Pourquoi {name}",
    pricing: "Tarifs",
    most_popular: "Le plus choisi",
    faq: "Questions fréquentes",
    optional: "(facultatif)",
    lead_thanks_title: "Merci",
    lead_thanks: "Nous avons bien reçu vos coordonnées et vous recontacterons bientôt.",
    problem_required: "Remplissez le champ {label}",
    problem_too_long: "Le champ {label} accepte au plus {max} caractères",
    problem_option: "Choisissez une des options pour {label}",
    problem_consent: "Cochez la case pour donner votre accord avant d’envoyer le formulaire",
    problem_one_line: "Indiquez {label} sur une seule ligne",
    problem_too_many: "Une même adresse peut envoyer au plus {count} inscriptions par minute ; réessayez dans un instant",
    disclosure_title: "Publicité",
    disclosure: "{name} touche une commission lorsque vous achetez via les liens affiliés de cette page, sans surcoût pour vous. Les commissions ne changent jamais nos notes ni l’ordre des produits.",
    affiliate_link: "Lien affilié",
    pros: "Points forts",
    cons: "Points faibles",
    rating: "Noté {rating} sur 5",
    visit: "Voir chez {merchant}",
    read_review: "Lire le test",
    reviews: "Tests",
    compare: "Comparatif",
    product: "Produit",
    rating_heading: "Note",
    price: "Prix",
    our_picks: "Notre sélection",
};

pub static ES: FamilyWords = FamilyWords {
    language: "es",
    why: "Por qué {name}",
    pricing: "Precios",
    most_popular: "El más elegido",
    faq: "Preguntas frecuentes",
    optional: "(opcional)",
    lead_thanks_title: "Gracias",
    lead_thanks: "Hemos recibido tus datos y te contactaremos pronto.",
    problem_required: "Rellena el campo {label}",
    problem_too_long: "El campo {label} admite como máximo {max} caracteres",
    problem_option: "Elige una de las opciones de {label}",
    problem_consent: "Marca la casilla para dar tu consentimiento antes de enviar el formulario",
    problem_one_line: "Escribe {label} en una sola línea",
    problem_too_many: "Se admiten como máximo {count} registros por minuto desde una misma dirección; inténtalo de nuevo en un momento",
    disclosure_title: "Aviso de publicidad",
    disclosure: "{name} recibe una comisión cuando compras a través de los enlaces de afiliado de esta página, sin coste adicional para ti. Las comisiones nunca cambian nuestras valoraciones ni el orden de los productos.",
    affiliate_link: "Enlace de afiliado",
    pros: "Ventajas",
    cons: "Inconvenientes",
    rating: "Valorado con {rating} de 5",
    visit: "Ver en {merchant}",
    read_review: "Leer el análisis",
    reviews: "Análisis",
    compare: "Comparativa",
    product: "Producto",
    rating_heading: "Valoración",
    price: "Precio",
    our_picks: "Nuestra selección",
};

pub static IT: FamilyWords = FamilyWords {
    language: "it",
    why: "Perché {name}",
    pricing: "Prezzi",
    most_popular: "Il più scelto",
    faq: "Domande frequenti",
    optional: "(facoltativo)",
    lead_thanks_title: "Grazie",
    lead_thanks: "Abbiamo ricevuto i tuoi dati e ti contatteremo presto.",
    problem_required: "Compila il campo {label}",
    problem_too_long: "Il campo {label} accetta al massimo {max} caratteri",
    problem_option: "Scegli una delle opzioni per {label}",
    problem_consent: "Spunta la casella per dare il consenso prima di inviare il modulo",
    problem_one_line: "Scrivi {label} su una sola riga",
    problem_too_many: "Da uno stesso indirizzo si accettano al massimo {count} iscrizioni al minuto; riprova tra poco",
    disclosure_title: "Informativa pubblicitaria",
    disclosure: "{name} riceve una commissione quando acquisti tramite i link di affiliazione di questa pagina, senza costi aggiuntivi per te. Le commissioni non cambiano mai i nostri voti né l’ordine dei prodotti.",
    affiliate_link: "Link di affiliazione",
    pros: "Pro",
    cons: "Contro",
    rating: "Voto {rating} su 5",
    visit: "Vedi su {merchant}",
    read_review: "Leggi la recensione",
    reviews: "Recensioni",
    compare: "Confronto",
    product: "Prodotto",
    rating_heading: "Voto",
    price: "Prezzo",
    our_picks: "I nostri consigli",
};

pub static NL: FamilyWords = FamilyWords {
    language: "nl",
    why: "Waarom {name}",
    pricing: "Prijzen",
    most_popular: "Meest gekozen",
    faq: "Veelgestelde vragen",
    optional: "(optioneel)",
    lead_thanks_title: "Bedankt",
    lead_thanks: "We hebben je gegevens ontvangen en nemen snel contact op.",
    problem_required: "Vul {label} in",
    problem_too_long: "{label} mag hoogstens {max} tekens lang zijn",
    problem_option: "Kies een van de mogelijkheden voor {label}",
    problem_consent: "Vink het vakje aan om akkoord te gaan voordat je het formulier verstuurt",
    problem_one_line: "Geef {label} op één regel",
    problem_too_many: "Vanaf één adres worden hoogstens {count} aanmeldingen per minuut aangenomen; probeer het zo opnieuw",
    disclosure_title: "Advertentiemelding",
    disclosure: "{name} ontvangt een commissie als je koopt via de affiliatelinks op deze pagina, zonder extra kosten voor jou. Commissies veranderen nooit onze beoordelingen of de volgorde van de producten.",
    affiliate_link: "Affiliatelink",
    pros: "Pluspunten",
    cons: "Minpunten",
    rating: "Beoordeeld met {rating} van 5",
    visit: "Bekijk bij {merchant}",
    read_review: "Lees de review",
    reviews: "Reviews",
    compare: "Vergelijking",
    product: "Product",
    rating_heading: "Beoordeling",
    price: "Prijs",
    our_picks: "Onze keuzes",
};

pub static PT: FamilyWords = FamilyWords {
    language: "pt",
    why: "Por que {name}",
    pricing: "Preços",
    most_popular: "O mais escolhido",
    faq: "Perguntas frequentes",
    optional: "(opcional)",
    lead_thanks_title: "Obrigado",
    lead_thanks: "Recebemos seus dados e entraremos em contato em breve.",
    problem_required: "Preencha o campo {label}",
    problem_too_long: "O campo {label} aceita no máximo {max} caracteres",
    problem_option: "Escolha uma das opções de {label}",
    problem_consent: "Marque a caixa para dar seu consentimento antes de enviar o formulário",
    problem_one_line: "Escreva {label} em uma só linha",
    problem_too_many: "São aceitos no máximo {count} cadastros por minuto de um mesmo endereço; tente de novo em instantes",
    disclosure_title: "Aviso de publicidade",
    disclosure: "{name} recebe uma comissão quando você compra pelos links de afiliado desta página, sem custo extra para você. As comissões nunca mudam nossas notas nem a ordem dos produtos.",
    affiliate_link: "Link de afiliado",
    pros: "Prós",
    cons: "Contras",
    rating: "Nota {rating} de 5",
    visit: "Ver em {merchant}",
    read_review: "Ler a análise",
    reviews: "Análises",
    compare: "Comparativo",
    product: "Produto",
    rating_heading: "Nota",
    price: "Preço",
    our_picks: "Nossas escolhas",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_of_the_generator_has_the_family_words() {
        for words in Words::ALL {
            assert_eq!(
                FamilyWords::for_language(words.language).language,
                words.language
            );
        }
        assert_eq!(FamilyWords::for_language("fr-CA").language, "fr");
        assert_eq!(FamilyWords::for_language("ja").language, "en");
    }
}
