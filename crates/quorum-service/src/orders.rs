//! A shop's orders: a checkout is checked field by field, its cart priced again from the
//! catalogue the live deployment was built from (the browser's prices are only compared), its
//! stock taken in the order's transaction, and the shop and the customer e-mailed (by SMTP, or
//! kept in the mail outbox). The owner reads the orders and moves them from received to
//! fulfilled or cancelled, each change audited and told to the customer.
//!
//! Payment: no payment provider is reachable from here, so customers pay on pickup or by the
//! invoice the shop sends. [`payment_due`] is the seam: a provider's charge would be made
//! there, before the order is confirmed, and the order's `payment` would name it.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use quorum_domain::ids::new_id;
use quorum_domain::{FieldError, Principal, Text};
use quorum_steps::site::{
    CartLine, CheckoutState, HONEYPOT_FIELD, Media, ORDER_NAME_MAX, ORDER_NOTES_MAX,
    ORDER_PHONE_MAX, OrderAnswer, Payment, PlacedOrder, PricedLine, PricedOrder, Shop, SiteInputs,
    SiteSpec, money, order_answer, plausible_email, price_order,
};
use quorum_store::{
    NewOrder, Order, OrderEvent, OrderPlaced, OrderStatusChange, OutboxMail, StockTake,
};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::sites::LiveSite;
use crate::{Quorum, ServiceError, ServiceResult};

/// Checkouts one address may send one shop per minute.
pub const ORDERS_PER_MINUTE: u32 = 10;
/// The cart field's most bytes: 50 lines with their options fit in a few kilobytes.
const CART_MAX_BYTES: usize = 32 * 1024;

/// What became of a checkout.
#[derive(Debug)]
pub enum OrderReceipt {
    /// Placed now, or placed before with the same key (`replayed`): the same order either way.
    Placed { order: Box<Order>, replayed: bool },
    /// The honeypot was filled in: answered like a success, kept nowhere.
    Discarded(Box<Order>),
    /// Refused: why, as sentences for the page, and the error for JSON clients.
    Refused {
        state: CheckoutState,
        error: ServiceError,
    },
}

/// `POST /api/sites/{slug}/orders/{number}/status`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `fulfilled` or `cancelled`.
    #[schema(pattern = "^(fulfilled|cancelled)$")]
    pub status: String,
    /// Why; kept in the order's history and told to the customer.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// An order with its history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub history: Vec<OrderEvent>,
}

/// What the customer owes and how, for an order of `shop`: the seam a payment provider would
/// fill (charging the card here, before the order is confirmed). With none reachable, the
/// shop's offline terms stand.
pub fn payment_due(shop: &Shop) -> &'static str {
    match shop.payment {
        Payment::Pickup => "pickup",
        Payment::Invoice => "invoice",
    }
}

/// A number the shop and the customer can read out: `Q-7K3D-Q2MX` (no 0/O or 1/I).
fn order_number() -> String {
    const DIGITS: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let mut part = || -> String {
        (0..4)
            .map(|_| DIGITS[rng.random_range(0..DIGITS.len())] as char)
            .collect()
    };
    format!("Q-{}-{}", part(), part())
}

/// The checkout's own fields, checked; each problem a sentence in English.
fn customer(form: &BTreeMap<String, String>) -> (Vec<FieldError>, [String; 4]) {
    let value = |name: &str| form.get(name).map_or("", |v| v.trim()).to_owned();
    let [name, email, phone, notes] = ["name", "email", "phone", "notes"].map(value);
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().count() > ORDER_NAME_MAX || !Text::Line.allows(&name) {
        problems.push(FieldError::new(
            "name",
            "length",
            format!("give a name of 1 to {ORDER_NAME_MAX} characters, on one line"),
        ));
    }
    if !plausible_email(&email) {
        problems.push(FieldError::new(
            "email",
            "format",
            "give an e-mail address such as ana@example.com, for the order's confirmation",
        ));
    }
    if phone.chars().count() > ORDER_PHONE_MAX || !Text::Line.allows(&phone) {
        problems.push(FieldError::new(
            "phone",
            "length",
            format!("give a phone number of at most {ORDER_PHONE_MAX} characters, on one line"),
        ));
    }
    if notes.chars().count() > ORDER_NOTES_MAX || !Text::Multiline.allows(&notes) {
        problems.push(FieldError::new(
            "notes",
            "length",
            format!("write notes of at most {ORDER_NOTES_MAX} characters"),
        ));
    }
    (problems, [name, email, phone, notes])
}

