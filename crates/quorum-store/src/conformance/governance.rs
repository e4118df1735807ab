//! Governance conformance: votes, decisions, hand-off, expiry and the event log.

use std::sync::Arc;

use chrono::Duration;
use quorum_domain::ids::new_id;
use quorum_domain::{Decision, Threshold, VoteChoice, WorkflowStatus};

use super::*;
use crate::*;

pub(crate) fn vote(workflow_id: &str, user: &str, choice: VoteChoice) -> NewVote {
    NewVote {
        id: new_id("vote"),
        workflow_id: workflow_id.into(),
        user_id: user.into(),
        vote: choice,
        reason: format!("{user} says {}", choice.as_str()),
        digest: "digest".into(),
        voted_at: quorum_domain::time::now(),
        cast_by: None,
    }
}

pub(crate) async fn pending(store: &S, members: usize, threshold: Threshold) -> String {
    let mut new = new_workflow("agent_a", "council_media", base_time());
    new.electorate = (0..members).map(|i| format!("member_{i}")).collect();
    new.rule = threshold.into();
    store.create_workflow(&new).await.unwrap();
    new.id
}

/// Casts `choices` in order and returns the decision after each vote.
async fn run(
    store: &S,
    members: usize,
    threshold: Threshold,
    choices: &[VoteChoice],
) -> Vec<Option<Decision>> {
    let id = pending(store, members, threshold).await;
    let mut decisions = Vec::new();
    for (i, choice) in choices.iter().enumerate() {
        let outcome = store
            .cast_vote(&vote(&id, &format!("member_{i}"), *choice))
            .await
            .unwrap();
        decisions.push(outcome.decided);
    }
    decisions
}

pub async fn votes_decide_as_soon_as_the_outcome_is_certain(store: &S) {
    use Decision::*;
    use VoteChoice::*;
    seed(store).await;
    let majority = Threshold::SimpleMajority;
    // Councils of one to seven: all approvals decide at ⌊n/2⌋ + 1 votes.
    for n in 1..=7 {
        let decisions = run(store, n, majority, &vec![Approve; n / 2 + 1]).await;
        let mut expected = vec![None; n / 2];
        expected.push(Some(Approved));
        assert_eq!(decisions, expected, "{n} members, all approving");
    }
    // Rejection as soon as a majority is out of reach; abstentions do not approve.
    assert_eq!(run(store, 1, majority, &[Reject]).await, [Some(Rejected)]);
    assert_eq!(
        run(store, 2, majority, &[Approve, Abstain]).await,
        [None, Some(Rejected)]
    );
    assert_eq!(
        run(store, 4, majority, &[Approve, Reject, Approve]).await,
        [None, None, None]
    );
    assert_eq!(
        run(store, 4, majority, &[Approve, Reject, Abstain]).await,
        [None, None, Some(Rejected)]
    );
    assert_eq!(
        run(store, 5, majority, &[Reject, Abstain, Approve, Reject]).await,
        [None, None, None, Some(Rejected)]
    );
    assert_eq!(
        run(
            store,
            6,
            majority,
            &[Approve, Approve, Abstain, Approve, Approve]
        )
        .await,
        [None, None, None, None, Some(Approved)]
    );
    assert_eq!(
        run(store, 7, majority, &[Reject, Reject, Reject, Reject]).await,
        [None, None, None, Some(Rejected)]
    );
    assert_eq!(
        run(store, 3, Threshold::Unanimous, &[Approve, Abstain]).await,
        [None, Some(Rejected)]
    );
    assert_eq!(
        run(store, 3, Threshold::Unanimous, &[Approve, Approve, Approve]).await,
        [None, None, Some(Approved)]
    );
    assert_eq!(
        run(store, 5, Threshold::AtLeast(2), &[Reject, Approve, Approve]).await,
        [None, None, Some(Approved)]
    );
    assert_eq!(
        run(store, 3, Threshold::AtLeast(2), &[Reject, Reject]).await,
        [None, Some(Rejected)]
    );
    assert_aggregates_exact(store).await;
}

