//! The schema's migrations, forward only, each applied in a transaction of its own. The version
//! a database is at is its `user_version`, which SQLite keeps in the file's header.

use rusqlite::{Connection, OptionalExtension};

use crate::Result;

/// Every migration, in order; a migration's version is its place in this list.
const MIGRATIONS: &[(&str, &str)] = &[
    ("core", include_str!("../migrations/0001_core.sql")),
    (
        "governance",
        include_str!("../migrations/0002_governance.sql"),
    ),
    ("jobs", include_str!("../migrations/0003_jobs.sql")),
    ("contact", include_str!("../migrations/0004_contact.sql")),
    (
        "savings bounds",
        include_str!("../migrations/0005_savings_bounds.sql"),
    ),
    ("sessions", include_str!("../migrations/0006_sessions.sql")),
    (
        "deployments",
        include_str!("../migrations/0007_deployments.sql"),
    ),
    (
        "limits and retention",
        include_str!("../migrations/0008_limits_and_retention.sql"),
    ),
    ("signing keys", include_str!("../migrations/0009_keys.sql")),
    (
        "site owners",
        include_str!("../migrations/0010_site_owners.sql"),
    ),
    (
        "site domains",
        include_str!("../migrations/0011_site_domains.sql"),
    ),
    ("uploads", include_str!("../migrations/0012_uploads.sql")),
    ("previews", include_str!("../migrations/0013_previews.sql")),
    (
        "delegations",
        include_str!("../migrations/0014_delegations.sql"),
    ),
    (
        "notifications",
        include_str!("../migrations/0015_notifications.sql"),
    ),
    (
        "council policy",
        include_str!("../migrations/0016_council_policy.sql"),
    ),
    (
        "undecided index",
        include_str!("../migrations/0017_undecided_index.sql"),
    ),
    (
        "site visitors",
        include_str!("../migrations/0018_site_visitors.sql"),
    ),
    (
        "workflow marks",
        include_str!("../migrations/0019_workflow_marks.sql"),
    ),
    (
        "step waits",
        include_str!("../migrations/0020_step_waits.sql"),
    ),
];

pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    let mut version = current_version(conn)?;
    if version > MIGRATIONS.len() as i64 {
        return Err(quorum_store::StoreError::Other(format!(
            "the database is at schema version {version}, newer than this Quorum ({}): upgrade Quorum",
            MIGRATIONS.len()
        ))
        .into());
    }
    for (description, sql) in &MIGRATIONS[version as usize..] {
        version += 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, description, "applied a SQLite migration");
    }
    Ok(())
}

/// The schema version; a database made before versions were kept in the header has them in
/// the table its earlier migrator kept.
fn current_version(conn: &Connection) -> Result<i64> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > 0 {
        return Ok(version);
    }
    let earlier: Option<i64> = conn
        .query_row(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
            [],
            |row| row.get(0),
        )
        .optional()
        .or_else(|e| match e {
            // No such table: a new database.
            rusqlite::Error::SqliteFailure(_, Some(ref m)) if m.contains("no such table") => {
                Ok(None)
            }
            other => Err(other),
        })?
        .flatten();
    Ok(earlier.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut statement = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_every_migration_and_a_second_run_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).map_err(|e| e.0).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let before = tables(&conn);
        assert!(before.contains(&"contact_messages".to_owned()));
        assert!(before.contains(&"dashboard_sessions".to_owned()));
        assert!(before.contains(&"signing_keys".to_owned()));
        run(&mut conn).map_err(|e| e.0).unwrap();
        assert_eq!(tables(&conn), before);
    }

    #[test]
    fn a_database_from_the_earlier_migrator_continues_where_it_stopped() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, success BOOLEAN NOT NULL);
             INSERT INTO _sqlx_migrations VALUES (1, TRUE), (2, TRUE);",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.execute_batch(MIGRATIONS[1].1).unwrap();
        run(&mut conn).map_err(|e| e.0).unwrap();
        let tables = tables(&conn);
        assert!(tables.contains(&"workflow_jobs".to_owned()));
        assert!(tables.contains(&"contact_messages".to_owned()));
    }

    #[test]
    fn savings_past_the_bound_are_brought_inside_it_and_the_aggregates_rebuilt() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        // What an agent could write before the bound, and the REAL totals SQLite made of it.
        conn.execute_batch(
            r#"INSERT INTO workflow_types (id, version, definition, executable, registered_at)
                   VALUES ('t', 1, '{}', 0, 0);
               INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent,
                   assigned_council_id, status, inputs, outputs, calculated_savings, weekly_cents,
                   annual_cents, created_at)
               VALUES ('wf_big', 't', 1, 'a', 'c', 'COMPLETED', '{}', '{}',
                       '{"weekly_savings": 9999999999999, "padding": "xxxx"}', 999999999999900, 51999999999994800, 1),
                      ('wf_ok', 't', 1, 'a', 'c', 'COMPLETED', '{}', '{}',
                       '{"tasks_automated": "Site", "weekly_savings": 225.0, "annual_savings": 11700.0}', 22500, 1170000, 2);
               INSERT INTO workflow_totals (council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, annual_cents)
               VALUES ('c', 'a', 't', 'COMPLETED', 2, 1.0e19, 9.3e18);"#,
        )
        .unwrap();
        run(&mut conn).map_err(|e| e.0).unwrap();
        let savings = |id: &str| -> (i64, i64, String) {
            conn.query_row(
                "SELECT weekly_cents, annual_cents, calculated_savings FROM workflows WHERE id = ?",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap()
        };
        let (weekly, annual, kept) = savings("wf_big");
        assert_eq!((weekly, annual), (50_000_000, 2_600_000_000));
        let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
        assert_eq!(
            kept,
            serde_json::json!({"weekly_savings": 500000.0, "annual_savings": 26000000.0})
        );
        let (_, _, untouched) = savings("wf_ok");
        assert!(untouched.contains("tasks_automated"), "{untouched}");
        let totals: (String, i64, i64, i64) = conn
            .query_row(
                "SELECT typeof(weekly_cents), workflows, weekly_cents, annual_cents FROM workflow_totals",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap();
        assert_eq!(totals, ("integer".into(), 2, 50_022_500, 2_601_170_000));
    }

    #[test]
    fn a_database_from_a_newer_quorum_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let refused = run(&mut conn).map_err(|e| e.0).unwrap_err();
        assert!(refused.to_string().contains("newer than this Quorum"));
    }
}
