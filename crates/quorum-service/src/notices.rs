//! Telling council members a workflow awaits them, and letting them vote from the message.
//!
//! A workflow entering a queue owes each of its voters a notice, written in the transaction
//! that puts it there (see the store's plans); reminders are owed the same way by the sweeper.
//! Whichever server claims a due notice first sends it: by SMTP when configured, else into the
//! mail outbox. Members choose immediate mail, a daily digest, or none.
//!
//! Each message carries an approve and a reject link. A link's token is random, kept only as
//! its hash, bound to its member, workflow and the digest they were shown, and good until the
//! voting deadline. Opening it shows a confirmation page (mail scanners open links; they never
//! vote); the page's POST votes, once: using one of a member's links uses them all.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use quorum_domain::{FieldError, Principal, PrincipalKind, Role, VoteChoice, WorkflowStatus};
use quorum_store::{
    Notice, NoticeKind, NoticeOutcome, NotificationSettings, NotifyMode, OutboxMail, VoteLink,
    VoteOutcome, WorkflowDetail,
};
use serde::Deserialize;

use crate::auth::hash_token;
use crate::{Quorum, ServiceError, ServiceResult, VoteRequest, auth};

/// How long a sender holds the notices it claimed before another server may send them.
const CLAIM_FOR: Duration = Duration::minutes(2);
/// Notices one sweep sends at most.
const BATCH: i64 = 100;
/// A link to a workflow without a voting deadline works this long.
const LINK_LIFETIME: Duration = Duration::days(30);
/// When daily digests go out (UTC).
const DIGEST_AT: NaiveTime = NaiveTime::from_hms_opt(8, 0, 0).expect("a valid time");

/// `PUT /api/principals/me/notifications`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationRequest {
    /// Where notices go.
    #[schema(max_length = 254)]
    pub email: String,
    /// `immediate` (one message per workflow, as it enters the queue), `daily` (one digest a
    /// day at 08:00 UTC) or `none`.
    pub mode: NotifyMode,
}

/// Why a vote link does nothing, in words for the person holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRefusal {
    Unknown,
    Used,
    Expired(DateTime<Utc>),
    Decided(String),
    Changed,
    AlreadyVoted,
    OtherMember { sent_to: String, signed_in: String },
}

impl LinkRefusal {
    pub fn message(&self) -> String {
        match self {
            Self::Unknown => "This link is not one Quorum sent, or it was cut short. Open the workflow on the dashboard to vote.".into(),
            Self::Used => "This link has been used already: a member votes once, and the vote it cast stands.".into(),
            Self::Expired(at) => format!(
                "The voting deadline passed on {}; links stop working then.",
                quorum_domain::time::format(at)
            ),
            Self::Decided(what) => format!("The vote is over: {what}. Nothing was changed."),
            Self::Changed => "The workflow is no longer what this link was sent for, so it votes on nothing. Open the workflow on the dashboard to see what changed.".into(),
            Self::AlreadyVoted => "You have voted on this workflow already; a vote is never changed.".into(),
            Self::OtherMember { sent_to, signed_in } => format!(
                "This link was sent to {sent_to}, and you are signed in as {signed_in}: it votes only for the member it was sent to. Sign out, or use your own link."
            ),
        }
    }
}

/// What a valid link would do, for its confirmation page.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub link: VoteLink,
    pub member: Principal,
    pub detail: WorkflowDetail,
    /// What the workflow makes, for people.
    pub title: String,
    pub preview_url: Option<String>,
    /// The people and council it mentions, by name.
    pub names: crate::Names,
}

/// A random token for a link, URL-safe.
fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The next daily digest's time after `now`.
fn next_digest(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.date_naive().and_time(DIGEST_AT).and_utc();
    match today > now {
        true => today,
        false => today + Duration::days(1),
    }
}

/// Whether `at` is a digest's time: a notice due then goes in its member's digest.
fn is_digest_time(at: DateTime<Utc>) -> bool {
    at.time() == DIGEST_AT
}

/// Whether an address is worth sending to: one `@`, something either side, no spaces.
fn plausible_email(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.contains('@')
        })
}

