//! Contact-form messages on SQLite.

use chrono::{DateTime, Utc};
use quorum_domain::time::from_micros;
use quorum_store::{ContactMessage, StoreError, StoreResult};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use crate::map_err;

pub async fn add(pool: &SqlitePool, m: &ContactMessage) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO contact_messages (id, site, workflow_id, recipient, name, email, message, remote_addr, \
         received_at, delivery, delivered_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&m.id)
    .bind(&m.site)
    .bind(&m.workflow_id)
    .bind(&m.recipient)
    .bind(&m.name)
    .bind(&m.email)
    .bind(&m.message)
    .bind(&m.remote_addr)
    .bind(m.received_at.timestamp_micros())
    .bind(&m.delivery)
    .bind(m.delivered_at.map(|d| d.timestamp_micros()))
    .bind(&m.error)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn set_delivery(
    pool: &SqlitePool,
    id: &str,
    delivery: &str,
    error: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE contact_messages SET delivery = ?, error = ?, delivered_at = ? WHERE id = ?",
    )
    .bind(delivery)
    .bind(error)
    .bind(at.timestamp_micros())
    .bind(id)
    .execute(pool)
    .await
    .map_err(map_err)?;
    match updated.rows_affected() {
        1 => Ok(()),
        _ => Err(StoreError::NotFound(format!("contact message {id}"))),
    }
}

pub async fn list(pool: &SqlitePool, site: &str, limit: i64) -> StoreResult<Vec<ContactMessage>> {
    let rows = sqlx::query(
        "SELECT id, site, workflow_id, recipient, name, email, message, remote_addr, received_at, delivery, \
         delivered_at, error FROM contact_messages WHERE site = ? ORDER BY received_at DESC, id DESC LIMIT ?",
    )
    .bind(site)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            Ok(ContactMessage {
                id: row.try_get("id").map_err(map_err)?,
                site: row.try_get("site").map_err(map_err)?,
                workflow_id: row.try_get("workflow_id").map_err(map_err)?,
                recipient: row.try_get("recipient").map_err(map_err)?,
                name: row.try_get("name").map_err(map_err)?,
                email: row.try_get("email").map_err(map_err)?,
                message: row.try_get("message").map_err(map_err)?,
                remote_addr: row.try_get("remote_addr").map_err(map_err)?,
                received_at: from_micros(row.try_get("received_at").map_err(map_err)?),
                delivery: row.try_get("delivery").map_err(map_err)?,
                delivered_at: row
                    .try_get::<Option<i64>, _>("delivered_at")
                    .map_err(map_err)?
                    .map(from_micros),
                error: row.try_get("error").map_err(map_err)?,
            })
        })
        .collect()
}
