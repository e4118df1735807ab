//! Deployed sites on SQLite: content-addressed blobs, deployments and each site's live one.

use quorum_domain::time::from_micros;
use quorum_store::{
    Blob, Deployment, DeploymentFile, DeploymentSummary, DomainClaim, PRUNE_BATCH, Pruned,
    SITE_HISTORY, SiteRecord, SiteRollback, StoreError, plan,
};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

pub fn put_blobs(tx: &Connection, blobs: &[Blob]) -> Result<()> {
    for blob in blobs {
        rows::run(
            tx,
            "INSERT INTO blobs (hash, bytes, gzip, size) VALUES (?, ?, ?, ?) \
             ON CONFLICT (hash) DO NOTHING",
            params![blob.hash, blob.bytes, blob.gzip, blob.bytes.len() as i64],
        )?;
    }
    Ok(())
}

pub fn blob(conn: &Connection, hash: &str) -> Result<Option<Blob>> {
    rows::one(
        conn,
        "SELECT hash, bytes, gzip FROM blobs WHERE hash = ?",
        params![hash],
        |row| {
            Ok(Blob {
                hash: row.get("hash")?,
                bytes: row.get("bytes")?,
                gzip: row.get("gzip")?,
            })
        },
    )
}

pub fn deploy(tx: &Connection, d: &Deployment) -> Result<()> {
    let created = rows::run(
        tx,
        "INSERT INTO deployments (id, site, workflow_id, site_name, contact_email, domain, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        params![
            d.id,
            d.site,
            d.workflow_id,
            d.site_name,
            d.contact_email,
            d.domain,
            d.created_at.timestamp_micros()
        ],
    )?;
    // A deployment is immutable once stored: running its deploy again only makes it live.
    if created == 1 {
        for file in &d.files {
            rows::run(
                tx,
                "INSERT INTO deployment_files (deployment_id, path, hash, content_type) \
                 VALUES (?, ?, ?, ?)",
                params![d.id, file.path, file.hash, file.content_type],
            )?;
        }
    }
    // The one writer runs this transaction alone: what it reads of the domain is current.
    let domain = stored_domain(tx, &d.id)?;
    plan::claim_domain(&d.site, domain.as_deref(), holder(tx, domain.as_deref())?)?;
    // Creation refuses another agent's workflow for an owned slug, but two agents' first
    // workflows may both pass it: the first deploy claims the site, the other is refused.
    let switched = rows::run(
        tx,
        "INSERT INTO sites (slug, deployment_id, updated_at, owner_agent, domain) \
         SELECT d.site, d.id, ?, w.created_by_agent, d.domain \
         FROM deployments d LEFT JOIN workflows w ON w.id = d.workflow_id WHERE d.id = ? \
         ON CONFLICT (slug) DO UPDATE SET deployment_id = excluded.deployment_id, \
         updated_at = excluded.updated_at, domain = excluded.domain, \
         owner_agent = COALESCE(sites.owner_agent, excluded.owner_agent) \
         WHERE sites.owner_agent IS NULL OR sites.owner_agent IS excluded.owner_agent",
        params![quorum_domain::time::now().timestamp_micros(), d.id],
    )?;
    if switched == 0 {
        return Err(
            StoreError::Conflict(format!("the site {} belongs to another agent", d.site)).into(),
        );
    }
    Ok(())
}

/// The domain a stored deployment claims: its own row's, which a deploy run again keeps.
fn stored_domain(tx: &Connection, deployment: &str) -> Result<Option<String>> {
    Ok(rows::one(
        tx,
        "SELECT domain FROM deployments WHERE id = ?",
        params![deployment],
        |row| Ok(row.get::<_, Option<String>>(0)?),
    )?
    .flatten())
}

/// The site holding `domain` now.
fn holder(conn: &Connection, domain: Option<&str>) -> Result<Option<DomainClaim>> {
    match domain {
        Some(domain) => domain_claim(conn, domain),
        None => Ok(None),
    }
}