impl Quorum {
    pub async fn set_notifications(
        &self,
        caller: &Principal,
        request: NotificationRequest,
    ) -> ServiceResult<NotificationSettings> {
        auth::require(caller, Role::Member)?;
        if caller.kind != PrincipalKind::User {
            return Err(ServiceError::Forbidden(
                "only council members are sent notices".into(),
            ));
        }
        let email = request.email.trim().to_owned();
        if !plausible_email(&email) {
            return Err(ServiceError::invalid(
                "the notification settings are invalid",
                vec![FieldError::new(
                    "email",
                    "format",
                    "must be an e-mail address such as ana@example.com",
                )],
            ));
        }
        let settings = NotificationSettings {
            principal_id: caller.id.clone(),
            email,
            mode: request.mode,
            updated_at: quorum_domain::time::now(),
        };
        self.store.set_notification_settings(&settings).await?;
        Ok(settings)
    }

    pub async fn notifications(
        &self,
        caller: &Principal,
    ) -> ServiceResult<Option<NotificationSettings>> {
        Ok(self.store.notification_settings(&caller.id).await?)
    }

    /// Mail kept for `recipient` because no SMTP server is configured, newest first (admin).
    pub async fn outbox(
        &self,
        caller: &Principal,
        recipient: &str,
    ) -> ServiceResult<Vec<OutboxMail>> {
        auth::require(caller, Role::Admin)?;
        Ok(self.store.outbox_mail(recipient, 100).await?)
    }

    /// What a workflow makes, in a few words: the site's or the item's name when its inputs
    /// give one, else its type's name.
    pub async fn workflow_title(&self, detail: &WorkflowDetail) -> String {
        let inputs = detail.workflow.inputs.to_value();
        for field in ["site_name", "title", "name"] {
            if let Some(name) = inputs.get(field).and_then(|v| v.as_str())
                && !name.trim().is_empty()
            {
                return name.trim().to_owned();
            }
        }
        match self
            .registry
            .get(
                &detail.workflow.workflow_type_id,
                Some(detail.workflow.workflow_type_version),
            )
            .await
        {
            Ok(compiled) => compiled.definition.name.clone(),
            Err(_) => detail.workflow.workflow_type_id.clone(),
        }
    }

    /// Sends the notices due at `now` that no other server holds; returns how many were
    /// settled (sent, kept in the outbox, skipped or failed).
    pub async fn send_notices(&self, now: DateTime<Utc>) -> ServiceResult<usize> {
        let claimed = self.store.claim_notices(now, CLAIM_FOR, BATCH).await?;
        let settled = claimed.len();
        let mut by_member: BTreeMap<String, Vec<Notice>> = BTreeMap::new();
        for notice in claimed {
            by_member
                .entry(notice.principal_id.clone())
                .or_default()
                .push(notice);
        }
        for (member, notices) in by_member {
            self.send_to_member(&member, notices, now).await?;
        }
        Ok(settled)
    }

    async fn settle(
        &self,
        notices: &[Notice],
        outcome: &str,
        at: DateTime<Utc>,
    ) -> ServiceResult<()> {
        for notice in notices {
            self.store
                .finish_notice(&NoticeOutcome {
                    id: notice.id.clone(),
                    outcome: outcome.to_owned(),
                    at,
                })
                .await?;
        }
        Ok(())
    }

