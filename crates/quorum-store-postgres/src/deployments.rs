//! Deployed sites on PostgreSQL: content-addressed blobs, deployments and each site's live one.

use quorum_store::{
    Blob, Deployment, DeploymentFile, DeploymentSummary, DomainClaim, PRUNE_BATCH, Pruned,
    SITE_HISTORY, SiteRecord, SiteRollback, StoreError, StoreResult, plan,
};
use sqlx::PgConnection;
use sqlx::Row;
use sqlx::postgres::PgPool;
use sqlx::postgres::PgRow;

use crate::map_err;

pub async fn put_blobs(pool: &PgPool, blobs: &[Blob]) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    for blob in blobs {
        sqlx::query(
            "INSERT INTO blobs (hash, bytes, gzip, size) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&blob.hash)
        .bind(&blob.bytes)
        .bind(&blob.gzip)
        .bind(blob.bytes.len() as i64)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn blob(pool: &PgPool, hash: &str) -> StoreResult<Option<Blob>> {
    let row = sqlx::query("SELECT hash, bytes, gzip FROM blobs WHERE hash = $1")
        .bind(hash)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?;
    row.map(|row| {
        Ok(Blob {
            hash: row.try_get("hash").map_err(map_err)?,
            bytes: row.try_get("bytes").map_err(map_err)?,
            gzip: row.try_get("gzip").map_err(map_err)?,
        })
    })
    .transpose()
}

pub async fn deploy(pool: &PgPool, d: &Deployment) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let created = sqlx::query(
        "INSERT INTO deployments (id, site, workflow_id, site_name, contact_email, domain, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&d.id)
    .bind(&d.site)
    .bind(&d.workflow_id)
    .bind(&d.site_name)
    .bind(&d.contact_email)
    .bind(&d.domain)
    .bind(d.created_at)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    // A deployment is immutable once stored: running its deploy again only makes it live.
    if created.rows_affected() == 1 {
        let paths: Vec<&str> = d.files.iter().map(|f| f.path.as_str()).collect();
        let hashes: Vec<&str> = d.files.iter().map(|f| f.hash.as_str()).collect();
        let types: Vec<&str> = d.files.iter().map(|f| f.content_type.as_str()).collect();
        sqlx::query(
            "INSERT INTO deployment_files (deployment_id, path, hash, content_type) \
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[])",
        )
        .bind(&d.id)
        .bind(&paths)
        .bind(&hashes)
        .bind(&types)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    let domain = stored_domain(&mut tx, &d.id).await?;
    let holder = holder(&mut tx, domain.as_deref()).await?;
    plan::claim_domain(&d.site, domain.as_deref(), holder)?;
    // Creation refuses another agent's workflow for an owned slug, but two agents' first
    // workflows may both pass it: the first deploy claims the site, the other is refused.
    let switched = sqlx::query(
        "INSERT INTO sites (slug, deployment_id, updated_at, owner_agent, domain) \
         SELECT d.site, d.id, now(), w.created_by_agent, d.domain \
         FROM deployments d LEFT JOIN workflows w ON w.id = d.workflow_id WHERE d.id = $1 \
         ON CONFLICT (slug) DO UPDATE SET deployment_id = excluded.deployment_id, \
         updated_at = excluded.updated_at, domain = excluded.domain, \
         owner_agent = COALESCE(sites.owner_agent, excluded.owner_agent) \
         WHERE sites.owner_agent IS NULL \
            OR sites.owner_agent IS NOT DISTINCT FROM excluded.owner_agent",
    )
    .bind(&d.id)
    .execute(&mut *tx)
    .await
    .map_err(|e| claim_err(e, domain.as_deref()))?;
    if switched.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "the site {} belongs to another agent",
            d.site
        )));
    }
    tx.commit().await.map_err(map_err)
}

/// The domain a stored deployment claims: its own row's, which a deploy run again keeps.
async fn stored_domain(tx: &mut PgConnection, deployment: &str) -> StoreResult<Option<String>> {
    sqlx::query_scalar("SELECT domain FROM deployments WHERE id = $1")
        .bind(deployment)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)
        .map(Option::flatten)
}

/// The site holding `domain` as this transaction sees it. A claim another transaction has
/// not committed is not seen: the unique index stops the later of the two (see `claim_err`).
async fn holder(tx: &mut PgConnection, domain: Option<&str>) -> StoreResult<Option<DomainClaim>> {
    match domain {
        Some(domain) => claim_row(&mut *tx, domain).await,
        None => Ok(None),
    }
}

