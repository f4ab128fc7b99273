//! Garbage collection: each of Quay's rules, cascades, sharing across repositories, deleted
//! repositories, `quay gc --dry-run` and `quay fsck`, and GC racing pushes.

use std::time::Duration;

use quay::registry::gc::{self, GcReport};
use reqwest::{Method, StatusCode};

use crate::common::*;

async fn collect(s: &Server) -> GcReport {
    let report = gc::collect(&s.app, false).await.unwrap();
    assert_eq!(report.errors, 0, "{report:?}");
    report
}

async fn exec(s: &Server, sql: &str, values: Vec<sea_orm::Value>) {
    let db = s.db().await;
    let statement = quay::db::sql(db.backend(), sql, values);
    sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
    db.close().await;
}

async fn count(s: &Server, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let db = s.db().await;
    let statement = quay::db::sql(db.backend(), sql, values);
    let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, statement).await.unwrap().unwrap();
    let n: i64 = row.try_get_by_index(0).unwrap();
    db.close().await;
    n
}

/// Turns the namespace's time machine off (or to `seconds`).
async fn retention(s: &Server, namespace: &str, seconds: i64) {
    exec(
        s,
        "UPDATE \"user\" SET removed_tag_expiration_s = ? WHERE username = ?",
        vec![seconds.into(), namespace.into()],
    )
    .await;
}

fn object_exists(s: &Server, digest: &str) -> bool {
    let hex = &digest[7..];
    s.dir.path().join("storage/sha256").join(&hex[..2]).join(hex).exists()
}

async fn blob_row(s: &Server, digest: &str) -> bool {
    count(s, "SELECT COUNT(*) FROM imagestorage WHERE content_checksum = ?", vec![digest.into()]).await > 0
}

async fn manifest_rows(s: &Server, digest: &str) -> i64 {
    count(s, "SELECT COUNT(*) FROM manifest WHERE digest = ?", vec![digest.into()]).await
}

async fn delete_tag(s: &Server, token: &str, repo: &str, tag: &str) {
    let r = s.req(Method::DELETE, &format!("/v2/{repo}/manifests/{tag}"), token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.text().await.unwrap());
}

