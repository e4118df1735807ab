//! A shop's orders and stock on PostgreSQL. An order takes its stock by conditional updates in
//! its transaction, so two servers' orders never share a unit; a replay of a key is found by
//! the unique key, before or (in a race) at the insert, and then nothing is kept or taken.

use quorum_store::{NewOrder, Order, OrderEvent, OrderPlaced, OrderStatusChange, StoreResult};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};

use crate::map_err;

const COLUMNS: &str = "id, site, deployment_id, workflow_id, number, idempotency_key, name, email, phone, \
     notes, lines::text AS lines, total, currency, payment, status, created_at, updated_at";

fn order(row: &PgRow) -> StoreResult<Order> {
    let lines: String = row.try_get("lines").map_err(map_err)?;
    Ok(Order {
        id: row.try_get("id").map_err(map_err)?,
        site: row.try_get("site").map_err(map_err)?,
        deployment_id: row.try_get("deployment_id").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        number: row.try_get("number").map_err(map_err)?,
        idempotency_key: row.try_get("idempotency_key").map_err(map_err)?,
        name: row.try_get("name").map_err(map_err)?,
        email: row.try_get("email").map_err(map_err)?,
        phone: row.try_get("phone").map_err(map_err)?,
        notes: row.try_get("notes").map_err(map_err)?,
        lines: serde_json::from_str(&lines)
            .map_err(|e| quorum_store::StoreError::Other(format!("order lines: {e}")))?,
        total: row.try_get("total").map_err(map_err)?,
        currency: row.try_get("currency").map_err(map_err)?,
        payment: row.try_get("payment").map_err(map_err)?,
        status: row.try_get("status").map_err(map_err)?,
        created_at: row.try_get("created_at").map_err(map_err)?,
        updated_at: row.try_get("updated_at").map_err(map_err)?,
    })
}

async fn by_key(pool: &PgPool, site: &str, key: &str) -> StoreResult<Option<Order>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM site_orders WHERE site = $1 AND idempotency_key = $2"
    )))
    .bind(site)
    .bind(key)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    row.as_ref().map(order).transpose()
}

pub async fn place(pool: &PgPool, new: &NewOrder) -> StoreResult<OrderPlaced> {
    let o = &new.order;
    if let Some(placed) = by_key(pool, &o.site, &o.idempotency_key).await? {
        return Ok(OrderPlaced::Replayed(placed));
    }
    let mut tx = pool.begin().await.map_err(map_err)?;
    for take in &new.takes {
        sqlx::query(
            "INSERT INTO site_stock (site, deployment_id, product, remaining) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (site, deployment_id, product) DO NOTHING",
        )
        .bind(&o.site)
        .bind(&o.deployment_id)
        .bind(&take.product)
        .bind(take.stock)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let taken = sqlx::query(
            "UPDATE site_stock SET remaining = remaining - $1 \
             WHERE site = $2 AND deployment_id = $3 AND product = $4 AND remaining >= $1 RETURNING remaining",
        )
        .bind(take.quantity)
        .bind(&o.site)
        .bind(&o.deployment_id)
        .bind(&take.product)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if taken.is_none() {
            let left: i64 = sqlx::query_scalar(
                "SELECT remaining FROM site_stock WHERE site = $1 AND deployment_id = $2 AND product = $3",
            )
            .bind(&o.site)
            .bind(&o.deployment_id)
            .bind(&take.product)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            tx.rollback().await.map_err(map_err)?;
            return Ok(OrderPlaced::OutOfStock {
                product: take.product.clone(),
                remaining: left,
            });
        }
    }
    let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO site_orders (id, site, deployment_id, workflow_id, number, idempotency_key, name, email, \
         phone, notes, lines, total, currency, payment, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (site, idempotency_key) DO NOTHING RETURNING {COLUMNS}"
    )))
    .bind(&o.id)
    .bind(&o.site)
    .bind(&o.deployment_id)
    .bind(&o.workflow_id)
    .bind(&o.number)
    .bind(&o.idempotency_key)
    .bind(&o.name)
    .bind(&o.email)
    .bind(&o.phone)
    .bind(&o.notes)
    .bind(o.lines.to_string())
    .bind(o.total)
    .bind(&o.currency)
    .bind(&o.payment)
    .bind(&o.status)
    .bind(o.created_at)
    .bind(o.updated_at)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?;
    let Some(row) = inserted else {
        // Another server placed this key first: its order stands, this one takes nothing.
        tx.rollback().await.map_err(map_err)?;
        let placed = by_key(pool, &o.site, &o.idempotency_key).await?;
        return placed.map(OrderPlaced::Replayed).ok_or_else(|| {
            quorum_store::StoreError::Conflict("the order's key was taken and then lost".into())
        });
    };
    let placed = order(&row)?;
    sqlx::query(
        "INSERT INTO site_order_events (order_id, from_status, to_status, actor, reason, at) VALUES ($1, NULL, $2, $3, NULL, $4)",
    )
    .bind(&o.id)
    .bind(&o.status)
    .bind(&o.email)
    .bind(o.created_at)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(OrderPlaced::Placed(placed))
}

pub async fn list(pool: &PgPool, site: &str, limit: i64, offset: i64) -> StoreResult<Vec<Order>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM site_orders WHERE site = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    )))
    .bind(site)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    rows.iter().map(order).collect()
}

pub async fn get(pool: &PgPool, site: &str, number: &str) -> StoreResult<Option<Order>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM site_orders WHERE site = $1 AND number = $2"
    )))
    .bind(site)
    .bind(number)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    row.as_ref().map(order).transpose()
}

pub async fn set_status(pool: &PgPool, c: &OrderStatusChange) -> StoreResult<Option<Order>> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE site_orders SET status = $1, updated_at = $2 WHERE site = $3 AND number = $4 AND status = $5 \
         RETURNING {COLUMNS}"
    )))
    .bind(&c.to)
    .bind(c.at)
    .bind(&c.site)
    .bind(&c.number)
    .bind(&c.from)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let changed = order(&row)?;
    for back in &c.restock {
        sqlx::query(
            "UPDATE site_stock SET remaining = remaining + $1 WHERE site = $2 AND deployment_id = $3 AND product = $4",
        )
        .bind(back.quantity)
        .bind(&changed.site)
        .bind(&changed.deployment_id)
        .bind(&back.product)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    sqlx::query(
        "INSERT INTO site_order_events (order_id, from_status, to_status, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&changed.id)
    .bind(&c.from)
    .bind(&c.to)
    .bind(&c.actor)
    .bind(&c.reason)
    .bind(c.at)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(Some(changed))
}

pub async fn events(pool: &PgPool, order_id: &str) -> StoreResult<Vec<OrderEvent>> {
    let rows = sqlx::query(
        "SELECT from_status, to_status, actor, reason, at FROM site_order_events WHERE order_id = $1 ORDER BY at, ctid",
    )
    .bind(order_id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            Ok(OrderEvent {
                from_status: row.try_get("from_status").map_err(map_err)?,
                to_status: row.try_get("to_status").map_err(map_err)?,
                actor: row.try_get("actor").map_err(map_err)?,
                reason: row.try_get("reason").map_err(map_err)?,
                at: row.try_get("at").map_err(map_err)?,
            })
        })
        .collect()
}
