//! Uploaded pictures in a generated site, from a hand-built `Media`: their files, their
//! `<img srcset>` by placement, the uploaded logo in place of the drawn one, and the checks.

use std::sync::Arc;

use serde_json::json;

use super::super::*;

fn spec() -> SiteSpec {
    SiteSpec {
        slug: "acme".into(),
        base_url: "http://127.0.0.1:5000/sites/acme".into(),
        contact_action: "http://127.0.0.1:5000/sites/acme/contact".into(),
        deployment_id: "deploy_x".into(),
        date: "2026-11-02".into(),
    }
}

fn inputs(extra: serde_json::Value) -> SiteInputs {
    let mut inputs = json!({
        "site_name": "Acme Bakery",
        "site_description": "Bread baked before dawn",
        "contact_email": "hello@acme.example",
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        inputs[k] = v;
    }
    serde_json::from_value(inputs).unwrap()
}

/// An upload of `widths` renditions of a 2:1 picture, each's bytes naming it.
fn upload(id: &str, widths: &[u32], content_type: &str) -> UploadedImage {
    UploadedImage {
        id: id.into(),
        width: *widths.last().unwrap(),
        height: widths.last().unwrap() / 2,
        variants: widths
            .iter()
            .map(|&width| ImageVariant {
                width,
                height: width / 2,
                content_type: content_type.into(),
                bytes: Arc::from(format!("{id} at {width}").into_bytes()),
            })
            .collect(),
    }
}

fn media(uploads: Vec<UploadedImage>) -> Media {
    Media {
        images: uploads.into_iter().map(|u| (u.id.clone(), u)).collect(),
    }
}

fn page(site: &Site, path: &str) -> String {
    String::from_utf8(site.files[path].bytes.to_vec()).unwrap()
}

fn full() -> (SiteInputs, Media) {
    let inputs = inputs(json!({
        "logo": {"upload": "upl_logo"},
        "hero_image": {"upload": "upl_hero", "alt": "Loaves \"fresh\" <from> the oven"},
        "gallery": [{"upload": "upl_cake", "alt": "A birthday cake"}],
        "team": [{"name": "Ada", "photo": {"upload": "upl_ada", "alt": "Ada at the counter"}}],
    }));
    let media = media(vec![
        upload("upl_logo", &[240], "image/png"),
        upload("upl_hero", &[480, 960, 1600], "image/jpeg"),
        upload("upl_cake", &[480, 900], "image/jpeg"),
        upload("upl_ada", &[300], "image/jpeg"),
    ]);
    (inputs, media)
}

#[test]
fn every_rendition_is_a_file_of_the_site_with_its_bytes() {
    let (inputs, media) = full();
    let site = generate(&inputs, &spec(), &media);
    let images: Vec<&str> = site
        .files_of(FileKind::Image)
        .into_iter()
        .map(|(path, bytes)| {
            let name = path.strip_prefix("assets/images/").unwrap();
            let (id, rest) = name.split_once('-').unwrap();
            let width = rest.split_once('.').unwrap().0;
            assert_eq!(bytes, format!("{id} at {width}").as_bytes(), "{path}");
            path
        })
        .collect();
    assert_eq!(
        images,
        [
            "assets/images/upl_ada-300.jpg",
            "assets/images/upl_cake-480.jpg",
            "assets/images/upl_cake-900.jpg",
            "assets/images/upl_hero-1600.jpg",
            "assets/images/upl_hero-480.jpg",
            "assets/images/upl_hero-960.jpg",
            "assets/images/upl_logo-240.png",
        ]
    );
    assert_eq!(generate(&inputs, &spec(), &media), site, "deterministic");
}

#[test]
fn pictures_carry_srcset_sizes_and_their_alt_text_escaped() {
    let (inputs, media) = full();
    let home = page(&generate(&inputs, &spec(), &media), "index.html");
    let hero = "<img src=\"assets/images/upl_hero-960.jpg\" \
         srcset=\"assets/images/upl_hero-480.jpg 480w, assets/images/upl_hero-960.jpg 960w, assets/images/upl_hero-1600.jpg 1600w\" \
         sizes=\"(min-width: 71rem) 48.75rem, (min-width: 48em) calc(75vw - 4.5rem), \
         calc(150vw - 3rem)\" width=\"960\" height=\"480\" \
         alt=\"Loaves &quot;fresh&quot; &lt;from&gt; the oven\" fetchpriority=\"high\" decoding=\"async\">";
    assert!(home.contains(hero), "{home}");
    assert!(
        home.contains("alt=\"A birthday cake\" loading=\"lazy\""),
        "{home}"
    );
    // A 2:1 portrait fills warm's 7rem disc at twice its width.
    assert!(home.contains("srcset=\"assets/images/upl_ada-300.jpg 300w\" sizes=\"14rem\""));
    assert!(!home.contains("<from>"));
}

#[test]
fn an_uploaded_logo_replaces_the_drawn_one_in_the_header_and_keeps_its_proportions() {
    let (inputs, media) = full();
    let site = generate(&inputs, &spec(), &media);
    for page in &site.pages {
        // Relative to the page.
        let up = "../".repeat(page.path.matches('/').count());
        let logo = format!(
            "<img class=\"brand-logo\" src=\"{up}assets/images/upl_logo-240.png\" \
             width=\"96\" height=\"48\" alt=\"Acme Bakery logo\" decoding=\"async\">"
        );
        let html = String::from_utf8(site.files[&page.file].bytes.to_vec()).unwrap();
        assert!(html.contains(&logo), "{}: {html}", page.file);
        assert!(!html.contains("assets/logo.svg\" alt="), "{}", page.file);
    }
    // Without the upload in the media (or without a logo) the drawn logo stays.
    let mut without = media.clone();
    without.images.remove("upl_logo");
    let home = page(&generate(&inputs, &spec(), &without), "index.html");
    assert!(home.contains("<img src=\"assets/logo.svg\" alt=\"Acme Bakery logo\""));
    assert!(!home.contains("upl_logo"));
}

#[test]
fn a_logo_offers_only_the_renditions_a_sharp_header_can_use() {
    let (inputs, _) = full();
    // The header's logo element, on the home page.
    let logo = |widths: &[u32]| {
        let media = media(vec![upload("upl_logo", widths, "image/png")]);
        let home = page(&generate(&inputs, &spec(), &media), "index.html");
        let start = home.find("<img class=\"brand-logo\"").unwrap();
        home[start..start + home[start..].find('>').unwrap()].to_owned()
    };
    // Drawn 96 px wide: 480 is sharp at three device pixels to one, 960 is never needed.
    assert_eq!(
        logo(&[480, 960]),
        "<img class=\"brand-logo\" src=\"assets/images/upl_logo-480.png\" width=\"96\" \
         height=\"48\" alt=\"Acme Bakery logo\" decoding=\"async\""
    );
    // 200 is not: the browser may choose, up to the first that is.
    assert!(logo(&[200, 400, 800]).contains(
        "src=\"assets/images/upl_logo-200.png\" srcset=\"assets/images/upl_logo-200.png 200w, \
         assets/images/upl_logo-400.png 400w\" sizes=\"96px\""
    ));
}

#[test]
fn a_picture_other_than_the_logo_needs_alt_text_and_an_upload_id() {
    let problems = |extra| {
        check(&inputs(extra))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect::<Vec<_>>()
    };
    assert!(problems(json!({"logo": {"upload": "upl_a"}})).is_empty());
    assert_eq!(
        problems(json!({
            "hero_image": {"upload": "upl_a", "alt": "  "},
            "gallery": [{"upload": "upl_b", "alt": "ok"}, {"upload": "upl_c"}],
            "team": [{"name": "Ada", "photo": {"upload": "../../etc", "alt": "Ada"}}],
        })),
        ["team[0].photo.upload", "hero_image.alt", "gallery[1].alt"]
    );
}
