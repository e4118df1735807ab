//! The slow-changing records on PostgreSQL: workflow types, principals and tokens, councils.

use quorum_domain::{Council, Principal};
use quorum_store::*;
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};

use crate::map_err;

fn type_record(row: &PgRow) -> StoreResult<TypeRecord> {
    Ok(TypeRecord {
        id: row.try_get("id").map_err(map_err)?,
        version: row.try_get("version").map_err(map_err)?,
        definition: row.try_get("definition").map_err(map_err)?,
        executable: row.try_get("executable").map_err(map_err)?,
        registered_at: row.try_get("registered_at").map_err(map_err)?,
    })
}

pub async fn register_type(pool: &PgPool, new: NewTypeVersion) -> StoreResult<TypeRecord> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let latest = sqlx::query(
        "SELECT * FROM workflow_types WHERE id = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE",
    )
    .bind(&new.id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?;
    let latest = latest.as_ref().map(type_record).transpose()?;
    let record = match plan::register_type(latest, new) {
        plan::Registration::Unchanged(latest) => return Ok(latest),
        plan::Registration::Next(record) => record,
    };
    sqlx::query("INSERT INTO workflow_types (id, version, definition, executable, registered_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&record.id)
        .bind(record.version)
        .bind(&record.definition)
        .bind(record.executable)
        .bind(record.registered_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(record)
}

pub async fn get_type(pool: &PgPool, id: &str, version: Option<i64>) -> StoreResult<TypeRecord> {
    let row = sqlx::query("SELECT * FROM workflow_types WHERE id = $1 AND ($2::BIGINT IS NULL OR version = $3) ORDER BY version DESC LIMIT 1")
        .bind(id)
        .bind(version)
        .bind(version)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("workflow type {id}")))?;
    type_record(&row)
}

pub async fn list_types(pool: &PgPool) -> StoreResult<Vec<TypeRecord>> {
    let found = sqlx::query(
        "SELECT t.* FROM workflow_types t WHERE t.version = (SELECT MAX(version) FROM workflow_types WHERE id = t.id) ORDER BY t.id",
    )
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    found.iter().map(type_record).collect()
}

fn principal(row: &PgRow) -> StoreResult<Principal> {
    let kind: String = row.try_get("kind").map_err(map_err)?;
    let roles: String = row.try_get("roles").map_err(map_err)?;
    Ok(Principal {
        id: row.try_get("id").map_err(map_err)?,
        kind: stored::principal_kind(&kind)?,
        name: row.try_get("name").map_err(map_err)?,
        roles: stored::roles(&roles),
        created_at: row.try_get("created_at").map_err(map_err)?,
    })
}