fn layer_of(manifest: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(manifest).unwrap();
    v["layers"][0]["digest"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn overwritten_tags_wait_out_the_time_machine_then_go_with_their_blobs() {
    // Pushed blobs are also kept by their upload link for PUSH_TEMP_TAG_EXPIRATION_SEC.
    let s = Server::start_with("PUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    let t = s.push_token(ALICE, "alice/tm").await;
    let (old, old_digest) = s.push_image(&t, "alice/tm", "v1", b"old layer").await;
    let (new, new_digest) = s.push_image(&t, "alice/tm", "v1", b"new layer").await;
    let old_layer = layer_of(&old);

    // Inside the window (two weeks by default) nothing goes: the old manifest stays restorable.
    let report = collect(&s).await;
    assert_eq!((report.manifests, report.blobs), (0, 0), "{report:?}");
    assert_eq!(manifest_rows(&s, &old_digest).await, 1);

    // Window closed: the old manifest and its own layer go, row and object; shared config stays.
    retention(&s, "alice", 0).await;
    s.time_passes(2).await;
    let report = collect(&s).await;
    assert_eq!((report.tags, report.manifests, report.blobs), (1, 1, 1), "{report:?}");
    assert!(report.bytes >= 9);
    assert_eq!(manifest_rows(&s, &old_digest).await, 0);
    assert!(!blob_row(&s, &old_layer).await);
    assert!(!object_exists(&s, &old_layer), "the collected blob's object is still stored");
    // What is alive is untouched and still served.
    assert_eq!(manifest_rows(&s, &new_digest).await, 1);
    let r = s.req(Method::GET, "/v2/alice/tm/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), new);
    let r = s.req(Method::GET, &format!("/v2/alice/tm/blobs/{}", layer_of(&new)), &t).send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"new layer");
    // A second pass finds nothing.
    let again = collect(&s).await;
    assert_eq!((again.tags, again.manifests, again.blobs), (0, 0, 0), "{again:?}");
}

#[tokio::test]
async fn pushed_by_digest_is_kept_for_the_temp_tag_window_and_unreferenced_uploads_expire() {
    let s = Server::start_with("PUSH_TEMP_TAG_EXPIRATION_SEC: 2\n").await;
    let t = s.push_token(ALICE, "alice/bydigest").await;
    let config = s.push_blob(&t, "alice/bydigest", br#"{"architecture":"amd64","os":"linux"}"#).await;
    let layer = s.push_blob(&t, "alice/bydigest", b"digest-only layer").await;
    let lonely = s.push_blob(&t, "alice/bydigest", b"a blob no manifest uses").await;
    let manifest = image_manifest(&config, 37, &[(&layer, 17)], None);
    let digest = sha256(manifest.as_bytes());
    let r = s.put_manifest(&t, "alice/bydigest", &digest, OCI_MANIFEST, &manifest).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    let report = collect(&s).await;
    assert_eq!((report.manifests, report.blobs), (0, 0), "{report:?}");
    let r = s.req(Method::GET, &format!("/v2/alice/bydigest/manifests/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    s.time_passes(3).await;
    let report = collect(&s).await;
    assert_eq!(report.manifests, 1, "{report:?}");
    assert_eq!(report.blobs, 3, "{report:?}");
    for d in [&config, &layer, &lonely] {
        assert!(!blob_row(&s, d).await && !object_exists(&s, d), "{d} survived");
    }
    let r = s.req(Method::GET, &format!("/v2/alice/bydigest/manifests/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_index_goes_with_its_children_and_blobs_shared_elsewhere_stay() {
    let s = Server::start_with("PUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    let t = s.push_token(ALICE, "alice/multi").await;
    let (amd, amd_digest) = s.push_image(&t, "alice/multi", "amd64", b"amd64 layer").await;
    let (arm, arm_digest) = s.push_image(&t, "alice/multi", "arm64", b"arm64 layer").await;
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{amd_digest}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}},{{"mediaType":"{OCI_MANIFEST}","digest":"{arm_digest}","size":{},"platform":{{"architecture":"arm64","os":"linux"}}}}]}}"#,
        amd.len(),
        arm.len()
    );
    let index_digest = sha256(index.as_bytes());
    assert_eq!(s.put_manifest(&t, "alice/multi", "latest", OCI_INDEX, &index).await.status(), StatusCode::CREATED);
    // The children lose their own tags: the index keeps them.
    delete_tag(&s, &t, "alice/multi", "amd64").await;
    delete_tag(&s, &t, "alice/multi", "arm64").await;
    // The same arm64 layer is also in an image of bob's.
    let tb = s.token(Some(BOB), &["repository:bob/copy:pull,push"]).await;
    let arm_layer = layer_of(&arm);
    let (bobs, _) = s.push_image(&tb, "bob/copy", "v1", b"arm64 layer").await;
    assert_eq!(layer_of(&bobs), arm_layer);
    retention(&s, "alice", 0).await;
    s.time_passes(2).await;

    let report = collect(&s).await;
    assert_eq!(report.manifests, 0, "children of a tagged index stay: {report:?}");
    assert_eq!(manifest_rows(&s, &amd_digest).await, 1);

    delete_tag(&s, &t, "alice/multi", "latest").await;
    let report = collect(&s).await;
    assert_eq!(report.manifests, 3, "index then both children: {report:?}");
    for d in [&index_digest, &amd_digest] {
        assert_eq!(manifest_rows(&s, d).await, 0);
    }
    // bob's image is byte for byte alice's arm64 manifest: only bob's row remains.
    let in_alices = "SELECT COUNT(*) FROM manifest m JOIN repository r ON r.id = m.repository_id \
                     WHERE m.digest = ? AND r.name = 'multi'";
    assert_eq!(count(&s, in_alices, vec![arm_digest.as_str().into()]).await, 0);
    assert_eq!(manifest_rows(&s, &arm_digest).await, 1);
    let amd_layer = layer_of(&amd);
    assert!(!blob_row(&s, &amd_layer).await && !object_exists(&s, &amd_layer));
    // Still in bob's image: row and object stay, and bob can pull it.
    assert!(blob_row(&s, &arm_layer).await && object_exists(&s, &arm_layer));
    let r = s.req(Method::GET, &format!("/v2/bob/copy/blobs/{arm_layer}"), &tb).send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"arm64 layer");
}

#[tokio::test]
async fn referrers_live_as_long_as_their_subject() {
    let s = Server::start_with("PUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    let t = s.push_token(ALICE, "alice/signed").await;
    let (_, subject) = s.push_image(&t, "alice/signed", "v1", b"signed layer").await;
    let empty = s.push_blob(&t, "alice/signed", b"{}").await;
    let sig = s.push_blob(&t, "alice/signed", b"a signature").await;
    let referrer = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/vnd.example.sig","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2}},"layers":[{{"mediaType":"application/octet-stream","digest":"{sig}","size":11}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{subject}","size":1}}}}"#
    );
    let referrer_digest = sha256(referrer.as_bytes());
    let r = s.put_manifest(&t, "alice/signed", &referrer_digest, OCI_MANIFEST, &referrer).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    retention(&s, "alice", 0).await;
    s.time_passes(2).await;

    // The subject is tagged: the referrer stays (past the temp-tag window), listed as ever.
    let report = collect(&s).await;
    assert_eq!(report.manifests, 0, "{report:?}");
    let r = s.req(Method::GET, &format!("/v2/alice/signed/referrers/{subject}"), &t).send().await.unwrap();
    assert!(r.text().await.unwrap().contains(&referrer_digest));

    // The subject goes, and its referrer with it.
    delete_tag(&s, &t, "alice/signed", "v1").await;
    let report = collect(&s).await;
    assert_eq!(report.manifests, 2, "{report:?}");
    assert_eq!(manifest_rows(&s, &referrer_digest).await, 0);
    assert!(!object_exists(&s, &sig));
}

#[tokio::test]
async fn a_deleted_repository_is_purged_through_the_queue() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/doomed").await;
    let (manifest, _) = s.push_image(&t, "alice/doomed", "v1", b"doomed layer").await;
    let start = s.req(Method::POST, "/v2/alice/doomed/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = s.req(Method::PATCH, &location, &t).body(vec![9u8; 1000]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let upload = location.rsplit('/').next().unwrap().to_owned();
    // The command below blocks this test's only thread: let the server's log writer finish first.
    s.app.audit.flush().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--config", s.dir.path().to_str().unwrap(), "repo", "delete", "alice/doomed"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM queueitem WHERE queue_name = 'repositorygc/alice/'", vec![]).await, 1);

    let report = collect(&s).await;
    assert_eq!(report.deleted_repositories, 1, "{report:?}");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM repository", vec![]).await, 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM deletedrepository", vec![]).await, 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM queueitem WHERE queue_name LIKE 'repositorygc/%'", vec![]).await, 0);
    let layer = layer_of(&manifest);
    assert!(!blob_row(&s, &layer).await && !object_exists(&s, &layer));
    assert!(!s.dir.path().join("storage/uploads").join(&upload).exists(), "the open upload's chunks are left");
    // The name is free again.
    let t = s.push_token(ALICE, "alice/doomed").await;
    s.push_image(&t, "alice/doomed", "v1", b"reborn").await;
}

