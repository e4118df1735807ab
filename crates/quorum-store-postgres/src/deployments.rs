//! Deployed sites on PostgreSQL: content-addressed blobs, deployments and each site's live one.

use quorum_store::{Blob, Deployment, DeploymentFile, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

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
        "INSERT INTO deployments (id, site, workflow_id, site_name, contact_email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&d.id)
    .bind(&d.site)
    .bind(&d.workflow_id)
    .bind(&d.site_name)
    .bind(&d.contact_email)
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
    sqlx::query(
        "INSERT INTO sites (slug, deployment_id, updated_at) \
         SELECT site, id, now() FROM deployments WHERE id = $1 \
         ON CONFLICT (slug) DO UPDATE SET deployment_id = excluded.deployment_id, \
         updated_at = excluded.updated_at",
    )
    .bind(&d.id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub async fn live(pool: &PgPool, site: &str) -> StoreResult<Option<Deployment>> {
    let Some(row) = sqlx::query(
        "SELECT d.id, d.site, d.workflow_id, d.site_name, d.contact_email, d.created_at \
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
        created_at: row.try_get("created_at").map_err(map_err)?,
        files,
    }))
}
