//! An attacker on the same network: what one client can do to the others. Each test does what
//! the attack does, bounded in count and time, and asserts outcomes and counts, never latencies.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

/// Opens `count` TCP connections to `address` and sends nothing on them.
async fn idle_connections(address: &str, count: usize) -> Vec<tokio::net::TcpStream> {
    let mut open = Vec::with_capacity(count);
    for _ in 0..count {
        open.push(tokio::net::TcpStream::connect(address).await.unwrap());
    }
    open
}

/// Waits until the server has closed every connection (a read sees the end), within `limit`.
async fn closed_by_the_server(connections: Vec<tokio::net::TcpStream>, limit: Duration) -> usize {
    use tokio::io::AsyncReadExt as _;
    let reads = connections.into_iter().map(|mut c| async move {
        let mut byte = [0u8; 1];
        matches!(tokio::time::timeout(limit, c.read(&mut byte)).await, Ok(Ok(0) | Err(_)))
    });
    futures_util::future::join_all(reads).await.into_iter().filter(|closed| *closed).count()
}

/// 1,100 connections that never send a byte, against a server started with the common service
/// limit of 1,024 open files: once with a higher hard limit (the server raises its soft limit to
/// it), once with the hard limit at 1,024 too (the connection bound keeps files for the registry
/// itself), and once over TLS (no ClientHello ever comes). The health check answers in each, and
/// the server closes the idle sockets.
#[tokio::test]
async fn idle_connections_cannot_starve_the_server() {
    quay::util::raise_open_files_limit();
    let run = |limits: &'static str, tls: bool| async move {
        let dir = tempfile::tempdir().unwrap();
        write_config(dir.path(), "");
        let mut args = vec!["serve", "--config", dir.path().to_str().unwrap(), "--listen", "127.0.0.1:0"];
        if !tls {
            args.push("--http");
        }
        let mut node = Proc::spawn_limited(limits, &args, &[]);
        let line = node.wait_for("serving the registry").await;
        let address = line.split("address=").nth(1).and_then(|r| r.split_whitespace().next()).unwrap().to_owned();
        let idle = idle_connections(&address, 1100).await;
        let client = reqwest::Client::builder().tls_danger_accept_invalid_certs(true).build().unwrap();
        let scheme = if tls { "https" } else { "http" };
        let status = client
            .get(format!("{scheme}://{address}/health/instance"))
            .timeout(Duration::from_secs(90))
            .send()
            .await
            .map(|r| r.status())
            .unwrap_or(StatusCode::REQUEST_TIMEOUT);
        let closed = closed_by_the_server(idle, Duration::from_secs(90)).await;
        let log = node.log();
        (status, closed, log.contains("Too many open files"), log, dir)
    };
    let (raised, capped, tls) = tokio::join!(
        run("ulimit -Sn 1024", false),
        run("ulimit -Sn 1024 && ulimit -Hn 1024", false),
        run("ulimit -Sn 1024", true)
    );
    for (name, (status, closed, exhausted, log, _dir)) in [("soft 1024", raised), ("hard 1024", capped), ("TLS", tls)] {
        assert_eq!(status, StatusCode::OK, "{name}: the health check was not answered:\n{log}");
        assert_eq!(closed, 1100, "{name}: idle connections left open");
        assert!(!exhausted, "{name}: the server ran out of files:\n{log}");
    }
}

