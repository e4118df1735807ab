//! Signing-key conformance: the first key is kept once however many processes race to make
//! it, a rotation retires the current key and forgets long-retired ones, and concurrent
//! rotations leave one current key.

use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::*;

fn key(id: &str, minutes: i64) -> SigningKey {
    SigningKey {
        id: id.into(),
        secret: format!("secret of {id}\0\u{ff}").into_bytes(),
        created_at: base_time() + Duration::minutes(minutes),
        retired_at: None,
    }
}

/// Every key kept, however long ago it was retired.
async fn all_keys(store: &S) -> Vec<SigningKey> {
    store
        .signing_keys(base_time() - Duration::days(365))
        .await
        .unwrap()
}

fn current(keys: &[SigningKey]) -> Vec<&str> {
    keys.iter()
        .filter(|k| k.retired_at.is_none())
        .map(|k| k.id.as_str())
        .collect()
}

pub async fn the_first_signing_key_is_kept_once_and_reads_back(store: &S) {
    store.migrate().await.unwrap();
    assert_eq!(all_keys(store).await, [], "a new database has no key");
    let first = key("key_first", 0);
    assert!(store.add_first_signing_key(&first).await.unwrap());
    assert!(
        !store
            .add_first_signing_key(&key("key_second", 1))
            .await
            .unwrap(),
        "a current key exists"
    );
    assert_eq!(
        all_keys(store).await,
        vec![first.clone()],
        "the key reads back byte for byte"
    );
    assert!(
        !store.add_first_signing_key(&first).await.unwrap(),
        "the same key again changes nothing"
    );
}

pub async fn concurrent_first_keys_leave_exactly_one_current_key(store: &S) {
    store.migrate().await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .add_first_signing_key(&key(&format!("key_{n}"), 0))
                .await
                .unwrap()
        }));
    }
    let mut kept = 0;
    for task in tasks {
        kept += usize::from(task.await.unwrap());
    }
    assert_eq!(kept, 1, "one process makes the key");
    let keys = all_keys(store).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(current(&keys).len(), 1);
}

pub async fn rotating_retires_the_current_key_and_forgets_long_retired_ones(store: &S) {
    store.migrate().await.unwrap();
    let first = key("key_1", 0);
    store.add_first_signing_key(&first).await.unwrap();
    let second = key("key_2", 60);
    store
        .rotate_signing_key(&second, base_time() - Duration::hours(12))
        .await
        .unwrap();
    let keys = all_keys(store).await;
    assert_eq!(
        keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["key_2", "key_1"],
        "newest first"
    );
    assert_eq!(keys[0], second);
    assert_eq!(
        keys[1].retired_at,
        Some(second.created_at),
        "retired when its successor was made"
    );
    assert_eq!(keys[1].secret, first.secret);
    assert_eq!(
        store.signing_keys(second.created_at).await.unwrap(),
        vec![second],
        "a key retired before `retired_after` is not offered"
    );
    assert!(
        !store
            .add_first_signing_key(&key("key_x", 70))
            .await
            .unwrap()
    );

    // A day later: the second rotation forgets the key retired more than 12 hours before.
    let third = key("key_3", 60 * 24);
    store
        .rotate_signing_key(&third, third.created_at - Duration::hours(12))
        .await
        .unwrap();
    let keys = all_keys(store).await;
    assert_eq!(
        keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["key_3", "key_2"]
    );
    assert_eq!(current(&keys), ["key_3"]);

    // Rotating a database that has no key yet makes the first one.
    let fresh = key("key_4", 60 * 25);
    store.rotate_signing_key(&fresh, base_time()).await.unwrap();
    assert_eq!(current(&all_keys(store).await), ["key_4"]);
}

pub async fn concurrent_rotations_run_one_after_the_other(store: &S) {
    store.migrate().await.unwrap();
    store.add_first_signing_key(&key("key_0", 0)).await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(6));
    let mut tasks = Vec::new();
    for n in 1..=6 {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .rotate_signing_key(&key(&format!("key_{n}"), n), base_time())
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("a rotation waits for another");
    }
    let keys = all_keys(store).await;
    assert_eq!(keys.len(), 7, "{keys:?}");
    assert_eq!(current(&keys).len(), 1, "{keys:?}");
}
