//! Outgoing mail over SMTP (lettre): contact-form messages, and council members' notices.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quorum_store::ContactMessage;

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
        let to: Mailbox = m.recipient.parse().map_err(|e| format!("recipient: {e}"))?;
        let reply_to: Mailbox = format!(
            "{} <{}>",
            m.name.replace(['<', '>', '"', '\r', '\n'], ""),
            m.email
        )
        .parse()
        .or_else(|_| m.email.parse())
        .map_err(|e| format!("reply-to: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .reply_to(reply_to)
            .subject(format!("Message from the contact form of {site_name}"))
            .header(ContentType::TEXT_PLAIN)
            .body(format!(
                "{} <{}> wrote, through the contact form of {}:\n\n{}\n",
                m.name.replace(char::is_control, " "),
                m.email,
                site_name,
                m.message
            ))
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
        let lines = body.replace("\r\n", "\n").replace('\n', "\r\n");
        // RFC 5322 allows lines of 998 bytes (lettre would encode any over 76, which breaks a
        // link across lines for whoever reads the source); longer ones go as lettre chooses.
        let fits = !lines.contains('\0') && lines.split("\r\n").all(|line| line.len() <= 998);
        let body = match fits {
            true => {
                Body::dangerous_pre_encoded(lines.into_bytes(), ContentTransferEncoding::EightBit)
            }
            false => Body::new(lines),
        };
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(part)
            .map_err(|e| format!("composing: {e}"))?;
        self.transport
            .send(email)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
