//! Rate-limit conformance: hits are counted exactly per key and window, however many
//! arrive at once, and expired windows go.

use chrono::Duration;

use super::*;
use crate::*;

const MINUTE: Duration = Duration::minutes(1);

fn hit_of(key: &str, at: chrono::DateTime<chrono::Utc>) -> Hit {
    Hit {
        key: key.into(),
        at,
        window: MINUTE,
    }
}

async fn hit(store: &S, key: &str, at: chrono::DateTime<chrono::Utc>) -> (i64, i64) {
    let counts = store.count_hit(&hit_of(key, at)).await.unwrap();
    assert_eq!(counts.window_start, rate_windows(at, MINUTE).0);
    (counts.current, counts.previous)
}

pub async fn hits_count_per_key_and_window_and_expired_windows_go(store: &S) {
    seed(store).await;
    let at = base_time() + Duration::seconds(10);
    for n in 1..=3 {
        assert_eq!(hit(store, "contact:acme:10.0.0.1", at).await, (n, 0));
    }
    assert_eq!(
        hit(store, "contact:acme:10.0.0.2", at).await,
        (1, 0),
        "another key counts apart"
    );
    assert_eq!(
        hit(store, "contact:acme:10.0.0.1", at + MINUTE).await,
        (1, 3),
        "the next window starts over and sees the previous one"
    );
    assert_eq!(
        hit(store, "contact:acme:10.0.0.1", at + MINUTE * 3).await,
        (1, 0),
        "after an idle window nothing is carried over"
    );
    // That hit removed the windows that had expired: a late hit counted in one starts over.
    assert_eq!(hit(store, "contact:acme:10.0.0.1", at).await, (1, 0));
    assert_eq!(hit(store, "contact:acme:10.0.0.2", at).await, (1, 0));
}

pub async fn twenty_concurrent_hits_are_each_counted_once(store: &S) {
    seed(store).await;
    let at = base_time();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count_hit(&hit_of("contact:acme:10.0.0.9", at)).await })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap().unwrap().current);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<_>>());
    assert_eq!(hit(store, "contact:acme:10.0.0.9", at).await, (21, 0));
}
