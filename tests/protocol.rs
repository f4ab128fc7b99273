//! The OCI distribution API over HTTP: every endpoint, its headers and its errors.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn base_endpoint_challenges_then_accepts_a_token() {
    let s = Server::start().await;
    let resp = s.client.get(s.url("/v2/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let challenge = resp.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert_eq!(challenge, format!("Bearer realm=\"{}/v2/auth\",service=\"{}\"", s.base, s.host));
    assert_eq!(resp.headers()["docker-distribution-api-version"], "registry/2.0");
    let token = s.token(Some(ALICE), &[]).await;
    let resp = s.req(Method::GET, "/v2/", &token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = s.req(Method::GET, "/v2/", "not.a.token").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_service_grants_what_the_caller_may_do() {
    let s = Server::start().await;
    let bad = s.client.get(s.url("/v2/auth")).basic_auth("alice", Some("wrong")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(bad).await, "UNAUTHORIZED");
    let unknown = s.client.get(s.url("/v2/auth")).basic_auth("nobody", Some("x")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    // The failed attempt makes alice's next sign-in wait half a second (login backoff).
    s.time_passes(1).await;

    let claims = |token: &str| -> Value {
        use base64::Engine as _;
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    };
    // Own namespace: the repository is created on push, private.
    let t = s.push_token(ALICE, "alice/app").await;
    let c = claims(&t);
    assert_eq!(c["iss"], "quay");
    assert_eq!(c["aud"], s.host.as_str());
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["context"]["entity_kind"], "user");
    assert_eq!(c["access"][0]["name"], "alice/app");
    assert_eq!(c["access"][0]["actions"], serde_json::json!(["pull", "push"]));
    // Someone else's namespace: nothing.
    let t = s.token(Some(BOB), &["repository:alice/app:pull,push"]).await;
    assert_eq!(claims(&t)["access"][0]["actions"], serde_json::json!([]));
    let t = s.token(Some(BOB), &["repository:alice/other:push"]).await;
    assert_eq!(claims(&t)["access"][0]["actions"], serde_json::json!([]));
    // Anonymous: nothing on a private repository.
    let t = s.token(None, &["repository:alice/app:pull"]).await;
    assert_eq!(claims(&t)["sub"], "(anonymous)");
    assert_eq!(claims(&t)["access"][0]["actions"], serde_json::json!([]));
    // Superusers reach other namespaces only with FEATURE_SUPERUSERS_FULL_ACCESS (off here).
    let t = s.push_token(ADMIN, "bob/made-by-admin").await;
    assert_eq!(claims(&t)["access"][0]["actions"], serde_json::json!([]));
    // Several scopes in one request; the header carries the kid of a registered key.
    let t = s.token(Some(ALICE), &["repository:alice/app:pull", "repository:alice/two:push"]).await;
    assert_eq!(claims(&t)["access"].as_array().unwrap().len(), 2);
    // Malformed scopes and names.
    for scope in ["repository:alice/app", "bogus", "repository:Alice/App:pull", "repository:alice/app:steal"] {
        let r = s
            .client
            .get(s.url("/v2/auth"))
            .query(&[("scope", scope)])
            .basic_auth("alice", Some("alice-password"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{scope}");
    }
}

#[tokio::test]
async fn private_repositories_need_a_token_and_public_ones_do_not() {
    let s = Server::start().await;
    let alice = s.push_token(ALICE, "alice/private").await;
    let (_, digest) = s.push_image(&alice, "alice/private", "v1", b"layer").await;
    for token in ["", &s.token(Some(BOB), &["repository:alice/private:pull"]).await] {
        let r = s.req(Method::GET, "/v2/alice/private/manifests/v1", token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(challenge.contains("scope=\"repository:alice/private:pull\""), "{challenge}");
    }
    // Unauthorized callers cannot tell existing from missing repositories.
    let r = s.req(Method::GET, "/v2/alice/missing/manifests/v1", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Pushing needs push.
    let pull_only = s.token(Some(ALICE), &["repository:alice/private:pull"]).await;
    let r = s.req(Method::POST, "/v2/alice/private/blobs/uploads/", &pull_only).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("pull,push"));
    let r = s.req(Method::GET, &format!("/v2/alice/private/manifests/{digest}"), &pull_only).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let public = Server::start_with("CREATE_PRIVATE_REPO_ON_PUSH: false\n").await;
    let alice = public.push_token(ALICE, "alice/open").await;
    let (manifest, _) = public.push_image(&alice, "alice/open", "v1", b"layer").await;
    let r = public.req(Method::GET, "/v2/alice/open/manifests/v1", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), manifest);
    let r = public.req(Method::POST, "/v2/alice/open/blobs/uploads/", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let closed = Server::start_with("CREATE_PRIVATE_REPO_ON_PUSH: false\nFEATURE_ANONYMOUS_ACCESS: false\n").await;
    let alice = closed.push_token(ALICE, "alice/open").await;
    closed.push_image(&alice, "alice/open", "v1", b"layer").await;
    let r = closed.req(Method::GET, "/v2/alice/open/manifests/v1", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn monolithic_upload_then_head_get_and_ranges() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/blobs").await;
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let digest = s.push_blob(&t, "alice/blobs", &data).await;

    let head = s.req(Method::HEAD, &format!("/v2/alice/blobs/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "100000");
    assert_eq!(head.headers()["docker-content-digest"], digest.as_str());
    let get = s.req(Method::GET, &format!("/v2/alice/blobs/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    assert_eq!(get.bytes().await.unwrap().as_ref(), data.as_slice());

    let range = |r: &'static str| s.req(Method::GET, &format!("/v2/alice/blobs/blobs/{digest}"), &t).header("range", r);
    let part = range("bytes=10-19").send().await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/100000");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &data[10..20]);
    let tail = range("bytes=-5").send().await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &data[99_995..]);
    let bad = range("bytes=200000-").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(bad.headers()["content-range"], "bytes */100000");

    // Stored once, under Quay's layout.
    let hex = &digest[7..];
    assert!(s.dir.path().join("storage/sha256").join(&hex[..2]).join(hex).exists());

    let unknown = sha256(b"nothing");
    let r = s.req(Method::HEAD, &format!("/v2/alice/blobs/blobs/{unknown}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = s.req(Method::GET, &format!("/v2/alice/blobs/blobs/{unknown}"), &t).send().await.unwrap();
    assert_eq!(error_code(r).await, "BLOB_UNKNOWN");
}

#[tokio::test]
async fn post_then_put_and_digest_mismatch() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/up").await;
    let start = s.req(Method::POST, "/v2/alice/up/blobs/uploads/", &t).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::ACCEPTED);
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let uuid = start.headers()["docker-upload-uuid"].to_str().unwrap().to_owned();
    assert!(location.ends_with(&uuid) && location.starts_with(&s.base), "{location}");
    let data = b"put in one go";
    let digest = sha256(data);
    let done = s.req(Method::PUT, &format!("{location}?digest={digest}"), &t).body(data.to_vec()).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::CREATED);
    assert_eq!(done.headers()["location"], format!("{}/v2/alice/up/blobs/{digest}", s.base).as_str());
    assert_eq!(done.headers()["docker-content-digest"], digest.as_str());
    // The upload is gone once finished.
    let r = s.req(Method::GET, &location, &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(r).await, "BLOB_UPLOAD_UNKNOWN");

    // A POST writes nothing: its id is good for its repository only, and a whole blob in the PUT
    // never has an upload row.
    let start = s.req(Method::POST, "/v2/alice/up/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let db = s.db().await;
    assert_eq!(count_rows(&db, "SELECT COUNT(*) FROM blobupload").await, 0);
    let r = s.req(Method::GET, &location, &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["range"], "0-0");
    let other = s.push_token(ALICE, "alice/other").await;
    let elsewhere = location.replace("/alice/up/", "/alice/other/");
    let data = b"sent to another repository";
    let r = s
        .req(Method::PUT, &format!("{elsewhere}?digest={}", sha256(data)), &other)
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(r).await, "BLOB_UPLOAD_UNKNOWN");
    let r = s
        .req(Method::PUT, &format!("{location}?digest={}", sha256(data)), &t)
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(count_rows(&db, "SELECT COUNT(*) FROM blobupload").await, 0);
    db.close().await;

    // A wrong digest is refused and nothing becomes visible.
    let start = s.req(Method::POST, "/v2/alice/up/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let claimed = sha256(b"something else");
    let r = s.req(Method::PUT, &format!("{location}?digest={claimed}"), &t).body(data.to_vec()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "DIGEST_INVALID");
    let r = s.req(Method::HEAD, &format!("/v2/alice/up/blobs/{claimed}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!s.dir.path().join("storage/sha256").join(&claimed[7..9]).join(&claimed[7..]).exists());
    // PUT without a digest.
    let start = s.req(Method::POST, "/v2/alice/up/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = s.req(Method::PUT, &location, &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Monolithic POST with a wrong digest.
    let r = s
        .req(Method::POST, &format!("/v2/alice/up/blobs/uploads/?digest={claimed}"), &t)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r).await, "DIGEST_INVALID");
}

#[tokio::test]
async fn chunked_upload_with_status_out_of_order_and_cancel() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/chunks").await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let start = s.req(Method::POST, "/v2/alice/chunks/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let patch = |from: usize, to: usize| {
        s.req(Method::PATCH, &location, &t)
            .header("content-range", format!("{from}-{}", to - 1))
            .header("content-type", "application/octet-stream")
            .body(data[from..to].to_vec())
    };
    let r = patch(0, 100_000).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.headers()["range"], "0-99999");
    assert_eq!(r.headers()["location"], location.as_str());
    // Out of order: 416 with the current range, and nothing changes.
    let r = patch(150_000, 200_000).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.headers()["range"], "0-99999");
    // Content-Range not matching the body.
    let r = s
        .req(Method::PATCH, &location, &t)
        .header("content-range", "100000-100009")
        .body(vec![0u8; 5])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r =
        s.req(Method::PATCH, &location, &t).header("content-range", "garbage").body(vec![0u8; 5]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let status = s.req(Method::GET, &location, &t).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::NO_CONTENT);
    assert_eq!(status.headers()["range"], "0-99999");
    // A streamed chunk (chunked transfer encoding, no Content-Range).
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(
        data[100_000..200_000].chunks(7_000).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    ));
    let r = s.req(Method::PATCH, &location, &t).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.headers()["range"], "0-199999");
    let digest = sha256(&data);
    let r = s
        .req(Method::PUT, &format!("{location}?digest={digest}"), &t)
        .header("content-range", "200000-299999")
        .body(data[200_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let got = s.req(Method::GET, &format!("/v2/alice/chunks/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), data.as_slice());

    // Cancel.
    let start = s.req(Method::POST, "/v2/alice/chunks/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    s.req(Method::PATCH, &location, &t).body(vec![1u8; 10]).send().await.unwrap();
    let r = s.req(Method::DELETE, &location, &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s.req(Method::GET, &location, &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = s.req(Method::PATCH, &location, &t).body(vec![1u8; 10]).send().await.unwrap();
    assert_eq!(error_code(r).await, "BLOB_UPLOAD_UNKNOWN");
    let r = s.req(Method::GET, "/v2/alice/chunks/blobs/uploads/not-a-uuid", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nothing left behind in the upload area.
    let uploads = s.dir.path().join("storage/uploads");
    let leftovers = std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0);
}

#[tokio::test]
async fn sha512_blobs() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/sha512").await;
    use sha2::Digest as _;
    let data = b"sha512 content";
    let digest = format!("sha512:{}", hex::encode(sha2::Sha512::digest(data)));
    let r = s
        .req(Method::POST, &format!("/v2/alice/sha512/blobs/uploads/?digest={digest}"), &t)
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = s.req(Method::GET, &format!("/v2/alice/sha512/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), data);
    assert!(s.dir.path().join("storage/sha512").join(&digest[7..9]).join(&digest[7..]).exists());
}

#[tokio::test]
async fn cross_repository_mounts() {
    let s = Server::start().await;
    let a = s.push_token(ALICE, "alice/source").await;
    let digest = s.push_blob(&a, "alice/source", b"shared layer").await;
    let t = s.token(Some(ALICE), &["repository:alice/target:pull,push", "repository:alice/source:pull"]).await;
    let r = s
        .req(Method::POST, &format!("/v2/alice/target/blobs/uploads/?mount={digest}&from=alice/source"), &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["docker-content-digest"], digest.as_str());
    let r = s.req(Method::HEAD, &format!("/v2/alice/target/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Without `from`: mounted because alice can read a repository holding it.
    let t2 = s.push_token(ALICE, "alice/third").await;
    let r = s.req(Method::POST, &format!("/v2/alice/third/blobs/uploads/?mount={digest}"), &t2).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Bob cannot read alice's private repository: he gets an upload session instead.
    let b = s.token(Some(BOB), &["repository:bob/mine:pull,push", "repository:alice/source:pull"]).await;
    let r = s
        .req(Method::POST, &format!("/v2/bob/mine/blobs/uploads/?mount={digest}&from=alice/source"), &b)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert!(r.headers().contains_key("docker-upload-uuid"));
    let r = s.req(Method::POST, &format!("/v2/bob/mine/blobs/uploads/?mount={digest}"), &b).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = s.req(Method::HEAD, &format!("/v2/bob/mine/blobs/{digest}"), &b).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A missing source repository, or a blob not in it: an upload session.
    let r = s
        .req(Method::POST, &format!("/v2/alice/target/blobs/uploads/?mount={digest}&from=alice/nope"), &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn manifests_by_tag_and_digest() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/img").await;
    let (manifest, digest) = s.push_image(&t, "alice/img", "v1", b"layer one").await;
    for reference in ["v1", digest.as_str()] {
        let r = s.req(Method::GET, &format!("/v2/alice/img/manifests/{reference}"), &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], OCI_MANIFEST);
        assert_eq!(r.headers()["docker-content-digest"], digest.as_str());
        assert_eq!(r.text().await.unwrap(), manifest, "served verbatim");
        let h = s.req(Method::HEAD, &format!("/v2/alice/img/manifests/{reference}"), &t).send().await.unwrap();
        assert_eq!(h.status(), StatusCode::OK);
        assert_eq!(h.headers()["content-length"], manifest.len().to_string().as_str());
    }
    // Byte-exact storage: whitespace and key order survive.
    let config = s.push_blob(&t, "alice/img", b"{}").await;
    let odd = format!(
        "{{\n  \"schemaVersion\": 2,\n  \"layers\": [],\n  \"config\": {{\"size\": 2, \"digest\": \"{config}\", \"mediaType\": \"application/vnd.oci.image.config.v1+json\"}},\n  \"mediaType\": \"{OCI_MANIFEST}\"\n}}\n"
    );
    let r = s.put_manifest(&t, "alice/img", "odd", OCI_MANIFEST, &odd).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let odd_digest = sha256(odd.as_bytes());
    assert_eq!(r.headers()["docker-content-digest"], odd_digest.as_str());
    assert_eq!(r.headers()["location"], format!("{}/v2/alice/img/manifests/{odd_digest}", s.base).as_str());
    let got = s.req(Method::GET, "/v2/alice/img/manifests/odd", &t).send().await.unwrap();
    assert_eq!(got.text().await.unwrap(), odd);

    // By digest: served while pinned by its hidden temporary tag, and not listed as a tag.
    let by_digest = image_manifest(&config, 2, &[], Some(r#""annotations":{"x":"y"}"#));
    let d = sha256(by_digest.as_bytes());
    let r = s.put_manifest(&t, "alice/img", &d, OCI_MANIFEST, &by_digest).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = s.req(Method::GET, &format!("/v2/alice/img/manifests/{d}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tags: Value = s.req(Method::GET, "/v2/alice/img/tags/list", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(tags["tags"], serde_json::json!(["odd", "v1"]));
    // Wrong digest in the URL.
    let r = s.put_manifest(&t, "alice/img", &sha256(b"x"), OCI_MANIFEST, &by_digest).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "DIGEST_INVALID");

    // Retagging moves the tag; the old manifest is no longer served by digest (no alive tag).
    let (_, digest2) = s.push_image(&t, "alice/img", "v1", b"layer two").await;
    let r = s.req(Method::GET, "/v2/alice/img/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.headers()["docker-content-digest"], digest2.as_str());
    let r = s.req(Method::GET, &format!("/v2/alice/img/manifests/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Pushing the same manifest to the same tag again changes nothing.
    let (_, again) = s.push_image(&t, "alice/img", "v1", b"layer two").await;
    assert_eq!(again, digest2);

    // Delete by tag removes the tag only.
    let r = s.req(Method::DELETE, "/v2/alice/img/manifests/odd", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = s.req(Method::GET, "/v2/alice/img/manifests/odd", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(r).await, "MANIFEST_UNKNOWN");
    let r = s.req(Method::DELETE, "/v2/alice/img/manifests/odd", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Delete by digest removes every tag pointing at it.
    s.put_manifest(&t, "alice/img", "v2", OCI_MANIFEST, &by_digest).await;
    let r = s.req(Method::DELETE, &format!("/v2/alice/img/manifests/{d}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    for reference in ["v2", d.as_str()] {
        let r = s.req(Method::GET, &format!("/v2/alice/img/manifests/{reference}"), &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{reference}");
    }
    let r = s.req(Method::DELETE, &format!("/v2/alice/img/manifests/{d}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Unknown repository.
    let r = s
        .req(Method::GET, "/v2/alice/nothing/manifests/v1", &s.push_token(ALICE, "alice/nothing").await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn manifests_need_their_blobs_and_children() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/refs").await;
    let config = s.push_blob(&t, "alice/refs", b"{}").await;
    let missing = sha256(b"never pushed");
    let m = image_manifest(&config, 2, &[(&missing, 12)], None);
    let r = s.put_manifest(&t, "alice/refs", "v1", OCI_MANIFEST, &m).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "MANIFEST_BLOB_UNKNOWN");
    assert_eq!(body["errors"][0]["detail"]["digest"], missing.as_str());
    // A blob in another repository does not count.
    let other = s.push_token(ALICE, "alice/elsewhere").await;
    let layer = s.push_blob(&other, "alice/elsewhere", b"elsewhere").await;
    let m = image_manifest(&config, 2, &[(&layer, 9)], None);
    let r = s.put_manifest(&t, "alice/refs", "v1", OCI_MANIFEST, &m).await;
    assert_eq!(error_code(r).await, "MANIFEST_BLOB_UNKNOWN");
    // Nothing was tagged by the failed pushes.
    let tags: Value = s.req(Method::GET, "/v2/alice/refs/tags/list", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(tags["tags"], serde_json::json!([]));

    // A two-platform index: children first (by digest), then the index.
    let mut children = Vec::new();
    for arch in ["amd64", "arm64"] {
        let cfg = s.push_blob(&t, "alice/refs", format!(r#"{{"architecture":"{arch}"}}"#).as_bytes()).await;
        let layer = s.push_blob(&t, "alice/refs", arch.as_bytes()).await;
        let m = image_manifest(&cfg, 19 + arch.len(), &[(&layer, arch.len())], None);
        let d = sha256(m.as_bytes());
        let r = s.put_manifest(&t, "alice/refs", &d, OCI_MANIFEST, &m).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        children.push((d, m.len(), arch));
    }
    let entries: Vec<String> = children
        .iter()
        .map(|(d, n, arch)| format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{d}","size":{n},"platform":{{"os":"linux","architecture":"{arch}"}}}}"#))
        .collect();
    let index = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#, entries.join(","));
    let r = s.put_manifest(&t, "alice/refs", "multi", OCI_INDEX, &index).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = s.req(Method::GET, "/v2/alice/refs/manifests/multi", &t).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], OCI_INDEX);
    assert_eq!(r.text().await.unwrap(), index);
    // A child cannot be deleted while a tagged index lists it.
    let r = s.req(Method::DELETE, &format!("/v2/alice/refs/manifests/{}", children[0].0), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // An index whose child is missing.
    let bad = index.replace(&children[1].0, &sha256(b"no such manifest"));
    let r = s.put_manifest(&t, "alice/refs", "broken", OCI_INDEX, &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "MANIFEST_UNKNOWN");
    // Descriptor sizes must be the stored sizes, for children and blobs alike: containerd refuses
    // a pull whose bytes differ from the descriptor, so such a push is refused instead.
    let wrong_child =
        index.replace(&format!(r#""size":{}"#, children[1].1), &format!(r#""size":{}"#, children[1].1 + 1));
    let r = s.put_manifest(&t, "alice/refs", "wrong-size", OCI_INDEX, &wrong_child).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "MANIFEST_INVALID");
    let layer = s.push_blob(&t, "alice/refs", b"nine byte").await;
    let wrong_layer = image_manifest(&config, 2, &[(&layer, 10)], None);
    let r = s.put_manifest(&t, "alice/refs", "wrong-size", OCI_MANIFEST, &wrong_layer).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "MANIFEST_INVALID");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains(&layer), "{body}");
    let wrong_config = image_manifest(&config, 3, &[(&layer, 9)], None);
    let r = s.put_manifest(&t, "alice/refs", "wrong-size", OCI_MANIFEST, &wrong_config).await;
    assert_eq!(error_code(r).await, "MANIFEST_INVALID");
    let tags: Value = s.req(Method::GET, "/v2/alice/refs/tags/list", &t).send().await.unwrap().json().await.unwrap();
    assert!(!tags["tags"].as_array().unwrap().contains(&"wrong-size".into()), "{tags}");

    // Docker schema 2 types are stored and served as such.
    let docker = image_manifest(&config, 2, &[], None)
        .replace(OCI_MANIFEST, DOCKER_MANIFEST)
        .replace("application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json");
    let r = s.put_manifest(&t, "alice/refs", "docker", DOCKER_MANIFEST, &docker).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = s.req(Method::GET, "/v2/alice/refs/manifests/docker", &t).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], DOCKER_MANIFEST);
    let list = format!(
        r#"{{"schemaVersion":2,"mediaType":"{DOCKER_LIST}","manifests":[{{"mediaType":"{DOCKER_MANIFEST}","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
        sha256(docker.as_bytes()),
        docker.len()
    );
    let r = s.put_manifest(&t, "alice/refs", "dlist", DOCKER_LIST, &list).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn tag_and_catalog_pagination() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/paged").await;
    let (manifest, _) = s.push_image(&t, "alice/paged", "t0", b"l").await;
    for i in 1..7 {
        s.put_manifest(&t, "alice/paged", &format!("t{i}"), OCI_MANIFEST, &manifest).await;
    }
    let r = s.req(Method::GET, "/v2/alice/paged/tags/list?n=3", &t).send().await.unwrap();
    assert_eq!(r.headers()["link"], "</v2/alice/paged/tags/list?n=3&last=t2>; rel=\"next\"");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"name": "alice/paged", "tags": ["t0", "t1", "t2"]}));
    let r = s.req(Method::GET, "/v2/alice/paged/tags/list?n=3&last=t5", &t).send().await.unwrap();
    assert!(r.headers().get("link").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["tags"], serde_json::json!(["t6"]));
    let r = s.req(Method::GET, "/v2/alice/paged/tags/list?n=0", &t).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["tags"], serde_json::json!([]));
    let r = s.req(Method::GET, "/v2/alice/paged/tags/list?n=many", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    for repo in ["alice/a", "alice/b/nested", "alice/c"] {
        let t = s.push_token(ALICE, repo).await;
        s.push_image(&t, repo, "v1", b"x").await;
    }
    let bob = s.push_token(BOB, "bob/hidden").await;
    s.push_image(&bob, "bob/hidden", "v1", b"x").await;
    let cat = s.token(Some(ALICE), &["registry:catalog:*"]).await;
    let r = s.req(Method::GET, "/v2/_catalog?n=2", &cat).send().await.unwrap();
    assert_eq!(r.headers()["link"], "</v2/_catalog?n=2&last=alice%2Fb%2Fnested>; rel=\"next\"");
    assert_eq!(r.json::<Value>().await.unwrap()["repositories"], serde_json::json!(["alice/a", "alice/b/nested"]));
    let r = s.req(Method::GET, "/v2/_catalog?last=alice/b/nested", &cat).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["repositories"], serde_json::json!(["alice/c", "alice/paged"]));
    // Superusers see only what they may read without FEATURE_SUPERUSERS_FULL_ACCESS (off here);
    // anonymous callers are challenged.
    let admin = s.token(Some(ADMIN), &["registry:catalog:*"]).await;
    let all: Value = s.req(Method::GET, "/v2/_catalog", &admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["repositories"].as_array().unwrap().len(), 0);
    let r = s.req(Method::GET, "/v2/_catalog", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("registry:catalog:*"));
}

#[tokio::test]
async fn referrers_api() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/signed").await;
    let (_, subject) = s.push_image(&t, "alice/signed", "v1", b"payload").await;
    let empty = s.push_blob(&t, "alice/signed", b"{}").await;
    let sig = s.push_blob(&t, "alice/signed", b"signature").await;
    let mut referrers = Vec::new();
    for (kind, note) in [("application/vnd.example.signature", "sig"), ("application/vnd.example.sbom", "sbom")] {
        let extra = format!(
            r#""artifactType":"{kind}","subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{subject}","size":1}},"annotations":{{"note":"{note}"}}"#
        );
        let m = image_manifest(&empty, 2, &[(&sig, 9)], Some(&extra))
            .replace("application/vnd.oci.image.config.v1+json", "application/vnd.oci.empty.v1+json");
        let d = sha256(m.as_bytes());
        let r = s.put_manifest(&t, "alice/signed", &d, OCI_MANIFEST, &m).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["oci-subject"], subject.as_str());
        referrers.push((d, m.len(), kind));
    }
    let r = s.req(Method::GET, &format!("/v2/alice/signed/referrers/{subject}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], OCI_INDEX);
    assert!(r.headers().get("oci-filters-applied").is_none());
    let index: Value = r.json().await.unwrap();
    assert_eq!(index["mediaType"], OCI_INDEX);
    let list = index["manifests"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["digest"], referrers[0].0.as_str());
    assert_eq!(list[0]["size"], referrers[0].1);
    assert_eq!(list[0]["artifactType"], "application/vnd.example.signature");
    assert_eq!(list[0]["annotations"]["note"], "sig");
    let r = s
        .req(
            Method::GET,
            &format!("/v2/alice/signed/referrers/{subject}?artifactType=application/vnd.example.sbom"),
            &t,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["oci-filters-applied"], "artifactType");
    let index: Value = r.json().await.unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    assert_eq!(index["manifests"][0]["digest"], referrers[1].0.as_str());
    // Unknown subject: an empty index, not an error.
    let r = s.req(Method::GET, &format!("/v2/alice/signed/referrers/{}", sha256(b"none")), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], OCI_INDEX);
    assert_eq!(r.json::<Value>().await.unwrap()["manifests"], serde_json::json!([]));
    // Referrers pushed by digest stay (their hidden tag never expires) and can be deleted.
    let r = s.req(Method::DELETE, &format!("/v2/alice/signed/manifests/{}", referrers[0].0), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let index: Value = s
        .req(Method::GET, &format!("/v2/alice/signed/referrers/{subject}"), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    let r = s.req(Method::GET, "/v2/alice/signed/referrers/sha256:bad", &t).send().await.unwrap();
    assert_eq!(error_code(r).await, "DIGEST_INVALID");
}

#[tokio::test]
async fn blob_delete() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/del").await;
    let loose = s.push_blob(&t, "alice/del", b"loose").await;
    let r = s.req(Method::DELETE, &format!("/v2/alice/del/blobs/{loose}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = s.req(Method::HEAD, &format!("/v2/alice/del/blobs/{loose}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = s.req(Method::DELETE, &format!("/v2/alice/del/blobs/{loose}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A layer of a tagged manifest stays until the manifest is deleted.
    let (manifest, digest) = s.push_image(&t, "alice/del", "v1", b"in use").await;
    let layer = serde_json::from_str::<Value>(&manifest).unwrap()["layers"][0]["digest"].as_str().unwrap().to_owned();
    let r = s.req(Method::DELETE, &format!("/v2/alice/del/blobs/{layer}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    s.req(Method::DELETE, &format!("/v2/alice/del/manifests/{digest}"), &t).send().await.unwrap();
    let r = s.req(Method::DELETE, &format!("/v2/alice/del/blobs/{layer}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn malformed_input_gets_a_4xx_with_the_right_code() {
    let s = Server::start_with("MAXIMUM_MANIFEST_SIZE: 64K\n").await;
    let t = s.push_token(ALICE, "alice/fuzz").await;
    s.push_image(&t, "alice/fuzz", "v1", b"l").await;
    let cases: Vec<(Method, String, &str, StatusCode)> = vec![
        (Method::GET, "/v2/Alice/Fuzz/manifests/v1".into(), "NAME_INVALID", StatusCode::BAD_REQUEST),
        (Method::GET, "/v2/alice/fu..zz/manifests/v1".into(), "NAME_INVALID", StatusCode::BAD_REQUEST),
        (Method::GET, "/v2/alice/-x/tags/list".into(), "NAME_INVALID", StatusCode::BAD_REQUEST),
        (Method::GET, format!("/v2/alice/{}/tags/list", "a".repeat(300)), "NAME_INVALID", StatusCode::BAD_REQUEST),
        // A reference that names no manifest is unknown (the OCI conformance suite); pushes to it
        // are still invalid.
        (Method::GET, "/v2/alice/fuzz/manifests/-bad-tag".into(), "MANIFEST_UNKNOWN", StatusCode::NOT_FOUND),
        (Method::GET, "/v2/alice/fuzz/manifests/sha256:xyz".into(), "MANIFEST_UNKNOWN", StatusCode::NOT_FOUND),
        (Method::PUT, "/v2/alice/fuzz/manifests/-bad-tag".into(), "TAG_INVALID", StatusCode::BAD_REQUEST),
        (Method::GET, "/v2/alice/fuzz/blobs/sha256:0000".into(), "DIGEST_INVALID", StatusCode::BAD_REQUEST),
        (
            Method::GET,
            format!("/v2/alice/fuzz/blobs/md5:{}", "0".repeat(32)),
            "DIGEST_INVALID",
            StatusCode::BAD_REQUEST,
        ),
        (Method::HEAD, format!("/v2/alice/fuzz/blobs/SHA256:{}", "0".repeat(64)), "", StatusCode::BAD_REQUEST),
        (
            Method::POST,
            "/v2/alice/fuzz/blobs/uploads/?digest=sha256:zz".into(),
            "DIGEST_INVALID",
            StatusCode::BAD_REQUEST,
        ),
        (Method::POST, "/v2/alice/fuzz/blobs/uploads/?mount=nope".into(), "DIGEST_INVALID", StatusCode::BAD_REQUEST),
        (
            Method::PATCH,
            "/v2/alice/fuzz/blobs/uploads/00000000-0000-0000-0000-000000000000".into(),
            "BLOB_UPLOAD_UNKNOWN",
            StatusCode::NOT_FOUND,
        ),
        (Method::PUT, "/v2/alice/fuzz/blobs/sha256:abc".into(), "UNSUPPORTED", StatusCode::METHOD_NOT_ALLOWED),
        (Method::POST, "/v2/alice/fuzz/manifests/v1".into(), "UNSUPPORTED", StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/v2/alice/fuzz/unknown/thing".into(), "NOT_FOUND", StatusCode::NOT_FOUND),
    ];
    for (method, path, code, status) in cases {
        let r = s.req(method.clone(), &path, &t).send().await.unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        if !code.is_empty() && method != Method::HEAD {
            assert_eq!(error_code(r).await, code, "{method} {path}");
        }
    }
    let config = s.push_blob(&t, "alice/fuzz", b"{}").await;
    let valid = image_manifest(&config, 2, &[], None);
    let bad_manifests: Vec<(&str, String, StatusCode)> = vec![
        (OCI_MANIFEST, "".into(), StatusCode::BAD_REQUEST),
        (OCI_MANIFEST, "{".into(), StatusCode::BAD_REQUEST),
        (OCI_MANIFEST, "[1,2]".into(), StatusCode::BAD_REQUEST),
        (OCI_MANIFEST, "\u{0}\u{1}binary".into(), StatusCode::BAD_REQUEST),
        (OCI_MANIFEST, valid.replace("\"schemaVersion\":2", "\"schemaVersion\":3"), StatusCode::BAD_REQUEST),
        (OCI_MANIFEST, valid.replace("\"size\":2", "\"size\":-2"), StatusCode::BAD_REQUEST),
        (OCI_INDEX, valid.clone(), StatusCode::BAD_REQUEST),
        (DOCKER_MANIFEST, valid.clone(), StatusCode::BAD_REQUEST),
        (
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            valid.replace(OCI_MANIFEST, "application/vnd.docker.distribution.manifest.v1+prettyjws"),
            StatusCode::BAD_REQUEST,
        ),
        ("text/plain", r#"{"schemaVersion":2}"#.into(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            OCI_MANIFEST,
            format!("{},\"pad\":\"{}\"}}", valid.trim_end_matches('}'), "x".repeat(70_000)),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (ct, body, status) in bad_manifests {
        let r = s.put_manifest(&t, "alice/fuzz", "bad", ct, &body).await;
        assert_eq!(r.status(), status, "{ct}: {}", body.chars().take(80).collect::<String>());
        assert!(matches!(error_code(r).await.as_str(), "MANIFEST_INVALID" | "SIZE_INVALID"));
    }
    // None of the refused pushes left a tag behind.
    let tags: Value = s.req(Method::GET, "/v2/alice/fuzz/tags/list", &t).send().await.unwrap().json().await.unwrap();
    assert_eq!(tags["tags"], serde_json::json!(["v1"]));
    // Random bytes as names and references never produce a 5xx.
    let mut seed = 0x2545F4914F6CDD1Du64;
    for _ in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let alphabet = b"aZ0/._-:%@+~ ";
        let junk: String = (0..(seed % 40) as usize)
            .map(|i| alphabet[((seed >> (i % 50)) as usize + i) % alphabet.len()] as char)
            .collect();
        let junk = junk.replace(' ', "%20");
        for path in [
            format!("/v2/alice/fuzz/manifests/{junk}"),
            format!("/v2/{junk}/tags/list"),
            format!("/v2/alice/fuzz/blobs/{junk}"),
        ] {
            let r = s.req(Method::GET, &path, &t).send().await.unwrap();
            assert!(r.status().is_client_error(), "{path}: {}", r.status());
        }
    }
}

#[tokio::test]
async fn health_and_metrics() {
    let s = Server::start().await;
    let r = s.client.get(s.url("/health/instance")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["data"]["services"]["database"], true);
    assert_eq!(s.client.get(s.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    s.client.get(s.url("/v2/")).send().await.unwrap();
    // On the registry port, for superusers only.
    assert_eq!(s.client.get(s.url("/metrics")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let text =
        s.client.get(s.url("/metrics")).basic_auth(ADMIN.0, Some(ADMIN.1)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("quay_http_requests_total{route=\"base\",method=\"GET\",status=\"401\"}"), "{text}");
    assert!(text.contains("quay_http_request_duration_seconds"), "{text}");
}

/// An internal failure (here the storage folder replaced by a file, so no chunk can be written)
/// reaches the client as an opaque `UNKNOWN` with no detail, and the server's log has the cause
/// once.
#[tokio::test]
async fn an_internal_error_reaches_the_client_as_an_opaque_unknown() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    create_users(dir.path()).await;
    let mut node = Node::start(dir.path(), "", &["--no-workers"]).await;
    let t = node.push_token(ALICE, "alice/broken").await;
    let storage = dir.path().join("storage");
    std::fs::rename(&storage, dir.path().join("storage.moved")).unwrap();
    std::fs::write(&storage, b"not a folder").unwrap();
    let start = node.req(Method::POST, "/v2/alice/broken/blobs/uploads/", &t).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::ACCEPTED);
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = node.req(Method::PATCH, &location, &t).body(vec![1u8; 1000]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"errors": [{"code": "UNKNOWN", "message": "internal server error", "detail": {}}]})
    );
    let line = node.proc.wait_for("internal error").await;
    assert!(line.contains("ERROR") && line.to_lowercase().contains("not a directory"), "{line}");
    assert_eq!(node.proc.log().matches("internal error").count(), 1, "{}", node.proc.log());
}

/// A blob over MAXIMUM_LAYER_SIZE is refused (413 SIZE_INVALID), whether it comes in one request
/// or in chunks, and nothing of it becomes visible.
#[tokio::test]
async fn blobs_over_the_maximum_layer_size_are_refused() {
    let s = Server::start_with("MAXIMUM_LAYER_SIZE: 1M\n").await;
    let t = s.push_token(ALICE, "alice/limited").await;
    let big = vec![5u8; 1_500_000];
    let digest = sha256(&big);
    let r = s
        .req(Method::POST, &format!("/v2/alice/limited/blobs/uploads/?digest={digest}"), &t)
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(r).await, "SIZE_INVALID");
    let start = s.req(Method::POST, "/v2/alice/limited/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = s.req(Method::PATCH, &location, &t).body(big[..700_000].to_vec()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = s.req(Method::PATCH, &location, &t).body(big[700_000..].to_vec()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(r).await, "SIZE_INVALID");
    let status = s.req(Method::GET, &location, &t).send().await.unwrap();
    assert_eq!(status.headers()["range"], "0-699999", "the refused chunk counts");
    let r = s.req(Method::HEAD, &format!("/v2/alice/limited/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Under the limit is fine.
    s.push_blob(&t, "alice/limited", &big[..1_000_000]).await;
}

#[tokio::test]
async fn a_reference_that_names_no_manifest_is_unknown() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/refs").await;
    s.push_image(&t, "alice/refs", "v1", b"layer").await;
    for reference in ["-invalid-", "sha256:xyz", "a%20b", &"x".repeat(200)] {
        for method in [Method::GET, Method::HEAD] {
            let r = s.req(method.clone(), &format!("/v2/alice/refs/manifests/{reference}"), &t).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {reference}");
            if method == Method::GET {
                assert_eq!(error_code(r).await, "MANIFEST_UNKNOWN", "{reference}");
            }
        }
    }
    // A push to such a reference is still a client error that says why.
    let r = s.put_manifest(&t, "alice/refs", "-invalid-", OCI_MANIFEST, "{}").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sparse_manifest_support_is_announced() {
    let off = Server::start().await;
    let r = off.client.get(off.url("/v2/")).send().await.unwrap();
    assert_eq!(r.headers()["x-sparse-manifest-support"], "false");
    let caps: Value =
        off.client.get(off.url("/api/v1/registry/capabilities")).send().await.unwrap().json().await.unwrap();
    assert_eq!(caps["sparse_manifests"]["supported"], false, "{caps}");
    assert_eq!(caps["mirror_architectures"], serde_json::json!(["amd64", "arm64", "ppc64le", "s390x"]));

    let on = Server::start_with("FEATURE_SPARSE_INDEX: true\nSPARSE_INDEX_REQUIRED_ARCHS: [amd64]\n").await;
    let t = on.token(Some(ALICE), &[]).await;
    let r = on.req(Method::GET, "/v2/", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-sparse-manifest-support"], "true");
    assert_eq!(r.headers()["x-required-architectures"], "amd64");
    let caps: Value =
        on.client.get(on.url("/api/v1/registry/capabilities")).send().await.unwrap().json().await.unwrap();
    assert_eq!(caps["sparse_manifests"]["required_architectures"], serde_json::json!(["amd64"]), "{caps}");

    // A required architecture must be there; others may be left out.
    let t = on.push_token(ALICE, "alice/sparse").await;
    let (arm, arm_digest) = on.push_image(&t, "alice/sparse", "arm", b"arm layer").await;
    let index = |archs: &[(&str, &str, usize)]| {
        let manifests: Vec<Value> = archs
            .iter()
            .map(|(arch, digest, size)| serde_json::json!({"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "platform": {"os": "linux", "architecture": arch}}))
            .collect();
        serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).to_string()
    };
    let absent = sha256(b"not pushed");
    let r = on
        .put_manifest(
            &t,
            "alice/sparse",
            "s1",
            OCI_INDEX,
            &index(&[("arm64", &arm_digest, arm.len()), ("s390x", &absent, 10)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let r = on
        .put_manifest(
            &t,
            "alice/sparse",
            "s2",
            OCI_INDEX,
            &index(&[("arm64", &arm_digest, arm.len()), ("amd64", &absent, 10)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "MANIFEST_UNKNOWN");
    // A present child of another size is invalid even when optional.
    let r =
        on.put_manifest(&t, "alice/sparse", "s3", OCI_INDEX, &index(&[("arm64", &arm_digest, arm.len() + 1)])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "MANIFEST_INVALID");

    // Without the feature, every child must be there.
    let t = off.push_token(ALICE, "alice/sparse").await;
    let (arm, arm_digest) = off.push_image(&t, "alice/sparse", "arm", b"arm layer").await;
    let r = off
        .put_manifest(
            &t,
            "alice/sparse",
            "s1",
            OCI_INDEX,
            &index(&[("arm64", &arm_digest, arm.len()), ("s390x", &absent, 10)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

/// What Quay's own registry tests send, answered as Quay answers it: an inclusive Content-Range
/// one byte long, a chunk that overlaps what was received, `n` given twice, a scope naming the
/// registry host, and a list asked for by a client that takes single images only.
#[tokio::test]
async fn quay_clients_corners() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/corners").await;
    let data: Vec<u8> = (0..200u32).map(|i| i as u8).collect();
    let start = s.req(Method::POST, "/v2/alice/corners/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    // `0-100` for 100 bytes.
    let r = s
        .req(Method::PATCH, &location, &t)
        .header("content-range", "0-100")
        .body(data[..100].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.headers()["range"], "0-99");
    // 50 bytes again, then 50 new ones.
    let r = s
        .req(Method::PATCH, &location, &t)
        .header("content-range", "50-149")
        .body(data[50..150].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.headers()["range"], "0-149");
    let digest = sha256(&data);
    let r = s
        .req(Method::PUT, &format!("{location}?digest={digest}"), &t)
        .header("content-range", "150-199")
        .body(data[150..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let got = s.req(Method::GET, &format!("/v2/alice/corners/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), data.as_slice());

    // `n` twice: the first counts.
    s.push_image(&t, "alice/corners", "a", b"one").await;
    let (_, child) = s.push_image(&t, "alice/corners", "b", b"two").await;
    let r = s.req(Method::GET, "/v2/alice/corners/tags/list?n=1&n=5", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["tags"].as_array().unwrap().len(), 1);

    // A scope with the registry host in front is granted under that name, and honoured.
    let hosted = s.token(Some(ALICE), &[&format!("repository:{}/alice/corners:pull", s.host)]).await;
    assert_eq!(crate::credentials::claims(&hosted)["access"][0]["name"], format!("{}/alice/corners", s.host));
    let r = s.req(Method::GET, "/v2/alice/corners/manifests/a", &hosted).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A list, asked for with single-image types only: 404; with list types (or none): the list.
    let size = s
        .req(Method::GET, &format!("/v2/alice/corners/manifests/{child}"), &t)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{child}","size":{size},"platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#
    );
    assert_eq!(s.put_manifest(&t, "alice/corners", "list", OCI_INDEX, &index).await.status(), StatusCode::CREATED);
    let get = |accept: Option<&'static str>| {
        let mut r = s.req(Method::GET, "/v2/alice/corners/manifests/list", &t);
        if let Some(a) = accept {
            r = r.header("accept", a);
        }
        async move { r.send().await.unwrap().status() }
    };
    assert_eq!(get(Some("application/vnd.docker.distribution.manifest.v2+json")).await, StatusCode::NOT_FOUND);
    assert_eq!(get(Some(OCI_INDEX)).await, StatusCode::OK);
    assert_eq!(get(None).await, StatusCode::OK);
}

/// An image whose configuration is not JSON is refused (Quay: 400); an artifact's opaque
/// configuration is not read as one.
#[tokio::test]
async fn a_malformed_image_configuration_is_refused() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/badconfig").await;
    let config = s.push_blob(&t, "alice/badconfig", b"not json at all").await;
    let layer = s.push_blob(&t, "alice/badconfig", b"layer").await;
    let manifest = |config_type: &str| {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"{config_type}","digest":"{config}","size":15}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{layer}","size":5}}]}}"#
        )
    };
    let docker = "application/vnd.docker.distribution.manifest.v2+json";
    let r = s
        .put_manifest(&t, "alice/badconfig", "v1", docker, &manifest("application/vnd.docker.container.image.v1+json"))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "MANIFEST_INVALID");
    let r = s.put_manifest(&t, "alice/badconfig", "v1", docker, &manifest("application/vnd.example.opaque")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}
