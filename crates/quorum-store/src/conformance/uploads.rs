//! Upload conformance: an upload and its renditions read back as kept, an id is kept once, a
//! rendition without its blob keeps nothing, and a rendition's blob is the one a deployment
//! names, kept while the upload names it.

use super::*;
use crate::*;

fn blob(hash: &str, bytes: &[u8]) -> Blob {
    Blob {
        hash: hash.into(),
        bytes: bytes.to_vec(),
        gzip: None,
    }
}

fn upload(id: &str, owner: &str, renditions: &[(u32, &Blob)]) -> Upload {
    Upload {
        id: id.into(),
        owner: owner.into(),
        created_at: base_time(),
        content_type: "image/png".into(),
        width: 2_000,
        height: 1_000,
        bytes: 1_234_567,
        renditions: renditions
            .iter()
            .map(|(width, blob)| Rendition {
                width: *width,
                height: width / 2,
                content_type: "image/jpeg".into(),
                hash: blob.hash.clone(),
                bytes: blob.bytes.len() as u64,
            })
            .collect(),
    }
}

pub async fn an_upload_reads_back_with_its_renditions_and_an_id_is_kept_once(store: &S) {
    let (small, large) = (
        blob("u480", &[0xff, 0xd8, 0, 1]),
        blob("u960", b"\xff\xd8 larger"),
    );
    let kept = upload("upl_a", "agent_a", &[(480, &small), (960, &large)]);
    store
        .add_upload(&kept, &[large.clone(), small.clone()])
        .await
        .unwrap();
    let other = upload("upl_b", "agent_b", &[(480, &small)]);
    store
        .add_upload(&other, std::slice::from_ref(&small))
        .await
        .unwrap();
    let ids = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        store
            .uploads(&ids(&["upl_b", "upl_missing", "upl_a", "upl_b"]))
            .await
            .unwrap(),
        [other.clone(), kept.clone()],
        "field by field, renditions narrowest first, in the order asked, each once"
    );
    assert_eq!(
        store.blob("u480").await.unwrap(),
        Some(small.clone()),
        "a rendition's bytes are a blob, kept once for both uploads"
    );
    let again = Upload {
        owner: "agent_b".into(),
        ..kept.clone()
    };
    assert!(
        matches!(
            store.add_upload(&again, &[small, large]).await,
            Err(StoreError::Conflict(_))
        ),
        "an id names one upload"
    );
    assert_eq!(
        store.uploads(&ids(&["upl_a"])).await.unwrap(),
        [kept],
        "the refused second upload changed nothing"
    );
    assert!(store.uploads(&[]).await.unwrap().is_empty());
}

pub async fn an_upload_without_the_blob_of_a_rendition_keeps_nothing(store: &S) {
    let (small, large) = (blob("u480", b"small"), blob("u960", b"large"));
    let broken = upload("upl_a", "agent_a", &[(480, &small), (960, &large)]);
    assert!(
        matches!(
            store
                .add_upload(&broken, std::slice::from_ref(&small))
                .await,
            Err(StoreError::NotFound(_))
        ),
        "the 960 px rendition has no blob"
    );
    let wrong_length = blob("u960", b"not the bytes the rendition counts");
    assert!(
        store
            .add_upload(&broken, &[small.clone(), wrong_length])
            .await
            .is_err()
    );
    assert!(
        store
            .uploads(&["upl_a".to_owned()])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.blob("u480").await.unwrap(), None, "nor its blobs");
    store.add_upload(&broken, &[small, large]).await.unwrap();
    assert_eq!(
        store.uploads(&["upl_a".to_owned()]).await.unwrap(),
        [broken]
    );
}

pub async fn a_deployed_rendition_is_the_uploads_blob_and_outlives_the_deployment(store: &S) {
    let picture = blob("picture", b"\xff\xd8 a rendition");
    store
        .add_upload(
            &upload("upl_a", "agent_a", &[(480, &picture)]),
            std::slice::from_ref(&picture),
        )
        .await
        .unwrap();
    let page = blob("page", b"<img src=picture>");
    store.put_blobs(std::slice::from_ref(&page)).await.unwrap();
    for (i, files) in [
        vec![
            ("index.html", "page"),
            ("assets/images/upl_a-480.jpg", "picture"),
        ],
        vec![("index.html", "page")],
    ]
    .into_iter()
    .enumerate()
    {
        let deployment = Deployment {
            id: format!("d{i}"),
            site: "acme".into(),
            workflow_id: format!("wf_d{i}"),
            site_name: "Acme".into(),
            contact_email: "owner@example.com".into(),
            domain: None,
            created_at: base_time() + chrono::Duration::minutes(i as i64),
            files: files
                .into_iter()
                .map(|(path, hash)| DeploymentFile {
                    path: path.into(),
                    hash: hash.into(),
                    content_type: "image/jpeg".into(),
                })
                .collect(),
        };
        store.deploy(&deployment).await.unwrap();
    }
    assert_eq!(
        store.prune_deployments("acme", 1).await.unwrap(),
        Pruned {
            deployments: 1,
            blobs: 0
        },
        "d0 goes; the page is still d1's and the picture still the upload's"
    );
    assert_eq!(store.blob("picture").await.unwrap(), Some(picture));
    assert_eq!(store.uploads(&["upl_a".to_owned()]).await.unwrap().len(), 1);
}
