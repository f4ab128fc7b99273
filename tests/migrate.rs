//! `quay migrate database`: a registry on SQLite moves to PostgreSQL and serves the same content;
//! refused while a worker runs on it, or into a database that holds tables; the SQLite file is
//! never written.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

/// Every tag of `repo` with its manifest and blobs, as served.
async fn content(s: &Server, token: &str, repo: &str) -> Vec<(String, String, Vec<Vec<u8>>)> {
    let r = s.req(Method::GET, &format!("/v2/{repo}/tags/list"), token).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    let mut tags: Vec<String> = v["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    tags.sort();
    let mut all = Vec::new();
    for tag in tags {
        let r = s.req(Method::GET, &format!("/v2/{repo}/manifests/{tag}"), token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let manifest = r.text().await.unwrap();
        let v: Value = serde_json::from_str(&manifest).unwrap();
        let mut blobs = Vec::new();
        for layer in v["layers"].as_array().unwrap() {
            let d = layer["digest"].as_str().unwrap();
            let r = s.req(Method::GET, &format!("/v2/{repo}/blobs/{d}"), token).send().await.unwrap();
            blobs.push(r.bytes().await.unwrap().to_vec());
        }
        all.push((tag, manifest, blobs));
    }
    all
}

/// The SHA-256 of the SQLite database and its write-ahead log.
fn sqlite_files(dir: &std::path::Path) -> Vec<String> {
    ["quay.db", "quay.db-wal"].iter().map(|f| sha256(&std::fs::read(dir.join(f)).unwrap_or_default())).collect()
}

#[tokio::test]
async fn a_sqlite_registry_moves_to_postgresql_and_serves_the_same_content() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    for i in 0..3 {
        s.push_image(&t, "alice/app", &format!("v{i}"), format!("layer {i}").as_bytes()).await;
    }
    let before = content(&s, &t, "alice/app").await;
    let dir = s.stop().await;
    let config = dir.path().join("config.yaml").to_str().unwrap().to_owned();
    let target = postgres_database();

    // A worker on the data dir holds the jobs' leases: refused, naming it.
    let mut worker = Proc::spawn(&["worker", "--config", &config], &[]);
    worker.wait_for("this node now runs the job").await;
    let out = quay_output(&["migrate", "database", "--to", &target, "--config", &config], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("stop every server and worker"), "{err}");
    worker.signal("TERM");
    assert!(worker.exit().await.success());

    let sqlite = sqlite_files(dir.path());
    let plan = quay_ok(&["migrate", "database", "--to", &target, "--config", &config, "--dry-run"]);
    assert!(plan.contains("would move") && plan.contains("tag: 3 rows"), "{plan}");
    assert!(std::fs::read_to_string(&config).unwrap().contains("sqlite:///"));

    let moved = quay_ok(&["migrate", "database", "--to", &target, "--config", &config, "--json"]);
    let report: Value = serde_json::from_str(&moved).unwrap();
    assert!(report["seconds"].as_f64().unwrap() > 0.0, "{report}");
    let tables = report["tables"].as_array().unwrap();
    assert!(tables.len() > 100, "{report}");
    let tag_table = tables.iter().find(|t| t["table"] == "tag").unwrap();
    assert_eq!(tag_table["rows"], 3);
    assert!(std::fs::read_to_string(&config).unwrap().contains(&format!("DB_URI: \"{target}\"")));
    assert_eq!(sqlite_files(dir.path()), sqlite, "the SQLite file was written");

    // The same registry on PostgreSQL: every tag byte-identical, logins work, new rows get new ids.
    let s = Server::start_in(dir).await;
    let t = s.push_token(ALICE, "alice/app").await;
    assert_eq!(content(&s, &t, "alice/app").await, before);
    s.push_image(&t, "alice/app", "after", b"layer after").await;
    assert_eq!(content(&s, &t, "alice/app").await.len(), 4);

    // Into a database that holds tables: refused, nothing changed.
    let other = Server::start().await.stop().await;
    let other_config = other.path().join("config.yaml").to_str().unwrap().to_owned();
    let out = quay_output(&["migrate", "database", "--to", &target, "--config", &other_config], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("already holds tables"), "{err}");
    assert!(std::fs::read_to_string(&other_config).unwrap().contains("sqlite:///"));
}
