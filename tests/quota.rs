//! Quotas: a namespace at its Reject limit gets Quay's 403 before any byte is stored; its sizes
//! land in Quay's size tables; collection frees room again.

use reqwest::{Method, StatusCode};

use crate::common::*;

/// Runs `quay admin`; the server's log writer is flushed first, as the command blocks this
/// test's only thread and must not wait for a write transaction the writer holds.
async fn admin(s: &Server, args: &[&str]) -> serde_json::Value {
    s.app.audit.flush().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--config", s.dir.path().to_str().unwrap(), "--json", "quota"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn pushes_over_the_reject_limit_are_refused_before_storing() {
    let s = Server::start_with("FEATURE_QUOTA_MANAGEMENT: true\nPUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    admin(&s, &["set", "alice", "--limit", "100K", "--reject", "100", "--warning", "50"]).await;
    let t = s.push_token(ALICE, "alice/q").await;
    let (_, _) = s.push_image(&t, "alice/q", "v1", &vec![1u8; 60_000]).await;
    let shown = admin(&s, &["show", "alice"]).await;
    assert_eq!(shown["limit_bytes"], 102_400);
    assert_eq!(shown["reject_bytes"], 102_400);
    let used = shown["used_bytes"].as_i64().unwrap();
    assert!((60_000..61_000).contains(&used), "{shown}");

    // 60 KB more would cross 100 KiB: refused at the start of the upload, with Quay's error.
    let big = vec![2u8; 60_000];
    let r = s
        .req(Method::POST, &format!("/v2/alice/q/blobs/uploads/?digest={}", sha256(&big)), &t)
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "DENIED");
    assert_eq!(body["errors"][0]["message"], "Quota has been exceeded on namespace");
    let stored = walk(&s.dir.path().join("storage/sha256"));
    assert!(!stored.iter().any(|p| p.ends_with(&sha256(&big)[7..])), "refused bytes were stored");
    // A small one still fits; other namespaces are not limited.
    s.push_blob(&t, "alice/q", b"small").await;
    let tb = s.push_token(BOB, "bob/free").await;
    s.push_blob(&tb, "bob/free", &big).await;

    // Quay's size tables show what the namespace and repository hold.
    let db = s.db().await;
    let statement = quay::db::sql(
        db.backend(),
        "SELECT n.size_bytes AS ns, r.size_bytes AS repo FROM quotanamespacesize n JOIN \"user\" u ON u.id = n.namespace_user_id \
         JOIN repository p ON p.namespace_user_id = u.id JOIN quotarepositorysize r ON r.repository_id = p.id \
         WHERE u.username = 'alice'",
        [],
    );
    let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, statement).await.unwrap().unwrap();
    let (ns, repo): (i64, i64) = (row.try_get("", "ns").unwrap(), row.try_get("", "repo").unwrap());
    assert_eq!(ns, repo);
    assert!(ns >= 60_000);
    db.close().await;

    // Deleting the image and collecting frees the room.
    let r = s.req(Method::DELETE, "/v2/alice/q/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    s.time_passes(2).await;
    let db = s.db().await;
    let statement =
        quay::db::sql(db.backend(), "UPDATE \"user\" SET removed_tag_expiration_s = 0 WHERE username = 'alice'", []);
    sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
    db.close().await;
    quay::registry::gc::collect(&s.app, false).await.unwrap();
    assert_eq!(admin(&s, &["show", "alice"]).await["used_bytes"], 0);
    s.push_blob(&t, "alice/q", &big).await;
    admin(&s, &["remove", "alice"]).await;
    assert_eq!(admin(&s, &["show", "alice"]).await["limit_bytes"], serde_json::Value::Null);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
        }
    }
    out
}

/// A body of unannounced length (`Transfer-Encoding: chunked`), sent in one PATCH or over several.
fn chunked(bytes: Vec<u8>) -> reqwest::Body {
    let frames: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(8192).map(|c| Ok(c.to_vec())).collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(frames))
}

#[tokio::test]
async fn chunked_uploads_cannot_pass_the_reject_limit() {
    let s = Server::start_with("FEATURE_QUOTA_MANAGEMENT: true\n").await;
    admin(&s, &["set", "alice", "--limit", "100K", "--reject", "100"]).await;
    let t = s.push_token(ALICE, "alice/chunked").await;
    let start = || async {
        let r = s.req(Method::POST, "/v2/alice/chunked/blobs/uploads/", &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        r.headers()["location"].to_str().unwrap().to_owned()
    };
    // Several PATCHes, each within the room, together past it.
    let mut location = start().await;
    let mut sent = Vec::new();
    for i in 0..3 {
        let chunk = vec![i as u8 + 1; 40_000];
        let r = s.req(Method::PATCH, &location, &t).body(chunked(chunk.clone())).send().await.unwrap();
        if i < 2 {
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            location = r.headers()["location"].to_str().unwrap().to_owned();
            sent.extend(chunk);
        } else {
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            assert_eq!(error_code(r).await, "DENIED");
        }
    }
    // One PATCH past the room.
    let location = start().await;
    let r = s.req(Method::PATCH, &location, &t).body(chunked(vec![9u8; 120_000])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The final PUT carrying the rest, unannounced.
    let location = start().await;
    let r = s.req(Method::PATCH, &location, &t).body(chunked(vec![7u8; 60_000])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let mut whole = vec![7u8; 60_000];
    whole.extend(vec![8u8; 60_000]);
    let separator = if location.contains('?') { '&' } else { '?' };
    let finish = format!("{location}{separator}digest={}", sha256(&whole));
    let r = s.req(Method::PUT, &finish, &t).body(chunked(vec![8u8; 60_000])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s.req(Method::HEAD, &format!("/v2/alice/chunked/blobs/{}", sha256(&whole)), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(admin(&s, &["show", "alice"]).await["used_bytes"], 0);
}
