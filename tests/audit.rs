//! Action logs: pushes, pulls, deletes, logins and repository creation land in Quay's `logentry3`
//! with Quay's kinds and metadata.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

/// (kind, account, performer, repository, metadata) of every log row, oldest first. Rows written
/// in a change's transaction and rows batched by the writer task interleave by id, so time orders them.
async fn logs(s: &Server) -> Vec<(String, String, Option<String>, Option<i32>, Value)> {
    s.app.audit.flush().await;
    let db = s.db().await;
    let statement = quay::db::sql(
        db.backend(),
        "SELECT k.name AS kind, a.username AS account, p.username AS performer, l.repository_id, l.metadata_json \
         FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id JOIN \"user\" a ON a.id = l.account_id \
         LEFT JOIN \"user\" p ON p.id = l.performer_id ORDER BY l.datetime, l.id",
        [],
    );
    let rows = sea_orm::ConnectionTrait::query_all_raw(&db.read, statement).await.unwrap();
    let out = rows
        .iter()
        .map(|r| {
            let metadata: String = r.try_get("", "metadata_json").unwrap();
            (
                r.try_get("", "kind").unwrap(),
                r.try_get("", "account").unwrap(),
                r.try_get("", "performer").unwrap(),
                r.try_get("", "repository_id").unwrap(),
                serde_json::from_str(&metadata).unwrap(),
            )
        })
        .collect();
    db.close().await;
    out
}

#[tokio::test]
async fn pushes_pulls_deletes_and_logins_are_logged() {
    let s = Server::start().await;
    // docker login: a token request without a scope.
    let r = s.client.get(s.url("/v2/auth")).basic_auth(ALICE.0, Some(ALICE.1)).header("user-agent", "docker/27").send();
    assert_eq!(r.await.unwrap().status(), StatusCode::OK);
    let t = s.push_token(ALICE, "alice/logged").await;
    let (_, digest) = s.push_image(&t, "alice/logged", "v1", b"logged layer").await;
    let r = s.req(Method::GET, "/v2/alice/logged/manifests/v1", &t).header("user-agent", "skopeo/1.9").send().await;
    assert_eq!(r.unwrap().status(), StatusCode::OK);
    let r = s.req(Method::HEAD, "/v2/alice/logged/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.req(Method::GET, &format!("/v2/alice/logged/manifests/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.req(Method::DELETE, "/v2/alice/logged/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    let logs = logs(&s).await;
    let kinds: Vec<&str> = logs.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(
        kinds,
        ["login_success", "create_repo", "push_repo", "pull_repo", "pull_repo", "delete_tag"],
        "{logs:?}"
    );
    let (_, account, performer, repo, metadata) = &logs[0];
    assert_eq!((account.as_str(), performer.as_deref(), *repo), ("alice", Some("alice"), None));
    assert_eq!(metadata, &serde_json::json!({"kind": "user", "type": "v2auth", "useragent": "docker/27"}));
    let (_, account, performer, repo, metadata) = &logs[2];
    assert_eq!((account.as_str(), performer.as_deref()), ("alice", Some("alice")));
    assert!(repo.is_some());
    assert_eq!(metadata["repo"], "logged");
    assert_eq!(metadata["namespace"], "alice");
    assert_eq!(metadata["tag"], "v1");
    assert_eq!(metadata["username"], "alice");
    assert_eq!(metadata["mediaType"], OCI_MANIFEST);
    assert_eq!(logs[3].4["user-agent"], "skopeo/1.9");
    assert_eq!(logs[3].4["tag"], "v1");
    assert_eq!(logs[4].4["manifest_digest"], digest.as_str());
    assert_eq!(logs[5].4["tag"], "v1");
    // Every row of one repository names it.
    assert!(logs[1..].iter().all(|l| l.3 == logs[2].3));
}

#[tokio::test]
async fn administrative_changes_are_logged() {
    let s = Server::start_with("DATABASE_SECRET_KEY: audit-test-key\n").await;
    let admin = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
            .args(["admin", "--config", s.dir.path().to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    admin(&["repo", "create", "alice/adm"]);
    admin(&["robot", "create", "alice", "builder", "--description", "CI"]);
    admin(&["perm", "grant", "alice/adm", "--user", "alice+builder", "--role", "write"]);
    admin(&["perm", "revoke", "alice/adm", "--user", "alice+builder"]);
    admin(&["robot", "delete", "alice+builder"]);
    admin(&["repo", "delete", "alice/adm"]);
    let logs = logs(&s).await;
    let kinds: Vec<&str> = logs.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "create_repo",
            "create_robot",
            "change_repo_permission",
            "delete_repo_permission",
            "delete_robot",
            "delete_repo"
        ]
    );
    assert!(logs.iter().all(|l| l.1 == "alice"), "{logs:?}");
    assert_eq!(logs[1].4["robot"], "builder");
    assert_eq!(logs[1].4["description"], "CI");
    assert_eq!(
        logs[2].4,
        serde_json::json!({"repo": "adm", "namespace": "alice", "username": "alice+builder", "role": "write"})
    );
    assert_eq!(logs[5].4, serde_json::json!({"repo": "adm", "namespace": "alice"}));
}