pub async fn a_decision_approves_and_queues_or_rejects_and_cancels(store: &S) {
    seed(store).await;
    let approved = pending(store, 3, Threshold::SimpleMajority).await;
    store
        .cast_vote(&vote(&approved, "member_0", VoteChoice::Approve))
        .await
        .unwrap();
    let outcome = store
        .cast_vote(&vote(&approved, "member_1", VoteChoice::Approve))
        .await
        .unwrap();
    assert_eq!(outcome.workflow.status, WorkflowStatus::Pending);
    assert_eq!(
        outcome.workflow.decision.map(|d| d.as_str()),
        Some("approved")
    );
    assert!(
        outcome.workflow.queued_at.is_some(),
        "approval hands the workflow to execution"
    );
    assert!(
        matches!(
            store.enqueue(&approved, "admin", base_time()).await,
            Err(StoreError::Conflict(_))
        ),
        "only once"
    );
    let late = store
        .cast_vote(&vote(&approved, "member_2", VoteChoice::Reject))
        .await;
    assert!(
        matches!(late, Err(StoreError::Conflict(_))),
        "no vote after the decision"
    );

    let rejected = pending(store, 3, Threshold::SimpleMajority).await;
    store
        .cast_vote(&vote(&rejected, "member_0", VoteChoice::Reject))
        .await
        .unwrap();
    let twice = store
        .cast_vote(&vote(&rejected, "member_0", VoteChoice::Approve))
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict(_))),
        "one vote per member"
    );
    let outcome = store
        .cast_vote(&vote(&rejected, "member_1", VoteChoice::Reject))
        .await
        .unwrap();
    assert_eq!(outcome.workflow.status, WorkflowStatus::Cancelled);
    assert_eq!(
        outcome.workflow.decision.map(|d| d.as_str()),
        Some("rejected")
    );
    assert!(outcome.workflow.completed_at.is_some());
    let detail = store.get_workflow(&rejected).await.unwrap();
    assert_eq!(detail.votes.len(), 2);
    let events: Vec<&str> = detail.audit.iter().map(|a| a.event.as_str()).collect();
    assert_eq!(events, ["created", "voted", "voted", "decided"]);
    let mut wrong = vote(&rejected, "member_2", VoteChoice::Approve);
    wrong.digest = "other".into();
    assert!(matches!(
        store.cast_vote(&wrong).await,
        Err(StoreError::Conflict(_))
    ));

    let held = pending(store, 3, Threshold::SimpleMajority).await;
    let mut changed = vote(&held, "member_0", VoteChoice::Approve);
    changed.digest = "not what was created".into();
    assert!(
        matches!(
            store.cast_vote(&changed).await,
            Err(StoreError::Conflict(_))
        ),
        "a vote binds to the digest"
    );
    assert_aggregates_exact(store).await;
}

pub async fn concurrent_votes_make_exactly_one_decision(store: &S) {
    seed(store).await;
    for run in 0..100 {
        let id = pending(store, 5, Threshold::SimpleMajority).await;
        let barrier = Arc::new(tokio::sync::Barrier::new(5));
        let mut tasks = Vec::new();
        for member in 0..5 {
            let (store, barrier, id) = (store.clone(), barrier.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store
                    .cast_vote(&vote(&id, &format!("member_{member}"), VoteChoice::Approve))
                    .await
            }));
        }
        let mut decisions = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(outcome) => decisions += usize::from(outcome.decided.is_some()),
                Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("run {run}: {e}"),
            }
        }
        assert_eq!(decisions, 1, "run {run}: exactly one vote decides");
        let detail = store.get_workflow(&id).await.unwrap();
        assert_eq!(
            detail
                .audit
                .iter()
                .filter(|a| a.event.as_str() == "decided")
                .count(),
            1,
            "run {run}"
        );
        assert_eq!(
            detail.votes.len(),
            3,
            "run {run}: votes after the decision are refused"
        );
        assert!(detail.workflow.queued_at.is_some(), "run {run}: handed off");
        let handoffs = store
            .events_after(0, &EventFilter::default(), 10_000)
            .await
            .unwrap();
        assert_eq!(
            handoffs
                .iter()
                .filter(|e| e.workflow_id == id && e.kind.as_str() == "decided")
                .count(),
            1,
            "run {run}: one hand-off"
        );
    }
}

