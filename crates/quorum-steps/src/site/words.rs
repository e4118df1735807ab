//! The generator's own words — page titles, headings, labels, weekdays, dates — in the site's
//! language. English, German, French, Spanish, Italian, Dutch and Portuguese (Brazilian), by
//! the tag's primary subtag (`fr-CA` speaks French); any other language gets English, and the
//! site says so in its outputs. The business's own text is never translated.

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
    date_style: DateStyle,
}

/// How a language writes a date in running text.
#[derive(Debug, PartialEq, Eq)]
enum DateStyle {
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

pub static DE: Words = Words {
    language: "de",
    home: "Startseite",
    about: "Über uns",
    services: "Leistungen",
    contact: "Kontakt",
    blog: "Blog",
    get_in_touch: "Kontakt aufnehmen",
    what_we_offer: "Unser Angebot",
    all_services: "Alle Leistungen",
    testimonials: "Das sagen unsere Kunden",
    team: "Unser Team",
    gallery: "Unsere Arbeit",
    latest_posts: "Neueste Beiträge",
    all_posts: "Alle Beiträge",
    read_more: "Weiterlesen",
    by: "Von",
    contact_details: "Kontaktdaten",
    phone: "Telefon",
    email: "E-Mail",
    address: "Adresse",
    opening_hours: "Öffnungszeiten",
    closed: "Geschlossen",
    follow_us: "Folgen Sie uns",
    contact_lead: "Schreiben Sie uns über das Formular oder nehmen Sie direkt Kontakt auf.",
    form_name: "Name",
    form_email: "E-Mail",
    form_message: "Nachricht",
    form_required: "Alle Felder sind Pflichtfelder.",
    form_send: "Nachricht senden",
    not_found_title: "Seite nicht gefunden",
    not_found_text: "Die gesuchte Seite gibt es hier nicht. Vielleicht wurde sie verschoben, oder der Link enthält einen Tippfehler.",
    not_found_home: "Zur Startseite",
    skip_to_content: "Zum Inhalt springen",
    menu: "Menü",
    weekdays: [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    date_style: DateStyle::DayDotMonthYear,
};

pub static FR: Words = Words {
    language: "fr",
    home: "Accueil",
    about: "À propos",
    services: "Services",
    contact: "Contact",
    blog: "Blog",
    get_in_touch: "Nous contacter",
    what_we_offer: "Nos services",
    all_services: "Tous nos services",
    testimonials: "Ce que disent nos clients",
    team: "Notre équipe",
    gallery: "Nos réalisations",
    latest_posts: "Derniers articles",
    all_posts: "Tous les articles",
    read_more: "Lire la suite",
    by: "Par",
    contact_details: "Coordonnées",
    phone: "Téléphone",
    email: "E-mail",
    address: "Adresse",
    opening_hours: "Horaires d’ouverture",
    closed: "Fermé",
    follow_us: "Suivez-nous",
    contact_lead: "Écrivez-nous avec le formulaire ci-dessous, ou contactez-nous directement.",
    form_name: "Nom",
    form_email: "E-mail",
    form_message: "Message",
    form_required: "Tous les champs sont obligatoires.",
    form_send: "Envoyer le message",
    not_found_title: "Page introuvable",
    not_found_text: "La page demandée n’est pas ici. Elle a peut-être été déplacée, ou le lien contient une faute de frappe.",
    not_found_home: "Aller à la page d’accueil",
    skip_to_content: "Aller au contenu",
    menu: "Menu",
    weekdays: [
        "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche",
    ],
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    date_style: DateStyle::French,
};

pub static ES: Words = Words {
    language: "es",
    home: "Inicio",
    about: "Quiénes somos",
    services: "Servicios",
    contact: "Contacto",
    blog: "Blog",
    get_in_touch: "Contáctanos",
    what_we_offer: "Lo que ofrecemos",
    all_services: "Todos los servicios",
    testimonials: "Lo que dicen nuestros clientes",
    team: "Nuestro equipo",
    gallery: "Nuestro trabajo",
    latest_posts: "Últimas entradas",
    all_posts: "Todas las entradas",
    read_more: "Leer más",
    by: "Por",
    contact_details: "Datos de contacto",
    phone: "Teléfono",
    email: "Correo electrónico",
    address: "Dirección",
    opening_hours: "Horario",
    closed: "Cerrado",
    follow_us: "Síguenos",
    contact_lead: "Escríbenos con el formulario o contáctanos directamente.",
    form_name: "Nombre",
    form_email: "Correo electrónico",
    form_message: "Mensaje",
    form_required: "Todos los campos son obligatorios.",
    form_send: "Enviar mensaje",
    not_found_title: "Página no encontrada",
    not_found_text: "La página que buscas no está aquí. Puede que se haya movido o que el enlace tenga un error.",
    not_found_home: "Ir a la página de inicio",
    skip_to_content: "Saltar al contenido",
    menu: "Menú",
    weekdays: [
        "Lunes",
        "Martes",
        "Miércoles",
        "Jueves",
        "Viernes",
        "Sábado",
        "Domingo",
    ],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    date_style: DateStyle::DayDeMonthDeYear,
};

pub static IT: Words = Words {
    language: "it",
    home: "Home",
    about: "Chi siamo",
    services: "Servizi",
    contact: "Contatti",
    blog: "Blog",
    get_in_touch: "Contattaci",
    what_we_offer: "Cosa offriamo",
    all_services: "Tutti i servizi",
    testimonials: "Cosa dicono i nostri clienti",
    team: "Il nostro team",
    gallery: "I nostri lavori",
    latest_posts: "Ultimi articoli",
    all_posts: "Tutti gli articoli",
    read_more: "Continua a leggere",
    by: "Di",
    contact_details: "Recapiti",
    phone: "Telefono",
    email: "E-mail",
    address: "Indirizzo",
    opening_hours: "Orari di apertura",
    closed: "Chiuso",
    follow_us: "Seguici",
    contact_lead: "Scrivici con il modulo qui sotto oppure contattaci direttamente.",
    form_name: "Nome",
    form_email: "E-mail",
    form_message: "Messaggio",
    form_required: "Tutti i campi sono obbligatori.",
    form_send: "Invia messaggio",
    not_found_title: "Pagina non trovata",
    not_found_text: "La pagina che cerchi non è qui. Potrebbe essere stata spostata, o il link potrebbe contenere un errore.",
    not_found_home: "Vai alla home page",
    skip_to_content: "Vai al contenuto",
    menu: "Menu",
    weekdays: [
        "Lunedì",
        "Martedì",
        "Mercoledì",
        "Giovedì",
        "Venerdì",
        "Sabato",
        "Domenica",
    ],
    months: [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    date_style: DateStyle::DayMonthYear,
};

pub static NL: Words = Words {
    language: "nl",
    home: "Home",
    about: "Over ons",
    services: "Diensten",
    contact: "Contact",
    blog: "Blog",
    get_in_touch: "Neem contact op",
    what_we_offer: "Wat we bieden",
    all_services: "Alle diensten",
    testimonials: "Wat onze klanten zeggen",
    team: "Ons team",
    gallery: "Ons werk",
    latest_posts: "Laatste berichten",
    all_posts: "Alle berichten",
    read_more: "Lees verder",
    by: "Door",
    contact_details: "Contactgegevens",
    phone: "Telefoon",
    email: "E-mail",
    address: "Adres",
    opening_hours: "Openingstijden",
    closed: "Gesloten",
    follow_us: "Volg ons",
    contact_lead: "Stuur ons een bericht met het formulier hieronder, of neem direct contact op.",
    form_name: "Naam",
    form_email: "E-mail",
    form_message: "Bericht",
    form_required: "Alle velden zijn verplicht.",
    form_send: "Bericht versturen",
    not_found_title: "Pagina niet gevonden",
    not_found_text: "De pagina die je zoekt is er niet. Misschien is ze verplaatst, of bevat de link een typefout.",
    not_found_home: "Naar de homepage",
    skip_to_content: "Naar de inhoud",
    menu: "Menu",
    weekdays: [
        "Maandag",
        "Dinsdag",
        "Woensdag",
        "Donderdag",
        "Vrijdag",
        "Zaterdag",
        "Zondag",
    ],
    months: [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    date_style: DateStyle::DayMonthYear,
};

pub static PT: Words = Words {
    language: "pt",
    home: "Início",
    about: "Sobre nós",
    services: "Serviços",
    contact: "Contato",
    blog: "Blog",
    get_in_touch: "Fale conosco",
    what_we_offer: "O que oferecemos",
    all_services: "Todos os serviços",
    testimonials: "O que dizem nossos clientes",
    team: "Nossa equipe",
    gallery: "Nosso trabalho",
    latest_posts: "Últimas publicações",
    all_posts: "Todas as publicações",
    read_more: "Leia mais",
    by: "Por",
    contact_details: "Dados de contato",
    phone: "Telefone",
    email: "E-mail",
    address: "Endereço",
    opening_hours: "Horário de funcionamento",
    closed: "Fechado",
    follow_us: "Siga-nos",
    contact_lead: "Escreva para nós pelo formulário abaixo ou fale conosco diretamente.",
    form_name: "Nome",
    form_email: "E-mail",
    form_message: "Mensagem",
    form_required: "Todos os campos são obrigatórios.",
    form_send: "Enviar mensagem",
    not_found_title: "Página não encontrada",
    not_found_text: "A página que você procura não está aqui. Ela pode ter mudado de endereço, ou o link pode ter um erro de digitação.",
    not_found_home: "Ir para a página inicial",
    skip_to_content: "Pular para o conteúdo",
    menu: "Menu",
    weekdays: [
        "Segunda-feira",
        "Terça-feira",
        "Quarta-feira",
        "Quinta-feira",
        "Sexta-feira",
        "Sábado",
        "Domingo",
    ],
    months: [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
    date_style: DateStyle::DayDeMonthDeYear,
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
