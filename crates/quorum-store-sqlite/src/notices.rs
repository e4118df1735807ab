//! Notification settings, notices, one-click vote links and the mail outbox on SQLite.

use chrono::{DateTime, Utc};
use quorum_domain::VoteChoice;
use quorum_domain::ids::new_id;
use quorum_domain::time::from_micros;
use quorum_store::{
    Notice, NoticeKind, NoticeOutcome, NotificationSettings, NotifyMode, OutboxMail, StoreError,
    VoteLink,
};
use rusqlite::{Connection, Row, params};

use crate::Result;
use crate::rows;

fn corrupt(what: &str, value: &str) -> crate::Error {
    StoreError::Other(format!("stored {what} {value:?}")).into()
}

pub fn set_settings(tx: &Connection, s: &NotificationSettings) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO notification_settings (principal_id, email, mode, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (principal_id) DO UPDATE SET email = excluded.email, mode = excluded.mode, \
         updated_at = excluded.updated_at",
        params![
            s.principal_id,
            s.email,
            s.mode.as_str(),
            s.updated_at.timestamp_micros()
        ],
    )?;
    Ok(())
}

pub fn settings(conn: &Connection, principal_id: &str) -> Result<Option<NotificationSettings>> {
    rows::one(
        conn,
        "SELECT * FROM notification_settings WHERE principal_id = ?",
        [principal_id],
        |row| {
            let mode: String = row.get("mode")?;
            Ok(NotificationSettings {
                principal_id: row.get("principal_id")?,
                email: row.get("email")?,
                mode: NotifyMode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
                updated_at: from_micros(row.get("updated_at")?),
            })
        },
    )
}

/// Inserts notices for `members`, one each, unless one of the kind exists; how many were new.
pub fn insert(
    tx: &Connection,
    workflow_id: &str,
    members: &[String],
    kind: NoticeKind,
    at: DateTime<Utc>,
) -> Result<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO notices (id, principal_id, workflow_id, kind, due_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflow_id, principal_id, kind) DO NOTHING",
    )?;
    let mut added = 0;
    for member in members {
        added += insert.execute(params![
            new_id("ntc"),
            member,
            workflow_id,
            kind.as_str(),
            at.timestamp_micros(),
            at.timestamp_micros()
        ])?;
    }
    Ok(added)
}

pub fn add(tx: &Connection, notices: &[Notice]) -> Result<u64> {
    let mut added = 0;
    for n in notices {
        added += insert(
            tx,
            &n.workflow_id,
            std::slice::from_ref(&n.principal_id),
            n.kind,
            n.due_at,
        )? as u64;
    }
    Ok(added)
}

fn notice(row: &Row) -> Result<Notice> {
    let kind: String = row.get("kind")?;
    Ok(Notice {
        id: row.get("id")?,
        principal_id: row.get("principal_id")?,
        workflow_id: row.get("workflow_id")?,
        kind: NoticeKind::parse(&kind).ok_or_else(|| corrupt("notice kind", &kind))?,
        due_at: from_micros(row.get("due_at")?),
    })
}

pub fn claim(
    tx: &Connection,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<Notice>> {
    rows::all(
        tx,
        "UPDATE notices SET claimed_until = ?1 WHERE id IN (SELECT id FROM notices \
         WHERE sent_at IS NULL AND due_at <= ?2 AND (claimed_until IS NULL OR claimed_until < ?2) \
         ORDER BY due_at, id LIMIT ?3) RETURNING id, principal_id, workflow_id, kind, due_at",
        params![
            (now + lease).timestamp_micros(),
            now.timestamp_micros(),
            limit
        ],
        notice,
    )
}

pub fn finish(tx: &Connection, done: &NoticeOutcome) -> Result<()> {
    rows::run(
        tx,
        "UPDATE notices SET sent_at = ?, outcome = ?, claimed_until = NULL WHERE id = ?",
        params![done.at.timestamp_micros(), done.outcome, done.id],
    )?;
    Ok(())
}

pub fn defer(tx: &Connection, id: &str, due_at: DateTime<Utc>) -> Result<()> {
    rows::run(
        tx,
        "UPDATE notices SET due_at = ?, claimed_until = NULL WHERE id = ? AND sent_at IS NULL",
        params![due_at.timestamp_micros(), id],
    )?;
    Ok(())
}

pub fn add_links(tx: &Connection, links: &[VoteLink]) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO vote_links (token_hash, workflow_id, principal_id, choice, digest, expires_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?;
    for l in links {
        insert.execute(params![
            l.token_hash,
            l.workflow_id,
            l.principal_id,
            l.choice.as_str(),
            l.digest,
            l.expires_at.timestamp_micros(),
            l.created_at.timestamp_micros()
        ])?;
    }
    Ok(())
}

pub fn link(conn: &Connection, token_hash: &str) -> Result<Option<VoteLink>> {
    rows::one(
        conn,
        "SELECT * FROM vote_links WHERE token_hash = ?",
        [token_hash],
        |row| {
            let choice: String = row.get("choice")?;
            Ok(VoteLink {
                token_hash: row.get("token_hash")?,
                workflow_id: row.get("workflow_id")?,
                principal_id: row.get("principal_id")?,
                choice: VoteChoice::parse(&choice).ok_or_else(|| corrupt("choice", &choice))?,
                digest: row.get("digest")?,
                expires_at: from_micros(row.get("expires_at")?),
                created_at: from_micros(row.get("created_at")?),
                used_at: row.get::<_, Option<i64>>("used_at")?.map(from_micros),
            })
        },
    )
}

/// Marks every link of the member's for the workflow used, if `token_hash` was not: a member
/// votes once, and any link of theirs then votes on nothing.
pub fn use_link(tx: &Connection, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
    let used = rows::run(
        tx,
        "UPDATE vote_links SET used_at = ?1 WHERE used_at IS NULL AND (workflow_id, principal_id) IN \
         (SELECT workflow_id, principal_id FROM vote_links WHERE token_hash = ?2 AND used_at IS NULL)",
        params![at.timestamp_micros(), token_hash],
    )?;
    Ok(used > 0)
}

pub fn add_mail(tx: &Connection, m: &OutboxMail) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO mail_outbox (id, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)",
        params![
            m.id,
            m.to,
            m.subject,
            m.body,
            m.created_at.timestamp_micros()
        ],
    )?;
    Ok(())
}

pub fn mail_to(conn: &Connection, recipient: &str, limit: i64) -> Result<Vec<OutboxMail>> {
    rows::all(
        conn,
        "SELECT * FROM mail_outbox WHERE recipient = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        params![recipient, limit],
        |row| {
            Ok(OutboxMail {
                id: row.get("id")?,
                to: row.get("recipient")?,
                subject: row.get("subject")?,
                body: row.get("body")?,
                created_at: from_micros(row.get("created_at")?),
            })
        },
    )
}
