//! Quorum's domain model: what a workflow, a council, a vote and a workflow type are, and the
//! rules between them. Nothing here touches a database, HTTP or an async runtime.

pub mod council;
pub mod events;
pub mod governance;
pub mod ids;
pub mod json_text;
pub mod principal;
pub mod savings;
pub mod schema;
pub mod status;
pub mod text;
pub mod time;
pub mod workflow;
pub mod workflow_type;

pub use council::{
    Council, Decision, ESCALATE_TO_ADMINS, OnExpiry, Rule, Threshold, Verdict, WindowPolicy,
};
pub use events::EventKind;
pub use json_text::JsonText;
pub use principal::{Delegation, Principal, PrincipalKind, Role};
pub use savings::{Savings, SavingsModel};
pub use status::WorkflowStatus;
pub use text::Text;
pub use workflow::{AuditEntry, Metric, StepRecord, StepStatus, Vote, VoteChoice, Workflow};
pub use workflow_type::{FieldError, StepDefinition, WorkflowTypeDefinition};