/// A council of five with a required member and a veto: all five vote at once, the veto
/// rejecting in half the runs. Exactly one vote decides, and the decision is the rule's for the
/// votes recorded before it.
pub async fn concurrent_votes_decide_once_by_required_and_veto_members(store: &S) {
    seed(store).await;
    let rule = quorum_domain::Rule {
        threshold: Threshold::SimpleMajority,
        required: vec!["member_0".into()],
        veto: vec!["member_4".into()],
    };
    for run in 0..100 {
        let mut new = new_workflow("agent_a", "council_media", base_time());
        new.electorate = (0..5).map(|i| format!("member_{i}")).collect();
        new.rule = rule.clone();
        store.create_workflow(&new).await.unwrap();
        let id = new.id;
        let veto_rejects = run % 2 == 0;
        let barrier = Arc::new(tokio::sync::Barrier::new(5));
        let mut tasks = Vec::new();
        for member in 0..5 {
            let (store, barrier, id) = (store.clone(), barrier.clone(), id.clone());
            let choice = match member == 4 && veto_rejects {
                true => VoteChoice::Reject,
                false => VoteChoice::Approve,
            };
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store
                    .cast_vote(&vote(&id, &format!("member_{member}"), choice))
                    .await
            }));
        }
        let mut decided = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(outcome) => decided.extend(outcome.decided),
                Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("run {run}: {e}"),
            }
        }
        assert_eq!(decided.len(), 1, "run {run}: exactly one vote decides");
        let detail = store.get_workflow(&id).await.unwrap();
        let expected = rule
            .decide(5, detail.votes.iter().map(|v| (v.user_id.as_str(), v.vote)))
            .map(|v| v.decision);
        assert_eq!(expected, Some(decided[0]), "run {run}: {:?}", detail.votes);
        if !veto_rejects {
            assert_eq!(decided[0], Decision::Approved, "run {run}");
        }
        let decisions = detail
            .audit
            .iter()
            .filter(|a| a.event.as_str() == "decided")
            .count();
        assert_eq!(decisions, 1, "run {run}");
    }
}

/// A vote a delegate casts is the member's: the member's own is then refused, and the audit
/// names the delegate as the one who acted, for the member.
pub async fn a_delegates_vote_counts_once_as_the_members(store: &S) {
    seed(store).await;
    let id = pending(store, 3, Threshold::Unanimous).await;
    let mut delegated = vote(&id, "member_0", VoteChoice::Approve);
    delegated.cast_by = Some("member_9".into());
    let outcome = store.cast_vote(&delegated).await.unwrap();
    assert_eq!(outcome.vote.cast_by.as_deref(), Some("member_9"));
    let own = store
        .cast_vote(&vote(&id, "member_0", VoteChoice::Reject))
        .await;
    assert!(matches!(own, Err(StoreError::Conflict(_))), "{own:?}");
    let detail = store.get_workflow(&id).await.unwrap();
    assert_eq!(detail.votes.len(), 1);
    assert_eq!(detail.votes[0].user_id, "member_0");
    assert_eq!(detail.votes[0].cast_by.as_deref(), Some("member_9"));
    let voted = detail
        .audit
        .iter()
        .find(|a| a.event.as_str() == "voted")
        .unwrap();
    assert_eq!(voted.actor, "member_9");
    assert!(
        voted
            .reason
            .as_deref()
            .unwrap()
            .starts_with("approve for member_0 as their delegate"),
        "{voted:?}"
    );
}

/// An escalation is guarded by the deadline that passed: a second sweeper neither escalates the
/// workflow again nor expires it under its new council's window.
pub async fn an_escalation_happens_once_and_is_not_then_expired(store: &S) {
    seed(store).await;
    let deadline = base_time() + Duration::hours(1);
    let mut new = new_workflow("agent_a", "council_media", base_time());
    new.voting_deadline = Some(deadline);
    store.create_workflow(&new).await.unwrap();
    store
        .cast_vote(&vote(&new.id, "user_1", VoteChoice::Approve))
        .await
        .unwrap();
    let closed = base_time() + Duration::hours(2);
    let escalation = Reassignment {
        workflow_id: new.id.clone(),
        council_id: "council_commerce".into(),
        electorate: vec!["member_7".into(), "member_8".into()],
        rule: Threshold::Unanimous.into(),
        voting_deadline: Some(closed + Duration::hours(24)),
        actor: "system".into(),
        reason: "escalated".into(),
        at: closed,
        expired_deadline: Some(deadline),
    };
    store.reassign(&escalation).await.unwrap();
    assert!(
        matches!(
            store.reassign(&escalation).await,
            Err(StoreError::Conflict(_))
        ),
        "the second sweeper's escalation loses"
    );
    let stale_expiry = Transition {
        workflow_id: new.id.clone(),
        from: WorkflowStatus::Pending,
        to: WorkflowStatus::Cancelled,
        decision: Some(Decision::Expired),
        outputs: None,
        error: None,
        actor: "system".into(),
        event: quorum_domain::EventKind::Expired,
        reason: None,
        at: closed,
        require_undecided: true,
        metric: None,
    };
    assert!(
        matches!(
            store.transition(&stale_expiry).await,
            Err(StoreError::Conflict(_))
        ),
        "a sweeper that read the old deadline cannot expire it"
    );
    let detail = store.get_workflow(&new.id).await.unwrap();
    assert_eq!(detail.workflow.assigned_council_id, "council_commerce");
    assert_eq!(detail.workflow.status, WorkflowStatus::Pending);
    // The old council's vote is on record; the new electorate decides alone.
    let outcome = store
        .cast_vote(&vote(&new.id, "member_7", VoteChoice::Approve))
        .await
        .unwrap();
    assert_eq!(outcome.decided, None, "one of two, unanimity needs both");
    let outcome = store
        .cast_vote(&vote(&new.id, "member_8", VoteChoice::Approve))
        .await
        .unwrap();
    assert_eq!(outcome.decided, Some(Decision::Approved));
    assert_aggregates_exact(store).await;
}