/// The checkout's key: the form's, when it is one a browser makes, else a fresh one (an order
/// sent without a key cannot be recognised when sent again).
fn idempotency_key(form: &BTreeMap<String, String>) -> String {
    form.get("idempotency_key")
        .map(|k| k.trim())
        .filter(|k| {
            (8..=64).contains(&k.len())
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| new_id("key"), str::to_owned)
}

fn orders_body(shop: &Shop, inputs: &SiteInputs, order: &Order, lines: &[PricedLine]) -> String {
    let language = inputs.language();
    let mut body = String::new();
    for line in lines {
        let options: Vec<String> = line
            .options
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let options = match options.is_empty() {
            true => String::new(),
            false => format!(" ({})", options.join(", ")),
        };
        body.push_str(&format!(
            "{} × {}{options}: {}\n",
            line.quantity,
            line.name,
            money(line.line_total, &shop.currency, language)
        ));
    }
    body.push_str(&format!(
        "\nTotal: {}\n",
        money(order.total.max(0) as u64, &shop.currency, language)
    ));
    let terms = match shop.payment {
        Payment::Pickup => "Payment: on pickup (no payment was taken online).",
        Payment::Invoice => "Payment: by invoice (no payment was taken online).",
    };
    body.push_str(&format!("{terms}\n"));
    if let Some(pickup) = &shop.pickup {
        body.push_str(&format!("Pickup: {}\n", pickup.trim()));
    }
    body
}

impl Quorum {
    /// A live site of the shop kind, with the inputs it was built from.
    async fn shop_site(&self, slug: &str) -> ServiceResult<(Arc<LiveSite>, Arc<SiteInputs>)> {
        self.site_with(slug, |i| i.shop.is_some(), "shop").await
    }

    /// Receives a checkout for the shop `slug` from `remote`: `form` is the form as posted.
    pub async fn place_order(
        &self,
        slug: &str,
        form: &BTreeMap<String, String>,
        remote: Option<IpAddr>,
    ) -> ServiceResult<OrderReceipt> {
        let (site, inputs) = self.shop_site(slug).await?;
        let shop = inputs.shop.as_ref().expect("a shop's inputs");
        let language = inputs.language();
        let (mut details, [name, email, phone, notes]) = customer(form);
        let state = |problems: Vec<String>| CheckoutState {
            name: name.clone(),
            email: email.clone(),
            phone: phone.clone(),
            notes: notes.clone(),
            problems,
        };
        let cart = form.get("cart").map_or("", String::as_str);
        let lines: Vec<CartLine> = match cart.len() <= CART_MAX_BYTES {
            true => serde_json::from_str(cart).unwrap_or_else(|e| {
                details.push(FieldError::new(
                    "cart",
                    "shape",
                    format!("the cart could not be read: {e}"),
                ));
                Vec::new()
            }),
            false => {
                details.push(FieldError::new("cart", "length", format!("the cart may be at most {CART_MAX_BYTES} bytes; an order has at most 50 lines")));
                Vec::new()
            }
        };
        let priced: Option<PricedOrder> = match price_order(shop, &lines, language) {
            Ok(priced) => Some(priced),
            Err(problems) => {
                details.extend(problems.into_iter().map(|p| {
                    let field = p
                        .line
                        .map_or_else(|| "cart".to_owned(), |i| format!("cart[{i}]"));
                    FieldError::new(field, "catalogue", p.message)
                }));
                None
            }
        };
        let Some(priced) = priced.filter(|_| details.is_empty()) else {
            let said = details.iter().map(|d| d.message.clone()).collect();
            let error = ServiceError::invalid("the order cannot be placed as it is", details);
            return Ok(OrderReceipt::Refused {
                state: state(said),
                error,
            });
        };
        let address = remote.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let now = quorum_domain::time::now();
        let counts = self
            .store
            .count_hit(&quorum_store::Hit {
                key: format!("order:{slug}:{address}"),
                at: now,
                window: chrono::Duration::minutes(1),
            })
            .await?;
        if counts.estimate(now) > f64::from(ORDERS_PER_MINUTE) {
            return Err(ServiceError::RateLimited(format!(
                "at most {ORDERS_PER_MINUTE} orders a minute may be sent to this shop from one address; try again shortly"
            )));
        }
        let order = Order {
            id: new_id("ord"),
            site: slug.to_owned(),
            deployment_id: site.deployment.id.clone(),
            workflow_id: site.deployment.workflow_id.clone(),
            number: order_number(),
            idempotency_key: idempotency_key(form),
            name: name.clone(),
            email: email.clone(),
            phone: Some(phone.clone()).filter(|p| !p.is_empty()),
            notes: Some(notes.clone()).filter(|n| !n.is_empty()),
            lines: serde_json::to_value(&priced.lines).expect("priced lines serialize"),
            total: i64::try_from(priced.total).unwrap_or(i64::MAX),
            currency: priced.currency.clone(),
            payment: payment_due(shop).to_owned(),
            status: "received".into(),
            created_at: now,
            updated_at: now,
        };
        if form.get(HONEYPOT_FIELD).is_some_and(|v| !v.is_empty()) {
            tracing::info!(
                site = slug,
                "discarded an order that filled in the honeypot"
            );
            return Ok(OrderReceipt::Discarded(Box::new(order)));
        }
        let takes = priced
            .takes
            .iter()
            .map(|(product, (quantity, stock))| StockTake {
                product: product.clone(),
                quantity: i64::from(*quantity),
                stock: i64::from(*stock),
            })
            .collect();
        let placed = self.store.place_order(&NewOrder { order, takes }).await?;
        let (order, replayed) = match placed {
            OrderPlaced::Placed(order) => (order, false),
            OrderPlaced::Replayed(order) => (order, true),
            OrderPlaced::OutOfStock { product, remaining } => {
                let name = quorum_steps::site::shop_products(shop)
                    .into_iter()
                    .find(|(s, _)| *s == product)
                    .map_or(product.clone(), |(_, p)| p.name.trim().to_owned());
                let message = match remaining {
                    0 => format!("{name} has sold out since it was added to the cart"),
                    n => {
                        format!("only {n} of {name} are left: change the quantity and order again")
                    }
                };
                let error = ServiceError::Conflict(message.clone());
                return Ok(OrderReceipt::Refused {
                    state: state(vec![message]),
                    error,
                });
            }
        };
        if !replayed {
            self.send_order_mails(&inputs, shop, &order, &priced.lines)
                .await;
        }
        Ok(OrderReceipt::Placed {
            order: Box::new(order),
            replayed,
        })
    }

    /// The shop's copy and the customer's confirmation; a failure to send is logged, as the
    /// order stands either way (the owner reads it in the API and the dashboard).
    async fn send_order_mails(
        &self,
        inputs: &SiteInputs,
        shop: &Shop,
        order: &Order,
        lines: &[PricedLine],
    ) {
        let body = orders_body(shop, inputs, order, lines);
        let site = inputs.site_name.trim();
        let mut contact = format!("Customer: {} <{}>\n", order.name, order.email);
        if let Some(phone) = &order.phone {
            contact.push_str(&format!("Phone: {phone}\n"));
        }
        if let Some(notes) = &order.notes {
            contact.push_str(&format!("Notes: {notes}\n"));
        }
        let mails = [
            (
                inputs.contact_email.clone(),
                format!("New order {} at {site}", order.number),
                format!(
                    "Order {} was placed at {site}.\n\n{contact}\n{body}",
                    order.number
                ),
            ),
            (
                order.email.clone(),
                format!("Your order {} at {site}", order.number),
                format!(
                    "Thank you, {}. {site} has your order {}.\n\n{body}\nReply to {} with any question.\n",
                    order.name,
                    order.number,
                    inputs.contact_email.trim()
                ),
            ),
        ];
        for (to, subject, body) in mails {
            self.mail_or_keep(&to, &subject, &body).await;
        }
    }

    /// Sends a mail by SMTP, or keeps it in the outbox without a server.
    async fn mail_or_keep(&self, to: &str, subject: &str, body: &str) {
        let outcome = match &self.mailer {
            Some(mailer) => mailer
                .send_notice(to, subject, body)
                .await
                .map_err(|e| e.to_string()),
            None => self
                .store
                .add_outbox_mail(&OutboxMail {
                    id: new_id("mail"),
                    to: to.to_owned(),
                    subject: subject.to_owned(),
                    body: body.to_owned(),
                    created_at: quorum_domain::time::now(),
                })
                .await
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = outcome {
            tracing::warn!(to, subject, error = %e, "an order's e-mail could not be sent or kept");
        }
    }

    /// The confirmation or the refused cart, in the site's own layout; None when the site or
    /// its inputs are gone.
    pub async fn order_answer_page(
        &self,
        slug: &str,
        answer: OrderAnswer<'_>,
    ) -> ServiceResult<Option<Vec<u8>>> {
        let Ok((site, inputs)) = self.shop_site(slug).await else {
            return Ok(None);
        };
        let date = site.deployment.created_at.format("%Y-%m-%d").to_string();
        let spec = SiteSpec::served_by(&self.step_env.public_url, slug, &site.deployment.id, &date);
        let logo: Vec<String> = inputs.logo.iter().map(|l| l.upload.clone()).collect();
        let media = crate::uploads::media(&self.sites, &logo)
            .await
            .unwrap_or_else(|_| Media::default());
        Ok(order_answer(&inputs, &spec, &media, answer))
    }

    /// A shop's orders, newest first (its owner or an admin).
    pub async fn site_orders(
        &self,
        caller: &Principal,
        slug: &str,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<Vec<Order>> {
        self.owned_site(caller, slug, "orders").await?;
        Ok(self
            .store
            .orders(slug, limit.clamp(1, 1_000), offset.max(0))
            .await?)
    }

    /// One order with its history (its shop's owner or an admin).
    pub async fn site_order(
        &self,
        caller: &Principal,
        slug: &str,
        number: &str,
    ) -> ServiceResult<OrderDetail> {
        self.owned_site(caller, slug, "orders").await?;
        let order = self
            .store
            .order(slug, number)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("{slug} has no order {number:?}")))?;
        let history = self.store.order_events(&order.id).await?;
        Ok(OrderDetail { order, history })
    }

    /// Moves an order on (received → fulfilled, received or fulfilled → cancelled), audited
    /// and told to the customer; a cancellation gives its stock back.
    pub async fn set_order_status(
        &self,
        caller: &Principal,
        slug: &str,
        number: &str,
        request: StatusRequest,
    ) -> ServiceResult<OrderDetail> {
        let current = self.site_order(caller, slug, number).await?.order;
        let to = request.status.as_str();
        let allowed = matches!(
            (current.status.as_str(), to),
            ("received", "fulfilled") | ("received" | "fulfilled", "cancelled")
        );
        if !["fulfilled", "cancelled"].contains(&to) {
            return Err(ServiceError::invalid_field(
                "status",
                "enum",
                format!("status must be fulfilled or cancelled, not {to:?}"),
            ));
        }
        if !allowed {
            return Err(ServiceError::Conflict(format!(
                "order {number} is {}: it cannot become {to}",
                current.status
            )));
        }
        let reason = request
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if let Some(reason) = reason
            && (reason.chars().count() > 500 || !Text::Multiline.allows(reason))
        {
            return Err(ServiceError::invalid_field(
                "reason",
                "text",
                "reason must be at most 500 characters, without NUL",
            ));
        }
        let restock = match to {
            "cancelled" => {
                let lines: Vec<PricedLine> =
                    serde_json::from_value(current.lines.clone()).unwrap_or_default();
                let mut units: BTreeMap<String, i64> = BTreeMap::new();
                for line in lines {
                    *units.entry(line.product).or_default() += i64::from(line.quantity);
                }
                units
                    .into_iter()
                    .map(|(product, quantity)| StockTake {
                        product,
                        quantity,
                        stock: 0,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let change = OrderStatusChange {
            site: slug.to_owned(),
            number: number.to_owned(),
            from: current.status.clone(),
            to: to.to_owned(),
            actor: caller.id.clone(),
            reason: reason.map(str::to_owned),
            at: quorum_domain::time::now(),
            restock,
        };
        let order = self.store.set_order_status(&change).await?.ok_or_else(|| {
            ServiceError::Conflict(format!(
                "order {number} changed while this was sent: read it again"
            ))
        })?;
        let (_, inputs) = self.shop_site(slug).await?;
        let site = inputs.site_name.trim();
        let said = match to {
            "fulfilled" => {
                format!("Your order {number} at {site} is ready: it has been fulfilled.")
            }
            _ => {
                format!("Your order {number} at {site} has been cancelled. Nothing is owed for it.")
            }
        };
        let reason_line = reason.map(|r| format!("\n\n{r}")).unwrap_or_default();
        self.mail_or_keep(
            &order.email,
            &format!("Order {number} at {site}: {to}"),
            &format!(
                "{said}{reason_line}\n\nReply to {} with any question.\n",
                inputs.contact_email.trim()
            ),
        )
        .await;
        let history = self.store.order_events(&order.id).await?;
        Ok(OrderDetail { order, history })
    }
}

/// The confirmation's view of a placed order.
pub fn placed_view(order: &Order) -> PlacedOrder {
    PlacedOrder {
        number: order.number.clone(),
        lines: serde_json::from_value(order.lines.clone()).unwrap_or_default(),
        total: order.total.max(0) as u64,
        email: order.email.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_readable_and_differ() {
        let a = order_number();
        assert_eq!(a.len(), 11);
        assert!(!a.contains(['0', 'O', '1', 'I']), "{a}");
        assert_ne!(a, order_number());
    }

    #[test]
    fn a_key_a_browser_makes_is_kept_and_another_replaced() {
        let form = |key: &str| BTreeMap::from([("idempotency_key".to_owned(), key.to_owned())]);
        assert_eq!(
            idempotency_key(&form("0123456789abcdef")),
            "0123456789abcdef"
        );
        assert!(idempotency_key(&form("short")).starts_with("key_"));
        assert!(idempotency_key(&form("a b;DROP TABLE x")).starts_with("key_"));
    }
}