pub async fn create_principal(
    pool: &PgPool,
    p: &Principal,
    token_hash: Option<&str>,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    sqlx::query(
        "INSERT INTO principals (id, kind, name, roles, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&p.id)
    .bind(p.kind.as_str())
    .bind(&p.name)
    .bind(stored::roles_text(&p.roles))
    .bind(p.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| match map_err(e) {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("principal {} already exists", p.id))
        }
        other => other,
    })?;
    if let Some(hash) = token_hash {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, principal_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(&p.id)
        .bind(p.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn add_token(pool: &PgPool, principal_id: &str, token_hash: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, principal_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(principal_id)
    .bind(quorum_domain::time::now())
    .execute(pool)
    .await
    .map_err(|e| match map_err(e) {
        StoreError::NotFound(_) => StoreError::NotFound(format!("principal {principal_id}")),
        other => other,
    })?;
    Ok(())
}

pub async fn get_principal(pool: &PgPool, id: &str) -> StoreResult<Principal> {
    let row = sqlx::query("SELECT * FROM principals WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("principal {id}")))?;
    principal(&row)
}

pub async fn principal_by_token(pool: &PgPool, token_hash: &str) -> StoreResult<Option<Principal>> {
    let row = sqlx::query("SELECT p.* FROM api_tokens t JOIN principals p ON p.id = t.principal_id WHERE t.token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?;
    row.as_ref().map(principal).transpose()
}

pub async fn create_council(pool: &PgPool, c: &Council) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // The column keeps the whole rule: the threshold, and the members it names.
    let threshold =
        serde_json::to_string(&c.rule()).map_err(|e| StoreError::Other(e.to_string()))?;
    sqlx::query("INSERT INTO councils (id, name, threshold, voting_window_hours, created_at, policy) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&c.id)
        .bind(&c.name)
        .bind(threshold)
        .bind(c.voting_window_hours.map(i64::from))
        .bind(c.created_at)
        .bind(serde_json::to_string(&c.policy()).unwrap_or_default())
        .execute(&mut *tx)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("council {} already exists", c.id)),
            other => other,
        })?;
    for domain in &c.domains {
        sqlx::query("INSERT INTO council_domains (domain, council_id) VALUES ($1, $2)")
            .bind(domain)
            .bind(&c.id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("domain {domain} already has a council"))
                }
                other => other,
            })?;
    }
    for member in &c.members {
        sqlx::query("INSERT INTO council_members (council_id, user_id) VALUES ($1, $2)")
            .bind(&c.id)
            .bind(member)
            .execute(&mut *tx)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::NotFound(_) => StoreError::NotFound(format!("principal {member}")),
                other => other,
            })?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn get_council(pool: &PgPool, id: &str) -> StoreResult<Council> {
    let row = sqlx::query("SELECT * FROM councils WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("council {id}")))?;
    let domains = sqlx::query_scalar(
        "SELECT domain FROM council_domains WHERE council_id = $1 ORDER BY domain",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let members = sqlx::query_scalar(
        "SELECT user_id FROM council_members WHERE council_id = $1 ORDER BY user_id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let rule = stored::rule(&row.try_get::<String, _>("threshold").map_err(map_err)?)?;
    let policy = stored::policy(&row.try_get::<String, _>("policy").map_err(map_err)?)?;
    Ok(Council {
        id: row.try_get("id").map_err(map_err)?,
        name: row.try_get("name").map_err(map_err)?,
        domains,
        members,
        threshold: rule.threshold,
        required: rule.required,
        veto: rule.veto,
        voting_window_hours: row
            .try_get::<Option<i64>, _>("voting_window_hours")
            .map_err(map_err)?
            .map(|h| h as u32),
        remind_hours_before: policy.remind_hours_before,
        on_expiry: policy.on_expiry,
        created_at: row.try_get("created_at").map_err(map_err)?,
    })
}

pub async fn list_councils(pool: &PgPool) -> StoreResult<Vec<Council>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM councils ORDER BY id")
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    let mut councils = Vec::with_capacity(ids.len());
    for id in ids {
        councils.push(get_council(pool, &id).await?);
    }
    Ok(councils)
}

pub async fn council_for_domain(pool: &PgPool, domain: &str) -> StoreResult<Option<String>> {
    sqlx::query_scalar("SELECT council_id FROM council_domains WHERE domain = $1")
        .bind(domain)
        .fetch_optional(pool)
        .await
        .map_err(map_err)
}

pub async fn revoke_tokens(pool: &PgPool, principal_id: &str) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // The principal's row is locked, so a token added concurrently waits and then lands after
    // the revocation, never half-way through it.
    sqlx::query("SELECT id FROM principals WHERE id = $1 FOR UPDATE")
        .bind(principal_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("principal {principal_id}")))?;
    let tokens = sqlx::query("DELETE FROM api_tokens WHERE principal_id = $1")
        .bind(principal_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
    sqlx::query("DELETE FROM dashboard_sessions WHERE principal_id = $1")
        .bind(principal_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(tokens)
}

fn delegation_row(row: &PgRow) -> StoreResult<quorum_domain::Delegation> {
    Ok(quorum_domain::Delegation {
        principal_id: row.try_get("principal_id").map_err(map_err)?,
        delegate_id: row.try_get("delegate_id").map_err(map_err)?,
        starts_at: row.try_get("starts_at").map_err(map_err)?,
        ends_at: row.try_get("ends_at").map_err(map_err)?,
        created_at: row.try_get("created_at").map_err(map_err)?,
    })
}

pub async fn set_delegation(pool: &PgPool, d: &quorum_domain::Delegation) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO delegations (principal_id, delegate_id, starts_at, ends_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (principal_id) DO UPDATE SET \
         delegate_id = excluded.delegate_id, starts_at = excluded.starts_at, \
         ends_at = excluded.ends_at, created_at = excluded.created_at",
    )
    .bind(&d.principal_id)
    .bind(&d.delegate_id)
    .bind(d.starts_at)
    .bind(d.ends_at)
    .bind(d.created_at)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn clear_delegation(pool: &PgPool, principal_id: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM delegations WHERE principal_id = $1")
        .bind(principal_id)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected() > 0)
}

pub async fn delegation(
    pool: &PgPool,
    principal_id: &str,
) -> StoreResult<Option<quorum_domain::Delegation>> {
    sqlx::query("SELECT * FROM delegations WHERE principal_id = $1")
        .bind(principal_id)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
        .as_ref()
        .map(delegation_row)
        .transpose()
}

pub async fn delegations_to(
    pool: &PgPool,
    delegate_id: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Vec<quorum_domain::Delegation>> {
    sqlx::query(
        "SELECT * FROM delegations WHERE delegate_id = $1 AND starts_at <= $2 AND ends_at > $2 \
         ORDER BY principal_id COLLATE \"C\"",
    )
    .bind(delegate_id)
    .bind(at)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(delegation_row)
    .collect()
}
