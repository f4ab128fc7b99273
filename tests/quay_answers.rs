//! Quay's own answers as the fixture: `fixtures/quay-api-answers.json` holds the status and body
//! Python Quay gave to 136 `/api/v1` calls (recorded from Quay itself). The same sequence is
//! replayed here, and every answer must have Quay's status and Quay's shape (the same keys, at
//! every depth, and the same error `type`), unless the difference is one of those listed below,
//! each of which docs/COMPATIBILITY.md records with its reason.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// Calls whose answer differs from Quay's on purpose: (call, what differs), as in
/// docs/COMPATIBILITY.md.
const DIFFERENT: &[(&str, &str)] = &[
    // Sessions and CSRF are the web UI's; this registry serves no UI.
    ("GET /csrf_token", "not served: no web sessions"),
    ("user2 signin", "not served: no web sessions"),
    ("anon create org (401)", "401 invalid_token, not a CSRF 403: there are no sessions"),
    ("anon create repo (401)", "401 invalid_token, not a CSRF 403: there are no sessions"),
    // HTTP Basic on the API is an extension (a password grants what the user may do anyway).
    ("API with Basic auth (admin)", "200: Basic is accepted on the API"),
    // Quay answers a 500 (an unhandled exception).
    ("create repo in missing namespace", "a 4xx instead of Quay's 500"),
];

/// Keys of an answer that differ from Quay's on purpose: (call, key path), as in
/// docs/COMPATIBILITY.md.
const DIFFERENT_KEYS: &[(&str, &str)] = &[
    // Tags say whether they are immutable (set by a Quay sharing the database); Quay's own
    // immutability answers are not served.
    ("list tags", ".tags[].immutable"),
    ("list tags specificTag", ".tags[].immutable"),
    ("list tags onlyActiveTags paged", ".tags[].immutable"),
    ("tag history stable", ".tags[].immutable"),
    ("tag history after delete", ".tags[].immutable"),
    ("list tags after restore", ".tags[].immutable"),
    // Quay resolves the client's address against AWS's ranges and a GeoIP database
    // (`resolved_ip`); this registry has neither and records the address alone.
    ("repo logs", "log push_repo.resolved_ip"),
    ("org logs", "log push_repo.resolved_ip"),
];

#[derive(Clone, Copy)]
enum Who {
    Anonymous,
    Admin,
    User2,
    BadBearer,
}

struct Replay {
    s: Server,
    admin_token: String,
    user2_password: String,
    robot_token: String,
    /// The digests of this run's `latest` image and `multi` index.
    latest: String,
    multi: String,
    /// Values of Quay's run and of this one, replaced in paths and bodies.
    swaps: Vec<(String, String)>,
}

impl Replay {
    fn path(&self, quay_path: &str) -> String {
        let mut p = quay_path.replace("quayadmin", "admin");
        for (theirs, ours) in &self.swaps {
            p = p.replace(theirs.as_str(), ours);
        }
        p
    }

