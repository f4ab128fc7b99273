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

/// Two `quay serve` processes and a `quay worker` on one PostgreSQL database and one S3 bucket: a
/// push through A is pulled through B, an upload whose node is killed mid-chunk is finished on the
/// other, and an abandoned upload is removed by the worker.
#[tokio::test]
async fn two_processes_on_postgres_and_s3() {
    let db = postgres_database();
    let storage = s3_storage_config();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for d in &dirs {
        let text = format!(
            "SERVER_HOSTNAME: placeholder:1\nPREFERRED_URL_SCHEME: http\nDB_URI: {db}\n{storage}DISTRIBUTED_STORAGE_PREFERENCE: [default]\n\
             SUPER_USERS: [admin]\nDATABASE_SECRET_KEY: shared-by-both-nodes\nSECRET_KEY: also-shared\n\
             WORKER_PERIOD_SECONDS: 1\n"
        );
        std::fs::write(d.path().join("config.yaml"), text).unwrap();
    }
    let config_a = dirs[0].path().to_str().unwrap();
    let created = quay_output(
        &["admin", "--config", config_a, "user", "create", "admin", "--password-stdin"],
        "admin-password\n",
    );
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    // Node A stops in the middle of a chunk of 1,500,000 bytes, once 1,200,000 have arrived.
    let mut a = Node::start(dirs[0].path(), "upload-chunk@1200000=pause", &["--no-workers"]).await;
    let b = Node::start(dirs[1].path(), "", &["--no-workers"]).await;
    let _worker = Proc::spawn(&["worker", "--config", dirs[1].path().to_str().unwrap()], &[]);

    // skopeo pushes through A and pulls through B.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("img");
    single_image_layout(&layout, &[vec![7u8; 200_000]]);
    let skopeo = |args: Vec<String>| async move {
        let out = tokio::task::spawn_blocking(move || std::process::Command::new("skopeo").args(&args).output())
            .await
            .unwrap()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    skopeo(vec![
        "copy".into(),
        "--all".into(),
        "--dest-tls-verify=false".into(),
        "--dest-creds".into(),
        "admin:admin-password".into(),
        format!("oci:{}:v1", layout.display()),
        format!("docker://{}/admin/spread:v1", a.host),
    ])
    .await;
    let pulled = work.path().join("pulled");
    skopeo(vec![
        "copy".into(),
        "--all".into(),
        "--src-tls-verify=false".into(),
        "--src-creds".into(),
        "admin:admin-password".into(),
        format!("docker://{}/admin/spread:v1", b.host),
        format!("oci:{}:v1", pulled.display()),
    ])
    .await;
    // skopeo may recompress the layer on push; what B serves must be exactly what A stored.
    let ta = a.token(Some(ADMIN), &["repository:admin/spread:pull"]).await;
    let stored = reqwest::Client::new()
        .get(format!("http://{}/v2/admin/spread/manifests/v1", a.host))
        .bearer_auth(&ta)
        .send()
        .await
        .unwrap();
    let stored_digest = stored.headers()["docker-content-digest"].to_str().unwrap().to_owned();
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(pulled.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], stored_digest.as_str());
    let pulled_manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pulled.join("blobs/sha256").join(&stored_digest[7..])).unwrap()).unwrap();
    for layer in pulled_manifest["layers"].as_array().unwrap() {
        let d = layer["digest"].as_str().unwrap();
        assert_eq!(sha256(&std::fs::read(pulled.join("blobs/sha256").join(&d[7..])).unwrap()), d);
    }

    // An upload on A, whose node dies mid-chunk, is finished on B.
    let client = reqwest::Client::new();
    let ta = a.token(Some(ADMIN), &["repository:admin/spread:pull,push"]).await;
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 239) as u8).collect();
    let start =
        client.post(format!("http://{}/v2/admin/spread/blobs/uploads/", a.host)).bearer_auth(&ta).send().await.unwrap();
    let path = start.headers()["location"].to_str().unwrap().split_once("/v2/").unwrap().1.to_owned();
    let r = client
        .patch(format!("http://{}/v2/{path}", a.host))
        .bearer_auth(&ta)
        .body(data[..1_000_000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let pending = tokio::spawn(
        client
            .patch(format!("http://{}/v2/{path}", a.host))
            .bearer_auth(&ta)
            .body(data[1_000_000..2_500_000].to_vec())
            .send(),
    );
    a.proc.wait_for("quay test hook: upload-chunk@1200000").await;
    a.proc.kill();
    assert!(pending.await.unwrap().is_err(), "the killed node answered");
    let tb = b.token(Some(ADMIN), &["repository:admin/spread:pull,push"]).await;
    let status = client.get(format!("http://{}/v2/{path}", b.host)).bearer_auth(&tb).send().await.unwrap();
    assert_eq!(status.headers()["range"], "0-999999", "only the finished chunk counts");
    let r = client
        .patch(format!("http://{}/v2/{path}", b.host))
        .bearer_auth(&tb)
        .header("content-range", "1000000-2999999")
        .body(data[1_000_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let digest = sha256(&data);
    let r = client.put(format!("http://{}/v2/{path}?digest={digest}", b.host)).bearer_auth(&tb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let got =
        client.get(format!("http://{}/v2/admin/spread/blobs/{digest}", b.host)).bearer_auth(&tb).send().await.unwrap();
    assert_eq!(sha256(&got.bytes().await.unwrap()), digest);

    // An upload abandoned on B (made old) is removed by the worker process.
    let start =
        client.post(format!("http://{}/v2/admin/spread/blobs/uploads/", b.host)).bearer_auth(&tb).send().await.unwrap();
    let abandoned = start.headers()["location"].to_str().unwrap().split_once("/v2/").unwrap().1.to_owned();
    let r = client.patch(format!("http://{}/v2/{abandoned}", b.host)).bearer_auth(&tb).body(vec![3u8; 5000]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::ACCEPTED);
    let uuid = abandoned.rsplit('/').next().unwrap();
    let aged = std::process::Command::new("psql")
        .args([
            &db,
            "-qc",
            &format!("UPDATE blobupload SET created = created - interval '3 days' WHERE uuid = '{uuid}'"),
        ])
        .status()
        .unwrap();
    assert!(aged.success());
    wait_until("the worker removes the abandoned upload", || async {
        let status = client.get(format!("http://{}/v2/{abandoned}", b.host)).bearer_auth(&tb).send().await.unwrap();
        status.status() == StatusCode::NOT_FOUND
    })
    .await;
}
