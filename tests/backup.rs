//! `quay backup` while pushes run and `quay restore` into an empty data dir: every tag of the
//! restored registry pulls byte-identical to the original; a damaged archive or a used data dir is
//! refused before anything appears.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

/// The manifest of `repo:tag` and the bytes of every blob it names, as served.
async fn pull(s: &Server, token: &str, repo: &str, tag: &str) -> (String, Vec<Vec<u8>>) {
    let r = s.req(Method::GET, &format!("/v2/{repo}/manifests/{tag}"), token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{repo}:{tag}");
    let manifest = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&manifest).unwrap();
    let mut digests = vec![v["config"]["digest"].as_str().unwrap().to_owned()];
    digests.extend(v["layers"].as_array().unwrap().iter().map(|l| l["digest"].as_str().unwrap().to_owned()));
    let mut blobs = Vec::new();
    for d in digests {
        let r = s.req(Method::GET, &format!("/v2/{repo}/blobs/{d}"), token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{repo}:{tag} {d}");
        blobs.push(r.bytes().await.unwrap().to_vec());
    }
    (manifest, blobs)
}

async fn tags(s: &Server, token: &str, repo: &str) -> Vec<String> {
    let r = s.req(Method::GET, &format!("/v2/{repo}/tags/list"), token).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    v["tags"].as_array().map(|t| t.iter().map(|t| t.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_backup_taken_while_pushes_run_restores_every_tag_byte_identical() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    for i in 0..5 {
        s.push_image(&t, "alice/app", &format!("before-{i}"), format!("layer before {i}").as_bytes()).await;
    }
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("quay.tar");
    let config = s.dir.path().to_str().unwrap().to_owned();

    // Pushes go on while the backup runs.
    let backup = tokio::task::spawn_blocking({
        let (config, archive) = (config.clone(), archive.to_str().unwrap().to_owned());
        move || quay_output(&["backup", "--config", &config, "--to", &archive], "")
    });
    let mut during = 0;
    while !backup.is_finished() {
        s.push_image(&t, "alice/app", &format!("during-{during}"), format!("layer during {during}").as_bytes()).await;
        during += 1;
    }
    let out = backup.await.unwrap();
    assert!(during > 0, "no push ran during the backup");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("backed up to "),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&archive).unwrap().permissions().mode() & 0o777, 0o600);
    // A backup never overwrites a file.
    let again = quay_output(&["backup", "--config", &config, "--to", archive.to_str().unwrap()], "");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists"));

    // Restored into a new data dir and served: every tag it has pulls as the original serves it.
    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().to_str().unwrap().to_owned();
    let text = quay_ok(&["restore", "--from", archive.to_str().unwrap(), "--data-dir", &target]);
    assert!(text.contains("every checksum verified"), "{text}");
    // The backup's hold on garbage collection did not travel with it: GC runs at once.
    let gc = quay_output(&["gc", "--data-dir", &target], "");
    let err = String::from_utf8_lossy(&gc.stderr);
    assert!(gc.status.success() && !err.contains("waiting for the job"), "{err}");
    let r = Server::start_in(restored).await;
    let rt = r.push_token(ALICE, "alice/app").await;
    let restored_tags = tags(&r, &rt, "alice/app").await;
    for i in 0..5 {
        assert!(restored_tags.contains(&format!("before-{i}")), "{restored_tags:?}");
    }
    for tag in &restored_tags {
        assert_eq!(pull(&r, &rt, "alice/app", tag).await, pull(&s, &t, "alice/app", tag).await, "{tag}");
    }

    // Into a used data dir: refused, nothing changed.
    let out = quay_output(&["restore", "--from", archive.to_str().unwrap(), "--data-dir", &config], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"), "{}", String::from_utf8_lossy(&out.stderr));

    // A damaged archive (one byte of a blob changed): refused naming the blob, no data dir made.
    let mut bytes = std::fs::read(&archive).unwrap();
    let needle = b"layer before 3";
    let at = bytes.windows(needle.len()).position(|w| w == needle).unwrap();
    bytes[at] ^= 0x20;
    let damaged = work.path().join("damaged.tar");
    std::fs::write(&damaged, &bytes).unwrap();
    let target = work.path().join("from-damaged");
    let out =
        quay_output(&["restore", "--from", damaged.to_str().unwrap(), "--data-dir", target.to_str().unwrap()], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&sha256(b"layer before 3")[7..]) && err.contains("damaged"), "{err}");
    assert!(!target.exists());
    assert!(
        std::fs::read_dir(work.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".quay-restore"))
    );
}

