//! The contact form, as the contact page ships it and as the server shows it again around a
//! refused submission (what was typed kept, each problem beside its field), and the pages
//! that answer a submission. Both are pages of the site itself, in its layout, never indexed.
//! They work without JavaScript: the error summary and the fields' errors are plain markup.

use maud::{Markup, html};

use super::layout::{Ctx, Meta, document};
use super::sections::words;
use super::words::fill;
use super::{
    CONTACT_EMAIL_MAX, CONTACT_FIELDS, CONTACT_MESSAGE_MAX, CONTACT_NAME_MAX, HONEYPOT_FIELD,
    Media, Page, PageKind, SiteInputs, SiteSpec, Words, pages, plan, theme,
};

/// What the form shows: empty on the contact page, the visitor's own words when the server
/// refused them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFormState {
    pub name: String,
    pub email: String,
    pub message: String,
    /// Why the submission was refused, in the order to read them.
    pub problems: Vec<FormProblem>,
}

/// One reason a submission was refused: about one field (`name`, `email` or `message`), or
/// about the whole (`field: None`, e.g. too many messages). The server says which rule was
/// broken; the site says it in its own language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    pub field: Option<String>,
    pub kind: ProblemKind,
}

/// Which rule a submission broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// No name, or one longer than [`CONTACT_NAME_MAX`].
    NameLength,
    /// A name with a line break or another control character.
    NameNotOneLine,
    /// Not an e-mail address (or one longer than [`CONTACT_EMAIL_MAX`]).
    NotEmail,
    /// No message, or one longer than [`CONTACT_MESSAGE_MAX`].
    MessageLength,
    /// Beside a field: it holds what no browser sends (NUL, bytes that are not UTF-8);
    /// about the whole: the form could not be read.
    Unreadable,
    /// More messages from one address in a minute than the site takes.
    TooMany { per_minute: u32 },
    /// The server could not keep the message just now.
    Unavailable,
}

impl FormProblem {
    /// The problem as a sentence in the site's language.
    fn said(&self, words: &Words) -> String {
        let limit = |pattern: &str, max: usize| fill(pattern, &[("max", &words.number(max))]);
        match self.kind {
            ProblemKind::NameLength => limit(words.problem_name_length, CONTACT_NAME_MAX),
            ProblemKind::NameNotOneLine => words.problem_name_line.to_owned(),
            ProblemKind::NotEmail => words.problem_email.to_owned(),
            ProblemKind::MessageLength => limit(words.problem_message_length, CONTACT_MESSAGE_MAX),
            ProblemKind::Unreadable if self.field.is_some() => {
                words.problem_unreadable_field.to_owned()
            }
            ProblemKind::Unreadable => words.problem_unreadable.to_owned(),
            ProblemKind::TooMany { per_minute } => fill(
                words.problem_too_many,
                &[("count", &words.number(per_minute as usize))],
            ),
            ProblemKind::Unavailable => words.problem_unavailable.to_owned(),
        }
    }
}

impl ContactFormState {
    /// The first problem of `field`, if any.
    fn problem(&self, field: &str) -> Option<&FormProblem> {
        self.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(field))
    }
}

/// What the server answers a submission with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactAnswer<'a> {
    /// Kept, and waiting to be sent: all a visitor can honestly be told.
    Received,
    /// The SMTP server took it.
    Sent,
    /// The contact page again, its form holding what was typed and why it was refused.
    Refused(&'a ContactFormState),
}

