//! Marks for deep offset pages on SQLite (`quorum_store::marks`): the statements.

use chrono::{Duration, Utc};
use quorum_domain::time::from_micros;
use quorum_store::Cursor;
use quorum_store::marks::{Mark, MarkSet, MarkSnapshot};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

pub fn snapshot(conn: &Connection) -> Result<MarkSnapshot> {
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM workflow_late_inserts), seen, covered, taken_at, \
         (SELECT COALESCE(SUM(workflows), 0) FROM workflow_totals) FROM workflow_mark_state",
        [],
        |row| {
            let seen: Option<i64> = row.get(1)?;
            let taken_at: Option<i64> = row.get(3)?;
            Ok(MarkSnapshot {
                total: row.get(4)?,
                late: row.get(0)?,
                taken: seen
                    .zip(taken_at)
                    .map(|(seen, at)| {
                        Ok::<_, rusqlite::Error>((seen, row.get(2)?, from_micros(at)))
                    })
                    .transpose()?,
            })
        },
    )?)
}

pub fn at_rank(conn: &Connection, rank: i64) -> Result<Option<Cursor>> {
    rows::one(
        conn,
        "WITH m AS (SELECT rank, created_at, id FROM workflow_marks WHERE rank <= ?1 ORDER BY rank DESC LIMIT 1) \
         SELECT w.created_at, w.id FROM workflows w WHERE (w.created_at, w.id) >= (SELECT created_at, id FROM m) \
         ORDER BY w.created_at, w.id LIMIT 1 OFFSET COALESCE((SELECT ?1 - rank FROM m), 0)",
        [rank],
        |row| {
            Ok(Cursor {
                created_at_micros: row.get(0)?,
                id: row.get(1)?,
            })
        },
    )
}

pub fn take(conn: &Connection, spacing: i64, horizon_secs: i64) -> Result<MarkSet> {
    // Read before the walk: a late insert between the two leaves marks that are never used.
    let seen: i64 = conn.query_row("SELECT COUNT(*) FROM workflow_late_inserts", [], |row| {
        row.get(0)
    })?;
    let taken_at = Utc::now();
    let horizon = (taken_at - Duration::seconds(horizon_secs)).timestamp_micros();
    let marks = rows::all(
        conn,
        "SELECT rank, created_at, id FROM (SELECT created_at, id, \
         row_number() OVER (ORDER BY created_at, id) - 1 AS rank, \
         lead(id) OVER (ORDER BY created_at, id) IS NULL AS last \
         FROM workflows WHERE created_at < ?1) WHERE rank % ?2 = 0 OR last ORDER BY rank",
        params![horizon, spacing],
        |row| {
            Ok(Mark {
                rank: row.get(0)?,
                at: Cursor {
                    created_at_micros: row.get(1)?,
                    id: row.get(2)?,
                },
            })
        },
    )?;
    Ok(MarkSet {
        seen,
        covered: marks.last().map_or(0, |m| m.rank + 1),
        marks,
        taken_at,
    })
}

pub fn save(tx: &Connection, set: &MarkSet) -> Result<()> {
    rows::run(tx, "DELETE FROM workflow_marks", [])?;
    for mark in &set.marks {
        rows::run(
            tx,
            "INSERT INTO workflow_marks (rank, created_at, id) VALUES (?, ?, ?)",
            params![mark.rank, mark.at.created_at_micros, mark.at.id],
        )?;
    }
    rows::run(
        tx,
        "UPDATE workflow_mark_state SET seen = ?, covered = ?, taken_at = ?",
        params![set.seen, set.covered, set.taken_at.timestamp_micros()],
    )?;
    Ok(())
}

/// Records an insert of a workflow created well before now: it may land among marked rows.
pub(crate) fn note_late(tx: &Connection) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO workflow_late_inserts (at) VALUES (?)",
        [Utc::now().timestamp_micros()],
    )?;
    Ok(())
}
