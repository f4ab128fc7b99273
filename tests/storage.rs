//! One storage contract, run against every backend: the local disk, S3 (moto, and s3s-fs, which
//! checks signatures), Azure Blob
//! (Azurite), Google Cloud Storage (fake-gcs-server, JSON API) and OpenStack Swift (all-in-one).
//! Each backend then serves a registry: a chunked push and a pull through the HTTP API.

use std::io;

use futures_util::StreamExt as _;
use quay::config::Config;
use quay::oci::{Algorithm, ByteRange, Digest};
use quay::storage::Storage;
use reqwest::{Method, StatusCode};

use crate::common::*;
use crate::emulators::*;

async fn open(storage_lines: &str) -> Storage {
    let yaml = format!("SERVER_HOSTNAME: localhost\nDB_URI: sqlite:////nonexistent/quay.db\n{storage_lines}");
    let (config, _) = Config::from_yaml(&yaml).unwrap();
    let (_, driver) = config.storage().unwrap();
    Storage::open(&driver).await.unwrap()
}

async fn read_all(storage: &Storage, path: &str, range: Option<ByteRange>) -> io::Result<Vec<u8>> {
    let mut stream = storage.read(path, range).await?;
    let mut out = Vec::new();
    while let Some(piece) = stream.next().await {
        out.extend_from_slice(&piece?);
    }
    Ok(out)
}

async fn write(storage: &Storage, path: &str, bytes: &[u8]) {
    let mut writer = storage.writer(path).await.unwrap();
    // Pieces smaller and larger than the writer's own chunking.
    for piece in bytes.chunks(1_500_000) {
        writer.write(bytes::Bytes::copy_from_slice(piece)).await.unwrap();
    }
    writer.close().await.unwrap();
}

