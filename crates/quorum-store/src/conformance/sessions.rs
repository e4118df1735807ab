//! Session conformance: dashboard sessions live until they expire, end with their token at
//! sign-out, end with their principal's tokens at revocation, and expired ones are pruned.

use chrono::Duration;

use super::*;
use crate::*;

fn session(id: &str, principal: &str, token_hash: &str, hours: i64) -> DashboardSession {
    DashboardSession {
        id_hash: format!("id-{id}"),
        principal_id: principal.into(),
        token_hash: token_hash.into(),
        csrf: format!("csrf-{id}"),
        created_at: base_time(),
        expires_at: base_time() + Duration::hours(hours),
    }
}

async fn live(store: &S, s: &DashboardSession) -> bool {
    store
        .live_session(&s.id_hash, base_time())
        .await
        .unwrap()
        .is_some()
}

pub async fn sessions_live_until_they_expire_and_sign_out_ends_every_session_of_the_token(
    store: &S,
) {
    seed(store).await;
    store.add_token("user_1", "second-hash").await.unwrap();
    let first = session("first", "user_1", "hash-user_1", 12);
    let second = session("second", "user_1", "hash-user_1", 12);
    let other_token = session("other-token", "user_1", "second-hash", 12);
    // The configured admin is no stored principal, and still has sessions.
    let admin = session("admin", "admin", "hash-of-the-admin-token", 12);
    for s in [&first, &second, &other_token, &admin] {
        store.create_session(s).await.unwrap();
    }
    assert_eq!(
        store
            .live_session(&first.id_hash, base_time())
            .await
            .unwrap(),
        Some(first.clone()),
        "a session reads back field by field"
    );
    let at_expiry = first.expires_at;
    assert_eq!(
        store.live_session(&first.id_hash, at_expiry).await.unwrap(),
        None,
        "a session has ended at its expiry"
    );
    assert_eq!(
        store.live_session("id-unknown", base_time()).await.unwrap(),
        None
    );
    assert!(matches!(
        store.create_session(&first).await,
        Err(StoreError::Conflict(_))
    ));

    assert_eq!(store.end_sessions("hash-user_1").await.unwrap(), 2);
    assert!(!live(store, &first).await && !live(store, &second).await);
    assert!(
        live(store, &other_token).await,
        "a session of another token is not ended"
    );
    assert!(live(store, &admin).await);
    assert_eq!(store.end_sessions("hash-user_1").await.unwrap(), 0);
    assert_eq!(
        store.end_sessions("hash-of-the-admin-token").await.unwrap(),
        1
    );
    assert!(!live(store, &admin).await);
}

pub async fn creating_a_session_prunes_expired_ones(store: &S) {
    seed(store).await;
    let old = session("old", "user_2", "hash-user_2", 1);
    store.create_session(&old).await.unwrap();
    let mut later = session("later", "user_3", "hash-user_3", 12);
    later.created_at = old.expires_at + Duration::seconds(1);
    later.expires_at = later.created_at + Duration::hours(12);
    assert!(live(store, &old).await, "kept until a sign-in prunes it");
    store.create_session(&later).await.unwrap();
    assert!(!live(store, &old).await, "the expired row is gone");
    assert!(
        store
            .live_session(&later.id_hash, later.created_at)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn revoking_a_principals_tokens_ends_its_tokens_and_sessions_and_nothing_else(store: &S) {
    seed(store).await;
    store.add_token("user_1", "second-hash").await.unwrap();
    let mine = session("mine", "user_1", "hash-user_1", 12);
    let mine_too = session("mine-too", "user_1", "second-hash", 12);
    let theirs = session("theirs", "user_2", "hash-user_2", 12);
    for s in [&mine, &mine_too, &theirs] {
        store.create_session(s).await.unwrap();
    }
    assert_eq!(store.revoke_tokens("user_1").await.unwrap(), 2);
    for hash in ["hash-user_1", "second-hash"] {
        assert_eq!(store.principal_by_token(hash).await.unwrap(), None);
    }
    assert!(!live(store, &mine).await && !live(store, &mine_too).await);
    assert!(live(store, &theirs).await);
    assert!(
        store
            .principal_by_token("hash-user_2")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.get_principal("user_1").await.unwrap().id,
        "user_1",
        "the principal stays; a new token brings it back"
    );
    assert_eq!(store.revoke_tokens("user_1").await.unwrap(), 0);
    store.add_token("user_1", "third-hash").await.unwrap();
    assert!(
        store
            .principal_by_token("third-hash")
            .await
            .unwrap()
            .is_some()
    );
    assert!(matches!(
        store.revoke_tokens("nobody").await,
        Err(StoreError::NotFound(_))
    ));
}
