//! Uploaded images on PostgreSQL: an upload's row, its renditions' rows, and their blobs.

use quorum_store::stored::size;
use quorum_store::{Blob, Rendition, StoreResult, Upload};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

pub async fn add(pool: &PgPool, upload: &Upload, blobs: &[Blob]) -> StoreResult<()> {
    upload.check_blobs(blobs)?;
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
    sqlx::query(
        "INSERT INTO uploads (id, owner, created_at, content_type, width, height, bytes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&upload.id)
    .bind(&upload.owner)
    .bind(upload.created_at)
    .bind(&upload.content_type)
    .bind(i64::from(upload.width))
    .bind(i64::from(upload.height))
    .bind(upload.bytes as i64)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let widths: Vec<i64> = upload.renditions.iter().map(|r| r.width.into()).collect();
    let heights: Vec<i64> = upload.renditions.iter().map(|r| r.height.into()).collect();
    let types: Vec<&str> = upload
        .renditions
        .iter()
        .map(|r| r.content_type.as_str())
        .collect();
    let hashes: Vec<&str> = upload.renditions.iter().map(|r| r.hash.as_str()).collect();
    sqlx::query(
        "INSERT INTO upload_renditions (upload_id, width, height, content_type, hash) \
         SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $5::text[])",
    )
    .bind(&upload.id)
    .bind(&widths)
    .bind(&heights)
    .bind(&types)
    .bind(&hashes)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub async fn by_ids(pool: &PgPool, ids: &[String]) -> StoreResult<Vec<Upload>> {
    let rows = sqlx::query(
        "SELECT id, owner, created_at, content_type, width, height, bytes FROM uploads \
         WHERE id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let mut uploads = rows
        .iter()
        .map(|row| {
            let number = |column: &str| row.try_get::<i64, _>(column).map_err(map_err);
            Ok(Upload {
                id: row.try_get("id").map_err(map_err)?,
                owner: row.try_get("owner").map_err(map_err)?,
                created_at: row.try_get("created_at").map_err(map_err)?,
                content_type: row.try_get("content_type").map_err(map_err)?,
                width: size("upload width", number("width")?)?,
                height: size("upload height", number("height")?)?,
                bytes: size("upload length", number("bytes")?)?,
                renditions: Vec::new(),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let renditions = sqlx::query(
        "SELECT r.upload_id, r.width, r.height, r.content_type, r.hash, b.size \
         FROM upload_renditions r JOIN blobs b ON b.hash = r.hash \
         WHERE r.upload_id = ANY($1) ORDER BY r.upload_id, r.width",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    for row in &renditions {
        let upload_id: String = row.try_get("upload_id").map_err(map_err)?;
        let number = |column: &str| row.try_get::<i64, _>(column).map_err(map_err);
        let rendition = Rendition {
            width: size("rendition width", number("width")?)?,
            height: size("rendition height", number("height")?)?,
            content_type: row.try_get("content_type").map_err(map_err)?,
            hash: row.try_get("hash").map_err(map_err)?,
            bytes: size("rendition length", number("size")?)?,
        };
        if let Some(upload) = uploads.iter_mut().find(|u| u.id == upload_id) {
            upload.renditions.push(rendition);
        }
    }
    // In the order the caller named them, each once.
    let mut ordered = Vec::with_capacity(uploads.len());
    for id in ids {
        if let Some(at) = uploads.iter().position(|u| &u.id == id) {
            ordered.push(uploads.swap_remove(at));
        }
    }
    Ok(ordered)
}
