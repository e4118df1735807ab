//! Contact forms of deployed sites: a message is validated, rate-limited per address and site
//! (counted in the database, so the limit holds however many servers there are), kept, and sent by SMTP to the site's recipient when Quorum has an SMTP server; otherwise it
//! waits in the outbox (the `contact_messages` table, `delivery = 'outbox'`).

use std::net::IpAddr;

use quorum_domain::ids::new_id;
use quorum_domain::{FieldError, Text};
use quorum_steps::site::{
    CONTACT_FIELDS, CONTACT_MESSAGE_MAX, CONTACT_NAME_MAX, ContactAnswer, FormProblem, Media,
    ProblemKind, SiteSpec, contact_answer, plausible_email,
};
use quorum_store::{ContactMessage, DeliveryReport, Hit};
use serde::Deserialize;

use crate::{Quorum, ServiceError, ServiceResult};

/// Messages one address may send one site per minute, over a sliding minute.
const PER_MINUTE: u32 = 5;

/// What the form posts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub message: String,
    /// The honeypot: hidden from people, filled in by bots.
    #[serde(default)]
    pub website: String,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Kept(Box<ContactMessage>),
    /// The honeypot was filled in: answered exactly like a success (an id of the same shape,
    /// the delivery a real message would have), kept nowhere, so a bot learns nothing.
    Discarded {
        id: String,
        delivery: String,
    },
}

pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 40
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check(form: &ContactForm) -> Vec<FieldError> {
    let mut details = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > CONTACT_NAME_MAX {
        details.push(FieldError::new(
            "name",
            "length",
            format!("give a name of 1 to {CONTACT_NAME_MAX} characters"),
        ));
    } else if !Text::Line.allows(name) {
        // A name goes into the mail's headers and first line: a line break would forge them.
        details.push(FieldError::new(
            "name",
            "no_control_characters",
            "give your name on one line, without control characters",
        ));
    }
    if !plausible_email(form.email.trim()) {
        details.push(FieldError::new(
            "email",
            "format",
            "give an e-mail address such as ana@example.com",
        ));
    }
    let message = form.message.trim();
    if message.is_empty() || message.chars().count() > CONTACT_MESSAGE_MAX {
        details.push(FieldError::new(
            "message",
            "length",
            "write a message of 1 to 5,000 characters",
        ));
    }
    details.extend(Text::Multiline.check("message", message).err());
    details
}

/// What a visitor's form is told about a refusal: which rule each field broke, or what was
/// wrong with the whole, for the site to word in its own language (JSON clients read the
/// error's English messages instead).
pub fn form_problems(error: &ServiceError) -> Vec<FormProblem> {
    let field = |detail: &FieldError| {
        CONTACT_FIELDS
            .contains(&detail.field.as_str())
            .then(|| detail.field.clone())
    };
    let whole = |kind| FormProblem { field: None, kind };
    match error {
        ServiceError::Invalid { details, .. } if !details.is_empty() => details
            .iter()
            .map(|detail| FormProblem {
                field: field(detail),
                kind: kind_of(detail),
            })
            .collect(),
        // The form's bytes were refused before it was read: said once for the whole, and
        // beside each of its fields that held what no browser sends.
        ServiceError::BadRequest { details, .. } => std::iter::once(whole(ProblemKind::Unreadable))
            .chain(details.iter().filter_map(|detail| {
                field(detail).map(|field| FormProblem {
                    field: Some(field),
                    kind: ProblemKind::Unreadable,
                })
            }))
            .collect(),
        ServiceError::RateLimited(_) => vec![whole(ProblemKind::TooMany {
            per_minute: PER_MINUTE,
        })],
        _ => vec![whole(ProblemKind::Unavailable)],
    }
}

/// The kind of a detail [`check`] gives; any other rule is about characters no browser sends.
fn kind_of(detail: &FieldError) -> ProblemKind {
    match (detail.field.as_str(), detail.rule.as_str()) {
        (_, "format") => ProblemKind::NotEmail,
        ("name", "length") => ProblemKind::NameLength,
        ("name", "no_control_characters") => ProblemKind::NameNotOneLine,
        ("message", "length") => ProblemKind::MessageLength,
        _ => ProblemKind::Unreadable,
    }
}

