//! Every rule holds whatever the door: the same change made through `/v2`, `/api/v1`, `quay
//! admin` or a direct call of the domain function (what mirroring and imports will call) is
//! refused the same way, or logged the same way.

use quay::auth::Actor;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

async fn query_one(s: &Server, sql: &str, values: Vec<sea_orm::Value>) -> Option<sea_orm::QueryResult> {
    let db = s.db().await;
    let row =
        sea_orm::ConnectionTrait::query_one_raw(&db.read, quay::db::sql(db.backend(), sql, values)).await.unwrap();
    db.close().await;
    row
}

async fn exec(s: &Server, sql: &str, values: Vec<sea_orm::Value>) {
    let db = s.db().await;
    sea_orm::ConnectionTrait::execute_raw(&db.write, quay::db::sql(db.backend(), sql, values)).await.unwrap();
    db.close().await;
}

/// The digest `repo:tag` points at now, if the tag is alive.
async fn tag_target(s: &Server, token: &str, repo: &str, tag: &str) -> Option<String> {
    let r = s.req(Method::HEAD, &format!("/v2/{repo}/manifests/{tag}"), token).send().await.unwrap();
    (r.status() == StatusCode::OK).then(|| r.headers()["docker-content-digest"].to_str().unwrap().to_owned())
}

fn admin(s: &Server, args: &[&str]) -> std::process::Output {
    let config = s.dir.path().to_str().unwrap();
    let mut all = vec!["admin", "--config", config];
    all.extend_from_slice(args);
    quay_output(&all, "")
}

/// An immutable tag (Quay's `tag.immutable`, set here in the database until immutability
/// policies are served) is refused, and left as it was, by every door: a `/v2` push onto it, a
/// `/v2` delete by tag and by digest, the API's move, expiration, delete and restore, and
/// `quay admin repo restore-tag`.
#[tokio::test]
async fn an_immutable_tag_is_refused_through_every_door() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/locked").await;
    let (_, first) = s.push_image(&t, "alice/locked", "v1", b"first layer").await;
    let (second_manifest, second) = s.push_image(&t, "alice/locked", "v1", b"second layer").await;
    exec(&s, "UPDATE tag SET immutable = ? WHERE name = 'v1' AND lifetime_end_ms IS NULL", vec![true.into()]).await;
    let unchanged =
        || async { assert_eq!(tag_target(&s, &t, "alice/locked", "v1").await.as_deref(), Some(second.as_str())) };

    // /v2: a push onto the tag, a delete by tag and by the manifest's digest.
    let (other, _) = {
        let config = s.push_blob(&t, "alice/locked", br#"{"architecture":"arm64","os":"linux"}"#).await;
        let layer = s.push_blob(&t, "alice/locked", b"other layer").await;
        (image_manifest(&config, 37, &[(&layer, 11)], None), ())
    };
    let r = s.put_manifest(&t, "alice/locked", "v1", OCI_MANIFEST, &other).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "TAG_IMMUTABLE");
    for reference in ["v1", second.as_str()] {
        let r = s.req(Method::DELETE, &format!("/v2/alice/locked/manifests/{reference}"), &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT, "{reference}");
        assert_eq!(error_code(r).await, "TAG_IMMUTABLE");
    }
    unchanged().await;
    assert_eq!(
        s.req(Method::GET, "/v2/alice/locked/manifests/v1", &t).send().await.unwrap().text().await.unwrap(),
        second_manifest
    );

    // The API: move, expire, delete, restore.
    let api = |method: Method, path: &str, body: Option<Value>| {
        let mut req = s.client.request(method, s.url(path)).basic_auth(ALICE.0, Some(ALICE.1));
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or_default())
        }
    };
    let tag = "/api/v1/repository/alice/locked/tag/v1";
    for (method, path, body) in [
        (Method::PUT, tag.to_owned(), Some(serde_json::json!({"manifest_digest": first}))),
        (Method::PUT, tag.to_owned(), Some(serde_json::json!({"expiration": 4_000_000_000i64}))),
        (Method::DELETE, tag.to_owned(), None),
        (Method::POST, format!("{tag}/restore"), Some(serde_json::json!({"manifest_digest": first}))),
    ] {
        let (status, body) = api(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{method} {path}: {body}");
        assert_eq!(body["error_type"], "tag_immutable", "{body}");
    }
    unchanged().await;

    // quay admin.
    s.app.audit.flush().await;
    let out = admin(&s, &["repo", "restore-tag", "alice/locked", "v1", "--digest", &first]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("immutable") && stderr.lines().count() == 1, "{stderr}");
    unchanged().await;
    let end: Option<i64> =
        query_one(&s, "SELECT lifetime_end_ms FROM tag WHERE name = 'v1' AND immutable = ?", vec![true.into()])
            .await
            .unwrap()
            .try_get("", "lifetime_end_ms")
            .unwrap();
    assert_eq!(end, None, "the immutable tag was given an end");
}

