//! What oc-mirror and `skopeo sync` do to a fresh install, with skopeo as the client: push into
//! namespaces nobody created, three-level repositories, sparse manifest lists, cosign-style
//! signature tags and artifacts with a subject; then manage the nested repository through
//! `/api/v1`. Repository states set through the API and `quay admin`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

const ADMIN_API: Auth = Auth::Basic(ADMIN);

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `skopeo copy` from the OCI layout at `src` to `dest` on the server, as `creds`.
async fn push(src: &str, dest: &str, creds: &str, extra: &[&str]) -> std::process::Output {
    let mut a = args(&["copy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", creds]);
    a.extend(extra.iter().map(|s| s.to_string()));
    a.push(src.to_owned());
    a.push(dest.to_owned());
    skopeo_output(a).await
}

fn ok(out: std::process::Output) {
    assert!(
        out.status.success(),
        "skopeo failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn layer(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed)).collect()
}

fn index_of(children: &[(&(String, usize), &str)]) -> Value {
    let manifests: Vec<Value> = children
        .iter()
        .map(|((digest, size), arch)| {
            json!({"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "platform": {"os": "linux", "architecture": arch}})
        })
        .collect();
    json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})
}

/// The manifest bytes the server holds for `reference`.
async fn manifest(s: &Server, token: &str, repo: &str, reference: &str) -> (StatusCode, Vec<u8>) {
    let r = s
        .req(Method::GET, &format!("/v2/{repo}/manifests/{reference}"), token)
        .header("accept", format!("{OCI_MANIFEST}, {OCI_INDEX}"))
        .send()
        .await
        .unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn oc_mirror_pushes_into_a_fresh_install_and_the_api_manages_nested_repositories() {
    let s = Server::start_with("CREATE_NAMESPACE_ON_PUSH: true\nFEATURE_SPARSE_INDEX: true\n").await;
    let work = tempfile::tempdir().unwrap();
    let mut src = Layout::new(&work.path().join("src"));
    let amd = src.image("amd64", &[layer(1, 40_000), layer(2, 3_000)], None);
    let arm = src.image("arm64", &[layer(3, 40_000)], None);
    let ppc = src.image("ppc64le", &[layer(4, 40_000)], None);
    let s390x = src.image("s390x", &[layer(5, 40_000)], None);
    let full = src.blob(
        serde_json::to_string_pretty(&index_of(&[(&amd, "amd64"), (&arm, "arm64"), (&ppc, "ppc64le")]))
            .unwrap()
            .as_bytes(),
    );
    src.tag(OCI_INDEX, &full, "4.16-multi");
    // oc-mirror's platform filter: the list is pushed unchanged, the left-out platform is not.
    let sparse = src.blob(
        serde_json::to_string(&index_of(&[(&amd, "amd64"), (&arm, "arm64"), (&s390x, "s390x")])).unwrap().as_bytes(),
    );
    src.tag(OCI_INDEX, &sparse, "4.16-sparse");
    src.tag(OCI_MANIFEST, &amd, "amd");
    src.tag(OCI_MANIFEST, &arm, "arm");
    // cosign's fallback tag for a signature of the index, and an OCI 1.1 artifact with a subject.
    let signature = src.image(
        "amd64",
        &[b"{\"critical\":{\"identity\":{\"docker-reference\":\"mirror/openshift/release\"}}}".to_vec()],
        Some(json!({"config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(b"{}"), "size": 2}})),
    );
    src.blob(b"{}");
    let sig_tag = format!("sha256-{}.sig", &full.0[7..]);
    src.tag(OCI_MANIFEST, &signature, &sig_tag);
    let artifact = src.image(
        "amd64",
        &[b"sbom".to_vec()],
        Some(json!({
            "artifactType": "application/spdx+json",
            "subject": {"mediaType": OCI_MANIFEST, "digest": amd.0, "size": amd.1},
        })),
    );
    src.tag(OCI_MANIFEST, &artifact, "sbom");

    let creds = format!("{}:{}", ADMIN.0, ADMIN.1);
    let layout = src.dir.display().to_string();
    let repo = "mirror/openshift/release";
    let dest = |reference: &str| {
        let sep = if reference.starts_with("sha256:") { '@' } else { ':' };
        format!("docker://{}/{repo}{sep}{reference}", s.host)
    };
    // The superuser, with no organization created beforehand.
    ok(push(&format!("oci:{layout}:4.16-multi"), &dest("4.16-multi"), &creds, &["--all"]).await);
    ok(push(&format!("oci:{layout}:amd"), &dest(&amd.0), &creds, &[]).await);
    ok(push(&format!("oci:{layout}:arm"), &dest(&arm.0), &creds, &[]).await);
    ok(push(&format!("oci:{layout}:4.16-sparse"), &dest("4.16-sparse"), &creds, &["--multi-arch", "index-only"]).await);
    ok(push(&format!("oci:{layout}:{sig_tag}"), &dest(&sig_tag), &creds, &[]).await);
    ok(push(&format!("oci:{layout}:sbom"), &dest(&artifact.0), &creds, &[]).await);

    // The namespace is an organization the pusher owns; the repository is private.
    let (status, org) = call(&s, Method::GET, "/api/v1/organization/mirror", &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["is_admin"], true, "{org}");
    assert!(org["teams"]["owners"].is_object(), "{org}");
    let (status, view) = call(&s, Method::GET, &format!("/api/v1/repository/{repo}"), &Auth::Anonymous, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{view}");

    // Pulls are byte-identical: the registry holds exactly the pushed manifests.
    let t = s.token(Some(ADMIN), &[&format!("repository:{repo}:pull")]).await;
    for (reference, (digest, _)) in [
        ("4.16-multi", &full),
        ("4.16-sparse", &sparse),
        (sig_tag.as_str(), &signature),
        (artifact.0.as_str(), &artifact),
    ] {
        let (status, body) = manifest(&s, &t, repo, reference).await;
        assert_eq!(status, StatusCode::OK, "{reference}");
        assert_eq!(&sha256(&body), digest, "{reference}");
    }
    // The platform left out is not there; the others are.
    assert_eq!(manifest(&s, &t, repo, &s390x.0).await.0, StatusCode::NOT_FOUND);
    assert_eq!(manifest(&s, &t, repo, &arm.0).await.0, StatusCode::OK);
    let pulled = work.path().join("pulled");
    skopeo(args(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        "--src-creds",
        &creds,
        &dest("4.16-multi"),
        &format!("oci:{}:4.16-multi", pulled.display()),
    ]))
    .await;
    for entry in std::fs::read_dir(pulled.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        let original = src.dir.join("blobs/sha256").join(entry.file_name());
        assert_eq!(std::fs::read(entry.path()).unwrap(), std::fs::read(&original).unwrap(), "{:?}", entry.file_name());
    }
    let r = s.req(Method::GET, &format!("/v2/{repo}/referrers/{}", amd.0), &t).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], OCI_INDEX);
    let referrers: Value = r.json().await.unwrap();
    assert_eq!(referrers["manifests"][0]["digest"], artifact.0.as_str(), "{referrers}");

    // The API sees the nested repository: listed, viewed, tagged, untagged, deleted.
    let (status, list) = call(&s, Method::GET, "/api/v1/repository?namespace=mirror", &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["repositories"][0]["name"], "openshift/release", "{list}");
    let (status, view) = call(&s, Method::GET, &format!("/api/v1/repository/{repo}"), &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!((view["namespace"].as_str(), view["name"].as_str()), (Some("mirror"), Some("openshift/release")));
    assert_eq!(view["is_public"], false);
    let (status, tags) =
        call(&s, Method::GET, &format!("/api/v1/repository/{repo}/tag/?onlyActiveTags=true"), &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::OK, "{tags}");
    let tag =
        |name: &str| tags["tags"].as_array().unwrap().iter().find(|t| t["name"] == name).cloned().unwrap_or_default();
    let sparse_tag = tag("4.16-sparse");
    assert_eq!(sparse_tag["is_manifest_list"], true, "{tags}");
    assert_eq!(sparse_tag["is_sparse"], true, "{sparse_tag}");
    assert_eq!(sparse_tag["child_manifest_count"], 3, "{sparse_tag}");
    assert_eq!(sparse_tag["present_child_count"], 2, "{sparse_tag}");
    assert_eq!(sparse_tag["child_manifests_presence"][&s390x.0], false, "{sparse_tag}");
    assert_eq!(sparse_tag["child_manifests_presence"][&amd.0], true, "{sparse_tag}");
    assert_eq!(tag("4.16-multi")["is_sparse"], false, "{tags}");
    assert_eq!(tag("4.16-multi")["present_child_count"], 3, "{tags}");
    assert_eq!(tag(&sig_tag)["manifest_digest"], signature.0.as_str(), "{tags}");
    assert!(tag(&sig_tag).get("is_sparse").is_none(), "{tags}");

    let path = format!("/api/v1/repository/{repo}/tag/stable");
    let (status, body) = call(&s, Method::PUT, &path, &ADMIN_API, Some(json!({"manifest_digest": full.0}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(manifest(&s, &t, repo, "stable").await.1, manifest(&s, &t, repo, "4.16-multi").await.1);
    let (status, body) = call(&s, Method::DELETE, &path, &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(manifest(&s, &t, repo, "stable").await.0, StatusCode::NOT_FOUND);
    let (status, perms) =
        call(&s, Method::GET, &format!("/api/v1/repository/{repo}/permissions/user/"), &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::OK, "{perms}");
    assert_eq!(perms["permissions"]["admin"]["role"], "admin", "{perms}");
    let (status, body) = call(&s, Method::DELETE, &format!("/api/v1/repository/{repo}"), &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(manifest(&s, &t, repo, "4.16-multi").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn robots_push_into_their_organization_but_never_create_namespaces() {
    let s = Server::start_with("CREATE_NAMESPACE_ON_PUSH: true\nDATABASE_SECRET_KEY: ocmirror-test-key\n").await;
    let (status, body) = call(
        &s,
        Method::POST,
        "/api/v1/organization/",
        &ADMIN_API,
        Some(json!({"name": "acme", "email": "acme@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) =
        call(&s, Method::PUT, "/api/v1/organization/acme/team/creators", &ADMIN_API, Some(json!({"role": "creator"})))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, robot) = call(&s, Method::PUT, "/api/v1/organization/acme/robots/pusher", &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::CREATED, "{robot}");
    let token = secret(robot["token"].as_str().unwrap().to_owned());
    let (status, body) =
        call(&s, Method::PUT, "/api/v1/organization/acme/team/creators/members/acme+pusher", &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let work = tempfile::tempdir().unwrap();
    let (_, digest) = single_image_layout(&work.path().join("src"), &[layer(9, 10_000)]);
    let layout = format!("oci:{}:v1", work.path().join("src").display());
    let creds = format!("acme+pusher:{token}");
    ok(push(&layout, &format!("docker://{}/acme/openshift4/ose-cli:v1", s.host), &creds, &[]).await);
    let t = s.token(Some(ADMIN), &["repository:acme/openshift4/ose-cli:pull"]).await;
    let (status, body) = manifest(&s, &t, "acme/openshift4/ose-cli", "v1").await;
    assert_eq!((status, sha256(&body)), (StatusCode::OK, digest));

    // A namespace that does not exist: the robot is refused and nothing is created.
    let out = push(&layout, &format!("docker://{}/elsewhere/tools:v1", s.host), &creds, &[]).await;
    assert!(!out.status.success(), "a robot created a namespace");
    let (status, _) = call(&s, Method::GET, "/api/v1/organization/elsewhere", &ADMIN_API, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn repository_state_is_changed_through_the_api_and_the_command_line() {
    let s = Server::start_with("FEATURE_REPO_MIRROR: true\nFEATURE_SUPERUSERS_FULL_ACCESS: true\n").await;
    let t = s.push_token(ALICE, "alice/frozen").await;
    let (manifest, _) = s.push_image(&t, "alice/frozen", "v1", b"first").await;
    let alice = Auth::Basic(ALICE);
    let state = |value: &str| Some(json!({"state": value}));
    let path = "/api/v1/repository/alice/frozen/changestate";
    // A push with a token issued before the change, and what a new token grants.
    let refused = |token: String| {
        let (s, manifest) = (&s, manifest.clone());
        async move {
            let r = s.put_manifest(&token, "alice/frozen", "v2", OCI_MANIFEST, &manifest).await;
            assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(error_code(r).await, "DENIED");
        }
    };
    let granted = |user: (&'static str, &'static str)| {
        let s = &s;
        async move {
            let token = s.token(Some(user), &["repository:alice/frozen:pull,push"]).await;
            let payload = token.split('.').nth(1).unwrap().to_owned();
            let claims: Value = serde_json::from_slice(
                &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap(),
            )
            .unwrap();
            claims["access"][0]["actions"].clone()
        }
    };

    // READ_ONLY: no pushes and no tag changes, from anyone.
    let (status, body) = call(&s, Method::PUT, path, &alice, state("READ_ONLY")).await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({"success": true})));
    let (_, view) = call(&s, Method::GET, "/api/v1/repository/alice/frozen", &alice, None).await;
    assert_eq!(view["state"], "READ_ONLY");
    refused(t.clone()).await;
    assert_eq!(granted(ALICE).await, json!(["pull"]));
    assert_eq!(granted(ADMIN).await, json!(["pull"]));
    let (status, body) = call(&s, Method::DELETE, "/api/v1/repository/alice/frozen/tag/v1", &alice, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");

    // MIRROR without a mirror configured: refused for everyone, the owner and the superuser too.
    let (status, body) = call(&s, Method::PUT, path, &alice, state("MIRROR")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    refused(t.clone()).await;
    assert_eq!(granted(ALICE).await, json!(["pull"]));
    assert_eq!(granted(ADMIN).await, json!(["pull"]));

    // Bad states and callers are refused with Quay's answers.
    let (status, body) = call(&s, Method::PUT, path, &alice, state("BROKEN")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = call(&s, Method::PUT, path, &Auth::Basic(BOB), state("NORMAL")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // The command line puts it back; pushes work again, and both changes are logged.
    let out =
        quay_ok(&["admin", "--config", s.dir.path().to_str().unwrap(), "repo", "state", "alice/frozen", "normal"]);
    assert!(out.contains("normal"), "{out}");
    let (_, view) = call(&s, Method::GET, "/api/v1/repository/alice/frozen", &alice, None).await;
    assert_eq!(view["state"], "NORMAL");
    let t = s.push_token(ALICE, "alice/frozen").await;
    s.push_image(&t, "alice/frozen", "v2", b"second").await;
    let (_, logs) = call(&s, Method::GET, "/api/v1/repository/alice/frozen/logs", &alice, None).await;
    let changes: Vec<&Value> =
        logs["logs"].as_array().unwrap().iter().filter(|l| l["kind"] == "change_repo_state").collect();
    assert_eq!(changes.len(), 3, "{logs}");
    assert_eq!(changes[0]["metadata"]["state_changed"], "NORMAL", "{logs}");
    assert!(changes[0].get("performer").is_none_or(Value::is_null), "{logs}");
    assert_eq!(changes[2]["metadata"]["state_changed"], "READ_ONLY", "{logs}");
    assert_eq!(changes[2]["performer"]["name"], "alice", "{logs}");

    // Without FEATURE_REPO_MIRROR, MIRROR is not a state a repository can be put in.
    let plain = Server::start().await;
    let t = plain.push_token(ALICE, "alice/plain").await;
    plain.push_image(&t, "alice/plain", "v1", b"x").await;
    let (status, body) =
        call(&plain, Method::PUT, "/api/v1/repository/alice/plain/changestate", &alice, state("MIRROR")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let out = quay_output(
        &["admin", "--config", plain.dir.path().to_str().unwrap(), "repo", "state", "alice/plain", "mirror"],
        "",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FEATURE_REPO_MIRROR"), "{out:?}");
}
