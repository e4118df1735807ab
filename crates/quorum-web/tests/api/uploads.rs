//! `POST /api/uploads` and the pictures of a website: what is refused and why, what is kept,
//! who may read it and name it, and a site that shows its pictures at the widths a browser
//! asks for. The pictures are made here with the image crate.

use std::io::Cursor;
use std::time::Duration;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    pictures_that_are_not_png_jpeg_or_webp_or_lie_about_it_are_refused_naming_the_field,
    a_png_and_a_jpeg_are_kept_with_their_renditions_and_read_back_by_the_owner_or_an_admin,
    only_agents_and_admins_upload_and_each_only_so_many_a_minute,
    a_workflow_naming_an_upload_that_is_not_the_creators_is_refused_naming_the_field,
    a_website_with_an_uploaded_logo_hero_and_gallery_deploys_and_serves_them_with_srcset,
    the_queue_shows_a_proposed_sites_pictures_as_thumbnails_from_its_preview,
);

/// A member reviewing a site sees its pictures, served from its preview.
async fn the_queue_shows_a_proposed_sites_pictures_as_thumbnails_from_its_preview(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let hero = uploaded(&app, AGENT, &photo(1600, 1000), ImageFormat::Jpeg).await;
    let (status, created) = propose(
        &app,
        AGENT,
        site_inputs(json!({"hero_image": {"upload": hero, "alt": "Loaves cooling on a rack"}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let dash = crate::dashboard::Dash::signed_in(&app, "user_b").await;
    let queue = dash.page("/dashboard/queue").await;
    assert_eq!(
        queue.attrs("ul.thumbnails img", "alt"),
        ["Loaves cooling on a rack"]
    );
    let src = queue.attrs("ul.thumbnails img", "src").remove(0);
    assert!(src.starts_with(&format!("/previews/{id}/")), "{src}");
    let picture = dash.get(&src).await;
    assert_eq!(picture.status, StatusCode::OK);
    assert!(
        picture.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("image/")
    );
}

const AGENT: &str = "agent_jermaine_super_action";
const OTHER: &str = "commerce_agent";

fn photo(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 7 % 256) as u8,
            (y * 3 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// A PNG signature and an image header claiming `width` × `height`, and no pixels.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut crc = u32::MAX;
    for &b in &ihdr {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(13u32.to_be_bytes());
    bytes.extend(&ihdr);
    bytes.extend((!crc).to_be_bytes());
    bytes
}

/// Sends `body` to `POST /api/uploads` as `who` with `content_type`.
async fn upload(
    app: &TestApp,
    who: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = app.client.post(format!("{}/api/uploads", app.url));
    if !who.is_empty() {
        request = request.bearer_auth(&app.tokens[who]);
    }
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = request.body(body).send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Declares a body of `length` bytes to `POST /api/uploads` and sends none of it: the server
/// refuses by the declared length alone, before reading. (Sending the bytes would race the
/// refusal: the server answers and closes while the client still writes, and the client sees
/// a broken pipe instead of the answer.)
async fn oversized(app: &TestApp, length: usize) -> (StatusCode, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: image/jpeg\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n",
        app.tokens[AGENT]
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

/// Uploads `picture` as `format` for `who`; asserts 201 and returns the upload's id.
async fn uploaded(app: &TestApp, who: &str, picture: &DynamicImage, format: ImageFormat) -> String {
    let (status, body) = upload(
        app,
        who,
        Some(format.to_mime_type()),
        encoded(picture, format),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["upload_id"].as_str().unwrap().to_owned()
}

fn assert_refused(status: StatusCode, body: &Value, field: &str, rule: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(
        (detail["field"].as_str(), detail["rule"].as_str()),
        (Some(field), Some(rule)),
        "{body}"
    );
}

async fn pictures_that_are_not_png_jpeg_or_webp_or_lie_about_it_are_refused_naming_the_field(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>".to_vec();
    let (status, body) = upload(&app, AGENT, Some("image/svg+xml"), svg.clone()).await;
    assert_refused(status, &body, "Content-Type", "enum");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("SVG"),
        "{body}"
    );
    let (status, body) = upload(&app, AGENT, Some("image/png"), svg).await;
    assert_refused(status, &body, "body", "format");

    let png = encoded(&photo(64, 48), ImageFormat::Png);
    let mut wrong_magic = png.clone();
    wrong_magic[..4].copy_from_slice(b"GIF8");
    let (status, body) = upload(&app, AGENT, Some("image/png"), wrong_magic).await;
    assert_refused(status, &body, "body", "magic");

    let (status, body) = upload(&app, AGENT, Some("image/png"), png_header(20_000, 20_000)).await;
    assert_refused(status, &body, "body", "max_side");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("20000 × 20000"),
        "{body}"
    );
    let (status, body) = upload(&app, AGENT, Some("image/png"), png_header(7_000, 6_000)).await;
    assert_refused(status, &body, "body", "max_pixels");

    let (status, body) = upload(&app, AGENT, Some("image/jpeg"), png.clone()).await;
    assert_refused(status, &body, "Content-Type", "matches_body");
    let (status, body) = upload(&app, AGENT, None, png.clone()).await;
    assert_refused(status, &body, "Content-Type", "required");
    let mut broken = png;
    broken.truncate(60);
    let (status, body) = upload(&app, AGENT, Some("image/png"), broken).await;
    assert_refused(status, &body, "body", "decodable");

    let (status, body) = oversized(&app, 11 * 1024 * 1024).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("10 MiB"),
        "{body}"
    );
    // Other routes keep their 1 MiB limit.
    let (status, _) = app
        .send(
            Method::POST,
            "/api/councils",
            "admin",
            Some(json!({"name": "x".repeat(2 * 1024 * 1024)})),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn a_png_and_a_jpeg_are_kept_with_their_renditions_and_read_back_by_the_owner_or_an_admin(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (status, png) = upload(
        &app,
        AGENT,
        Some("image/png"),
        encoded(&photo(1_200, 800), ImageFormat::Png),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{png}");
    let id = png["upload_id"].as_str().unwrap();
    assert!(id.starts_with("upl_") && id.len() == 20, "{id}");
    assert_eq!(
        (&png["content_type"], &png["width"], &png["height"]),
        (&json!("image/png"), &json!(1_200), &json!(800))
    );
    let sizes = |body: &Value| -> Vec<(u64, u64, String)> {
        body["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert!(r["bytes"].as_u64().unwrap() > 100, "{r}");
                (
                    r["width"].as_u64().unwrap(),
                    r["height"].as_u64().unwrap(),
                    r["content_type"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let jpeg = |w, h| (w, h, "image/jpeg".to_owned());
    assert_eq!(
        sizes(&png),
        [jpeg(480, 320), jpeg(960, 640), jpeg(1_200, 800)],
        "an opaque PNG becomes JPEGs"
    );

    let original = encoded(&photo(2_000, 1_500), ImageFormat::Jpeg);
    let (status, big) = upload(&app, AGENT, Some("image/jpeg"), original.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{big}");
    assert_eq!(big["bytes"], original.len());
    assert_eq!(
        sizes(&big),
        [jpeg(480, 360), jpeg(960, 720), jpeg(1_600, 1_200)]
    );

    let path = format!("/api/uploads/{id}");
    let (status, read) = app.send(Method::GET, &path, AGENT, None).await;
    assert_eq!((status, &read), (StatusCode::OK, &png));
    let (status, read) = app.send(Method::GET, &path, "admin", None).await;
    assert_eq!((status, &read), (StatusCode::OK, &png));
    for (who, expected) in [
        (OTHER, StatusCode::NOT_FOUND),
        ("user_council_lead", StatusCode::FORBIDDEN),
        ("", StatusCode::UNAUTHORIZED),
    ] {
        let (status, body) = app.send(Method::GET, &path, who, None).await;
        assert_eq!(status, expected, "{who}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    let (status, _) = app
        .send(Method::GET, "/api/uploads/upl_nosuchupload", AGENT, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn only_agents_and_admins_upload_and_each_only_so_many_a_minute(backend: Backend) {
    let app = TestApp::start(backend).await;
    let tiny = encoded(&photo(2, 2), ImageFormat::Png);
    for (who, expected) in [
        ("user_council_lead", StatusCode::FORBIDDEN),
        ("user_viewer", StatusCode::FORBIDDEN),
        ("", StatusCode::UNAUTHORIZED),
        ("admin", StatusCode::CREATED),
    ] {
        let (status, body) = upload(&app, who, Some("image/png"), tiny.clone()).await;
        assert_eq!(status, expected, "{who}: {body}");
    }
    let per_minute = quorum_service::UPLOADS_PER_MINUTE as usize;
    let mut statuses = Vec::new();
    for _ in 0..per_minute + 1 {
        statuses.push(upload(&app, AGENT, Some("image/png"), tiny.clone()).await.0);
    }
    // A minute's window may turn during the loop, letting one more through; never fewer.
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert!(
        (per_minute..=per_minute + 1).contains(&created),
        "{statuses:?}"
    );
    if created == per_minute {
        let (status, body) = upload(&app, AGENT, Some("image/png"), tiny.clone()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"]["code"], "rate_limited");
    }
    let (status, _) = upload(&app, OTHER, Some("image/png"), tiny).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "each principal has its own limit"
    );
}

fn site_inputs(extra: Value) -> Value {
    let mut inputs = json!({
        "site_name": "Crumb & Crust",
        "site_description": "A neighbourhood bakery",
        "contact_email": "hello@crumb.example",
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        inputs[k] = v;
    }
    inputs
}

async fn propose(app: &TestApp, who: &str, inputs: Value) -> (StatusCode, Value) {
    let body = json!({"workflow_type_id": "website.create_basic_site", "inputs": inputs});
    app.send(Method::POST, "/api/workflows", who, Some(body))
        .await
}

async fn a_workflow_naming_an_upload_that_is_not_the_creators_is_refused_naming_the_field(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let theirs = uploaded(&app, OTHER, &photo(600, 400), ImageFormat::Jpeg).await;
    let mine = uploaded(&app, AGENT, &photo(600, 400), ImageFormat::Jpeg).await;
    let (status, body) = propose(
        &app,
        AGENT,
        site_inputs(json!({
            "hero_image": {"upload": theirs, "alt": "Bread"},
            "gallery": [{"upload": mine, "alt": "Cake"}, {"upload": "upl_neveruploaded", "alt": "Pie"}],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["inputs.hero_image.upload", "inputs.gallery[1].upload"],
        "{body}"
    );
    let (status, body) = propose(
        &app,
        AGENT,
        site_inputs(json!({"hero_image": {"upload": mine}})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a picture needs its alt text: {body}"
    );
    let (status, body) = propose(
        &app,
        AGENT,
        site_inputs(json!({"hero_image": {"upload": mine, "alt": "Bread"}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = propose(
        &app,
        "admin",
        site_inputs(json!({"hero_image": {"upload": theirs, "alt": "Bread"}})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "an admin may name anyone's: {body}"
    );
}

/// The `src` and `srcset` URLs of every `<img>` of `html`.
fn picture_urls(html: &str) -> Vec<(String, Vec<String>, String)> {
    let doc = scraper::Html::parse_document(html);
    doc.select(&scraper::Selector::parse("img").unwrap())
        .map(|img| {
            let e = img.value();
            let srcset = e
                .attr("srcset")
                .unwrap_or_default()
                .split(',')
                .filter_map(|c| c.split_whitespace().next())
                .map(str::to_owned)
                .collect();
            (
                e.attr("src").unwrap().to_owned(),
                srcset,
                e.attr("alt").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn a_website_with_an_uploaded_logo_hero_and_gallery_deploys_and_serves_them_with_srcset(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let logo = DynamicImage::ImageRgba8(RgbaImage::from_fn(400, 200, |x, _| {
        Rgba([150, 60, 20, if x < 200 { 255 } else { 0 }])
    }));
    let logo = uploaded(&app, AGENT, &logo, ImageFormat::Png).await;
    let hero = uploaded(&app, AGENT, &photo(2_000, 1_000), ImageFormat::Jpeg).await;
    let cake = uploaded(&app, AGENT, &photo(900, 900), ImageFormat::WebP).await;
    let bread = uploaded(&app, AGENT, &photo(320, 240), ImageFormat::Png).await;
    let (status, created) = propose(
        &app,
        AGENT,
        site_inputs(json!({
            "logo": {"upload": logo},
            "hero_image": {"upload": hero, "alt": "The shop front at dawn"},
            "gallery": [{"upload": cake, "alt": "A lemon cake"}, {"upload": bread, "alt": "Sourdough loaves"}],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let workers = app.workers(2);
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "lovely pictures").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let detail = app.wait_for(id, "COMPLETED", Duration::from_secs(60)).await;
    workers.shutdown().await;
    let verification = &detail["outputs"]["verification"];
    assert_eq!(
        verification["images_checked"],
        1 + 3 + 2 + 1,
        "{verification}"
    );

    let site = format!("{}/sites/crumb-crust/", app.url);
    let home = app
        .client
        .get(&site)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pictures = picture_urls(&home);
    let (logo_src, logo_set, logo_alt) = &pictures[0];
    assert_eq!(logo_src, &format!("assets/images/{logo}-400.png"), "{home}");
    assert!(
        logo_set.is_empty(),
        "one rendition, sharp in the header at three device pixels to one: {home}"
    );
    assert_eq!(logo_alt, "Crumb & Crust logo");
    let widths = |set: &[String]| -> Vec<String> {
        set.iter()
            .map(|u| u.rsplit('-').next().unwrap().to_owned())
            .collect()
    };
    let hero_img = pictures
        .iter()
        .find(|p| p.2 == "The shop front at dawn")
        .expect("the hero");
    assert_eq!(widths(&hero_img.1), ["480.jpg", "960.jpg", "1600.jpg"]);
    let cake_img = pictures
        .iter()
        .find(|p| p.2 == "A lemon cake")
        .expect("the cake");
    assert_eq!(widths(&cake_img.1), ["480.jpg", "900.jpg"]);
    assert!(
        pictures
            .iter()
            .any(|p| p.2 == "Sourdough loaves" && widths(&p.1) == ["320.jpg"])
    );
    assert!(
        // Warm crops the hero to 4:3 beside the text: a 2:1 picture is asked for half as
        // wide again as its box.
        home.contains(
            r#"sizes="(min-width: 71rem) 48.75rem, (min-width: 48em) calc(75vw - 4.5rem), calc(150vw - 3rem)""#
        ),
        "{home}"
    );

    let upload = app.get(&format!("/api/uploads/{hero}")).await;
    for (i, url) in hero_img.1.iter().enumerate() {
        let response = app.client.get(format!("{site}{url}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "image/jpeg",
            "{url}"
        );
        let bytes = response.bytes().await.unwrap();
        assert_eq!(
            bytes.len() as u64,
            upload["renditions"][i]["bytes"].as_u64().unwrap()
        );
        let picture = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            u64::from(picture.width()),
            upload["renditions"][i]["width"].as_u64().unwrap()
        );
    }
    let logo_file = app
        .client
        .get(format!("{site}{logo_src}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logo_file.headers()[header::CONTENT_TYPE], "image/png");
}