/// The page answering a submission, as served at the form's endpoint (`{base_url}/contact`,
/// so at the site's root depth), with the site's header, navigation, footer and stylesheet.
pub fn contact_answer(
    inputs: &SiteInputs,
    spec: &SiteSpec,
    media: &Media,
    answer: ContactAnswer<'_>,
) -> Vec<u8> {
    let words = Words::for_language(inputs.language());
    let (plan, _) = plan::plan(inputs, words);
    let mut ctx = Ctx::new(inputs, spec, &plan, media, theme::choose(inputs).theme);
    ctx.noindex = true;
    match answer {
        ContactAnswer::Refused(state) => {
            ctx.form = Some(state);
            let page = plan
                .iter()
                .find(|p| p.kind == PageKind::Contact)
                .expect("every plan has a contact page");
            pages::render(&ctx, page)
        }
        ContactAnswer::Received | ContactAnswer::Sent => {
            let (title, said) = match answer {
                ContactAnswer::Sent => (words.message_sent_title, words.message_sent),
                _ => (words.message_received_title, words.message_received),
            };
            let page = Page::new("contact", PageKind::Contact, title.into());
            let main = html! {
                h1 { (words.thank_you) }
                p.lead { (said) " " (words.reply_promise) }
                p { a.button href=(ctx.href("")) { (words.back_home) } }
            };
            let meta = Meta {
                page: &page,
                description: fill(
                    words.answer_description,
                    &[("title", title), ("name", ctx.name())],
                ),
            };
            document(&ctx, &meta, main).into_string().into_bytes()
        }
    }
}

/// The form, in `state`: the same markup on the deployed page and in a refused answer.
pub(crate) fn form(ctx: &Ctx, state: &ContactFormState) -> Markup {
    let words = words(ctx);
    let [name, email, message] = CONTACT_FIELDS;
    html! {
        form.contact-form method="post" action=(ctx.contact_action()) {
            @if !state.problems.is_empty() {
                // Announced when the page loads, and each problem a link to its field.
                div.error-summary role="alert" aria-labelledby="contact-problems" {
                    h2 #contact-problems { (words.form_refused) }
                    ul {
                        @for problem in &state.problems {
                            li {
                                @match problem.field.as_deref().filter(|f| CONTACT_FIELDS.contains(f)) {
                                    Some(field) => a href={ "#contact-" (field) } { (problem.said(words)) },
                                    None => (problem.said(words)),
                                }
                            }
                        }
                    }
                }
            }
            p.form-note { (words.form_required) }
            div.field {
                label for="contact-name" { (words.form_name) }
                (field_problem(words, state, name))
                input #contact-name type="text" name=(name) autocomplete="name"
                    maxlength=(CONTACT_NAME_MAX) required
                    value=[(!state.name.is_empty()).then_some(&state.name)]
                    aria-invalid=[invalid(state, name)]
                    aria-describedby=[described_by(state, name)];
            }
            div.field {
                label for="contact-email" { (words.form_email) }
                (field_problem(words, state, email))
                input #contact-email type="email" name=(email) autocomplete="email"
                    maxlength=(CONTACT_EMAIL_MAX) required
                    value=[(!state.email.is_empty()).then_some(&state.email)]
                    aria-invalid=[invalid(state, email)]
                    aria-describedby=[described_by(state, email)];
            }
            div.field {
                label for="contact-message" { (words.form_message) }
                (field_problem(words, state, message))
                textarea #contact-message name=(message) rows="6" maxlength=(CONTACT_MESSAGE_MAX)
                    required
                    aria-invalid=[invalid(state, message)]
                    aria-describedby=[described_by(state, message)] { (state.message) }
            }
            // Off-screen and out of the accessibility tree; not reachable by Tab either, so
            // only a bot filling every field ever sets it. Never filled in again.
            div.visually-hidden aria-hidden="true" {
                label for="contact-website" { (words.form_honeypot) }
                input #contact-website type="text" name=(HONEYPOT_FIELD) tabindex="-1"
                    autocomplete="off";
            }
            p {
                button.button type="submit" data-sending=(words.form_sending) { (words.form_send) }
            }
        }
    }
}

/// The field's problem, between its label and its control, where a reader meets it first.
fn field_problem(words: &Words, state: &ContactFormState, field: &str) -> Markup {
    html! {
        @if let Some(problem) = state.problem(field) {
            p.field-error id={ "contact-" (field) "-error" } {
                span.visually-hidden { (words.form_error) (words.colon) }
                (problem.said(words))
            }
        }
    }
}

fn invalid(state: &ContactFormState, field: &str) -> Option<&'static str> {
    state.problem(field).map(|_| "true")
}

