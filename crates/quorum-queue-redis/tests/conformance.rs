//! The queue conformance suite on Redis Streams, and what only Redis can do wrong: a consumer
//! dying with entries pending, very large batches, leftover keys.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use quorum_queue::conformance::QueueFixture;
use quorum_queue::{Job, Queue, QueueError};
use quorum_queue_redis::RedisQueue;
use rand::RngExt;
use rand::distr::Alphanumeric;
use redis::Commands;

fn redis_url() -> String {
    std::env::var("QUORUM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn random(n: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// Deletes a test's keys when the test ends, passed or failed. The Redis is shared, so a test
/// owns a random prefix and never flushes the database.
struct Keys {
    url: String,
    prefix: String,
}

impl Keys {
    fn remaining(&self) -> redis::RedisResult<Vec<String>> {
        let mut connection = redis::Client::open(self.url.as_str())?.get_connection()?;
        let keys = connection
            .scan_match::<_, String>(format!("{}:*", self.prefix))?
            .collect::<redis::RedisResult<Vec<String>>>()?;
        Ok(keys)
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let deleted = self.remaining().and_then(|keys| {
            if keys.is_empty() {
                return Ok(());
            }
            let mut connection = redis::Client::open(self.url.as_str())?.get_connection()?;
            redis::cmd("DEL").arg(keys).exec(&mut connection)
        });
        if let Err(e) = deleted {
            eprintln!("could not delete the test keys under {}: {e}", self.prefix);
        }
    }
}

struct RedisFixture {
    queue: Arc<RedisQueue>,
    keys: Keys,
}

#[async_trait]
impl QueueFixture for RedisFixture {
    fn queue(&self) -> Arc<dyn Queue> {
        self.queue.clone()
    }

    async fn workflows(&self, n: usize) -> Vec<String> {
        (0..n).map(|_| format!("wf_{}", random(16))).collect()
    }
}

async fn fresh() -> Option<RedisFixture> {
    let url = redis_url();
    let prefix = format!("quorum_test_{}", random(12));
    let connected = match RedisQueue::connect(&url, &prefix).await {
        Ok(queue) => queue.ping().await.map(|()| queue),
        Err(e) => Err(e),
    };
    match connected {
        Ok(queue) => Some(RedisFixture {
            queue: Arc::new(queue),
            keys: Keys { url, prefix },
        }),
        Err(e) => {
            quorum_testkit::skip(
                "Redis",
                &format!("not reachable at {url}: {e}"),
                quorum_testkit::REDIS_HOW,
            );
            None
        }
    }
}

quorum_queue::queue_conformance_suite!(fresh());

const LEASE: Duration = Duration::from_secs(30);

async fn enqueue_new(f: &RedisFixture, n: usize) -> Vec<String> {
    let ids = f.workflows(n).await;
    let jobs: Vec<Job> = ids.iter().map(Job::now).collect();
    assert_eq!(f.queue.enqueue(&jobs).await.unwrap(), n as u64);
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_of_a_consumer_that_died_are_reclaimed_by_another_once_the_lease_runs_out() {
    let Some(f) = fresh().await else { return };
    enqueue_new(&f, 5).await;
    let lease = Duration::from_millis(300);
    let dead = f.queue.claim("w-dead", 10, lease).await.unwrap();
    assert_eq!(dead.len(), 5);
    assert!(
        f.queue
            .claim("w-alive", 10, lease)
            .await
            .unwrap()
            .is_empty(),
        "pending on the dead consumer, lease running"
    );

    tokio::time::sleep(Duration::from_millis(450)).await;
    let reclaimed = f.queue.claim("w-alive", 10, lease).await.unwrap();
    assert_eq!(reclaimed.len(), 5, "XAUTOCLAIM takes all of them over");
    assert!(
        reclaimed
            .iter()
            .all(|l| l.attempt == 2 && l.worker == "w-alive")
    );
    assert_eq!(
        f.queue.ack(&dead).await.unwrap(),
        0,
        "the dead consumer is fenced"
    );
    assert_eq!(f.queue.ack(&reclaimed).await.unwrap(), 5);
    assert_eq!(f.queue.depth().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_reclaims_its_own_expired_lease_fences_its_old_lease() {
    let Some(f) = fresh().await else { return };
    enqueue_new(&f, 1).await;
    let lease = Duration::from_millis(200);
    let first = f.queue.claim("w1", 1, lease).await.unwrap().remove(0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = f.queue.claim("w1", 1, lease).await.unwrap().remove(0);
    assert_eq!((second.id.as_str(), second.attempt), (first.id.as_str(), 2));
    assert!(!f.queue.renew(&first, lease).await.unwrap());
    assert!(!f.queue.release(&first, Duration::ZERO).await.unwrap());
    assert!(f.queue.release(&second, Duration::ZERO).await.unwrap());
    let third = f.queue.claim("w2", 1, lease).await.unwrap().remove(0);
    assert_eq!(third.attempt, 3, "released attempts carry over");
    assert_eq!(f.queue.ack(&[third]).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_deep_in_a_long_pending_list_is_found_by_the_sweep() {
    let Some(f) = fresh().await else { return };
    enqueue_new(&f, 200).await;
    let lease = Duration::from_millis(1_000);
    let mut held = f.queue.claim("w1", 200, lease).await.unwrap();
    assert_eq!(held.len(), 200);
    let abandoned = held.pop().unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    for l in &held {
        assert!(f.queue.renew(l, lease).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(600)).await;

    // One claim scans a bounded stretch of the pending list and resumes where it stopped.
    let mut found = None;
    for _ in 0..10 {
        if let Some(l) = f.queue.claim("w2", 1, lease).await.unwrap().pop() {
            found = Some(l);
            break;
        }
    }
    let found = found.expect("the sweep reaches the last pending entry");
    assert_eq!((&found.id, found.attempt), (&abandoned.id, 2));
    held.push(found);
    assert_eq!(f.queue.ack(&held).await.unwrap(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_jobs_enqueue_in_one_call_and_leave_no_keys_once_done() {
    let Some(f) = fresh().await else { return };
    let ids = enqueue_new(&f, 10_000).await;
    assert_eq!(
        f.queue
            .enqueue(&ids.iter().map(Job::now).collect::<Vec<_>>())
            .await
            .unwrap(),
        0
    );
    assert_eq!(f.queue.depth().await.unwrap(), 10_000);
    let mut done = 0;
    loop {
        let batch = f.queue.claim("w1", 500, LEASE).await.unwrap();
        if batch.is_empty() {
            break;
        }
        done += f.queue.ack(&batch).await.unwrap();
    }
    assert_eq!(done, 10_000);
    assert_eq!(f.queue.depth().await.unwrap(), 0);
    assert_eq!(
        f.keys.remaining().unwrap(),
        Vec::<String>::new(),
        "keys left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_id_from_another_backend_is_an_error_not_a_panic() {
    let Some(f) = fresh().await else { return };
    let lease = quorum_queue::Lease {
        id: "42".into(),
        workflow_id: "wf_x".into(),
        attempt: 1,
        worker: "w1".into(),
    };
    assert!(matches!(
        f.queue.ack(&[lease]).await,
        Err(QueueError::Other(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_there_is_unavailable() {
    match RedisQueue::connect("redis://127.0.0.1:1", "quorum").await {
        Err(QueueError::Unavailable(_)) => {}
        Err(e) => panic!("expected Unavailable, got {e}"),
        Ok(_) => panic!("connected to a closed port"),
    }
}

/// `cargo test -p quorum-queue-redis --release -- --ignored --nocapture throughput`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn throughput_of_enqueue_claim_and_ack_in_batches_of_100() {
    let Some(f) = fresh().await else { return };
    let ids = f.workflows(20_000).await;
    let started = Instant::now();
    for chunk in ids.chunks(100) {
        let jobs: Vec<Job> = chunk.iter().map(Job::now).collect();
        f.queue.enqueue(&jobs).await.unwrap();
        let claimed = f.queue.claim("w1", 100, LEASE).await.unwrap();
        assert_eq!(f.queue.ack(&claimed).await.unwrap(), claimed.len() as u64);
    }
    let elapsed = started.elapsed();
    assert_eq!(f.queue.depth().await.unwrap(), 0);
    eprintln!(
        "20,000 jobs enqueued, claimed and acknowledged in {elapsed:?}: {:.0} jobs/s",
        20_000.0 / elapsed.as_secs_f64()
    );
}