/// Deleting an organization hides it at once (its robots cannot log in, its repositories cannot
/// be pulled, its name is taken) and the next collection purges it through Quay's `namespacegc`
/// queue; content it shared with another namespace stays.
#[tokio::test]
async fn a_deleted_organization_is_purged_through_the_queue() {
    let s = Server::start_with("DATABASE_SECRET_KEY: gc-test-key\n").await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    crate::setup::create_team(&s.app, "acme", "builders", "member").await.unwrap();
    crate::setup::add_member(&s.app, "acme", "builders", "bob").await.unwrap();
    let (robot, robot_token) =
        crate::setup::create_robot(&s.app, s.app.secrets.as_ref(), "acme", "ci", "pushes").await.unwrap();
    secret(&robot_token);
    let t = s.push_token(ALICE, "acme/app").await;
    let (manifest, _) = s.push_image(&t, "acme/app", "v1", b"acme only").await;
    crate::setup::grant(&s.app, "acme/app", crate::setup::Grantee::User(&robot), "write").await.unwrap();
    crate::setup::grant(&s.app, "acme/app", crate::setup::Grantee::Team("builders"), "read").await.unwrap();
    let start = s.req(Method::POST, "/v2/acme/app/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = s.req(Method::PATCH, &location, &t).body(vec![7u8; 100]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let upload = location.rsplit('/').next().unwrap().to_owned();
    let shared_layer = b"shared between namespaces";
    let (shared, _) = s.push_image(&t, "acme/app", "shared", shared_layer).await;
    let keep = s.push_token(ALICE, "alice/keep").await;
    s.push_image(&keep, "alice/keep", "v1", shared_layer).await;

    s.app.audit.flush().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--config", s.dir.path().to_str().unwrap(), "org", "delete", "acme"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Gone at once for every client.
    let robot_login = s.client.get(s.url("/v2/auth")).basic_auth(&robot, Some(&robot_token)).send().await.unwrap();
    assert_eq!(robot_login.status(), StatusCode::UNAUTHORIZED);
    let t = s.token(Some(ALICE), &["repository:acme/app:pull"]).await;
    let r = s.req(Method::GET, "/v2/acme/app/manifests/v1", &t).send().await.unwrap();
    // The name leads nowhere: the token grants nothing on it.
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(matches!(
        crate::setup::create_org(&s.app, "acme", None).await,
        Err(crate::setup::IdentityError::Exists(_))
    ));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM queueitem WHERE queue_name LIKE 'namespacegc/%'", vec![]).await, 1);
    let kind = "(SELECT id FROM logentrykind WHERE name = 'org_delete')";
    assert_eq!(count(&s, &format!("SELECT COUNT(*) FROM logentry3 WHERE kind_id = {kind}"), vec![]).await, 1);

    let dry = gc::collect(&s.app, true).await.unwrap();
    assert_eq!(dry.deleted_namespaces, 1, "{dry:?}");
    let report = collect(&s).await;
    assert_eq!(report.deleted_namespaces, 1, "{report:?}");
    assert_eq!(report.deleted_repositories, 1, "{report:?}");
    for (sql, expected) in [
        ("SELECT COUNT(*) FROM \"user\" WHERE organization = true OR robot = true", 0),
        ("SELECT COUNT(*) FROM team", 0),
        ("SELECT COUNT(*) FROM teammember", 0),
        ("SELECT COUNT(*) FROM repositorypermission", 0),
        ("SELECT COUNT(*) FROM deletednamespace", 0),
        ("SELECT COUNT(*) FROM queueitem WHERE queue_name LIKE 'namespacegc/%'", 0),
        ("SELECT COUNT(*) FROM repository", 1),
        ("SELECT COUNT(*) FROM \"user\" WHERE username IN ('alice', 'bob')", 2),
    ] {
        assert_eq!(count(&s, sql, vec![]).await, expected, "{sql}");
    }
    let layer = layer_of(&manifest);
    assert!(!blob_row(&s, &layer).await && !object_exists(&s, &layer), "the organization's own layer stays");
    let shared = layer_of(&shared);
    assert!(blob_row(&s, &shared).await && object_exists(&s, &shared), "a layer alice still uses went");
    assert!(!s.dir.path().join("storage/uploads").join(&upload).exists(), "the open upload's chunks are left");
    // The name is free again, and nothing of the old organization comes back with it.
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    let t = s.token(Some(ALICE), &["repository:acme/app:pull"]).await;
    let r = s.req(Method::GET, "/v2/acme/app/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(r).await, "NAME_UNKNOWN");
}

/// A deleted user waits out NAMESPACE_GC_GRACE_PERIOD_SECONDS before it is purged.
#[tokio::test]
async fn a_deleted_user_waits_out_the_grace_period() {
    let s = Server::start_with("NAMESPACE_GC_GRACE_PERIOD_SECONDS: 3600\n").await;
    let t = s.push_token(BOB, "bob/app").await;
    s.push_image(&t, "bob/app", "v1", b"bob's layer").await;
    crate::setup::delete_namespace(&s.app, "bob", s.app.config.namespace_gc_grace()).await.unwrap();
    let r = s.client.get(s.url("/v2/auth")).basic_auth(BOB.0, Some(BOB.1)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a deleted user still logs in");
    let report = collect(&s).await;
    assert_eq!(report.deleted_namespaces, 0, "{report:?}");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM repository", vec![]).await, 1);
    // Once the grace period is over, it goes.
    exec(
        &s,
        "UPDATE queueitem SET available_after = ? WHERE queue_name LIKE 'namespacegc/%'",
        vec![(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1)).into()],
    )
    .await;
    let report = collect(&s).await;
    assert_eq!(report.deleted_namespaces, 1, "{report:?}");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM repository", vec![]).await, 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM \"user\" WHERE enabled = false", vec![]).await, 0);
}