    async fn send(&self, who: Who, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.s.client.request(method, self.s.url(path));
        req = match who {
            Who::Anonymous => req,
            Who::Admin => req.bearer_auth(&self.admin_token),
            Who::User2 => req.basic_auth("user2", Some(&self.user2_password)),
            Who::BadBearer => req.bearer_auth("not-a-token"),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        // An empty body is recorded as "" in Quay's answers.
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// The key paths of `v` (objects' keys at every depth; an array's first element stands for all).
fn shape(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                // Maps keyed by names (teams, permissions) have their entries' shapes under `*`.
                let key = if prefix.ends_with(".teams")
                    || prefix.ends_with(".permissions")
                    || prefix.ends_with(".tags")
                    || prefix.ends_with(".labels")
                    || prefix.ends_with(".child_manifests_presence")
                {
                    "*"
                } else {
                    k.as_str()
                };
                let path = format!("{prefix}.{key}");
                out.insert(path.clone());
                shape(child, &path, out);
            }
        }
        Value::Array(a) => {
            if let Some(first) = a.first() {
                shape(first, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Action logs, kind by kind: how many of each kind were written, and the metadata keys of the
/// latest of each.
fn log_differences(quay: &Value, ours: &Value) -> Vec<String> {
    let by_kind = |v: &Value| {
        let mut kinds: std::collections::BTreeMap<String, (usize, BTreeSet<String>)> = Default::default();
        for l in v["logs"].as_array().into_iter().flatten() {
            let keys = l["metadata"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
            let entry = kinds.entry(l["kind"].as_str().unwrap_or("").to_owned()).or_insert((0, keys));
            entry.0 += 1;
        }
        kinds
    };
    let (q, o) = (by_kind(quay), by_kind(ours));
    let mut diffs = Vec::new();
    for (kind, (count, keys)) in &q {
        let Some((our_count, our_keys)) = o.get(kind) else {
            diffs.push(format!("log {kind} not written"));
            continue;
        };
        if count != our_count {
            diffs.push(format!("log {kind} written {our_count} times, not {count}"));
        }
        for k in keys.difference(our_keys) {
            diffs.push(format!("missing log {kind}.{k}"));
        }
        for k in our_keys.difference(keys) {
            diffs.push(format!("extra log {kind}.{k}"));
        }
    }
    for kind in o.keys().filter(|k| !q.contains_key(*k)) {
        diffs.push(format!("log {kind} written, not by Quay"));
    }
    diffs
}

/// Keys whose values are this run's own (ids, secrets, times, digests, sizes of other bytes).
const VOLATILE: &[&str] = &[
    "id",
    "uuid",
    "token",
    "token_code",
    "access_token",
    "encrypted_password",
    "password",
    "created",
    "last_accessed",
    "datetime",
    "start_time",
    "end_time",
    "start_ts",
    "end_ts",
    "last_modified",
    "expiration",
    "manifest_digest",
    "digest",
    "blob_digest",
    "hash",
    "color",
    "manifest_data",
    "size",
    "compressed_size",
    "layers_compressed_size",
    "quota_bytes",
    "csrf_token",
    "next_page",
    "prototypeid",
    "status_token",
    "expiration_date",
    "old_expiration_date",
    "original_manifest_digest",
    "detail",
    "error_message",
    "message",
    "type",
    "app_specific_token",
    "user-agent",
    "ip",
    "sync_token",
    "value",
];

/// Leaf values that differ from Quay's where both answers have them (Quay's `quayadmin` is this
/// run's `admin`; volatile keys and a list's second and later entries are not compared).
fn value_differences(quay: &Value, ours: &Value, path: &str, out: &mut Vec<String>) {
    match (quay, ours) {
        (Value::Object(q), Value::Object(o)) => {
            for (k, qv) in q {
                if VOLATILE.contains(&k.as_str()) {
                    continue;
                }
                if let Some(ov) = o.get(k) {
                    value_differences(qv, ov, &format!("{path}.{k}"), out);
                }
            }
        }
        (Value::Array(q), Value::Array(o)) => {
            if let (Some(qv), Some(ov)) = (q.first(), o.first()) {
                value_differences(qv, ov, &format!("{path}[0]"), out);
            }
        }
        (Value::String(q), Value::String(o)) if q.replace("quayadmin", "admin") == *o => {}
        (q, o) if q == o => {}
        (q, o) => out.push(format!("value {path} is {o}, not {q}")),
    }
}

fn differences(call: &str, quay: &Value, ours: &Value, host: &str) -> Vec<String> {
    let (mut q, mut o) = (BTreeSet::new(), BTreeSet::new());
    shape(quay, "", &mut q);
    shape(ours, "", &mut o);
    let mut diffs: Vec<String> = Vec::new();
    for missing in q.difference(&o) {
        diffs.push(format!("missing {missing}"));
    }
    for extra in o.difference(&q) {
        diffs.push(format!("extra {extra}"));
    }
    diffs.extend(log_differences(quay, ours));
    value_differences(quay, ours, "", &mut diffs);
    // Empty arrays on one side hide shapes on the other: only compare keys both could show.
    diffs.retain(|d| {
        let key = d.split_once(' ').map(|(_, k)| k).unwrap_or("");
        let parent_array = key.rfind("[]").map(|i| &key[..i]);
        parent_array.is_none_or(|p| {
            let pointer = p.replace("[]", "/0").replace('.', "/");
            let q_has = quay.pointer(&pointer).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
            let o_has = ours.pointer(&pointer).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
            q_has && o_has
        })
    });
    if let (Some(t), Some(ours_t)) =
        (quay.get("type").and_then(Value::as_str), ours.get("type").and_then(Value::as_str))
        && t.replace("HOST", host) != ours_t
    {
        diffs.push(format!("type {ours_t} is not {t}"));
    }
    if quay.get("error_type") != ours.get("error_type") {
        diffs.push(format!("error_type {:?} is not {:?}", ours.get("error_type"), quay.get("error_type")));
    }
    // A next page exists or not by how many rows the same calls left (Quay logs more kinds).
    diffs.retain(|d| !d.ends_with(" .next_page"));
    diffs.retain(|d| !DIFFERENT_KEYS.iter().any(|(c, k)| *c == call && d.ends_with(&format!(" {k}"))));
    diffs
}

/// The request this replay makes for each recorded call (Quay's recording has no bodies).
fn request(r: &Replay, call: &str, now: i64) -> (Who, Option<Value>) {
    let (latest, multi) = (&r.latest, &r.multi);
    let zero = format!("sha256:{}", "0".repeat(64));
    let init =
        json!({"username": "admin", "password": "password123", "email": "quayadmin@example.com", "access_token": true});
    let repo = |name: &str, ns: &str, vis: &str| json!({"repository": name, "namespace": ns, "visibility": vis, "description": "test repo"});
    use Who::*;
    match call {
        "anon GET user" | "anon GET superuser users (401)" => (Anonymous, None),
        "bad bearer GET user" => (BadBearer, None),
        "user/initialize" | "user/initialize again (400)" => (Anonymous, Some(init)),
        "superuser create user2" => (Admin, Some(json!({"username": "user2", "email": "user2@example.com"}))),
        "superuser create user, bad name (400)" => {
            (Admin, Some(json!({"username": "Bad Name!", "email": "bad@example.com"})))
        }
        "superuser create user, missing username (400)" => (Admin, Some(json!({"email": "x@example.com"}))),
        "create org" | "create org again (400)" => (Admin, Some(json!({"name": "acme", "email": "acme@example.com"}))),
        "create org bad name (400)" => (Admin, Some(json!({"name": "Bad Org!", "email": "b@example.com"}))),
        "PUT org (email, tag_expiration_s)" => {
            (Admin, Some(json!({"email": "new-acme@example.com", "tag_expiration_s": 604800})))
        }
        "PUT team readers" => (Admin, Some(json!({"role": "member", "description": "may pull"}))),
        "PUT team bad role (400)" => (Admin, Some(json!({"role": "wizard"}))),
        "create robot" | "create robot again (400)" => (Admin, Some(json!({"description": "ci robot"}))),
        "create robot bad name (400)" => (Admin, Some(json!({}))),
        "create robot 2" => (Admin, Some(json!({"description": "to delete"}))),
        "user robot create" => (Admin, Some(json!({"description": "personal"}))),
        "create repo" | "create repo again (400)" => (Admin, Some(repo("app", "acme", "private"))),
        "create repo bad name (400)" => (Admin, Some(repo("Bad Name", "acme", "private"))),
        "create repo bad visibility (400)" => (Admin, Some(repo("other", "acme", "secret"))),
        "create repo missing fields (400)" => (Admin, Some(json!({"namespace": "acme"}))),
        "create repo in missing namespace" => (Admin, Some(repo("x", "ghostns", "private"))),
        "create private admin repo" => (
            Admin,
            Some(json!({"repository": "private", "namespace": "admin", "visibility": "private", "description": ""})),
        ),
        "update repo description" => (Admin, Some(json!({"description": "changed"}))),
        "changevisibility public" => (Admin, Some(json!({"visibility": "public"}))),
        "changevisibility private" => (Admin, Some(json!({"visibility": "private"}))),
        "changevisibility bad (400)" => (Admin, Some(json!({"visibility": "nope"}))),
        "perm robot write" => (Admin, Some(json!({"role": "write"}))),
        "perm team read" | "perm unknown user" => (Admin, Some(json!({"role": "read"}))),
        "perm bad role (400)" => (Admin, Some(json!({"role": "owner"}))),
        "POST label" => (Admin, Some(json!({"key": "foo", "value": "bar", "media_type": "text/plain"}))),
        "POST label bad key (400)" => {
            (Admin, Some(json!({"key": "Bad Key!", "value": "x", "media_type": "text/plain"})))
        }
        "POST label bad media type (400)" => {
            (Admin, Some(json!({"key": "good", "value": "x", "media_type": "image/png"})))
        }
        "create tag stable" | "tag bad name (400)" => (Admin, Some(json!({"manifest_digest": latest}))),
        "move tag stable to index" | "restore tag stable" => (Admin, Some(json!({"manifest_digest": multi}))),
        "move tag to missing manifest (404)" | "restore bad digest (404)" => {
            (Admin, Some(json!({"manifest_digest": zero})))
        }
        "tag empty body (400)" => (Admin, Some(json!({}))),
        "set expiration" => (Admin, Some(json!({"expiration": now + 86400}))),
        "set expiration in past (400)" => (Admin, Some(json!({"expiration": now - 86400}))),
        "create app token" => (Admin, Some(json!({"title": "ci"}))),
        "create prototype" => (Admin, Some(json!({"role": "read", "delegate": {"kind": "team", "name": "readers"}}))),
        "create org autoprune policy" => (Admin, Some(json!({"method": "number_of_tags", "value": 10}))),
        "create autoprune bad method (400)" => (Admin, Some(json!({"method": "bogus", "value": 1}))),
        "create org quota" => (Admin, Some(json!({"limit_bytes": 10737418240i64}))),
        "create quota limit" => (Admin, Some(json!({"type": "Warning", "threshold_percent": 80}))),
        "anon create org (401)" => (Anonymous, Some(json!({"name": "anonorg", "email": "a@example.com"}))),
        "anon create repo (401)" => (Anonymous, Some(repo("anon", "acme", "private"))),
        "user2 set permission (403)" => (User2, Some(json!({"role": "admin"}))),
        "user2 create robot in org (403)" => (User2, Some(json!({}))),
        c if c.starts_with("anon ") => (Anonymous, None),
        c if c.starts_with("user2 ") => (User2, None),
        _ => (Admin, None),
    }
}

/// Pushes what Quay's run pushed with skopeo as the robot: `latest` (an image with annotations,
/// whose configuration has a history), `v1`, and `multi` (a two-platform index).
async fn push(r: &mut Replay, tag: &str) {
    let t = r.s.token(Some(("acme+builder", &r.robot_token)), &["repository:acme/app:pull,push"]).await;
    let image = |seed: &'static str, arch: &'static str| {
        let s = &r.s;
        let t = t.clone();
        async move {
            let config = json!({"architecture": arch, "os": "linux", "config": {}, "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "ocitool layer 0"}]})
                .to_string();
            let c = s.push_blob(&t, "acme/app", config.as_bytes()).await;
            let l = s.push_blob(&t, "acme/app", seed.as_bytes()).await;
            let m = image_manifest(
                &c,
                config.len(),
                &[(&l, seed.len())],
                Some(r#""annotations":{"org.oracle.test":"1","org.opencontainers.image.title":"oracle-test"}"#),
            );
            (m.clone(), sha256(m.as_bytes()))
        }
    };
    match tag {
        "latest" | "v1" => {
            let (m, d) = image(if tag == "latest" { "latest layer" } else { "v1 layer" }, "amd64").await;
            let resp = r.s.put_manifest(&t, "acme/app", tag, OCI_MANIFEST, &m).await;
            assert_eq!(resp.status(), StatusCode::CREATED);
            if tag == "latest" {
                r.swaps.push((
                    "sha256:1a6716941d83e84bc33ceafc748555ebbc4553ec3d654ec6e5f63560e6bc6fad".into(),
                    d.clone(),
                ));
                r.latest = d;
            }
        }
        _ => {
            let (amd, amd_d) = image("amd64 layer", "amd64").await;
            let (arm, arm_d) = image("arm64 layer", "arm64").await;
            for (m, d) in [(&amd, &amd_d), (&arm, &arm_d)] {
                assert_eq!(r.s.put_manifest(&t, "acme/app", d, OCI_MANIFEST, m).await.status(), StatusCode::CREATED);
            }
            let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": amd_d, "size": amd.len(), "platform": {"architecture": "amd64", "os": "linux"}},
                {"mediaType": OCI_MANIFEST, "digest": arm_d, "size": arm.len(), "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
            ]})
            .to_string();
            assert_eq!(r.s.put_manifest(&t, "acme/app", tag, OCI_INDEX, &index).await.status(), StatusCode::CREATED);
            let d = sha256(index.as_bytes());
            r.swaps.push(("sha256:33411fa146da9c79b80630cb58783b195f2be3ea358065ea9654ec44e770f2ab".into(), d.clone()));
            r.multi = d;
        }
    }
}

#[tokio::test]
async fn answers_match_quays_own() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/quay-api-answers.json")).unwrap();
    let s = Server::start_empty("FEATURE_USER_INITIALIZE: true\nFEATURE_QUOTA_MANAGEMENT: true\nFEATURE_AUTO_PRUNE: true\nFEATURE_SUPERUSERS_FULL_ACCESS: true\nSECRET_KEY: replay-secret\nDATABASE_SECRET_KEY: replay-database-secret\n").await;
    let host = s.host.clone();
    let mut r = Replay {
        s,
        admin_token: String::new(),
        user2_password: String::new(),
        robot_token: String::new(),
        latest: String::new(),
        multi: String::new(),
        swaps: Vec::new(),
    };
    let now = chrono::Utc::now().timestamp();
    let mut report: Vec<String> = Vec::new();
    let mut same = 0;
    let calls = fixture["calls"].as_array().unwrap();
    for c in calls {
        let call = c["call"].as_str().unwrap();
        let method = c["method"].as_str().unwrap();
        if method == "PUSH" {
            push(&mut r, c["path"].as_str().unwrap().rsplit(':').next().unwrap()).await;
            continue;
        }
        let path = r.path(c["path"].as_str().unwrap());
        let (who, body) = request(&r, call, now);
        let (status, answer) = r.send(who, method.parse().unwrap(), &path, body).await;
        // What later calls need from this answer.
        match call {
            "user/initialize" => r.admin_token = answer["access_token"].as_str().unwrap_or_default().to_owned(),
            "superuser create user2" => r.user2_password = answer["password"].as_str().unwrap_or_default().to_owned(),
            "create robot" => r.robot_token = answer["token"].as_str().unwrap_or_default().to_owned(),
            "POST label" => r.swaps.push((
                "430b55b1-6e8c-45c8-82a2-a91edc3a4400".into(),
                answer["label"]["id"].as_str().unwrap_or_default().into(),
            )),
            "create app token" => r.swaps.push((
                "0e9f1781-a1e2-4d9f-8d77-844b12780942".into(),
                answer["token"]["uuid"].as_str().unwrap_or_default().into(),
            )),
            "create prototype" => r.swaps.push((
                "e7361963-2ac6-49c7-a9e3-f71b30a970a3".into(),
                answer["id"].as_str().unwrap_or_default().into(),
            )),
            "create org autoprune policy" => r.swaps.push((
                "eefc9f53-22b9-4a36-a5a9-5adcc6d7a0dc".into(),
                answer["uuid"].as_str().unwrap_or_default().into(),
            )),
            _ => {}
        }
        if std::env::var("REPLAY_TRACE").is_ok() {
            println!(
                "{call}: {status} {}",
                answer
                    .to_string()
                    .chars()
                    .take(std::env::var("REPLAY_TRACE").ok().and_then(|n| n.parse().ok()).unwrap_or(200))
                    .collect::<String>()
            );
        }
        if DIFFERENT.iter().any(|(c, _)| *c == call) {
            continue;
        }
        let quay_status = c["quay_status"].as_u64().unwrap() as u16;
        let mut diffs = Vec::new();
        if status.as_u16() != quay_status {
            diffs.push(format!("status {status} is not {quay_status}"));
        }
        diffs.extend(differences(call, &c["quay_body"], &answer, &host));
        if diffs.is_empty() {
            same += 1;
        } else {
            report.push(format!(
                "{call} ({method} {path}):\n    {}\n    ours: {}",
                diffs.join("\n    "),
                answer.to_string().chars().take(300).collect::<String>()
            ));
        }
    }
    println!("{same} answers shaped as Quay's");
    assert!(report.is_empty(), "{} answers differ from Quay's:\n{}", report.len(), report.join("\n"));
}
