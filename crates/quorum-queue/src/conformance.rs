//! The queue conformance suite: every backend (the database queue on SQLite and on
//! PostgreSQL, Redis Streams) runs these same tests through `queue_conformance_suite!`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::{Job, Lease, Queue};

/// A fresh, empty queue and a way to name workflows it may carry.
#[async_trait]
pub trait QueueFixture: Send + Sync {
    fn queue(&self) -> Arc<dyn Queue>;
    /// Ids of `n` new workflows (the database queue needs them to exist).
    async fn workflows(&self, n: usize) -> Vec<String>;
}

#[macro_export]
macro_rules! queue_conformance_suite {
    ($fresh:expr) => {
        $crate::queue_conformance_suite!(@each $fresh;
            jobs_come_out_by_priority_then_age_and_not_before_they_are_due,
            eight_concurrent_claimers_never_share_a_job,
            an_expired_lease_is_delivered_again_and_the_old_lease_is_fenced,
            a_released_job_waits_out_its_delay,
            ack_removes_and_a_workflow_is_queued_once_at_a_time,
            a_finished_job_is_acknowledged_as_the_next_is_claimed
        );
    };
    (@each $fresh:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fixture) = $fresh.await else { return };
                $crate::conformance::$name(&fixture).await;
            }
        )*
    };
}

const LEASE: Duration = Duration::from_secs(30);

async fn claim_one(queue: &Arc<dyn Queue>, worker: &str, lease: Duration) -> Option<Lease> {
    let mut claimed = queue.claim(worker, 1, lease).await.expect("claim");
    assert!(claimed.len() <= 1, "claim returned more than asked for");
    claimed.pop()
}

fn job(id: &str, priority: i64) -> Job {
    Job {
        workflow_id: id.to_owned(),
        priority,
        not_before: None,
    }
}

pub async fn jobs_come_out_by_priority_then_age_and_not_before_they_are_due(f: &impl QueueFixture) {
    let queue = f.queue();
    let ids = f.workflows(5).await;
    let [old, young, urgent, later, future] = <[String; 5]>::try_from(ids).unwrap();
    for j in [
        job(&old, 0),
        job(&young, 0),
        job(&urgent, 10),
        job(&later, 10),
    ] {
        assert_eq!(queue.enqueue(&[j]).await.unwrap(), 1);
    }
    let not_yet = Job {
        not_before: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
        ..job(&future, 99)
    };
    assert_eq!(queue.enqueue(&[not_yet]).await.unwrap(), 1);
    assert_eq!(queue.depth().await.unwrap(), 5);

    let first = claim_one(&queue, "w1", LEASE).await.unwrap();
    let rest = queue.claim("w1", 10, LEASE).await.unwrap();
    let order: Vec<&str> = std::iter::once(&first)
        .chain(&rest)
        .map(|l| l.workflow_id.as_str())
        .collect();
    assert_eq!(
        order,
        [&urgent, &later, &old, &young],
        "priority first, then age; a job not yet due waits"
    );
    assert!(rest.iter().chain([&first]).all(|l| l.attempt == 1));
    assert_eq!(queue.ack(&rest).await.unwrap(), 3);
    assert_eq!(queue.ack(&[first]).await.unwrap(), 1);
    assert_eq!(
        queue.depth().await.unwrap(),
        1,
        "the future job is still queued"
    );
}

pub async fn eight_concurrent_claimers_never_share_a_job(f: &impl QueueFixture) {
    let queue = f.queue();
    let ids = f.workflows(200).await;
    let jobs: Vec<Job> = ids.iter().map(|id| job(id, 0)).collect();
    assert_eq!(queue.enqueue(&jobs).await.unwrap(), 200);
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (queue, barrier) = (queue.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut mine = Vec::new();
            loop {
                let batch = queue.claim(&format!("w{worker}"), 3, LEASE).await.unwrap();
                if batch.is_empty() {
                    break mine;
                }
                mine.extend(batch);
            }
        }));
    }
    let mut claimed: Vec<Lease> = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    let distinct: HashSet<&str> = claimed.iter().map(|l| l.workflow_id.as_str()).collect();
    assert_eq!(
        (claimed.len(), distinct.len()),
        (200, 200),
        "each job claimed exactly once"
    );
    assert_eq!(distinct, ids.iter().map(String::as_str).collect());
    assert_eq!(queue.ack(&claimed).await.unwrap(), 200);
    assert_eq!(queue.depth().await.unwrap(), 0, "ack removes");
}

pub async fn an_expired_lease_is_delivered_again_and_the_old_lease_is_fenced(
    f: &impl QueueFixture,
) {
    let queue = f.queue();
    let id = f.workflows(1).await.remove(0);
    queue.enqueue(&[job(&id, 0)]).await.unwrap();
    let short = Duration::from_millis(600);
    let first = claim_one(&queue, "w1", short).await.unwrap();
    assert_eq!(first.attempt, 1);
    assert!(claim_one(&queue, "w2", short).await.is_none(), "held");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        queue.renew(&first, short).await.unwrap(),
        "a heartbeat extends the lease"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        claim_one(&queue, "w2", short).await.is_none(),
        "still held: the heartbeat moved the deadline"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second = claim_one(&queue, "w2", short)
        .await
        .expect("delivered again once the lease expired");
    assert_eq!(second.workflow_id, id);
    assert_eq!(second.attempt, 2);
    assert!(
        !queue.renew(&first, short).await.unwrap(),
        "the first lease is fenced off"
    );
    assert_eq!(queue.ack(std::slice::from_ref(&first)).await.unwrap(), 0);
    assert!(!queue.release(&first, Duration::ZERO).await.unwrap());
    assert_eq!(queue.ack(&[second]).await.unwrap(), 1);
    assert_eq!(queue.depth().await.unwrap(), 0);
}

