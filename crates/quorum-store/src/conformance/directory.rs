//! Directory conformance: workflow types and their versions, principals and their tokens,
//! councils and the domains they own.

use chrono::Utc;
use quorum_domain::{Principal, PrincipalKind, Role};

use super::*;
use crate::*;

pub async fn types_are_versioned_and_an_identical_definition_is_not_a_new_version(store: &S) {
    seed(store).await;
    let again = store
        .register_type(NewTypeVersion {
            id: TYPE_ID.into(),
            definition: definition("Echo"),
            executable: true,
            registered_at: Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(again.version, 1);
    let changed = store
        .register_type(NewTypeVersion {
            id: TYPE_ID.into(),
            definition: definition("Echo 2"),
            executable: false,
            registered_at: Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(changed.version, 2);
    assert_eq!(
        store.get_type(TYPE_ID, None).await.unwrap().definition["name"],
        "Echo 2"
    );
    assert_eq!(
        store.get_type(TYPE_ID, Some(1)).await.unwrap().definition["name"],
        "Echo"
    );
    assert!(!store.get_type(TYPE_ID, None).await.unwrap().executable);
    let listed = store.list_types().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].version, 2);
    assert!(matches!(
        store.get_type("nope", None).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn principals_resolve_by_token_hash_and_ids_are_unique(store: &S) {
    seed(store).await;
    let agent = store
        .principal_by_token("hash-agent_a")
        .await
        .unwrap()
        .expect("token resolves");
    assert_eq!(agent.id, "agent_a");
    assert_eq!(agent.roles, vec![Role::Agent]);
    assert_eq!(agent.kind, PrincipalKind::Agent);
    assert!(
        store
            .principal_by_token("hash-unknown")
            .await
            .unwrap()
            .is_none()
    );
    store.add_token("agent_a", "second-hash").await.unwrap();
    assert_eq!(
        store
            .principal_by_token("second-hash")
            .await
            .unwrap()
            .unwrap()
            .id,
        "agent_a"
    );
    assert!(matches!(
        store.add_token("nobody", "h").await,
        Err(StoreError::NotFound(_))
    ));
    let dup = Principal {
        id: "agent_a".into(),
        kind: PrincipalKind::Agent,
        name: "x".into(),
        roles: vec![],
        created_at: Utc::now(),
    };
    assert!(matches!(
        store.create_principal(&dup, None).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn councils_round_trip_and_a_domain_has_one_council(store: &S) {
    seed(store).await;
    let media = store.get_council("council_media").await.unwrap();
    assert_eq!(media.members, ["user_1", "user_2", "user_3"]);
    assert_eq!(media.domains, ["media"]);
    assert_eq!(media.voting_window_hours, Some(72));
    assert_eq!(
        store
            .council_for_domain("commerce")
            .await
            .unwrap()
            .as_deref(),
        Some("council_commerce")
    );
    assert_eq!(store.council_for_domain("nothing").await.unwrap(), None);
    assert!(matches!(
        store
            .create_council(&council("council_other", "media"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut ghost = council("council_ghost", "ghost");
    ghost.members.push("user_missing".into());
    assert!(matches!(
        store.create_council(&ghost).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        matches!(
            store.get_council("council_ghost").await,
            Err(StoreError::NotFound(_))
        ),
        "nothing half-written"
    );
    assert_eq!(store.list_councils().await.unwrap().len(), 2);
}
