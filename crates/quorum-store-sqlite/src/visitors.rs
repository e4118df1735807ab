//! What visitors do on deployed sites, on SQLite: leads and the counts of views and clicks.

use quorum_domain::time::from_micros;
use quorum_store::{DeliveryReport, Lead, SiteCount, SiteEvent};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

const COUNT: &str = "INSERT INTO site_counts (site, deployment_id, metric, label, count) \
     VALUES (?, ?, ?, ?, 1) ON CONFLICT (site, deployment_id, metric, label) DO UPDATE SET count = count + 1";

pub fn add_lead(tx: &Connection, lead: &Lead) -> Result<()> {
    let fields = serde_json::to_string(&lead.fields).expect("a map of strings serializes");
    rows::run(
        tx,
        "INSERT INTO site_leads (id, site, deployment_id, workflow_id, name, email, fields, consent, variant, \
         remote_addr, received_at, delivery, delivered_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            lead.id,
            lead.site,
            lead.deployment_id,
            lead.workflow_id,
            lead.name,
            lead.email,
            fields,
            lead.consent,
            lead.variant,
            lead.remote_addr,
            lead.received_at.timestamp_micros(),
            lead.delivery,
            lead.delivered_at.map(|d| d.timestamp_micros()),
            lead.error,
        ],
    )?;
    rows::run(
        tx,
        COUNT,
        params![lead.site, lead.deployment_id, "conversion", lead.variant],
    )?;
    Ok(())
}

pub fn set_lead_delivery(tx: &Connection, r: &DeliveryReport) -> Result<()> {
    let updated = rows::run(
        tx,
        "UPDATE site_leads SET delivery = ?, error = ?, delivered_at = ? WHERE id = ?",
        params![r.delivery, r.error, r.at.timestamp_micros(), r.message_id],
    )?;
    Ok(r.recorded(updated as u64)?)
}

pub fn leads(conn: &Connection, site: &str, limit: i64, offset: i64) -> Result<Vec<Lead>> {
    rows::all(
        conn,
        "SELECT id, site, deployment_id, workflow_id, name, email, fields, consent, variant, remote_addr, \
         received_at, delivery, delivered_at, error FROM site_leads WHERE site = ? \
         ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?",
        params![site, limit, offset],
        |row| {
            let fields: String = row.get("fields")?;
            Ok(Lead {
                id: row.get("id")?,
                site: row.get("site")?,
                deployment_id: row.get("deployment_id")?,
                workflow_id: row.get("workflow_id")?,
                name: row.get("name")?,
                email: row.get("email")?,
                // Written by add_lead from a map of strings; a row that reads otherwise is
                // shown without its fields rather than hiding the lead.
                fields: serde_json::from_str(&fields).unwrap_or_default(),
                consent: row.get("consent")?,
                variant: row.get("variant")?,
                remote_addr: row.get("remote_addr")?,
                received_at: from_micros(row.get("received_at")?),
                delivery: row.get("delivery")?,
                delivered_at: row.get::<_, Option<i64>>("delivered_at")?.map(from_micros),
                error: row.get("error")?,
            })
        },
    )
}

pub fn count(tx: &Connection, e: &SiteEvent) -> Result<()> {
    rows::run(
        tx,
        COUNT,
        params![e.site, e.deployment_id, e.metric, e.label],
    )?;
    Ok(())
}

pub fn counts(conn: &Connection, site: &str) -> Result<Vec<SiteCount>> {
    rows::all(
        conn,
        "SELECT deployment_id, metric, label, count FROM site_counts WHERE site = ? \
         ORDER BY deployment_id, metric, label",
        params![site],
        |row| {
            Ok(SiteCount {
                deployment_id: row.get("deployment_id")?,
                metric: row.get("metric")?,
                label: row.get("label")?,
                count: row.get("count")?,
            })
        },
    )
}
