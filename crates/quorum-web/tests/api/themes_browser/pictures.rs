//! The pictures the full content set shows, drawn here and uploaded as an agent would: a hero,
//! two gallery pictures, a portrait and a logo with a transparent background. Photo-like (soft
//! light, shapes, grain) rather than flat, so the designs are judged with what a business
//! uploads, and JPEG meets the detail it compresses in real photos. Deterministic, so the
//! screenshots change only when the sites do.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

const AGENT: &str = "agent_jermaine_super_action";

type Colour = [f32; 3];

/// A soft-edged shape in a picture, in fractions of its width and height: an ellipse, or
/// with a higher `power` a rounded rectangle, turned by `angle`, laid on at `opacity`.
struct Shape {
    x: f32,
    y: f32,
    rx: f32,
    ry: f32,
    angle: f32,
    power: f32,
    opacity: f32,
    /// How much lighter its top left is than its bottom right, as light makes a round thing.
    relief: f32,
    /// How soft its edge is, in radii; by default a couple of pixels, as a focused photo's.
    soft: Option<f32>,
    colour: Colour,
}

fn shape(x: f32, y: f32, rx: f32, ry: f32, colour: Colour) -> Shape {
    Shape {
        x,
        y,
        rx,
        ry,
        angle: 0.0,
        power: 2.0,
        opacity: 1.0,
        relief: 0.25,
        soft: None,
        colour,
    }
}

impl Shape {
    fn turned(self, angle: f32) -> Self {
        Shape { angle, ..self }
    }

    fn boxy(self) -> Self {
        Shape { power: 6.0, ..self }
    }

    fn flat(self) -> Self {
        Shape {
            relief: 0.0,
            ..self
        }
    }

    /// Out of focus: an edge `soft` radii wide.
    fn blurred(self, soft: f32) -> Self {
        Shape {
            soft: Some(soft),
            ..self
        }
    }

    fn faint(self, opacity: f32) -> Self {
        Shape {
            opacity,
            relief: 0.0,
            ..self
        }
    }

    /// How much of the pixel at (`u`, `v`) it covers, and its colour there.
    fn at(&self, u: f32, v: f32, aspect: f32, height: f32) -> Option<(f32, Colour)> {
        // Turned in square units, so an angle is an angle whatever the picture's shape.
        let (px, py) = ((u - self.x) * aspect, v - self.y);
        let (sin, cos) = self.angle.sin_cos();
        let (tx, ty) = (px * cos + py * sin, py * cos - px * sin);
        let (dx, dy) = (tx / (self.rx * aspect), ty / self.ry);
        if dx.abs() > 1.2 || dy.abs() > 1.2 {
            return None;
        }
        let d = if self.power == 2.0 {
            (dx * dx + dy * dy).sqrt()
        } else {
            (dx.abs().powf(self.power) + dy.abs().powf(self.power)).powf(1.0 / self.power)
        };
        let soft = self
            .soft
            .unwrap_or(2.5 / (self.rx * aspect).min(self.ry) / height);
        let cover = (1.0 - smoothstep(1.0 - soft, 1.0, d)) * self.opacity;
        let shade = 1.0 + self.relief * (0.45 - 0.5 * (dx + dy + 1.0).clamp(0.0, 2.0));
        (cover > 0.0).then(|| (cover, self.colour.map(|c| c * shade)))
    }
}

/// A vertical gradient under soft shapes, lit from the top left, with grain.
fn photo(width: u32, height: u32, top: Colour, bottom: Colour, shapes: &[Shape]) -> DynamicImage {
    let (w, h) = (width as f32, height as f32);
    let aspect = w / h;
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / w, y as f32 / h);
        let mut colour = mix(top, bottom, v);
        for shape in shapes {
            if let Some((cover, over)) = shape.at(u, v, aspect, h) {
                colour = mix(colour, over, cover);
            }
        }
        let light = 1.08 - 0.3 * ((u - 0.3).powi(2) + (v - 0.2).powi(2));
        let grain = (hash(x, y) - 0.5) * 6.0;
        Rgb(colour.map(|c| (c * light + grain).clamp(0.0, 255.0) as u8))
    }))
}

