//! Deployment conformance: blobs are kept once under their hash, a deployment and its switch
//! to live are one step that may be repeated, and a site serves its latest switch.

use super::*;
use crate::*;

fn blob(hash: &str, bytes: &[u8], gzip: Option<&[u8]>) -> Blob {
    Blob {
        hash: hash.into(),
        bytes: bytes.to_vec(),
        gzip: gzip.map(<[u8]>::to_vec),
    }
}

fn deployment(id: &str, site: &str, files: &[(&str, &str)]) -> Deployment {
    Deployment {
        id: id.into(),
        site: site.into(),
        workflow_id: format!("wf_{id}"),
        site_name: "Acme & Sons".into(),
        contact_email: "owner@example.com".into(),
        domain: None,
        created_at: base_time(),
        files: files
            .iter()
            .map(|(path, hash)| DeploymentFile {
                path: (*path).into(),
                hash: (*hash).into(),
                content_type: "text/html; charset=utf-8".into(),
            })
            .collect(),
    }
}

pub async fn blobs_are_kept_once_and_read_back_by_hash(store: &S) {
    let page = blob("aa", b"<p>hello</p>", Some(b"gz"));
    store.put_blobs(std::slice::from_ref(&page)).await.unwrap();
    // The same hash again, even with other bytes, leaves the first: a hash names one content.
    store
        .put_blobs(&[blob("aa", b"other", None), blob("bb", &[0, 255, 1], None)])
        .await
        .unwrap();
    assert_eq!(store.blob("aa").await.unwrap(), Some(page));
    assert_eq!(
        store.blob("bb").await.unwrap(),
        Some(blob("bb", &[0, 255, 1], None)),
        "bytes come back exactly, NUL and high bytes included"
    );
    assert_eq!(store.blob("cc").await.unwrap(), None);
    store.put_blobs(&[]).await.unwrap();
}

pub async fn a_deploy_makes_its_deployment_live_and_may_run_again(store: &S) {
    assert_eq!(store.live_deployment("acme").await.unwrap(), None);
    store
        .put_blobs(&[blob("h1", b"one", None), blob("h2", b"two", None)])
        .await
        .unwrap();
    let first = deployment(
        "d1",
        "acme",
        &[("index.html", "h1"), ("about/index.html", "h2")],
    );
    store.deploy(&first).await.unwrap();
    store.deploy(&first).await.unwrap();
    let live = store.live_deployment("acme").await.unwrap().unwrap();
    let mut expected = first.clone();
    expected.files.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(live, expected, "read back field by field, files by path");

    let second = deployment("d2", "acme", &[("index.html", "h2")]);
    store.deploy(&second).await.unwrap();
    assert_eq!(store.live_deployment("acme").await.unwrap(), Some(second));
    // A deploy of the first that runs again makes it live again, with its own files.
    store.deploy(&first).await.unwrap();
    assert_eq!(store.live_deployment("acme").await.unwrap(), Some(expected));
    assert_eq!(store.live_deployment("other").await.unwrap(), None);
}

pub async fn a_deployment_naming_a_missing_blob_changes_nothing(store: &S) {
    store.put_blobs(&[blob("h1", b"one", None)]).await.unwrap();
    let good = deployment("d1", "acme", &[("index.html", "h1")]);
    store.deploy(&good).await.unwrap();
    let broken = deployment("d2", "acme", &[("index.html", "h1"), ("a.css", "nope")]);
    assert!(
        matches!(store.deploy(&broken).await, Err(StoreError::NotFound(_))),
        "a file without its blob is refused"
    );
    assert_eq!(
        store.live_deployment("acme").await.unwrap(),
        Some(good),
        "the site still serves the deployment before"
    );
    store
        .put_blobs(&[blob("nope", b"css", None)])
        .await
        .unwrap();
    store.deploy(&broken).await.unwrap();
    assert_eq!(
        store
            .live_deployment("acme")
            .await
            .unwrap()
            .unwrap()
            .files
            .len(),
        2,
        "nothing of the refused attempt was left to block the next"
    );
}