/// A write's error, where losing a race for `domain` reads as such.
fn claim_err(e: sqlx::Error, domain: Option<&str>) -> StoreError {
    match (&e, domain) {
        (sqlx::Error::Database(db), Some(domain))
            if db.is_unique_violation() && db.constraint() == Some(plan::DOMAIN_INDEX) =>
        {
            plan::domain_race_lost(domain)
        }
        _ => map_err(e),
    }
}

async fn claim_row<'c, E: sqlx::PgExecutor<'c>>(
    executor: E,
    domain: &str,
) -> StoreResult<Option<DomainClaim>> {
    let row = sqlx::query("SELECT domain, slug, owner_agent FROM sites WHERE domain = $1")
        .bind(domain)
        .fetch_optional(executor)
        .await
        .map_err(map_err)?;
    row.map(|row| {
        Ok(DomainClaim {
            domain: row.try_get("domain").map_err(map_err)?,
            slug: row.try_get("slug").map_err(map_err)?,
            owner_agent: row.try_get("owner_agent").map_err(map_err)?,
        })
    })
    .transpose()
}

pub async fn domain_claim(pool: &PgPool, domain: &str) -> StoreResult<Option<DomainClaim>> {
    claim_row(pool, domain).await
}

pub async fn preview_files(pool: &PgPool, workflow_id: &str) -> StoreResult<Vec<DeploymentFile>> {
    sqlx::query(
        "SELECT path, hash, content_type FROM preview_files WHERE workflow_id = $1 \
         ORDER BY path COLLATE \"C\"",
    )
    .bind(workflow_id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|row| {
        Ok(DeploymentFile {
            path: row.try_get("path").map_err(map_err)?,
            hash: row.try_get("hash").map_err(map_err)?,
            content_type: row.try_get("content_type").map_err(map_err)?,
        })
    })
    .collect()
}

pub async fn live(pool: &PgPool, site: &str) -> StoreResult<Option<Deployment>> {
    let Some(row) = sqlx::query(
        "SELECT d.id, d.site, d.workflow_id, d.site_name, d.contact_email, d.domain, d.created_at \
         FROM sites s JOIN deployments d ON d.id = s.deployment_id WHERE s.slug = $1",
    )
    .bind(site)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    else {
        return Ok(None);
    };
    let id: String = row.try_get("id").map_err(map_err)?;
    let files = sqlx::query(
        "SELECT path, hash, content_type FROM deployment_files WHERE deployment_id = $1 \
         ORDER BY path COLLATE \"C\"",
    )
    .bind(&id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|row| {
        Ok(DeploymentFile {
            path: row.try_get("path").map_err(map_err)?,
            hash: row.try_get("hash").map_err(map_err)?,
            content_type: row.try_get("content_type").map_err(map_err)?,
        })
    })
    .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(Deployment {
        id,
        site: row.try_get("site").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        site_name: row.try_get("site_name").map_err(map_err)?,
        contact_email: row.try_get("contact_email").map_err(map_err)?,
        domain: row.try_get("domain").map_err(map_err)?,
        created_at: row.try_get("created_at").map_err(map_err)?,
        files,
    }))
}

fn summary(row: &PgRow) -> StoreResult<DeploymentSummary> {
    Ok(DeploymentSummary {
        id: row.try_get("id").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        site_name: row.try_get("site_name").map_err(map_err)?,
        created_at: row.try_get("created_at").map_err(map_err)?,
    })
}

fn site_row(row: &PgRow) -> StoreResult<SiteRecord> {
    Ok(SiteRecord {
        slug: row.try_get("slug").map_err(map_err)?,
        owner_agent: row.try_get("owner_agent").map_err(map_err)?,
        domain: row.try_get("domain").map_err(map_err)?,
        live: summary(row)?,
        updated_at: row.try_get("updated_at").map_err(map_err)?,
        history: Vec::new(),
        rollbacks: Vec::new(),
    })
}

/// Its columns and tables: a macro, so each query is one literal.
macro_rules! site_select {
    ($rest:literal) => {
        concat!(
            "SELECT s.slug, s.owner_agent, s.domain, s.updated_at, d.id, d.workflow_id, \
             d.site_name, d.created_at FROM sites s JOIN deployments d ON d.id = s.deployment_id ",
            $rest
        )
    };
}

