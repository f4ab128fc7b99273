//! Disconnected transfer: `quay export` writes an OCI image layout with its catalog, `quay import`
//! puts it into another registry (checked first, resumable), and an export `--since` the far
//! side's catalog carries only what is new.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use crate::mirror::{push_arch_image, served_digest, signature_of};

const SPARSE: &str = "FEATURE_SPARSE_INDEX: true\n";
/// What the mirror preset sets: the superuser who imports writes into every namespace.
const FULL_ACCESS: &str = "FEATURE_SUPERUSERS_FULL_ACCESS: true\n";

fn config_of(s: &Server) -> String {
    s.dir.path().to_str().unwrap().to_owned()
}

fn catalog_of(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("quay-catalog.json")).unwrap()).unwrap()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

fn blob_file(dir: &Path, digest: &str) -> std::path::PathBuf {
    dir.join("blobs/sha256").join(&digest[7..])
}

/// Runs quay and returns (success, stdout, stderr), on a blocking thread: the registries answer from
/// this test's runtime meanwhile (a log writer there may hold a write transaction quay waits for).
async fn run(args: &[&str]) -> (bool, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out =
        tokio::task::spawn_blocking(move || quay_output(&args.iter().map(String::as_str).collect::<Vec<_>>(), ""))
            .await
            .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn run_ok(args: &[&str]) -> String {
    let (ok, stdout, stderr) = run(args).await;
    assert!(ok, "quay {args:?} failed:\n{stderr}");
    stdout
}

/// Pushes an image whose configuration skopeo reads (rootfs and diff ids); returns its digest.
async fn push_full_image(s: &Server, token: &str, repo: &str, tag: &str, layers: &[&[u8]]) -> String {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
    let config = json!({"architecture": "amd64", "os": "linux", "config": {"Labels": {"tag": tag}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}})
    .to_string();
    let config_digest = s.push_blob(token, repo, config.as_bytes()).await;
    let mut descriptors = Vec::new();
    for layer in layers {
        descriptors.push((s.push_blob(token, repo, layer).await, layer.len()));
    }
    let refs: Vec<(&str, usize)> = descriptors.iter().map(|(d, n)| (d.as_str(), *n)).collect();
    let manifest = image_manifest(&config_digest, config.len(), &refs, None);
    let resp = s.put_manifest(token, repo, tag, OCI_MANIFEST, &manifest).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());
    sha256(manifest.as_bytes())
}

fn layer(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8).collect()
}