fn described_by(state: &ContactFormState, field: &str) -> Option<String> {
    state
        .problem(field)
        .map(|_| format!("contact-{field}-error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> SiteInputs {
        serde_json::from_value(serde_json::json!({
            "site_name": "Codex Digital Studios",
            "site_description": "AI-powered web development",
            "contact_email": "hello@codexdigital.app"
        }))
        .unwrap()
    }

    fn spec() -> SiteSpec {
        SiteSpec::served_by("http://127.0.0.1:5000", "codex", "deploy_1", "2026-11-02")
    }

    fn answer(answer: ContactAnswer<'_>) -> String {
        String::from_utf8(contact_answer(&seed(), &spec(), &Media::default(), answer)).unwrap()
    }

    fn refused() -> ContactFormState {
        ContactFormState {
            name: "Ana \"<b>\"".into(),
            email: "not an address".into(),
            message: "Hello </textarea><script>x</script>".into(),
            problems: vec![
                FormProblem {
                    field: Some("email".into()),
                    kind: ProblemKind::NotEmail,
                },
                FormProblem {
                    field: None,
                    kind: ProblemKind::TooMany { per_minute: 5 },
                },
            ],
        }
    }

    #[test]
    fn a_refused_submission_keeps_what_was_typed_with_the_problem_beside_its_field() {
        let html = answer(ContactAnswer::Refused(&refused()));
        for needed in [
            r#"<div class="error-summary" role="alert" aria-labelledby="contact-problems">"#,
            r##"<li><a href="#contact-email">Give an e-mail address such as ana@example.com</a></li>"##,
            "<li>At most 5 messages a minute may be sent to this site; try again shortly</li>",
            r#"<label for="contact-email">Email</label><p class="field-error" id="contact-email-error"><span class="visually-hidden">Error: </span>Give an e-mail address"#,
            r#"value="not an address" aria-invalid="true" aria-describedby="contact-email-error">"#,
            r#"value="Ana &quot;&lt;b&gt;&quot;">"#,
            "Hello &lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>",
            r#"<meta name="robots" content="noindex">"#,
            r#"<link rel="stylesheet" href="assets/main.css">"#,
            r#"<a href="./">Home</a>"#,
            r#"action="contact""#,
        ] {
            assert!(html.contains(needed), "{needed}\n{html}");
        }
        assert_eq!(html.matches("aria-invalid").count(), 1, "only the e-mail");
        assert!(!html.contains("rel=\"canonical\""));
        assert!(!html.contains("<script>x"));
    }

    #[test]
    fn the_deployed_form_and_the_refused_one_are_the_same_form() {
        let site = super::super::generate(&seed(), &spec(), &Media::default());
        let page = String::from_utf8(site.files["contact/index.html"].bytes.to_vec()).unwrap();
        let html = answer(ContactAnswer::Refused(&ContactFormState::default()));
        let form = |html: &str| {
            let start = html.find("<form").unwrap();
            let end = html.find("</form>").unwrap();
            html[start..end].to_owned()
        };
        // The deployed page is one folder deeper than the endpoint that answers.
        assert_eq!(
            form(&page).replace("action=\"../contact\"", "action=\"contact\""),
            form(&html)
        );
        assert!(!form(&page).contains("aria-invalid"));
    }

    #[test]
    fn the_answers_say_sent_only_when_it_was() {
        let received = answer(ContactAnswer::Received);
        assert!(received.contains("Your message has been received."));
        assert!(!received.contains("sent"));
        assert!(received.contains("<title>Message received — Codex Digital Studios</title>"));
        let sent = answer(ContactAnswer::Sent);
        assert!(sent.contains("Your message has been sent."));
        for html in [received, sent] {
            assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
            assert!(html.contains(r#"<nav class="site-nav" aria-label="Main">"#));
            assert!(html.contains(r#"<link rel="stylesheet" href="assets/main.css">"#));
            assert!(html.contains(r#"<a class="button" href="./">Back to the home page</a>"#));
        }
    }
}