pub async fn site(pool: &PgPool, slug: &str) -> StoreResult<Option<SiteRecord>> {
    let Some(row) = sqlx::query(site_select!("WHERE s.slug = $1"))
        .bind(slug)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let mut site = site_row(&row)?;
    site.history = sqlx::query(
        "SELECT id, workflow_id, site_name, created_at FROM deployments WHERE site = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(slug)
    .bind(SITE_HISTORY)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(summary)
    .collect::<StoreResult<_>>()?;
    site.rollbacks = sqlx::query(
        "SELECT slug, from_deployment, to_deployment, actor, reason, at FROM site_rollbacks \
         WHERE slug = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(slug)
    .bind(SITE_HISTORY)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|row| {
        Ok(SiteRollback {
            slug: row.try_get("slug").map_err(map_err)?,
            from_deployment: row.try_get("from_deployment").map_err(map_err)?,
            to_deployment: row.try_get("to_deployment").map_err(map_err)?,
            actor: row.try_get("actor").map_err(map_err)?,
            reason: row.try_get("reason").map_err(map_err)?,
            at: row.try_get("at").map_err(map_err)?,
        })
    })
    .collect::<StoreResult<_>>()?;
    Ok(Some(site))
}

pub async fn sites(pool: &PgPool, after: Option<&str>, limit: i64) -> StoreResult<Vec<SiteRecord>> {
    sqlx::query(site_select!(
        "WHERE s.slug COLLATE \"C\" > $1 ORDER BY s.slug COLLATE \"C\" LIMIT $2"
    ))
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(site_row)
    .collect()
}

pub async fn rollback(pool: &PgPool, r: &SiteRollback) -> StoreResult<String> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // Locked, so that a deploy or another rollback waits and the audit names what was live.
    let from: Option<String> =
        sqlx::query_scalar("SELECT deployment_id FROM sites WHERE slug = $1 FOR UPDATE")
            .bind(&r.slug)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
    let Some(from) = from else {
        return Err(StoreError::NotFound(format!("site {}", r.slug)));
    };
    let ours: Option<String> =
        sqlx::query_scalar("SELECT id FROM deployments WHERE id = $1 AND site = $2")
            .bind(&r.to_deployment)
            .bind(&r.slug)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
    if ours.is_none() {
        return Err(StoreError::NotFound(format!(
            "deployment {} of site {}",
            r.to_deployment, r.slug
        )));
    }
    if from == r.to_deployment {
        return Err(StoreError::Conflict(format!(
            "{} is already the live deployment of {}",
            r.to_deployment, r.slug
        )));
    }
    let domain = stored_domain(&mut tx, &r.to_deployment).await?;
    let holder = holder(&mut tx, domain.as_deref()).await?;
    plan::claim_domain(&r.slug, domain.as_deref(), holder)?;
    sqlx::query(
        "UPDATE sites SET deployment_id = $1, domain = $2, updated_at = $3 WHERE slug = $4",
    )
    .bind(&r.to_deployment)
    .bind(&domain)
    .bind(r.at)
    .bind(&r.slug)
    .execute(&mut *tx)
    .await
    .map_err(|e| claim_err(e, domain.as_deref()))?;
    sqlx::query(
        "INSERT INTO site_rollbacks (slug, from_deployment, to_deployment, actor, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&r.slug)
    .bind(&from)
    .bind(&r.to_deployment)
    .bind(&r.actor)
    .bind(&r.reason)
    .bind(r.at)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(from)
}

pub async fn prune(pool: &PgPool, site: &str, keep: i64) -> StoreResult<Pruned> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // Locked, so that a rollback cannot make live a deployment being removed.
    sqlx::query("SELECT 1 FROM sites WHERE slug = $1 FOR UPDATE")
        .bind(site)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let doomed: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM deployments WHERE site = $1 \
         AND id NOT IN (SELECT deployment_id FROM sites WHERE slug = $1) \
         AND id NOT IN (SELECT id FROM deployments WHERE site = $1 \
                        ORDER BY created_at DESC, id DESC LIMIT $2) \
         ORDER BY created_at, id LIMIT $3",
    )
    .bind(site)
    .bind(keep.max(0))
    .bind(PRUNE_BATCH)
    .fetch_all(&mut *tx)
    .await
    .map_err(map_err)?;
    let hashes: Vec<String> = sqlx::query_scalar(
        "DELETE FROM deployment_files WHERE deployment_id = ANY($1) RETURNING hash",
    )
    .bind(&doomed)
    .fetch_all(&mut *tx)
    .await
    .map_err(map_err)?;
    let deployments = sqlx::query("DELETE FROM deployments WHERE id = ANY($1)")
        .bind(&doomed)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
    let blobs = sqlx::query(
        "DELETE FROM blobs b WHERE b.hash = ANY($1) \
         AND NOT EXISTS (SELECT 1 FROM deployment_files f WHERE f.hash = b.hash) \
         AND NOT EXISTS (SELECT 1 FROM upload_renditions r WHERE r.hash = b.hash) \
         AND NOT EXISTS (SELECT 1 FROM preview_files p WHERE p.hash = b.hash)",
    )
    .bind(&hashes)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?
    .rows_affected();
    tx.commit().await.map_err(map_err)?;
    Ok(Pruned { deployments, blobs })
}
