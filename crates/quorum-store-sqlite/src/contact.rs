//! Contact-form messages on SQLite.

use quorum_domain::time::from_micros;
use quorum_store::{ContactMessage, DeliveryReport};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

pub fn add(tx: &Connection, m: &ContactMessage) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO contact_messages (id, site, workflow_id, recipient, name, email, message, remote_addr, \
         received_at, delivery, delivered_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            m.id,
            m.site,
            m.workflow_id,
            m.recipient,
            m.name,
            m.email,
            m.message,
            m.remote_addr,
            m.received_at.timestamp_micros(),
            m.delivery,
            m.delivered_at.map(|d| d.timestamp_micros()),
            m.error,
        ],
    )?;
    Ok(())
}

pub fn set_delivery(tx: &Connection, r: &DeliveryReport) -> Result<()> {
    let updated = rows::run(
        tx,
        "UPDATE contact_messages SET delivery = ?, error = ?, delivered_at = ? WHERE id = ?",
        params![r.delivery, r.error, r.at.timestamp_micros(), r.message_id],
    )?;
    Ok(r.recorded(updated as u64)?)
}

pub fn list(conn: &Connection, site: &str, limit: i64) -> Result<Vec<ContactMessage>> {
    rows::all(
        conn,
        "SELECT id, site, workflow_id, recipient, name, email, message, remote_addr, received_at, delivery, \
         delivered_at, error FROM contact_messages WHERE site = ? ORDER BY received_at DESC, id DESC LIMIT ?",
        params![site, limit],
        |row| {
            Ok(ContactMessage {
                id: row.get("id")?,
                site: row.get("site")?,
                workflow_id: row.get("workflow_id")?,
                recipient: row.get("recipient")?,
                name: row.get("name")?,
                email: row.get("email")?,
                message: row.get("message")?,
                remote_addr: row.get("remote_addr")?,
                received_at: from_micros(row.get("received_at")?),
                delivery: row.get("delivery")?,
                delivered_at: row.get::<_, Option<i64>>("delivered_at")?.map(from_micros),
                error: row.get("error")?,
            })
        },
    )
}
