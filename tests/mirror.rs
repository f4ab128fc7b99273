//! Repository mirroring: a mirror syncs an upstream registry's matching tags through the native
//! client, as its robot, with Quay's API and state machine.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

const SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";

const MIRRORING: &str = "FEATURE_REPO_MIRROR: true\nFEATURE_SPARSE_INDEX: true\nREPO_MIRROR_INTERVAL: 1\n\
                         SSRF_ALLOWED_HOSTS: ['127.0.0.0/8']\nDATABASE_SECRET_KEY: mirror-test-key\n";

/// Pushes an image of `arch` with a shared base layer and a layer of its own; returns its
/// manifest digest and size.
pub(crate) async fn push_arch_image(s: &Server, token: &str, repo: &str, arch: &str, own: &[u8]) -> (String, usize) {
    let config = format!(r#"{{"architecture":"{arch}","os":"linux"}}"#);
    let config_digest = s.push_blob(token, repo, config.as_bytes()).await;
    let base = b"a base layer shared by every image of the test".repeat(50);
    let base_digest = s.push_blob(token, repo, &base).await;
    let own_digest = s.push_blob(token, repo, own).await;
    let manifest =
        image_manifest(&config_digest, config.len(), &[(&base_digest, base.len()), (&own_digest, own.len())], None);
    let digest = sha256(manifest.as_bytes());
    let resp = s.put_manifest(token, repo, &digest, OCI_MANIFEST, &manifest).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());
    (digest, manifest.len())
}

/// An OCI artifact signing `subject` (its blobs pushed to `repo`): the manifest's text, to be
/// pushed by tag or digest.
pub(crate) async fn signature_of(s: &Server, token: &str, repo: &str, subject: &str) -> String {
    let empty = s.push_blob(token, repo, b"{}").await;
    let sig = s.push_blob(token, repo, b"a signature of v1").await;
    let subject_size = s
        .req(Method::GET, &format!("/v2/{repo}/manifests/{subject}"), token)
        .header("accept", OCI_MANIFEST)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example.signature",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
        "layers": [{"mediaType": "application/vnd.example.signature", "digest": sig, "size": 17}],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": subject_size},
    })
    .to_string()
}

/// The digest a registry serves for `repo:reference`, or `None` when it has no such manifest.
pub(crate) async fn served_digest(s: &Remote, token: &str, repo: &str, reference: &str) -> Option<String> {
    let resp = s
        .req(Method::GET, &format!("/v2/{repo}/manifests/{reference}"), token)
        .header("accept", format!("{OCI_INDEX}, {OCI_MANIFEST}, {SCHEMA1}"))
        .send()
        .await
        .unwrap();
    if resp.status() == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(resp.status(), StatusCode::OK);
    let header = resp.headers()["docker-content-digest"].to_str().unwrap().to_owned();
    let body = resp.bytes().await.unwrap();
    assert_eq!(sha256(&body), header, "the bytes served hash to the digest announced");
    Some(header)
}

async fn log_kinds(s: &Server) -> Vec<(String, Value)> {
    use sea_orm::ConnectionTrait as _;
    let db = s.db().await;
    let rows = db
        .read
        .query_all_raw(sea_orm::Statement::from_string(
            db.backend(),
            "SELECT k.name, l.metadata_json FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id \
             WHERE k.name LIKE 'repo_mirror%' ORDER BY l.id",
        ))
        .await
        .unwrap();
    let found = rows
        .iter()
        .map(|r| {
            let name: String = r.try_get("", "name").unwrap();
            let metadata: String = r.try_get("", "metadata_json").unwrap();
            (name, serde_json::from_str(&metadata).unwrap())
        })
        .collect();
    db.close().await;
    found
}

