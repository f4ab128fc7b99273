//! Uploads survive restarts (a server killed mid-upload: `crash.rs`).

use reqwest::{Method, StatusCode};

use crate::common::*;

#[tokio::test]
async fn chunked_upload_resumes_after_a_restart() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/resume").await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let start = s.req(Method::POST, "/v2/alice/resume/blobs/uploads/", &t).send().await.unwrap();
    let path = start.headers()["location"].to_str().unwrap().split_once("/v2/").unwrap().1.to_owned();
    let r = s.req(Method::PATCH, &format!("/v2/{path}"), &t).body(data[..120_000].to_vec()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let dir = s.stop().await;

    let s = Server::start_in(dir).await;
    let t = s.push_token(ALICE, "alice/resume").await;
    let status = s.req(Method::GET, &format!("/v2/{path}"), &t).send().await.unwrap();
    assert_eq!(status.headers()["range"], "0-119999");
    let digest = sha256(&data);
    let r = s
        .req(Method::PUT, &format!("/v2/{path}?digest={digest}"), &t)
        .body(data[120_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let got = s.req(Method::GET, &format!("/v2/alice/resume/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), data.as_slice());
}
