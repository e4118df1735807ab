//! The live events every write emits, defined once: each kind with its payload, serialized as
//! the `data` that `GET /api/events` streams. serde_json sorts object keys, so a payload's text
//! does not depend on the order of its fields.

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, EventKind, StepStatus, VoteChoice, WorkflowStatus};
use serde::{Deserialize, Serialize};

/// One change of a workflow, with what a client needs to know of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Event {
    Created {
        status: WorkflowStatus,
    },
    Voted {
        user_id: String,
        vote: VoteChoice,
    },
    /// `queued` (whether execution was handed the workflow with its approval) only for an
    /// approval.
    Decided {
        decision: Decision,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queued: Option<bool>,
    },
    Queued {
        actor: String,
    },
    /// From one council to another.
    Reassigned {
        from: String,
        to: String,
        actor: String,
    },
    /// A step waits for a time; its workflow holds no worker until then.
    StepWaiting {
        position: i64,
        #[serde(with = "quorum_domain::time::rfc3339")]
        until: DateTime<Utc>,
    },
    StepFinished {
        position: i64,
        status: StepStatus,
        error: Option<String>,
    },
    Started(Moved),
    Completed(Moved),
    Failed(Moved),
    Cancelled(Moved),
    Expired(Moved),
}

/// A status change: who made it and why, and the decision it leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub from: WorkflowStatus,
    pub to: WorkflowStatus,
    pub decision: Option<Decision>,
    pub actor: String,
    pub reason: Option<String>,
}

impl Event {
    /// The event a status change named `kind` emits; None for a kind that is not a status
    /// change (created, voted, decided, queued, reassigned, step_finished).
    pub fn moved(kind: EventKind, moved: Moved) -> Option<Self> {
        Some(match kind {
            EventKind::Started => Self::Started(moved),
            EventKind::Completed => Self::Completed(moved),
            EventKind::Failed => Self::Failed(moved),
            EventKind::Cancelled => Self::Cancelled(moved),
            EventKind::Expired => Self::Expired(moved),
            _ => return None,
        })
    }

    pub fn kind(&self) -> EventKind {
        match self {
            Self::Created { .. } => EventKind::Created,
            Self::Voted { .. } => EventKind::Voted,
            Self::Decided { .. } => EventKind::Decided,
            Self::Queued { .. } => EventKind::Queued,
            Self::Reassigned { .. } => EventKind::Reassigned,
            Self::StepWaiting { .. } => EventKind::StepWaiting,
            Self::StepFinished { .. } => EventKind::StepFinished,
            Self::Started(_) => EventKind::Started,
            Self::Completed(_) => EventKind::Completed,
            Self::Failed(_) => EventKind::Failed,
            Self::Cancelled(_) => EventKind::Cancelled,
            Self::Expired(_) => EventKind::Expired,
        }
    }

    /// The payload alone, as stored beside the kind and streamed as `data`.
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => {
                tagged.remove("data").unwrap_or(serde_json::Value::Null)
            }
            // Every variant has a payload of plain fields, which always serialize.
            _ => serde_json::Value::Null,
        }
    }

    /// An event as stored: its kind and payload read back.
    pub fn from_parts(kind: EventKind, data: serde_json::Value) -> serde_json::Result<Self> {
        serde_json::from_value(serde_json::json!({"kind": kind, "data": data}))
    }
}

/// An event to append to the log, with what the stream filters on.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub workflow_id: String,
    pub council_id: String,
    pub agent_id: String,
    pub event: Event,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn moved() -> Moved {
        Moved {
            from: WorkflowStatus::Pending,
            to: WorkflowStatus::Cancelled,
            decision: None,
            actor: "agent_a".into(),
            reason: Some("no longer needed".into()),
        }
    }

    #[test]
    fn payloads_are_the_json_clients_have_always_read() {
        let cases = [
            (
                Event::Created {
                    status: WorkflowStatus::Pending,
                },
                r#"{"status":"PENDING"}"#,
            ),
            (
                Event::Voted {
                    user_id: "user_1".into(),
                    vote: VoteChoice::Approve,
                },
                r#"{"user_id":"user_1","vote":"approve"}"#,
            ),
            (
                Event::Decided {
                    decision: Decision::Approved,
                    queued: Some(false),
                },
                r#"{"decision":"approved","queued":false}"#,
            ),
            (
                Event::Decided {
                    decision: Decision::Rejected,
                    queued: None,
                },
                r#"{"decision":"rejected"}"#,
            ),
            (
                Event::Reassigned {
                    from: "council_media".into(),
                    to: "council_commerce".into(),
                    actor: "admin".into(),
                },
                r#"{"actor":"admin","from":"council_media","to":"council_commerce"}"#,
            ),
            (
                Event::StepFinished {
                    position: 1,
                    status: StepStatus::Failed,
                    error: Some("disk full".into()),
                },
                r#"{"error":"disk full","position":1,"status":"failed"}"#,
            ),
            (
                Event::Cancelled(moved()),
                r#"{"actor":"agent_a","decision":null,"from":"PENDING","reason":"no longer needed","to":"CANCELLED"}"#,
            ),
        ];
        for (event, text) in cases {
            assert_eq!(event.data().to_string(), text, "{:?}", event.kind());
            assert_eq!(
                Event::from_parts(event.kind(), event.data()).unwrap(),
                event
            );
        }
    }

    #[test]
    fn only_status_changes_make_moved_events() {
        for kind in EventKind::ALL {
            let made = Event::moved(kind, moved());
            assert_eq!(
                made.as_ref().map(Event::kind),
                made.is_some().then_some(kind)
            );
        }
        assert!(Event::moved(EventKind::Expired, moved()).is_some());
        assert!(Event::moved(EventKind::Voted, moved()).is_none());
        assert_eq!(
            Event::Expired(moved()).data(),
            json!({"from": "PENDING", "to": "CANCELLED", "decision": null, "actor": "agent_a", "reason": "no longer needed"})
        );
    }
}