/// A round badge and a wordmark-like bar in the bakery's gold and cream on transparency: it
/// reads on a dark header and a light one.
fn logo() -> DynamicImage {
    let (gold, brown, cream) = (
        [224.0, 165.0, 38.0],
        [122.0, 62.0, 29.0],
        [251.0, 243.0, 228.0],
    );
    DynamicImage::ImageRgba8(RgbaImage::from_fn(600, 200, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let badge = ((x - 100.0).powi(2) + (y - 100.0).powi(2)).sqrt();
        let layers = [
            (1.0 - smoothstep(94.0, 96.0, badge), gold),
            (
                smoothstep(70.0, 72.0, badge) * (1.0 - smoothstep(80.0, 82.0, badge)),
                cream,
            ),
            (1.0 - smoothstep(38.0, 40.0, badge), brown),
            (bar(x, y, 230.0, 560.0, 62.0, 112.0), gold),
            (bar(x, y, 230.0, 460.0, 132.0, 148.0), cream),
        ];
        let (mut colour, mut alpha) = ([0.0; 3], 0.0_f32);
        for (coverage, over) in layers {
            colour = mix(colour, over, coverage);
            alpha = alpha.max(coverage);
        }
        let [r, g, b] = colour.map(|c| c as u8);
        Rgba([r, g, b, (alpha * 255.0) as u8])
    }))
}

/// How much of the pixel at (`x`, `y`) a bar with round ends from `left` to `right` and
/// `top` to `bottom` covers.
fn bar(x: f32, y: f32, left: f32, right: f32, top: f32, bottom: f32) -> f32 {
    let radius = (bottom - top) / 2.0;
    let cy = top + radius;
    let cx = x.clamp(left + radius, right - radius);
    let d = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
    1.0 - smoothstep(radius - 1.0, radius + 1.0, d)
}

fn mix(a: Colour, b: Colour, t: f32) -> Colour {
    [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t)
}