#[tokio::test]
async fn bogus_logins_cannot_crowd_out_a_real_one() {
    let s = Server::start().await;
    let attacker = s.client_from("127.0.0.2");
    let bogus = (0..64).map(|i| {
        let attacker = attacker.clone();
        let url = s.url("/v2/auth");
        async move { attacker.get(url).basic_auth(format!("guess{i}"), Some("guess")).send().await.unwrap().status() }
    });
    let legitimate = async {
        // Starts once the bogus checks are in line.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let r = s
            .client_from("127.0.0.3")
            .get(s.url("/v2/auth"))
            .query(&[("service", s.host.as_str())])
            .basic_auth(ALICE.0, Some(ALICE.1))
            .send()
            .await
            .unwrap();
        r.status()
    };
    let (answers, legitimate) = tokio::join!(futures_util::future::join_all(bogus), legitimate);
    assert_eq!(legitimate, StatusCode::OK);
    let refused = answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let checked = answers.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(refused + checked, 64, "{answers:?}");
    assert!(refused >= 48, "only {refused} of 64 concurrent bogus logins were refused");

    // The same through the API with made-up OAuth tokens (each one a bcrypt check).
    let bogus = (0..64).map(|i| {
        let attacker = attacker.clone();
        let url = s.url("/api/v1/user/");
        async move { attacker.get(url).bearer_auth(format!("{i:0>40}")).send().await.unwrap().status() }
    });
    let legitimate = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        s.client_from("127.0.0.3").get(s.url("/api/v1/user/")).basic_auth(BOB.0, Some(BOB.1)).send().await.unwrap()
    };
    let (answers, legitimate) = tokio::join!(futures_util::future::join_all(bogus), legitimate);
    assert_eq!(legitimate.status(), StatusCode::OK);
    let refused = answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(refused >= 48, "only {refused} of 64 bogus tokens were refused: {answers:?}");
}

#[tokio::test]
async fn scopes_per_token_are_capped() {
    let s = Server::start().await;
    let scopes: Vec<String> = (0..300).map(|i| format!("repository:alice/mass{i}:push,pull")).collect();
    let mut query = vec![("service".to_owned(), s.host.clone())];
    query.extend(scopes.iter().map(|sc| ("scope".to_owned(), sc.clone())));
    let r = s.client.get(s.url("/v2/auth")).query(&query).basic_auth(ALICE.0, Some(ALICE.1)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "INVALID_REQUEST");
    // At the cap, every scope is granted (and its repository created, as Quay does at token time).
    let at_cap: Vec<&str> = scopes.iter().take(quay::auth::MAX_SCOPES).map(String::as_str).collect();
    s.token(Some(ALICE), &at_cap).await;
    let (status, body) =
        call(&s, reqwest::Method::GET, "/api/v1/repository?namespace=alice", &Auth::Basic(ALICE), None).await;
    assert_eq!(status, StatusCode::OK);
    let created = body["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"].as_str().unwrap().starts_with("mass"))
        .count();
    assert_eq!(created, quay::auth::MAX_SCOPES);
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// 1,500 distinct anonymous tokens, each as large as the scope cap allows, each used once:
/// the verified-token cache stays within its bound.
#[tokio::test]
async fn distinct_tokens_do_not_grow_memory_without_bound() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "FEATURE_ANONYMOUS_ACCESS: true\n");
    let node = Node::start(dir.path(), "", &[]).await;
    let long = "x".repeat(200);
    let use_one = |i: usize| {
        let node = &node;
        let long = long.clone();
        async move {
            let mut query = vec![("service".to_owned(), node.host.clone())];
            // Scopes that differ per request: every token differs.
            query.extend(
                (0..quay::auth::MAX_SCOPES)
                    .map(|n| ("scope".to_owned(), format!("repository:nobody/{long}{i}x{n}:pull"))),
            );
            let r = node.client.get(node.url("/v2/auth")).query(&query).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let body: Value = r.json().await.unwrap();
            let token = body["token"].as_str().unwrap().to_owned();
            let r = node.req(reqwest::Method::GET, "/v2/", &token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
    };
    for i in 0..200 {
        use_one(i).await;
    }
    let before = rss_kib(node.proc.pid());
    for batch in 0..15 {
        futures_util::future::join_all((0..100).map(|i| use_one(1000 + batch * 100 + i))).await;
    }
    let after = rss_kib(node.proc.pid());
    println!("1,500 distinct tokens: {before} KiB before, {after} KiB after");
    assert!(after < before + 32 * 1024, "1,500 distinct tokens took the server from {before} KiB to {after} KiB");
}

/// What a token grants on `scope`, asked for with Basic credentials.
async fn granted(s: &Server, user: &str, password: &str, scope: &str) -> Value {
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str()), ("scope", scope)])
        .basic_auth(user, Some(password))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token: Value = r.json().await.unwrap();
    crate::credentials::claims(token["token"].as_str().unwrap())["access"][0]["actions"].clone()
}

