//! Outgoing mail over SMTP (lettre): contact-form messages, and council members' notices.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quorum_store::{ContactMessage, Lead};

use crate::{ServiceError, ServiceResult};

/// An SMTP server and the sender Quorum writes as.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp://HOST[:PORT]` (plain SMTP, port 25 by default; this build has no TLS) and a
    /// sender such as `Quorum <quorum@example.com>`.
    pub fn new(url: &str, from: &str) -> ServiceResult<Self> {
        let rest = url.strip_prefix("smtp://").ok_or_else(|| {
            ServiceError::bad_request(format!(
                "unsupported SMTP URL {url:?}: use smtp://HOST:PORT"
            ))
        })?;
        let (host, port) = match rest.trim_end_matches('/').rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .map_err(|_| ServiceError::bad_request(format!("bad port in {url:?}")))?,
            ),
            None => (rest.trim_end_matches('/'), 25),
        };
        let from = from
            .parse()
            .map_err(|e| ServiceError::bad_request(format!("bad sender {from:?}: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Mailer { transport, from })
    }

    /// Sends a contact message to its site's recipient; the error says why not.
    pub async fn send(&self, site_name: &str, m: &ContactMessage) -> Result<(), String> {
        let body = format!(
            "{} <{}> wrote, through the contact form of {}:\n\n{}\n",
            m.name.replace(char::is_control, " "),
            m.email,
            site_name,
            m.message
        );
        let subject = format!("Message from the contact form of {site_name}");
        self.send_for_visitor(&m.recipient, (&m.name, &m.email), &subject, body)
            .await
    }

    /// Forwards a lead to its site's address, its fields one per line under their labels
    /// (`fields`: label and value, in the form's order).
    pub async fn send_lead(
        &self,
        site_name: &str,
        recipient: &str,
        lead: &Lead,
        fields: &[(String, String)],
    ) -> Result<(), String> {
        let mut body = format!(
            "{} <{}> signed up on the landing page of {site_name} (headline {}).\n\n",
            lead.name.replace(char::is_control, " "),
            lead.email,
            lead.variant.to_uppercase(),
        );
        for (label, value) in fields {
            body.push_str(&format!("{label}: {value}\n"));
        }
        if lead.consent {
            body.push_str("\nThey ticked the form's consent box.\n");
        }
        let subject = format!(
            "New lead from {site_name}: {}",
            lead.name.replace(char::is_control, " ")
        );
        self.send_for_visitor(recipient, (&lead.name, &lead.email), &subject, body)
            .await
    }

    /// Sends `body` to `recipient`, replies going to the visitor (`name`, `email`).
    async fn send_for_visitor(
        &self,
        recipient: &str,
        (name, email): (&str, &str),
        subject: &str,
        body: String,
    ) -> Result<(), String> {
        let to: Mailbox = recipient.parse().map_err(|e| format!("recipient: {e}"))?;
        let reply_to: Mailbox = format!(
            "{} <{email}>",
            name.replace(['<', '>', '"', '\r', '\n'], "")
        )
        .parse()
        .or_else(|_| email.parse())
        .map_err(|e| format!("reply-to: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .reply_to(reply_to)
            .subject(subject)
            .singlepart(plain_text(&body))
            .map_err(|e| format!("composing: {e}"))?;
        self.transport
            .send(email)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Sends a plain-text notice to a member. Its body goes as 8-bit UTF-8, lines unbroken, so
    /// that a link in it is the line it stands on, whatever the mail client.
    pub async fn send_notice(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(plain_text(body))
            .map_err(|e| format!("composing: {e}"))?;
        self.transport
            .send(email)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// A plain-text part in 8-bit UTF-8, lines unbroken: RFC 5322 allows lines of 998 bytes
/// (lettre would encode any over 76, which breaks a link or a sentence across lines for
/// whoever reads the source); longer ones go as lettre chooses.
fn plain_text(body: &str) -> SinglePart {
    let lines = body.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits = !lines.contains('\0') && lines.split("\r\n").all(|line| line.len() <= 998);
    let body = match fits {
        true => Body::dangerous_pre_encoded(lines.into_bytes(), ContentTransferEncoding::EightBit),
        false => Body::new(lines),
    };
    SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(body)
}