#[tokio::test]
async fn an_export_round_trips_multi_arch_images_artifacts_and_sparse_indexes_and_the_next_carries_only_what_is_new() {
    let source = Server::start_with(SPARSE).await;
    let token = source.push_token(ALICE, "alice/app").await;
    let base = layer(1, 300 * 1024);
    let v1 = push_full_image(&source, &token, "alice/app", "v1", &[&base, &layer(2, 40 * 1024)]).await;
    push_full_image(&source, &token, "alice/app", "v2", &[&base, &layer(3, 50 * 1024)]).await;
    let amd = push_arch_image(&source, &token, "alice/app", "amd64", b"amd64 only").await;
    let arm = push_arch_image(&source, &token, "alice/app", "arm64", b"arm64 only").await;
    let child = |(digest, size): &(String, usize), arch: &str| json!({"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "platform": {"architecture": arch, "os": "linux"}});
    let multi =
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [child(&amd, "amd64"), child(&arm, "arm64")]})
            .to_string();
    assert_eq!(
        source.put_manifest(&token, "alice/app", "multi", OCI_INDEX, &multi).await.status(),
        StatusCode::CREATED
    );
    // A sparse index: its s390x image is not in the registry.
    let absent = (format!("sha256:{}", "5".repeat(64)), 500);
    let sparse = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [child(&amd, "amd64"), child(&absent, "s390x")]})
        .to_string();
    let resp = source.put_manifest(&token, "alice/app", "sparse", OCI_INDEX, &sparse).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());
    // A signature of v1, pushed by digest: it travels as v1's referrer.
    let artifact = signature_of(&source, &token, "alice/app", &v1).await;
    let artifact_digest = sha256(artifact.as_bytes());
    let resp = source.put_manifest(&token, "alice/app", &artifact_digest, OCI_MANIFEST, &artifact).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());

    let work = tempfile::tempdir().unwrap();
    let full = work.path().join("full");
    let out =
        run_ok(&["export", "--config", &config_of(&source), "--to", full.to_str().unwrap(), "--repo", "alice/app"])
            .await;
    assert!(out.contains("exported 1 repositories, 4 tags"), "{out}");
    let catalog = catalog_of(&full);
    let index: Value = serde_json::from_slice(&std::fs::read(full.join("index.json")).unwrap()).unwrap();
    let names: BTreeSet<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["annotations"]["org.opencontainers.image.ref.name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["alice/app:multi", "alice/app:sparse", "alice/app:v1", "alice/app:v2"].map(String::from).into());
    assert!(full.join("oci-layout").is_file());
    let everything: BTreeSet<String> =
        catalog["blobs"].as_array().unwrap().iter().map(|b| b["digest"].as_str().unwrap().to_owned()).collect();
    assert_eq!(strings(&catalog["written"]), everything, "a first export writes every blob");
    assert!(everything.contains(&sha256(b"a signature of v1")), "the referrer's blobs travel");
    assert!(blob_file(&full, &artifact_digest).is_file(), "the referrer travels");
    assert!(!blob_file(&full, &absent.0).exists());
    // skopeo reads each complete image from the export, the sparse index's present child too.
    for (reference, all) in
        [("alice/app:v1", false), ("alice/app:v2", false), ("alice/app:multi", true), ("alice/app:sparse", false)]
    {
        let into = work.path().join(format!("skopeo-{}", reference.replace([':', '/'], "-")));
        let mut args = vec!["copy".to_owned()];
        if all {
            args.push("--all".into());
        }
        args.extend([format!("oci:{}:{reference}", full.display()), format!("dir:{}", into.display())]);
        skopeo(args).await;
    }

    // Into an empty registry.
    let target = Server::start_with(&format!("{SPARSE}{FULL_ACCESS}")).await;
    let far_catalog = work.path().join("far-side.json");
    let out = run_ok(&[
        "import",
        "--config",
        &config_of(&target),
        "--from",
        full.to_str().unwrap(),
        "--catalog-out",
        far_catalog.to_str().unwrap(),
    ])
    .await;
    assert!(out.contains("4 tags set"), "{out}");
    let here = target.push_token(ADMIN, "alice/app").await;
    let there = source.push_token(ALICE, "alice/app").await;
    for tag in ["v1", "v2", "multi", "sparse"] {
        let want = served_digest(&source, &there, "alice/app", tag).await;
        assert!(want.is_some());
        assert_eq!(served_digest(&target, &here, "alice/app", tag).await, want, "{tag} pulls byte-identical");
    }
    for digest in [&amd.0, &arm.0, &artifact_digest] {
        assert_eq!(served_digest(&target, &here, "alice/app", digest).await.as_deref(), Some(digest.as_str()));
    }
    let referrers: Value = target
        .req(Method::GET, &format!("/v2/alice/app/referrers/{v1}"), &here)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referrers["manifests"][0]["digest"], artifact_digest.as_str(), "{referrers}");
    // Imported repositories are private, as on push.
    let anonymous = target.client.get(target.url("/v2/alice/app/tags/list")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // Again: nothing to do.
    let again: Value = serde_json::from_str(
        &run_ok(&["import", "--config", &config_of(&target), "--from", full.to_str().unwrap(), "--json"]).await,
    )
    .unwrap();
    assert_eq!(
        (again["blobs_imported"].as_u64(), again["tags_set"].as_u64(), again["tags_present"].as_u64()),
        (Some(0), Some(0), Some(4))
    );

    // New content upstream: the next export carries only its new blobs.
    let v3_layer = layer(9, 70 * 1024);
    let v3 = push_full_image(&source, &token, "alice/app", "v3", &[&base, &v3_layer]).await;
    let incremental = work.path().join("incremental");
    let out = run_ok(&[
        "export",
        "--config",
        &config_of(&source),
        "--to",
        incremental.to_str().unwrap(),
        "--repo",
        "alice/app",
        "--since",
        far_catalog.to_str().unwrap(),
    ])
    .await;
    assert!(out.contains("left out"), "{out}");
    let catalog = catalog_of(&incremental);
    let far: Value = serde_json::from_slice(&std::fs::read(&far_catalog).unwrap()).unwrap();
    assert_eq!(catalog["since"], far["id"]);
    assert_eq!(catalog["chain"], catalog_of(&full)["chain"], "the chain goes on");
    let written = strings(&catalog["written"]);
    let v3_config = catalog["blobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["digest"].as_str().unwrap().to_owned())
        .find(|d| !everything.contains(d) && d != &sha256(&v3_layer))
        .unwrap();
    assert_eq!(written, BTreeSet::from([sha256(&v3_layer), v3_config.clone()]), "only v3's layer and configuration");
    let blob_bytes = |dir: &Path, digests: &BTreeSet<String>| -> u64 {
        digests.iter().map(|d| std::fs::metadata(blob_file(dir, d)).unwrap().len()).sum()
    };
    let incremental_bytes = blob_bytes(&incremental, &written);
    assert_eq!(
        incremental_bytes,
        v3_layer.len() as u64 + std::fs::metadata(blob_file(&incremental, &v3_config)).unwrap().len()
    );
    assert!(!blob_file(&incremental, &sha256(&base)).exists(), "the shared base stays home");
    let full_bytes = blob_bytes(&full, &everything);
    assert!(incremental_bytes * 4 < full_bytes, "{incremental_bytes} against {full_bytes}");
    // Checked dry first, then imported: the far side is complete.
    let out =
        run_ok(&["import", "--config", &config_of(&target), "--from", incremental.to_str().unwrap(), "--dry-run"])
            .await;
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(served_digest(&target, &here, "alice/app", "v3").await, None);
    run_ok(&["import", "--config", &config_of(&target), "--from", incremental.to_str().unwrap()]).await;
    assert_eq!(served_digest(&target, &here, "alice/app", "v3").await, Some(v3.clone()));

    // Straight from an upstream registry (token auth, plain HTTP) through the native client, with
    // no registry of its own: the same content as the registry's own export.
    let upstream = work.path().join("upstream");
    let reference = format!("docker://{}/alice/app:v[13]", source.host);
    // The registry answers from this test's runtime: quay runs on a blocking thread meanwhile.
    let args: Vec<String> = [
        "export",
        "--to",
        upstream.to_str().unwrap(),
        "--from-registry",
        &reference,
        "--username",
        "alice",
        "--password-stdin",
        "--no-tls-verify",
    ]
    .map(String::from)
    .into();
    let out =
        tokio::task::spawn_blocking(move || quay_output(&args.iter().map(String::as_str).collect::<Vec<_>>(), ALICE.1))
            .await
            .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let catalog = catalog_of(&upstream);
    assert_eq!(catalog["repositories"][0]["name"], "alice/app");
    let tags = &catalog["repositories"][0]["tags"];
    assert_eq!(
        (tags["v1"].as_str(), tags["v3"].as_str(), tags.as_object().unwrap().len()),
        (Some(v1.as_str()), Some(v3.as_str()), 2)
    );
    assert!(blob_file(&upstream, &artifact_digest).is_file(), "referrers come along through the referrers API");
    for blob in catalog["written"].as_array().unwrap() {
        let digest = blob.as_str().unwrap();
        assert_eq!(
            std::fs::read(blob_file(&upstream, digest)).unwrap().len() as u64,
            std::fs::metadata(blob_file(if everything.contains(digest) { &full } else { &incremental }, digest))
                .unwrap()
                .len()
        );
    }
    skopeo(vec![
        "copy".into(),
        format!("oci:{}:alice/app:v3", upstream.display()),
        format!("dir:{}", work.path().join("v3").display()),
    ])
    .await;
}

#[tokio::test]
async fn an_import_refuses_damaged_or_missing_parts_leaves_nothing_visible_and_resumes_after_a_kill() {
    let source = Server::start().await;
    let token = source.push_token(ALICE, "alice/app").await;
    let big = layer(5, 600 * 1024);
    let v1 = push_full_image(&source, &token, "alice/app", "v1", &[&big, &layer(6, 10 * 1024)]).await;
    let v2 = push_full_image(&source, &token, "alice/app", "v2", &[&layer(7, 20 * 1024)]).await;
    let work = tempfile::tempdir().unwrap();
    let export = work.path().join("export");
    // Killed after its first blob: the rerun keeps that file and finishes.
    let mut killed = Proc::spawn(
        &["export", "--config", &config_of(&source), "--to", export.to_str().unwrap()],
        &[("QUAY_TEST_HOOKS", "export.blob-written=pause")],
    );
    killed.wait_for("quay test hook: export.blob-written").await;
    killed.kill();
    assert!(!export.join("quay-catalog.json").exists(), "an interrupted export has no catalog");
    let (ok, _, stderr) = run(&["import", "--config", &config_of(&source), "--from", export.to_str().unwrap()]).await;
    assert!(!ok && stderr.contains("unfinished export"), "{stderr}");
    let kept: Vec<(std::path::PathBuf, std::time::SystemTime)> = walk(&export.join("blobs"))
        .into_iter()
        .filter(|f| f.extension().is_none())
        .map(|f| {
            let modified = std::fs::metadata(&f).unwrap().modified().unwrap();
            (f, modified)
        })
        .collect();
    run_ok(&["export", "--config", &config_of(&source), "--to", export.to_str().unwrap()]).await;
    for (file, modified) in kept {
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), modified, "{} was kept", file.display());
    }
    // A finished export is never written over.
    let (ok, _, stderr) = run(&["export", "--config", &config_of(&source), "--to", export.to_str().unwrap()]).await;
    assert!(!ok && stderr.contains("already holds a finished export"), "{stderr}");

    let target = Server::start_with(FULL_ACCESS).await;
    let config = config_of(&target);
    let import = |from: &Path| {
        let from = from.to_str().unwrap().to_owned();
        let config = config.clone();
        async move { run(&["import", "--config", &config, "--from", &from]).await }
    };
    let big_file = blob_file(&export, &sha256(&big));
    // A corrupted blob: refused with its digest named, no tag, no repository.
    let mut damaged = big.clone();
    damaged[1000] ^= 0xff;
    std::fs::write(&big_file, &damaged).unwrap();
    let (ok, _, stderr) = import(&export).await;
    assert!(!ok, "a damaged blob is refused");
    assert!(stderr.contains(&sha256(&big)) && stderr.contains("damaged"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(digest_at(&target, "alice/app", "v1").await, None);
    assert_eq!(digest_at(&target, "alice/app", "v2").await, None, "no tag of a failed import");
    let (status, _) = call(&target, Method::GET, "/api/v1/repository/alice/app", &Auth::Basic(ADMIN), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the repository it created is gone again");
    // A truncated one: refused before anything is written.
    std::fs::write(&big_file, &big[..1000]).unwrap();
    let (ok, _, stderr) = import(&export).await;
    assert!(!ok && stderr.contains("truncated") && stderr.contains(&sha256(&big)), "{stderr}");
    std::fs::write(&big_file, &big).unwrap();

    // Killed after its first manifest: no tag is visible yet, and a rerun finishes.
    let mut killed = Proc::spawn(
        &["import", "--config", &config_of(&target), "--from", export.to_str().unwrap()],
        &[("QUAY_TEST_HOOKS", "import.manifest-stored=pause")],
    );
    killed.wait_for("quay test hook: import.manifest-stored").await;
    killed.kill();
    assert_eq!(digest_at(&target, "alice/app", "v1").await, None);
    assert_eq!(digest_at(&target, "alice/app", "v2").await, None);
    let resumed: Value = serde_json::from_str(
        &run_ok(&["import", "--config", &config_of(&target), "--from", export.to_str().unwrap(), "--json"]).await,
    )
    .unwrap();
    assert!(resumed["manifests_present"].as_u64() >= Some(1), "the rerun kept what was stored: {resumed}");
    assert_eq!(resumed["tags_set"].as_u64(), Some(2), "{resumed}");
    assert_eq!(digest_at(&target, "alice/app", "v1").await, Some(v1.clone()));
    assert_eq!(digest_at(&target, "alice/app", "v2").await, Some(v2.clone()));

    // Split into volumes: the big layer is cut across them; a missing volume is named.
    let split = work.path().join("split");
    let out =
        run_ok(&["export", "--config", &config_of(&source), "--to", split.to_str().unwrap(), "--split", "256KiB"])
            .await;
    assert!(out.contains("volumes"), "{out}");
    let volumes = catalog_of(&split.join("volume-001"))["volumes"].as_u64().unwrap();
    assert!(volumes >= 3, "{volumes} volumes");
    for n in 1..=volumes {
        let dir = split.join(format!("volume-{n:03}"));
        let size: u64 = walk(&dir).iter().map(|f| std::fs::metadata(f).unwrap().len()).sum();
        assert!(size <= 256 * 1024, "volume {n} holds {size} bytes");
    }
    let (ok, _, stderr) =
        run(&["import", "--config", &config_of(&target), "--from", split.join("volume-001").to_str().unwrap()]).await;
    assert!(!ok && stderr.contains("one volume of a split export"), "{stderr}");
    let moved = work.path().join("volume-002-elsewhere");
    std::fs::rename(split.join("volume-002"), &moved).unwrap();
    let other = Server::start().await;
    let (ok, _, stderr) = run(&["import", "--config", &config_of(&other), "--from", split.to_str().unwrap()]).await;
    assert!(!ok && stderr.contains("volume 2 of"), "{stderr}");
    std::fs::rename(&moved, split.join("volume-002")).unwrap();
    // Without FEATURE_SUPERUSERS_FULL_ACCESS a superuser writes only where they may.
    let (ok, _, stderr) = run(&["import", "--config", &config_of(&other), "--from", split.to_str().unwrap()]).await;
    assert!(!ok && stderr.contains("admin may not push to alice/app"), "{stderr}");
    run_ok(&[
        "import",
        "--config",
        &config_of(&other),
        "--from",
        split.to_str().unwrap(),
        "--namespace-map",
        "alice=carried",
    ])
    .await;
    let carried = other.push_token(ADMIN, "carried/app").await;
    assert_eq!(served_digest(&other, &carried, "carried/app", "v1").await, Some(v1));
    let blob =
        other.req(Method::GET, &format!("/v2/carried/app/blobs/{}", sha256(&big)), &carried).send().await.unwrap();
    assert_eq!(blob.bytes().await.unwrap().as_ref(), big.as_slice(), "the cut layer is whole again");

    // An export made since a catalog that does not describe the importing registry.
    push_full_image(&source, &token, "alice/app", "v3", &[&big, &layer(8, 5000)]).await;
    let since = work.path().join("since");
    run_ok(&[
        "export",
        "--config",
        &config_of(&source),
        "--to",
        since.to_str().unwrap(),
        "--since",
        export.join("quay-catalog.json").to_str().unwrap(),
    ])
    .await;
    let empty = Server::start_with(FULL_ACCESS).await;
    let (ok, _, stderr) = run(&["import", "--config", &config_of(&empty), "--from", since.to_str().unwrap()]).await;
    let since_id = catalog_of(&export)["id"].as_str().unwrap().to_owned();
    assert!(!ok && stderr.contains(&format!("--since catalog {since_id}")), "{stderr}");
    let (status, _) = call(&empty, Method::GET, "/api/v1/repository/alice/app", &Auth::Basic(ADMIN), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The digest `s` serves for `repo:reference` to the superuser, with a token asked for now (a
/// token for a repository that does not exist yet grants nothing); `None` when there is none.
async fn digest_at(s: &Server, repo: &str, reference: &str) -> Option<String> {
    let token = s.token(Some(ADMIN), &[&format!("repository:{repo}:pull")]).await;
    let resp = s
        .req(Method::GET, &format!("/v2/{repo}/manifests/{reference}"), &token)
        .header("accept", format!("{OCI_INDEX}, {OCI_MANIFEST}"))
        .send()
        .await
        .unwrap();
    match resp.status() {
        StatusCode::OK => Some(resp.headers()["docker-content-digest"].to_str().unwrap().to_owned()),
        StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED => None,
        other => panic!("GET {repo}:{reference} answered {other}"),
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}
