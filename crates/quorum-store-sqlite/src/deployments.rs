//! Deployed sites on SQLite: content-addressed blobs, deployments and each site's live one.

use quorum_domain::time::from_micros;
use quorum_store::{Blob, Deployment, DeploymentFile};
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
        "INSERT INTO deployments (id, site, workflow_id, site_name, contact_email, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        params![
            d.id,
            d.site,
            d.workflow_id,
            d.site_name,
            d.contact_email,
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
    rows::run(
        tx,
        "INSERT INTO sites (slug, deployment_id, updated_at) \
         SELECT site, id, ? FROM deployments WHERE id = ? \
         ON CONFLICT (slug) DO UPDATE SET deployment_id = excluded.deployment_id, \
         updated_at = excluded.updated_at",
        params![quorum_domain::time::now().timestamp_micros(), d.id],
    )?;
    Ok(())
}

pub fn live(conn: &Connection, site: &str) -> Result<Option<Deployment>> {
    let Some(mut deployment) = rows::one(
        conn,
        "SELECT d.id, d.site, d.workflow_id, d.site_name, d.contact_email, d.created_at \
         FROM sites s JOIN deployments d ON d.id = s.deployment_id WHERE s.slug = ?",
        params![site],
        |row| {
            Ok(Deployment {
                id: row.get("id")?,
                site: row.get("site")?,
                workflow_id: row.get("workflow_id")?,
                site_name: row.get("site_name")?,
                contact_email: row.get("contact_email")?,
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
