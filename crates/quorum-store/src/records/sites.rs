//! Deployed sites: their blobs, deployments, history and rollbacks, and the messages their
//! contact forms receive.

use chrono::{DateTime, Utc};

/// A message sent through a deployed site's contact form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ContactMessage {
    pub id: String,
    /// The site's slug.
    pub site: String,
    /// The workflow that deployed the site.
    pub workflow_id: String,
    pub recipient: String,
    pub name: String,
    pub email: String,
    pub message: String,
    pub remote_addr: Option<String>,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<Utc>,
    /// `outbox` (kept, no SMTP server configured), `sent` or `failed`.
    pub delivery: String,
    #[serde(with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// A lead: what a visitor gave a landing page's form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: String,
    /// The site's slug.
    pub site: String,
    /// The deployment whose page the visitor filled in, and the workflow that made it.
    pub deployment_id: String,
    pub workflow_id: String,
    pub name: String,
    pub email: String,
    /// The form's own fields that were filled in, by name.
    #[schema(value_type = Object)]
    pub fields: std::collections::BTreeMap<String, String>,
    /// Whether the visitor ticked the form's consent box.
    pub consent: bool,
    /// Which headline the visitor was shown: `a` or `b`.
    pub variant: String,
    pub remote_addr: Option<String>,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<Utc>,
    /// `outbox` (kept, no SMTP server configured), `sent` (forwarded to the site's address)
    /// or `failed`.
    pub delivery: String,
    #[serde(with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// One thing a visitor did on a site, to be counted: a view of a headline (`view`, label
/// `a`), a click on an affiliate link (`click`, label `{link} {page}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteEvent {
    pub site: String,
    pub deployment_id: String,
    pub metric: String,
    pub label: String,
}

/// How many times it happened, per deployment. A lead counts as a `conversion` of its
/// variant, written with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCount {
    pub deployment_id: String,
    pub metric: String,
    pub label: String,
    pub count: i64,
}

/// An order placed at a shop's checkout, priced by the server from the deployed catalogue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Order {
    pub id: String,
    /// The site's slug.
    pub site: String,
    /// The deployment whose catalogue priced it, and the workflow that made it.
    pub deployment_id: String,
    pub workflow_id: String,
    /// What the customer and the shop call it: `HC-7K3D-Q2MX`.
    pub number: String,
    /// The checkout's key: an order posted twice with one key is one order.
    #[serde(skip)]
    pub idempotency_key: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// Each line: product, name, options, quantity, unit_price, line_total (minor units).
    #[schema(value_type = Vec<Object>)]
    pub lines: serde_json::Value,
    /// In minor units of `currency`.
    pub total: i64,
    pub currency: String,
    /// `pickup` or `invoice`: no payment is taken online.
    pub payment: String,
    /// `received`, `fulfilled` or `cancelled`.
    pub status: String,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

/// Units an order takes of one product that has a stock: `stock` is the deployed
/// catalogue's number, the start of the count the first order of the deployment makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockTake {
    pub product: String,
    pub quantity: i64,
    pub stock: i64,
}

/// An order to place, and the stock it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub order: Order,
    pub takes: Vec<StockTake>,
}

/// What placing an order did.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderPlaced {
    /// Kept, its stock taken.
    Placed(Order),
    /// Its key was placed already: that order, nothing taken again.
    Replayed(Order),
    /// Too few left of `product`: nothing was kept or taken.
    OutOfStock { product: String, remaining: i64 },
}

/// A change of an order's status, made only if it still has `from`; a cancellation gives its
/// stock back.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderStatusChange {
    pub site: String,
    pub number: String,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
    pub restock: Vec<StockTake>,
}

/// One entry of an order's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OrderEvent {
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: Option<String>,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

/// A file's bytes under their SHA-256 (lowercase hex): kept once, never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub hash: String,
    pub bytes: Vec<u8>,
    /// The gzip encoding of `bytes`, when it is smaller.
    pub gzip: Option<Vec<u8>>,
}

/// One file of a deployment: where it is served and which blob it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentFile {
    /// Relative to the site, e.g. `about/index.html`.
    pub path: String,
    pub hash: String,
    pub content_type: String,
}

/// What a workflow will build, as its council reviews it: every file, and their
/// `quorum_domain::governance::manifest_hash`. The blobs are kept before the workflow is
/// created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub hash: String,
    pub files: Vec<DeploymentFile>,
}

/// A deployed site: what the contact form needs to know, and the files it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub id: String,
    pub site: String,
    pub workflow_id: String,
    pub site_name: String,
    /// Where contact-form messages go.
    pub contact_email: String,
    /// The host name the deployment is also served at the root of, claimed for its site
    /// while it is live.
    pub domain: Option<String>,
    pub created_at: DateTime<Utc>,
    /// By path.
    pub files: Vec<DeploymentFile>,
}

/// A deployment as a site's history lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentSummary {
    pub id: String,
    pub workflow_id: String,
    pub site_name: String,
    pub created_at: DateTime<Utc>,
}

/// A deployed site: who owns it, what it serves, and its deployments, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    pub slug: String,
    /// The agent whose workflow first deployed it; None for a site no workflow deployed.
    pub owner_agent: Option<String>,
    /// The domain its live deployment claims.
    pub domain: Option<String>,
    pub live: DeploymentSummary,
    pub updated_at: DateTime<Utc>,
    /// At most [`SITE_HISTORY`], the live one among them.
    pub history: Vec<DeploymentSummary>,
    /// Its rollbacks, newest first, at most [`SITE_HISTORY`].
    pub rollbacks: Vec<SiteRollback>,
}

/// A domain and the site that holds it: the site whose live deployment claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainClaim {
    pub domain: String,
    pub slug: String,
    pub owner_agent: Option<String>,
}

/// How many deployments a site's record lists.
pub const SITE_HISTORY: i64 = 50;

/// What collecting a site's old deployments removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deployments: u64,
    pub blobs: u64,
}

/// How many old deployments one collection removes at most; the next deploy takes the rest.
pub const PRUNE_BATCH: i64 = 100;

/// A switch of a site's live deployment to an earlier one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRollback {
    /// None when asked for; the deployment it replaced when read back.
    pub from_deployment: Option<String>,
    pub slug: String,
    pub to_deployment: String,
    pub actor: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// What the SMTP server said of a kept contact message or lead.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryReport {
    pub message_id: String,
    /// `sent` or `failed`.
    pub delivery: String,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

impl DeliveryReport {
    /// What recording the report made of `rows` changed rows: one, or no such message.
    pub fn recorded(&self, rows: u64) -> crate::StoreResult<()> {
        match rows {
            1 => Ok(()),
            _ => Err(crate::StoreError::NotFound(format!(
                "kept message {}",
                self.message_id
            ))),
        }
    }
}