/// The repositories a Basic login sees in the catalog.
async fn catalog(s: &Server, user: (&str, &str)) -> Vec<String> {
    let t = s.token(Some(user), &["registry:catalog:*"]).await;
    let body: Value = s.req(reqwest::Method::GET, "/v2/_catalog", &t).send().await.unwrap().json().await.unwrap();
    body["repositories"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect()
}

/// A superuser reaches other users' private repositories, on `/v2` as on `/api/v1`, only with
/// FEATURE_SUPERUSERS_FULL_ACCESS and a credential that acts as a superuser: a password, or an
/// OAuth token with `super:user`; an app token never.
#[tokio::test]
async fn superuser_powers_are_the_same_through_every_door() {
    let secret_key = "DATABASE_SECRET_KEY: hardening-superuser\n";
    for full_access in [false, true] {
        let s = Server::start_with(&format!("{secret_key}FEATURE_SUPERUSERS_FULL_ACCESS: {full_access}\n")).await;
        let t = s.push_token(ALICE, "alice/secret").await;
        s.push_image(&t, "alice/secret", "v1", b"private layer").await;
        let admin_id = quay::db::user::find_account(&s.app.db.read, "admin").await.unwrap().unwrap().id;
        let oauth = |scopes: &'static str| {
            let app = s.app.clone();
            async move { crate::setup::create_oauth_token(&app, None, admin_id, "tool", "", scopes).await.unwrap() }
        };
        let read_only = oauth("repo:read repo:write repo:create").await;
        let as_superuser = oauth("repo:read super:user").await;
        let app_token = crate::setup::create_app_token(&s.app, None, "admin", "laptop", None).await.unwrap();
        let scope = "repository:alice/secret:pull,push";
        let api = |auth: Auth| {
            let s = &s;
            async move { call(s, reqwest::Method::GET, "/api/v1/repository/alice/secret", &auth, None).await.0 }
        };
        let reach = if full_access { StatusCode::OK } else { StatusCode::FORBIDDEN };
        // A password acts as a superuser.
        let password = granted(&s, ADMIN.0, ADMIN.1, scope).await;
        assert_eq!(password, if full_access { serde_json::json!(["pull", "push"]) } else { serde_json::json!([]) });
        assert_eq!(api(Auth::Basic(ADMIN)).await, reach);
        assert_eq!(catalog(&s, ADMIN).await.contains(&"alice/secret".to_owned()), full_access);
        // Creating in another's namespace: the same rule.
        let create = granted(&s, ADMIN.0, ADMIN.1, "repository:alice/made-by-admin:push").await;
        assert_eq!(create, if full_access { serde_json::json!(["push"]) } else { serde_json::json!([]) });
        // An OAuth token without super:user is the user, not the superuser, on both doors.
        assert_eq!(granted(&s, "$oauthtoken", &read_only, scope).await, serde_json::json!([]));
        assert_eq!(api(Auth::Bearer(read_only.clone())).await, StatusCode::FORBIDDEN);
        assert_eq!(
            granted(&s, "$oauthtoken", &read_only, "repository:alice/by-oauth:push").await,
            serde_json::json!([])
        );
        // With super:user it reaches what the password reaches, within its scopes (read).
        let expected = if full_access { serde_json::json!(["pull"]) } else { serde_json::json!([]) };
        assert_eq!(granted(&s, "$oauthtoken", &as_superuser, scope).await, expected);
        assert_eq!(api(Auth::Bearer(as_superuser)).await, reach);
        // An app token never acts as a superuser.
        assert_eq!(granted(&s, "$app", &app_token, scope).await, serde_json::json!([]));
    }
}