pub fn domain_claim(conn: &Connection, domain: &str) -> Result<Option<DomainClaim>> {
    rows::one(
        conn,
        "SELECT domain, slug, owner_agent FROM sites WHERE domain = ?",
        params![domain],
        |row| {
            Ok(DomainClaim {
                domain: row.get("domain")?,
                slug: row.get("slug")?,
                owner_agent: row.get("owner_agent")?,
            })
        },
    )
}

pub fn preview_files(conn: &Connection, workflow_id: &str) -> Result<Vec<DeploymentFile>> {
    rows::all(
        conn,
        "SELECT path, hash, content_type FROM preview_files WHERE workflow_id = ? ORDER BY path",
        params![workflow_id],
        |row| {
            Ok(DeploymentFile {
                path: row.get("path")?,
                hash: row.get("hash")?,
                content_type: row.get("content_type")?,
            })
        },
    )
}

pub fn live(conn: &Connection, site: &str) -> Result<Option<Deployment>> {
    let Some(mut deployment) = rows::one(
        conn,
        "SELECT d.id, d.site, d.workflow_id, d.site_name, d.contact_email, d.domain, d.created_at \
         FROM sites s JOIN deployments d ON d.id = s.deployment_id WHERE s.slug = ?",
        params![site],
        |row| {
            Ok(Deployment {
                id: row.get("id")?,
                site: row.get("site")?,
                workflow_id: row.get("workflow_id")?,
                site_name: row.get("site_name")?,
                contact_email: row.get("contact_email")?,
                domain: row.get("domain")?,
                created_at: from_micros(row.get("created_at")?),
                files: Vec::new(),
            })
        },
    )?
    else {
        return Ok(None);
    };
    deployment.files = rows::all(
        conn,
        "SELECT path, hash, content_type FROM deployment_files WHERE deployment_id = ? ORDER BY path",
        params![deployment.id],
        |row| {
            Ok(DeploymentFile {
                path: row.get("path")?,
                hash: row.get("hash")?,
                content_type: row.get("content_type")?,
            })
        },
    )?;
    Ok(Some(deployment))
}

fn summary(row: &rusqlite::Row<'_>) -> Result<DeploymentSummary> {
    Ok(DeploymentSummary {
        id: row.get("id")?,
        workflow_id: row.get("workflow_id")?,
        site_name: row.get("site_name")?,
        created_at: from_micros(row.get("created_at")?),
    })
}

fn site_row(row: &rusqlite::Row<'_>) -> Result<SiteRecord> {
    Ok(SiteRecord {
        slug: row.get("slug")?,
        owner_agent: row.get("owner_agent")?,
        domain: row.get("domain")?,
        live: summary(row)?,
        updated_at: from_micros(row.get("updated_at")?),
        history: Vec::new(),
        rollbacks: Vec::new(),
    })
}

const SITE_COLUMNS: &str = "s.slug, s.owner_agent, s.domain, s.updated_at, d.id, \
     d.workflow_id, d.site_name, d.created_at FROM sites s JOIN deployments d ON d.id = s.deployment_id";

pub fn site(conn: &Connection, slug: &str) -> Result<Option<SiteRecord>> {
    let sql = format!("SELECT {SITE_COLUMNS} WHERE s.slug = ?");
    let Some(mut site) = rows::one(conn, &sql, params![slug], site_row)? else {
        return Ok(None);
    };
    site.history = rows::all(
        conn,
        "SELECT id, workflow_id, site_name, created_at FROM deployments WHERE site = ? \
         ORDER BY created_at DESC, id DESC LIMIT ?",
        params![slug, SITE_HISTORY],
        summary,
    )?;
    site.rollbacks = rows::all(
        conn,
        "SELECT slug, from_deployment, to_deployment, actor, reason, at FROM site_rollbacks \
         WHERE slug = ? ORDER BY id DESC LIMIT ?",
        params![slug, SITE_HISTORY],
        |row| {
            Ok(SiteRollback {
                slug: row.get("slug")?,
                from_deployment: row.get("from_deployment")?,
                to_deployment: row.get("to_deployment")?,
                actor: row.get("actor")?,
                reason: row.get("reason")?,
                at: from_micros(row.get("at")?),
            })
        },
    )?;
    Ok(Some(site))
}

