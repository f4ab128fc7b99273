//! Identity and access over HTTP: robots, organizations and teams, disabled accounts, repository
//! states, and tokens that must be refused.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

const SECRET: &str =
    "DATABASE_SECRET_KEY: \"60819670227914197377449333332023941570310823814007397361459893170384762698201\"\n";

/// Status of a token request and the actions granted on the first scope.
async fn grant(s: &Server, user: (&str, &str), scope: &str) -> (StatusCode, serde_json::Value) {
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("service", s.host.as_str()), ("scope", scope)])
        .basic_auth(user.0, Some(user.1))
        .send()
        .await
        .unwrap();
    let status = r.status();
    if status != StatusCode::OK {
        return (status, json!(null));
    }
    let token = r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (status, claims["access"][0]["actions"].clone())
}

#[tokio::test]
async fn robots_push_and_pull_with_their_token() {
    let s = Server::start_with(SECRET).await;
    let db = s.db().await;
    let enc = s.secrets();
    crate::setup::create_repo(&s.app, "alice/app", false).await.unwrap();
    let (robot, token) = crate::setup::create_robot(&s.app, Some(&enc), "alice", "ci", "pushes from CI").await.unwrap();
    secret(&token);
    assert_eq!(robot, "alice+ci");
    // No grant yet: the robot may do nothing, not even in its owner's namespace.
    assert_eq!(grant(&s, ("alice+ci", &token), "repository:alice/app:pull,push").await.1, json!([]));
    crate::setup::grant(&s.app, "alice/app", crate::setup::Grantee::User("alice+ci"), "write").await.unwrap();
    assert_eq!(grant(&s, ("alice+ci", &token), "repository:alice/app:pull,push").await.1, json!(["pull", "push"]));
    assert_eq!(grant(&s, ("alice+ci", &token), "repository:alice/other:pull,push").await.1, json!([]));
    assert_eq!(grant(&s, ("alice+ci", "WRONG"), "repository:alice/app:pull").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(grant(&s, ("bob+ci", &token), "repository:alice/app:pull").await.0, StatusCode::UNAUTHORIZED);

    // The stored token is Quay's encrypted field, not the token itself.
    let stored = quay::db::robot::robot_token(
        &db.read,
        quay::db::user::find_user(&db.read, "alice+ci").await.unwrap().unwrap().id,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(stored.starts_with("v0$$") && !stored.contains(&token));
    assert_eq!(enc.decrypt(&stored).unwrap(), token);

    // skopeo pushes as the robot.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("img");
    let (manifest, _) = single_image_layout(&layout, &[]);
    let args = vec![
        "copy".to_owned(),
        "--dest-tls-verify=false".to_owned(),
        "--dest-creds".to_owned(),
        format!("alice+ci:{token}"),
        format!("oci:{}:v1", layout.display()),
        format!("docker://{}/alice/app:v1", s.host),
    ];
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("skopeo").args(&args).output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = s.token(Some(ALICE), &["repository:alice/app:pull"]).await;
    let r = s.req(Method::GET, "/v2/alice/app/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), manifest);

    // Rotation retires the old token; deletion retires the robot.
    let new_token = crate::setup::rotate_robot(&s.app, Some(&enc), "alice+ci").await.unwrap();
    assert_eq!(grant(&s, ("alice+ci", &token), "repository:alice/app:pull").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(grant(&s, ("alice+ci", &new_token), "repository:alice/app:pull").await.1, json!(["pull"]));
    crate::setup::delete_robot(&s.app, "alice+ci").await.unwrap();
    assert_eq!(grant(&s, ("alice+ci", &new_token), "repository:alice/app:pull").await.0, StatusCode::UNAUTHORIZED);
    db.close().await;
}

#[tokio::test]
async fn organizations_teams_and_permissions() {
    let s = Server::start_with(SECRET).await;
    let db = s.db().await;
    use crate::setup::{self as id, Grantee};
    id::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    id::create_team(&s.app, "acme", "readers", "member").await.unwrap();
    id::create_team(&s.app, "acme", "builders", "creator").await.unwrap();
    id::create_repo(&s.app, "acme/app", false).await.unwrap();
    let carol = ("carol", "carol-password");
    id::create_user(&s.app, "carol", None, carol.1).await.unwrap();

    // alice is in `owners`: admin of every repository of the organization.
    assert_eq!(grant(&s, ALICE, "repository:acme/app:pull,push,*").await.1, json!(["pull", "push", "*"]));
    // bob has nothing until his team gets a grant.
    assert_eq!(grant(&s, BOB, "repository:acme/app:pull").await.1, json!([]));
    id::add_member(&s.app, "acme", "readers", "bob").await.unwrap();
    assert_eq!(grant(&s, BOB, "repository:acme/app:pull").await.1, json!([]));
    id::grant(&s.app, "acme/app", Grantee::Team("readers"), "read").await.unwrap();
    assert_eq!(grant(&s, BOB, "repository:acme/app:pull,push").await.1, json!(["pull"]));
    // A direct grant adds to the team's.
    id::grant(&s.app, "acme/app", Grantee::User("bob"), "write").await.unwrap();
    assert_eq!(grant(&s, BOB, "repository:acme/app:pull,push").await.1, json!(["pull", "push"]));
    id::revoke(&s.app, "acme/app", Grantee::User("bob")).await.unwrap();
    assert_eq!(grant(&s, BOB, "repository:acme/app:pull,push").await.1, json!(["pull"]));
    id::remove_member(&s.app, "acme", "readers", "bob").await.unwrap();
    assert_eq!(grant(&s, BOB, "repository:acme/app:pull").await.1, json!([]));

    // Creators may create repositories by pushing, and administer what they create.
    assert_eq!(grant(&s, carol, "repository:acme/new:pull,push").await.1, json!([]));
    id::add_member(&s.app, "acme", "builders", "carol").await.unwrap();
    assert_eq!(grant(&s, carol, "repository:acme/new:pull,push").await.1, json!(["pull", "push"]));
    let listed = id::list_repos(&s.app, Some("acme")).await.unwrap();
    assert!(listed.iter().any(|r| r.name == "new" && !r.public), "created private: {listed:?}");
    assert_eq!(
        grant(&s, carol, "repository:acme/app:pull").await.1,
        json!([]),
        "creator gives no access to others' repositories"
    );

    // Catalog: what the caller can read.
    let cat = s.token(Some(BOB), &["registry:catalog:*"]).await;
    let body: serde_json::Value = s.req(Method::GET, "/v2/_catalog", &cat).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["repositories"], json!([]));
    let cat = s.token(Some(ALICE), &["registry:catalog:*"]).await;
    let body: serde_json::Value = s.req(Method::GET, "/v2/_catalog", &cat).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["repositories"], json!(["acme/app", "acme/new"]));

    // Disabled users cannot sign in; a disabled namespace grants nothing.
    id::set_enabled(&s.app, "carol", false).await.unwrap();
    assert_eq!(grant(&s, carol, "repository:acme/new:pull").await.0, StatusCode::UNAUTHORIZED);
    id::set_enabled(&s.app, "acme", false).await.unwrap();
    // Quay's answer for a disabled namespace: 405 for the whole request.
    assert_eq!(grant(&s, ALICE, "repository:acme/app:pull,push").await.0, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(grant(&s, ADMIN, "repository:acme/app:pull,push").await.0, StatusCode::METHOD_NOT_ALLOWED);
    id::set_enabled(&s.app, "acme", true).await.unwrap();

    // Visibility and deletion.
    id::set_visibility(&s.app, "acme/app", true).await.unwrap();
    let r = s.req(Method::GET, "/v2/acme/app/tags/list", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    id::delete_repo(&s.app, "acme/app").await.unwrap();
    let r = s.req(Method::GET, "/v2/acme/app/tags/list", "").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    id::create_repo(&s.app, "acme/app", false).await.unwrap();
    db.close().await;
}

#[tokio::test]
async fn read_only_and_mirror_repositories_refuse_pushes() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/frozen").await;
    s.push_image(&t, "alice/frozen", "v1", b"l").await;
    let db = s.db().await;
    for state in [quay::db::repository::repo_state::READ_ONLY, quay::db::repository::repo_state::MIRROR] {
        use sea_orm::ConnectionTrait as _;
        db.write
            .execute_unprepared(&format!("UPDATE repository SET state = {state} WHERE name = 'frozen'"))
            .await
            .unwrap();
        assert_eq!(grant(&s, ALICE, "repository:alice/frozen:pull,push").await.1, json!(["pull"]));
        // A token issued before the state changed does not get around it.
        let r = s.req(Method::POST, "/v2/alice/frozen/blobs/uploads/", &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        let r = s.req(Method::DELETE, "/v2/alice/frozen/manifests/v1", &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        let r = s.req(Method::GET, "/v2/alice/frozen/manifests/v1", &t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    db.close().await;
}

#[tokio::test]
async fn forged_expired_and_misdirected_tokens_are_refused() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    s.push_image(&t, "alice/app", "v1", b"l").await;
    let get = |token: String| {
        let s = &s;
        async move { s.req(Method::GET, "/v2/alice/app/manifests/v1", &token).send().await.unwrap().status() }
    };
    assert_eq!(get(t.clone()).await, StatusCode::OK);

    // Tampered payload (scope escalation to another repository), signature kept.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = t.split('.').collect();
    let mut claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["access"][0]["name"] = json!("bob/secret");
    let forged = format!("{}.{}.{}", parts[0], b64.encode(claims.to_string()), parts[2]);
    let r = s.req(Method::GET, "/v2/bob/secret/tags/list", &forged).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("Bearer realm="));
    // A token for one repository does not open another.
    let bob = s.push_token(BOB, "bob/secret").await;
    s.push_image(&bob, "bob/secret", "v1", b"x").await;
    let r = s.req(Method::GET, "/v2/bob/secret/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Signed with this server's key but expired, for another audience, or from another issuer.
    let pem = std::fs::read_to_string(s.dir.path().join("quay.pem")).unwrap();
    let key = quay::auth::keys::SigningKey::from_pem(&pem).unwrap();
    let now = chrono::Utc::now().timestamp();
    let sign = |key: &quay::auth::keys::SigningKey, claims: serde_json::Value| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap()
    };
    let base = json!({"iss": "quay", "aud": s.host, "sub": "alice", "nbf": now, "iat": now, "exp": now + 300,
        "access": [{"type": "repository", "name": "alice/app", "actions": ["pull"]}],
        "context": {"version": 2, "entity_kind": "user", "kind": "user"}});
    assert_eq!(get(sign(&key, base.clone())).await, StatusCode::OK, "the control token works");
    let mut expired = base.clone();
    expired["iat"] = json!(now - 4000);
    expired["nbf"] = json!(now - 4000);
    expired["exp"] = json!(now - 400);
    assert_eq!(get(sign(&key, expired)).await, StatusCode::UNAUTHORIZED);
    let mut audience = base.clone();
    audience["aud"] = json!("elsewhere.example");
    assert_eq!(get(sign(&key, audience)).await, StatusCode::UNAUTHORIZED);
    let mut issuer = base.clone();
    issuer["iss"] = json!("someone-else");
    assert_eq!(get(sign(&key, issuer)).await, StatusCode::UNAUTHORIZED);
    let mut too_long = base.clone();
    too_long["exp"] = json!(now + 86_400);
    assert_eq!(get(sign(&key, too_long)).await, StatusCode::UNAUTHORIZED);
    // A key that is not registered in servicekey.
    let other = tempfile::tempdir().unwrap();
    let stranger =
        quay::auth::keys::SigningKey::load_or_generate(&other.path().join("k.pem"), &other.path().join("k.kid"))
            .unwrap();
    assert_eq!(get(sign(&stranger, base.clone())).await, StatusCode::UNAUTHORIZED);
    // Not RS256.
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &base,
        &jsonwebtoken::EncodingKey::from_secret(b"guess"),
    )
    .unwrap();
    assert_eq!(get(hs).await, StatusCode::UNAUTHORIZED);
}

/// Every actor against every kind of repository: the token's grants, what HTTP then allows, and
/// the catalog. `P` pull, `W` push, `A` admin (`*`).
#[tokio::test]
async fn permission_matrix() {
    use crate::setup::{self as id, Grantee};
    use sea_orm::ConnectionTrait as _;
    let s = Server::start_with(SECRET).await;
    let db = s.db().await;
    let enc = s.secrets();
    id::create_org(&s.app, "acme", Some("alice")).await.unwrap();
    id::create_team(&s.app, "acme", "readers", "member").await.unwrap();
    for (user, password) in [("carol", "carol-password"), ("dave", "dave-password"), ("erin", "erin-password")] {
        id::create_user(&s.app, user, None, password).await.unwrap();
    }
    id::add_member(&s.app, "acme", "readers", "carol").await.unwrap();
    let (_, ci) = id::create_robot(&s.app, Some(&enc), "acme", "ci", "").await.unwrap();
    secret(&ci);
    let (_, mirror) = id::create_robot(&s.app, Some(&enc), "acme", "mirror", "").await.unwrap();
    secret(&mirror);
    let repos = ["public", "private", "readonly", "mirror"];
    s.push_token(ALICE, "acme/seed").await;
    for r in repos {
        let path = format!("acme/{r}");
        let t = s.push_token(ALICE, &path).await;
        s.push_image(&t, &path, "v1", r.as_bytes()).await;
        id::grant(&s.app, &path, Grantee::Team("readers"), "read").await.unwrap();
        for writer in ["dave", "erin", "acme+ci", "acme+mirror"] {
            id::grant(&s.app, &path, Grantee::User(writer), "write").await.unwrap();
        }
    }
    id::set_visibility(&s.app, "acme/public", true).await.unwrap();
    let mirror_robot = quay::db::user::find_user(&db.read, "acme+mirror").await.unwrap().unwrap().id;
    let repo_id = |name: &str| {
        let db = &db;
        let name = name.to_owned();
        async move { db.find_repository("acme", &name).await.unwrap().unwrap().id }
    };
    let (ro, mi) = (repo_id("readonly").await, repo_id("mirror").await);
    db.write.execute_unprepared(&format!("UPDATE repository SET state = 1 WHERE id = {ro}")).await.unwrap();
    db.write.execute_unprepared(&format!("UPDATE repository SET state = 2 WHERE id = {mi}")).await.unwrap();
    db.write
        .execute_unprepared(&format!(
            "INSERT INTO repomirrorrule (uuid, repository_id, creation_date, rule_type, rule_value) VALUES ('r1', {mi}, '2026-01-01 00:00:00', 1, '[\"*\"]');
             INSERT INTO repomirrorconfig (repository_id, creation_date, is_enabled, mirror_type, internal_robot_id, external_registry_config, sync_status, root_rule_id, external_reference)
             VALUES ({mi}, '2026-01-01 00:00:00', true, 1, {mirror_robot}, '{{}}', 0, (SELECT id FROM repomirrorrule WHERE uuid = 'r1'), 'quay.io/x/y')"
        ))
        .await
        .unwrap();
    id::set_enabled(&s.app, "erin", false).await.unwrap();

    // actor, credentials, expected grants on public/private/readonly/mirror, expected catalog.
    type Row<'a> = (&'a str, Option<(String, String)>, [&'a str; 4], Vec<&'a str>);
    let actors: Vec<Row> = vec![
        ("anonymous", None, ["P", "", "", ""], vec![]),
        ("outsider", Some(("bob".into(), BOB.1.into())), ["P", "", "", ""], vec!["acme/public"]),
        (
            "team member",
            Some(("carol".into(), "carol-password".into())),
            ["P", "P", "P", "P"],
            vec!["acme/mirror", "acme/private", "acme/public", "acme/readonly"],
        ),
        (
            "writer",
            Some(("dave".into(), "dave-password".into())),
            ["PW", "PW", "P", "P"],
            vec!["acme/mirror", "acme/private", "acme/public", "acme/readonly"],
        ),
        (
            "robot",
            Some(("acme+ci".into(), ci.clone())),
            ["PW", "PW", "P", "P"],
            vec!["acme/mirror", "acme/private", "acme/public", "acme/readonly"],
        ),
        (
            "mirror robot",
            Some(("acme+mirror".into(), mirror.clone())),
            ["PW", "PW", "P", "PW"],
            vec!["acme/mirror", "acme/private", "acme/public", "acme/readonly"],
        ),
        (
            "org admin",
            Some((ALICE.0.into(), ALICE.1.into())),
            ["PWA", "PWA", "P", "P"],
            vec!["acme/mirror", "acme/private", "acme/public", "acme/readonly", "acme/seed"],
        ),
        (
            "superuser",
            Some((ADMIN.0.into(), ADMIN.1.into())),
            // Without FEATURE_SUPERUSERS_FULL_ACCESS a superuser is an outsider to other
            // namespaces (hardening::superuser_powers_are_the_same_through_every_door).
            ["P", "", "", ""],
            vec!["acme/public"],
        ),
    ];
    let scopes: Vec<String> = repos.iter().map(|r| format!("repository:acme/{r}:pull,push,*")).collect();
    for (actor, creds, expected, catalog) in actors {
        let mut query: Vec<(&str, &str)> = vec![("service", s.host.as_str())];
        for sc in &scopes {
            query.push(("scope", sc));
        }
        query.push(("scope", "registry:catalog:*"));
        let mut req = s.client.get(s.url("/v2/auth")).query(&query);
        if let Some((u, p)) = &creds {
            req = req.basic_auth(u, Some(p));
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{actor}");
        let token = resp.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
        use base64::Engine as _;
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap(),
        )
        .unwrap();
        for (i, repo) in repos.iter().enumerate() {
            let actions: Vec<&str> =
                claims["access"][i]["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            let got: String = [("pull", "P"), ("push", "W"), ("*", "A")]
                .iter()
                .filter(|(a, _)| actions.contains(a))
                .map(|(_, l)| *l)
                .collect();
            assert_eq!(got, expected[i], "{actor} on acme/{repo}: token grants");
            // And the registry agrees: pull reads tags, push opens an upload.
            let tags = s.req(Method::GET, &format!("/v2/acme/{repo}/tags/list"), &token).send().await.unwrap().status();
            assert_eq!(tags == StatusCode::OK, expected[i].contains('P'), "{actor} pulls acme/{repo}: {tags}");
            let push = s.req(Method::POST, &format!("/v2/acme/{repo}/blobs/uploads/"), &token).send().await.unwrap();
            let pushed = push.status() == StatusCode::ACCEPTED;
            assert_eq!(pushed, expected[i].contains('W'), "{actor} pushes acme/{repo}: {}", push.status());
            if pushed {
                let location = push.headers()["location"].to_str().unwrap().to_owned();
                s.req(Method::DELETE, &location, &token).send().await.unwrap();
            }
        }
        let listed = s.req(Method::GET, "/v2/_catalog", &token).send().await.unwrap();
        if creds.is_none() {
            assert_eq!(listed.status(), StatusCode::OK);
        }
        let listed: serde_json::Value = listed.json().await.unwrap();
        let names: Vec<&str> = listed["repositories"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let names: Vec<&str> = names.into_iter().filter(|n| n.starts_with("acme/")).collect();
        assert_eq!(names, catalog, "{actor}: catalog");
    }
    // The disabled user (who holds write grants) cannot get a token at all.
    let r = s
        .client
        .get(s.url("/v2/auth"))
        .query(&[("scope", scopes[1].as_str())])
        .basic_auth("erin", Some("erin-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    db.close().await;
}

#[tokio::test]
async fn namespaces_are_created_on_push_when_configured() {
    let s = Server::start_with("CREATE_NAMESPACE_ON_PUSH: true\n").await;
    let t = s.push_token(BOB, "newteam/app").await;
    s.push_image(&t, "newteam/app", "v1", b"x").await;
    // The new namespace is an organization that bob owns; alice cannot push there.
    assert_eq!(grant(&s, ALICE, "repository:newteam/other:pull,push").await.1, json!([]));
    assert_eq!(grant(&s, BOB, "repository:newteam/other:pull,push").await.1, json!(["pull", "push"]));
    let off = Server::start().await;
    assert_eq!(grant(&off, BOB, "repository:newteam/app:pull,push").await.1, json!([]));
}

#[tokio::test]
async fn nodes_sharing_a_database_accept_each_others_tokens() {
    let a = Server::start().await;
    let t = a.push_token(ALICE, "alice/shared").await;
    a.push_image(&t, "alice/shared", "v1", b"x").await;
    // A second node on the same database and storage, with its own signing key.
    let shared = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(a.dir.path().join("config.yaml")).unwrap();
    let node_b = format!(
        "{}INSTANCE_SERVICE_KEY_LOCATION: {}\nINSTANCE_SERVICE_KEY_KID_LOCATION: {}\n",
        text.replace("sqlite:///quay.db", &format!("sqlite:///{}", a.dir.path().join("quay.db").display()))
            .replace("storage_path: storage", &format!("storage_path: {}", a.dir.path().join("storage").display())),
        shared.path().join("node-b.pem").display(),
        shared.path().join("node-b.kid").display()
    );
    std::fs::write(shared.path().join("config.yaml"), node_b).unwrap();
    let b = Server::start_in(shared).await;
    assert_ne!(
        std::fs::read_to_string(a.dir.path().join("quay.kid")).unwrap(),
        std::fs::read_to_string(b.dir.path().join("node-b.kid")).unwrap()
    );
    // Audiences differ per node in these tests (each has its own address), so ask each node for
    // a token meant for the other and present it there.
    async fn token_for(issuer: &Server, audience: &Server) -> String {
        let r = issuer
            .client
            .get(issuer.url("/v2/auth"))
            .query(&[("service", audience.host.as_str()), ("scope", "repository:alice/shared:pull")])
            .basic_auth(ALICE.0, Some(ALICE.1))
            .send()
            .await
            .unwrap();
        r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }
    let r = b.req(Method::GET, "/v2/alice/shared/manifests/v1", &token_for(&a, &b).await).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "node B accepts node A's token");
    let r = a.req(Method::GET, "/v2/alice/shared/manifests/v1", &token_for(&b, &a).await).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "node A accepts node B's token (key learnt from servicekey)");
    // `account` must match the credentials.
    let r = a
        .client
        .get(a.url("/v2/auth"))
        .query(&[("service", a.host.as_str()), ("account", "bob")])
        .basic_auth(ALICE.0, Some(ALICE.1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