/// A disabled namespace serves nothing, public repositories included, through any door.
#[tokio::test]
async fn a_disabled_namespace_serves_nothing() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/open").await;
    let (_, digest) = s.push_image(&t, "alice/open", "v1", b"public layer").await;
    crate::setup::set_visibility(&s.app, "alice/open", true).await.unwrap();
    let anonymous = s.token(None, &["repository:alice/open:pull"]).await;
    let manifest = format!("/v2/alice/open/manifests/{digest}");
    assert_eq!(s.req(reqwest::Method::GET, &manifest, "").send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(s.req(reqwest::Method::GET, &manifest, &anonymous).send().await.unwrap().status(), StatusCode::OK);
    crate::setup::set_enabled(&s.app, "alice", false).await.unwrap();
    for token in ["", anonymous.as_str(), t.as_str()] {
        let status = s.req(reqwest::Method::GET, &manifest, token).send().await.unwrap().status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Quay's answer to a token request for a disabled namespace: 405 DENIED.
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str()), ("scope", "repository:alice/open:pull")])
        .basic_auth(BOB.0, Some(BOB.1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(r).await, "DENIED");
    let (status, _) = call(&s, reqwest::Method::GET, "/api/v1/repository/alice/open", &Auth::Anonymous, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        call(&s, reqwest::Method::GET, "/api/v1/repository/alice/open/tag/", &Auth::Basic(BOB), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The API answers a private repository and a missing one alike to those who may not read
/// either; the namespace's owner learns that it is missing.
#[tokio::test]
async fn the_api_does_not_tell_which_private_repositories_exist() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/hidden").await;
    s.push_image(&t, "alice/hidden", "v1", b"layer").await;
    for (auth, expected) in [(Auth::Anonymous, StatusCode::UNAUTHORIZED), (Auth::Basic(BOB), StatusCode::FORBIDDEN)] {
        for path in ["/api/v1/repository/alice/hidden", "/api/v1/repository/alice/missing"] {
            assert_eq!(call(&s, reqwest::Method::GET, path, &auth, None).await.0, expected, "{path}");
            let tags = format!("{path}/tag/");
            assert_eq!(call(&s, reqwest::Method::GET, &tags, &auth, None).await.0, expected, "{tags}");
        }
    }
    let owner = Auth::Basic(ALICE);
    assert_eq!(
        call(&s, reqwest::Method::GET, "/api/v1/repository/alice/missing", &owner, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(call(&s, reqwest::Method::GET, "/api/v1/repository/alice/hidden", &owner, None).await.0, StatusCode::OK);
}

/// A token stops working within the cache's minute once its user is disabled.
#[tokio::test]
async fn a_disabled_users_tokens_stop_working() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"layer").await;
    // A token the server has not seen yet is checked against the user at once.
    let fresh = s.token(Some(ALICE), &["repository:alice/app:pull"]).await;
    crate::setup::set_enabled(&s.app, "alice", false).await.unwrap();
    let status = s.req(reqwest::Method::GET, "/v2/alice/app/tags/list", &fresh).send().await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A manifest over MAXIMUM_MANIFEST_SIZE gets its error, not a broken pipe, announced or not.
#[tokio::test]
async fn an_oversized_manifest_is_answered_with_its_error() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/big").await;
    let huge = format!("{{\"schemaVersion\":2,\"padding\":\"{}\"}}", "x".repeat(5 << 20));
    let url = "/v2/alice/big/manifests/v1";
    let r = s
        .req(reqwest::Method::PUT, url, &t)
        .header("content-type", "application/vnd.oci.image.manifest.v1+json")
        .body(huge.clone())
        .send()
        .await
        .expect("the client reads the answer");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(r).await, "SIZE_INVALID");
    let frames: Vec<Result<Vec<u8>, std::io::Error>> = huge.as_bytes().chunks(65536).map(|c| Ok(c.to_vec())).collect();
    let r = s
        .req(reqwest::Method::PUT, url, &t)
        .header("content-type", "application/vnd.oci.image.manifest.v1+json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(frames)))
        .send()
        .await
        .expect("the client reads the answer");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The connection still serves.
    let r = s.req(reqwest::Method::GET, "/v2/", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
