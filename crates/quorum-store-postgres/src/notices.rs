//! Notification settings, notices, one-click vote links and the mail outbox on PostgreSQL.

use chrono::{DateTime, Utc};
use quorum_domain::VoteChoice;
use quorum_domain::ids::new_id;
use quorum_store::{
    Notice, NoticeKind, NoticeOutcome, NotificationSettings, NotifyMode, OutboxMail, StoreError,
    StoreResult, VoteLink,
};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Row};

use crate::map_err;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("stored {what} {value:?}"))
}

pub async fn set_settings(pool: &PgPool, s: &NotificationSettings) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO notification_settings (principal_id, email, mode, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (principal_id) DO UPDATE SET email = excluded.email, mode = excluded.mode, \
         updated_at = excluded.updated_at",
    )
    .bind(&s.principal_id)
    .bind(&s.email)
    .bind(s.mode.as_str())
    .bind(s.updated_at)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn settings(
    pool: &PgPool,
    principal_id: &str,
) -> StoreResult<Option<NotificationSettings>> {
    let Some(row) = sqlx::query("SELECT * FROM notification_settings WHERE principal_id = $1")
        .bind(principal_id)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let mode: String = row.try_get("mode").map_err(map_err)?;
    Ok(Some(NotificationSettings {
        principal_id: row.try_get("principal_id").map_err(map_err)?,
        email: row.try_get("email").map_err(map_err)?,
        mode: NotifyMode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
        updated_at: row.try_get("updated_at").map_err(map_err)?,
    }))
}

/// Inserts notices for `members`, one each, unless one of the kind exists; how many were new.
pub async fn insert(
    conn: &mut PgConnection,
    workflow_id: &str,
    members: &[String],
    kind: NoticeKind,
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    let ids: Vec<String> = members.iter().map(|_| new_id("ntc")).collect();
    let done = sqlx::query(
        "INSERT INTO notices (id, principal_id, workflow_id, kind, due_at, created_at) \
         SELECT id, member, $3, $4, $5, $5 FROM UNNEST($1::text[], $2::text[]) AS m(id, member) \
         ON CONFLICT (workflow_id, principal_id, kind) DO NOTHING",
    )
    .bind(&ids)
    .bind(members)
    .bind(workflow_id)
    .bind(kind.as_str())
    .bind(at)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected())
}

pub async fn add(pool: &PgPool, notices: &[Notice]) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let mut added = 0;
    for n in notices {
        added += insert(
            &mut tx,
            &n.workflow_id,
            std::slice::from_ref(&n.principal_id),
            n.kind,
            n.due_at,
        )
        .await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(added)
}

fn notice(row: &PgRow) -> StoreResult<Notice> {
    let kind: String = row.try_get("kind").map_err(map_err)?;
    Ok(Notice {
        id: row.try_get("id").map_err(map_err)?,
        principal_id: row.try_get("principal_id").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        kind: NoticeKind::parse(&kind).ok_or_else(|| corrupt("notice kind", &kind))?,
        due_at: row.try_get("due_at").map_err(map_err)?,
    })
}

pub async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<Notice>> {
    sqlx::query(
        "UPDATE notices SET claimed_until = $1 WHERE id IN (SELECT id FROM notices \
         WHERE sent_at IS NULL AND due_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2) \
         ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING id, principal_id, workflow_id, kind, due_at",
    )
    .bind(now + lease)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(notice)
    .collect()
}

pub async fn finish(pool: &PgPool, done: &NoticeOutcome) -> StoreResult<()> {
    sqlx::query(
        "UPDATE notices SET sent_at = $1, outcome = $2, claimed_until = NULL WHERE id = $3",
    )
    .bind(done.at)
    .bind(&done.outcome)
    .bind(&done.id)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn defer(pool: &PgPool, id: &str, due_at: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query(
        "UPDATE notices SET due_at = $1, claimed_until = NULL WHERE id = $2 AND sent_at IS NULL",
    )
    .bind(due_at)
    .bind(id)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn add_links(pool: &PgPool, links: &[VoteLink]) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    for l in links {
        sqlx::query(
            "INSERT INTO vote_links (token_hash, workflow_id, principal_id, choice, digest, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&l.token_hash)
        .bind(&l.workflow_id)
        .bind(&l.principal_id)
        .bind(l.choice.as_str())
        .bind(&l.digest)
        .bind(l.expires_at)
        .bind(l.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn link(pool: &PgPool, token_hash: &str) -> StoreResult<Option<VoteLink>> {
    let Some(row) = sqlx::query("SELECT * FROM vote_links WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let choice: String = row.try_get("choice").map_err(map_err)?;
    Ok(Some(VoteLink {
        token_hash: row.try_get("token_hash").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        principal_id: row.try_get("principal_id").map_err(map_err)?,
        choice: VoteChoice::parse(&choice).ok_or_else(|| corrupt("choice", &choice))?,
        digest: row.try_get("digest").map_err(map_err)?,
        expires_at: row.try_get("expires_at").map_err(map_err)?,
        created_at: row.try_get("created_at").map_err(map_err)?,
        used_at: row.try_get("used_at").map_err(map_err)?,
    }))
}

/// Marks every link of the member's for the workflow used, if `token_hash` was not: a member
/// votes once, and any link of theirs then votes on nothing.
pub async fn use_link(pool: &PgPool, token_hash: &str, at: DateTime<Utc>) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE vote_links SET used_at = $1 WHERE used_at IS NULL AND (workflow_id, principal_id) IN \
         (SELECT workflow_id, principal_id FROM vote_links WHERE token_hash = $2 AND used_at IS NULL \
          FOR UPDATE)",
    )
    .bind(at)
    .bind(token_hash)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected() > 0)
}

pub async fn add_mail(pool: &PgPool, m: &OutboxMail) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&m.id)
    .bind(&m.to)
    .bind(&m.subject)
    .bind(&m.body)
    .bind(m.created_at)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn mail_to(pool: &PgPool, recipient: &str, limit: i64) -> StoreResult<Vec<OutboxMail>> {
    sqlx::query(
        "SELECT * FROM mail_outbox WHERE recipient = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(recipient)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|row| {
        Ok(OutboxMail {
            id: row.try_get("id").map_err(map_err)?,
            to: row.try_get("recipient").map_err(map_err)?,
            subject: row.try_get("subject").map_err(map_err)?,
            body: row.try_get("body").map_err(map_err)?,
            created_at: row.try_get("created_at").map_err(map_err)?,
        })
    })
    .collect()
}
