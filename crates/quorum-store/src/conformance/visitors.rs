//! Conformance of what visitors do on sites: leads read back field by field, newest first and
//! paged, each counted as a conversion of its headline, and concurrent events each counted once.

use std::collections::BTreeMap;

use chrono::Duration;

use super::*;
use crate::*;

fn lead(id: &str, variant: &str, at: chrono::DateTime<chrono::Utc>) -> Lead {
    Lead {
        id: id.into(),
        site: "crumbs".into(),
        deployment_id: "deploy_1".into(),
        workflow_id: "wf_1".into(),
        name: "Ana Lima".into(),
        email: "ana@example.com".into(),
        fields: BTreeMap::from([
            ("company".to_owned(), "Crumbs & Co \"<b>\"".to_owned()),
            ("notes".to_owned(), "line one\nline two ✓".to_owned()),
        ]),
        consent: true,
        variant: variant.into(),
        remote_addr: Some("10.0.0.1".into()),
        received_at: at,
        delivery: "outbox".into(),
        delivered_at: None,
        error: None,
    }
}

fn event(metric: &str, label: &str) -> SiteEvent {
    SiteEvent {
        site: "crumbs".into(),
        deployment_id: "deploy_1".into(),
        metric: metric.into(),
        label: label.into(),
    }
}

pub async fn leads_read_back_newest_first_and_count_as_conversions(store: &S) {
    seed(store).await;
    let at = base_time();
    let first = lead("lead_1", "a", at);
    store.add_lead(&first).await.unwrap();
    store
        .add_lead(&lead("lead_2", "b", at + Duration::seconds(1)))
        .await
        .unwrap();
    store
        .add_lead(&lead("lead_3", "b", at + Duration::seconds(2)))
        .await
        .unwrap();
    assert!(store.add_lead(&first).await.is_err(), "an id is kept once");
    let page = store.leads("crumbs", 2, 0).await.unwrap();
    let ids: Vec<&str> = page.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["lead_3", "lead_2"]);
    let rest = store.leads("crumbs", 2, 2).await.unwrap();
    assert_eq!(rest, std::slice::from_ref(&first), "field by field");
    assert!(store.leads("other", 10, 0).await.unwrap().is_empty());

    let report = DeliveryReport {
        message_id: "lead_1".into(),
        delivery: "sent".into(),
        error: None,
        at: at + Duration::seconds(5),
    };
    store.set_lead_delivery(&report).await.unwrap();
    let sent = store.leads("crumbs", 1, 2).await.unwrap().remove(0);
    assert_eq!(
        (sent.delivery.as_str(), sent.delivered_at),
        ("sent", Some(report.at))
    );
    let missing = DeliveryReport {
        message_id: "lead_9".into(),
        ..report
    };
    assert!(matches!(
        store.set_lead_delivery(&missing).await,
        Err(StoreError::NotFound(_))
    ));

    let counts = store.site_counts("crumbs").await.unwrap();
    let conversions: Vec<(&str, i64)> = counts
        .iter()
        .filter(|c| c.metric == "conversion")
        .map(|c| (c.label.as_str(), c.count))
        .collect();
    assert_eq!(
        conversions,
        [("a", 1), ("b", 2)],
        "the refused duplicate counted nothing"
    );
}

pub async fn concurrent_site_events_are_each_counted_once(store: &S) {
    seed(store).await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            let label = if i % 4 == 0 { "b" } else { "a" };
            tokio::spawn(async move { store.count_site_event(&event("view", label)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    store
        .count_site_event(&event("click", "tent home"))
        .await
        .unwrap();
    let mut other = event("view", "a");
    other.deployment_id = "deploy_2".into();
    store.count_site_event(&other).await.unwrap();
    let counts: Vec<(String, String, String, i64)> = store
        .site_counts("crumbs")
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.deployment_id, c.metric, c.label, c.count))
        .collect();
    let row = |d: &str, m: &str, l: &str, n: i64| (d.to_owned(), m.to_owned(), l.to_owned(), n);
    assert_eq!(
        counts,
        [
            row("deploy_1", "click", "tent home", 1),
            row("deploy_1", "view", "a", 30),
            row("deploy_1", "view", "b", 10),
            row("deploy_2", "view", "a", 1),
        ]
    );
}
