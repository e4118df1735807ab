//! What tells council members a workflow awaits them: their address and how often they want
//! mail, the notices waiting to be sent, the one-click vote links those carry (only their
//! hashes), and the mail kept when no SMTP server is configured.

use chrono::{DateTime, Utc};
use quorum_domain::VoteChoice;
use serde::{Deserialize, Serialize};

/// How often a member is told of workflows awaiting their vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyMode {
    /// An e-mail per workflow, as it enters the queue.
    Immediate,
    /// One e-mail a day listing them.
    Daily,
    None,
}

impl NotifyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Daily => "daily",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Immediate, Self::Daily, Self::None]
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
}

/// A member's notification settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationSettings {
    pub principal_id: String,
    pub email: String,
    pub mode: NotifyMode,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

/// Why a member is written to about a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The workflow entered a queue the member votes in.
    Awaiting,
    /// The voting deadline is near and the member has not voted.
    Reminder,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Awaiting => "awaiting",
            Self::Reminder => "reminder",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Awaiting, Self::Reminder]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// One message owed to one member about one workflow; at most one of each kind per member
/// and workflow, however many servers decide it is owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: String,
    pub principal_id: String,
    pub workflow_id: String,
    pub kind: NoticeKind,
    pub due_at: DateTime<Utc>,
}

/// What became of a notice: `sent`, `outbox`, `skipped` (the member wants no mail, has no
/// address, or has voted) or `failed: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeOutcome {
    pub id: String,
    pub outcome: String,
    pub at: DateTime<Utc>,
}

/// A one-click vote link: the hash of its token, and what it may do once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteLink {
    pub token_hash: String,
    pub workflow_id: String,
    pub principal_id: String,
    pub choice: VoteChoice,
    /// The digest the member was shown; a link to anything else votes on nothing.
    pub digest: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Mail kept instead of sent, where no SMTP server is configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OutboxMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}
