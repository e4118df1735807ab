//! Conformance of a shop's orders: a key is one order, stock is taken once per order and never
//! below zero however many orders race for it, and status changes are conditional, audited,
//! and give a cancelled order's stock back.

use chrono::Duration;
use serde_json::json;

use super::*;
use crate::*;

fn new_order(id: &str, key: &str, quantity: i64) -> NewOrder {
    let at = base_time() + Duration::seconds(id.len() as i64);
    NewOrder {
        order: Order {
            id: id.into(),
            site: "crumbs".into(),
            deployment_id: "deploy_1".into(),
            workflow_id: "wf_1".into(),
            number: format!("HC-{id}"),
            idempotency_key: key.into(),
            name: "Ana Lima".into(),
            email: "ana@example.com".into(),
            phone: None,
            notes: Some("Sliced, please".into()),
            lines: json!([{"product": "loaf", "name": "Loaf", "options": {}, "quantity": quantity, "unit_price": 850, "line_total": 850 * quantity}]),
            total: 850 * quantity,
            currency: "USD".into(),
            payment: "pickup".into(),
            status: "received".into(),
            created_at: at,
            updated_at: at,
        },
        takes: vec![StockTake {
            product: "loaf".into(),
            quantity,
            stock: 5,
        }],
    }
}

pub async fn an_order_is_placed_once_per_key_and_takes_its_stock_once(store: &S) {
    seed(store).await;
    let first = new_order("ord_1", "key-1", 2);
    let OrderPlaced::Placed(placed) = store.place_order(&first).await.unwrap() else {
        panic!("placed");
    };
    assert_eq!(placed, first.order, "field by field");
    let mut again = new_order("ord_2", "key-1", 2);
    again.order.number = "HC-other".into();
    assert_eq!(
        store.place_order(&again).await.unwrap(),
        OrderPlaced::Replayed(first.order.clone()),
        "the same key is the first order"
    );
    assert_eq!(
        store
            .place_order(&new_order("ord_3", "key-3", 4))
            .await
            .unwrap(),
        OrderPlaced::OutOfStock {
            product: "loaf".into(),
            remaining: 3
        },
        "two of five taken once, not twice"
    );
    assert!(
        store.order("crumbs", "HC-ord_3").await.unwrap().is_none(),
        "nothing half-written"
    );
    let listed = store.orders("crumbs", 10, 0).await.unwrap();
    assert_eq!(listed.len(), 1);

    let change = |from: &str, to: &str| OrderStatusChange {
        site: "crumbs".into(),
        number: "HC-ord_1".into(),
        from: from.into(),
        to: to.into(),
        actor: "agent_a".into(),
        reason: Some("collected".into()),
        at: base_time() + Duration::minutes(5),
        restock: match to {
            "cancelled" => vec![StockTake {
                product: "loaf".into(),
                quantity: 2,
                stock: 5,
            }],
            _ => Vec::new(),
        },
    };
    let fulfilled = store
        .set_order_status(&change("received", "fulfilled"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fulfilled.status, "fulfilled");
    assert_eq!(
        store
            .set_order_status(&change("received", "cancelled"))
            .await
            .unwrap(),
        None,
        "it is no longer received"
    );
    store
        .set_order_status(&change("fulfilled", "cancelled"))
        .await
        .unwrap()
        .unwrap();
    let history: Vec<(Option<String>, String)> = store
        .order_events("ord_1")
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.from_status, e.to_status))
        .collect();
    assert_eq!(
        history,
        [
            (None, "received".to_owned()),
            (Some("received".to_owned()), "fulfilled".to_owned()),
            (Some("fulfilled".to_owned()), "cancelled".to_owned()),
        ]
    );
    // The cancellation gave its two back: five are left, so an order of five is placed.
    assert!(matches!(
        store
            .place_order(&new_order("ord_4", "key-4", 5))
            .await
            .unwrap(),
        OrderPlaced::Placed(_)
    ));
}

pub async fn concurrent_orders_never_take_more_than_the_stock(store: &S) {
    seed(store).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            // Every fourth is a replay of the one before it.
            let key = format!("key-{}", i - i % 4 / 3);
            tokio::spawn(async move {
                store
                    .place_order(&new_order(&format!("ord_{i}"), &key, 1))
                    .await
            })
        })
        .collect();
    let mut placed = 0;
    for task in tasks {
        if let OrderPlaced::Placed(_) = task.await.unwrap().unwrap() {
            placed += 1;
        }
    }
    assert_eq!(placed, 5, "five units, five orders");
    assert_eq!(store.orders("crumbs", 100, 0).await.unwrap().len(), 5);
}
