//! Contact-form messages on PostgreSQL.

use quorum_store::{ContactMessage, DeliveryReport, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

pub async fn add(pool: &PgPool, m: &ContactMessage) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO contact_messages (id, site, workflow_id, recipient, name, email, message, remote_addr, \
         received_at, delivery, delivered_at, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&m.id)
    .bind(&m.site)
    .bind(&m.workflow_id)
    .bind(&m.recipient)
    .bind(&m.name)
    .bind(&m.email)
    .bind(&m.message)
    .bind(&m.remote_addr)
    .bind(m.received_at)
    .bind(&m.delivery)
    .bind(m.delivered_at)
    .bind(&m.error)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn set_delivery(pool: &PgPool, r: &DeliveryReport) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE contact_messages SET delivery = $1, error = $2, delivered_at = $3 WHERE id = $4",
    )
    .bind(&r.delivery)
    .bind(&r.error)
    .bind(r.at)
    .bind(&r.message_id)
    .execute(pool)
    .await
    .map_err(map_err)?;
    r.recorded(updated.rows_affected())
}

pub async fn list(pool: &PgPool, site: &str, limit: i64) -> StoreResult<Vec<ContactMessage>> {
    let rows = sqlx::query(
        "SELECT id, site, workflow_id, recipient, name, email, message, remote_addr, received_at, delivery, \
         delivered_at, error FROM contact_messages WHERE site = $1 ORDER BY received_at DESC, id DESC LIMIT $2",
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
                received_at: row.try_get("received_at").map_err(map_err)?,
                delivery: row.try_get("delivery").map_err(map_err)?,
                delivered_at: row.try_get("delivered_at").map_err(map_err)?,
                error: row.try_get("error").map_err(map_err)?,
            })
        })
        .collect()
}
