//! `website.create_ecommerce_store`: a catalogue from the inputs — a page per product with its
//! pictures, options and price (and JSON-LD `Product`/`Offer`), a page per category — and a
//! cart kept in the browser that checks out by posting to Quorum, which recomputes every total
//! from the deployed catalogue ([`price_order`]: the one place a price is decided). The store
//! lists and shows every product without JavaScript; only the cart needs it.
//!
//! Payment is on pickup or by invoice: no payment provider is reachable from here, and the
//! store says so on its cart page.

use std::collections::BTreeMap;

use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};

use super::family_words::FamilyWords;
use super::images::{self, Placement};
use super::inputs::ImageRef;
use super::layout::{Ctx, Meta, document};
use super::sections::{band, lines, words};
use super::words::fill;
use super::{HONEYPOT_FIELD, Media, Page, PageKind, SiteInputs, SiteSpec, Words, hashed_slug};
use super::{plan, readable_slug, theme};

/// Where the checkout form posts, relative to the site's root.
pub const ORDER_ENDPOINT: &str = "order";
/// The cart's page.
pub const CART_PATH: &str = "cart/";
/// Most lines one order may have, and most units of one line.
pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: u32 = 99;
/// The checkout form's fields.
pub const ORDER_NAME_MAX: usize = 100;
pub const ORDER_PHONE_MAX: usize = 30;
pub const ORDER_NOTES_MAX: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shop {
    /// ISO 4217, e.g. `USD`: every price is in it.
    pub currency: String,
    pub products: Vec<Product>,
    /// How customers pay: on pickup, or by the invoice sent with the order.
    #[serde(default)]
    pub payment: Payment,
    /// Where and when orders are collected: "2110 SE Division St, Tuesday to Saturday, 8–2".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payment {
    #[default]
    Pickup,
    Invoice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub name: String,
    /// Its page, `products/{slug}/`; absent, made from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub description: String,
    /// In the currency's minor units: 650 is $6.50.
    pub price: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Choices a customer makes, each from its values: size, flavour.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ProductOption>,
    /// Units for sale; absent, as many as are ordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    pub name: String,
    pub values: Vec<String>,
}

/// Every product with its slug, in the inputs' order: its own, else one made from its name;
/// a slug already taken gets `-2`, `-3` ….
pub fn products(shop: &Shop) -> Vec<(String, &Product)> {
    let items = shop
        .products
        .iter()
        .map(|p| (p.slug.as_deref(), p.name.as_str()));
    super::item_slugs(items, "product")
        .into_iter()
        .zip(&shop.products)
        .collect()
}

/// The categories in the order their first product comes, each with its slug.
pub fn categories(shop: &Shop) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for name in shop.products.iter().filter_map(|p| p.category.as_deref()) {
        let name = name.trim();
        if name.is_empty() || found.iter().any(|(_, n)| n == name) {
            continue;
        }
        let base = readable_slug(name).unwrap_or_else(|| hashed_slug("category", name));
        let taken: Vec<String> = found.iter().map(|(s, _)| s.clone()).collect();
        found.push((super::unique_slug(&base, &taken), name.to_owned()));
    }
    found
}

/// The pages a shop adds to the business's: a page per product and per category, and the cart.
pub(crate) fn pages(inputs: &SiteInputs, shop: &Shop) -> (Vec<Page>, Page) {
    let family = FamilyWords::for_language(inputs.language());
    let mut pages = Vec::new();
    for (slug, name) in categories(shop) {
        pages.push(Page::new(&format!("shop/{slug}"), PageKind::Category, name));
    }
    for (i, (slug, product)) in products(shop).into_iter().enumerate() {
        let mut page = Page::new(
            &format!("products/{slug}"),
            PageKind::Product,
            product.name.trim().to_owned(),
        );
        page.item = Some(i);
        pages.push(page);
    }
    let cart = Page::new("cart", PageKind::Cart, family.cart.to_owned());
    (pages, cart)
}