/// What the registry relies on from a backend.
async fn storage_contract(storage: Storage, presigns: bool) {
    let data: Vec<u8> = (0..7_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let digest = Digest::of(Algorithm::Sha256, &data);
    let blob = Storage::blob_path(&digest);
    assert!(blob.starts_with(&format!("sha256/{}/", &digest.to_string()[7..9])), "{blob}");

    // Nothing there yet: reads say NotFound, not some other error.
    assert!(!storage.exists(&blob).await.unwrap());
    let missing = read_all(&storage, &blob, None).await.unwrap_err();
    assert_eq!(missing.kind(), io::ErrorKind::NotFound, "{missing}");

    // A chunked upload: three chunk objects (larger than a multipart part, and small) assembled.
    let upload = uuid::Uuid::new_v4().to_string();
    let cuts = [0, 2_500_000, 6_000_000, data.len()];
    let mut chunks = Vec::new();
    for (i, w) in cuts.windows(2).enumerate() {
        let path = Storage::upload_chunk_path(&upload, i);
        write(&storage, &path, &data[w[0]..w[1]]).await;
        chunks.push((path, (w[1] - w[0]) as u64));
    }
    storage.assemble(&chunks, &blob).await.unwrap();
    assert!(storage.exists(&blob).await.unwrap());
    assert!(read_all(&storage, &blob, None).await.unwrap() == data, "assembled blob differs");
    // Ranges, inside one chunk and across chunk boundaries.
    for (start, end) in [(0, 0), (1000, 1999), (2_499_990, 2_500_009), (5_999_999, 6_999_999)] {
        let got = read_all(&storage, &blob, Some(ByteRange { start, end })).await.unwrap();
        assert!(got == data[start as usize..=end as usize], "range {start}-{end}");
    }
    // The upload's leftovers go, and only them.
    storage.delete_upload(&upload).await.unwrap();
    for (chunk, _) in &chunks {
        assert!(!storage.exists(chunk).await.unwrap(), "{chunk} left behind");
    }
    storage.delete_upload(&upload).await.unwrap();
    storage.delete_upload("never-existed").await.unwrap();
    assert!(storage.exists(&blob).await.unwrap());

    // One chunk: moved or copied into place.
    let single = b"one chunk only".to_vec();
    let single_digest = Digest::of(Algorithm::Sha256, &single);
    let single_upload = uuid::Uuid::new_v4().to_string();
    let chunk = Storage::upload_chunk_path(&single_upload, 0);
    write(&storage, &chunk, &single).await;
    storage.assemble(&[(chunk, single.len() as u64)], &Storage::blob_path(&single_digest)).await.unwrap();
    assert_eq!(read_all(&storage, &Storage::blob_path(&single_digest), None).await.unwrap(), single);
    storage.delete_upload(&single_upload).await.unwrap();

    // The empty blob exists in real registries (empty configs and layers of artifacts).
    let empty_digest = Digest::of(Algorithm::Sha256, b"");
    write(&storage, &Storage::blob_path(&empty_digest), b"").await;
    assert!(storage.exists(&Storage::blob_path(&empty_digest)).await.unwrap());
    assert!(read_all(&storage, &Storage::blob_path(&empty_digest), None).await.unwrap().is_empty());

    // Direct downloads where the backend signs URLs; the URL serves exactly the blob.
    let url = storage.presigned_blob_url(&digest).await.unwrap();
    assert_eq!(url.is_some(), presigns, "{url:?}");
    if let Some(url) = url {
        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert!(response.bytes().await.unwrap().as_ref() == data.as_slice(), "pre-signed download differs");
    }

    // Deletes are idempotent.
    for path in [blob.clone(), Storage::blob_path(&single_digest), Storage::blob_path(&empty_digest)] {
        storage.delete(&path).await.unwrap();
        assert!(!storage.exists(&path).await.unwrap());
        storage.delete(&path).await.unwrap();
    }
}

/// A registry on the backend: a chunked blob upload, an image push, pulls (following redirects).
async fn registry_on(storage_lines: &str, redirects: bool) {
    let s = Server::start_with(storage_lines).await;
    let t = s.push_token(ALICE, "alice/stored").await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let start = s.req(Method::POST, "/v2/alice/stored/blobs/uploads/", &t).send().await.unwrap();
    let mut location = start.headers()["location"].to_str().unwrap().to_owned();
    for (from, to) in [(0, 120_000), (120_000, 250_000)] {
        let r = s
            .req(Method::PATCH, &location, &t)
            .header("content-range", format!("{from}-{}", to - 1))
            .body(data[from..to].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        location = r.headers()["location"].to_str().unwrap().to_owned();
    }
    let digest = sha256(&data);
    let r = s
        .req(Method::PUT, &format!("{location}?digest={digest}"), &t)
        .body(data[250_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (manifest, _) = s.push_image(&t, "alice/stored", "v1", b"a layer").await;

    let direct = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = direct.get(s.url(&format!("/v2/alice/stored/blobs/{digest}"))).bearer_auth(&t).send().await.unwrap();
    let body = if redirects {
        assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
        let target = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(!target.contains(&s.host), "{target}");
        reqwest::get(&target).await.unwrap().bytes().await.unwrap()
    } else {
        assert_eq!(r.status(), StatusCode::OK);
        r.bytes().await.unwrap()
    };
    assert!(body.as_ref() == data.as_slice());
    let r = s.req(Method::GET, "/v2/alice/stored/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), manifest);
    let r = s.req(Method::DELETE, "/v2/alice/stored/blobs/uploads/does-not-exist", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contract_local_disk() {
    let dir = tempfile::tempdir().unwrap();
    let lines =
        format!("DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {{storage_path: {}}}]\n", dir.path().display());
    storage_contract(open(&lines).await, false).await;
}

#[tokio::test]
async fn contract_s3() {
    storage_contract(open(&s3_storage_config()).await, true).await;
}

/// The same contract on an S3 that verifies every signature (s3s-fs): requests, multipart
/// assembly, and the pre-signed download URLs, which a plain HTTP client fetches.
#[tokio::test]
async fn contract_s3_with_signatures_checked() {
    storage_contract(open(&s3s_storage_config()).await, true).await;
}

/// A registry on the signature-checking S3: its redirects are valid pre-signed URLs, and a URL
/// changed in any part (here its expiry) is refused, so the signature is really checked.
#[tokio::test]
async fn registry_on_s3_with_signatures_checked() {
    let lines = s3s_storage_config();
    registry_on(&lines, true).await;
    let storage = open(&lines).await;
    let digest = Digest::of(Algorithm::Sha256, b"signed bytes");
    write(&storage, &Storage::blob_path(&digest), b"signed bytes").await;
    let url = storage.presigned_blob_url(&digest).await.unwrap().unwrap();
    let got = reqwest::get(&url).await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"signed bytes");
    let tampered = url.replace("X-Amz-Expires=600", "X-Amz-Expires=6000");
    assert_ne!(tampered, url, "{url}");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn contract_azure() {
    storage_contract(open(&azure_storage_config().await).await, true).await;
}

#[tokio::test]
async fn contract_azure_with_a_sas_token_and_no_key() {
    // Quay also accepts a container SAS instead of the account key: reads and writes use it, and
    // downloads carry it. Azurite checks SAS signatures, so mint a real one.
    let (endpoint, container) = azure_container().await;
    let sas = container_sas(&container);
    let lines = format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [AzureStorage, {{azure_container: {container}, storage_path: /sas, azure_account_name: {AZURITE_ACCOUNT}, sas_token: \"{sas}\", endpoint_url: \"{endpoint}\"}}]\n"
    );
    storage_contract(open(&lines).await, true).await;
}

fn container_sas(container: &str) -> String {
    let expiry = reqsign_core::time::Timestamp::now() + std::time::Duration::from_secs(3600);
    let resource = reqsign_azure_storage::ServiceSasResource::Container { container: container.to_owned() };
    let pairs = reqsign_azure_storage::ServiceSharedAccessSignature::new(
        AZURITE_ACCOUNT.to_owned(),
        AZURITE_KEY.to_owned(),
        resource,
        "racwdl".to_owned(),
        expiry,
    )
    .token()
    .unwrap();
    let encode = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn contract_gcs() {
    // Anonymous on the emulator: no service account to sign with, so reads stream.
    storage_contract(open(&gcs_storage_config().await).await, false).await;
}

#[tokio::test]
async fn contract_swift() {
    storage_contract(open(&swift_storage_config().await).await, true).await;
}

#[tokio::test]
async fn registry_on_azure() {
    registry_on(&azure_storage_config().await, true).await;
}

#[tokio::test]
async fn registry_on_gcs() {
    registry_on(&gcs_storage_config().await, false).await;
}

#[tokio::test]
async fn registry_on_swift() {
    registry_on(&swift_storage_config().await, true).await;
}

/// On S3, chunks are joined by part copies: large chunks are copied server-side (in ranges), small
/// ones are read and uploaded as parts; the result is byte for byte the upload.
#[tokio::test]
async fn s3_joins_large_chunks_with_part_copies() {
    let storage = open(&s3_storage_config()).await;
    let mib = 1usize << 20;
    let sizes = [6 * mib, mib, 7 * mib, 2 * mib, 5 * mib];
    let total: usize = sizes.iter().sum();
    let data: Vec<u8> = (0..total as u32).map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8).collect();
    let upload = uuid::Uuid::new_v4().to_string();
    let mut chunks = Vec::new();
    let mut at = 0;
    for (i, size) in sizes.iter().enumerate() {
        let path = Storage::upload_chunk_path(&upload, i);
        write(&storage, &path, &data[at..at + size]).await;
        chunks.push((path, *size as u64));
        at += size;
    }
    let digest = Digest::of(Algorithm::Sha256, &data);
    storage.assemble(&chunks, &Storage::blob_path(&digest)).await.unwrap();
    let got = read_all(&storage, &Storage::blob_path(&digest), None).await.unwrap();
    assert_eq!(got.len(), data.len());
    assert!(got == data, "the joined blob differs from the upload");
    storage.delete_upload(&upload).await.unwrap();
}

/// Quay's several storage locations: a blob is read where it is placed, an upload begun in the
/// location that was preferred finishes in the one preferred now, and new blobs are copied to the
/// default locations by the replication queue, placed only once complete.
#[tokio::test]
async fn several_locations_read_where_placed_replicate_and_finish_uploads_in_the_preferred_one() {
    let s = Server::start_with(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {storage_path: storage}]\n  second: [LocalStorage, {storage_path: second}]\n",
    )
    .await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "old", b"only in the first location").await;

    // An upload begins while `default` is preferred...
    let r = s.req(Method::POST, "/v2/alice/app/blobs/uploads/", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let r = s.req(Method::PATCH, &location, &t).body("half one, ").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let location = r.headers()["location"].to_str().unwrap().to_owned();

    // ...then `second` becomes preferred, and every new blob is copied to both.
    let config = s.dir.path().join("config.yaml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "DISTRIBUTED_STORAGE_PREFERENCE: [default]",
        "DISTRIBUTED_STORAGE_PREFERENCE: [second, default]\nDISTRIBUTED_STORAGE_DEFAULT_LOCATIONS: [default, second]\nFEATURE_STORAGE_REPLICATION: true",
    );
    std::fs::write(&config, text).unwrap();
    let loaded = quay::config::LoadedConfig::from_path(&config).unwrap();
    assert!(s.app.apply_storage_config(&loaded.config).await.unwrap());
    assert!(!s.app.apply_storage_config(&loaded.config).await.unwrap(), "the same keys again change nothing");

    // The old image is read from where it is placed.
    let r = s.req(Method::GET, "/v2/alice/app/manifests/old", &t).send().await.unwrap();
    let manifest: serde_json::Value = r.json().await.unwrap();
    let old_layer = manifest["layers"][0]["digest"].as_str().unwrap().to_owned();
    let r = s.req(Method::GET, &format!("/v2/alice/app/blobs/{old_layer}"), &t).send().await.unwrap();
    assert_eq!(&r.bytes().await.unwrap()[..], b"only in the first location");

    // The upload finishes in the preferred location, its chunk copied across.
    let whole = b"half one, half two";
    let digest = sha256(whole);
    let separator = if location.contains('?') { '&' } else { '?' };
    let r =
        s.req(Method::PUT, &format!("{location}{separator}digest={digest}"), &t).body("half two").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let hex = digest.trim_start_matches("sha256:");
    let path = |root: &str| s.dir.path().join(root).join("sha256").join(&hex[..2]).join(hex);
    assert!(path("second").exists() && !path("storage").exists());
    let r = s.req(Method::GET, &format!("/v2/alice/app/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(&r.bytes().await.unwrap()[..], whole);

    // Its copy to `default` waits in Quay's replication queue; the job makes and places it.
    let db = s.db().await;
    let default_id = quay::db::blob::storage_location_id(&db.read, "default").await.unwrap().unwrap();
    let second_id = quay::db::blob::storage_location_id(&db.read, "second").await.unwrap().unwrap();
    assert_eq!(quay::db::blob::placements_of_digest(&db.read, &digest).await.unwrap(), vec![second_id]);
    assert_eq!(quay::db::queue::pending(&db.read, "imagestoragereplication/").await.unwrap(), 1);
    assert_eq!(quay::registry::replication::run_queue(&s.app).await.unwrap(), 1);
    let mut placed = quay::db::blob::placements_of_digest(&db.read, &digest).await.unwrap();
    placed.sort();
    let mut both = vec![default_id, second_id];
    both.sort();
    assert_eq!(placed, both);
    assert_eq!(std::fs::read(path("storage")).unwrap(), whole);
    // The blobs from before the change are missing in `second` only.
    assert_eq!(quay::db::blob::count_missing_at(&db.read, second_id).await.unwrap().0, 2);
    assert_eq!(quay::db::blob::count_missing_at(&db.read, default_id).await.unwrap().0, 0);
    db.close().await;

    // Each location holds every blob placed in it, whole.
    let report = quay::registry::gc::fsck(&s.app, true, None, &|_| {}).await.unwrap();
    assert_eq!(report.locations, ["second", "default"]);
    assert!(report.missing.is_empty() && report.corrupt.is_empty(), "{report:?}");
    assert_eq!(report.blobs_checked, 3 + 1);
}
