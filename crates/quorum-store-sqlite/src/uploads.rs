//! Uploaded images on SQLite: an upload's row, its renditions' rows, and their blobs.

use quorum_domain::time::from_micros;
use quorum_store::stored::size;
use quorum_store::{Blob, Rendition, Upload};
use rusqlite::{Connection, params};

use crate::{Result, deployments, rows};

pub fn add(tx: &Connection, upload: &Upload, blobs: &[Blob]) -> Result<()> {
    upload.check_blobs(blobs)?;
    deployments::put_blobs(tx, blobs)?;
    rows::run(
        tx,
        "INSERT INTO uploads (id, owner, created_at, content_type, width, height, bytes) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            upload.id,
            upload.owner,
            upload.created_at.timestamp_micros(),
            upload.content_type,
            upload.width,
            upload.height,
            upload.bytes as i64
        ],
    )?;
    for r in &upload.renditions {
        rows::run(
            tx,
            "INSERT INTO upload_renditions (upload_id, width, height, content_type, hash) \
             VALUES (?, ?, ?, ?, ?)",
            params![upload.id, r.width, r.height, r.content_type, r.hash],
        )?;
    }
    Ok(())
}

pub fn by_ids(conn: &Connection, ids: &[String]) -> Result<Vec<Upload>> {
    let mut found: Vec<Upload> = Vec::new();
    for id in ids {
        if found.iter().any(|u| &u.id == id) {
            continue;
        }
        let upload = rows::one(
            conn,
            "SELECT id, owner, created_at, content_type, width, height, bytes FROM uploads \
             WHERE id = ?",
            params![id],
            |row| {
                Ok(Upload {
                    id: row.get("id")?,
                    owner: row.get("owner")?,
                    created_at: from_micros(row.get("created_at")?),
                    content_type: row.get("content_type")?,
                    width: size("upload width", row.get("width")?)?,
                    height: size("upload height", row.get("height")?)?,
                    bytes: size("upload length", row.get("bytes")?)?,
                    renditions: Vec::new(),
                })
            },
        )?;
        let Some(mut upload) = upload else { continue };
        upload.renditions = rows::all(
            conn,
            "SELECT r.width, r.height, r.content_type, r.hash, b.size FROM upload_renditions r \
             JOIN blobs b ON b.hash = r.hash WHERE r.upload_id = ? ORDER BY r.width",
            params![id],
            |row| {
                Ok(Rendition {
                    width: size("rendition width", row.get("width")?)?,
                    height: size("rendition height", row.get("height")?)?,
                    content_type: row.get("content_type")?,
                    hash: row.get("hash")?,
                    bytes: size("rendition length", row.get("size")?)?,
                })
            },
        )?;
        found.push(upload);
    }
    Ok(found)
}
