//! Credentials beyond passwords: hashes written by Python Quay, login backoff, app-specific
//! tokens, robot restrictions, refresh tokens and the OAuth2 form of the token endpoint.

use std::io::Write as _;
use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

const SECRET: &str = "DATABASE_SECRET_KEY: \"test1234\"\n";

async fn token_status(s: &Server, user: &str, password: &str) -> (StatusCode, Value) {
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str()), ("scope", "repository:alice/app:pull")])
        .basic_auth(user, Some(password))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn bcrypt_hashes_written_by_python_quay_verify() {
    let s = Server::start().await;
    let db = s.db().await;
    // Made with Python's bcrypt (the library Quay uses): hashpw(b"python-password", gensalt(12)) and
    // gensalt(4, prefix=b"2a"); `$2y$` is the same algorithm under PHP's prefix.
    let b12 = "$2b$12$FwrTtQ9mb92x4HVlxQ9yrur4GSM6pdCZUw5EDqLBUMDD1pvy10QQC";
    let a04 = "$2a$04$qpqawhfNlkO8v06GxCIUBu.slP7E3qV.oVL2LL5ZAt3hUDweRCY8O";
    let y12 = b12.replacen("$2b$", "$2y$", 1);
    for (user, hash) in [("py2b", b12), ("py2a", a04), ("py2y", y12.as_str())] {
        let tx = db.begin().await.unwrap();
        quay::db::user::create_user(&tx, user, &format!("{user}@example.com"), hash).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(token_status(&s, user, "python-password").await.0, StatusCode::OK, "{hash}");
        assert_eq!(token_status(&s, user, "other-password").await.0, StatusCode::UNAUTHORIZED);
    }
    db.close().await;
}

#[tokio::test]
async fn repeated_bad_passwords_back_off_for_the_address_that_made_them() {
    let s = Server::start().await;
    // A mistyped password (which clients retry) does not refuse the right one.
    assert_eq!(token_status(&s, BOB.0, "wrong-password").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(&s, BOB.0, BOB.1).await.0, StatusCode::OK);
    for _ in 0..=quay::auth::gate::FREE_FAILURES {
        assert_eq!(token_status(&s, BOB.0, "wrong-password").await.0, StatusCode::UNAUTHORIZED);
    }
    // Past the free failures, this address waits (Quay's backoff, answered as Quay does: 429)...
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str())])
        .basic_auth(BOB.0, Some(BOB.1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "TOOMANYREQUESTS", "{body}");
    // ... and so does the API with Basic credentials.
    let r = s.client.get(s.url("/api/v1/user/")).basic_auth(BOB.0, Some(BOB.1)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Quay's columns are kept as Quay writes them.
    let db = s.db().await;
    let row = quay::db::user::find_user(&db.read, BOB.0).await.unwrap().unwrap();
    assert_eq!(row.invalid_login_attempts, quay::auth::gate::FREE_FAILURES as i32 + 1);
    db.close().await;
    // Another machine signs in as bob with the right password at once; other users are untouched.
    let elsewhere = s.client_from("127.0.0.3");
    let r = elsewhere
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str())])
        .basic_auth(BOB.0, Some(BOB.1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(token_status(&s, ALICE.0, ALICE.1).await.0, StatusCode::OK);
    s.time_passes(2).await;
    assert_eq!(token_status(&s, BOB.0, BOB.1).await.0, StatusCode::OK);
    // Success forgets the failures.
    assert_eq!(token_status(&s, BOB.0, "wrong-password").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(&s, BOB.0, BOB.1).await.0, StatusCode::OK);
}

#[tokio::test]
async fn unknown_users_are_answered_as_existing_ones_are() {
    let s = Server::start().await;
    let mut answers = Vec::new();
    for user in [BOB.0, "nobody-here"] {
        let mut seen = Vec::new();
        for _ in 0..=quay::auth::gate::FREE_FAILURES + 1 {
            let (status, body) = token_status(&s, user, "wrong-password").await;
            seen.push((status, body["errors"][0]["message"].clone()));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].last().unwrap().0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn app_specific_tokens_are_registry_passwords() {
    let s = Server::start_with(SECRET).await;
    let db = s.db().await;
    let enc = s.secrets();
    let token = crate::setup::create_app_token(&s.app, Some(&enc), "alice", "laptop", None).await.unwrap();
    secret(&token);
    assert_eq!(token.len(), 120);
    let (status, body) = token_status(&s, "$app", &token).await;
    assert_eq!(status, StatusCode::OK);
    let c = claims(body["token"].as_str().unwrap());
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["context"]["entity_kind"], "appspecifictoken");
    // It acts as alice, for the catalog too.
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str()), ("scope", "registry:catalog:*")])
        .basic_auth("$app", Some(&token))
        .send()
        .await
        .unwrap();
    let cat = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let r = s.req(Method::GET, "/v2/_catalog", &cat).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Wrong secret half, wrong length, expired.
    let wrong = format!("{}{}", &token[..60], "A".repeat(60));
    assert_eq!(token_status(&s, "$app", &wrong).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(&s, "$app", &token[..100]).await.0, StatusCode::UNAUTHORIZED);
    let expired = crate::setup::create_app_token(&s.app, Some(&enc), "alice", "old", Some(0)).await.unwrap();
    secret(&expired);
    assert_eq!(token_status(&s, "$app", &expired).await.0, StatusCode::UNAUTHORIZED);
    // A disabled owner's tokens stop working.
    crate::setup::set_enabled(&s.app, "alice", false).await.unwrap();
    assert_eq!(token_status(&s, "$app", &token).await.0, StatusCode::UNAUTHORIZED);
    db.close().await;
}

