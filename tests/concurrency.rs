//! Many clients at once: no "database is locked", no lost tags, every pushed image pullable.

use reqwest::{Method, StatusCode};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_to_shared_and_separate_repositories() {
    let s = std::sync::Arc::new(Server::start().await);
    let token = s.push_token(ALICE, "alice/shared").await;
    let mut tasks = Vec::new();
    for i in 0..24u32 {
        let s = s.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            // Half push the same layer (dedup under contention), half their own.
            let layer = if i % 2 == 0 { b"common layer".to_vec() } else { format!("layer {i}").into_bytes() };
            let (_, digest) = s.push_image(&token, "alice/shared", &format!("t{i}"), &layer).await;
            let r = s.req(Method::GET, &format!("/v2/alice/shared/manifests/t{i}"), &token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()["docker-content-digest"], digest.as_str());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let tags: serde_json::Value =
        s.req(Method::GET, "/v2/alice/shared/tags/list", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(tags["tags"].as_array().unwrap().len(), 24);
    // The common layer is stored once.
    let common = sha256(b"common layer");
    let path = s.dir.path().join("storage/sha256").join(&common[7..9]).join(&common[7..]);
    assert_eq!(std::fs::read(path).unwrap(), b"common layer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_chunks_to_one_upload_never_interleave() {
    let s = std::sync::Arc::new(Server::start().await);
    let token = s.push_token(ALICE, "alice/race").await;
    let start = s.req(Method::POST, "/v2/alice/race/blobs/uploads/", &token).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for i in 0..8u8 {
        let s = s.clone();
        let token = token.clone();
        let location = location.clone();
        tasks.push(tokio::spawn(async move {
            let r = s
                .req(Method::PATCH, &location, &token)
                .header("content-range", "0-9999")
                .body(vec![i; 10_000])
                .send()
                .await
                .unwrap();
            r.status()
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status == StatusCode::ACCEPTED || status == StatusCode::RANGE_NOT_SATISFIABLE, "{status}");
        accepted += usize::from(status == StatusCode::ACCEPTED);
    }
    // One chunk claims offset 0; the others are refused (416) or, arriving after it, taken as
    // resends of bytes already received and skipped (Quay's tolerance): never interleaved.
    assert!(accepted >= 1, "no chunk claimed offset 0");
    let status = s.req(Method::GET, &location, &token).send().await.unwrap();
    assert_eq!(status.headers()["range"], "0-9999");
}