/// The kind and performer of the action-log row a change writes, by its repository or namespace.
async fn logged(s: &Server, kind: &str, after_id: i64) -> Vec<(Option<i32>, Value)> {
    let db = s.db().await;
    let rows = sea_orm::ConnectionTrait::query_all_raw(
        &db.read,
        quay::db::sql(
            db.backend(),
            "SELECT l.performer_id, l.metadata_json FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id \
             WHERE k.name = ? AND l.id > ? ORDER BY l.id",
            [kind.into(), after_id.into()],
        ),
    )
    .await
    .unwrap();
    db.close().await;
    rows.iter()
        .map(|r| {
            let metadata: String = r.try_get("", "metadata_json").unwrap();
            (r.try_get("", "performer_id").unwrap(), serde_json::from_str(&metadata).unwrap())
        })
        .collect()
}

async fn last_log_id(s: &Server) -> i64 {
    let row = query_one(s, "SELECT COALESCE(MAX(id), 0) AS n FROM logentry3", vec![]).await.unwrap();
    row.try_get::<i64>("", "n").or_else(|_| row.try_get::<i32>("", "n").map(i64::from)).unwrap()
}

/// The same change made through the API (by alice) and through `quay admin` (by the operator:
/// no performer) writes one row of the same kind each, with Quay's metadata: a team created, a
/// robot created, a permission granted, a tag restored, a repository deleted.
#[tokio::test]
async fn changes_are_logged_alike_through_the_api_and_quay_admin() {
    let s = Server::start_with("DATABASE_SECRET_KEY: domain-test-key\n").await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    let alice_id = quay::accounts::find(&s.app, "alice").await.unwrap().unwrap().id;
    let t = s.push_token(ALICE, "acme/api").await;
    let (_, first_api) = s.push_image(&t, "acme/api", "v1", b"api first").await;
    s.push_image(&t, "acme/api", "v1", b"api second").await;
    let t = s.push_token(ALICE, "acme/cli").await;
    let (_, first_cli) = s.push_image(&t, "acme/cli", "v1", b"cli first").await;
    s.push_image(&t, "acme/cli", "v1", b"cli second").await;
    s.app.audit.flush().await;

    let api = |method: Method, path: &str, body: Option<Value>| {
        let mut req = s.client.request(method, s.url(path)).basic_auth(ALICE.0, Some(ALICE.1));
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{} {}", r.status(), r.text().await.unwrap());
        }
    };
    let cli = |args: &[&str]| {
        let out = admin(&s, args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    type Change<'a> = (&'a str, Box<dyn Fn(&str) -> Value + 'a>);
    let changes: Vec<Change> = vec![
        ("org_create_team", Box::new(|team: &str| serde_json::json!({"team": team}))),
        ("create_robot", Box::new(|robot: &str| serde_json::json!({"robot": robot}))),
        ("change_repo_permission", Box::new(|repo: &str| serde_json::json!({"repo": repo}))),
        ("revert_tag", Box::new(|repo: &str| serde_json::json!({"repo": repo}))),
        ("delete_repo", Box::new(|repo: &str| serde_json::json!({"repo": repo}))),
    ];
    for (kind, expect) in &changes {
        let before = last_log_id(&s).await;
        let (api_name, cli_name) = match *kind {
            "org_create_team" => {
                api(Method::PUT, "/api/v1/organization/acme/team/viaapi", Some(serde_json::json!({"role": "member"})))
                    .await;
                cli(&["team", "create", "acme", "viacli"]);
                ("viaapi", "viacli")
            }
            "create_robot" => {
                api(Method::PUT, "/api/v1/organization/acme/robots/viaapi", Some(serde_json::json!({}))).await;
                cli(&["robot", "create", "acme", "viacli"]);
                ("viaapi", "viacli")
            }
            "change_repo_permission" => {
                api(
                    Method::PUT,
                    "/api/v1/repository/acme/api/permissions/user/bob",
                    Some(serde_json::json!({"role": "read"})),
                )
                .await;
                cli(&["perm", "grant", "acme/cli", "--user", "bob", "--role", "read"]);
                ("api", "cli")
            }
            "revert_tag" => {
                api(
                    Method::POST,
                    "/api/v1/repository/acme/api/tag/v1/restore",
                    Some(serde_json::json!({"manifest_digest": first_api})),
                )
                .await;
                cli(&["repo", "restore-tag", "acme/cli", "v1", "--digest", &first_cli]);
                ("api", "cli")
            }
            _ => {
                api(Method::DELETE, "/api/v1/repository/acme/api", None).await;
                cli(&["repo", "delete", "acme/cli"]);
                ("api", "cli")
            }
        };
        let rows = logged(&s, kind, before).await;
        assert_eq!(rows.len(), 2, "{kind}: {rows:?}");
        let (api_performer, api_metadata) = &rows[0];
        let (cli_performer, cli_metadata) = &rows[1];
        assert_eq!(*api_performer, Some(alice_id), "{kind} through the API: {api_metadata}");
        assert_eq!(*cli_performer, None, "{kind} through quay admin: {cli_metadata}");
        for (metadata, name) in [(api_metadata, api_name), (cli_metadata, cli_name)] {
            for (key, value) in expect(name).as_object().unwrap() {
                assert_eq!(&metadata[key], value, "{kind}: {metadata}");
            }
        }
        // Both carry the same keys: one shape of metadata per kind.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<std::collections::BTreeSet<_>>();
        assert_eq!(keys(api_metadata), keys(cli_metadata), "{kind}");
    }
}

/// A namespace at its quota refuses more bytes the same way through a `/v2` push and through a
/// direct call of the domain functions (what a mirror or an import calls): Quay's 403 `DENIED`,
/// with nothing stored. A chunked request body, whose length is not announced, is counted as it
/// streams.
#[tokio::test]
async fn quota_refuses_the_same_through_v2_and_the_domain() {
    let s = Server::start_with("FEATURE_QUOTA_MANAGEMENT: true\n").await;
    let t = s.push_token(ALICE, "alice/full").await;
    s.app.audit.flush().await;
    let out = admin(&s, &["quota", "set", "alice", "--limit", "100K", "--reject", "100"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let big: Vec<u8> = (0..150_000u32).map(|i| (i % 253) as u8).collect();
    let digest = sha256(&big);

    // /v2, with the length announced.
    let r = s
        .req(Method::POST, &format!("/v2/alice/full/blobs/uploads/?digest={digest}"), &t)
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(r).await, "DENIED");
    // /v2, chunked: no Content-Length.
    let start = s.req(Method::POST, "/v2/alice/full/blobs/uploads/", &t).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.chunks(10_000).map(|c| Ok(c.to_vec())).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let r = s.req(Method::PATCH, &location, &t).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(r).await, "DENIED");

    // The domain functions, as a mirror calls them: the same refusal.
    let name = quay::oci::RepositoryName::parse("alice/full", None).unwrap();
    let repo = quay::registry::repository(&s.app, &name).await.unwrap();
    let writer = Actor::system();
    let upload = quay::registry::start_upload(&s.app, &writer, &repo).await.unwrap();
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(big.clone()))]);
    let refused = quay::registry::finish_upload(
        &s.app,
        &writer,
        &repo,
        &upload,
        &quay::oci::Digest::parse(&digest).unwrap(),
        None,
        None,
        stream,
    )
    .await;
    match refused {
        Err(quay::registry::RegistryError::Denied(message)) => assert!(message.contains("Quota"), "{message}"),
        Err(e) => panic!("refused otherwise: {e}"),
        Ok(_) => panic!("the domain stored a blob over quota"),
    }
    let r = s.req(Method::HEAD, &format!("/v2/alice/full/blobs/{digest}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Under the limit both take it.
    s.push_blob(&t, "alice/full", &big[..50_000]).await;
}

/// The invariant of docs/ARCHITECTURE.md: `http` and `cli` parse and render; only the domain
/// reaches the database.
#[test]
fn the_edges_never_reach_the_database() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root.join("http"), &mut files);
    sources(&root.join("cli"), &mut files);
    assert!(files.len() > 10, "{files:?}");
    let mut offenders = Vec::new();
    for file in files {
        for (n, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let reaches_db = code.contains("crate::db") || code.contains("quay::db") || {
                let mut rest = code;
                let mut found = false;
                while let Some(i) = rest.find("db::") {
                    let before = rest[..i].chars().next_back();
                    if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                        found = true;
                        break;
                    }
                    rest = &rest[i + 4..];
                }
                found
            };
            if reaches_db {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "the edges call the database directly:\n{}", offenders.join("\n"));
}