pub async fn a_site_belongs_to_its_first_deployer_and_rolls_back_with_an_audit(store: &S) {
    seed(store).await;
    store.put_blobs(&[blob("h1", b"one", None)]).await.unwrap();
    let mut ids = Vec::new();
    for (i, agent) in ["agent_a", "agent_a", "agent_a"].into_iter().enumerate() {
        let workflow = new_workflow(agent, "council_media", base_time());
        store.create_workflow(&workflow).await.unwrap();
        let mut d = deployment(&format!("d{i}"), "acme", &[("index.html", "h1")]);
        d.workflow_id = workflow.id.clone();
        d.created_at = base_time() + chrono::Duration::minutes(i as i64);
        store.deploy(&d).await.unwrap();
        ids.push((d.id, workflow.id));
    }
    let site = store.site("acme").await.unwrap().unwrap();
    assert_eq!(
        site.owner_agent.as_deref(),
        Some("agent_a"),
        "the first deployment claims the site"
    );
    assert_eq!(site.live.id, "d2");
    let rival = new_workflow("agent_c", "council_media", base_time());
    store.create_workflow(&rival).await.unwrap();
    let mut taken = deployment("dx", "acme", &[("index.html", "h1")]);
    taken.workflow_id = rival.id.clone();
    assert!(
        matches!(store.deploy(&taken).await, Err(StoreError::Conflict(_))),
        "another agent's deployment does not take the site"
    );
    let history: Vec<(&str, &str)> = site
        .history
        .iter()
        .map(|d| (d.id.as_str(), d.workflow_id.as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = ids
        .iter()
        .rev()
        .map(|(d, w)| (d.as_str(), w.as_str()))
        .collect();
    assert_eq!(history, expected, "newest first, each with its workflow");
    assert!(site.rollbacks.is_empty());

    let rollback = SiteRollback {
        slug: "acme".into(),
        from_deployment: None,
        to_deployment: "d0".into(),
        actor: "user_admin".into(),
        reason: "the new logo is wrong".into(),
        at: base_time() + chrono::Duration::hours(1),
    };
    assert_eq!(store.rollback_site(&rollback).await.unwrap(), "d2");
    assert_eq!(
        store.live_deployment("acme").await.unwrap().unwrap().id,
        "d0"
    );
    let site = store.site("acme").await.unwrap().unwrap();
    assert_eq!(site.live.id, "d0");
    assert_eq!(
        site.rollbacks,
        [SiteRollback {
            from_deployment: Some("d2".into()),
            ..rollback.clone()
        }]
    );
    assert!(
        matches!(
            store.rollback_site(&rollback).await,
            Err(StoreError::Conflict(_))
        ),
        "already live"
    );
    let elsewhere = deployment("x1", "other", &[("index.html", "h1")]);
    store.deploy(&elsewhere).await.unwrap();
    for (slug, to) in [("acme", "x1"), ("acme", "nope"), ("ghost", "d1")] {
        let wrong = SiteRollback {
            slug: slug.into(),
            to_deployment: to.into(),
            ..rollback.clone()
        };
        assert!(
            matches!(
                store.rollback_site(&wrong).await,
                Err(StoreError::NotFound(_))
            ),
            "{slug} to {to}"
        );
    }
    assert_eq!(
        store.site("other").await.unwrap().unwrap().owner_agent,
        None,
        "a deployment of no workflow claims nothing"
    );
    let slugs: Vec<String> = store
        .sites(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.slug)
        .collect();
    assert_eq!(slugs, ["acme", "other"]);
    assert_eq!(store.sites(Some("acme"), 10).await.unwrap().len(), 1);
    assert_eq!(store.site("ghost").await.unwrap(), None);
}

pub async fn old_deployments_and_the_blobs_only_they_named_are_collected(store: &S) {
    store
        .put_blobs(&[
            blob("shared", b"logo", None),
            blob("old", b"old page", None),
            blob("new", b"new page", None),
        ])
        .await
        .unwrap();
    for i in 0..4 {
        let page = if i == 0 { "old" } else { "new" };
        let mut d = deployment(
            &format!("d{i}"),
            "acme",
            &[("index.html", page), ("logo.svg", "shared")],
        );
        d.created_at = base_time() + chrono::Duration::minutes(i);
        store.deploy(&d).await.unwrap();
    }
    let other = deployment("x0", "other", &[("index.html", "old")]);
    store.deploy(&other).await.unwrap();
    // d0 is live again: it stays, whatever its age.
    let rollback = SiteRollback {
        slug: "acme".into(),
        from_deployment: None,
        to_deployment: "d0".into(),
        actor: "user_admin".into(),
        reason: "back".into(),
        at: base_time(),
    };
    store.rollback_site(&rollback).await.unwrap();
    assert_eq!(
        store.prune_deployments("acme", 2).await.unwrap(),
        Pruned {
            deployments: 1,
            blobs: 0
        },
        "d1 goes; d2 and d3 are the newest two and d0 is live"
    );
    let history: Vec<String> = store
        .site("acme")
        .await
        .unwrap()
        .unwrap()
        .history
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(history, ["d3", "d2", "d0"]);
    assert!(
        store.blob("new").await.unwrap().is_some(),
        "d2 and d3 still name it"
    );

    store
        .rollback_site(&SiteRollback {
            to_deployment: "d3".into(),
            ..rollback
        })
        .await
        .unwrap();
    assert_eq!(
        store.prune_deployments("acme", 1).await.unwrap(),
        Pruned {
            deployments: 2,
            blobs: 0
        },
        "the old page is still named by the other site"
    );
    assert!(store.blob("old").await.unwrap().is_some());
    store
        .deploy(&deployment("x1", "other", &[("index.html", "new")]))
        .await
        .unwrap();
    assert_eq!(
        store.prune_deployments("other", 1).await.unwrap(),
        Pruned {
            deployments: 1,
            blobs: 1
        },
        "nothing names the old page now"
    );
    assert_eq!(store.blob("old").await.unwrap(), None);
    assert!(store.blob("shared").await.unwrap().is_some());
    assert_eq!(
        store
            .live_deployment("acme")
            .await
            .unwrap()
            .unwrap()
            .files
            .len(),
        2
    );
    assert_eq!(
        store.prune_deployments("acme", 1).await.unwrap(),
        Pruned::default()
    );
    assert_eq!(
        store.prune_deployments("ghost", 1).await.unwrap(),
        Pruned::default()
    );
}
