//! The storage conformance suite on PostgreSQL, each test on a new schema dropped after it.
//!
//! Uses `QUORUM_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`). Without
//! a server the tests fail under `CI=true` and are skipped, loudly, elsewhere.

use std::sync::Arc;

use quorum_store::conformance::{base_time, new_workflow, seed};
use quorum_store::{Store, Wakeups};
use quorum_store_postgres::PgStore;
use quorum_testkit::PgSchema;

struct TestDb {
    store: Arc<dyn Store>,
    _schema: PgSchema,
}

impl AsRef<Arc<dyn Store>> for TestDb {
    fn as_ref(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

/// A migrated store on a new schema, or None (loudly) when no server runs outside CI.
async fn fresh_store() -> Option<(PgStore, PgSchema)> {
    let schema = PgSchema::fresh().await?;
    let store = PgStore::connect(schema.url(), 8)
        .await
        .expect("PostgreSQL opens");
    store.migrate().await.expect("migrations apply");
    Some((store, schema))
}

async fn fresh() -> Option<TestDb> {
    let (store, guard) = fresh_store().await?;
    Some(TestDb {
        store: Arc::new(store),
        _schema: guard,
    })
}

quorum_store::conformance_suite!(fresh());

/// The savings-bounds migration, run again over rows written as they could be before it:
/// savings past the bound come back inside it with only known fields, the others are kept,
/// and the aggregates are rebuilt from the workflows.
#[tokio::test]
async fn savings_past_the_bound_are_brought_inside_it_and_the_aggregates_rebuilt() {
    let Some((store, _schema)) = fresh_store().await else {
        return;
    };
    sqlx::raw_sql(
        r#"INSERT INTO workflow_types (id, version, definition, executable, registered_at)
               VALUES ('t', 1, '{}', false, now());
           INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent,
                   assigned_council_id, status, inputs, outputs, calculated_savings, weekly_cents,
                   annual_cents, created_at)
           VALUES ('wf_big', 't', 1, 'a', 'c', 'COMPLETED', '{}', '{}',
                   '{"weekly_savings": 9999999999999, "padding": "xxxx"}', 999999999999900, 5199999999999480, now()),
                  ('wf_ok', 't', 1, 'a', 'c', 'COMPLETED', '{}', '{}',
                   '{"tasks_automated": "Site", "weekly_savings": 225.0, "annual_savings": 11700.0}', 22500, 1170000, now());
           INSERT INTO workflow_totals (council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, annual_cents)
           VALUES ('c', 'a', 't', 'COMPLETED', 2, 9000000000000000000, 1);"#,
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::raw_sql(include_str!("../migrations/0005_savings_bounds.sql"))
        .execute(store.pool())
        .await
        .unwrap();
    let rows: Vec<(String, i64, i64, serde_json::Value)> = sqlx::query_as(
        "SELECT id, weekly_cents, annual_cents, calculated_savings FROM workflows ORDER BY id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!((rows[0].1, rows[0].2), (50_000_000, 2_600_000_000));
    assert_eq!(
        rows[0].3,
        serde_json::json!({"weekly_savings": 500000.0, "annual_savings": 26000000.0})
    );
    assert_eq!(rows[1].3["tasks_automated"], "Site", "{:?}", rows[1]);
    let totals: (i64, i64, i64) =
        sqlx::query_as("SELECT workflows, weekly_cents, annual_cents FROM workflow_totals")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(totals, (2, 50_022_500, 2_601_170_000));
    let stored = quorum_store::normalize(store.stored_aggregates().await.unwrap());
    let scanned = quorum_store::normalize(store.scan_aggregates().await.unwrap());
    assert_eq!(stored, scanned);
}

/// Waits for a wake-up of kind `wanted`, passing over the others.
async fn heard(
    wakes: &mut tokio::sync::mpsc::UnboundedReceiver<quorum_store::Change>,
    wanted: quorum_store::Change,
) {
    while wakes.recv().await.expect("the listener is still running") != wanted {}
}

/// Cross-process wake-ups: a listening store hears the workflow event and the job that another
/// store (another process, as far as the server can tell) commits, each as what it is.
#[tokio::test]
async fn a_listening_store_hears_a_change_another_store_commits() {
    let Some((listening, schema)) = fresh_store().await else {
        return;
    };
    let (woken, mut wakes) = tokio::sync::mpsc::unbounded_channel();
    let wakeups = listening
        .listen_for_changes(Box::new(move |change| {
            let _ = woken.send(change);
        }))
        .await
        .unwrap();
    assert_eq!(wakeups, Wakeups::Listening);

    let other: Arc<dyn Store> = Arc::new(PgStore::connect(schema.url(), 2).await.unwrap());
    seed(&other).await;
    // Notifications are database-wide, so tests on other schemas may wake it too; what this
    // shows is that a listener set up by the store delivers commits made elsewhere.
    while wakes.try_recv().is_ok() {}
    let created = new_workflow("agent_a", "council_media", base_time());
    other.create_workflow(&created).await.unwrap();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        heard(&mut wakes, quorum_store::Change::Events),
    )
    .await
    .expect("woken for the event within 10 s of the commit");
    // A queued job is heard on a channel of its own: idle workers wake for work, not events.
    let job = quorum_store::NewJob {
        workflow_id: created.id.clone(),
        priority: 0,
        available_at: base_time(),
    };
    while wakes.try_recv().is_ok() {}
    assert_eq!(other.enqueue_jobs(&[job]).await.unwrap(), 1);
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        heard(&mut wakes, quorum_store::Change::Work),
    )
    .await
    .expect("woken for the job within 10 s of the commit");
}

/// Two transactions claiming one domain at once both see it free: the unique index stops the
/// later, and its deploy reads as a lost race, with nothing of it written.
#[tokio::test]
async fn a_deploy_that_loses_the_race_for_a_domain_says_so_and_writes_nothing() {
    let Some((store, _schema)) = fresh_store().await else {
        return;
    };
    let blob = quorum_store::Blob {
        hash: "h1".into(),
        bytes: b"one".to_vec(),
        gzip: None,
    };
    store.put_blobs(&[blob]).await.unwrap();
    let domain = "www.raced.test";
    // The winner's claim, made and held uncommitted as a concurrent deploy would hold it.
    let mut winner = store.pool().begin().await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO deployments (id, site, workflow_id, site_name, contact_email, domain, created_at)
             VALUES ('w1', 'winner', 'wf_w', 'Winner', 'w@example.com', 'www.raced.test', now());
         INSERT INTO sites (slug, deployment_id, updated_at, domain)
             VALUES ('winner', 'w1', now(), 'www.raced.test');",
    )
    .execute(&mut *winner)
    .await
    .unwrap();
    let store = Arc::new(store);
    let loser = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .deploy(&quorum_store::Deployment {
                    id: "l1".into(),
                    site: "loser".into(),
                    workflow_id: "wf_l".into(),
                    site_name: "Loser".into(),
                    contact_email: "l@example.com".into(),
                    domain: Some(domain.into()),
                    created_at: base_time(),
                    files: vec![quorum_store::DeploymentFile {
                        path: "index.html".into(),
                        hash: "h1".into(),
                        content_type: "text/html; charset=utf-8".into(),
                    }],
                })
                .await
        })
    };
    // The loser reads the domain as free and waits on the index for the winner's outcome.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!loser.is_finished(), "the loser waits for the winner");
    winner.commit().await.unwrap();
    match loser.await.unwrap() {
        Err(quorum_store::StoreError::Conflict(message)) => assert!(
            message.contains("www.raced.test was claimed by another site at the same moment"),
            "{message}"
        ),
        other => panic!("expected a lost race, got {other:?}"),
    }
    assert_eq!(store.site("loser").await.unwrap(), None);
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM deployments WHERE id = 'l1'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(kept, 0, "nothing of the losing deploy is kept");
    assert_eq!(
        store.domain_claim(domain).await.unwrap().unwrap().slug,
        "winner"
    );
}