impl Quorum {
    /// Receives a message for the site `slug` from `remote`.
    pub async fn receive_contact(
        &self,
        slug: &str,
        form: ContactForm,
        remote: Option<IpAddr>,
    ) -> ServiceResult<Received> {
        let site = self
            .live_site(slug)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("there is no site {slug:?}")))?;
        let manifest = &site.deployment;
        let details = check(&form);
        if !details.is_empty() {
            return Err(ServiceError::invalid(
                "the message cannot be sent as it is",
                details,
            ));
        }
        // The slug is checked ([a-z0-9-]), so the key cannot be forged by an address's colons.
        let address = remote.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let now = quorum_domain::time::now();
        // Refused attempts count too: a client that keeps sending stays refused, and the check
        // stays one atomic upsert instead of a read and a conditional write.
        let counts = self
            .store
            .count_hit(&Hit {
                key: format!("contact:{slug}:{address}"),
                at: now,
                window: chrono::Duration::minutes(1),
            })
            .await?;
        if counts.estimate(now) > f64::from(PER_MINUTE) {
            return Err(ServiceError::RateLimited(format!(
                "at most {PER_MINUTE} messages a minute may be sent to this site; try again shortly"
            )));
        }
        if !form.website.is_empty() {
            tracing::info!(
                site = slug,
                "discarded a contact message that filled in the honeypot"
            );
            let delivery = match self.mailer {
                Some(_) => "sent",
                None => "outbox",
            };
            return Ok(Received::Discarded {
                id: new_id("msg"),
                delivery: delivery.into(),
            });
        }
        let mut message = ContactMessage {
            id: new_id("msg"),
            site: slug.to_owned(),
            workflow_id: manifest.workflow_id.clone(),
            recipient: manifest.contact_email.clone(),
            name: form.name.trim().to_owned(),
            email: form.email.trim().to_owned(),
            message: form.message.trim().to_owned(),
            remote_addr: remote.map(|ip| ip.to_string()),
            received_at: quorum_domain::time::now(),
            delivery: "outbox".into(),
            delivered_at: None,
            error: None,
        };
        self.store.add_contact_message(&message).await?;
        if let Some(mailer) = &self.mailer {
            let (delivery, error) = match mailer.send(&manifest.site_name, &message).await {
                Ok(()) => ("sent", None),
                Err(e) => {
                    tracing::warn!(site = slug, error = %e, "sending a contact message failed; it stays kept");
                    ("failed", Some(e))
                }
            };
            let report = DeliveryReport {
                message_id: message.id.clone(),
                delivery: delivery.into(),
                error,
                at: quorum_domain::time::now(),
            };
            self.store.set_contact_delivery(&report).await?;
            message.delivered_at = Some(report.at);
            message.delivery = report.delivery;
            message.error = report.error;
        }
        Ok(Received::Kept(Box::new(message)))
    }

    /// The page answering a submission to `slug`'s contact form, drawn in the site's own
    /// layout from the inputs of the workflow that made its live deployment (read once per
    /// live deployment); None when there is no such site or its inputs cannot be read.
    pub async fn contact_answer_page(
        &self,
        slug: &str,
        answer: ContactAnswer<'_>,
    ) -> ServiceResult<Option<Vec<u8>>> {
        let Some(site) = self.live_site(slug).await? else {
            return Ok(None);
        };
        let Some(inputs) = self.sites.inputs(&site).await? else {
            return Ok(None);
        };
        // The answer pages carry no sitemap date; the deployment's day stands in for it.
        let date = site.deployment.created_at.format("%Y-%m-%d").to_string();
        let spec = SiteSpec::served_by(&self.step_env.public_url, slug, &site.deployment.id, &date);
        // The layout shows the uploaded logo, the only picture an answer page has; its
        // renditions come from the blob cache. Without them the drawn logo stands in.
        let logo: Vec<String> = inputs.logo.iter().map(|l| l.upload.clone()).collect();
        let media = crate::uploads::media(&self.sites, &logo)
            .await
            .unwrap_or_else(|_| Media::default());
        Ok(Some(contact_answer(&inputs, &spec, &media, answer)))
    }

    /// A site's messages, newest first (admin).
    pub async fn contact_messages(
        &self,
        caller: &quorum_domain::Principal,
        slug: &str,
    ) -> ServiceResult<Vec<ContactMessage>> {
        crate::auth::require(caller, quorum_domain::Role::Admin)?;
        Ok(self.store.contact_messages(slug, 1_000).await?)
    }
}

#[cfg(test)]
mod tests {
    use quorum_steps::site::CONTACT_EMAIL_MAX;

    use super::*;