pub fn sites(conn: &Connection, after: Option<&str>, limit: i64) -> Result<Vec<SiteRecord>> {
    let sql = format!("SELECT {SITE_COLUMNS} WHERE s.slug > ? ORDER BY s.slug LIMIT ?");
    rows::all(conn, &sql, params![after.unwrap_or(""), limit], site_row)
}

pub fn rollback(tx: &Connection, r: &SiteRollback) -> Result<String> {
    let from: Option<String> = rows::one(
        tx,
        "SELECT deployment_id FROM sites WHERE slug = ?",
        params![r.slug],
        |row| Ok(row.get(0)?),
    )?;
    let Some(from) = from else {
        return Err(StoreError::NotFound(format!("site {}", r.slug)).into());
    };
    let ours = rows::one(
        tx,
        "SELECT id FROM deployments WHERE id = ? AND site = ?",
        params![r.to_deployment, r.slug],
        |row| Ok(row.get::<_, String>(0)?),
    )?;
    if ours.is_none() {
        return Err(StoreError::NotFound(format!(
            "deployment {} of site {}",
            r.to_deployment, r.slug
        ))
        .into());
    }
    if from == r.to_deployment {
        return Err(StoreError::Conflict(format!(
            "{} is already the live deployment of {}",
            r.to_deployment, r.slug
        ))
        .into());
    }
    let domain = stored_domain(tx, &r.to_deployment)?;
    plan::claim_domain(&r.slug, domain.as_deref(), holder(tx, domain.as_deref())?)?;
    rows::run(
        tx,
        "UPDATE sites SET deployment_id = ?, domain = ?, updated_at = ? \
         WHERE slug = ? AND deployment_id = ?",
        params![
            r.to_deployment,
            domain,
            r.at.timestamp_micros(),
            r.slug,
            from
        ],
    )?;
    rows::run(
        tx,
        "INSERT INTO site_rollbacks (slug, from_deployment, to_deployment, actor, reason, at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        params![
            r.slug,
            from,
            r.to_deployment,
            r.actor,
            r.reason,
            r.at.timestamp_micros()
        ],
    )?;
    Ok(from)
}

pub fn prune(tx: &Connection, site: &str, keep: i64) -> Result<Pruned> {
    let doomed: Vec<String> = rows::all(
        tx,
        "SELECT id FROM deployments WHERE site = ?1 \
         AND id NOT IN (SELECT deployment_id FROM sites WHERE slug = ?1) \
         AND id NOT IN (SELECT id FROM deployments WHERE site = ?1 \
                        ORDER BY created_at DESC, id DESC LIMIT ?2) \
         ORDER BY created_at, id LIMIT ?3",
        params![site, keep.max(0), PRUNE_BATCH],
        |row| Ok(row.get(0)?),
    )?;
    let mut pruned = Pruned::default();
    let mut hashes = std::collections::BTreeSet::new();
    for id in &doomed {
        hashes.extend(rows::all(
            tx,
            "DELETE FROM deployment_files WHERE deployment_id = ? RETURNING hash",
            params![id],
            |row| Ok(row.get::<_, String>(0)?),
        )?);
        pruned.deployments +=
            rows::run(tx, "DELETE FROM deployments WHERE id = ?", params![id])? as u64;
    }
    for hash in &hashes {
        pruned.blobs += rows::run(
            tx,
            "DELETE FROM blobs WHERE hash = ?1 \
             AND NOT EXISTS (SELECT 1 FROM deployment_files WHERE hash = ?1) \
             AND NOT EXISTS (SELECT 1 FROM upload_renditions WHERE hash = ?1) \
             AND NOT EXISTS (SELECT 1 FROM preview_files WHERE hash = ?1)",
            params![hash],
        )? as u64;
    }
    Ok(pruned)
}
