//! A shop's orders and stock on SQLite. Each call is one IMMEDIATE transaction on the single
//! writer, so an order reads what is left and takes it with no other order in between; the
//! takes are still conditional, as PostgreSQL's must be.

use quorum_domain::time::from_micros;
use quorum_store::{NewOrder, Order, OrderEvent, OrderPlaced, OrderStatusChange, StoreError};
use rusqlite::{Connection, Row, params};

use crate::Result;
use crate::rows;

const COLUMNS: &str = "id, site, deployment_id, workflow_id, number, idempotency_key, name, email, phone, \
     notes, lines, total, currency, payment, status, created_at, updated_at";

fn order(row: &Row) -> Result<Order> {
    let lines: String = row.get("lines")?;
    Ok(Order {
        id: row.get("id")?,
        site: row.get("site")?,
        deployment_id: row.get("deployment_id")?,
        workflow_id: row.get("workflow_id")?,
        number: row.get("number")?,
        idempotency_key: row.get("idempotency_key")?,
        name: row.get("name")?,
        email: row.get("email")?,
        phone: row.get("phone")?,
        notes: row.get("notes")?,
        lines: serde_json::from_str(&lines)
            .map_err(|e| StoreError::Other(format!("order lines: {e}")))?,
        total: row.get("total")?,
        currency: row.get("currency")?,
        payment: row.get("payment")?,
        status: row.get("status")?,
        created_at: from_micros(row.get("created_at")?),
        updated_at: from_micros(row.get("updated_at")?),
    })
}

fn by_key(conn: &Connection, site: &str, key: &str) -> Result<Option<Order>> {
    rows::one(
        conn,
        &format!("SELECT {COLUMNS} FROM site_orders WHERE site = ? AND idempotency_key = ?"),
        params![site, key],
        order,
    )
}

/// What is left of a product in a deployment: its row's count, else the catalogue's.
fn remaining(conn: &Connection, o: &Order, product: &str, stock: i64) -> Result<i64> {
    let row = rows::one(
        conn,
        "SELECT remaining FROM site_stock WHERE site = ? AND deployment_id = ? AND product = ?",
        params![o.site, o.deployment_id, product],
        |row| Ok(row.get::<_, i64>("remaining")?),
    )?;
    Ok(row.unwrap_or(stock))
}

pub fn place(tx: &Connection, new: &NewOrder) -> Result<OrderPlaced> {
    let o = &new.order;
    if let Some(placed) = by_key(tx, &o.site, &o.idempotency_key)? {
        return Ok(OrderPlaced::Replayed(placed));
    }
    for take in &new.takes {
        let left = remaining(tx, o, &take.product, take.stock)?;
        if left < take.quantity {
            return Ok(OrderPlaced::OutOfStock {
                product: take.product.clone(),
                remaining: left,
            });
        }
    }
    for take in &new.takes {
        rows::run(
            tx,
            "INSERT INTO site_stock (site, deployment_id, product, remaining) VALUES (?, ?, ?, ?) \
             ON CONFLICT (site, deployment_id, product) DO NOTHING",
            params![o.site, o.deployment_id, take.product, take.stock],
        )?;
        let taken = rows::run(
            tx,
            "UPDATE site_stock SET remaining = remaining - ? \
             WHERE site = ? AND deployment_id = ? AND product = ? AND remaining >= ?",
            params![
                take.quantity,
                o.site,
                o.deployment_id,
                take.product,
                take.quantity
            ],
        )?;
        if taken != 1 {
            return Err(StoreError::Conflict(format!(
                "the stock of {} changed while it was taken",
                take.product
            ))
            .into());
        }
    }
    rows::run(
        tx,
        &format!(
            "INSERT INTO site_orders ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        params![
            o.id,
            o.site,
            o.deployment_id,
            o.workflow_id,
            o.number,
            o.idempotency_key,
            o.name,
            o.email,
            o.phone,
            o.notes,
            o.lines.to_string(),
            o.total,
            o.currency,
            o.payment,
            o.status,
            o.created_at.timestamp_micros(),
            o.updated_at.timestamp_micros(),
        ],
    )?;
    rows::run(
        tx,
        "INSERT INTO site_order_events (order_id, from_status, to_status, actor, reason, at) VALUES (?, NULL, ?, ?, NULL, ?)",
        params![o.id, o.status, o.email, o.created_at.timestamp_micros()],
    )?;
    Ok(OrderPlaced::Placed(o.clone()))
}

pub fn list(conn: &Connection, site: &str, limit: i64, offset: i64) -> Result<Vec<Order>> {
    rows::all(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM site_orders WHERE site = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        ),
        params![site, limit, offset],
        order,
    )
}

pub fn get(conn: &Connection, site: &str, number: &str) -> Result<Option<Order>> {
    rows::one(
        conn,
        &format!("SELECT {COLUMNS} FROM site_orders WHERE site = ? AND number = ?"),
        params![site, number],
        order,
    )
}

pub fn set_status(tx: &Connection, c: &OrderStatusChange) -> Result<Option<Order>> {
    let Some(current) = get(tx, &c.site, &c.number)? else {
        return Ok(None);
    };
    let changed = rows::run(
        tx,
        "UPDATE site_orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
        params![c.to, c.at.timestamp_micros(), current.id, c.from],
    )?;
    if changed != 1 {
        return Ok(None);
    }
    for back in &c.restock {
        rows::run(
            tx,
            "UPDATE site_stock SET remaining = remaining + ? WHERE site = ? AND deployment_id = ? AND product = ?",
            params![
                back.quantity,
                current.site,
                current.deployment_id,
                back.product
            ],
        )?;
    }
    rows::run(
        tx,
        "INSERT INTO site_order_events (order_id, from_status, to_status, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
        params![
            current.id,
            c.from,
            c.to,
            c.actor,
            c.reason,
            c.at.timestamp_micros()
        ],
    )?;
    get(tx, &c.site, &c.number)
}

pub fn events(conn: &Connection, order_id: &str) -> Result<Vec<OrderEvent>> {
    rows::all(
        conn,
        "SELECT from_status, to_status, actor, reason, at FROM site_order_events WHERE order_id = ? ORDER BY at, rowid",
        params![order_id],
        |row| {
            Ok(OrderEvent {
                from_status: row.get("from_status")?,
                to_status: row.get("to_status")?,
                actor: row.get("actor")?,
                reason: row.get("reason")?,
                at: from_micros(row.get("at")?),
            })
        },
    )
}
