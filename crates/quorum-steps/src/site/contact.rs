//! The contact form, as the contact page ships it and as the server shows it again around a
//! refused submission (what was typed kept, each problem beside its field), and the pages
//! that answer a submission. Both are pages of the site itself, in its layout, never indexed.
//! They work without JavaScript: the error summary and the fields' errors are plain markup.

use maud::{Markup, html};

use super::layout::{Ctx, Meta, document};
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
/// about the whole (`field: None`, e.g. too many messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    pub field: Option<String>,
    pub message: String,
}

impl ContactFormState {
    /// The first problem of `field`, if any.
    fn problem(&self, field: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message.as_str())
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
                ContactAnswer::Sent => ("Message sent", "Your message has been sent."),
                _ => ("Message received", "Your message has been received."),
            };
            let page = Page::new("contact", PageKind::Contact, title.into());
            let main = html! {
                h1 { "Thank you" }
                p.lead { (said) " We will reply to the address you gave." }
                p { a.button href=(ctx.href("")) { "Back to the home page" } }
            };
            let meta = Meta {
                page: &page,
                description: format!("{title} by {}.", ctx.name()),
            };
            document(&ctx, &meta, main).into_string().into_bytes()
        }
    }
}

/// A problem as a sentence: the service words them as instructions (`give a name …`).
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The form, in `state`: the same markup on the deployed page and in a refused answer.
pub(crate) fn form(ctx: &Ctx, state: &ContactFormState) -> Markup {
    let [name, email, message] = CONTACT_FIELDS;
    html! {
        form.contact-form method="post" action=(ctx.contact_action()) {
            @if !state.problems.is_empty() {
                // Announced when the page loads, and each problem a link to its field.
                div.error-summary role="alert" aria-labelledby="contact-problems" {
                    h2 #contact-problems { "Your message was not sent" }
                    ul {
                        @for problem in &state.problems {
                            li {
                                @match problem.field.as_deref().filter(|f| CONTACT_FIELDS.contains(f)) {
                                    Some(field) => a href={ "#contact-" (field) } { (sentence(&problem.message)) },
                                    None => (sentence(&problem.message)),
                                }
                            }
                        }
                    }
                }
            }
            p.form-note { "All fields are required." }
            div.field {
                label for="contact-name" { "Name" }
                (field_problem(state, name))
                input #contact-name type="text" name=(name) autocomplete="name"
                    maxlength=(CONTACT_NAME_MAX) required
                    value=[(!state.name.is_empty()).then_some(&state.name)]
                    aria-invalid=[invalid(state, name)]
                    aria-describedby=[described_by(state, name)];
            }
            div.field {
                label for="contact-email" { "Email" }
                (field_problem(state, email))
                input #contact-email type="email" name=(email) autocomplete="email"
                    maxlength=(CONTACT_EMAIL_MAX) required
                    value=[(!state.email.is_empty()).then_some(&state.email)]
                    aria-invalid=[invalid(state, email)]
                    aria-describedby=[described_by(state, email)];
            }
            div.field {
                label for="contact-message" { "Message" }
                (field_problem(state, message))
                textarea #contact-message name=(message) rows="6" maxlength=(CONTACT_MESSAGE_MAX)
                    required
                    aria-invalid=[invalid(state, message)]
                    aria-describedby=[described_by(state, message)] { (state.message) }
            }
            // Off-screen and out of the accessibility tree; not reachable by Tab either, so
            // only a bot filling every field ever sets it. Never filled in again.
            div.visually-hidden aria-hidden="true" {
                label for="contact-website" { "Leave this field empty" }
                input #contact-website type="text" name=(HONEYPOT_FIELD) tabindex="-1"
                    autocomplete="off";
            }
            p { button.button type="submit" { "Send message" } }
        }
    }
}

/// The field's problem, between its label and its control, where a reader meets it first.
fn field_problem(state: &ContactFormState, field: &str) -> Markup {
    html! {
        @if let Some(problem) = state.problem(field) {
            p.field-error id={ "contact-" (field) "-error" } {
                span.visually-hidden { "Error: " }
                (sentence(problem))
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
                    message: "give an e-mail address such as ana@example.com".into(),
                },
                FormProblem {
                    field: None,
                    message: "try again shortly".into(),
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
            "<li>Try again shortly</li>",
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
        let page = String::from_utf8(site.files["contact/index.html"].bytes.clone()).unwrap();
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
