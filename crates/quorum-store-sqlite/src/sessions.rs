//! Dashboard sessions on SQLite.

use chrono::{DateTime, Utc};
use quorum_domain::time::from_micros;
use quorum_store::{DashboardSession, EXPIRED_SESSIONS_PER_SIGN_IN};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

pub fn create(tx: &Connection, s: &DashboardSession) -> Result<()> {
    rows::run(
        tx,
        "DELETE FROM dashboard_sessions WHERE id_hash IN \
         (SELECT id_hash FROM dashboard_sessions WHERE expires_at <= ? LIMIT ?)",
        params![
            s.created_at.timestamp_micros(),
            EXPIRED_SESSIONS_PER_SIGN_IN
        ],
    )?;
    rows::run(
        tx,
        "INSERT INTO dashboard_sessions (id_hash, principal_id, token_hash, csrf, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        params![
            s.id_hash,
            s.principal_id,
            s.token_hash,
            s.csrf,
            s.created_at.timestamp_micros(),
            s.expires_at.timestamp_micros(),
        ],
    )?;
    Ok(())
}

pub fn live(
    conn: &Connection,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<DashboardSession>> {
    rows::one(
        conn,
        "SELECT id_hash, principal_id, token_hash, csrf, created_at, expires_at \
         FROM dashboard_sessions WHERE id_hash = ? AND expires_at > ?",
        params![id_hash, now.timestamp_micros()],
        |row| {
            Ok(DashboardSession {
                id_hash: row.get("id_hash")?,
                principal_id: row.get("principal_id")?,
                token_hash: row.get("token_hash")?,
                csrf: row.get("csrf")?,
                created_at: from_micros(row.get("created_at")?),
                expires_at: from_micros(row.get("expires_at")?),
            })
        },
    )
}

pub fn end(tx: &Connection, token_hash: &str) -> Result<u64> {
    let ended = rows::run(
        tx,
        "DELETE FROM dashboard_sessions WHERE token_hash = ?",
        [token_hash],
    )?;
    Ok(ended as u64)
}