/// A PostgreSQL install: its tables in one snapshot while it serves, restored into an empty
/// database; an install on object storage: the blobs stay in the bucket, the backup lists them.
#[tokio::test]
async fn postgresql_and_object_storage_installs_back_up_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    let config = dir.path().join("config.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let db = postgres_database();
    let text: Vec<String> =
        text.lines().map(|l| if l.starts_with("DB_URI:") { format!("DB_URI: {db}") } else { l.to_owned() }).collect();
    std::fs::write(&config, text.join("\n")).unwrap();
    create_users(dir.path()).await;
    let s = Server::start_in(dir).await;
    let t = s.push_token(ALICE, "alice/app").await;
    for i in 0..3 {
        s.push_image(&t, "alice/app", &format!("v{i}"), format!("pg layer {i}").as_bytes()).await;
    }
    let before: Vec<_> = futures_pull(&s, &t, 3).await;
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("pg.tar");
    let config = s.dir.path().to_str().unwrap().to_owned();
    let out = quay_output(&["backup", "--config", &config, "--to", archive.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    s.stop().await;

    let empty = postgres_database();
    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().to_str().unwrap().to_owned();
    let text = quay_ok(&["restore", "--from", archive.to_str().unwrap(), "--data-dir", &target, "--to", &empty]);
    assert!(text.contains("every checksum verified"), "{text}");
    assert!(std::fs::read_to_string(restored.path().join("config.yaml")).unwrap().contains(&empty));
    let r = Server::start_in(restored).await;
    let t = r.push_token(ALICE, "alice/app").await;
    assert_eq!(futures_pull(&r, &t, 3).await, before);
    r.push_image(&t, "alice/app", "after", b"pg layer after").await;
    // Into a database that holds tables: refused, nothing appears.
    let again = work.path().join("again");
    let out = quay_output(
        &["restore", "--from", archive.to_str().unwrap(), "--data-dir", again.to_str().unwrap(), "--to", &empty],
        "",
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("already holds"));
    assert!(!again.exists());

    // Object storage: the backup lists the digests; restored, the registry serves from the bucket.
    let s = Server::start_with(&s3_storage_config()).await;
    let t = s.push_token(ALICE, "alice/app").await;
    for i in 0..3 {
        s.push_image(&t, "alice/app", &format!("v{i}"), format!("s3 layer {i}").as_bytes()).await;
    }
    let before: Vec<_> = futures_pull(&s, &t, 3).await;
    let archive = work.path().join("s3.tar");
    let config = s.dir.path().to_str().unwrap().to_owned();
    let out = quay_output(&["backup", "--config", &config, "--to", archive.to_str().unwrap(), "--json"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["blobs"], 0, "{report}");
    s.stop().await;
    let restored = tempfile::tempdir().unwrap();
    let text =
        quay_ok(&["restore", "--from", archive.to_str().unwrap(), "--data-dir", restored.path().to_str().unwrap()]);
    assert!(text.contains("every checksum verified"), "{text}");
    let digests = std::fs::read_to_string(restored.path().join("storage-digests.txt")).unwrap();
    for (_, blobs) in &before {
        for blob in blobs {
            assert!(digests.lines().any(|d| d == sha256(blob)), "{digests}");
        }
    }
    let r = Server::start_in(restored).await;
    let t = r.push_token(ALICE, "alice/app").await;
    assert_eq!(futures_pull(&r, &t, 3).await, before);
}

/// The manifests and blobs of `alice/app:v0..vN`, as served.
async fn futures_pull(s: &Server, token: &str, n: usize) -> Vec<(String, Vec<Vec<u8>>)> {
    let mut all = Vec::new();
    for i in 0..n {
        all.push(pull(s, token, "alice/app", &format!("v{i}")).await);
    }
    all
}
