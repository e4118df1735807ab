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

/// A soft-edged ellipse in a picture, in fractions of its width and height.
struct Shape {
    x: f32,
    y: f32,
    rx: f32,
    ry: f32,
    colour: Colour,
}

/// A vertical gradient under soft shapes, lit from the top left, with grain.
fn photo(width: u32, height: u32, top: Colour, bottom: Colour, shapes: &[Shape]) -> DynamicImage {
    let (w, h) = (width as f32, height as f32);
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / w, y as f32 / h);
        let mut colour = mix(top, bottom, v);
        for shape in shapes {
            // Distance in radii; in pixels the edge is a few pixels soft whatever the size.
            let (dx, dy) = ((u - shape.x) / shape.rx, (v - shape.y) / shape.ry);
            let d = (dx * dx + dy * dy).sqrt();
            let edge = 1.0 - smoothstep(0.9, 1.0, d);
            // Lighter towards the light, as a rounded thing is.
            let lit = shape
                .colour
                .map(|c| c * (1.12 - 0.25 * (dx + dy + 1.0).clamp(0.0, 2.0)));
            colour = mix(colour, lit, edge);
        }
        let light = 1.08 - 0.3 * ((u - 0.3).powi(2) + (v - 0.2).powi(2));
        let grain = (hash(x, y) - 0.5) * 14.0;
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

fn loaf(x: f32, y: f32, rx: f32, colour: Colour) -> Shape {
    Shape {
        x,
        y,
        rx,
        ry: rx * 1.1,
        colour,
    }
}

/// The picture for each upload id the fixture names, and the format it is uploaded as.
fn picture_for(fixture_id: &str) -> (DynamicImage, ImageFormat) {
    let crust = [150.0, 88.0, 42.0];
    let golden = [214.0, 150.0, 70.0];
    match fixture_id {
        // Loaves on a rack by a bright window.
        "upl_heroloavesrack01" => {
            let shapes = [0.16, 0.38, 0.6, 0.83].map(|x| loaf(x, 0.68, 0.1, crust));
            let sill = Shape {
                x: 0.5,
                y: 1.25,
                rx: 0.9,
                ry: 0.4,
                colour: [92.0, 58.0, 36.0],
            };
            let mut all = vec![sill];
            all.extend(shapes);
            (
                photo(
                    1_600,
                    1_000,
                    [238.0, 222.0, 196.0],
                    [120.0, 80.0, 52.0],
                    &all,
                ),
                ImageFormat::Jpeg,
            )
        }
        // Croissants on a dark tray.
        "upl_croissanttray001" => {
            let shapes: Vec<Shape> = (0..6)
                .map(|i| {
                    loaf(
                        0.2 + 0.3 * (i % 3) as f32,
                        0.3 + 0.42 * (i / 3) as f32,
                        0.11,
                        golden,
                    )
                })
                .collect();
            (
                photo(1_200, 900, [70.0, 52.0, 40.0], [34.0, 26.0, 22.0], &shapes),
                ImageFormat::Jpeg,
            )
        }
        // A pale layer cake on a table.
        "upl_lemonweddingcake" => {
            let cake = [
                Shape {
                    x: 0.5,
                    y: 0.86,
                    rx: 0.42,
                    ry: 0.1,
                    colour: [200.0, 196.0, 188.0],
                },
                Shape {
                    x: 0.5,
                    y: 0.55,
                    rx: 0.26,
                    ry: 0.32,
                    colour: [250.0, 240.0, 214.0],
                },
                Shape {
                    x: 0.44,
                    y: 0.24,
                    rx: 0.05,
                    ry: 0.05,
                    colour: [222.0, 120.0, 130.0],
                },
                Shape {
                    x: 0.56,
                    y: 0.25,
                    rx: 0.04,
                    ry: 0.04,
                    colour: [240.0, 200.0, 80.0],
                },
            ];
            (
                photo(
                    1_200,
                    900,
                    [204.0, 216.0, 206.0],
                    [150.0, 130.0, 112.0],
                    &cake,
                ),
                ImageFormat::Jpeg,
            )
        }
        // A baker before a plain wall: shoulders and a head.
        "upl_claraatthebench1" => {
            let person = [
                Shape {
                    x: 0.5,
                    y: 1.05,
                    rx: 0.42,
                    ry: 0.32,
                    colour: [60.0, 70.0, 88.0],
                },
                Shape {
                    x: 0.5,
                    y: 0.42,
                    rx: 0.17,
                    ry: 0.22,
                    colour: [214.0, 170.0, 140.0],
                },
            ];
            (
                photo(
                    600,
                    600,
                    [196.0, 204.0, 196.0],
                    [150.0, 160.0, 150.0],
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