    async fn send_to_member(
        &self,
        member_id: &str,
        notices: Vec<Notice>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let settings = self.store.notification_settings(member_id).await?;
        let Some(settings) = settings.filter(|s| s.mode != NotifyMode::None) else {
            return self.settle(&notices, "skipped: no mail wanted", now).await;
        };
        let member = match self.store.get_principal(member_id).await {
            Ok(member) => member,
            Err(quorum_store::StoreError::NotFound(_)) => {
                return self.settle(&notices, "skipped: no such member", now).await;
            }
            Err(e) => return Err(e.into()),
        };
        // A daily member's notices wait for the digest's hour, then go out together; a
        // reminder cannot wait, as the deadline may come first.
        let (now_due, later): (Vec<Notice>, Vec<Notice>) = notices.into_iter().partition(|n| {
            settings.mode == NotifyMode::Immediate
                || n.kind == NoticeKind::Reminder
                || is_digest_time(n.due_at)
        });
        for notice in &later {
            self.store
                .defer_notice(&notice.id, next_digest(now))
                .await?;
        }
        let mut sections = Vec::new();
        let mut included = Vec::new();
        for notice in now_due {
            let detail = match self.workflow(&notice.workflow_id).await {
                Ok(detail) => detail,
                Err(ServiceError::NotFound(_)) => {
                    self.settle(
                        std::slice::from_ref(&notice),
                        "skipped: no such workflow",
                        now,
                    )
                    .await?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let open = detail.workflow.status == WorkflowStatus::Pending
                && detail.workflow.decision.is_none()
                && detail.electorate.contains(&member.id)
                && !detail.votes.iter().any(|v| v.user_id == member.id);
            if !open {
                self.settle(
                    std::slice::from_ref(&notice),
                    "skipped: nothing to vote on",
                    now,
                )
                .await?;
                continue;
            }
            sections.push(
                self.notice_section(&member, &detail, notice.kind, now)
                    .await?,
            );
            included.push(notice);
        }
        if included.is_empty() {
            return Ok(());
        }
        let subject = match (sections.len(), included[0].kind) {
            (1, NoticeKind::Reminder) => format!("Reminder: your vote on {}", sections[0].0),
            (1, NoticeKind::Awaiting) => format!("Your vote is needed: {}", sections[0].0),
            (n, _) => format!("{n} workflows await your vote"),
        };
        let mut body = format!("Hello {},\n\n", member.name);
        body.push_str(match sections.len() {
            1 => "A workflow awaits your council's decision.\n\n",
            _ => "These workflows await your council's decision.\n\n",
        });
        for (_, section) in &sections {
            body.push_str(section);
            body.push('\n');
        }
        body.push_str(&format!(
            "Each vote link asks you to confirm, and works once, only for you.\n\
             You are sent these as {} ({} mail). Change it with PUT /api/principals/me/notifications.\n",
            settings.email,
            settings.mode.as_str()
        ));
        let outcome = match &self.mailer {
            Some(mailer) => match mailer.send_notice(&settings.email, &subject, &body).await {
                Ok(()) => "sent".to_owned(),
                Err(e) => {
                    tracing::warn!(member = member.id, error = %e, "a notice could not be sent");
                    format!("failed: {e}")
                }
            },
            None => {
                self.store
                    .add_outbox_mail(&OutboxMail {
                        id: quorum_domain::ids::new_id("mail"),
                        to: settings.email.clone(),
                        subject,
                        body,
                        created_at: now,
                    })
                    .await?;
                "outbox".to_owned()
            }
        };
        self.settle(&included, &outcome, now).await
    }

    /// The part of a message about one workflow, with the member's links (made and kept here,
    /// hashed); and the workflow's title.
    async fn notice_section(
        &self,
        member: &Principal,
        detail: &WorkflowDetail,
        kind: NoticeKind,
        now: DateTime<Utc>,
    ) -> ServiceResult<(String, String)> {
        let w = &detail.workflow;
        let title = self.workflow_title(detail).await;
        let expires_at = w.voting_deadline.unwrap_or(now + LINK_LIFETIME);
        let mut links = Vec::new();
        let mut urls = Vec::new();
        for choice in [VoteChoice::Approve, VoteChoice::Reject] {
            let token = new_token();
            urls.push(format!("{}/vote/{token}", self.step_env().public_url));
            links.push(VoteLink {
                token_hash: hash_token(&token),
                workflow_id: w.id.clone(),
                principal_id: member.id.clone(),
                choice,
                digest: detail.digest.clone(),
                expires_at,
                created_at: now,
                used_at: None,
            });
        }
        self.store.add_vote_links(&links).await?;
        let type_name = match self
            .registry
            .get(&w.workflow_type_id, Some(w.workflow_type_version))
            .await
        {
            Ok(compiled) => compiled.definition.name.clone(),
            Err(_) => w.workflow_type_id.clone(),
        };
        let mut text = format!(
            "{title} — {type_name}, proposed by {}\n",
            w.created_by_agent
        );
        if kind == NoticeKind::Reminder {
            text.push_str("You have not voted yet, and the voting window closes soon.\n");
        }
        match w.voting_deadline {
            Some(deadline) => text.push_str(&format!(
                "Vote by: {}\n",
                quorum_domain::time::format(&deadline)
            )),
            None => text.push_str("There is no voting deadline.\n"),
        }
        if detail.preview.is_some() {
            text.push_str(&format!("Preview: {}\n", self.preview_link(&w.id).await?));
        }
        text.push_str(&format!(
            "Review: {}/dashboard/workflows/{}\nApprove: {}\nReject: {}\n",
            self.step_env().public_url,
            w.id,
            urls[0],
            urls[1]
        ));
        Ok((title, text))
    }

    /// What the link `token` would do, or why it does nothing. `signed_in` is the dashboard
    /// user whose browser holds it, if any.
    pub async fn vote_link(
        &self,
        token: &str,
        signed_in: Option<&Principal>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Result<LinkView, LinkRefusal>> {
        let Some(link) = self.store.vote_link(&hash_token(token)).await? else {
            return Ok(Err(LinkRefusal::Unknown));
        };
        if link.used_at.is_some() {
            return Ok(Err(LinkRefusal::Used));
        }
        if let Some(other) = signed_in.filter(|p| p.id != link.principal_id) {
            return Ok(Err(LinkRefusal::OtherMember {
                sent_to: link.principal_id.clone(),
                signed_in: other.id.clone(),
            }));
        }
        let detail = self.workflow(&link.workflow_id).await?;
        let w = &detail.workflow;
        if let Some(decision) = w.decision {
            return Ok(Err(LinkRefusal::Decided(format!(
                "the council has decided: {decision}"
            ))));
        }
        if w.status != WorkflowStatus::Pending {
            return Ok(Err(LinkRefusal::Decided(format!(
                "the workflow is {}",
                w.status
            ))));
        }
        if now >= link.expires_at {
            return Ok(Err(LinkRefusal::Expired(link.expires_at)));
        }
        if detail.digest != link.digest {
            return Ok(Err(LinkRefusal::Changed));
        }
        if detail.votes.iter().any(|v| v.user_id == link.principal_id) {
            return Ok(Err(LinkRefusal::AlreadyVoted));
        }
        let member = self.store.get_principal(&link.principal_id).await?;
        let title = self.workflow_title(&detail).await;
        let names = self.names_in(&detail).await?;
        let preview_url = match detail.preview {
            Some(_) => Some(self.preview_link(&w.id).await?),
            None => None,
        };
        Ok(Ok(LinkView {
            link,
            member,
            detail,
            title,
            preview_url,
            names,
        }))
    }

    /// Casts the vote of the link `token` with `reason`, if the link still may; using it uses
    /// every other link of its member for its workflow.
    pub async fn vote_by_link(
        &self,
        token: &str,
        reason: String,
        signed_in: Option<&Principal>,
    ) -> ServiceResult<Result<VoteOutcome, LinkRefusal>> {
        let now = quorum_domain::time::now();
        let view = match self.vote_link(token, signed_in, now).await? {
            Ok(view) => view,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // A rejection needs its reason before the link is spent on it.
        let request = VoteRequest {
            vote: view.link.choice,
            reason,
            on_behalf_of: None,
        };
        if request.vote == VoteChoice::Reject && request.reason.trim().is_empty() {
            return Err(ServiceError::invalid_field(
                "reason",
                "required",
                "a rejection needs a reason the agent can act on",
            ));
        }
        if !self.store.use_vote_link(&hash_token(token), now).await? {
            return Ok(Err(LinkRefusal::Used));
        }
        match self
            .cast_vote(&view.member, &view.link.workflow_id, request)
            .await
        {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(ServiceError::Conflict(message)) => Ok(Err(LinkRefusal::Decided(message))),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_go_out_at_eight_utc_the_next_time_it_comes() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(
            next_digest(at("2026-12-01T07:59:00Z")),
            at("2026-12-01T08:00:00Z")
        );
        assert_eq!(
            next_digest(at("2026-12-01T08:00:00Z")),
            at("2026-12-02T08:00:00Z")
        );
        assert!(is_digest_time(next_digest(at("2026-12-01T23:00:00Z"))));
        assert!(!is_digest_time(at("2026-12-01T08:00:01Z")));
    }

    #[test]
    fn only_plausible_addresses_are_kept() {
        for good in ["ana@example.com", "a.b+c@mail.example.org"] {
            assert!(plausible_email(good), "{good}");
        }
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@localhost",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
