//! Streams, not buffers: blobs many times larger than a memory bound go through a `quay serve`
//! process, pushed in one chunk and in several, and pulled back, while the process's peak resident
//! memory grows by less than the bound.

use futures_util::StreamExt as _;
use reqwest::{Method, StatusCode};
use sha2::Digest as _;

use crate::common::*;

/// How much the server's peak resident memory may grow while it moves the blobs.
const BOUND_MIB: u64 = 48;
/// Each blob is this many times the bound.
const BLOB_MIB: usize = 256;

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `mib` MiB of varied bytes, produced one MiB at a time as the request body is sent; returns the
/// body and the digest the bytes will have.
fn generated(seed: u8, mib: usize) -> (reqwest::Body, String) {
    let block: Vec<u8> = (0..1usize << 20).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
    let piece = move |i: usize| {
        let mut b = block.clone();
        b[..8].copy_from_slice(&(i as u64).to_le_bytes());
        b
    };
    let mut hasher = sha2::Sha256::new();
    for i in 0..mib {
        hasher.update(piece(i));
    }
    let digest = format!("sha256:{}", hex::encode(hasher.finalize()));
    let stream = futures_util::stream::iter((0..mib).map(move |i| Ok::<_, std::io::Error>(piece(i))));
    (reqwest::Body::wrap_stream(stream), digest)
}

async fn pull_digest(node: &Node, token: &str, digest: &str) -> String {
    let r = node.req(Method::GET, &format!("/v2/admin/big/blobs/{digest}"), token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut hasher = sha2::Sha256::new();
    let mut body = r.bytes_stream();
    while let Some(piece) = body.next().await {
        hasher.update(piece.unwrap());
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blobs_many_times_the_memory_bound_stream_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    create_users(dir.path()).await;
    let node = Node::start(dir.path(), "", &["--no-workers"]).await;
    let pid = node.proc.pid();
    let t = node.push_token(ADMIN, "admin/big").await;
    // Every path once with a small blob, so that what is allocated once is in the baseline.
    let (body, digest) = generated(0, 2);
    let start = node.req(Method::POST, "/v2/admin/big/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = node.req(Method::PUT, &format!("{location}?digest={digest}"), &t).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(pull_digest(&node, &t, &digest).await, digest);
    // Resets the peak to the current resident size.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    let baseline = status_kib(pid, "VmHWM:");

    // One blob in a single request.
    let (body, one_piece) = generated(1, BLOB_MIB);
    let start = node.req(Method::POST, "/v2/admin/big/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = node.req(Method::PUT, &format!("{location}?digest={one_piece}"), &t).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    // One in four chunks, joined when the upload finishes.
    let start = node.req(Method::POST, "/v2/admin/big/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let mut whole = sha2::Sha256::new();
    for part in 0..4u8 {
        let block: Vec<u8> = vec![part; 1 << 20];
        let chunk: Vec<u8> = block.repeat(BLOB_MIB / 4);
        whole.update(&chunk);
        let r = node.req(Method::PATCH, &location, &t).body(chunk).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let chunked = format!("sha256:{}", hex::encode(whole.finalize()));
    let r = node.req(Method::PUT, &format!("{location}?digest={chunked}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    for digest in [&one_piece, &chunked] {
        assert_eq!(&pull_digest(&node, &t, digest).await, digest);
    }

    let peak = status_kib(pid, "VmHWM:");
    let grown_mib = peak.saturating_sub(baseline) / 1024;
    assert!(
        grown_mib < BOUND_MIB,
        "moving {} MiB grew the server's peak memory by {grown_mib} MiB (from {} MiB)",
        2 * BLOB_MIB,
        baseline / 1024
    );
}
