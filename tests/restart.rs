//! Uploads survive restarts; a server killed mid-upload leaves nothing half-visible.

use std::io::Write as _;
use std::process::{Command, Stdio};

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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("server at {base} did not start");
}

#[tokio::test]
async fn killed_mid_upload_the_server_restarts_consistent() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    let bin = env!("CARGO_BIN_EXE_quay");
    let mut init = Command::new(bin)
        .args(["init", "--config", dir.path().to_str().unwrap(), "--user", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    init.stdin.take().unwrap().write_all(b"admin-password\n").unwrap();
    assert!(init.wait().unwrap().success());

    let port = free_port();
    let host = format!("127.0.0.1:{port}");
    let base = format!("http://{host}");
    let spawn = || {
        Command::new(bin)
            .args(["serve", "--config", dir.path().to_str().unwrap(), "--listen", &host, "--hostname", &host, "--http"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let client = reqwest::Client::new();
    let mut server = spawn();
    wait_until_up(&client, &base).await;
    let token = |client: reqwest::Client| {
        let base = base.clone();
        let host = host.clone();
        async move {
            let r = client
                .get(format!("{base}/v2/auth"))
                .query(&[("service", host.as_str()), ("scope", "repository:admin/crash:pull,push")])
                .basic_auth("admin", Some("admin-password"))
                .send()
                .await
                .unwrap();
            r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
        }
    };
    let t = token(client.clone()).await;
    let data: Vec<u8> = (0..4_000_000u32).map(|i| (i % 241) as u8).collect();
    let digest = sha256(&data);
    let start = client.post(format!("{base}/v2/admin/crash/blobs/uploads/")).bearer_auth(&t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    // First chunk completes.
    let r = client.patch(&location).bearer_auth(&t).body(data[..1_000_000].to_vec()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // Second chunk: the body trickles in and the server is killed halfway.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_from(rx));
    let pending = tokio::spawn({
        let client = client.clone();
        let location = location.clone();
        let t = t.clone();
        async move { client.patch(&location).bearer_auth(&t).body(body).send().await }
    });
    tx.send(Ok(data[1_000_000..1_500_000].to_vec())).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    drop(tx);
    // The interrupted request fails or is answered with an error; either way it must not count.
    let _ = pending.await;

    let mut server = spawn();
    wait_until_up(&client, &base).await;
    let t = token(client.clone()).await;
    // The interrupted chunk is not part of the upload; the first one is.
    let status = client.get(&location).bearer_auth(&t).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::NO_CONTENT);
    assert_eq!(status.headers()["range"], "0-999999");
    let r = client.head(format!("{base}/v2/admin/crash/blobs/{digest}")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Resume and finish.
    let r = client
        .patch(&location)
        .bearer_auth(&t)
        .header("content-range", "1000000-3999999")
        .body(data[1_000_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = client.put(format!("{location}?digest={digest}")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let got = client.get(format!("{base}/v2/admin/crash/blobs/{digest}")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(sha256(&got.bytes().await.unwrap()), digest);
    // SIGTERM: a graceful stop.
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

/// A stream over an mpsc receiver (tokio-stream is not a dependency).
fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