fn smoothstep(from: f32, to: f32, x: f32) -> f32 {
    let t = ((x - from) / (to - from)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A repeatable value in 0..1 for a pixel: film grain without a random number generator.
fn hash(x: u32, y: u32) -> f32 {
    let mut n = x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77);
    n ^= n >> 15;
    n = n.wrapping_mul(0x2C1B_3C6D);
    n ^= n >> 12;
    (n & 0xffff) as f32 / 65_535.0
}

/// A loaf seen from the side: its shadow, its crust and the ear its scoring opened.
fn loaf(x: f32, y: f32, size: f32, crust: Colour) -> [Shape; 3] {
    [
        shape(
            x + size * 0.12,
            y + size * 0.55,
            size * 1.05,
            size * 0.16,
            [40.0, 24.0, 14.0],
        )
        .faint(0.5)
        .blurred(0.5),
        shape(x, y, size, size * 0.62, crust).turned(-0.04),
        shape(
            x - size * 0.05,
            y - size * 0.2,
            size * 0.62,
            size * 0.09,
            [228.0, 182.0, 118.0],
        )
        .turned(-0.35),
    ]
}

/// The picture for each upload id the fixture names, and the format it is uploaded as.
fn picture_for(fixture_id: &str) -> (DynamicImage, ImageFormat) {
    let wood = [96.0, 60.0, 36.0];
    match fixture_id {
        // Loaves on a rack by a bright window.
        "upl_heroloavesrack01" => {
            let mut shapes = vec![
                shape(0.3, 0.12, 0.34, 0.32, [255.0, 248.0, 232.0])
                    .faint(0.7)
                    .blurred(0.6),
                shape(0.5, 0.735, 0.9, 0.018, wood).boxy().flat(),
                shape(0.5, 0.965, 0.9, 0.03, wood).boxy().flat(),
            ];
            for (i, x) in [0.13, 0.33, 0.53, 0.73, 0.92].into_iter().enumerate() {
                let crust = if i % 2 == 0 {
                    [172.0, 100.0, 46.0]
                } else {
                    [150.0, 84.0, 40.0]
                };
                shapes.extend(loaf(x, 0.665, 0.085, crust));
            }
            (
                photo(
                    1_600,
                    1_000,
                    [236.0, 222.0, 198.0],
                    [146.0, 104.0, 72.0],
                    &shapes,
                ),
                ImageFormat::Jpeg,
            )
        }
        // Croissants in rows on a dark baking tray.
        "upl_croissanttray001" => {
            let mut shapes = vec![
                shape(0.5, 0.5, 0.46, 0.44, [52.0, 40.0, 34.0])
                    .boxy()
                    .flat(),
            ];
            for row in 0..2 {
                for column in 0..3 {
                    let (x, y) = (0.22 + 0.28 * column as f32, 0.31 + 0.38 * row as f32);
                    shapes.extend(loaf(x, y, 0.1, [214.0, 148.0, 64.0]));
                }
            }
            (
                photo(1_200, 900, [92.0, 70.0, 56.0], [40.0, 30.0, 26.0], &shapes),
                ImageFormat::Jpeg,
            )
        }
        // A three-layer cake on a stand, flowers on top.
        "upl_lemonweddingcake" => {
            let cake = [
                shape(0.5, 0.86, 0.36, 0.05, [214.0, 212.0, 206.0]),
                shape(0.5, 0.62, 0.24, 0.23, [250.0, 240.0, 212.0]).boxy(),
                shape(0.5, 0.55, 0.24, 0.012, [232.0, 206.0, 120.0])
                    .boxy()
                    .flat(),
                shape(0.5, 0.7, 0.24, 0.012, [232.0, 206.0, 120.0])
                    .boxy()
                    .flat(),
                shape(0.5, 0.39, 0.24, 0.045, [253.0, 250.0, 242.0]),
                shape(0.42, 0.36, 0.035, 0.035, [220.0, 118.0, 128.0]),
                shape(0.5, 0.34, 0.03, 0.03, [240.0, 204.0, 84.0]),
                shape(0.57, 0.36, 0.035, 0.035, [228.0, 150.0, 160.0]),
                shape(0.46, 0.33, 0.03, 0.015, [108.0, 150.0, 96.0]).turned(0.6),
            ];
            (
                photo(
                    1_200,
                    900,
                    [214.0, 222.0, 212.0],
                    [160.0, 138.0, 118.0],
                    &cake,
                ),
                ImageFormat::Jpeg,
            )
        }
        // A baker before a plain wall: hair, face, apron.
        "upl_claraatthebench1" => {
            let person = [
                shape(0.5, 1.02, 0.4, 0.3, [238.0, 234.0, 226.0]),
                shape(0.5, 1.08, 0.2, 0.3, [58.0, 66.0, 84.0]).boxy(),
                shape(0.5, 0.4, 0.2, 0.24, [86.0, 52.0, 34.0]),
                shape(0.5, 0.45, 0.15, 0.19, [216.0, 172.0, 142.0]),
            ];
            (
                photo(
                    600,
                    600,
                    [196.0, 204.0, 194.0],
                    [146.0, 158.0, 148.0],
                    &person,
                ),
                ImageFormat::Jpeg,
            )
        }
        "upl_hearthcrumblogo1" => (logo(), ImageFormat::Png),
        other => panic!("the fixture names an upload this test has no picture for: {other}"),
    }
}

/// Uploads a picture for every upload the inputs name, as the agent the test app proposes
/// with, and names the uploads' ids in their place.
pub(super) async fn with_uploaded_pictures(app: &TestApp, mut inputs: Value) -> Value {
    let mut named = Vec::new();
    collect_uploads(&inputs, &mut named);
    assert!(
        named.len() >= 5,
        "the full content set names its pictures: {named:?}"
    );
    for fixture_id in named {
        let (picture, format) = picture_for(&fixture_id);
        let mut bytes = Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).unwrap();
        let response = app
            .client
            .post(format!("{}/api/uploads", app.url))
            .bearer_auth(&app.tokens[AGENT])
            .header(reqwest::header::CONTENT_TYPE, format.to_mime_type())
            .body(bytes.into_inner())
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), StatusCode::CREATED, "{fixture_id}");
        let body: Value = response.json().await.unwrap();
        let id = body["upload_id"].as_str().unwrap().to_owned();
        rename_upload(&mut inputs, &fixture_id, &id);
    }
    inputs
}

fn collect_uploads(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::String(id)) = fields.get("upload") {
                found.push(id.clone());
            }
            fields.values().for_each(|v| collect_uploads(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_uploads(v, found)),
        _ => {}
    }
}

fn rename_upload(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(fields) => {
            if fields.get("upload").and_then(Value::as_str) == Some(from) {
                fields.insert("upload".into(), Value::String(to.into()));
            }
            fields.values_mut().for_each(|v| rename_upload(v, from, to));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_upload(v, from, to)),
        _ => {}
    }
}