/// A price in minor units as the site's language writes it: `$6.50` in English, `6,50 €` in
/// French. Currencies without minor units (yen, won) show none.
pub fn money(minor: u64, currency: &str, language: &str) -> String {
    let exponent = match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    };
    let words = Words::for_language(language);
    let divisor = 10u64.pow(exponent);
    let major = words.number((minor / divisor) as usize);
    let amount = match exponent {
        0 => major,
        _ => {
            let separator = if words.language == "en" { "." } else { "," };
            format!("{major}{separator}{:02}", minor % divisor)
        }
    };
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "CAD" => "CA$",
        "AUD" => "A$",
        other => other,
    };
    match words.language {
        "en" if symbol.chars().count() <= 3 && !symbol.chars().all(|c| c.is_ascii_uppercase()) => {
            format!("{symbol}{amount}")
        }
        "en" => format!("{symbol} {amount}"),
        _ => format!("{amount}\u{a0}{symbol}"),
    }
}

/// The machine form of a price for JSON-LD: `6.50`.
fn decimal(minor: u64, currency: &str) -> String {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => minor.to_string(),
        _ => format!("{}.{:02}", minor / 100, minor % 100),
    }
}

/// One line of a cart as the browser sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartLine {
    pub product: String,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    pub quantity: i64,
    /// The unit price the customer was shown, in minor units: checked, never believed.
    #[serde(default)]
    pub price: Option<i64>,
}

/// A line as the server prices it from the deployed catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub product: String,
    pub name: String,
    pub options: BTreeMap<String, String>,
    pub quantity: u32,
    pub unit_price: u64,
    pub line_total: u64,
}

/// An order priced: its lines, their total, and how much of each product it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    pub lines: Vec<PricedLine>,
    pub total: u64,
    pub currency: String,
    /// Units per product slug, for the products that have a stock: what the order takes.
    pub takes: BTreeMap<String, (u32, u32)>,
}

/// Why a cart cannot be ordered as it is: the line (its index) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartProblem {
    pub line: Option<usize>,
    pub message: String,
}

