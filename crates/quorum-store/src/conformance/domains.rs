//! Domain conformance: a site's live deployment claims its domain, a domain belongs to one
//! site at a time, a refused claim leaves nothing behind, and a race for one domain has
//! exactly one winner.

use super::*;
use crate::*;

fn claiming(id: &str, site: &str, workflow_id: &str, domain: Option<&str>) -> Deployment {
    Deployment {
        id: id.into(),
        site: site.into(),
        workflow_id: workflow_id.into(),
        site_name: "Acme".into(),
        contact_email: "owner@example.com".into(),
        domain: domain.map(str::to_owned),
        created_at: base_time(),
        files: vec![DeploymentFile {
            path: "index.html".into(),
            hash: "h1".into(),
            content_type: "text/html; charset=utf-8".into(),
        }],
    }
}

async fn workflow_of(store: &S, agent: &str) -> String {
    let workflow = new_workflow(agent, "council_media", base_time());
    store.create_workflow(&workflow).await.unwrap();
    workflow.id
}

fn conflict(result: StoreResult<impl std::fmt::Debug>) -> String {
    match result {
        Err(StoreError::Conflict(message)) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub async fn a_live_deployment_claims_its_domain_for_its_site_alone(store: &S) {
    seed(store).await;
    store
        .put_blobs(&[Blob {
            hash: "h1".into(),
            bytes: b"one".to_vec(),
            gzip: None,
        }])
        .await
        .unwrap();
    let (ours, theirs) = (
        workflow_of(store, "agent_a").await,
        workflow_of(store, "agent_b").await,
    );
    let domain = "www.acme.test";
    assert_eq!(store.domain_claim(domain).await.unwrap(), None);
    store
        .deploy(&claiming("d1", "acme", &ours, Some(domain)))
        .await
        .unwrap();
    let claim = DomainClaim {
        domain: domain.into(),
        slug: "acme".into(),
        owner_agent: Some("agent_a".into()),
    };
    assert_eq!(
        store.domain_claim(domain).await.unwrap(),
        Some(claim.clone())
    );
    let live = store.live_deployment("acme").await.unwrap().unwrap();
    assert_eq!(live.domain.as_deref(), Some(domain));
    let site = store.site("acme").await.unwrap().unwrap();
    assert_eq!(site.domain.as_deref(), Some(domain));
    assert_eq!(
        store.sites(None, 10).await.unwrap()[0].domain.as_deref(),
        Some(domain)
    );
    // The same deployment again, as a step that ran twice, keeps the claim.
    store
        .deploy(&claiming("d1", "acme", &ours, Some(domain)))
        .await
        .unwrap();

    // Another site's claim is refused, naming the holder, and leaves nothing behind: the
    // same id deployed again without the domain is a new deployment, not the refused one.
    let message = conflict(
        store
            .deploy(&claiming("r1", "rival", &theirs, Some(domain)))
            .await,
    );
    assert!(
        message.contains("www.acme.test belongs to the site acme of agent_a"),
        "{message}"
    );
    assert_eq!(store.site("rival").await.unwrap(), None);
    store
        .deploy(&claiming("r1", "rival", &theirs, None))
        .await
        .unwrap();
    assert_eq!(
        store
            .live_deployment("rival")
            .await
            .unwrap()
            .unwrap()
            .domain,
        None
    );
    assert_eq!(
        store.domain_claim(domain).await.unwrap(),
        Some(claim.clone())
    );

    // A deployment of the site without the domain releases it; another site may then take it.
    store
        .deploy(&claiming("d2", "acme", &ours, None))
        .await
        .unwrap();
    assert_eq!(store.domain_claim(domain).await.unwrap(), None);
    assert_eq!(store.site("acme").await.unwrap().unwrap().domain, None);
    store
        .deploy(&claiming("r2", "rival", &theirs, Some(domain)))
        .await
        .unwrap();
    assert_eq!(
        store.domain_claim(domain).await.unwrap().unwrap().slug,
        "rival"
    );

    // Rolling back to a deployment that claimed a domain claims it again, if it is free.
    let rollback = SiteRollback {
        slug: "acme".into(),
        from_deployment: None,
        to_deployment: "d1".into(),
        actor: "user_admin".into(),
        reason: "back to the domain".into(),
        at: base_time() + chrono::Duration::hours(1),
    };
    let message = conflict(store.rollback_site(&rollback).await);
    assert!(
        message.contains("belongs to the site rival of agent_b"),
        "{message}"
    );
    assert_eq!(
        store.live_deployment("acme").await.unwrap().unwrap().id,
        "d2"
    );
    assert!(
        store
            .site("acme")
            .await
            .unwrap()
            .unwrap()
            .rollbacks
            .is_empty()
    );
    store
        .deploy(&claiming("r3", "rival", &theirs, None))
        .await
        .unwrap();
    assert_eq!(store.rollback_site(&rollback).await.unwrap(), "d2");
    assert_eq!(store.domain_claim(domain).await.unwrap(), Some(claim));
    assert_eq!(store.domain_claim("other.test").await.unwrap(), None);
}

pub async fn concurrent_claims_of_one_domain_have_exactly_one_winner(store: &S) {
    seed(store).await;
    store
        .put_blobs(&[Blob {
            hash: "h1".into(),
            bytes: b"one".to_vec(),
            gzip: None,
        }])
        .await
        .unwrap();
    let domain = "www.contested.test";
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let site = format!("site-{i}");
                let deployment =
                    claiming(&format!("d{i}"), &site, &format!("wf_{i}"), Some(domain));
                (site, store.deploy(&deployment).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (site, result) = task.await.unwrap();
        match result {
            Ok(()) => winners.push(site),
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains(domain), "{message}");
                assert_eq!(
                    store.site(&site).await.unwrap(),
                    None,
                    "{site} half-written"
                );
            }
            Err(other) => panic!("{site}: {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(
        store.domain_claim(domain).await.unwrap().unwrap().slug,
        winners[0]
    );
}