/// The queue's pages: by age either way, or soonest deadline first with those without one
/// after, newest first; decided workflows and other councils' are never in them.
pub async fn the_queue_pages_undecided_workflows_in_each_order(store: &S) {
    seed(store).await;
    let mut ids = Vec::new();
    for (i, deadline) in [None, Some(30), None, Some(10), None]
        .into_iter()
        .enumerate()
    {
        let mut new = new_workflow(
            "agent_a",
            "council_media",
            base_time() + Duration::minutes(i as i64),
        );
        new.voting_deadline = deadline.map(|h| base_time() + Duration::hours(h));
        store.create_workflow(&new).await.unwrap();
        ids.push(new.id);
    }
    let mut other = new_workflow("agent_a", "council_commerce", base_time());
    other.voting_deadline = Some(base_time());
    store.create_workflow(&other).await.unwrap();
    let mut decided = new_workflow("agent_a", "council_media", base_time());
    decided.decision = Some(Decision::Approved);
    decided.electorate = Vec::new();
    store.create_workflow(&decided).await.unwrap();
    let page = |order, limit, offset| {
        let store = store.clone();
        async move {
            let media = ["council_media".to_owned()];
            store
                .undecided(&media, order, limit, offset)
                .await
                .unwrap()
                .into_iter()
                .map(|w| w.id)
                .collect::<Vec<_>>()
        }
    };
    let by = |picks: &[usize]| picks.iter().map(|&i| ids[i].clone()).collect::<Vec<_>>();
    assert_eq!(page(QueueOrder::Newest, 10, 0).await, by(&[4, 3, 2, 1, 0]));
    assert_eq!(page(QueueOrder::Oldest, 2, 1).await, by(&[1, 2]));
    assert_eq!(page(QueueOrder::Deadline, 3, 0).await, by(&[3, 1, 4]));
    assert_eq!(page(QueueOrder::Deadline, 3, 1).await, by(&[1, 4, 2]));
    assert_eq!(page(QueueOrder::Deadline, 3, 3).await, by(&[2, 0]));
    let everyone = store
        .undecided(&[], QueueOrder::Deadline, 1, 0)
        .await
        .unwrap();
    assert_eq!(everyone[0].id, other.id, "every council's, soonest first");
}

pub async fn only_undecided_overdue_workflows_expire(store: &S) {
    seed(store).await;
    let mut overdue = new_workflow("agent_a", "council_media", base_time());
    overdue.voting_deadline = Some(base_time() + Duration::hours(1));
    store.create_workflow(&overdue).await.unwrap();
    let mut later = new_workflow("agent_a", "council_media", base_time());
    later.voting_deadline = Some(base_time() + Duration::hours(100));
    store.create_workflow(&later).await.unwrap();
    let mut decided = new_workflow("agent_a", "council_media", base_time());
    decided.voting_deadline = Some(base_time());
    decided.electorate = vec!["member_0".into()];
    store.create_workflow(&decided).await.unwrap();
    store
        .cast_vote(&vote(&decided.id, "member_0", VoteChoice::Approve))
        .await
        .unwrap();
    let due = store
        .due_for_expiry(base_time() + Duration::hours(2), 10)
        .await
        .unwrap();
    assert_eq!(due, [overdue.id.clone()]);
    let expire = Transition {
        workflow_id: decided.id.clone(),
        from: WorkflowStatus::Pending,
        to: WorkflowStatus::Cancelled,
        decision: Some(Decision::Expired),
        outputs: None,
        error: None,
        actor: "system".into(),
        event: quorum_domain::EventKind::Expired,
        reason: None,
        at: base_time() + Duration::hours(2),
        require_undecided: true,
        metric: None,
    };
    assert!(
        matches!(
            store.transition(&expire).await,
            Err(StoreError::Conflict(_))
        ),
        "an approval is never expired"
    );
    let expired = store
        .transition(&Transition {
            workflow_id: overdue.id.clone(),
            ..expire
        })
        .await
        .unwrap();
    assert_eq!(
        (expired.status, expired.decision.map(|d| d.as_str())),
        (WorkflowStatus::Cancelled, Some("expired"))
    );
    assert!(
        store
            .due_for_expiry(base_time() + Duration::hours(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
