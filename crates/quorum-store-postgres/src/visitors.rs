//! What visitors do on deployed sites, on PostgreSQL: leads and the counts of views and clicks.

use quorum_store::{DeliveryReport, Lead, SiteCount, SiteEvent, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

const COUNT: &str = "INSERT INTO site_counts (site, deployment_id, metric, label, count) \
     VALUES ($1, $2, $3, $4, 1) ON CONFLICT (site, deployment_id, metric, label) DO UPDATE \
     SET count = site_counts.count + 1";

pub async fn add_lead(pool: &PgPool, lead: &Lead) -> StoreResult<()> {
    let fields = serde_json::to_string(&lead.fields).expect("a map of strings serializes");
    let mut tx = pool.begin().await.map_err(map_err)?;
    sqlx::query(
        "INSERT INTO site_leads (id, site, deployment_id, workflow_id, name, email, fields, consent, variant, \
         remote_addr, received_at, delivery, delivered_at, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&lead.id)
    .bind(&lead.site)
    .bind(&lead.deployment_id)
    .bind(&lead.workflow_id)
    .bind(&lead.name)
    .bind(&lead.email)
    .bind(fields)
    .bind(lead.consent)
    .bind(&lead.variant)
    .bind(&lead.remote_addr)
    .bind(lead.received_at)
    .bind(&lead.delivery)
    .bind(lead.delivered_at)
    .bind(&lead.error)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    sqlx::query(COUNT)
        .bind(&lead.site)
        .bind(&lead.deployment_id)
        .bind("conversion")
        .bind(&lead.variant)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub async fn set_lead_delivery(pool: &PgPool, r: &DeliveryReport) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE site_leads SET delivery = $1, error = $2, delivered_at = $3 WHERE id = $4",
    )
    .bind(&r.delivery)
    .bind(&r.error)
    .bind(r.at)
    .bind(&r.message_id)
    .execute(pool)
    .await
    .map_err(map_err)?;
    r.recorded(updated.rows_affected())
}

pub async fn leads(pool: &PgPool, site: &str, limit: i64, offset: i64) -> StoreResult<Vec<Lead>> {
    let rows = sqlx::query(
        "SELECT id, site, deployment_id, workflow_id, name, email, fields::text AS fields, consent, variant, \
         remote_addr, received_at, delivery, delivered_at, error FROM site_leads WHERE site = $1 \
         ORDER BY received_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(site)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            let fields: String = row.try_get("fields").map_err(map_err)?;
            Ok(Lead {
                id: row.try_get("id").map_err(map_err)?,
                site: row.try_get("site").map_err(map_err)?,
                deployment_id: row.try_get("deployment_id").map_err(map_err)?,
                workflow_id: row.try_get("workflow_id").map_err(map_err)?,
                name: row.try_get("name").map_err(map_err)?,
                email: row.try_get("email").map_err(map_err)?,
                // Written by add_lead from a map of strings; a row that reads otherwise is
                // shown without its fields rather than hiding the lead.
                fields: serde_json::from_str(&fields).unwrap_or_default(),
                consent: row.try_get("consent").map_err(map_err)?,
                variant: row.try_get("variant").map_err(map_err)?,
                remote_addr: row.try_get("remote_addr").map_err(map_err)?,
                received_at: row.try_get("received_at").map_err(map_err)?,
                delivery: row.try_get("delivery").map_err(map_err)?,
                delivered_at: row.try_get("delivered_at").map_err(map_err)?,
                error: row.try_get("error").map_err(map_err)?,
            })
        })
        .collect()
}

pub async fn count(pool: &PgPool, e: &SiteEvent) -> StoreResult<()> {
    sqlx::query(COUNT)
        .bind(&e.site)
        .bind(&e.deployment_id)
        .bind(&e.metric)
        .bind(&e.label)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub async fn counts(pool: &PgPool, site: &str) -> StoreResult<Vec<SiteCount>> {
    let rows = sqlx::query(
        "SELECT deployment_id, metric, label, count FROM site_counts WHERE site = $1 \
         ORDER BY deployment_id, metric, label",
    )
    .bind(site)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            Ok(SiteCount {
                deployment_id: row.try_get("deployment_id").map_err(map_err)?,
                metric: row.try_get("metric").map_err(map_err)?,
                label: row.try_get("label").map_err(map_err)?,
                count: row.try_get("count").map_err(map_err)?,
            })
        })
        .collect()
}
