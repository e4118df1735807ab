//! The slow-changing records on SQLite: workflow types, principals and tokens, councils.

use quorum_domain::time::from_micros;
use quorum_domain::{Council, Principal};
use quorum_store::stored::json;
use quorum_store::*;
use rusqlite::{Connection, Row, params};

use crate::rows;
use crate::{Error, Result};

fn type_record(row: &Row) -> Result<TypeRecord> {
    Ok(TypeRecord {
        id: row.get("id")?,
        version: row.get("version")?,
        definition: json(&row.get::<_, String>("definition")?)?,
        executable: row.get("executable")?,
        registered_at: from_micros(row.get("registered_at")?),
    })
}

/// Renames a unique or foreign-key failure after the record it concerns.
fn naming(e: Error, conflict: impl FnOnce() -> String, missing: impl FnOnce() -> String) -> Error {
    match e.0 {
        StoreError::Conflict(_) => StoreError::Conflict(conflict()).into(),
        StoreError::NotFound(_) => StoreError::NotFound(missing()).into(),
        _ => e,
    }
}

pub fn register_type(tx: &Connection, new: NewTypeVersion) -> Result<TypeRecord> {
    let latest = rows::one(
        tx,
        "SELECT * FROM workflow_types WHERE id = ? ORDER BY version DESC LIMIT 1",
        [&new.id],
        type_record,
    )?;
    let record = match plan::register_type(latest, new) {
        plan::Registration::Unchanged(latest) => return Ok(latest),
        plan::Registration::Next(record) => record,
    };
    rows::run(
        tx,
        "INSERT INTO workflow_types (id, version, definition, executable, registered_at) VALUES (?, ?, ?, ?, ?)",
        params![
            record.id,
            record.version,
            record.definition.to_string(),
            record.executable,
            record.registered_at.timestamp_micros()
        ],
    )?;
    Ok(record)
}

pub fn get_type(conn: &Connection, id: &str, version: Option<i64>) -> Result<TypeRecord> {
    rows::one(
        conn,
        "SELECT * FROM workflow_types WHERE id = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY version DESC LIMIT 1",
        params![id, version],
        type_record,
    )?
    .ok_or_else(|| StoreError::NotFound(format!("workflow type {id}")).into())
}

pub fn list_types(conn: &Connection) -> Result<Vec<TypeRecord>> {
    rows::all(
        conn,
        "SELECT t.* FROM workflow_types t WHERE t.version = (SELECT MAX(version) FROM workflow_types WHERE id = t.id) ORDER BY t.id",
        [],
        type_record,
    )
}

fn principal(row: &Row) -> Result<Principal> {
    let kind: String = row.get("kind")?;
    let roles: String = row.get("roles")?;
    Ok(Principal {
        id: row.get("id")?,
        kind: stored::principal_kind(&kind)?,
        name: row.get("name")?,
        roles: stored::roles(&roles),
        created_at: from_micros(row.get("created_at")?),
    })
}

pub fn create_principal(tx: &Connection, p: &Principal, token_hash: Option<&str>) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO principals (id, kind, name, roles, created_at) VALUES (?, ?, ?, ?, ?)",
        params![
            p.id,
            p.kind.as_str(),
            p.name,
            stored::roles_text(&p.roles),
            p.created_at.timestamp_micros()
        ],
    )
    .map_err(|e| {
        naming(
            e,
            || format!("principal {} already exists", p.id),
            || format!("principal {}", p.id),
        )
    })?;
    if let Some(hash) = token_hash {
        rows::run(
            tx,
            "INSERT INTO api_tokens (token_hash, principal_id, created_at) VALUES (?, ?, ?)",
            params![hash, p.id, p.created_at.timestamp_micros()],
        )?;
    }
    Ok(())
}

pub fn add_token(tx: &Connection, principal_id: &str, token_hash: &str) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO api_tokens (token_hash, principal_id, created_at) VALUES (?, ?, ?)",
        params![
            token_hash,
            principal_id,
            quorum_domain::time::now().timestamp_micros()
        ],
    )
    .map_err(|e| match e.0 {
        StoreError::NotFound(_) => StoreError::NotFound(format!("principal {principal_id}")).into(),
        _ => e,
    })?;
    Ok(())
}

pub fn get_principal(conn: &Connection, id: &str) -> Result<Principal> {
    rows::one(
        conn,
        "SELECT * FROM principals WHERE id = ?",
        [id],
        principal,
    )?
    .ok_or_else(|| StoreError::NotFound(format!("principal {id}")).into())
}

pub fn principal_by_token(conn: &Connection, token_hash: &str) -> Result<Option<Principal>> {
    rows::one(
        conn,
        "SELECT p.* FROM api_tokens t JOIN principals p ON p.id = t.principal_id WHERE t.token_hash = ?",
        [token_hash],
        principal,
    )
}