#[tokio::test]
async fn robots_disallowed_except_the_whitelist() {
    let s = Server::start_with(&format!("{SECRET}ROBOTS_DISALLOW: true\nROBOTS_WHITELIST: [alice+allowed]\n")).await;
    let db = s.db().await;
    let enc = s.secrets();
    let (_, blocked) = crate::setup::create_robot(&s.app, Some(&enc), "alice", "ci", "").await.unwrap();
    secret(&blocked);
    let (_, allowed) = crate::setup::create_robot(&s.app, Some(&enc), "alice", "allowed", "").await.unwrap();
    secret(&allowed);
    assert_eq!(token_status(&s, "alice+ci", &blocked).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(&s, "alice+allowed", &allowed).await.0, StatusCode::OK);
    db.close().await;
}

async fn oauth(s: &Server, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = s.client.post(s.url("/v2/auth")).form(form).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn oauth2_form_and_refresh_tokens() {
    let s = Server::start_with(SECRET).await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"l").await;
    let host = s.host.clone();
    let (status, body) = oauth(
        &s,
        &[
            ("grant_type", "password"),
            ("username", ALICE.0),
            ("password", ALICE.1),
            ("service", &host),
            ("scope", "repository:alice/app:pull"),
            ("client_id", "containerd"),
            ("access_type", "offline"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let refresh = secret(body["refresh_token"].as_str().unwrap().to_owned());
    let access = secret(body["access_token"].as_str().unwrap().to_owned());
    let r = s.req(Method::GET, "/v2/alice/app/manifests/v1", &access).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A refresh token is not an access token.
    let r = s.req(Method::GET, "/v2/alice/app/manifests/v1", &refresh).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Refresh for a new scope.
    let (status, body) = oauth(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("service", &host),
            ("scope", "repository:alice/app:pull"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("refresh_token").is_none());
    let r =
        s.req(Method::GET, "/v2/alice/app/manifests/v1", body["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // An access token is not a refresh token; nonsense is refused.
    assert_eq!(
        oauth(&s, &[("grant_type", "refresh_token"), ("refresh_token", &access)]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        oauth(&s, &[("grant_type", "refresh_token"), ("refresh_token", "x.y.z")]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(oauth(&s, &[("grant_type", "magic")]).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(oauth(&s, &[("grant_type", "password"), ("username", "alice")]).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        oauth(&s, &[("grant_type", "password"), ("username", "alice"), ("password", "wrong-password")]).await.0,
        StatusCode::UNAUTHORIZED
    );
    // GET with offline_token=true also hands out a refresh token.
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", host.as_str()), ("offline_token", "true")])
        .basic_auth(BOB.0, Some(BOB.1))
        .send()
        .await
        .unwrap();
    assert!(r.json::<Value>().await.unwrap()["refresh_token"].is_string());
    // Changing the password revokes refresh tokens.
    let db = s.db().await;
    crate::setup::set_password(&s.app, "alice", "a-new-password").await.unwrap();
    assert_eq!(
        oauth(&s, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Robots: rotation revokes.
    let enc = s.secrets();
    let (robot, token) = crate::setup::create_robot(&s.app, Some(&enc), "alice", "ci", "").await.unwrap();
    secret(&token);
    let (_, body) = oauth(
        &s,
        &[("grant_type", "password"), ("username", &robot), ("password", &token), ("access_type", "offline")],
    )
    .await;
    let robot_refresh = secret(body["refresh_token"].as_str().unwrap().to_owned());
    assert_eq!(
        oauth(&s, &[("grant_type", "refresh_token"), ("refresh_token", &robot_refresh)]).await.0,
        StatusCode::OK
    );
    crate::setup::rotate_robot(&s.app, Some(&enc), &robot).await.unwrap();
    assert_eq!(
        oauth(&s, &[("grant_type", "refresh_token"), ("refresh_token", &robot_refresh)]).await.0,
        StatusCode::UNAUTHORIZED
    );
    db.close().await;
}

#[test]
fn secrets_are_generated_when_the_config_has_none() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "# an operator's comment stays\n");
    let bin = env!("CARGO_BIN_EXE_quay");
    let config = dir.path().to_str().unwrap();
    let mut child = Command::new(bin)
        .args(["admin", "--config", config, "user", "create", "owner", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"owner-password\n").unwrap();
    assert!(child.wait().unwrap().success());
    let text = std::fs::read_to_string(dir.path().join("config.yaml")).unwrap();
    assert!(text.contains("# an operator's comment stays"));
    assert!(text.contains("DATABASE_SECRET_KEY: ") && text.contains("SECRET_KEY: "), "{text}");
    let out = Command::new(bin)
        .args(["admin", "--config", config, "--json", "robot", "create", "owner", "ci"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["name"], "owner+ci");
    assert_eq!(created["token"].as_str().unwrap().len(), 64);
    // The keys were written once and are reused.
    let again = std::fs::read_to_string(dir.path().join("config.yaml")).unwrap();
    assert_eq!(text, again);
    let out = Command::new(bin).args(["admin", "--config", config, "robot", "list", "owner"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("owner+ci"));
    let out = Command::new(bin).args(["admin", "--config", config, "robot", "delete", "nobody+x"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().count() == 1 && stderr.contains("nobody"), "{stderr}");
}

#[tokio::test]
async fn oauth_access_tokens_are_capped_by_their_scopes() {
    use sea_orm::ConnectionTrait as _;
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"l").await;
    let db = s.db().await;
    crate::setup::create_org(&s.app, "apps", Some("alice")).await.unwrap();
    let alice = quay::db::user::find_user(&db.read, "alice").await.unwrap().unwrap().id;
    let org = quay::db::user::find_user(&db.read, "apps").await.unwrap().unwrap().id;
    db.write
        .execute_unprepared(&format!(
            "INSERT INTO oauthapplication (client_id, redirect_uri, application_uri, organization_id, name, description, fully_migrated) \
             VALUES ('CLIENT', 'http://localhost', 'http://localhost', {org}, 'cli', '', true)"
        ))
        .await
        .unwrap();
    // Tokens as Python Quay stores them: 20 characters in clear, a bcrypt hash of the other 20.
    let tokens = [
        ("READONLYTOKEN0000000", "repo:read"),
        ("READWRITETOKEN000000", "repo:read repo:write"),
        ("EXPIREDTOKEN00000000", "repo:admin"),
    ];
    for (i, (name, scope)) in tokens.iter().enumerate() {
        let code = bcrypt::hash("SECRETPART0000000000", 4).unwrap();
        let expires = if name.starts_with("EXPIRED") { "2000-01-01 00:00:00" } else { "2999-01-01 00:00:00" };
        db.write
            .execute_unprepared(&format!(
                "INSERT INTO oauthaccesstoken (uuid, application_id, authorized_user_id, scope, token_type, expires_at, data, token_code, token_name, created) \
                 VALUES ('uuid-{i}', (SELECT id FROM oauthapplication WHERE client_id = 'CLIENT'), {alice}, '{scope}', 'Bearer', '{expires}', '', '{code}', '{name}', '2026-01-01 00:00:00')"
            ))
            .await
            .unwrap();
    }
    let actions = |password: String| {
        let s = &s;
        async move {
            let r = s
                .client
                .get(s.url("/v2/auth"))
                .query(&[
                    ("service", s.host.as_str()),
                    ("scope", "repository:alice/app:pull,push,*"),
                    ("scope", "repository:alice/new:pull,push"),
                ])
                .basic_auth("$oauthtoken", Some(password))
                .send()
                .await
                .unwrap();
            if r.status() != StatusCode::OK {
                return (r.status(), Value::Null, String::new());
            }
            let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
            let c = claims(&token);
            (StatusCode::OK, json_actions(&c), token)
        }
    };
    let (status, granted, token) = actions("READONLYTOKEN0000000SECRETPART0000000000".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(granted, serde_json::json!([["pull"], []]), "repo:read caps alice's admin role; no repo:create");
    assert_eq!(claims(&token)["context"]["entity_kind"], "oauthtoken");
    let r = s.req(Method::POST, "/v2/alice/app/blobs/uploads/", &token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (_, granted, _) = actions("READWRITETOKEN000000SECRETPART0000000000".into()).await;
    assert_eq!(granted, serde_json::json!([["pull", "push"], []]));
    assert_eq!(actions("EXPIREDTOKEN00000000SECRETPART0000000000".into()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(actions("READONLYTOKEN0000000WRONGPART000000000".into()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(actions("READONLYTOKEN0000000WRONGPART0000000000".into()).await.0, StatusCode::UNAUTHORIZED);
    db.close().await;
}

fn json_actions(c: &Value) -> Value {
    Value::Array(c["access"].as_array().unwrap().iter().map(|a| a["actions"].clone()).collect())
}