    #[test]
    fn forms_are_checked_field_by_field() {
        let good = ContactForm {
            name: "Ana".into(),
            email: "ana@example.com".into(),
            message: "Hello".into(),
            website: String::new(),
        };
        assert!(check(&good).is_empty());
        let bad = ContactForm {
            name: " ".into(),
            email: "ana@@example".into(),
            message: "x".repeat(5_001),
            website: String::new(),
        };
        let fields: Vec<String> = check(&bad).into_iter().map(|d| d.field).collect();
        assert_eq!(fields, ["name", "email", "message"]);
        let forged = ContactForm {
            name: "Ana\r\nBcc: victim@example.com".into(),
            message: "a\0b".into(),
            ..good.clone()
        };
        let rules: Vec<String> = check(&forged).into_iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["no_control_characters", "no_nul"]);
        for email in ["a@b", "a b@c.d", "@c.d", "a@.c", "a@c.", "<a@c.d>"] {
            assert!(!plausible_email(email), "{email}");
        }
    }

    /// The generated form's `maxlength`s are these numbers (the site generator's tests show
    /// its HTML): what the form lets through the server takes; one character more it refuses.
    #[test]
    fn the_server_takes_exactly_what_the_form_allows() {
        let at_most = ContactForm {
            name: "ñ".repeat(CONTACT_NAME_MAX),
            email: format!("{}@example.com", "a".repeat(CONTACT_EMAIL_MAX - 12)),
            message: "ü".repeat(CONTACT_MESSAGE_MAX),
            website: String::new(),
        };
        assert_eq!(at_most.email.len(), CONTACT_EMAIL_MAX);
        assert!(check(&at_most).is_empty());
        // Characters, as the form counts, not bytes.
        let accented = ContactForm {
            email: format!("{}@example.com", "é".repeat(CONTACT_EMAIL_MAX - 12)),
            ..at_most.clone()
        };
        assert!(check(&accented).is_empty());
        let over = ContactForm {
            name: "ñ".repeat(CONTACT_NAME_MAX + 1),
            email: format!("a{}", at_most.email),
            message: "ü".repeat(CONTACT_MESSAGE_MAX + 1),
            website: String::new(),
        };
        let fields: Vec<String> = check(&over).into_iter().map(|d| d.field).collect();
        assert_eq!(fields, ["name", "email", "message"]);
    }

    #[test]
    fn each_refusal_reaches_the_form_as_the_rule_it_broke() {
        let problems = |form: ContactForm| {
            form_problems(&ServiceError::invalid("refused", check(&form)))
                .into_iter()
                .map(|p| (p.field.unwrap_or_default(), p.kind))
                .collect::<Vec<_>>()
        };
        let good = ContactForm {
            name: "Ana".into(),
            email: "ana@example.com".into(),
            message: "Hello".into(),
            website: String::new(),
        };
        let empty = ContactForm {
            name: String::new(),
            email: "ana@".into(),
            message: " ".into(),
            ..good.clone()
        };
        assert_eq!(
            problems(empty),
            [
                ("name".into(), ProblemKind::NameLength),
                ("email".into(), ProblemKind::NotEmail),
                ("message".into(), ProblemKind::MessageLength),
            ]
        );
        let long = ContactForm {
            name: "n".repeat(CONTACT_NAME_MAX + 1),
            message: "m".repeat(CONTACT_MESSAGE_MAX + 1),
            ..good.clone()
        };
        assert_eq!(
            problems(long),
            [
                ("name".into(), ProblemKind::NameLength),
                ("message".into(), ProblemKind::MessageLength),
            ]
        );
        let forged = ContactForm {
            name: "Ana\r\nBcc: victim@example.com".into(),
            message: "a\0b".into(),
            ..good
        };
        assert_eq!(
            problems(forged),
            [
                ("name".into(), ProblemKind::NameNotOneLine),
                ("message".into(), ProblemKind::Unreadable),
            ]
        );
    }

    #[test]
    fn a_refusal_of_the_whole_submission_is_said_once_without_a_field() {
        let limited = form_problems(&ServiceError::RateLimited("slow down".into()));
        assert_eq!(
            limited,
            [FormProblem {
                field: None,
                kind: ProblemKind::TooMany { per_minute: 5 },
            }]
        );
        let unreadable = form_problems(&ServiceError::BadRequest {
            message: "the form could not be read".into(),
            details: vec![
                FieldError::new("message", "no_nul", "must not contain NUL characters"),
                FieldError::new("", "utf8", "a field name is not valid UTF-8"),
            ],
        });
        let kinds: Vec<(Option<&str>, ProblemKind)> = unreadable
            .iter()
            .map(|p| (p.field.as_deref(), p.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (None, ProblemKind::Unreadable),
                (Some("message"), ProblemKind::Unreadable),
            ],
            "a detail about no field of the form is left to the whole's"
        );
        let down = form_problems(&ServiceError::Store(quorum_store::StoreError::Unavailable(
            "the database is down".into(),
        )));
        assert_eq!(down[0].kind, ProblemKind::Unavailable);
        assert_eq!(down.len(), 1);
    }

    #[test]
    fn slugs_are_lowercase_words_and_short() {
        for slug in ["", "..", "../x", "a/b", "A", "a.b", &"a".repeat(41)] {
            assert!(!valid_slug(slug), "{slug}");
        }
        assert!(valid_slug("codex-digital-studios"));
    }
}
