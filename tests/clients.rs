//! Real clients: skopeo pushes and pulls a multi-layer image, a two-platform index and an artifact
//! with a subject through the server, and every digest round-trips; podman logs in, pushes and pulls.

use std::path::Path;
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

fn layer(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

#[tokio::test]
async fn skopeo_pushes_and_pulls_images_indexes_and_artifacts() {
    let s = Server::start().await;
    let work = tempfile::tempdir().unwrap();
    let mut src = Layout::new(&work.path().join("src"));
    let image = src.image("amd64", &[layer(1, 300_000), layer(2, 50_000), layer(3, 1)], None);
    src.tag(OCI_MANIFEST, &image, "multi-layer");
    let amd = src.image("amd64", &[layer(4, 20_000)], None);
    let arm = src.image("arm64", &[layer(5, 20_000)], None);
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": amd.0, "size": amd.1, "platform": {"os": "linux", "architecture": "amd64"}},
        {"mediaType": OCI_MANIFEST, "digest": arm.0, "size": arm.1, "platform": {"os": "linux", "architecture": "arm64"}},
    ]});
    let index = src.blob(serde_json::to_string_pretty(&index).unwrap().as_bytes());
    src.tag(OCI_INDEX, &index, "two-platforms");
    let artifact = src.image(
        "amd64",
        &[b"signature payload".to_vec()],
        Some(json!({
            "artifactType": "application/vnd.example.signature.v1",
            "subject": {"mediaType": OCI_MANIFEST, "digest": image.0, "size": image.1},
            "annotations": {"org.example.signed-by": "tests"},
        })),
    );
    src.tag(OCI_MANIFEST, &artifact, "signature");

    let creds = format!("{}:{}", ADMIN.0, ADMIN.1);
    let src_path = src.dir.display().to_string();
    for tag in ["multi-layer", "two-platforms", "signature"] {
        skopeo(
            [
                "copy",
                "--all",
                "--preserve-digests",
                "--dest-tls-verify=false",
                "--dest-creds",
                &creds,
                &format!("oci:{src_path}:{tag}"),
                &format!("docker://{}/admin/mirror:{tag}", s.host),
            ]
            .map(String::from)
            .to_vec(),
        )
        .await;
    }

    // The registry serves exactly the pushed bytes.
    let t = s.token(Some(ADMIN), &["repository:admin/mirror:pull"]).await;
    for (tag, (digest, _)) in [("multi-layer", &image), ("two-platforms", &index), ("signature", &artifact)] {
        let r = s
            .req(Method::GET, &format!("/v2/admin/mirror/manifests/{tag}"), &t)
            .header("accept", format!("{OCI_MANIFEST}, {OCI_INDEX}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{tag}");
        assert_eq!(r.headers()["docker-content-digest"], digest.as_str(), "{tag}");
        let body = r.bytes().await.unwrap();
        assert_eq!(&sha256(&body), digest, "{tag}");
    }
    let referrers: Value = s
        .req(Method::GET, &format!("/v2/admin/mirror/referrers/{}", image.0), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referrers["manifests"][0]["digest"], artifact.0.as_str());
    assert_eq!(referrers["manifests"][0]["artifactType"], "application/vnd.example.signature.v1");

    // Pull everything back into a new layout and compare blob by blob.
    let dst = work.path().join("dst");
    for tag in ["multi-layer", "two-platforms", "signature"] {
        skopeo(
            [
                "copy",
                "--all",
                "--preserve-digests",
                "--src-tls-verify=false",
                "--src-creds",
                &creds,
                &format!("docker://{}/admin/mirror:{tag}", s.host),
                &format!("oci:{}:{tag}", dst.display()),
            ]
            .map(String::from)
            .to_vec(),
        )
        .await;
    }
    let pulled: Value = serde_json::from_slice(&std::fs::read(dst.join("index.json")).unwrap()).unwrap();
    let digests: Vec<&str> =
        pulled["manifests"].as_array().unwrap().iter().map(|m| m["digest"].as_str().unwrap()).collect();
    for (digest, _) in [&image, &index, &artifact] {
        assert!(digests.contains(&digest.as_str()), "{digest} in {digests:?}");
    }
    for entry in std::fs::read_dir(src.dir.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        let copy = dst.join("blobs/sha256").join(entry.file_name());
        assert_eq!(std::fs::read(entry.path()).unwrap(), std::fs::read(&copy).unwrap(), "{:?}", entry.file_name());
    }

    // skopeo's own view of tags and of a deletion.
    let out = tokio::task::spawn_blocking({
        let host = s.host.clone();
        let creds = creds.clone();
        move || {
            Command::new("skopeo")
                .args(["list-tags", "--tls-verify=false", "--creds", &creds, &format!("docker://{host}/admin/mirror")])
                .output()
        }
    })
    .await
    .unwrap()
    .unwrap();
    let tags: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tags["Tags"], json!(["multi-layer", "signature", "two-platforms"]));
    skopeo(
        ["delete", "--tls-verify=false", "--creds", &creds, &format!("docker://{}/admin/mirror:signature", s.host)]
            .map(String::from)
            .to_vec(),
    )
    .await;
    let r = s.req(Method::GET, &format!("/v2/admin/mirror/manifests/{}", artifact.0), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// podman as root without a daemon: vfs storage and short paths under the test's temp folder.
fn podman(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new("podman")
        .arg("--root")
        .arg(root.join("r"))
        .arg("--runroot")
        .arg(root.join("rr"))
        .args(["--storage-driver", "vfs", "--events-backend", "file", "--cgroup-manager", "cgroupfs"])
        .args(args)
        .env("REGISTRY_AUTH_FILE", root.join("auth.json"))
        .output()
        .expect("podman must be installed (scripts/test installs it)")
}

fn ok(out: std::process::Output) -> String {
    assert!(out.status.success(), "podman failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn podman_logs_in_pushes_and_pulls() {
    let s = Server::start_with("DATABASE_SECRET_KEY: podman-test-key\n").await;
    // Short paths: podman rejects long run roots.
    let root = tempfile::Builder::new().prefix("pm").tempdir_in("/tmp").unwrap();
    let dir = root.path().to_path_buf();
    let host = s.host.clone();
    // A robot with read access, for the second half.
    let loaded = quay::config::LoadedConfig::from_path(&s.dir.path().join("config.yaml")).unwrap();
    let db = quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap();
    let enc = loaded.config.field_encryption().unwrap();
    crate::setup::create_repo(&s.app, "alice/hello", false).await.unwrap();
    let (robot, robot_token) = crate::setup::create_robot(&s.app, enc.as_ref(), "alice", "puller", "").await.unwrap();
    secret(&robot_token);
    crate::setup::grant(&s.app, "alice/hello", crate::setup::Grantee::User(&robot), "read").await.unwrap();
    db.close().await;
    let bad = {
        let (dir, host) = (dir.clone(), host.clone());
        let login =
            move || podman(&dir, &["login", "--tls-verify=false", "-u", "alice", "-p", "wrong-password", &host]);
        tokio::task::spawn_blocking(login).await.unwrap()
    };
    assert!(!bad.status.success());
    let bad = String::from_utf8_lossy(&bad.stderr);
    assert!(bad.contains("invalid username/password") || bad.contains("unauthorized"), "{bad}");
    // And a mistyped password with skopeo: the real run follows at once, without waiting (the
    // backoff starts only after five failures from this address).
    let skopeo_bad = skopeo_output(vec![
        "inspect".into(),
        "--tls-verify=false".into(),
        "--creds".into(),
        "alice:wrong-password".into(),
        format!("docker://{host}/alice/hello:v1"),
    ])
    .await;
    assert!(!skopeo_bad.status.success());
    let result = tokio::task::spawn_blocking(move || {
        let rootfs = dir.join("rootfs");
        std::fs::create_dir_all(&rootfs).unwrap();
        std::fs::write(rootfs.join("hello.txt"), "hello from quay\n").unwrap();
        let tar = dir.join("rootfs.tar");
        assert!(Command::new("tar").arg("-C").arg(&rootfs).arg("-cf").arg(&tar).arg(".").status().unwrap().success());
        ok(podman(&dir, &["import", tar.to_str().unwrap(), "localhost/hello:v1"]));

        ok(podman(&dir, &["login", "--tls-verify=false", "-u", ALICE.0, "-p", ALICE.1, &host]));
        let target = format!("{host}/alice/hello:v1");
        ok(podman(&dir, &["push", "--tls-verify=false", "localhost/hello:v1", &target]));
        let pushed_id = ok(podman(&dir, &["image", "inspect", "--format", "{{.Id}}", "localhost/hello:v1"]));
        ok(podman(&dir, &["rmi", "--all", "--force"]));
        ok(podman(&dir, &["pull", "--tls-verify=false", &target]));
        let pulled_id = ok(podman(&dir, &["image", "inspect", "--format", "{{.Id}}", &target]));
        assert_eq!(pushed_id.trim(), pulled_id.trim(), "the image id (config digest) round-trips");
        let creds = format!("{}:{}", ALICE.0, ALICE.1);
        let inspected = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", "--creds", &creds, &format!("docker://{target}")])
            .output()
            .unwrap();
        assert!(inspected.status.success(), "{}", String::from_utf8_lossy(&inspected.stderr));
        // A robot with read access pulls; it cannot push.
        ok(podman(&dir, &["logout", &host]));
        ok(podman(&dir, &["rmi", "--all", "--force"]));
        ok(podman(&dir, &["login", "--tls-verify=false", "-u", &robot, "-p", &robot_token, &host]));
        ok(podman(&dir, &["pull", "--tls-verify=false", &target]));
        ok(podman(&dir, &["import", tar.to_str().unwrap(), "localhost/other:v1"]));
        let refused =
            podman(&dir, &["push", "--tls-verify=false", "localhost/other:v1", &format!("{host}/alice/hello:v2")]);
        assert!(!refused.status.success());
        let refused = String::from_utf8_lossy(&refused.stderr);
        assert!(refused.contains("unauthorized") || refused.contains("denied"), "{refused}");
        // Another user cannot pull alice's private repository.
        ok(podman(&dir, &["logout", &host]));
        ok(podman(&dir, &["login", "--tls-verify=false", "-u", BOB.0, "-p", BOB.1, &host]));
        let denied = podman(&dir, &["pull", "--tls-verify=false", &target]);
        assert!(!denied.status.success());
        let denied = String::from_utf8_lossy(&denied.stderr);
        assert!(denied.contains("unauthorized") || denied.contains("denied"), "{denied}");
    })
    .await;
    drop(root);
    result.unwrap();
}

/// `bytes` gzipped (schema 1 layers are compressed tarballs; skopeo would compress anything else).
fn gzipped(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = Command::new("gzip")
        .args(["-c", "-n"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// Docker schema 1, as legacy images still carry it: skopeo pushes an unsigned one from a `dir:`
/// layout byte for byte, and one it re-signs itself (ES256, libtrust's pretty JWS) when it rewrites
/// the embedded tag; both are served as stored with Docker's digest (of the signed payload), pull
/// back by digest, and count for the API, quotas and GC like any manifest. Quay's checks: the
/// embedded repository and tag must match, a tampered signature is refused.
#[tokio::test]
async fn skopeo_pushes_and_pulls_docker_schema1() {
    let s = Server::start_with("FEATURE_QUOTA_MANAGEMENT: true\nPUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("version"), "Directory Transport Version: 1.1\n").unwrap();
    let layers = [gzipped(&layer(7, 40_000)), gzipped(&layer(8, 3_000))];
    let digests: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
    for (l, d) in layers.iter().zip(&digests) {
        std::fs::write(src.join(&d[7..]), l).unwrap();
    }
    let v1 = |id: &str, parent: Option<&str>, cmd: &str| {
        let mut h = json!({"id": id, "created": "2016-03-01T10:00:00Z",
            "container_config": {"Cmd": ["/bin/sh", "-c", cmd]}, "config": {"Labels": {"legacy": "yes"}}});
        if let Some(p) = parent {
            h["parent"] = json!(p);
        }
        json!({"v1Compatibility": h.to_string()})
    };
    let (top, base) = ("b".repeat(64), "a".repeat(64));
    let manifest = serde_json::to_string_pretty(&json!({
        "schemaVersion": 1, "name": "admin/legacy", "tag": "v1", "architecture": "amd64",
        "fsLayers": [{"blobSum": digests[1]}, {"blobSum": digests[0]}],
        "history": [v1(&top, Some(&base), "echo top"), v1(&base, None, "echo base")],
    }))
    .unwrap();
    std::fs::write(src.join("manifest.json"), &manifest).unwrap();

    let creds = format!("{}:{}", ADMIN.0, ADMIN.1);
    let copy = |from: String, to: String, preserve: bool| {
        let mut args = vec!["copy".to_owned()];
        if preserve {
            args.push("--preserve-digests".into());
        }
        args.extend(
            ["--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", &creds, "--dest-creds", &creds]
                .map(String::from),
        );
        args.extend([from, to]);
        skopeo(args)
    };
    let src_ref = format!("dir:{}", src.display());
    copy(src_ref.clone(), format!("docker://{}/admin/legacy:v1", s.host), true).await;
    // Another tag: skopeo rewrites the embedded tag and signs the result with a key of its own.
    copy(src_ref, format!("docker://{}/admin/legacy:v2", s.host), false).await;

    let t = s.token(Some(ADMIN), &["repository:admin/legacy:pull,push"]).await;
    let get = |tag: &str| s.req(Method::GET, &format!("/v2/admin/legacy/manifests/{tag}"), &t).send();
    let r = get("v1").await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/vnd.docker.distribution.manifest.v1+json");
    assert_eq!(r.headers()["docker-content-digest"], sha256(manifest.as_bytes()).as_str());
    assert_eq!(r.text().await.unwrap(), manifest);
    let r = get("v2").await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/vnd.docker.distribution.manifest.v1+prettyjws");
    let signed_digest = r.headers()["docker-content-digest"].to_str().unwrap().to_owned();
    let signed = r.text().await.unwrap();
    assert!(signed.contains("\"signatures\"") && signed.contains("\"v2\""), "{signed}");
    assert_ne!(sha256(signed.as_bytes()), signed_digest, "the digest of a signed manifest is of its payload");

    // skopeo pulls the signed one by digest (it checks the digest as Docker computes it).
    let dst = work.path().join("dst");
    copy(format!("docker://{}/admin/legacy@{signed_digest}", s.host), format!("dir:{}", dst.display()), true).await;
    assert_eq!(std::fs::read_to_string(dst.join("manifest.json")).unwrap(), signed);
    for (l, d) in layers.iter().zip(&digests) {
        assert_eq!(&std::fs::read(dst.join(&d[7..])).unwrap(), l);
    }

    // Quay's checks, with the registry's error codes.
    let schema1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    let cases = [
        ("v3", signed.replacen("\"v2\"", "\"v3\"", 1), "MANIFEST_INVALID"),
        ("v9", manifest.clone(), "TAG_INVALID"),
        ("v1", manifest.replace("admin/legacy", "admin/other"), "NAME_INVALID"),
        ("v1", manifest.replace(&digests[0], &sha256(b"never pushed")), "MANIFEST_BLOB_UNKNOWN"),
    ];
    for (tag, body, code) in cases {
        let r = s.put_manifest(&t, "admin/legacy", tag, schema1, &body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(error_code(r).await, code);
    }
    // By digest, a schema 1 manifest is tagged with its own tag.
    let by_digest = manifest.replace("\"tag\": \"v1\"", "\"tag\": \"pinned\"");
    let r = s.put_manifest(&t, "admin/legacy", &sha256(by_digest.as_bytes()), "", &by_digest).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(get("pinned").await.unwrap().text().await.unwrap(), by_digest);

    // The API describes its layers from the v1 metadata, base first.
    let (status, view) = call(
        &s,
        Method::GET,
        &format!("/api/v1/repository/admin/legacy/manifest/{signed_digest}"),
        &Auth::Basic(ADMIN),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["is_manifest_list"], false);
    assert_eq!(view["layers"][0]["blob_digest"], digests[0].as_str());
    assert_eq!(view["layers"][0]["command"], json!(["/bin/sh", "-c", "echo base"]));
    assert_eq!(view["layers"][1]["created_datetime"], "Tue, 01 Mar 2016 10:00:00 -0000");
    let (_, labels) = call(
        &s,
        Method::GET,
        &format!("/api/v1/repository/admin/legacy/manifest/{signed_digest}/labels"),
        &Auth::Basic(ADMIN),
        None,
    )
    .await;
    assert_eq!(labels["labels"][0]["key"], "legacy");

    // Quotas count its blobs; GC keeps them while tagged and takes them with the last tag.
    let db = s.db().await;
    let size_of = |sql: &'static str| {
        let db = &db;
        async move {
            let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, quay::db::sql(db.backend(), sql, vec![]))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let total = (layers[0].len() + layers[1].len()) as i64;
    assert_eq!(size_of("SELECT size_bytes FROM quotarepositorysize").await, total);
    let report = quay::registry::gc::collect(&s.app, false).await.unwrap();
    assert_eq!((report.manifests, report.blobs), (0, 0), "{report:?}");
    let admin_id = "UPDATE \"user\" SET removed_tag_expiration_s = 0 WHERE username = 'admin'";
    sea_orm::ConnectionTrait::execute_raw(&db.write, quay::db::sql(db.backend(), admin_id, vec![])).await.unwrap();
    for tag in ["v1", "v2", "pinned"] {
        let r = s.req(Method::DELETE, &format!("/v2/admin/legacy/manifests/{tag}"), &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    s.time_passes(2).await;
    let report = quay::registry::gc::collect(&s.app, false).await.unwrap();
    assert_eq!((report.manifests, report.blobs, report.errors), (3, 2, 0), "{report:?}");
    db.close().await;
}

/// podman pulls an image through a proxy cache organization: it comes from the upstream on the
/// first pull (its layer streamed while it is stored) with the upstream's image id.
#[tokio::test]
async fn podman_pulls_through_a_proxy_cache_organization() {
    let upstream = Server::start().await;
    let local = Server::start_with(
        "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: ['127.0.0.0/8']\nDATABASE_SECRET_KEY: podman-proxy-key\n",
    )
    .await;
    let admin = Auth::Basic(ADMIN);
    let org = json!({"name": "cache", "email": "cache@example.com"});
    assert_eq!(call(&local, Method::POST, "/api/v1/organization/", &admin, Some(org)).await.0, StatusCode::CREATED);
    let setting = json!({"upstream_registry": format!("{}/alice", upstream.host), "insecure": true,
                         "upstream_registry_username": ALICE.0, "upstream_registry_password": ALICE.1});
    let (status, body) =
        call(&local, Method::POST, "/api/v1/organization/cache/proxycache", &admin, Some(setting)).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!("Created")));
    let root = tempfile::Builder::new().prefix("pp").tempdir_in("/tmp").unwrap();
    let dir = root.path().to_path_buf();
    let (up, here) = (upstream.host.clone(), local.host.clone());
    tokio::task::spawn_blocking(move || {
        let rootfs = dir.join("rootfs");
        std::fs::create_dir_all(&rootfs).unwrap();
        std::fs::write(rootfs.join("hello.txt"), "hello through the cache\n").unwrap();
        std::fs::write(dir.join("auth.json"), r#"{"auths": {}}"#).unwrap();
        let tar = dir.join("rootfs.tar");
        assert!(Command::new("tar").arg("-C").arg(&rootfs).arg("-cf").arg(&tar).arg(".").status().unwrap().success());
        ok(podman(&dir, &["import", tar.to_str().unwrap(), "localhost/hello:v1"]));
        let alice = format!("{}:{}", ALICE.0, ALICE.1);
        let pushed = format!("{up}/alice/hello:v1");
        ok(podman(&dir, &["push", "--tls-verify=false", "--creds", &alice, "localhost/hello:v1", &pushed]));
        let id = ok(podman(&dir, &["image", "inspect", "--format", "{{.Id}}", "localhost/hello:v1"]));
        ok(podman(&dir, &["rmi", "--all", "--force"]));
        let through = format!("{here}/cache/hello:v1");
        let admin = format!("{}:{}", ADMIN.0, ADMIN.1);
        ok(podman(&dir, &["pull", "--tls-verify=false", "--creds", &admin, &through]));
        let pulled = ok(podman(&dir, &["image", "inspect", "--format", "{{.Id}}", &through]));
        assert_eq!(id.trim(), pulled.trim(), "the upstream's image, through the cache");
    })
    .await
    .unwrap();
    drop(root);
}