#[tokio::test]
async fn a_mirror_copies_matching_tags_and_architectures_from_a_token_auth_quay_and_follows_upstream_deletions() {
    // The upstream: another quay, private repository, token auth with a Basic login at its realm.
    let upstream = Server::start().await;
    let up = upstream.push_token(ALICE, "alice/app").await;
    let (_, v1) = upstream.push_image(&up, "alice/app", "v1", b"layer of v1").await;
    let (_, v2) = upstream.push_image(&up, "alice/app", "v2", b"layer of v2").await;
    upstream.push_image(&up, "alice/app", "latest", b"layer of latest").await;
    let amd = push_arch_image(&upstream, &up, "alice/app", "amd64", b"amd64 only").await;
    let arm = push_arch_image(&upstream, &up, "alice/app", "arm64", b"arm64 only").await;
    let index = json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": amd.0, "size": amd.1, "platform": {"architecture": "amd64", "os": "linux"}},
            {"mediaType": OCI_MANIFEST, "digest": arm.0, "size": arm.1, "platform": {"architecture": "arm64", "os": "linux"}},
        ]
    })
    .to_string();
    let resp = upstream.put_manifest(&up, "alice/app", "v3-multi", OCI_INDEX, &index).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let index_digest = sha256(index.as_bytes());
    // An artifact about v1 (a signature), and a Docker schema 1 image.
    let artifact = signature_of(&upstream, &up, "alice/app", &v1).await;
    let resp = upstream.put_manifest(&up, "alice/app", "v1-sig", OCI_MANIFEST, &artifact).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());
    let artifact_digest = sha256(artifact.as_bytes());
    let legacy_layer = upstream.push_blob(&up, "alice/app", b"a layer of a schema 1 image").await;
    let legacy = serde_json::to_string_pretty(&json!({
        "schemaVersion": 1, "name": "alice/app", "tag": "v4-legacy", "architecture": "amd64",
        "fsLayers": [{"blobSum": legacy_layer}],
        "history": [{"v1Compatibility": json!({"id": "c".repeat(64), "created": "2016-03-01T10:00:00Z"}).to_string()}],
    }))
    .unwrap();
    let resp = upstream.put_manifest(&up, "alice/app", "v4-legacy", SCHEMA1, &legacy).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());

    let local = Server::start_with(MIRRORING).await;
    let admin = Auth::Basic(ADMIN);
    let (status, _) = call(
        &local,
        Method::POST,
        "/api/v1/repository",
        &admin,
        Some(json!({"namespace": "admin", "repository": "mirrored", "visibility": "private", "description": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(&local, Method::PUT, "/api/v1/user/robots/mirror", &admin, Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);

    let mirror_path = "/api/v1/repository/admin/mirrored/mirror";
    let (status, _) = call(&local, Method::GET, mirror_path, &admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no mirror yet");
    let config = json!({
        "external_reference": format!("{}/alice/app", upstream.host),
        "external_registry_username": "alice", "external_registry_password": ALICE.1,
        "external_registry_config": {"verify_tls": false},
        "sync_interval": 3600, "sync_start_date": "2020-01-01T00:00:00Z",
        "root_rule": {"rule_kind": "tag_glob_csv", "rule_value": ["v*"]},
        "robot_username": "admin+mirror", "skopeo_timeout_interval": 300, "architecture_filter": ["amd64"],
    });
    // Bad input is one clear 400, and writes nothing.
    let mut bad = config.clone();
    bad["architecture_filter"] = json!(["mips"]);
    let (status, body) = call(&local, Method::POST, mirror_path, &admin, Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let mut bad = config.clone();
    bad["robot_username"] = json!("alice+robot");
    let (status, _) = call(&local, Method::POST, mirror_path, &admin, Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Alice is no admin of the repository.
    let (status, _) = call(&local, Method::POST, mirror_path, &Auth::Basic(ALICE), Some(config.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = call(&local, Method::POST, mirror_path, &admin, Some(config.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = call(&local, Method::POST, mirror_path, &admin, Some(config.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "one mirror per repository");
    let (status, view) = call(&local, Method::GET, mirror_path, &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        view,
        json!({
            "is_enabled": true, "mirror_type": "PULL",
            "external_reference": format!("{}/alice/app", upstream.host),
            "external_registry_username": "alice",
            "external_registry_config": {"verify_tls": false, "unsigned_images": false,
                "proxy": {"http_proxy": null, "https_proxy": null, "no_proxy": null}},
            "sync_interval": 3600, "sync_start_date": "2020-01-01T00:00:00Z", "sync_expiration_date": null,
            "sync_retries_remaining": 3, "sync_status": "NEVER_RUN",
            "root_rule": {"rule_kind": "tag_glob_csv", "rule_value": ["v*"]},
            "robot_username": "admin+mirror", "skopeo_timeout_interval": 300, "architecture_filter": ["amd64"],
        }),
        "Quay's body, field for field, never the password"
    );
    // Its robot stays while the mirror writes as it.
    let (status, body) = call(&local, Method::DELETE, "/api/v1/user/robots/mirror", &admin, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().starts_with("Robot is being used by a mirror"), "{body}");
    // The repository is a mirror now: nobody but its robot pushes.
    let admin_token = local.push_token(ADMIN, "admin/mirrored").await;
    let resp = local.put_manifest(&admin_token, "admin/mirrored", "mine", OCI_MANIFEST, "{}").await;
    assert!(resp.status().is_client_error(), "a push into a mirror is refused: {}", resp.status());

    let (summary, changed) = quay::registry::mirror::run_due(&local.app).await.unwrap();
    assert!(changed, "{summary}");
    let (_, view) = call(&local, Method::GET, mirror_path, &admin, None).await;
    assert_eq!(view["sync_status"], "SUCCESS", "{view}");
    assert_eq!(view["sync_retries_remaining"], 3);
    assert!(view["sync_start_date"].as_str().unwrap() > "2026-", "the next start is on the grid, ahead: {view}");

    let token = local.token(Some(ADMIN), &["repository:admin/mirrored:pull"]).await;
    assert_eq!(served_digest(&local, &token, "admin/mirrored", "v1").await.as_deref(), Some(v1.as_str()));
    assert_eq!(served_digest(&local, &token, "admin/mirrored", "v2").await.as_deref(), Some(v2.as_str()));
    assert_eq!(
        served_digest(&local, &token, "admin/mirrored", "v3-multi").await,
        Some(index_digest.clone()),
        "the index is the upstream's bytes"
    );
    assert_eq!(served_digest(&local, &token, "admin/mirrored", &amd.0).await, Some(amd.0.clone()));
    assert_eq!(served_digest(&local, &token, "admin/mirrored", &arm.0).await, None, "arm64 is filtered out");
    assert_eq!(served_digest(&local, &token, "admin/mirrored", "latest").await, None, "`latest` does not match v*");
    assert_eq!(served_digest(&local, &token, "admin/mirrored", "v1-sig").await, Some(artifact_digest.clone()));
    assert_eq!(
        served_digest(&local, &token, "admin/mirrored", "v4-legacy").await,
        Some(sha256(legacy.as_bytes())),
        "a schema 1 manifest keeps the upstream's bytes (and its name)"
    );
    let referrers: Value = local
        .req(Method::GET, &format!("/v2/admin/mirrored/referrers/{v1}"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referrers["manifests"][0]["digest"], artifact_digest.as_str(), "the referrer came along: {referrers}");
    let blob = local
        .req(Method::GET, &format!("/v2/admin/mirrored/blobs/{}", sha256(b"layer of v2")), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(blob.bytes().await.unwrap().as_ref(), b"layer of v2");

    let kinds = log_kinds(&local).await;
    let names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert!(names.contains(&"repo_mirror_sync_started"), "{names:?}");
    assert_eq!(names.iter().filter(|k| **k == "repo_mirror_sync_tag_success").count(), 5, "{names:?}");
    let success = kinds.iter().find(|(k, _)| k == "repo_mirror_sync_success").unwrap();
    assert_eq!(success.1["namespace"], "admin");
    assert_eq!(success.1["repo"], "mirrored");

    // A tag deleted upstream goes; an unchanged tag is not copied again.
    let resp = upstream.req(Method::DELETE, &format!("/v2/alice/app/manifests/{v2}"), &up).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let (status, _) = call(&local, Method::POST, &format!("{mirror_path}/sync-now"), &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, view) = call(&local, Method::GET, mirror_path, &admin, None).await;
    assert_eq!(view["sync_status"], "SYNC_NOW");
    quay::registry::mirror::run_due(&local.app).await.unwrap();
    assert_eq!(served_digest(&local, &token, "admin/mirrored", "v2").await, None, "deleted upstream, deleted here");
    assert_eq!(served_digest(&local, &token, "admin/mirrored", "v1").await.as_deref(), Some(v1.as_str()));
    let kinds = log_kinds(&local).await;
    assert_eq!(
        kinds.iter().filter(|(k, _)| k == "repo_mirror_sync_tag_success").count(),
        5,
        "the second sync copied nothing: every remaining tag was unchanged"
    );

    // Changes are logged field by field; cancel answers 404 when nothing runs.
    let (status, _) = call(&local, Method::PUT, mirror_path, &admin, Some(json!({"sync_interval": 60}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let kinds = log_kinds(&local).await;
    let changed = kinds.iter().find(|(k, _)| k == "repo_mirror_config_changed").unwrap();
    assert_eq!(changed.1["changed"], "sync_interval");
    assert_eq!(changed.1["to"], 60);
    let (status, _) = call(&local, Method::POST, &format!("{mirror_path}/sync-cancel"), &admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `quay admin --config DIR ARGS` against a test server's data folder, on a blocking thread: the
/// server answers from this test's runtime (and its log writer may hold a write transaction the
/// command waits for) meanwhile.
async fn admin(s: &Server, args: &[&str]) -> std::process::Output {
    admin_with_stdin(s, args, "").await
}

#[tokio::test]
async fn an_unreachable_upstream_fails_the_sync_and_uses_a_retry() {
    let local = Server::start_with(MIRRORING).await;
    // Nothing listens there: the sync fails, a retry is used, the start date stays for the retry.
    let out = admin(
        &local,
        &[
            "--json",
            "mirror",
            "create",
            "admin/lost",
            "--from",
            "127.0.0.1:9/nothing/here",
            "--tags",
            "v*",
            "--no-tls-verify",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["robot_username"], "admin+mirror", "a robot is made for the mirror");
    quay::registry::mirror::run_due(&local.app).await.unwrap();
    let out = admin(&local, &["--json", "mirror", "show", "admin/lost"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["sync_status"], "FAIL", "{shown}");
    assert_eq!(shown["sync_retries_remaining"], 2);
    let kinds = log_kinds(&local).await;
    let failed = kinds.iter().find(|(k, _)| k == "repo_mirror_sync_failed").expect("a failure is logged");
    assert!(failed.1["message"].as_str().unwrap().contains("cannot reach"), "{}", failed.1);
    let out = admin(&local, &["mirror", "list"]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin/lost"));
    // Mirror health: every mirror failing is unhealthy (503), with the issue named.
    let admin_auth = Auth::Basic(ADMIN);
    let health = "/api/v1/repository/mirror/health";
    let (status, body) = call(&local, Method::GET, health, &admin_auth, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["healthy"], false);
    assert_eq!(
        (&body["repositories"]["total"], &body["repositories"]["failed"], &body["repositories"]["never_run"]),
        (&json!(1), &json!(1), &json!(0))
    );
    assert_eq!(body["issues"][0]["severity"], "critical", "{body}");
    assert_eq!(body["workers"]["status"], "degraded");
    assert!(body["repositories"].get("details").is_none());
    let (status, body) =
        call(&local, Method::GET, &format!("{health}?detailed=true&namespace=admin"), &admin_auth, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["repositories"]["details"][0]["repository"], "lost", "{body}");
    assert_eq!(body["repositories"]["details"][0]["sync_status"], "FAIL");
    assert_eq!(body["repositories"]["details"][0]["retries_remaining"], 2);
    assert_eq!(body["repositories"]["pagination"], json!({"limit": 100, "offset": 0, "has_more": false}));
    let (status, body) = call(&local, Method::GET, "/api/v1/superuser/mirror/health", &admin_auth, None).await;
    assert_eq!((status, &body["repositories"]["total"]), (StatusCode::SERVICE_UNAVAILABLE, &json!(1)));
    // Alice sees her own namespace (healthy: no mirror there), not everyone's, nor admin's.
    let alice = Auth::Basic(ALICE);
    let (status, body) = call(&local, Method::GET, &format!("{health}?namespace=alice"), &alice, None).await;
    assert_eq!((status, &body["healthy"], &body["repositories"]["total"]), (StatusCode::OK, &json!(true), &json!(0)));
    for path in [health.to_owned(), format!("{health}?namespace=admin")] {
        let (status, _) = call(&local, Method::GET, &path, &alice, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, _) = call(&local, Method::GET, health, &Auth::Anonymous, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Deleting the mirror gives the repository back to pushes.
    assert!(admin(&local, &["mirror", "delete", "admin/lost"]).await.status.success());
    let out = admin(&local, &["mirror", "show", "admin/lost"]).await;
    assert!(!out.status.success());

    // The SSRF rule: an internal address is refused unless allowed.
    let strict = Server::start_with("FEATURE_REPO_MIRROR: true\nDATABASE_SECRET_KEY: k\n").await;
    let out =
        admin(&strict, &["mirror", "create", "admin/lost", "--from", "127.0.0.1:9/nothing", "--tags", "v*"]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("The provided registry location is not allowed"), "{err}");
}

/// CNCF distribution (Debian's `docker-registry`) over TLS with htpasswd logins, on loopback.
struct Distribution {
    process: std::process::Child,
    addr: std::net::SocketAddr,
    /// The CA that signed its certificate.
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Distribution {
    async fn start(user: (&str, &str)) -> Distribution {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let files = quay::tls::TlsFiles::in_dir(dir.path());
        quay::tls::ensure(&files, &quay::tls::certificate_names(&addr.to_string(), None)).unwrap();
        let hash = bcrypt::hash(user.1, 4).unwrap();
        std::fs::write(dir.path().join("htpasswd"), format!("{}:{hash}\n", user.0)).unwrap();
        let d = dir.path().display();
        std::fs::write(
            dir.path().join("config.yml"),
            format!(
                "version: 0.1\nlog: {{level: error}}\nstorage: {{filesystem: {{rootdirectory: {d}/data}}, delete: {{enabled: true}}}}\n\
                 http: {{addr: '{addr}', tls: {{certificate: {d}/ssl.cert, key: {d}/ssl.key}}}}\n\
                 auth: {{htpasswd: {{realm: basic-realm, path: {d}/htpasswd}}}}\n"
            ),
        )
        .unwrap();
        let process = std::process::Command::new("docker-registry")
            .args(["serve", dir.path().join("config.yml").to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("docker-registry must be installed (scripts/test installs it)");
        wait_until("distribution listens", || async move { tokio::net::TcpStream::connect(addr).await.is_ok() }).await;
        Distribution { process, addr, ca: files.ca_cert, _dir: dir }
    }

    /// A folder for skopeo's `--dest-cert-dir`: the CA as `ca.crt`.
    fn cert_dir(&self) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&self.ca, dir.path().join("ca.crt")).unwrap();
        dir
    }
}

impl Drop for Distribution {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A TCP relay in front of an upstream that can break one connection once it has relayed
/// `cut_after` bytes to the client (an upstream stopping in the middle of a blob), and hold all
/// traffic while `hold` is set.
struct Relay {
    addr: std::net::SocketAddr,
    relayed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    cut_after: std::sync::Arc<std::sync::atomic::AtomicU64>,
    cuts: std::sync::Arc<std::sync::atomic::AtomicU64>,
    hold: tokio::sync::watch::Sender<bool>,
}

impl Relay {
    async fn start(upstream: std::net::SocketAddr) -> Relay {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, Ordering};
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let relayed = Arc::new(AtomicU64::new(0));
        let cut_after = Arc::new(AtomicU64::new(0));
        let cuts = Arc::new(AtomicU64::new(0));
        let (hold, held) = tokio::sync::watch::channel(false);
        let (r, c, n) = (relayed.clone(), cut_after.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (relayed, cut_after, cuts, mut held) = (r.clone(), c.clone(), n.clone(), held.clone());
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { return };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let upward = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                    });
                    let mut buf = vec![0u8; 16 * 1024];
                    let mut this_connection = 0u64;
                    while let Ok(n) = server_read.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        while *held.borrow_and_update() {
                            if held.changed().await.is_err() {
                                break;
                            }
                        }
                        this_connection += n as u64;
                        let limit = cut_after.load(Ordering::SeqCst);
                        if limit > 0 && this_connection > limit && cut_after.swap(0, Ordering::SeqCst) > 0 {
                            cuts.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        relayed.fetch_add(n as u64, Ordering::SeqCst);
                        if client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    upward.abort();
                });
            }
        });
        Relay { addr, relayed, cut_after, cuts, hold }
    }
}

/// Bytes of a layer that do not compress (a mirror must move all of them).
fn noise(len: usize, seed: u8) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ seed as u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

async fn admin_with_stdin(s: &Server, args: &[&str], stdin: &str) -> std::process::Output {
    let mut all: Vec<String> = vec!["admin".into(), "--config".into(), s.dir.path().to_str().unwrap().into()];
    all.extend(args.iter().map(|a| a.to_string()));
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || quay_output(&all.iter().map(String::as_str).collect::<Vec<_>>(), &stdin))
        .await
        .unwrap()
}

async fn mirror_show(s: &Server, repo: &str) -> Value {
    let out = admin(s, &["--json", "mirror", "show", repo]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn a_mirror_of_distribution_over_tls_trusts_extra_ca_certs_resumes_a_broken_blob_and_stops_when_cancelled() {
    let dist = Distribution::start(ALICE).await;
    let work = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&work.path().join("src"));
    let big = noise(3 << 20, 1);
    let amd = layout.image("amd64", &[b"shared base".to_vec(), big.clone()], None);
    let arm = layout.image("arm64", &[b"shared base".to_vec(), noise(1 << 20, 2)], None);
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": amd.0, "size": amd.1, "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": OCI_MANIFEST, "digest": arm.0, "size": arm.1, "platform": {"architecture": "arm64", "os": "linux"}},
    ]});
    let index = layout.blob(index.to_string().as_bytes());
    layout.tag(OCI_INDEX, &index, "v1-multi");
    let single = layout.image("amd64", &[b"a small one".to_vec()], None);
    layout.tag(OCI_MANIFEST, &single, "v1-small");
    layout.tag(OCI_MANIFEST, &single, "other");
    let certs = dist.cert_dir();
    for tag in ["v1-multi", "v1-small", "other"] {
        skopeo(vec![
            "copy".into(),
            "--all".into(),
            "--preserve-digests".into(),
            "--dest-creds".into(),
            format!("{}:{}", ALICE.0, ALICE.1),
            "--dest-cert-dir".into(),
            certs.path().display().to_string(),
            format!("oci:{}:{tag}", layout.dir.display()),
            format!("docker://{}/lib/app:{tag}", dist.addr),
        ])
        .await;
    }

    let local = Server::start_with(MIRRORING).await;
    let relay = Relay::start(dist.addr).await;
    let out = admin_with_stdin(
        &local,
        &[
            "mirror",
            "create",
            "admin/dist",
            "--from",
            &format!("{}/lib/app", relay.addr),
            "--tags",
            "v1-*",
            "--arch",
            "amd64",
            "--username",
            ALICE.0,
            "--password-stdin",
            "--interval",
            "0",
        ],
        ALICE.1,
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The upstream's certificate is signed by a CA nobody trusts yet: the sync fails on it.
    assert!(admin(&local, &["mirror", "sync-now", "admin/dist"]).await.status.success());
    quay::registry::mirror::run_due(&local.app).await.unwrap();
    let shown = mirror_show(&local, "admin/dist").await;
    assert_eq!(shown["sync_status"], "FAIL", "{shown}");
    let kinds = log_kinds(&local).await;
    let failed = &kinds.iter().rev().find(|(k, _)| k == "repo_mirror_sync_failed").unwrap().1;
    assert!(failed["message"].as_str().unwrap().to_lowercase().contains("certificate"), "{failed}");

    // Trusted through extra_ca_certs/; the 3 MiB layer's transfer breaks after 1 MiB and resumes.
    std::fs::create_dir_all(local.dir.path().join("extra_ca_certs")).unwrap();
    std::fs::copy(&dist.ca, local.dir.path().join("extra_ca_certs/upstream-ca.crt")).unwrap();
    relay.cut_after.store(1 << 20, std::sync::atomic::Ordering::SeqCst);
    relay.relayed.store(0, std::sync::atomic::Ordering::SeqCst);
    assert!(admin(&local, &["mirror", "sync-now", "admin/dist"]).await.status.success());
    quay::registry::mirror::run_due(&local.app).await.unwrap();
    let shown = mirror_show(&local, "admin/dist").await;
    assert_eq!(shown["sync_status"], "SUCCESS", "{shown}");
    assert_eq!(relay.cuts.load(std::sync::atomic::Ordering::SeqCst), 1, "the relay broke one transfer");
    let relayed = relay.relayed.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        relayed < (3 << 20) + (512 << 10),
        "the broken layer continued where it stopped rather than starting over: {relayed} bytes relayed"
    );
    let progress = &shown["progress"];
    assert_eq!((progress["tags_done"].as_u64(), progress["tags_total"].as_u64()), (Some(2), Some(2)), "{shown}");
    assert!(progress["bytes"].as_u64().unwrap() >= 3 << 20, "the layer's bytes are counted: {progress}");
    assert!(progress["finished"].is_string());
    let token = local.token(Some(ADMIN), &["repository:admin/dist:pull"]).await;
    assert_eq!(served_digest(&local, &token, "admin/dist", "v1-multi").await, Some(index.0.clone()));
    assert_eq!(served_digest(&local, &token, "admin/dist", "v1-small").await, Some(single.0.clone()));
    assert_eq!(served_digest(&local, &token, "admin/dist", &arm.0).await, None, "arm64 is filtered out");
    assert_eq!(served_digest(&local, &token, "admin/dist", "other").await, None);
    let layer = local.req(Method::GET, &format!("/v2/admin/dist/blobs/{}", sha256(&big)), &token).send().await.unwrap();
    assert!(layer.bytes().await.unwrap() == big, "the resumed layer is whole");

    // A cancel while the sync waits on the upstream: it stops before its next tag and stays idle.
    let _ = relay.hold.send(true);
    assert!(admin(&local, &["mirror", "sync-now", "admin/dist"]).await.status.success());
    let app = local.app.clone();
    let sync = tokio::spawn(async move { quay::registry::mirror::run_due(&app).await.unwrap() });
    wait_until("the sync runs", || async { mirror_show(&local, "admin/dist").await["sync_status"] == "SYNCING" }).await;
    assert!(admin(&local, &["mirror", "cancel", "admin/dist"]).await.status.success());
    let _ = relay.hold.send(false);
    sync.await.unwrap();
    let shown = mirror_show(&local, "admin/dist").await;
    assert_eq!(shown["sync_status"], "CANCEL", "{shown}");
    assert_eq!(shown["sync_retries_remaining"], 0);
    assert_eq!(shown["sync_start_date"], Value::Null, "idle until the next sync-now");
    assert_eq!(
        served_digest(&local, &token, "admin/dist", "v1-small").await,
        Some(single.0.clone()),
        "a cancelled sync deletes nothing"
    );
}

#[tokio::test]
async fn two_nodes_on_postgresql_run_each_sync_once_and_take_over_a_sync_whose_node_died() {
    let upstream = Server::start().await;
    let up = upstream.push_token(ALICE, "alice/app").await;
    let mut digests = Vec::new();
    for tag in ["v1", "v2", "v3"] {
        digests.push(upstream.push_image(&up, "alice/app", tag, &noise(256 << 10, tag.as_bytes()[1])).await.1);
    }

    // Two servers on one PostgreSQL database and one storage folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        format!(
            "SERVER_HOSTNAME: placeholder:1\nPREFERRED_URL_SCHEME: http\nDB_URI: {}\n\
             DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {{storage_path: storage}}]\n\
             DISTRIBUTED_STORAGE_PREFERENCE: [default]\nSUPER_USERS: [admin]\n\
             WORKER_PERIOD_SECONDS: 1\nWORKER_LEASE_SECONDS: 2\n{MIRRORING}",
            postgres_database()
        ),
    )
    .unwrap();
    // The first node pauses after its first tag, as if it hung or died there.
    let mut first = Node::start(dir.path(), "mirror.tag-copied=pause", &[]).await;
    let db = {
        let loaded = quay::config::LoadedConfig::from_path(&dir.path().join("config.yaml")).unwrap();
        quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap()
    };
    create_users(dir.path()).await;
    wait_until("the first node runs the mirror job", || async {
        quay::db::queue::lease_holder(&db.read, "repo-mirror").await.unwrap().is_some()
    })
    .await;
    let second = Node::start(dir.path(), "", &[]).await;
    let admin = |args: &[&str], stdin: &str| {
        let mut all = vec!["admin", "--config", dir.path().to_str().unwrap()];
        all.extend_from_slice(args);
        let out = quay_output(&all, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    admin(
        &[
            "mirror",
            "create",
            "admin/app",
            "--from",
            &format!("{}/alice/app", upstream.host),
            "--tags",
            "v*",
            "--username",
            ALICE.0,
            "--password-stdin",
            "--no-tls-verify",
            "--interval",
            "0",
            "--disabled",
        ],
        ALICE.1,
    );
    admin(&["mirror", "sync-now", "admin/app"], "");
    first.proc.wait_for("quay test hook: mirror.tag-copied").await;
    let shown: Value = serde_json::from_str(&admin(&["--json", "mirror", "show", "admin/app"], "")).unwrap();
    assert_eq!(shown["sync_status"], "SYNCING");
    assert_eq!(shown["progress"]["tags_total"], 3, "{shown}");
    first.proc.kill();

    // The second node takes the job's lease over and finishes the sync the first one left.
    let status = || async {
        let shown: Value = serde_json::from_str(&admin(&["--json", "mirror", "show", "admin/app"], "")).unwrap();
        shown["sync_status"].as_str().unwrap().to_owned()
    };
    wait_until("the sync is taken over and finished", || async { status().await == "SUCCESS" }).await;
    let token = second.token(Some(ADMIN), &["repository:admin/app:pull"]).await;
    for (tag, digest) in ["v1", "v2", "v3"].iter().zip(&digests) {
        assert_eq!(served_digest(&second, &token, "admin/app", tag).await.as_ref(), Some(digest));
    }

    // With both nodes up again, one sync-now is one sync.
    let _again = Node::start(dir.path(), "", &[]).await;
    let started = |db: &quay::db::Db| {
        let db = db.read.clone();
        async move {
            use sea_orm::ConnectionTrait as _;
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    "SELECT COUNT(*) FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id \
                     WHERE k.name = 'repo_mirror_sync_started'",
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let before = started(&db).await;
    assert_eq!(before, 2, "the first node's start and the second node's takeover");
    admin(&["mirror", "sync-now", "admin/app"], "");
    wait_until("the requested sync ran", || async { status().await == "SUCCESS" && started(&db).await > before }).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(started(&db).await, before + 1, "one request, one sync, on one of the two nodes");
    db.close().await;
}

#[tokio::test]
async fn a_proxy_cache_organization_pulls_through_once_and_serves_its_cache_while_the_upstream_is_down() {
    let upstream = Server::start().await;
    let up = upstream.push_token(ALICE, "alice/app").await;
    let big = noise(2 << 20, 9);
    let config = br#"{"architecture":"amd64","os":"linux"}"#;
    let config_digest = upstream.push_blob(&up, "alice/app", config).await;
    let layer = upstream.push_blob(&up, "alice/app", &big).await;
    let manifest = image_manifest(&config_digest, config.len(), &[(&layer, big.len())], None);
    let resp = upstream.put_manifest(&up, "alice/app", "v1", OCI_MANIFEST, &manifest).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let v1 = sha256(manifest.as_bytes());
    let relay = Relay::start(upstream.host.parse().unwrap()).await;

    let local = Server::start_with(
        "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: ['127.0.0.0/8']\nDATABASE_SECRET_KEY: proxy-test-key\n",
    )
    .await;
    let admin_auth = Auth::Basic(ADMIN);
    let (status, _) = call(
        &local,
        Method::POST,
        "/api/v1/organization/",
        &admin_auth,
        Some(json!({"name": "cache", "email": "cache@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let path = "/api/v1/organization/cache/proxycache";
    let (status, body) = call(&local, Method::GET, path, &admin_auth, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"upstream_registry": "", "expiration_s": "", "insecure": ""})));
    let out = admin_with_stdin(
        &local,
        &[
            "proxycache",
            "set",
            "cache",
            "--upstream",
            &format!("{}/alice", relay.addr),
            "--insecure",
            "--username",
            ALICE.0,
            "--password-stdin",
        ],
        ALICE.1,
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (status, body) = call(&local, Method::GET, path, &admin_auth, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"upstream_registry": format!("{}/alice", relay.addr), "expiration_s": 86400, "insecure": true})
    );
    let (status, _) = call(
        &local,
        Method::POST,
        path,
        &admin_auth,
        Some(json!({"upstream_registry": format!("{}/alice", relay.addr)})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "one proxy cache per organization");

    // Bob is no member: nothing to pull.
    let bob = local.token(Some(BOB), &["repository:cache/app:pull"]).await;
    let resp = local.req(Method::GET, "/v2/cache/app/manifests/v1", &bob).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // A member's first pull fetches the manifest (and its configuration), not yet the layer.
    let token = local.token(Some(ADMIN), &["repository:cache/app:pull"]).await;
    relay.relayed.store(0, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(served_digest(&local, &token, "cache/app", "v1").await, Some(v1.clone()));
    assert!(relay.relayed.load(std::sync::atomic::Ordering::SeqCst) < 64 << 10, "the layer waits for its first GET");
    // 16 pulls of the layer at once: one download from upstream.
    relay.relayed.store(0, std::sync::atomic::Ordering::SeqCst);
    let pulls = (0..16).map(|_| async {
        let resp = local.req(Method::GET, &format!("/v2/cache/app/blobs/{layer}"), &token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.bytes().await.unwrap()
    });
    for body in futures_util::future::join_all(pulls).await {
        assert!(body == big, "every pull gets the whole layer");
    }
    let relayed = relay.relayed.load(std::sync::atomic::Ordering::SeqCst);
    assert!(relayed > big.len() as u64 && relayed < 2 * big.len() as u64, "one download: {relayed} bytes relayed");

    // The upstream stops: the cached tag and its layer are still served, and skopeo pulls them.
    upstream.stop().await;
    assert_eq!(served_digest(&local, &token, "cache/app", "v1").await, Some(v1.clone()));
    let work = tempfile::tempdir().unwrap();
    skopeo(vec![
        "copy".into(),
        "--src-tls-verify=false".into(),
        "--src-creds".into(),
        format!("{}:{}", ADMIN.0, ADMIN.1),
        format!("docker://{}/cache/app:v1", local.host),
        format!("dir:{}", work.path().display()),
    ])
    .await;
    assert!(std::fs::read(work.path().join(&layer[7..])).unwrap() == big);
    // Past its expiration (a day after its last pull), with the upstream gone, the tag is gone.
    local.time_passes(86400 + 60).await;
    assert_eq!(served_digest(&local, &token, "cache/app", "v1").await, None);

    // Validation reaches the upstream (gone now); removal keeps what was cached.
    let setting = json!({"upstream_registry": format!("{}/alice", relay.addr), "insecure": true});
    let (status, body) =
        call(&local, Method::POST, "/api/v1/organization/cache/validateproxycache", &admin_auth, Some(setting)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = call(&local, Method::DELETE, path, &admin_auth, None).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!("Deleted")));
    let (status, body) = call(&local, Method::GET, path, &admin_auth, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"upstream_registry": "", "expiration_s": "", "insecure": ""})));
    let (status, _) = call(&local, Method::DELETE, path, &admin_auth, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let blob = local.req(Method::GET, &format!("/v2/cache/app/blobs/{layer}"), &token).send().await.unwrap();
    assert!(blob.bytes().await.unwrap() == big, "the cached layer stays");
}

#[tokio::test]
async fn a_failed_tag_rolls_the_whole_sync_back_with_repo_mirror_rollback() {
    let upstream = Server::start().await;
    let up = upstream.push_token(ALICE, "alice/app").await;
    let (_, small) = upstream.push_image(&up, "alice/app", "v1", b"a small layer").await;
    upstream.push_image(&up, "alice/app", "v2", &noise(300 << 10, 3)).await;
    for rollback in [true, false] {
        // A quota that holds v1 but not v2: v2's layer is refused, so v2 fails.
        let local = Server::start_with(&format!(
            "{MIRRORING}FEATURE_QUOTA_MANAGEMENT: true\nREPO_MIRROR_ROLLBACK: {rollback}\n"
        ))
        .await;
        assert!(admin(&local, &["quota", "set", "admin", "--limit", "100K", "--reject", "100"]).await.status.success());
        let out = admin_with_stdin(
            &local,
            &[
                "mirror",
                "create",
                "admin/app",
                "--from",
                &format!("{}/alice/app", upstream.host),
                "--tags",
                "v*",
                "--username",
                ALICE.0,
                "--password-stdin",
                "--no-tls-verify",
                "--interval",
                "0",
            ],
            ALICE.1,
        )
        .await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        quay::registry::mirror::run_due(&local.app).await.unwrap();
        let shown = mirror_show(&local, "admin/app").await;
        assert_eq!(shown["sync_status"], "FAIL", "{shown}");
        let token = local.token(Some(ADMIN), &["repository:admin/app:pull"]).await;
        let v1 = served_digest(&local, &token, "admin/app", "v1").await;
        if rollback {
            assert_eq!(v1, None, "the sync's own change to v1 is undone");
        } else {
            assert_eq!(v1, Some(small.clone()), "only the failed tag stays as it was");
        }
        assert_eq!(served_digest(&local, &token, "admin/app", "v2").await, None);
        let kinds = log_kinds(&local).await;
        let failed = kinds.iter().find(|(k, _)| k == "repo_mirror_sync_tag_failed").expect("the failed tag is logged");
        assert_eq!(failed.1["tag"], "v2");
    }
}

#[tokio::test]
async fn two_nodes_download_a_cached_layer_once_between_them() {
    let upstream = Server::start().await;
    let up = upstream.push_token(ALICE, "alice/app").await;
    let big = noise(2 << 20, 11);
    let config = br#"{"architecture":"amd64","os":"linux"}"#;
    let config_digest = upstream.push_blob(&up, "alice/app", config).await;
    let layer = upstream.push_blob(&up, "alice/app", &big).await;
    let manifest = image_manifest(&config_digest, config.len(), &[(&layer, big.len())], None);
    assert_eq!(
        upstream.put_manifest(&up, "alice/app", "v1", OCI_MANIFEST, &manifest).await.status(),
        StatusCode::CREATED
    );
    let relay = Relay::start(upstream.host.parse().unwrap()).await;

    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: ['127.0.0.0/8']\nDATABASE_SECRET_KEY: two-node-proxy-key\n",
    );
    let first = Node::start(dir.path(), "", &["--no-workers"]).await;
    create_users(dir.path()).await;
    let second = Node::start(dir.path(), "", &["--no-workers"]).await;
    let api = |path: &str| first.url(path);
    let resp = first
        .client
        .post(api("/api/v1/organization/"))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .json(&json!({"name": "cache", "email": "cache@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = first
        .client
        .post(api("/api/v1/organization/cache/proxycache"))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .json(&json!({"upstream_registry": format!("{}/alice", relay.addr), "insecure": true,
                      "upstream_registry_username": ALICE.0, "upstream_registry_password": ALICE.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let tokens = [
        first.token(Some(ADMIN), &["repository:cache/app:pull"]).await,
        second.token(Some(ADMIN), &["repository:cache/app:pull"]).await,
    ];
    assert_eq!(served_digest(&first, &tokens[0], "cache/app", "v1").await, Some(sha256(manifest.as_bytes())));
    relay.relayed.store(0, std::sync::atomic::Ordering::SeqCst);
    let nodes = [&first.remote, &second.remote];
    let pulls = (0..8).map(|i| {
        let (node, token) = (nodes[i % 2], &tokens[i % 2]);
        let layer = layer.clone();
        async move {
            let resp = node.req(Method::GET, &format!("/v2/cache/app/blobs/{layer}"), token).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            resp.bytes().await.unwrap()
        }
    });
    for body in futures_util::future::join_all(pulls).await {
        assert!(body == big, "every pull, on either node, gets the whole layer");
    }
    let relayed = relay.relayed.load(std::sync::atomic::Ordering::SeqCst);
    assert!(relayed > big.len() as u64 && relayed < 2 * big.len() as u64, "one download between the nodes: {relayed}");
}

/// Pulls `repo:v1` through the cache, its layers too; the status of the manifest GET.
async fn pull_through(local: &Server, repo: &str) -> (StatusCode, String) {
    let token = local.token(Some(ADMIN), &[&format!("repository:{repo}:pull")]).await;
    let resp = local
        .req(Method::GET, &format!("/v2/{repo}/manifests/v1"), &token)
        .header("accept", OCI_MANIFEST)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    if status != StatusCode::OK {
        return (status, error_code(resp).await);
    }
    let manifest: Value = resp.json().await.unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        let digest = layer["digest"].as_str().unwrap();
        let resp = local.req(Method::GET, &format!("/v2/{repo}/blobs/{digest}"), &token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap().len() as u64, layer["size"].as_u64().unwrap());
    }
    (status, String::new())
}

#[tokio::test]
async fn a_proxy_cache_over_its_quota_evicts_the_tags_that_expire_soonest() {
    let upstream = Server::start().await;
    for (repo, size, seed) in [("one", 300_000, 1), ("two", 300_000, 2), ("three", 300_000, 3), ("huge", 900_000, 4)] {
        let path = format!("alice/{repo}");
        let token = upstream.push_token(ALICE, &path).await;
        upstream.push_image(&token, &path, "v1", &noise(size, seed)).await;
    }
    let local = Server::start_with(
        "FEATURE_PROXY_CACHE: true\nFEATURE_QUOTA_MANAGEMENT: true\nSSRF_ALLOWED_HOSTS: ['127.0.0.0/8']\n\
         DATABASE_SECRET_KEY: proxy-test-key\n",
    )
    .await;
    let (status, _) = call(
        &local,
        Method::POST,
        "/api/v1/organization/",
        &Auth::Basic(ADMIN),
        Some(json!({"name": "cache", "email": "cache@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let upstream_ref = format!("{}/alice", upstream.host);
    let args = [
        "proxycache",
        "set",
        "cache",
        "--upstream",
        &upstream_ref,
        "--insecure",
        "--username",
        ALICE.0,
        "--password-stdin",
    ];
    let out = admin_with_stdin(&local, &args, ALICE.1).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = admin(&local, &["quota", "set", "cache", "--limit", "700K", "--reject", "100"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    assert_eq!(pull_through(&local, "cache/one").await.0, StatusCode::OK);
    assert_eq!(pull_through(&local, "cache/two").await.0, StatusCode::OK);
    // A third image does not fit: the tag that expires soonest (the first pulled) makes room.
    assert_eq!(pull_through(&local, "cache/three").await.0, StatusCode::OK);
    let tags = |repo: &'static str| {
        let local = &local;
        async move {
            let token = local.token(Some(ADMIN), &[&format!("repository:{repo}:pull")]).await;
            let resp = local.req(Method::GET, &format!("/v2/{repo}/tags/list"), &token).send().await.unwrap();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            body["tags"].as_array().map(|a| a.len()).unwrap_or(0)
        }
    };
    assert_eq!((tags("cache/one").await, tags("cache/two").await, tags("cache/three").await), (0, 1, 1));
    let out = admin(&local, &["--json", "quota", "show", "cache"]).await;
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(shown["used_bytes"].as_i64().unwrap() <= 700 * 1024, "{shown}");
    // An image larger than the whole quota: everything evictable goes, and the pull is refused.
    assert_eq!(pull_through(&local, "cache/huge").await, (StatusCode::FORBIDDEN, "DENIED".to_owned()));
}
