//! Blobs in S3 (moto as the emulator): uploads of every kind, pre-signed redirects on pull, and
//! proxied reads with FEATURE_PROXY_STORAGE.

use reqwest::{Method, StatusCode};

use crate::common::*;

#[tokio::test]
async fn s3_storage_uploads_and_redirects() {
    let s = Server::start_with(&s3_storage_config()).await;
    let t = s.push_token(ALICE, "alice/s3").await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 249) as u8).collect();
    // Monolithic.
    let mono = s.push_blob(&t, "alice/s3", &data[..1000]).await;
    // Chunked: three chunks assembled into one object.
    let start = s.req(Method::POST, "/v2/alice/s3/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    for (from, to) in [(0, 100_000), (100_000, 200_000)] {
        let r = s
            .req(Method::PATCH, &location, &t)
            .header("content-range", format!("{from}-{}", to - 1))
            .body(data[from..to].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let digest = sha256(&data);
    let r = s
        .req(Method::PUT, &format!("{location}?digest={digest}"), &t)
        .body(data[200_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // GET redirects to a pre-signed URL; the storage serves the bytes.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (d, expected) in [(&mono, &data[..1000]), (&digest, &data[..])] {
        let r = no_redirects.get(s.url(&format!("/v2/alice/s3/blobs/{d}"))).bearer_auth(&t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
        let target = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(!target.contains(&s.host), "{target}");
        let body = reqwest::get(&target).await.unwrap().bytes().await.unwrap();
        assert_eq!(body.as_ref(), expected);
        let head = s.req(Method::HEAD, &format!("/v2/alice/s3/blobs/{d}"), &t).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(head.headers()["content-length"], expected.len().to_string().as_str());
    }
    // Manifests referencing S3 blobs work as anywhere else.
    let (manifest, _) = s.push_image(&t, "alice/s3", "v1", b"layer in s3").await;
    let r = s.req(Method::GET, "/v2/alice/s3/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), manifest);
}

#[tokio::test]
async fn s3_storage_proxied_reads() {
    let s = Server::start_with(&format!("{}FEATURE_PROXY_STORAGE: true\n", s3_storage_config())).await;
    let t = s.push_token(ALICE, "alice/proxied").await;
    let data = b"served through the registry".to_vec();
    let digest = s.push_blob(&t, "alice/proxied", &data).await;
    let r = s.req(Method::GET, &format!("/v2/alice/proxied/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), data.as_slice());
    let r = s
        .req(Method::GET, &format!("/v2/alice/proxied/blobs/{digest}"), &t)
        .header("range", "bytes=7-9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"thr");
}

/// Two nodes on one database and one bucket: an upload started on A continues on B, and what A
/// stored B serves.
#[tokio::test]
async fn an_upload_moves_between_nodes() {
    let a = Server::start_with(&s3_storage_config()).await;
    let text = std::fs::read_to_string(a.dir.path().join("config.yaml")).unwrap();
    let node_b = tempfile::tempdir().unwrap();
    // Same database (absolute path on SQLite, the same URL on PostgreSQL), same bucket, own key.
    let text = text.replace("sqlite:///quay.db", &format!("sqlite:///{}", a.dir.path().join("quay.db").display()));
    std::fs::write(node_b.path().join("config.yaml"), text).unwrap();
    let b = Server::start_in(node_b).await;

    let t_a = a.push_token(ALICE, "alice/moving").await;
    let data: Vec<u8> = (0..250_000u32).map(|i| (i % 247) as u8).collect();
    let start = a.req(Method::POST, "/v2/alice/moving/blobs/uploads/", &t_a).send().await.unwrap();
    let path = start.headers()["location"].to_str().unwrap().split_once("/v2/").unwrap().1.to_owned();
    let r = a
        .req(Method::PATCH, &format!("/v2/{path}"), &t_a)
        .header("content-range", "0-99999")
        .body(data[..100_000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // Node B: a token from B, the status, the next chunk and the end.
    let t_b = b.push_token(ALICE, "alice/moving").await;
    let status = b.req(Method::GET, &format!("/v2/{path}"), &t_b).send().await.unwrap();
    assert_eq!(status.headers()["range"], "0-99999");
    let r = b
        .req(Method::PATCH, &format!("/v2/{path}"), &t_b)
        .header("content-range", "100000-199999")
        .body(data[100_000..200_000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let digest = sha256(&data);
    let r = b
        .req(Method::PUT, &format!("/v2/{path}?digest={digest}"), &t_b)
        .body(data[200_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Node A serves it (through a pre-signed redirect that reqwest follows).
    let got = a.req(Method::GET, &format!("/v2/alice/moving/blobs/{digest}"), &t_a).send().await.unwrap();
    assert_eq!(sha256(&got.bytes().await.unwrap()), digest);
}
