//! Autoprune: namespace and repository policies as Quay stores them, applied over alive tags.

use reqwest::Method;

use crate::common::*;

/// Runs `quay admin`; the server's log writer is flushed first, as the command blocks this
/// test's only thread and must not wait for a write transaction the writer holds.
async fn admin(s: &Server, args: &[&str]) -> serde_json::Value {
    s.app.audit.flush().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--config", s.dir.path().to_str().unwrap(), "--json", "autoprune"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn tags(s: &Server, t: &str) -> Vec<String> {
    let r = s.req(Method::GET, "/v2/alice/pruned/tags/list", t).send().await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    v["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn policies_keep_the_newest_tags_and_prune_old_ones() {
    let s = Server::start_with("FEATURE_AUTO_PRUNE: true\n").await;
    let t = s.push_token(ALICE, "alice/pruned").await;
    for tag in ["v1", "v2", "v3", "latest", "keep-me", "v4", "v5"] {
        s.push_image(&t, "alice/pruned", tag, tag.as_bytes()).await;
        // Each tag in a millisecond of its own: the policy keeps the newest.
        s.time_passes(1).await;
    }
    // Namespace policy: of the tags matching ^v, keep the newest two.
    let added = admin(&s, &["add", "alice", "--method", "number_of_tags", "--value", "2", "--tag-pattern", "^v"]).await;
    assert!(added["uuid"].is_string());
    s.app.audit.flush().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--config", s.dir.path().to_str().unwrap(), "autoprune", "add", "alice"])
        .args(["--method", "number_of_tags", "--value", "2", "--tag-pattern", "^v"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "an identical policy was accepted twice");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already") && stderr.lines().count() == 1, "{stderr}");
    let (summary, changed) = quay::registry::autoprune::run(&s.app).await.unwrap();
    assert!(changed);
    assert!(summary.starts_with("3 tags pruned"), "{summary}");
    assert_eq!(tags(&s, &t).await, ["keep-me", "latest", "v4", "v5"]);

    // Repository policy: tags not matching ^keep older than 1 s go.
    admin(
        &s,
        &[
            "add",
            "alice/pruned",
            "--method",
            "creation_date",
            "--value",
            "1s",
            "--tag-pattern",
            "^keep",
            "--not-matching",
        ],
    )
    .await;
    s.time_passes(2).await;
    quay::registry::autoprune::run(&s.app).await.unwrap();
    assert_eq!(tags(&s, &t).await, ["keep-me"]);

    // Stored as Quay stores them (double-encoded JSON), with the task status and the action logs.
    s.app.audit.flush().await;
    let db = s.db().await;
    let one = |sql: &str| quay::db::sql(db.backend(), sql, []);
    let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, one("SELECT policy FROM namespaceautoprunepolicy"))
        .await
        .unwrap()
        .unwrap();
    let stored: String = row.try_get("", "policy").unwrap();
    let inner: String = serde_json::from_str(&stored).unwrap();
    assert_eq!(inner, r#"{"method": "number_of_tags", "value": 2, "tag_pattern": "^v", "tag_pattern_matches": true}"#);
    let row =
        sea_orm::ConnectionTrait::query_one_raw(&db.read, one("SELECT last_ran_ms, status FROM autoprunetaskstatus"))
            .await
            .unwrap()
            .unwrap();
    assert!(row.try_get::<Option<i64>>("", "last_ran_ms").unwrap().is_some());
    assert_eq!(row.try_get::<Option<String>>("", "status").unwrap().as_deref(), Some("success"));
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &db.read,
        one("SELECT COUNT(*) AS n FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id WHERE k.name = 'autoprune_tag_delete'"),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 6);
    db.close().await;

    let listed = admin(&s, &["list", "alice"]).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    admin(&s, &["remove", added["uuid"].as_str().unwrap()]).await;
    assert_eq!(admin(&s, &["list"]).await.as_array().unwrap().len(), 1);
}
