//! `/api/v1`: bootstrap, the signed-in user, repositories and tags, OAuth scopes, Quay's error
//! bodies, the OpenAPI document, and a schemathesis run against it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// Quay's error body, field by field; where Quay answers invalid input with a bare
/// `{"message": ...}` (some 400s), that.
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, error_type: &str) {
    assert_eq!(status, expected, "{body}");
    if expected == StatusCode::BAD_REQUEST && body.get("detail").is_none() {
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()) && body.as_object().unwrap().len() == 1,
            "{body}"
        );
        return;
    }
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    assert_eq!(body["error_type"], error_type, "{body}");
    assert_eq!(body["title"], error_type, "{body}");
    assert!(body["type"].as_str().unwrap().ends_with(&format!("/api/v1/error/{error_type}")), "{body}");
    assert!(body["detail"].is_string() && body["error_message"] == body["detail"], "{body}");
}

const ALICE_API: Auth = Auth::Basic(ALICE);
const BOB_API: Auth = Auth::Basic(BOB);

#[tokio::test]
async fn initialize_creates_the_first_user_with_a_token_once() {
    let s = Server::start_empty("FEATURE_USER_INITIALIZE: true\nSECRET_KEY: api-test-secret\n").await;
    let body = json!({"username": "init", "password": "initpassword", "email": "init@quay.io", "access_token": "true"});
    let (status, created) =
        call(&s, Method::POST, "/api/v1/user/initialize", &Auth::Anonymous, Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["username"], "init");
    assert_eq!(created["email"], "init@quay.io");
    let token = secret(created["access_token"].as_str().unwrap().to_owned());
    assert_eq!(token.len(), 40);
    let encrypted = created["encrypted_password"].as_str().unwrap().to_owned();

    // The token works on the API, and the encrypted password as a password on /v2/auth.
    let (status, me) = call(&s, Method::GET, "/api/v1/user/", &Auth::Bearer(token.clone()), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "init");
    assert_eq!(me["anonymous"], false);
    assert_eq!(me["email"], "init@quay.io");
    assert!(me["organizations"].as_array().unwrap().is_empty());
    let r = s.client.get(s.url("/v2/auth")).basic_auth("init", Some(&encrypted)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The same token is accepted by docker clients as `$oauthtoken`.
    let r = s.client.get(s.url("/v2/auth")).basic_auth("$oauthtoken", Some(&token)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Once only.
    let (status, again) = call(&s, Method::POST, "/api/v1/user/initialize", &Auth::Anonymous, Some(body)).await;
    assert_error(status, &again, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(again["message"], "Cannot initialize user in a non-empty database");
}

#[tokio::test]
async fn initialize_needs_the_feature_and_valid_input() {
    let s = Server::start_empty("").await;
    let body = json!({"username": "init", "password": "initpassword"});
    let (status, err) = call(&s, Method::POST, "/api/v1/user/initialize", &Auth::Anonymous, Some(body)).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    let s = Server::start_empty("FEATURE_USER_INITIALIZE: true\n").await;
    for bad in [
        json!({"username": "init"}),
        json!({"username": "X!", "password": "initpassword"}),
        json!({"username": "init", "password": "short"}),
    ] {
        let (status, err) =
            call(&s, Method::POST, "/api/v1/user/initialize", &Auth::Anonymous, Some(bad.clone())).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let r = s.client.post(s.url("/api/v1/user/initialize")).body("{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_user_endpoint_needs_credentials() {
    let s = Server::start().await;
    let (status, err) = call(&s, Method::GET, "/api/v1/user/", &Auth::Anonymous, None).await;
    assert_error(status, &err, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(err["detail"], "Requires authentication");
    let (status, err) = call(&s, Method::GET, "/api/v1/user/", &Auth::Bearer("X".repeat(40)), None).await;
    assert_error(status, &err, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, err) = call(&s, Method::GET, "/api/v1/user/", &Auth::Basic(("bob", "wrong-password")), None).await;
    assert_error(status, &err, StatusCode::UNAUTHORIZED, "invalid_token");

    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    let (status, me) = call(&s, Method::GET, "/api/v1/user/", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "alice");
    assert!(me.get("super_user").is_none(), "Quay names superusers only");
    assert_eq!(me["tag_expiration_s"], 1_209_600);
    assert_eq!(me["organizations"][0]["name"], "acme");
    assert_eq!(me["organizations"][0]["is_org_admin"], true);
    let (_, me) = call(&s, Method::GET, "/api/v1/user/", &Auth::Basic(ADMIN), None).await;
    assert_eq!(me["super_user"], true);
}

#[tokio::test]
async fn repositories_are_created_listed_viewed_updated_and_deleted() {
    let s = Server::start().await;
    let create = json!({"repository": "app", "visibility": "private", "description": "the app"});
    let (status, created) = call(&s, Method::POST, "/api/v1/repository", &ALICE_API, Some(create.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created, json!({"namespace": "alice", "name": "app", "kind": "image"}));
    let (status, err) = call(&s, Method::POST, "/api/v1/repository", &ALICE_API, Some(create.clone())).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(err["detail"], "Repository already exists");
    let bad_name = json!({"repository": "Bad Name", "visibility": "private"});
    let (status, err) = call(&s, Method::POST, "/api/v1/repository", &ALICE_API, Some(bad_name)).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let in_alices = json!({"repository": "x", "visibility": "public", "namespace": "alice"});
    let (status, err) = call(&s, Method::POST, "/api/v1/repository", &BOB_API, Some(in_alices.clone())).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, err) = call(&s, Method::POST, "/api/v1/repository", &Auth::Anonymous, Some(in_alices)).await;
    assert_error(status, &err, StatusCode::UNAUTHORIZED, "invalid_token");

    // Listing: by namespace, only what the caller may see.
    let (status, list) = call(&s, Method::GET, "/api/v1/repository?namespace=alice", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let repo = &list["repositories"][0];
    assert_eq!(repo["namespace"], "alice");
    assert_eq!(repo["name"], "app");
    assert_eq!(repo["description"], "the app");
    assert_eq!(repo["is_public"], false);
    assert_eq!(repo["kind"], "image");
    assert_eq!(repo["state"], "NORMAL");
    assert!(list.get("next_page").is_none());
    let (_, list) = call(&s, Method::GET, "/api/v1/repository?namespace=alice&public=true", &BOB_API, None).await;
    assert_eq!(list["repositories"], json!([]));
    let (status, err) = call(&s, Method::GET, "/api/v1/repository", &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    // One repository, with its tags once something is pushed.
    let t = s.push_token(ALICE, "alice/app").await;
    let (manifest, _) = s.push_image(&t, "alice/app", "v1", b"layer").await;
    let (status, view) = call(&s, Method::GET, "/api/v1/repository/alice/app", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    for (field, value) in [
        ("namespace", json!("alice")),
        ("name", json!("app")),
        ("kind", json!("image")),
        ("description", json!("the app")),
        ("is_public", json!(false)),
        ("is_organization", json!(false)),
        ("is_starred", json!(false)),
        ("trust_enabled", json!(false)),
        ("tag_expiration_s", json!(1_209_600)),
        ("state", json!("NORMAL")),
        ("can_write", json!(true)),
        ("can_admin", json!(true)),
    ] {
        assert_eq!(view[field], value, "{field}: {view}");
    }
    assert_eq!(view["tags"]["v1"]["manifest_digest"], sha256(manifest.as_bytes()));
    assert_eq!(view["tags"]["v1"]["name"], "v1");
    assert!(view["tags"]["v1"]["last_modified"].as_str().unwrap().ends_with("-0000"));
    let (status, err) = call(&s, Method::GET, "/api/v1/repository/alice/app", &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, err) = call(&s, Method::GET, "/api/v1/repository/alice/app", &Auth::Anonymous, None).await;
    assert_error(status, &err, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, err) = call(&s, Method::GET, "/api/v1/repository/alice/nothing", &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");

    // Description and visibility.
    let (status, ok) =
        call(&s, Method::PUT, "/api/v1/repository/alice/app", &ALICE_API, Some(json!({"description": "new"}))).await;
    assert_eq!((status, ok), (StatusCode::OK, json!({"success": true})));
    let (status, err) =
        call(&s, Method::PUT, "/api/v1/repository/alice/app", &ALICE_API, Some(json!({"description": 5}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let visibility = Some(json!({"visibility": "public"}));
    let (status, err) =
        call(&s, Method::POST, "/api/v1/repository/alice/app/changevisibility", &BOB_API, visibility.clone()).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, _) =
        call(&s, Method::POST, "/api/v1/repository/alice/app/changevisibility", &ALICE_API, visibility).await;
    assert_eq!(status, StatusCode::OK);
    let (status, view) = call(&s, Method::GET, "/api/v1/repository/alice/app", &Auth::Anonymous, None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!((view["is_public"].clone(), view["description"].clone()), (json!(true), json!("new")));
    assert_eq!((view["can_write"].clone(), view["can_admin"].clone()), (json!(false), json!(false)));
    let (_, list) = call(&s, Method::GET, "/api/v1/repository?public=true", &Auth::Anonymous, None).await;
    assert_eq!(list["repositories"][0]["name"], "app", "{list}");

    // Deletion: admins only; then it is gone and queued for purging.
    let (status, err) = call(&s, Method::DELETE, "/api/v1/repository/alice/app", &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, _) = call(&s, Method::DELETE, "/api/v1/repository/alice/app", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, "/api/v1/repository/alice/app", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let report = quay::registry::gc::collect(&s.app, false).await.unwrap();
    assert_eq!(report.deleted_repositories, 1, "{report:?}");
}

#[tokio::test]
async fn repository_lists_are_paginated() {
    let s = Server::start().await;
    for i in 0..105 {
        crate::setup::create_repo(&s.app, &format!("alice/r{i:03}"), false).await.unwrap();
    }
    let (status, first) = call(&s, Method::GET, "/api/v1/repository?namespace=alice", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["repositories"].as_array().unwrap().len(), 100);
    let next = first["next_page"].as_str().unwrap();
    let path = format!("/api/v1/repository?namespace=alice&next_page={next}");
    let (_, second) = call(&s, Method::GET, &path, &ALICE_API, None).await;
    let names: Vec<&str> =
        second["repositories"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["r100", "r101", "r102", "r103", "r104"]);
    assert!(second.get("next_page").is_none());
    let (status, err) =
        call(&s, Method::GET, "/api/v1/repository?namespace=alice&next_page=garbage", &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn tags_have_history_and_can_be_moved_expired_deleted_and_restored() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    let (first, _) = s.push_image(&t, "alice/app", "v1", b"first").await;
    let (second, _) = s.push_image(&t, "alice/app", "v2", b"second").await;
    let (first, second) = (sha256(first.as_bytes()), sha256(second.as_bytes()));
    let base = "/api/v1/repository/alice/app/tag";

    let (status, list) = call(&s, Method::GET, &format!("{base}/"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!((list["page"].clone(), list["has_additional"].clone()), (json!(1), json!(false)));
    let tags = list["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 2);
    let v1 = tags.iter().find(|t| t["name"] == "v1").unwrap();
    assert_eq!(v1["manifest_digest"], first.as_str());
    assert_eq!(v1["reversion"], false);
    assert_eq!(v1["is_manifest_list"], false);
    assert!(v1["start_ts"].as_i64().unwrap() > 1_700_000_000);
    assert!(v1.get("end_ts").is_none());
    assert!(v1.get("size").is_some(), "{v1}");

    // Move v1 onto the second manifest: the old row becomes history.
    let (status, updated) =
        call(&s, Method::PUT, &format!("{base}/v1"), &ALICE_API, Some(json!({"manifest_digest": second}))).await;
    assert_eq!((status, updated), (StatusCode::CREATED, json!("Updated")));
    let (_, history) = call(&s, Method::GET, &format!("{base}/?specificTag=v1"), &ALICE_API, None).await;
    let rows = history["tags"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{history}");
    assert_eq!(rows[0]["manifest_digest"], second.as_str());
    assert_eq!(rows[1]["manifest_digest"], first.as_str());
    assert!(rows[1]["end_ts"].is_i64() && rows[1]["expiration"].is_string());
    let (_, active) =
        call(&s, Method::GET, &format!("{base}/?specificTag=v1&onlyActiveTags=true"), &ALICE_API, None).await;
    assert_eq!(active["tags"].as_array().unwrap().len(), 1);

    // Restore it from the time machine.
    let restore = Some(json!({"manifest_digest": first}));
    let (status, body) = call(&s, Method::POST, &format!("{base}/v1/restore"), &ALICE_API, restore).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let (_, history) = call(&s, Method::GET, &format!("{base}/?specificTag=v1&limit=1"), &ALICE_API, None).await;
    assert_eq!(history["tags"][0]["manifest_digest"], first.as_str());
    assert_eq!(history["tags"][0]["reversion"], true);
    assert_eq!(history["has_additional"], true);

    // Expiration: in the future only; null clears it.
    let later = chrono::Utc::now().timestamp() + 3600;
    let (status, _) =
        call(&s, Method::PUT, &format!("{base}/v2"), &ALICE_API, Some(json!({"expiration": later}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, v2) = call(&s, Method::GET, &format!("{base}/?specificTag=v2&onlyActiveTags=true"), &ALICE_API, None).await;
    assert_eq!(v2["tags"][0]["end_ts"], later);
    let past = Some(json!({"expiration": 1000}));
    let (status, err) = call(&s, Method::PUT, &format!("{base}/v2"), &ALICE_API, past).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, _) = call(&s, Method::PUT, &format!("{base}/v2"), &ALICE_API, Some(json!({"expiration": null}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, v2) = call(&s, Method::GET, &format!("{base}/?specificTag=v2&onlyActiveTags=true"), &ALICE_API, None).await;
    assert!(v2["tags"][0].get("end_ts").is_none(), "{v2}");

    // Filters, bad input, permissions.
    let (_, like) =
        call(&s, Method::GET, &format!("{base}/?filter_tag_name=like:2&onlyActiveTags=true"), &ALICE_API, None).await;
    assert_eq!(like["tags"].as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>(), [json!("v2")]);
    for (method, path, body) in [
        (Method::PUT, format!("{base}/-bad"), Some(json!({"manifest_digest": first}))),
        (Method::GET, format!("{base}/?filter_tag_name=regex:x"), None),
        (Method::GET, format!("{base}/?limit=lots"), None),
    ] {
        let (status, err) = call(&s, method, &path, &ALICE_API, body).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let unknown = Some(json!({"manifest_digest": format!("sha256:{}", "0".repeat(64))}));
    let (status, err) = call(&s, Method::PUT, &format!("{base}/v3"), &ALICE_API, unknown).await;
    assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");
    let (status, err) = call(&s, Method::DELETE, &format!("{base}/v2"), &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    // Delete: once.
    let (status, _) = call(&s, Method::DELETE, &format!("{base}/v2"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = call(&s, Method::DELETE, &format!("{base}/v2"), &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");
    let r = s.req(Method::GET, "/v2/alice/app/manifests/v2", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let kinds =
        "(SELECT id FROM logentrykind WHERE name IN ('move_tag', 'revert_tag', 'change_tag_expiration', 'delete_tag'))";
    s.app.audit.flush().await;
    let db = s.db().await;
    let statement =
        quay::db::sql(db.backend(), &format!("SELECT COUNT(*) FROM logentry3 WHERE kind_id IN {kinds}"), vec![]);
    let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, statement).await.unwrap().unwrap();
    let logged: i64 = row.try_get_by_index(0).unwrap();
    db.close().await;
    assert!(logged >= 5, "{logged} tag changes logged");
}

#[tokio::test]
async fn oauth_scopes_cap_what_a_token_may_do() {
    let s = Server::start_with("DATABASE_SECRET_KEY: api-oauth-key\n").await;
    crate::setup::create_repo(&s.app, "alice/app", false).await.unwrap();
    let alice = quay::db::user::find_account(&s.app.db.read, "alice").await.unwrap().unwrap();
    let token = crate::setup::create_oauth_token(&s.app, None, alice.id, "ci", "read only", "repo:read").await.unwrap();
    let read_only = Auth::Bearer(token);
    let (status, view) = call(&s, Method::GET, "/api/v1/repository/alice/app", &read_only, None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!((view["can_write"].clone(), view["can_admin"].clone()), (json!(false), json!(false)));
    let (status, err) = call(&s, Method::DELETE, "/api/v1/repository/alice/app", &read_only, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let create = Some(json!({"repository": "other", "visibility": "private"}));
    let (status, err) = call(&s, Method::POST, "/api/v1/repository", &read_only, create).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, err) = call(&s, Method::GET, "/api/v1/user/", &read_only, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    // Scopes imply the lesser ones, as Quay's: repo:admin reads and writes, user:admin reads the user.
    let token =
        crate::setup::create_oauth_token(&s.app, None, alice.id, "ops", "", "repo:admin user:admin").await.unwrap();
    let admin_token = Auth::Bearer(token);
    let (status, _) = call(&s, Method::GET, "/api/v1/repository?namespace=alice", &admin_token, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&s, Method::GET, "/api/v1/user/", &admin_token, None).await;
    assert_eq!(status, StatusCode::OK);
    let update = Some(json!({"description": "by token"}));
    let (status, _) = call(&s, Method::PUT, "/api/v1/repository/alice/app", &admin_token, update).await;
    assert_eq!(status, StatusCode::OK);

    // An app token signs in like a registry client: repositories yes, the account's administration no.
    let app_token = crate::setup::create_app_token(&s.app, s.app.secrets.as_ref(), "alice", "ci", None).await.unwrap();
    secret(&app_token);
    let app = Auth::Basic(("$app", Box::leak(app_token.into_boxed_str())));
    let (status, _) = call(&s, Method::GET, "/api/v1/repository/alice/app", &app, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = call(&s, Method::POST, "/api/v1/organization/", &app, Some(json!({"name": "apporg"}))).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, err) = call(&s, Method::DELETE, "/api/v1/repository/alice/app", &app, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    // A superuser's token without super:user is an ordinary user's.
    let admin = quay::db::user::find_account(&s.app.db.read, "admin").await.unwrap().unwrap();
    let token = crate::setup::create_oauth_token(&s.app, None, admin.id, "ops", "", "repo:admin").await.unwrap();
    let (status, err) = call(&s, Method::GET, "/api/v1/repository/alice/app", &Auth::Bearer(token), None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    // Robots push and pull; they administer nothing through the API, whatever team they are on.
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    let (robot, robot_token) =
        crate::setup::create_robot(&s.app, s.app.secrets.as_ref(), "acme", "ci", "").await.unwrap();
    secret(&robot_token);
    crate::setup::add_member(&s.app, "acme", "owners", &robot).await.unwrap();
    let robot_auth = Auth::Basic((Box::leak(robot.into_boxed_str()), Box::leak(robot_token.into_boxed_str())));
    let (status, err) = call(&s, Method::DELETE, "/api/v1/organization/acme", &robot_auth, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, err) = call(&s, Method::GET, "/api/v1/organization/acme/robots?token=true", &robot_auth, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
}

/// Mirrored and read-only repositories take no tag or label changes through the API (503).
#[tokio::test]
async fn tags_of_mirrored_repositories_do_not_change() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    let (manifest, _) = s.push_image(&t, "alice/app", "v1", b"layer").await;
    let db = s.db().await;
    let statement = quay::db::sql(
        db.backend(),
        "UPDATE repository SET state = ? WHERE name = ?",
        vec![quay::db::repository::repo_state::MIRROR.into(), "app".into()],
    );
    sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
    db.close().await;
    let digest = sha256(manifest.as_bytes());
    for (method, path, body) in [
        (Method::DELETE, "/api/v1/repository/alice/app/tag/v1".to_owned(), None),
        (Method::PUT, "/api/v1/repository/alice/app/tag/v2".to_owned(), Some(json!({"manifest_digest": digest}))),
        (
            Method::POST,
            format!("/api/v1/repository/alice/app/manifest/{digest}/labels"),
            Some(json!({"key": "k", "value": "v"})),
        ),
    ] {
        let (status, err) = call(&s, method, &path, &ALICE_API, body).await;
        assert_error(status, &err, StatusCode::SERVICE_UNAVAILABLE, "downstream_issue");
    }
    let (status, view) = call(&s, Method::GET, "/api/v1/repository/alice/app", &ALICE_API, None).await;
    assert_eq!((status, view["state"].clone()), (StatusCode::OK, json!("MIRROR")));
}

#[tokio::test]
async fn discovery_documents_every_route_and_unknown_paths_are_quay_errors() {
    let s = Server::start().await;
    let (status, doc) = call(&s, Method::GET, "/api/v1/discovery", &Auth::Anonymous, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    for (path, method) in [
        ("/api/v1/user/initialize", "post"),
        ("/api/v1/user/", "get"),
        ("/api/v1/repository", "post"),
        ("/api/v1/repository/{namespace}/{repo}", "delete"),
        ("/api/v1/repository/{namespace}/{repo}/tag/{tag}/restore", "post"),
    ] {
        assert!(doc["paths"][path][method]["operationId"].is_string(), "{method} {path}");
    }
    // The document validates against the OpenAPI 3.0 specification (openapi-spec-validator, PyPI).
    let file = s.dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = std::process::Command::new("openapi-spec-validator")
        .arg(&file)
        .output()
        .expect("openapi-spec-validator is not installed: scripts/test installs it with pip");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    let (status, err) = call(&s, Method::GET, "/api/v1/nothing/here", &Auth::Anonymous, None).await;
    assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");
    let (status, err) = call(&s, Method::PATCH, "/api/v1/repository", &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::METHOD_NOT_ALLOWED, "invalid_request");
}

/// schemathesis (PyPI) generates requests from the served document: no 5xx, and every response
/// matches the document. `scripts/test` installs it; without it the test says so and fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_errors_or_undocumented_responses() {
    // Mirroring on, so that its operations get past the feature check to their validation.
    let s = Server::start_with("FEATURE_REPO_MIRROR: true\nFEATURE_SPARSE_INDEX: true\nDATABASE_SECRET_KEY: st-key\n")
        .await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"layer").await;
    let url = s.url("/api/v1/discovery");
    let credentials = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode("alice:alice-password")
    };
    // Path parameters name what exists, so that operations get past 404 to their logic.
    let config = s.dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        "[parameters]\n\"path.namespace\" = \"alice\"\n\"path.repo\" = \"app\"\n\"path.tag\" = \"v1\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";
    let header = format!("Authorization: Basic {credentials}");
    // The server runs on this runtime's other thread while schemathesis runs.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("st")
            .args([
                "--config-file",
                &config,
                "run",
                &url,
                "--checks",
                checks,
                "--max-examples",
                "30",
                "--no-color",
                "--generation-deterministic",
            ])
            .args(["--header", &header])
            // Changing the password the run signs in with would leave the rest of it unauthorized.
            .args(["--exclude-operation-id", "changeUserDetails"])
            .output()
            .expect("schemathesis (`st`) is not installed: scripts/test installs it with pip")
    })
    .await
    .unwrap();
    let report = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{report}");
}

#[tokio::test]
async fn organizations_teams_and_members() {
    let s = Server::start().await;
    let create = Some(json!({"name": "acme", "email": "ops@acme.example"}));
    let (status, body) = call(&s, Method::POST, "/api/v1/organization/", &ALICE_API, create.clone()).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!("Created")));
    let (status, err) = call(&s, Method::POST, "/api/v1/organization/", &ALICE_API, create).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, err) = call(&s, Method::POST, "/api/v1/organization/", &ALICE_API, Some(json!({"name": "A!"}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    let (status, org) = call(&s, Method::GET, "/api/v1/organization/acme", &BOB_API, None).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(
        (org["name"].clone(), org["is_admin"].clone(), org["is_member"].clone()),
        (json!("acme"), json!(false), json!(false))
    );
    assert!(org.get("teams").is_none());
    let (_, org) = call(&s, Method::GET, "/api/v1/organization/acme", &ALICE_API, None).await;
    assert_eq!((org["is_admin"].clone(), org["is_member"].clone()), (json!(true), json!(true)));
    assert_eq!(org["email"], "ops@acme.example");
    assert_eq!(org["ordered_teams"], json!(["owners"]));
    let owners = &org["teams"]["owners"];
    assert_eq!((owners["role"].clone(), owners["member_count"].clone()), (json!("admin"), json!(1)));
    assert_eq!(org["tag_expiration_s"], 1_209_600);
    let (status, _) = call(&s, Method::GET, "/api/v1/organization/nope", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let change = Some(json!({"tag_expiration_s": 86400}));
    let (status, org) = call(&s, Method::PUT, "/api/v1/organization/acme", &ALICE_API, change.clone()).await;
    assert_eq!((status, org["tag_expiration_s"].clone()), (StatusCode::OK, json!(86400)));
    let (status, err) = call(&s, Method::PUT, "/api/v1/organization/acme", &BOB_API, change).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let bad = Some(json!({"tag_expiration_s": 5}));
    let (status, err) = call(&s, Method::PUT, "/api/v1/organization/acme", &ALICE_API, bad).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    // Teams and members.
    let team = "/api/v1/organization/acme/team/builders";
    let (status, t) =
        call(&s, Method::PUT, team, &ALICE_API, Some(json!({"role": "creator", "description": "ci"}))).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(
        (t["name"].clone(), t["role"].clone(), t["description"].clone()),
        (json!("builders"), json!("creator"), json!("ci"))
    );
    assert_eq!((t["new_team"].clone(), t["can_view"].clone()), (json!(true), json!(true)));
    let (status, err) = call(&s, Method::PUT, team, &ALICE_API, Some(json!({"role": "boss"}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, member) = call(&s, Method::PUT, &format!("{team}/members/bob"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(
        (member["name"].clone(), member["kind"].clone(), member["is_robot"].clone(), member["invited"].clone()),
        (json!("bob"), json!("user"), json!(false), json!(false))
    );
    let (status, err) = call(&s, Method::PUT, &format!("{team}/members/nobody"), &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (_, members) = call(&s, Method::GET, &format!("{team}/members"), &ALICE_API, None).await;
    assert_eq!((members["name"].clone(), members["can_edit"].clone()), (json!("builders"), json!(true)));
    assert_eq!(members["members"][0]["name"], "bob");
    let (_, all) = call(&s, Method::GET, "/api/v1/organization/acme/members", &ALICE_API, None).await;
    let names: Vec<&str> = all["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(all["members"][1]["teams"][0]["name"], "builders");

    // A creator may create repositories in the organization.
    let repo = Some(json!({"repository": "app", "visibility": "private", "namespace": "acme"}));
    let (status, created) = call(&s, Method::POST, "/api/v1/repository", &BOB_API, repo).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    // The last admin team and its last member stay.
    let (status, err) = call(&s, Method::DELETE, "/api/v1/organization/acme/team/owners", &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let path = "/api/v1/organization/acme/team/owners/members/alice";
    let (status, err) = call(&s, Method::DELETE, path, &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    let (status, _) = call(&s, Method::DELETE, &format!("{team}/members/bob"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::DELETE, &format!("{team}/members/bob"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&s, Method::DELETE, team, &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, &format!("{team}/members"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, err) = call(&s, Method::DELETE, "/api/v1/organization/acme", &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, _) = call(&s, Method::DELETE, "/api/v1/organization/acme", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, "/api/v1/organization/acme", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let report = quay::registry::gc::collect(&s.app, false).await.unwrap();
    assert_eq!((report.deleted_namespaces, report.deleted_repositories), (1, 1), "{report:?}");
}

#[tokio::test]
async fn robots_are_created_listed_granted_regenerated_and_deleted() {
    let s = Server::start_with("DATABASE_SECRET_KEY: api-robot-key\n").await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    crate::setup::create_repo(&s.app, "acme/app", false).await.unwrap();
    let robots = "/api/v1/organization/acme/robots";
    let (status, robot) =
        call(&s, Method::PUT, &format!("{robots}/ci"), &ALICE_API, Some(json!({"description": "pushes"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{robot}");
    assert_eq!((robot["name"].clone(), robot["description"].clone()), (json!("acme+ci"), json!("pushes")));
    let token = secret(robot["token"].as_str().unwrap().to_owned());
    assert_eq!(token.len(), 64);
    assert!(robot["created"].as_str().unwrap().ends_with("-0000"));
    let (status, err) = call(&s, Method::PUT, &format!("{robots}/ci"), &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, err) = call(&s, Method::PUT, &format!("{robots}/X"), &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, err) = call(&s, Method::GET, robots, &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    // Granted through the permissions API, then listed with it.
    let grant = Some(json!({"role": "write"}));
    let path = "/api/v1/repository/acme/app/permissions/user/acme+ci";
    let (status, p) = call(&s, Method::PUT, path, &ALICE_API, grant).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        p,
        json!({"role": "write", "name": "acme+ci", "is_robot": true, "avatar": p["avatar"], "is_org_member": true})
    );
    let (_, list) = call(&s, Method::GET, &format!("{robots}?permissions=true&token=true"), &ALICE_API, None).await;
    assert_eq!(list["robots"][0]["name"], "acme+ci");
    assert_eq!(list["robots"][0]["token"], token.as_str());
    assert_eq!(list["robots"][0]["repositories"], json!(["app"]));
    // Tokens are listed unless left out (Quay's default).
    let (_, list) = call(&s, Method::GET, robots, &ALICE_API, None).await;
    assert_eq!(list["robots"][0]["token"], token.as_str());
    let (_, list) = call(&s, Method::GET, &format!("{robots}?token=false"), &ALICE_API, None).await;
    assert!(list["robots"][0].get("token").is_none());
    let login = |token: String| {
        let s = &s;
        async move { s.client.get(s.url("/v2/auth")).basic_auth("acme+ci", Some(token)).send().await.unwrap().status() }
    };
    assert_eq!(login(token.clone()).await, StatusCode::OK);

    // A new token replaces the old one.
    let (status, again) = call(&s, Method::POST, &format!("{robots}/ci/regenerate"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK);
    let new_token = secret(again["token"].as_str().unwrap().to_owned());
    assert_ne!(new_token, token);
    assert_eq!(login(token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login(new_token.clone()).await, StatusCode::OK);
    let (_, one) = call(&s, Method::GET, &format!("{robots}/ci"), &ALICE_API, None).await;
    assert_eq!(one["token"], new_token.as_str());

    let (status, _) = call(&s, Method::DELETE, &format!("{robots}/ci"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Quay answers a robot that is gone with a bare 400.
    let (status, gone) = call(&s, Method::GET, &format!("{robots}/ci"), &ALICE_API, None).await;
    assert_eq!(
        (status, gone),
        (StatusCode::BAD_REQUEST, json!({"message": "Could not find robot with specified username"}))
    );
    assert_eq!(login(new_token).await, StatusCode::UNAUTHORIZED);

    // The caller's own robots.
    let (status, mine) = call(&s, Method::PUT, "/api/v1/user/robots/bot", &ALICE_API, None).await;
    assert_eq!((status, mine["name"].clone()), (StatusCode::CREATED, json!("alice+bot")));
    let (_, list) = call(&s, Method::GET, "/api/v1/user/robots", &ALICE_API, None).await;
    assert_eq!(list["robots"].as_array().unwrap().len(), 1);
    let (_, list) = call(&s, Method::GET, "/api/v1/user/robots", &BOB_API, None).await;
    assert_eq!(list["robots"], json!([]));
}

#[tokio::test]
async fn repository_permissions_for_users_and_teams() {
    let s = Server::start().await;
    crate::setup::create_repo(&s.app, "alice/app", false).await.unwrap();
    let users = "/api/v1/repository/alice/app/permissions/user";
    let (status, list) = call(&s, Method::GET, &format!("{users}/"), &ALICE_API, None).await;
    assert_eq!((status, list), (StatusCode::OK, json!({"permissions": {}})));
    let (status, err) = call(&s, Method::GET, &format!("{users}/"), &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, p) = call(&s, Method::PUT, &format!("{users}/bob"), &ALICE_API, Some(json!({"role": "read"}))).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (p["role"].clone(), p["name"].clone(), p["is_robot"].clone()),
        (json!("read"), json!("bob"), json!(false))
    );
    let (status, _) = call(&s, Method::GET, "/api/v1/repository/alice/app", &BOB_API, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(&s, Method::GET, &format!("{users}/"), &ALICE_API, None).await;
    assert_eq!(list["permissions"]["bob"]["role"], "read");
    let (_, one) = call(&s, Method::GET, &format!("{users}/bob"), &ALICE_API, None).await;
    assert_eq!(one["role"], "read");
    for (who, body) in [("bob", json!({"role": "owner"})), ("nobody", json!({"role": "read"})), ("bob", json!({}))] {
        let (status, err) = call(&s, Method::PUT, &format!("{users}/{who}"), &ALICE_API, Some(body)).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let (status, _) = call(&s, Method::DELETE, &format!("{users}/bob"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::DELETE, &format!("{users}/bob"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&s, Method::GET, "/api/v1/repository/alice/app", &BOB_API, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Teams of the repository's organization.
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    crate::setup::create_team(&s.app, "acme", "builders", "member").await.unwrap();
    crate::setup::add_member(&s.app, "acme", "builders", "bob").await.unwrap();
    crate::setup::create_repo(&s.app, "acme/app", false).await.unwrap();
    let teams = "/api/v1/repository/acme/app/permissions/team";
    let (status, p) =
        call(&s, Method::PUT, &format!("{teams}/builders"), &ALICE_API, Some(json!({"role": "write"}))).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!((p["role"].clone(), p["name"].clone()), (json!("write"), json!("builders")));
    let (_, list) = call(&s, Method::GET, &format!("{teams}/"), &ALICE_API, None).await;
    assert_eq!(list["permissions"]["builders"]["role"], "write");
    let (_, view) = call(&s, Method::GET, "/api/v1/repository/acme/app", &BOB_API, None).await;
    assert_eq!((view["can_write"].clone(), view["can_admin"].clone()), (json!(true), json!(false)));
    let (status, err) =
        call(&s, Method::PUT, &format!("{teams}/ghosts"), &ALICE_API, Some(json!({"role": "read"}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, _) = call(&s, Method::DELETE, &format!("{teams}/builders"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, &format!("{teams}/builders"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn superusers_manage_users_and_organizations_and_users_their_password() {
    let s = Server::start_with("SECRET_KEY: api-superuser-secret\n").await;
    let admin = Auth::Basic(ADMIN);
    let (status, list) = call(&s, Method::GET, "/api/v1/superuser/users/", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let users = list["users"].as_array().unwrap();
    let me = users.iter().find(|u| u["username"] == "admin").unwrap();
    assert_eq!(
        (me["kind"].clone(), me["super_user"].clone(), me["enabled"].clone()),
        (json!("user"), json!(true), json!(true))
    );
    assert_eq!(users.iter().find(|u| u["username"] == "alice").unwrap()["super_user"], false);
    let (status, err) = call(&s, Method::GET, "/api/v1/superuser/users/", &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    let create = Some(json!({"username": "carol", "email": "carol@example.com"}));
    let (status, carol) = call(&s, Method::POST, "/api/v1/superuser/users/", &admin, create.clone()).await;
    assert_eq!(status, StatusCode::OK, "{carol}");
    assert_eq!((carol["username"].clone(), carol["email"].clone()), (json!("carol"), json!("carol@example.com")));
    let password = carol["password"].as_str().unwrap().to_owned();
    let encrypted = carol["encrypted_password"].as_str().unwrap().to_owned();
    let login = |user: &'static str, password: String| {
        let s = &s;
        async move { s.client.get(s.url("/v2/auth")).basic_auth(user, Some(password)).send().await.unwrap().status() }
    };
    assert_eq!(login("carol", password.clone()).await, StatusCode::OK);
    assert_eq!(login("carol", encrypted).await, StatusCode::OK);
    let (status, err) = call(&s, Method::POST, "/api/v1/superuser/users/", &admin, create).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    let (status, changed) =
        call(&s, Method::PUT, "/api/v1/superuser/users/carol", &admin, Some(json!({"enabled": false}))).await;
    assert_eq!((status, changed["enabled"].clone()), (StatusCode::OK, json!(false)));
    assert_eq!(login("carol", password.clone()).await, StatusCode::UNAUTHORIZED);
    let back = Some(json!({"enabled": true, "password": "carols-new-password", "email": "c@example.com"}));
    let (status, changed) = call(&s, Method::PUT, "/api/v1/superuser/users/carol", &admin, back).await;
    assert_eq!((status, changed["email"].clone()), (StatusCode::OK, json!("c@example.com")));
    assert_eq!(login("carol", "carols-new-password".into()).await, StatusCode::OK);
    let (status, err) = call(&s, Method::DELETE, "/api/v1/superuser/users/admin", &admin, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, err) =
        call(&s, Method::PUT, "/api/v1/superuser/users/admin", &admin, Some(json!({"password": "taken-over!"}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    // Addresses stay unique, and nothing changes when one part of a change is refused.
    let clash = Some(json!({"email": "alice@example.com", "password": "never-applied"}));
    let (status, err) = call(&s, Method::PUT, "/api/v1/superuser/users/carol", &admin, clash).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(login("carol", "carols-new-password".into()).await, StatusCode::OK);
    let (status, _) = call(&s, Method::DELETE, "/api/v1/superuser/users/carol", &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, "/api/v1/superuser/users/carol", &admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    crate::setup::create_org(&s.app, "acme", None).await.unwrap();
    let (_, orgs) = call(&s, Method::GET, "/api/v1/superuser/organizations/", &admin, None).await;
    assert_eq!(orgs["organizations"][0]["name"], "acme");
    let (status, _) = call(&s, Method::DELETE, "/api/v1/superuser/organizations/acme", &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, orgs) = call(&s, Method::GET, "/api/v1/superuser/organizations/", &admin, None).await;
    assert_eq!(orgs["organizations"], json!([]));

    // A user changes their own password.
    let (status, me) =
        call(&s, Method::PUT, "/api/v1/user/", &ALICE_API, Some(json!({"password": "alices-new-password"}))).await;
    assert_eq!((status, me["username"].clone()), (StatusCode::OK, json!("alice")));
    assert_eq!(login("alice", "alices-new-password".into()).await, StatusCode::OK);
    let (status, err) = call(&s, Method::PUT, "/api/v1/user/", &BOB_API, Some(json!({"password": "short"}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn action_logs_by_repository_namespace_and_performer_with_pages() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    let (manifest, _) = s.push_image(&t, "alice/app", "v1", b"layer").await;
    let digest = sha256(manifest.as_bytes());
    for i in 0..22 {
        let path = format!("/api/v1/repository/alice/app/tag/t{i}");
        let (status, _) = call(&s, Method::PUT, &path, &ALICE_API, Some(json!({"manifest_digest": digest}))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    s.app.audit.flush().await;
    let (status, page) = call(&s, Method::GET, "/api/v1/repository/alice/app/logs", &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["start_time"].as_str().unwrap().ends_with("-0000") && page["end_time"].is_string());
    let logs = page["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 20);
    assert_eq!(logs[0]["kind"], "create_tag");
    assert_eq!(logs[0]["metadata"]["tag"], "t21");
    assert_eq!(logs[0]["metadata"]["manifest_digest"], digest.as_str());
    assert_eq!(logs[0]["performer"]["name"], "alice");
    let next = page["next_page"].as_str().unwrap();
    let (_, rest) =
        call(&s, Method::GET, &format!("/api/v1/repository/alice/app/logs?next_page={next}"), &ALICE_API, None).await;
    let kinds: Vec<&str> = rest["logs"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"push_repo") && kinds.contains(&"create_tag"), "{kinds:?}");
    assert!(rest.get("next_page").is_none());

    let (_, by_bob) = call(&s, Method::GET, "/api/v1/repository/alice/app/logs?performer=bob", &ALICE_API, None).await;
    assert_eq!(by_bob["logs"], json!([]));
    let (_, mine) = call(&s, Method::GET, "/api/v1/user/logs", &ALICE_API, None).await;
    assert_eq!(mine["logs"].as_array().unwrap().len(), 20);
    let (_, old) =
        call(&s, Method::GET, "/api/v1/user/logs?starttime=01/01/2020&endtime=01/02/2020", &ALICE_API, None).await;
    assert_eq!(old["logs"], json!([]));
    for bad in ["starttime=yesterday", "starttime=01/01/2020&endtime=12/31/2020", "next_page=nope"] {
        let (status, err) = call(&s, Method::GET, &format!("/api/v1/user/logs?{bad}"), &ALICE_API, None).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let (status, err) = call(&s, Method::GET, "/api/v1/repository/alice/app/logs", &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
}

#[tokio::test]
async fn manifests_with_layers_and_labels() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    let (manifest, _) = s.push_image(&t, "alice/app", "v1", b"the layer").await;
    let digest = sha256(manifest.as_bytes());
    let base = format!("/api/v1/repository/alice/app/manifest/{digest}");
    let (status, m) = call(&s, Method::GET, &base, &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!((m["digest"].clone(), m["is_manifest_list"].clone()), (json!(digest), json!(false)));
    assert_eq!(m["manifest_data"], manifest.as_str());
    assert_eq!(m["layers"][0]["index"], 0);
    assert_eq!(m["layers"][0]["blob_digest"], sha256(b"the layer").as_str());
    assert_eq!(m["layers"][0]["compressed_size"], 9);
    assert_eq!(m["layers"][0]["is_remote"], false);
    let (status, _) = call(
        &s,
        Method::GET,
        &format!("/api/v1/repository/alice/app/manifest/sha256:{}", "1".repeat(64)),
        &ALICE_API,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = call(&s, Method::GET, &base, &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");

    let labels = format!("{base}/labels");
    let (status, list) = call(&s, Method::GET, &labels, &ALICE_API, None).await;
    assert_eq!((status, list), (StatusCode::OK, json!({"labels": []})));
    let add = Some(json!({"key": "com.example.team", "value": "mirrors", "media_type": "text/plain"}));
    let (status, added) = call(&s, Method::POST, &labels, &ALICE_API, add).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let label = &added["label"];
    assert_eq!(
        (label["key"].clone(), label["value"].clone(), label["source_type"].clone(), label["media_type"].clone()),
        (json!("com.example.team"), json!("mirrors"), json!("api"), json!("text/plain"))
    );
    let id = label["id"].as_str().unwrap().to_owned();
    let json_label = Some(json!({"key": "config", "value": "{\"a\": 1}", "media_type": "application/json"}));
    let (status, _) = call(&s, Method::POST, &labels, &ALICE_API, json_label).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, filtered) = call(&s, Method::GET, &format!("{labels}?filter=com."), &ALICE_API, None).await;
    assert_eq!(filtered["labels"].as_array().unwrap().len(), 1);
    let (_, one) = call(&s, Method::GET, &format!("{labels}/{id}"), &ALICE_API, None).await;
    assert_eq!(one["value"], "mirrors");
    for bad in [
        json!({"key": "Bad Key", "value": "x"}),
        json!({"key": "com.docker.thing", "value": "x"}),
        json!({"key": "ok", "value": "{not json", "media_type": "application/json"}),
        json!({"key": "ok", "value": "x", "media_type": "text/html"}),
        json!({"key": "ok"}),
    ] {
        let (status, err) = call(&s, Method::POST, &labels, &ALICE_API, Some(bad.clone())).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let (status, err) = call(&s, Method::POST, &labels, &BOB_API, Some(json!({"key": "k", "value": "v"}))).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, _) = call(&s, Method::DELETE, &format!("{labels}/{id}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, &format!("{labels}/{id}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The image configuration's labels become the manifest's labels on push (source `manifest`,
    // which cannot be deleted), as Quay records them.
    let config = br#"{"architecture":"amd64","os":"linux","config":{"Labels":{"maintainer":"ops","io.example.meta":"{\"a\": 1}"}}}"#;
    let config_digest = s.push_blob(&t, "alice/app", config).await;
    let layer = s.push_blob(&t, "alice/app", b"labelled layer").await;
    let labelled = image_manifest(&config_digest, config.len(), &[(&layer, 14)], None);
    let r = s.put_manifest(&t, "alice/app", "labelled", OCI_MANIFEST, &labelled).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let path = format!("/api/v1/repository/alice/app/manifest/{}/labels", sha256(labelled.as_bytes()));
    let (_, list) = call(&s, Method::GET, &path, &ALICE_API, None).await;
    let labels = list["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 2, "{list}");
    let maintainer = labels.iter().find(|l| l["key"] == "maintainer").unwrap();
    assert_eq!((maintainer["value"].clone(), maintainer["source_type"].clone()), (json!("ops"), json!("manifest")));
    let meta = labels.iter().find(|l| l["key"] == "io.example.meta").unwrap();
    assert_eq!(meta["media_type"], "application/json");
    let id = maintainer["id"].as_str().unwrap();
    let (status, err) = call(&s, Method::DELETE, &format!("{path}/{id}"), &ALICE_API, None).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn autoprune_policies_for_organizations_users_and_repositories() {
    let s = Server::start().await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    crate::setup::create_repo(&s.app, "acme/app", false).await.unwrap();
    for base in [
        "/api/v1/organization/acme/autoprunepolicy/",
        "/api/v1/user/autoprunepolicy/",
        "/api/v1/repository/acme/app/autoprunepolicy/",
    ] {
        let policy = json!({"method": "number_of_tags", "value": 10, "tagPattern": "^v", "tagPatternMatches": true});
        let (status, created) = call(&s, Method::POST, base, &ALICE_API, Some(policy.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{base}: {created}");
        let uuid = created["uuid"].as_str().unwrap().to_owned();
        let (status, err) = call(&s, Method::POST, base, &ALICE_API, Some(policy)).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
        let (_, list) = call(&s, Method::GET, base, &ALICE_API, None).await;
        assert_eq!(
            list,
            json!({"policies": [{"uuid": uuid, "method": "number_of_tags", "value": 10, "tagPattern": "^v", "tagPatternMatches": true}]}),
            "{base}"
        );
        let one = format!("{base}{uuid}");
        let change = Some(json!({"method": "creation_date", "value": "7d"}));
        let (status, _) = call(&s, Method::PUT, &one, &ALICE_API, change).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, got) = call(&s, Method::GET, &one, &ALICE_API, None).await;
        assert_eq!((got["method"].clone(), got["value"].clone()), (json!("creation_date"), json!("7d")));
        for bad in [
            json!({"method": "number_of_tags", "value": 0}),
            json!({"method": "creation_date", "value": "soon"}),
            json!({"method": "everything", "value": 1}),
            json!({"method": "number_of_tags", "value": 3, "tagPattern": "("}),
        ] {
            let (status, err) = call(&s, Method::POST, base, &ALICE_API, Some(bad.clone())).await;
            assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
        }
        let (status, deleted) = call(&s, Method::DELETE, &one, &ALICE_API, None).await;
        assert_eq!((status, deleted), (StatusCode::OK, json!({"uuid": uuid})));
        let (status, _) = call(&s, Method::GET, &one, &ALICE_API, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, err) = call(&s, Method::GET, "/api/v1/organization/acme/autoprunepolicy/", &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
}

#[tokio::test]
async fn organization_quotas_and_their_thresholds_refuse_pushes() {
    let s = Server::start_with("FEATURE_QUOTA_MANAGEMENT: true\n").await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    let admin = Auth::Basic(ADMIN);
    let base = "/api/v1/organization/acme/quota";
    let (status, err) = call(&s, Method::POST, base, &ALICE_API, Some(json!({"limit_bytes": 1000}))).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
    let (status, created) = call(&s, Method::POST, base, &admin, Some(json!({"limit_bytes": 1000}))).await;
    assert_eq!((status, created), (StatusCode::CREATED, json!("Created")));
    let (status, err) = call(&s, Method::POST, base, &admin, Some(json!({"limit_bytes": 1000}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, list) = call(&s, Method::GET, base, &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let quota = &list[0];
    assert_eq!((quota["limit_bytes"].clone(), quota["limit"].clone()), (json!(1000), json!("1000 bytes")));
    assert_eq!(quota["limits"], json!([]));
    let id = quota["id"].as_i64().unwrap();
    let limits = format!("{base}/{id}/limit");
    let reject = Some(json!({"type": "Reject", "threshold_percent": 100}));
    let (status, _) = call(&s, Method::POST, &limits, &admin, reject).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, err) =
        call(&s, Method::POST, &limits, &admin, Some(json!({"type": "Maybe", "threshold_percent": 5}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    let (_, listed) = call(&s, Method::GET, &limits, &ALICE_API, None).await;
    assert_eq!((listed[0]["type"].clone(), listed[0]["limit_percent"].clone()), (json!("Reject"), json!(100)));

    // Over the limit, a push into the organization is refused.
    let t = s.push_token(ALICE, "acme/app").await;
    let r = s.req(Method::POST, "/v2/acme/app/blobs/uploads/", &t).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let big = vec![1u8; 2000];
    let sep = if location.contains('?') { '&' } else { '?' };
    let r = s.req(Method::PUT, &format!("{location}{sep}digest={}", sha256(&big)), &t).body(big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let limit_id = listed[0]["id"].as_i64().unwrap();
    let change = Some(json!({"type": "Warning", "threshold_percent": 80}));
    let (status, q) = call(&s, Method::PUT, &format!("{limits}/{limit_id}"), &admin, change).await;
    assert_eq!((status, q["limits"][0]["type"].clone()), (StatusCode::OK, json!("Warning")));
    let (status, q) = call(&s, Method::PUT, &format!("{base}/{id}"), &admin, Some(json!({"limit_bytes": 5000}))).await;
    assert_eq!((status, q["limit_bytes"].clone()), (StatusCode::OK, json!(5000)));
    let (status, _) = call(&s, Method::DELETE, &format!("{limits}/{limit_id}"), &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::GET, &format!("{base}/nope"), &admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&s, Method::DELETE, &format!("{base}/{id}"), &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = call(&s, Method::GET, base, &ALICE_API, None).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn default_permissions_apply_to_repositories_created_in_the_organization() {
    let s = Server::start().await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    crate::setup::create_team(&s.app, "acme", "builders", "creator").await.unwrap();
    crate::setup::add_member(&s.app, "acme", "builders", "bob").await.unwrap();
    crate::setup::create_team(&s.app, "acme", "readers", "member").await.unwrap();
    let base = "/api/v1/organization/acme/prototypes";
    let (status, list) = call(&s, Method::GET, base, &ALICE_API, None).await;
    assert_eq!((status, list), (StatusCode::OK, json!({"prototypes": []})));
    let for_readers = Some(json!({"role": "read", "delegate": {"name": "readers", "kind": "team"}}));
    let (status, p) = call(&s, Method::POST, base, &ALICE_API, for_readers).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (p["role"].clone(), p["delegate"]["name"].clone(), p["delegate"]["kind"].clone()),
        (json!("read"), json!("readers"), json!("team"))
    );
    assert_eq!(p["activating_user"], Value::Null);
    let id = p["id"].as_str().unwrap().to_owned();
    let when_bob = Some(
        json!({"role": "write", "delegate": {"name": "admin", "kind": "user"}, "activating_user": {"name": "bob"}}),
    );
    let (status, p) = call(&s, Method::POST, base, &ALICE_API, when_bob).await;
    assert_eq!((status, p["activating_user"]["name"].clone()), (StatusCode::OK, json!("bob")));
    for bad in [
        json!({"role": "read", "delegate": {"name": "ghosts", "kind": "team"}}),
        json!({"role": "owner", "delegate": {"name": "readers", "kind": "team"}}),
        json!({"role": "read", "delegate": {"name": "readers", "kind": "planet"}}),
    ] {
        let (status, err) = call(&s, Method::POST, base, &ALICE_API, Some(bad.clone())).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");
    }

    // Bob creates a repository: he administers it, readers read it, admin (for bob's) writes.
    let create = Some(json!({"repository": "app", "visibility": "private", "namespace": "acme"}));
    let (status, _) = call(&s, Method::POST, "/api/v1/repository", &BOB_API, create).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, users) = call(&s, Method::GET, "/api/v1/repository/acme/app/permissions/user/", &ALICE_API, None).await;
    assert_eq!(users["permissions"]["bob"]["role"], "admin", "{users}");
    assert_eq!(users["permissions"]["admin"]["role"], "write", "{users}");
    let (_, teams) = call(&s, Method::GET, "/api/v1/repository/acme/app/permissions/team/", &ALICE_API, None).await;
    assert_eq!(teams["permissions"]["readers"]["role"], "read", "{teams}");

    let (status, p) = call(&s, Method::PUT, &format!("{base}/{id}"), &ALICE_API, Some(json!({"role": "write"}))).await;
    assert_eq!((status, p["role"].clone()), (StatusCode::OK, json!("write")));
    let (status, _) = call(&s, Method::DELETE, &format!("{base}/{id}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&s, Method::DELETE, &format!("{base}/{id}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = call(&s, Method::GET, base, &BOB_API, None).await;
    assert_error(status, &err, StatusCode::FORBIDDEN, "insufficient_scope");
}

/// Every operation that needs a scope other than `repo:read` answers an anonymous caller 401 with
/// Quay's body, whatever the body and parameters; `repo:read` ones do on a private repository.
#[tokio::test]
async fn every_operation_needs_credentials_except_public_reads() {
    let s = Server::start().await;
    crate::setup::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    let t = s.push_token(ALICE, "alice/app").await;
    let (manifest, _) = s.push_image(&t, "alice/app", "v1", b"layer").await;
    let digest = sha256(manifest.as_bytes());
    let (_, doc) = call(&s, Method::GET, "/api/v1/discovery", &Auth::Anonymous, None).await;
    let values = [
        ("{namespace}", "alice"),
        ("{repo}", "app"),
        ("{orgname}", "acme"),
        ("{teamname}", "owners"),
        ("{membername}", "bob"),
        ("{username}", "bob"),
        ("{robot_shortname}", "ci"),
        ("{tag}", "v1"),
        ("{manifestref}", digest.as_str()),
        ("{labelid}", "x"),
        ("{policy_uuid}", "x"),
        ("{quota_id}", "1"),
        ("{limit_id}", "1"),
        ("{prototypeid}", "x"),
        ("{name}", "acme"),
        ("{token_uuid}", "x"),
    ];
    let mut checked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, op) in operations.as_object().unwrap() {
            let open = op["security"][0].as_object().is_some_and(|o| o.is_empty());
            if open || ["listRepos", "getOrganization"].contains(&op["operationId"].as_str().unwrap()) {
                continue;
            }
            let mut url = path.clone();
            for (param, value) in values {
                url = url.replace(param, value);
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = matches!(method, Method::POST | Method::PUT).then(|| json!({}));
            let (status, err) = call(&s, method.clone(), &url, &Auth::Anonymous, body).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url}: {err}");
            assert_error(status, &err, StatusCode::UNAUTHORIZED, "invalid_token");
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} operations checked");
}

/// Tags made immutable (by a Python Quay's immutability policy sharing the database) do not change.
#[tokio::test]
async fn immutable_tags_do_not_change() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"layer").await;
    let db = s.db().await;
    let statement =
        quay::db::sql(db.backend(), "UPDATE tag SET immutable = ? WHERE name = ?", vec![true.into(), "v1".into()]);
    sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
    db.close().await;
    let later = chrono::Utc::now().timestamp() + 3600;
    for (method, body) in [(Method::DELETE, None), (Method::PUT, Some(json!({"expiration": later})))] {
        let (status, err) = call(&s, method, "/api/v1/repository/alice/app/tag/v1", &ALICE_API, body).await;
        assert_error(status, &err, StatusCode::CONFLICT, "tag_immutable");
    }
    let (_, tags) =
        call(&s, Method::GET, "/api/v1/repository/alice/app/tag/?onlyActiveTags=true", &ALICE_API, None).await;
    assert_eq!((tags["tags"][0]["name"].clone(), tags["tags"][0]["immutable"].clone()), (json!("v1"), json!(true)));
}

#[tokio::test]
async fn app_tokens_are_created_shown_used_and_revoked() {
    let s = Server::start_with("DATABASE_SECRET_KEY: api-apptoken-key\n").await;
    let (status, created) =
        call(&s, Method::POST, "/api/v1/user/apptoken", &ALICE_API, Some(json!({"title": "laptop"}))).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let token = &created["token"];
    assert_eq!(token["title"], "laptop");
    assert!(token["created"].as_str().unwrap().ends_with("-0000") && token["expiration"].is_null());
    let code = secret(token["token_code"].as_str().unwrap().to_owned());
    assert_eq!(code.len(), 120);
    let uuid = token["uuid"].as_str().unwrap().to_owned();
    let r = s.client.get(s.url("/v2/auth")).basic_auth("$app", Some(&code)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let (_, list) = call(&s, Method::GET, "/api/v1/user/apptoken", &ALICE_API, None).await;
    assert_eq!(list["tokens"][0]["uuid"], uuid.as_str());
    assert!(list["tokens"][0].get("token_code").is_none(), "codes are not listed");
    let (_, one) = call(&s, Method::GET, &format!("/api/v1/user/apptoken/{uuid}"), &ALICE_API, None).await;
    assert_eq!(one["token"]["token_code"], code.as_str());
    let (status, _) = call(&s, Method::GET, &format!("/api/v1/user/apptoken/{uuid}"), &BOB_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = call(&s, Method::POST, "/api/v1/user/apptoken", &ALICE_API, Some(json!({"title": ""}))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_request");

    let (status, _) = call(&s, Method::DELETE, &format!("/api/v1/user/apptoken/{uuid}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = s.client.get(s.url("/v2/auth")).basic_auth("$app", Some(&code)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = call(&s, Method::DELETE, &format!("/api/v1/user/apptoken/{uuid}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Answers shaped as Quay's own (`../shared/reference/quay-api-answers.json`, recorded from
/// Quay): absolute `type` URLs in error bodies, and a tag change with nothing to change as a no-op
/// 201.
#[tokio::test]
async fn answers_are_shaped_as_quays() {
    let s = Server::start().await;
    let (status, body) = call(&s, Method::GET, "/api/v1/user/", &Auth::Anonymous, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["type"], format!("http://{}/api/v1/error/invalid_token", s.host));
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"layer").await;
    let (status, body) =
        call(&s, Method::PUT, "/api/v1/repository/alice/app/tag/v1", &ALICE_API, Some(json!({}))).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!("Updated")));
    let (status, _) = call(&s, Method::PUT, "/api/v1/repository/alice/app/tag/v1", &BOB_API, Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Quay's layer view: each layer's command, author and date from the image configuration's
/// history (entries marked `empty_layer` made none), and a list's compressed size 0.
#[tokio::test]
async fn manifest_layers_carry_their_history() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/hist").await;
    let config = json!({"architecture": "amd64", "os": "linux", "history": [
        {"created": "2024-01-01T00:00:00Z", "created_by": "ADD base.tar /", "author": "ops"},
        {"created": "2024-01-02T00:00:00Z", "created_by": "ENV A=b", "empty_layer": true},
        {"created": "2024-01-03T12:30:00Z", "created_by": "RUN make", "comment": "build"},
    ]})
    .to_string();
    let config_digest = s.push_blob(&t, "alice/hist", config.as_bytes()).await;
    let (a, b) = (s.push_blob(&t, "alice/hist", b"base").await, s.push_blob(&t, "alice/hist", b"make").await);
    let manifest = image_manifest(&config_digest, config.len(), &[(&a, 4), (&b, 4)], None);
    assert_eq!(s.put_manifest(&t, "alice/hist", "v1", OCI_MANIFEST, &manifest).await.status(), StatusCode::CREATED);
    let digest = sha256(manifest.as_bytes());
    let (status, view) =
        call(&s, Method::GET, &format!("/api/v1/repository/alice/hist/manifest/{digest}"), &ALICE_API, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["layers_compressed_size"], 8);
    let layers = view["layers"].as_array().unwrap();
    assert_eq!(layers[0]["command"], json!(["ADD base.tar /"]));
    assert_eq!(layers[0]["author"], "ops");
    assert_eq!(layers[0]["created_datetime"], "Mon, 01 Jan 2024 00:00:00 -0000");
    assert_eq!(layers[1]["command"], json!(["RUN make"]));
    assert_eq!(layers[1]["comment"], "build");
    assert_eq!(layers[1]["created_datetime"], "Wed, 03 Jan 2024 12:30:00 -0000");

    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": digest, "size": manifest.len()}]})
    .to_string();
    assert_eq!(s.put_manifest(&t, "alice/hist", "list", OCI_INDEX, &index).await.status(), StatusCode::CREATED);
    let (_, view) = call(
        &s,
        Method::GET,
        &format!("/api/v1/repository/alice/hist/manifest/{}", sha256(index.as_bytes())),
        &ALICE_API,
        None,
    )
    .await;
    assert_eq!((view["is_manifest_list"].clone(), view["layers_compressed_size"].clone()), (json!(true), json!(0)));
    assert_eq!(view["layers"], Value::Null);
}