/// Prices `cart` from the deployed catalogue: every product must exist, every option be one
/// of its values (and every option of the product chosen), every quantity 1 to
/// [`MAX_QUANTITY`], and a price the browser sends must be the catalogue's — a tampered one
/// is refused, naming the real price. Stock is checked against the catalogue's number here;
/// what others have bought is the store's to check, in the order's transaction.
pub fn price_order(
    shop: &Shop,
    cart: &[CartLine],
    language: &str,
) -> Result<PricedOrder, Vec<CartProblem>> {
    let mut problems = Vec::new();
    let mut problem =
        |line: Option<usize>, message: String| problems.push(CartProblem { line, message });
    if cart.is_empty() {
        problem(
            None,
            "the cart is empty: add a product before checking out".into(),
        );
    }
    if cart.len() > MAX_LINES {
        problem(
            None,
            format!(
                "an order may have at most {MAX_LINES} lines, not {}",
                cart.len()
            ),
        );
        return Err(problems);
    }
    let catalogue = products(shop);
    let mut lines = Vec::new();
    let mut takes: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for (i, line) in cart.iter().enumerate() {
        let Some((slug, product)) = catalogue.iter().find(|(slug, _)| *slug == line.product) else {
            problem(
                Some(i),
                format!(
                    "line {}: the shop sells no product {:?}",
                    i + 1,
                    line.product
                ),
            );
            continue;
        };
        let name = product.name.trim();
        let quantity = match u32::try_from(line.quantity) {
            Ok(q @ 1..=MAX_QUANTITY) => q,
            _ => {
                problem(
                    Some(i),
                    format!(
                        "line {}: order 1 to {MAX_QUANTITY} of {name}, not {}",
                        i + 1,
                        line.quantity
                    ),
                );
                continue;
            }
        };
        let mut options = BTreeMap::new();
        let mut ok = true;
        for (option, value) in &line.options {
            match product.options.iter().find(|o| o.name.trim() == option) {
                Some(o) if o.values.iter().any(|v| v.trim() == value) => {
                    options.insert(option.clone(), value.clone());
                }
                Some(o) => {
                    problem(
                        Some(i),
                        format!(
                            "line {}: {name} comes in {} {}, not {value:?}",
                            i + 1,
                            o.name.trim(),
                            o.values
                                .iter()
                                .map(|v| v.trim())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    ok = false;
                }
                None => {
                    problem(
                        Some(i),
                        format!("line {}: {name} has no option {option:?}", i + 1),
                    );
                    ok = false;
                }
            }
        }
        for option in &product.options {
            if !line.options.contains_key(option.name.trim()) {
                problem(
                    Some(i),
                    format!(
                        "line {}: choose the {} of {name}",
                        i + 1,
                        option.name.trim()
                    ),
                );
                ok = false;
            }
        }
        if let Some(shown) = line.price
            && u64::try_from(shown).ok() != Some(product.price)
        {
            problem(
                Some(i),
                format!(
                    "line {}: {name} costs {}, not {}: the price was changed after it left the shop",
                    i + 1,
                    money(product.price, &shop.currency, language),
                    u64::try_from(shown).map_or_else(
                        |_| shown.to_string(),
                        |p| money(p, &shop.currency, language)
                    ),
                ),
            );
            ok = false;
        }
        if !ok {
            continue;
        }
        if let Some(stock) = product.stock {
            let taken = takes.entry(slug.clone()).or_insert((0, stock));
            taken.0 += quantity;
            if taken.0 > stock {
                problem(
                    Some(i),
                    format!(
                        "line {}: only {stock} of {name} are for sale, not {}",
                        i + 1,
                        taken.0
                    ),
                );
                continue;
            }
        }
        lines.push(PricedLine {
            product: slug.clone(),
            name: name.to_owned(),
            options,
            quantity,
            unit_price: product.price,
            // At most 99 × u64 prices of at most 10^9 minor units (the schema's): no overflow.
            line_total: product.price * u64::from(quantity),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(PricedOrder {
        total: lines.iter().map(|l| l.line_total).sum(),
        lines,
        currency: shop.currency.clone(),
        takes,
    })
}

fn product_images<'a>(ctx: &'a Ctx, product: &'a Product) -> impl Iterator<Item = Markup> + 'a {
    product.images.iter().filter_map(move |image| {
        images::img(
            ctx,
            image,
            Placement::Gallery { columns: 2 },
            product.name.trim(),
        )
    })
}

fn product_cards(ctx: &Ctx, shop: &Shop, filter: impl Fn(&Product) -> bool) -> Markup {
    let language = ctx.inputs.language();
    html! {
        ul.cards.products {
            @for (slug, product) in products(shop).into_iter().filter(|(_, p)| filter(p)) {
                li.card.product {
                    @if let Some(picture) = product_images(ctx, product).next() {
                        div.product-picture { (picture) }
                    }
                    h3 { a href=(ctx.href(&format!("products/{slug}/"))) { (product.name.trim()) } }
                    p { (lines(&product.description)) }
                    p.price { (money(product.price, &shop.currency, language)) }
                }
            }
        }
    }
}

/// A shop's home page: the business's words, then every product by category.
pub(crate) fn home(ctx: &Ctx, shop: &Shop) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let hero = ctx
        .inputs
        .hero_image
        .as_ref()
        .and_then(|image| images::img(ctx, image, Placement::Hero, ""));
    html! {
        section.hero aria-labelledby="page-title" {
            @if let Some(hero) = hero { div.hero-media { (hero) } }
            div.hero-text {
                h1 #page-title { (ctx.name()) }
                @if let Some(tagline) = &ctx.inputs.tagline { p.tagline { (tagline.trim()) } }
                p.lead { (ctx.description()) }
                p.actions { a.button href=(ctx.href(CART_PATH)) { (family.view_cart) } }
            }
        }
        (band("products", family.products, product_cards(ctx, shop, |_| true)))
    }
}

pub(crate) fn category(ctx: &Ctx, page: &Page, shop: &Shop) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let name = page.info.title.as_str();
    let cards = product_cards(ctx, shop, |p| {
        p.category.as_deref().map(str::trim) == Some(name)
    });
    html! {
        h1 { (name) }
        (band("products", family.products, cards))
    }
}

/// A product's page: its pictures, description, price and options, and the form that adds it
/// to the cart (shown once the script runs; without it the page says how else to order).
pub(crate) fn product(ctx: &Ctx, page: &Page, shop: &Shop) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let language = ctx.inputs.language();
    let all = products(shop);
    let Some((slug, product)) = page.item.and_then(|i| all.get(i)) else {
        return html! { h1 { (page.info.title) } };
    };
    let sold_out = product.stock == Some(0);
    html! {
        article.product-page {
            div.product-pictures { @for picture in product_images(ctx, product) { (picture) } }
            div.product-details {
                h1 { (product.name.trim()) }
                p.price { (money(product.price, &shop.currency, language)) }
                div.prose { p { (lines(&product.description)) } }
                @if sold_out {
                    p.sold-out { strong { (family.sold_out) } }
                } @else {
                    form.add-to-cart hidden data-product=(slug) data-added=(family.added_to_cart) {
                        @for (i, option) in product.options.iter().enumerate() {
                            div.field {
                                label for={ "option-" (i) } { (option.name.trim()) }
                                select #{ "option-" (i) } name=(option.name.trim()) required {
                                    @for value in &option.values { option { (value.trim()) } }
                                }
                            }
                        }
                        div.field {
                            label for="quantity" { (family.quantity) }
                            input #quantity type="number" name="quantity" value="1" min="1" max=(MAX_QUANTITY) required;
                        }
                        p { button.button type="submit" { (family.add_to_cart) } }
                        p.cart-status role="status" {}
                    }
                    noscript {
                        p { (family.needs_script) " "
                            @if let Some(href) = ctx.page_href(PageKind::Contact) { a href=(href) { (words(ctx).get_in_touch) } }
                        }
                    }
                }
            }
        }
    }
}

/// What the cart's script reads: each product's slug, name, price and options, as JSON safe
/// inside a `<script type="application/json">` (not run: data, which CSP allows).
fn catalogue_json(shop: &Shop, language: &str) -> String {
    let items: Vec<serde_json::Value> = products(shop)
        .into_iter()
        .map(|(slug, p)| {
            serde_json::json!({
                "slug": slug,
                "name": p.name.trim(),
                "price": p.price,
                "shown": money(p.price, &shop.currency, language),
                "options": p.options.iter().map(|o| o.name.trim()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let exponent = if decimal(100, &shop.currency).contains('.') {
        2
    } else {
        0
    };
    super::jsonld::script_text(
        &serde_json::json!({"currency": shop.currency, "exponent": exponent, "products": items}),
    )
}

/// What the checkout form shows again when the server refused an order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutState {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    /// Why the order was refused, as sentences.
    pub problems: Vec<String>,
}

/// The cart page: the lines the script draws from the browser's cart, and the checkout form.
pub(crate) fn cart(ctx: &Ctx, shop: &Shop, state: &CheckoutState) -> Markup {
    let words = words(ctx);
    let family = FamilyWords::for_language(ctx.inputs.language());
    let payment = match shop.payment {
        Payment::Pickup => family.pay_on_pickup,
        Payment::Invoice => family.pay_by_invoice,
    };
    let value = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    html! {
        h1 { (family.cart) }
        @if !state.problems.is_empty() {
            div.error-summary role="alert" aria-labelledby="order-problems" {
                h2 #order-problems { (family.order_refused) }
                ul { @for p in &state.problems { li { (p) } } }
            }
        }
        script #store-catalog type="application/json" { (PreEscaped(catalogue_json(shop, ctx.inputs.language()))) }
        div.cart data-empty=(family.cart_empty) data-remove=(family.remove) data-total=(family.total) {
            p.cart-empty { (family.cart_empty) }
        }
        noscript { p { (family.needs_script) } }
        (band("checkout", family.checkout, html! {
            p.payment-note { (payment) @if let Some(pickup) = &shop.pickup { " " (pickup.trim()) } }
            form.contact-form.checkout method="post" action=(ctx.href(ORDER_ENDPOINT)) {
                input type="hidden" name="cart" value="[]";
                input type="hidden" name="idempotency_key" value="";
                p.form-note { (words.form_required) }
                div.field {
                    label for="order-name" { (words.form_name) }
                    input #order-name type="text" name="name" autocomplete="name" maxlength=(ORDER_NAME_MAX) required value=[value(&state.name)];
                }
                div.field {
                    label for="order-email" { (words.form_email) }
                    input #order-email type="email" name="email" autocomplete="email" maxlength=(super::CONTACT_EMAIL_MAX) required value=[value(&state.email)];
                }
                div.field {
                    label for="order-phone" { (words.phone) " " span.optional { (family.optional) } }
                    input #order-phone type="tel" name="phone" autocomplete="tel" maxlength=(ORDER_PHONE_MAX) value=[value(&state.phone)];
                }
                div.field {
                    label for="order-notes" { (family.order_notes) " " span.optional { (family.optional) } }
                    textarea #order-notes name="notes" rows="3" maxlength=(ORDER_NOTES_MAX) { (state.notes) }
                }
                div.visually-hidden aria-hidden="true" {
                    label for="order-website" { (words.form_honeypot) }
                    input #order-website type="text" name=(HONEYPOT_FIELD) tabindex="-1" autocomplete="off";
                }
                p { button.button type="submit" data-sending=(words.form_sending) disabled { (family.place_order) } }
            }
        }))
    }
}

/// A product page's JSON-LD: the Product and its Offer.
pub(crate) fn product_jsonld(ctx: &Ctx, page: &Page) -> Option<serde_json::Value> {
    let shop = ctx.inputs.shop.as_ref()?;
    let all = products(shop);
    let (_, product) = page.item.and_then(|i| all.get(i))?;
    let pictures: Vec<String> = product
        .images
        .iter()
        .filter_map(|image| {
            let upload = images::upload(ctx.media, image)?;
            let widest = upload.variants.last()?;
            Some(ctx.url(&images::variant_path(&upload.id, widest)))
        })
        .collect();
    let availability = match product.stock {
        Some(0) => "https://schema.org/OutOfStock",
        _ => "https://schema.org/InStock",
    };
    Some(serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name.trim(),
        "description": product.description.trim(),
        "image": pictures,
        "category": product.category.as_deref().map(str::trim),
        "offers": {
            "@type": "Offer",
            "price": decimal(product.price, &shop.currency),
            "priceCurrency": shop.currency,
            "availability": availability,
            "url": ctx.url(&page.info.path),
            "seller": {"@type": "Organization", "name": ctx.name()},
        },
    }))
}

/// An order as its confirmation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    pub number: String,
    pub lines: Vec<PricedLine>,
    pub total: u64,
    /// What the server changed or said of the cart (nothing, usually).
    pub email: String,
}

/// What the server answers a checkout with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAnswer<'a> {
    Placed(&'a PlacedOrder),
    Refused(&'a CheckoutState),
}

/// The page answering a checkout, as served at the order endpoint (the site's root depth);
/// None when the inputs are not a shop's.
pub fn order_answer(
    inputs: &SiteInputs,
    spec: &SiteSpec,
    media: &Media,
    answer: OrderAnswer<'_>,
) -> Option<Vec<u8>> {
    let shop = inputs.shop.as_ref()?;
    let words = Words::for_language(inputs.language());
    let family = FamilyWords::for_language(inputs.language());
    let language = inputs.language();
    let (plan, _) = plan::plan(inputs, words);
    let mut ctx = Ctx::new(inputs, spec, &plan, media, theme::choose(inputs).theme);
    ctx.noindex = true;
    let page = plan.iter().find(|p| p.kind == PageKind::Cart)?;
    let main = match answer {
        OrderAnswer::Refused(state) => cart(&ctx, shop, state),
        OrderAnswer::Placed(order) => {
            let payment = match shop.payment {
                Payment::Pickup => family.pay_on_pickup,
                Payment::Invoice => family.pay_by_invoice,
            };
            html! {
                div.order-placed data-order-placed=(order.number) {
                    h1 { (family.order_placed_title) }
                    p.lead { (fill(family.order_placed, &[("number", &order.number), ("email", &order.email)])) }
                    div.table-scroll role="region" aria-labelledby="order-caption" tabindex="0" {
                        table.comparison {
                            caption #order-caption { (fill(family.order_number, &[("number", &order.number)])) }
                            thead { tr {
                                th scope="col" { (family.product) }
                                th scope="col" { (family.quantity) }
                                th scope="col" { (family.price) }
                            } }
                            tbody {
                                @for line in &order.lines {
                                    tr {
                                        th scope="row" {
                                            (line.name)
                                            @for (option, value) in &line.options { br; span.option { (option) (words.colon) (value) } }
                                        }
                                        td { (line.quantity) }
                                        td { (money(line.line_total, &shop.currency, language)) }
                                    }
                                }
                            }
                            tfoot { tr {
                                th scope="row" colspan="2" { (family.total) }
                                td { strong { (money(order.total, &shop.currency, language)) } }
                            } }
                        }
                    }
                    p { (payment) @if let Some(pickup) = &shop.pickup { " " (pickup.trim()) } }
                    p { a.button href=(ctx.href("")) { (words.back_home) } }
                }
            }
        }
    };
    let title = match answer {
        OrderAnswer::Placed(_) => family.order_placed_title,
        OrderAnswer::Refused(_) => family.order_refused,
    };
    let meta = Meta {
        page,
        description: fill(
            words.answer_description,
            &[("title", title), ("name", ctx.name())],
        ),
    };
    Some(document(&ctx, &meta, main).into_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Shop {
        serde_json::from_value(serde_json::json!({
            "currency": "USD",
            "products": [
                {"name": "Country Sourdough", "description": "Our daily loaf.", "price": 850, "stock": 3, "category": "Bread"},
                {"name": "Croissant", "description": "Butter.", "price": 425, "category": "Pastry",
                 "options": [{"name": "Filling", "values": ["Plain", "Almond"]}]}
            ]
        }))
        .unwrap()
    }

    fn line(product: &str, quantity: i64) -> CartLine {
        CartLine {
            product: product.into(),
            options: BTreeMap::new(),
            quantity,
            price: None,
        }
    }

    #[test]
    fn the_server_prices_an_order_from_the_catalogue() {
        let mut croissant = line("croissant", 2);
        croissant.options.insert("Filling".into(), "Almond".into());
        croissant.price = Some(425);
        let order = price_order(&shop(), &[line("country-sourdough", 2), croissant], "en").unwrap();
        assert_eq!(order.total, 2 * 850 + 2 * 425);
        assert_eq!(order.takes["country-sourdough"], (2, 3));
        assert!(!order.takes.contains_key("croissant"), "no stock, no limit");
    }

    #[test]
    fn tampered_and_impossible_lines_are_refused_each_with_its_reason() {
        let mut cheap = line("country-sourdough", 1);
        cheap.price = Some(1);
        let mut wrong = line("croissant", 1);
        wrong.options.insert("Filling".into(), "Ham".into());
        let cart = [
            cheap,
            line("country-sourdough", -1),
            line("country-sourdough", 4),
            line("baguette", 1),
            wrong,
            line("croissant", 1),
        ];
        let problems = price_order(&shop(), &cart, "en").unwrap_err();
        let said: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            said,
            [
                "line 1: Country Sourdough costs $8.50, not $0.01: the price was changed after it left the shop",
                "line 2: order 1 to 99 of Country Sourdough, not -1",
                "line 3: only 3 of Country Sourdough are for sale, not 4",
                "line 4: the shop sells no product \"baguette\"",
                "line 5: Croissant comes in Filling Plain, Almond, not \"Ham\"",
                "line 6: choose the Filling of Croissant",
            ]
        );
        let many: Vec<CartLine> = (0..10_000).map(|_| line("croissant", 1)).collect();
        let refused = price_order(&shop(), &many, "en").unwrap_err();
        assert_eq!(refused.len(), 1);
        assert!(refused[0].message.contains("at most 50 lines, not 10000"));
    }

    #[test]
    fn money_is_written_as_the_language_writes_it() {
        assert_eq!(money(650, "USD", "en"), "$6.50");
        assert_eq!(money(1_234_567, "EUR", "de"), "12.345,67\u{a0}€");
        assert_eq!(money(1200, "JPY", "en"), "¥1,200");
        assert_eq!(money(990, "CHF", "en"), "CHF 9.90");
    }
}
