//! Signing keys on SQLite. Writes go through the one writer connection, so a first key and a
//! rotation never interleave in this process; the unique index guards against another one.

use chrono::{DateTime, Utc};
use quorum_domain::time::from_micros;
use quorum_store::SigningKey;
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

pub fn list(conn: &Connection, retired_after: DateTime<Utc>) -> Result<Vec<SigningKey>> {
    rows::all(
        conn,
        "SELECT id, secret, created_at, retired_at FROM signing_keys \
         WHERE retired_at IS NULL OR retired_at > ? \
         ORDER BY retired_at IS NULL DESC, retired_at DESC, created_at DESC",
        [retired_after.timestamp_micros()],
        |row| {
            Ok(SigningKey {
                id: row.get("id")?,
                secret: row.get("secret")?,
                created_at: from_micros(row.get("created_at")?),
                retired_at: row.get::<_, Option<i64>>("retired_at")?.map(from_micros),
            })
        },
    )
}

fn insert(tx: &Connection, key: &SigningKey, or_ignore: bool) -> Result<usize> {
    let sql = match or_ignore {
        true => {
            "INSERT INTO signing_keys (id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        }
        false => "INSERT INTO signing_keys (id, secret, created_at) VALUES (?, ?, ?)",
    };
    rows::run(
        tx,
        sql,
        params![key.id, key.secret, key.created_at.timestamp_micros()],
    )
}

pub fn add_first(tx: &Connection, key: &SigningKey) -> Result<bool> {
    Ok(insert(tx, key, true)? == 1)
}

pub fn rotate(
    tx: &Connection,
    key: &SigningKey,
    forget_retired_before: DateTime<Utc>,
) -> Result<()> {
    rows::run(
        tx,
        "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL",
        [key.created_at.timestamp_micros()],
    )?;
    insert(tx, key, false)?;
    rows::run(
        tx,
        "DELETE FROM signing_keys WHERE retired_at < ?",
        [forget_retired_before.timestamp_micros()],
    )?;
    Ok(())
}