pub fn create_council(tx: &Connection, c: &Council) -> Result<()> {
    // The column keeps the whole rule: the threshold, and the members it names.
    let threshold =
        serde_json::to_string(&c.rule()).map_err(|e| StoreError::Other(e.to_string()))?;
    rows::run(
        tx,
        "INSERT INTO councils (id, name, threshold, voting_window_hours, created_at, policy) VALUES (?, ?, ?, ?, ?, ?)",
        params![
            c.id,
            c.name,
            threshold,
            c.voting_window_hours.map(i64::from),
            c.created_at.timestamp_micros(),
            serde_json::to_string(&c.policy()).unwrap_or_default()
        ],
    )
    .map_err(|e| {
        naming(
            e,
            || format!("council {} already exists", c.id),
            || format!("council {}", c.id),
        )
    })?;
    for domain in &c.domains {
        rows::run(
            tx,
            "INSERT INTO council_domains (domain, council_id) VALUES (?, ?)",
            [domain, &c.id],
        )
        .map_err(|e| {
            naming(
                e,
                || format!("domain {domain} already has a council"),
                || format!("council {}", c.id),
            )
        })?;
    }
    for member in &c.members {
        rows::run(
            tx,
            "INSERT INTO council_members (council_id, user_id) VALUES (?, ?)",
            [&c.id, member],
        )
        .map_err(|e| match e.0 {
            StoreError::NotFound(_) => StoreError::NotFound(format!("principal {member}")).into(),
            _ => e,
        })?;
    }
    Ok(())
}

pub fn get_council(conn: &Connection, id: &str) -> Result<Council> {
    let council = rows::one(conn, "SELECT * FROM councils WHERE id = ?", [id], |row| {
        let rule = stored::rule(&row.get::<_, String>("threshold")?)?;
        let policy = stored::policy(&row.get::<_, String>("policy")?)?;
        Ok(Council {
            id: row.get("id")?,
            name: row.get("name")?,
            domains: Vec::new(),
            members: Vec::new(),
            threshold: rule.threshold,
            required: rule.required,
            veto: rule.veto,
            voting_window_hours: row
                .get::<_, Option<i64>>("voting_window_hours")?
                .map(|h| h as u32),
            remind_hours_before: policy.remind_hours_before,
            on_expiry: policy.on_expiry,
            created_at: from_micros(row.get("created_at")?),
        })
    })?
    .ok_or_else(|| StoreError::NotFound(format!("council {id}")))?;
    let domains = rows::all(
        conn,
        "SELECT domain FROM council_domains WHERE council_id = ? ORDER BY domain",
        [id],
        |row| Ok(row.get(0)?),
    )?;
    let members = rows::all(
        conn,
        "SELECT user_id FROM council_members WHERE council_id = ? ORDER BY user_id",
        [id],
        |row| Ok(row.get(0)?),
    )?;
    Ok(Council {
        domains,
        members,
        ..council
    })
}

pub fn list_councils(conn: &Connection) -> Result<Vec<Council>> {
    let ids: Vec<String> = rows::all(conn, "SELECT id FROM councils ORDER BY id", [], |row| {
        Ok(row.get(0)?)
    })?;
    ids.iter().map(|id| get_council(conn, id)).collect()
}

pub fn council_for_domain(conn: &Connection, domain: &str) -> Result<Option<String>> {
    rows::one(
        conn,
        "SELECT council_id FROM council_domains WHERE domain = ?",
        [domain],
        |row| Ok(row.get(0)?),
    )
}

pub fn revoke_tokens(tx: &Connection, principal_id: &str) -> Result<u64> {
    get_principal(tx, principal_id)?;
    let tokens = rows::run(
        tx,
        "DELETE FROM api_tokens WHERE principal_id = ?",
        [principal_id],
    )?;
    rows::run(
        tx,
        "DELETE FROM dashboard_sessions WHERE principal_id = ?",
        [principal_id],
    )?;
    Ok(tokens as u64)
}

fn delegation_row(row: &Row) -> Result<quorum_domain::Delegation> {
    Ok(quorum_domain::Delegation {
        principal_id: row.get("principal_id")?,
        delegate_id: row.get("delegate_id")?,
        starts_at: from_micros(row.get("starts_at")?),
        ends_at: from_micros(row.get("ends_at")?),
        created_at: from_micros(row.get("created_at")?),
    })
}

pub fn set_delegation(tx: &Connection, d: &quorum_domain::Delegation) -> Result<()> {
    rows::run(
        tx,
        "INSERT INTO delegations (principal_id, delegate_id, starts_at, ends_at, created_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (principal_id) DO UPDATE SET \
         delegate_id = excluded.delegate_id, starts_at = excluded.starts_at, \
         ends_at = excluded.ends_at, created_at = excluded.created_at",
        params![
            d.principal_id,
            d.delegate_id,
            d.starts_at.timestamp_micros(),
            d.ends_at.timestamp_micros(),
            d.created_at.timestamp_micros()
        ],
    )?;
    Ok(())
}

pub fn clear_delegation(tx: &Connection, principal_id: &str) -> Result<bool> {
    Ok(rows::run(
        tx,
        "DELETE FROM delegations WHERE principal_id = ?",
        [principal_id],
    )? > 0)
}

pub fn delegation(
    conn: &Connection,
    principal_id: &str,
) -> Result<Option<quorum_domain::Delegation>> {
    rows::one(
        conn,
        "SELECT * FROM delegations WHERE principal_id = ?",
        [principal_id],
        delegation_row,
    )
}

pub fn delegations_to(
    conn: &Connection,
    delegate_id: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<quorum_domain::Delegation>> {
    rows::all(
        conn,
        "SELECT * FROM delegations WHERE delegate_id = ?1 AND starts_at <= ?2 AND ends_at > ?2 \
         ORDER BY principal_id",
        params![delegate_id, at.timestamp_micros()],
        delegation_row,
    )
}