/// Event ids come from a sequence, so a transaction can take an id and commit after another
/// that took the next one. A stream (and a stream starting meanwhile) waits for the first rather
/// than sending the second and skipping the first for good.
#[tokio::test]
async fn an_event_committed_after_a_later_one_still_reaches_a_stream_in_order() {
    let Some((store, schema)) = fresh_store().await else {
        return;
    };
    let pool = store.pool().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    seed(&store).await;
    // The events of workflow wf_slow wait, once written, for the lock this test holds.
    sqlx::raw_sql(
        "CREATE FUNCTION hold_slow_events() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.workflow_id = 'wf_slow' THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER hold_slow_events AFTER INSERT ON workflow_events
             FOR EACH ROW EXECUTE FUNCTION hold_slow_events();",
    )
    .execute(&pool)
    .await
    .unwrap();
    // A connection of its own: should an assertion fail, dropping it ends the session and its
    // lock with it, and wf_slow's transaction ends instead of holding up the schema's removal.
    let mut holder = <sqlx::PgConnection as sqlx::Connection>::connect(schema.url())
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_lock(4242)")
        .execute(&mut holder)
        .await
        .unwrap();
    let start = store.last_event_id().await.unwrap();

    let mut slow = new_workflow("agent_a", "council_media", base_time());
    slow.id = "wf_slow".into();
    let creating = tokio::spawn({
        let store = store.clone();
        async move { store.create_workflow(&slow).await }
    });
    // Until its event is written and it waits to commit.
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted",
        )
        .fetch_one(&mut holder)
        .await
        .unwrap();
        if waiting == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // Another agent and council: nothing of wf_slow's transaction stands in its way.
    let mut fast = new_workflow("agent_b", "council_commerce", base_time());
    fast.id = "wf_fast".into();
    store.create_workflow(&fast).await.unwrap();

    let all = quorum_store::EventFilter::default();
    let fast_only = quorum_store::EventFilter {
        agent_id: Some("agent_b".into()),
        ..Default::default()
    };
    // Read while wf_slow waits, asserted once it has committed: a failed assertion must not
    // leave its transaction open.
    let while_waiting = (
        store.events_after(start, &all, 100).await.unwrap(),
        store.events_after(start, &fast_only, 100).await.unwrap(),
        store.last_event_id().await.unwrap(),
    );

    sqlx::query("SELECT pg_advisory_unlock(4242)")
        .execute(&mut holder)
        .await
        .unwrap();
    creating.await.unwrap().unwrap();
    assert!(
        while_waiting.0.is_empty(),
        "wf_fast's event is held back while wf_slow's, before it, may still commit"
    );
    assert!(while_waiting.1.is_empty());
    assert_eq!(while_waiting.2, start);
    let events = store.events_after(start, &all, 100).await.unwrap();
    assert!(events.windows(2).all(|pair| pair[0].id < pair[1].id));
    let mut order: Vec<&str> = events.iter().map(|e| e.workflow_id.as_str()).collect();
    order.dedup();
    assert_eq!(order, ["wf_slow", "wf_fast"]);
    let fast_events = store.events_after(start, &fast_only, 100).await.unwrap();
    assert!(!fast_events.is_empty());
    assert!(fast_events.iter().all(|e| e.workflow_id == "wf_fast"));
    assert_eq!(
        store.last_event_id().await.unwrap(),
        events.last().unwrap().id
    );
}