pub async fn a_released_job_waits_out_its_delay(f: &impl QueueFixture) {
    let queue = f.queue();
    let id = f.workflows(1).await.remove(0);
    queue.enqueue(&[job(&id, 0)]).await.unwrap();
    let first = claim_one(&queue, "w1", LEASE).await.unwrap();
    assert!(
        queue
            .release(&first, Duration::from_millis(500))
            .await
            .unwrap()
    );
    assert_eq!(
        queue.depth().await.unwrap(),
        1,
        "a delayed job still counts"
    );
    assert!(
        claim_one(&queue, "w2", LEASE).await.is_none(),
        "backing off"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let again = claim_one(&queue, "w2", LEASE).await.expect("due again");
    assert_eq!(again.workflow_id, id);
    assert_eq!(again.attempt, 2);
    assert_eq!(queue.ack(&[again]).await.unwrap(), 1);
}

pub async fn ack_removes_and_a_workflow_is_queued_once_at_a_time(f: &impl QueueFixture) {
    let queue = f.queue();
    let id = f.workflows(1).await.remove(0);
    assert_eq!(queue.enqueue(&[job(&id, 0), job(&id, 0)]).await.unwrap(), 1);
    assert_eq!(
        queue.enqueue(&[job(&id, 5)]).await.unwrap(),
        0,
        "queued already"
    );
    let lease = claim_one(&queue, "w1", LEASE).await.unwrap();
    assert_eq!(
        queue.enqueue(&[job(&id, 0)]).await.unwrap(),
        0,
        "held already"
    );
    assert_eq!(queue.ack(std::slice::from_ref(&lease)).await.unwrap(), 1);
    assert_eq!(queue.ack(&[lease]).await.unwrap(), 0, "acknowledged once");
    assert_eq!(queue.depth().await.unwrap(), 0);
    assert!(claim_one(&queue, "w1", LEASE).await.is_none());
    assert_eq!(
        queue.enqueue(&[job(&id, 0)]).await.unwrap(),
        1,
        "once finished, a workflow may be queued again"
    );
    queue.ping().await.unwrap();
}

pub async fn a_finished_job_is_acknowledged_as_the_next_is_claimed(f: &impl QueueFixture) {
    let queue = f.queue();
    let ids = f.workflows(4).await;
    let [first, second, third, expiring] = <[String; 4]>::try_from(ids).unwrap();
    let jobs = [job(&first, 3), job(&second, 2), job(&third, 1)];
    assert_eq!(queue.enqueue(&jobs).await.unwrap(), 3);

    let (acked, mut taken) = queue.ack_and_claim(&[], "w1", 1, LEASE).await.unwrap();
    assert_eq!(acked, 0);
    let one = taken.pop().expect("the first job");
    assert_eq!((one.workflow_id.as_str(), taken.len()), (first.as_str(), 0));

    let (acked, taken) = queue
        .ack_and_claim(std::slice::from_ref(&one), "w1", 1, LEASE)
        .await
        .unwrap();
    assert_eq!(acked, 1, "the finished job is acknowledged");
    let two = taken.into_iter().next().expect("and the next claimed");
    assert_eq!(two.workflow_id, second);
    assert_eq!(queue.depth().await.unwrap(), 2);

    let (acked, taken) = queue
        .ack_and_claim(std::slice::from_ref(&one), "w2", 5, LEASE)
        .await
        .unwrap();
    assert_eq!(acked, 0, "acknowledged once");
    let order: Vec<&str> = taken.iter().map(|l| l.workflow_id.as_str()).collect();
    assert_eq!(order, [third.as_str()], "a held job is not claimed");

    // A finished job whose lease ran out, not yet taken over, is acknowledged and not handed
    // out again by the same call.
    queue.enqueue(&[job(&expiring, 9)]).await.unwrap();
    let short = Duration::from_millis(300);
    let late = claim_one(&queue, "w3", short).await.unwrap();
    assert_eq!(late.workflow_id, expiring);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (acked, taken) = queue
        .ack_and_claim(std::slice::from_ref(&late), "w3", 5, LEASE)
        .await
        .unwrap();
    assert_eq!(
        (acked, taken.len()),
        (1, 0),
        "acknowledged, and nothing else is free"
    );

    // A lease that passed to another worker is fenced: its ack does nothing.
    assert!(
        queue.release(&two, Duration::ZERO).await.unwrap(),
        "handed back"
    );
    let again = claim_one(&queue, "w4", LEASE).await.unwrap();
    assert_eq!(
        (again.workflow_id.as_str(), again.attempt),
        (second.as_str(), 2)
    );
    let (acked, none) = queue
        .ack_and_claim(std::slice::from_ref(&two), "w1", 1, LEASE)
        .await
        .unwrap();
    assert_eq!((acked, none.len()), (0, 0), "the old lease is fenced off");
    assert_eq!(
        queue.depth().await.unwrap(),
        2,
        "second and third still held"
    );
    let (acked, _) = queue.ack_and_claim(&[again], "w4", 0, LEASE).await.unwrap();
    assert_eq!(acked, 1);
    assert_eq!(queue.depth().await.unwrap(), 1);
}