#[tokio::test]
async fn dry_run_changes_nothing_and_fsck_reports_damage() {
    let s = Server::start_with("PUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    let t = s.push_token(ALICE, "alice/checked").await;
    let (old, _) = s.push_image(&t, "alice/checked", "v1", b"first").await;
    let (new, _) = s.push_image(&t, "alice/checked", "v1", b"second").await;
    retention(&s, "alice", 0).await;
    s.time_passes(2).await;
    let quay = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_quay"));
        command.args(args).arg("--config").arg(s.dir.path()).arg("--json");
        command.output().unwrap()
    };
    // These commands block this test's only thread: let the server's log writer finish first.
    s.app.audit.flush().await;
    let out = quay(&["gc", "--dry-run"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["manifests"].as_u64(), report["blobs"].as_u64()), (Some(1), Some(1)), "{report}");
    assert!(report["bytes"].as_u64().unwrap() >= 5);
    assert!(object_exists(&s, &layer_of(&old)), "a dry run removed something");

    // fsck: clean; then a lost object, a damaged one and a stray file are reported.
    let out = quay(&["fsck"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let new_layer = layer_of(&new);
    let hex = &new_layer[7..];
    std::fs::write(s.dir.path().join("storage/sha256").join(&hex[..2]).join(hex), b"SECOND").unwrap();
    let old_layer = layer_of(&old);
    std::fs::remove_file(s.dir.path().join("storage/sha256").join(&old_layer[7..9]).join(&old_layer[7..])).unwrap();
    let stray = format!("{:064x}", 7);
    std::fs::create_dir_all(s.dir.path().join("storage/sha256/00")).unwrap();
    std::fs::write(s.dir.path().join("storage/sha256/00").join(&stray), b"stray").unwrap();
    let out = quay(&["fsck", "--verify"]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["missing"], serde_json::json!([old_layer]), "{report}");
    assert_eq!(report["corrupt"], serde_json::json!([new_layer]), "{report}");
    assert_eq!(report["orphans"], serde_json::json!([format!("sha256:{stray}")]), "{report}");
    // The damaged blob names the repository that uses it.
    assert_eq!(report["damaged_in"][&new_layer], serde_json::json!(["alice/checked"]), "{report}");

    // --fix removes orphans past the grace period only: a young one may be an upload finishing.
    let young = format!("{:064x}", 8);
    std::fs::write(s.dir.path().join("storage/sha256/00").join(&young), b"young").unwrap();
    let aged = std::process::Command::new("touch")
        .args(["-d", "2 hours ago"])
        .arg(s.dir.path().join("storage/sha256/00").join(&stray))
        .status()
        .unwrap();
    assert!(aged.success());
    let out = quay(&["fsck", "--fix"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["orphans_removed"].as_u64(), report["orphans_kept_recent"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    assert!(!s.dir.path().join("storage/sha256/00").join(&stray).exists());
    assert!(s.dir.path().join("storage/sha256/00").join(&young).exists());
}

/// Two `quay serve` processes take pushes, tag moves and deletes in two repositories sharing
/// layers, while two loops of `quay gc` processes collect, for QUAY_TEST_RACE_SECONDS (30 by
/// default), all on one data dir (or one PostgreSQL database). Afterwards every tag's manifest
/// and blobs are readable byte for byte, and after a final collection `quay fsck --verify` finds
/// nothing missing, damaged or orphaned.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gc_processes_racing_pushes_never_lose_a_referenced_blob() {
    let seconds = std::env::var("QUAY_TEST_RACE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "PUSH_TEMP_TAG_EXPIRATION_SEC: 0\n");
    create_users(dir.path()).await;
    let config = dir.path().to_str().unwrap().to_owned();
    let nodes =
        [Node::start(dir.path(), "", &["--no-workers"]).await, Node::start(dir.path(), "", &["--no-workers"]).await];
    {
        let db = quay::db::Db::open(
            &quay::config::LoadedConfig::from_path(&dir.path().join("config.yaml")).unwrap().config.database().unwrap(),
            "default",
        )
        .await
        .unwrap();
        let statement = quay::db::sql(
            db.backend(),
            "UPDATE \"user\" SET removed_tag_expiration_s = 0 WHERE username = 'alice'",
            [],
        );
        sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
        db.close().await;
    }
    let repos = ["alice/race", "alice/race2"];
    let scopes = ["repository:alice/race:pull,push", "repository:alice/race2:pull,push"];
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let collectors: Vec<_> = (0..2)
        .map(|_| {
            let (stop, config) = (stop.clone(), config.clone());
            tokio::task::spawn_blocking(move || {
                let mut passes = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let out = quay_output(&["gc", "--config", &config, "--json"], "");
                    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
                    assert!(out.status.success(), "gc: {report} {}", String::from_utf8_lossy(&out.stderr));
                    assert_eq!(report["errors"], 0, "{report}");
                    passes += 1;
                }
                passes
            })
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    let mut pushers = Vec::new();
    for worker in 0..4u32 {
        let node = &nodes[worker as usize % 2];
        let (base, t) = (node.base.clone(), node.token(Some(ALICE), &scopes).await);
        let repo = repos[worker as usize / 2];
        pushers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0u32;
            while std::time::Instant::now() < deadline {
                // Layers shared between workers, repositories and rounds, so GC and pushes meet
                // on the same blobs.
                let layer = format!("shared layer {}", n % 4).into_bytes();
                let tag = format!("w{worker}-{}", n % 3);
                if push_image_raw(&client, &base, &t, repo, &tag, &layer, n).await {
                    n += 1;
                }
                if n % 5 == 4 {
                    let url = format!("{base}/v2/{repo}/manifests/{tag}");
                    let r = client.delete(url).bearer_auth(&t).send().await.unwrap();
                    assert!(matches!(r.status().as_u16(), 202 | 404 | 503), "delete: {}", r.status());
                }
            }
            n
        }));
    }
    let mut pushed = 0;
    for p in pushers {
        pushed += p.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut passes = 0;
    for c in collectors {
        passes += c.await.unwrap();
    }
    assert!(pushed > 10 && passes > 3, "pushed {pushed}, passes {passes}");

    // Every tag's manifest and blobs are there, byte for byte.
    let node = &nodes[0];
    let t = node.token(Some(ALICE), &scopes).await;
    for repo in repos {
        let tags: serde_json::Value = node
            .req(Method::GET, &format!("/v2/{repo}/tags/list?n=1000"), &t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for tag in tags["tags"].as_array().unwrap() {
            let tag = tag.as_str().unwrap();
            let r = node.req(Method::GET, &format!("/v2/{repo}/manifests/{tag}"), &t).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{tag}");
            let manifest: serde_json::Value = r.json().await.unwrap();
            let mut digests = vec![manifest["config"]["digest"].as_str().unwrap().to_owned()];
            digests.extend(
                manifest["layers"].as_array().unwrap().iter().map(|l| l["digest"].as_str().unwrap().to_owned()),
            );
            for d in digests {
                let body = node.req(Method::GET, &format!("/v2/{repo}/blobs/{d}"), &t).send().await.unwrap();
                assert_eq!(body.status(), StatusCode::OK, "{repo}:{tag}: {d}");
                assert_eq!(sha256(&body.bytes().await.unwrap()), d);
            }
        }
    }
    // A final pass, then storage and database agree: nothing missing, nothing orphaned.
    drop(nodes);
    quay_ok(&["gc", "--config", &config]);
    let out = quay_output(&["fsck", "--config", &config, "--verify", "--json"], "");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{report}");
    for key in ["missing", "corrupt", "orphans"] {
        assert_eq!(report[key], serde_json::json!([]), "{report}");
    }
}

/// One image push over HTTP; false when the registry asked for a retry (a blob collected mid-push).
async fn push_image_raw(
    client: &reqwest::Client,
    base: &str,
    t: &str,
    repo: &str,
    tag: &str,
    layer: &[u8],
    n: u32,
) -> bool {
    let config = format!(r#"{{"architecture":"amd64","os":"linux","n":{}}}"#, n % 2).into_bytes();
    let mut digests = Vec::new();
    for blob in [&config[..], layer] {
        let digest = sha256(blob);
        let r = client
            .post(format!("{base}/v2/{repo}/blobs/uploads/?digest={digest}"))
            .bearer_auth(t)
            .body(blob.to_vec())
            .send()
            .await
            .unwrap();
        if r.status() != StatusCode::CREATED {
            // Its bytes were collected while the upload finished, or the database asked for a retry.
            let status = r.status();
            let code = error_code(r).await;
            assert!(
                matches!((status.as_u16(), code.as_str()), (400, "BLOB_UPLOAD_INVALID") | (503, "UNAVAILABLE")),
                "blob push: {status} {code}"
            );
            return false;
        }
        digests.push((digest, blob.len()));
    }
    let manifest = image_manifest(&digests[0].0, digests[0].1, &[(&digests[1].0, digests[1].1)], None);
    let r = client
        .put(format!("{base}/v2/{repo}/manifests/{tag}"))
        .bearer_auth(t)
        .header("content-type", OCI_MANIFEST)
        .body(manifest)
        .send()
        .await
        .unwrap();
    if r.status() == StatusCode::CREATED {
        return true;
    }
    // A blob was collected since it was pushed, or the database asked for a retry.
    let status = r.status();
    let code = error_code(r).await;
    assert!(
        matches!((status.as_u16(), code.as_str()), (400, "MANIFEST_BLOB_UNKNOWN") | (503, "UNAVAILABLE")),
        "manifest push: {status} {code}"
    );
    false
}

/// `quay.expires-after` in the image's labels makes the pushed tag expire on time; then it is a
/// tag in the time machine like any other, collected once the window closes.
#[tokio::test]
async fn tags_with_quay_expires_after_expire_on_time() {
    let s = Server::start_with("PUSH_TEMP_TAG_EXPIRATION_SEC: 1\n").await;
    let t = s.push_token(ALICE, "alice/short").await;
    let config = br#"{"architecture":"amd64","os":"linux","config":{"Labels":{"quay.expires-after":"2s"}}}"#;
    let config_digest = s.push_blob(&t, "alice/short", config).await;
    let layer = s.push_blob(&t, "alice/short", b"short-lived layer").await;
    let manifest = image_manifest(&config_digest, config.len(), &[(&layer, 17)], None);
    let before = quay::util::now_ms();
    assert_eq!(s.put_manifest(&t, "alice/short", "tmp", OCI_MANIFEST, &manifest).await.status(), StatusCode::CREATED);
    let after = quay::util::now_ms();
    let end = count(&s, "SELECT lifetime_end_ms FROM tag WHERE name = 'tmp'", vec![]).await;
    assert!((before + 2000..=after + 2000).contains(&end), "the tag ends at {end}, pushed {before}..{after}");
    // A label Quay cannot read is ignored: that tag never expires.
    let bad = br#"{"architecture":"amd64","os":"linux","config":{"Labels":{"quay.expires-after":"soon"}}}"#;
    let bad_digest = s.push_blob(&t, "alice/short", bad).await;
    let kept = image_manifest(&bad_digest, bad.len(), &[(&layer, 17)], None);
    assert_eq!(s.put_manifest(&t, "alice/short", "kept", OCI_MANIFEST, &kept).await.status(), StatusCode::CREATED);

    let tags = |s: &Server, t: String| {
        let r = s.req(Method::GET, "/v2/alice/short/tags/list", &t).send();
        async move { r.await.unwrap().json::<serde_json::Value>().await.unwrap()["tags"].clone() }
    };
    assert_eq!(tags(&s, t.clone()).await, serde_json::json!(["kept", "tmp"]));
    s.time_passes(3).await;
    assert_eq!(tags(&s, t.clone()).await, serde_json::json!(["kept"]));
    let r = s.req(Method::GET, "/v2/alice/short/manifests/tmp", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    retention(&s, "alice", 0).await;
    let report = collect(&s).await;
    assert_eq!((report.tags, report.manifests), (1, 1), "{report:?}");
    assert!(!blob_row(&s, &config_digest).await);
    assert!(blob_row(&s, &layer).await, "the layer is still in the kept image");
}

/// Inside the time machine a moved or deleted tag can be restored; once collected, it cannot.
#[tokio::test]
async fn deleted_and_moved_tags_are_restored_inside_the_window() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/undo").await;
    let (first, first_digest) = s.push_image(&t, "alice/undo", "v1", b"first").await;
    let (_, second_digest) = s.push_image(&t, "alice/undo", "v1", b"second").await;
    let restore = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
            .args([
                "admin",
                "--config",
                s.dir.path().to_str().unwrap(),
                "--json",
                "repo",
                "restore-tag",
                "alice/undo",
                "v1",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let get = |s: &Server, t: String| {
        let r = s.req(Method::GET, "/v2/alice/undo/manifests/v1", &t).send();
        async move { r.await.unwrap() }
    };
    // Moved: back to the first image. (Each command blocks this test's only thread: the server's
    // log writer is flushed first so that it holds no write transaction meanwhile.)
    s.app.audit.flush().await;
    let out = restore(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["manifest_digest"], first_digest.as_str());
    assert_eq!(get(&s, t.clone()).await.text().await.unwrap(), first);
    // Deleted: restored explicitly onto the second image.
    delete_tag(&s, &t, "alice/undo", "v1").await;
    assert_eq!(get(&s, t.clone()).await.status(), StatusCode::NOT_FOUND);
    s.app.audit.flush().await;
    assert!(restore(&["--digest", &second_digest]).status.success());
    assert_eq!(get(&s, t.clone()).await.headers()["docker-content-digest"], second_digest.as_str());
    // A collection inside the window keeps everything restorable.
    collect(&s).await;
    assert_eq!(manifest_rows(&s, &first_digest).await, 1);
    // Once the window has closed and the manifest was collected, restoring it fails cleanly.
    retention(&s, "alice", 0).await;
    exec(&s, "UPDATE uploadedblob SET expires_at = ?", vec![chrono::Utc::now().naive_utc().into()]).await;
    delete_tag(&s, &t, "alice/undo", "v1").await;
    collect(&s).await;
    assert_eq!(manifest_rows(&s, &first_digest).await, 0);
    s.app.audit.flush().await;
    let out = restore(&["--digest", &first_digest]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("time machine"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tag WHERE reversion = ?", vec![true.into()]).await, 0);
}

/// A blob deleted through the API that nothing else references loses its row at once and its
/// object with the next collection.
#[tokio::test]
async fn a_deleted_blob_goes_from_storage_with_the_next_collection() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/del").await;
    let digest = s.push_blob(&t, "alice/del", b"delete me").await;
    let r = s.req(Method::DELETE, &format!("/v2/alice/del/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert!(!blob_row(&s, &digest).await);
    assert!(object_exists(&s, &digest));
    let report = collect(&s).await;
    assert_eq!(report.objects, 1, "{report:?}");
    assert!(!object_exists(&s, &digest));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM queueitem WHERE queue_name LIKE 'quay-blobdelete/%'", vec![]).await, 0);
}

/// A manifest whose layer was deleted through the API is not restored onto a tag.
#[tokio::test]
async fn a_manifest_missing_a_blob_is_not_restored() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/broken").await;
    let (old, old_digest) = s.push_image(&t, "alice/broken", "v1", b"old layer").await;
    s.push_image(&t, "alice/broken", "v1", b"new layer").await;
    let layer = layer_of(&old);
    let r = s.req(Method::DELETE, &format!("/v2/alice/broken/blobs/{layer}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    s.app.audit.flush().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--config", s.dir.path().to_str().unwrap(), "repo", "restore-tag", "alice/broken", "v1"])
        .args(["--digest", &old_digest])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&layer) && stderr.contains("cannot be restored"), "{stderr}");
}
