//! The data dir as an operator handles it (`../shared/docs/appliance-contract.md`): moved, pointed
//! at the wrong place, started with another hostname, missing its database; the global options;
//! file modes; `quay health`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;

use crate::common::{BIN, Proc, Remote};

/// Starts `quay serve --http` on a data dir; returns the process and the address it serves.
async fn serve(dir: &Path, extra: &[&str]) -> (Proc, String) {
    let mut args = vec!["serve", "--data-dir", dir.to_str().unwrap(), "--listen", "127.0.0.1:0", "--http"];
    args.extend_from_slice(extra);
    let mut server = Proc::spawn(&args, &[]);
    let line = server.wait_for("serving the registry").await;
    let address = line.split("address=").nth(1).and_then(|r| r.split_whitespace().next()).unwrap().to_owned();
    (server, address)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

async fn token_status(address: &str, user: &str, password: &str) -> StatusCode {
    let remote = Remote::at(address);
    remote.client.get(remote.url("/v2/auth")).basic_auth(user, Some(password)).send().await.unwrap().status()
}

#[tokio::test]
async fn a_moved_data_dir_is_the_same_registry() {
    let root = tempfile::tempdir().unwrap();
    let first = root.path().join("first");
    let (mut server, address) = serve(&first, &[]).await;
    let password = std::fs::read_to_string(first.join("auth/admin-password")).unwrap().trim().to_owned();
    crate::common::secret(&password);
    assert_eq!(token_status(&address, "admin", &password).await, StatusCode::OK);
    server.kill();
    // Paths inside are relative to the data dir; and a config written with absolute paths (an
    // earlier version) is adopted once.
    let config = std::fs::read_to_string(first.join("config.yaml")).unwrap();
    assert!(config.contains("DB_URI: sqlite:///quay.db") && config.contains("storage_path: storage"), "{config}");
    let absolute = config
        .replace("sqlite:///quay.db", &format!("sqlite:///{}/quay.db", first.display()))
        .replace("storage_path: storage", &format!("storage_path: {}/storage", first.display()));
    std::fs::write(first.join("config.yaml"), absolute).unwrap();
    for (dir, mode_expected) in [(&first, 0o700), (&first.join("storage"), 0o700)] {
        assert_eq!(mode(dir), mode_expected, "{}", dir.display());
    }

    let moved = root.path().join("moved");
    std::fs::rename(&first, &moved).unwrap();
    let (mut server, address) = serve(&moved, &[]).await;
    assert_eq!(token_status(&address, "admin", &password).await, StatusCode::OK);
    assert!(!server.stdout().contains("Created superuser"), "{}", server.stdout());
    server.kill();
    assert!(!first.exists(), "something was created at the old path");
    let config = std::fs::read_to_string(moved.join("config.yaml")).unwrap();
    assert!(config.contains("DB_URI: sqlite:///quay.db") && config.contains("storage_path: storage"), "{config}");

    // A used data dir without its database is refused, not started over.
    std::fs::rename(moved.join("quay.db"), root.path().join("quay.db.aside")).unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--data-dir", moved.to_str().unwrap(), "--listen", "127.0.0.1:0", "--http"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("quay.db") && err.contains("does not exist"), "{err}");
    assert!(!moved.join("quay.db").exists());
}

#[tokio::test]
async fn commands_outside_a_data_dir_create_nothing() {
    let empty = tempfile::tempdir().unwrap();
    for args in [
        vec!["admin", "user", "list"],
        vec!["gc"],
        vec!["fsck"],
        vec!["worker"],
        vec!["config", "validate"],
        vec!["admin", "--json", "org", "list"],
    ] {
        let out = Command::new(BIN).args(&args).current_dir(empty.path()).env_remove("QUAY_DATA_DIR").output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no data dir at ./quay-data; pass --data-dir"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0, "a command created files");
    let elsewhere = empty.path().join("nowhere");
    let out = Command::new(BIN).args(["gc", "--data-dir", elsewhere.to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("no data dir at {}", elsewhere.display())));
    assert!(!elsewhere.exists());
    // One configuration per command (install alone takes both: a data dir and what goes in it).
    let config = empty.path().join("config.yaml");
    let out = Command::new(BIN)
        .args(["gc", "--config", config.to_str().unwrap(), "--data-dir", elsewhere.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exclude each other"));
    assert!(!elsewhere.exists());
}

#[tokio::test]
async fn global_options_go_before_or_after_the_command_and_passwords_stay_true() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let (mut server, address) = serve(&dir, &[]).await;
    let d = dir.to_str().unwrap();
    let before = Command::new(BIN).args(["--data-dir", d, "--json", "admin", "user", "list"]).output().unwrap();
    let after = Command::new(BIN).args(["admin", "user", "list", "--data-dir", d, "--json"]).output().unwrap();
    assert!(before.status.success(), "{}", String::from_utf8_lossy(&before.stderr));
    assert_eq!(before.stdout, after.stdout);
    let users: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(users[0]["username"], "admin");
    // Changing the first superuser's password keeps auth/admin-password true.
    let out = Command::new(BIN).args(["admin", "user", "set-password", "admin", "--data-dir", d]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let saved = std::fs::read_to_string(dir.join("auth/admin-password")).unwrap().trim().to_owned();
    crate::common::secret(&saved);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&saved));
    assert_eq!(mode(&dir.join("auth/admin-password")), 0o600);
    assert_eq!(token_status(&address, "admin", &saved).await, StatusCode::OK);
    server.kill();
    // Every command says what it is for, with an example.
    for command in ["serve", "worker", "gc", "fsck", "init", "admin", "config", "health", "version"] {
        let help = Command::new(BIN).args([command, "--help"]).output().unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(text.contains("Example: quay"), "{command}: {text}");
    }
}

#[tokio::test]
async fn the_hostname_given_is_kept_and_a_new_one_reissues_the_certificate() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let d = dir.to_str().unwrap();
    let start = |hostname: Option<&'static str>| {
        let mut args = vec!["serve", "--data-dir", d, "--listen", "127.0.0.1:0"];
        if let Some(h) = hostname {
            args.extend(["--hostname", h]);
        }
        Proc::spawn(&args, &[])
    };
    let mut server = start(Some("registry.example:8443"));
    server.wait_for("serving the registry").await;
    server.kill();
    let config = std::fs::read_to_string(dir.join("config.yaml")).unwrap();
    assert!(config.contains("SERVER_HOSTNAME: registry.example:8443"), "{config}");
    let cert_before = std::fs::read(dir.join("ssl.cert")).unwrap();
    let mut server = start(None);
    server.wait_for("serving the registry").await;
    server.kill();
    assert_eq!(std::fs::read_to_string(dir.join("config.yaml")).unwrap(), config);
    assert_eq!(std::fs::read(dir.join("ssl.cert")).unwrap(), cert_before);
    let mut server = start(Some("mirror.example:8443"));
    server.wait_for("serving the registry").await;
    assert!(server.log().contains("SERVER_HOSTNAME changed"), "{}", server.log());
    server.kill();
    let config = std::fs::read_to_string(dir.join("config.yaml")).unwrap();
    assert!(config.contains("SERVER_HOSTNAME: mirror.example:8443"), "{config}");
    assert_ne!(std::fs::read(dir.join("ssl.cert")).unwrap(), cert_before);
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(dir.join("ssl.cert"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("DNS:mirror.example"));
}

#[tokio::test]
async fn an_unreachable_postgresql_fails_fast_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!(
        "SERVER_HOSTNAME: localhost:8443\nDB_URI: postgresql://quay@127.0.0.1:{port}/quay\n\
         DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {{storage_path: storage}}]\n\
         DISTRIBUTED_STORAGE_PREFERENCE: [default]\n"
    );
    std::fs::write(dir.path().join("config.yaml"), &config).unwrap();
    let started = std::time::Instant::now();
    let out = Command::new(BIN)
        .args(["serve", "--config", dir.path().to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")) && err.contains("refused"), "{err}");
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
    let files: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(files, vec!["config.yaml".to_owned()]);
    assert_eq!(std::fs::read_to_string(dir.path().join("config.yaml")).unwrap(), config);
}

#[tokio::test]
async fn stored_objects_are_private_and_health_answers() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let d = dir.to_str().unwrap();
    let mut server = Proc::spawn(&["serve", "--data-dir", d, "--listen", "127.0.0.1:0"], &[]);
    let line = server.wait_for("serving the registry").await;
    let address = line.split("address=").nth(1).and_then(|r| r.split_whitespace().next()).unwrap().to_owned();
    let port = address.rsplit(':').next().unwrap();
    let ca = dir.join("rootCA.pem");
    let url = format!("https://localhost:{port}");
    let out = Command::new(BIN).args(["health", "--url", &url, "--ca", ca.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A push as admin: every object and folder under storage is the service's alone.
    let password = std::fs::read_to_string(dir.join("auth/admin-password")).unwrap().trim().to_owned();
    crate::common::secret(&password);
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap()])
        .build()
        .unwrap();
    let token: serde_json::Value = client
        .get(format!("{url}/v2/auth"))
        .query(&[("scope", "repository:admin/private:pull,push")])
        .basic_auth("admin", Some(&password))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let blob = b"private layer bytes";
    let digest = crate::common::sha256(blob);
    let r = client
        .post(format!("{url}/v2/admin/private/blobs/uploads/?digest={digest}"))
        .bearer_auth(&token)
        .body(blob.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    server.kill();
    let mut checked = 0;
    let mut stack = vec![dir.join("storage")];
    while let Some(p) = stack.pop() {
        let m = mode(&p);
        if p.is_dir() {
            assert_eq!(m & 0o077, 0, "{} is {m:o}", p.display());
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_eq!(m, 0o600, "{}", p.display());
            checked += 1;
        }
    }
    assert!(checked >= 1);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("ssl.cert")), 0o644);
    // Nothing answers: the probe fails.
    let out = Command::new(BIN).args(["health", "--url", &url, "--ca", ca.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
}

/// Root on a data dir another user owns acts as that user: what it creates stays theirs.
#[tokio::test]
async fn root_on_another_users_data_dir_creates_files_as_the_owner() {
    use std::os::unix::fs::MetadataExt as _;
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let nobody = 65534;
    std::os::unix::fs::chown(&dir, Some(nobody), Some(nobody)).unwrap();
    let out =
        Command::new(BIN).args(["init", "--data-dir", dir.to_str().unwrap(), "--user", "admin"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("acting as that user"));
    let out = Command::new(BIN).args(["admin", "user", "list", "--data-dir", dir.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        assert_eq!(entry.metadata().unwrap().uid(), nobody, "{} belongs to root", entry.path().display());
    }
}

/// Default permissions from the command line, as through the API: a new repository of the
/// organization grants what they say.
#[tokio::test]
async fn default_permissions_from_the_command_line() {
    let s = crate::common::Server::start().await;
    let config = s.dir.path().to_str().unwrap().to_owned();
    let admin = |args: &[&str]| {
        let out = Command::new(BIN).args(["admin", "--config", &config, "--json"]).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    s.app.audit.flush().await;
    admin(&["org", "create", "acme", "--admin", "alice"]);
    let created = admin(&["proto", "create", "acme", "--user", "bob", "--role", "write"]);
    let id = created["id"].as_str().unwrap().to_owned();
    let listed = admin(&["proto", "list", "acme"]);
    assert_eq!(listed[0]["user"], "bob");
    assert_eq!(listed[0]["role"], "write");
    let (status, api) = crate::common::call(
        &s,
        reqwest::Method::GET,
        "/api/v1/organization/acme/prototypes",
        &crate::common::Auth::Basic(crate::common::ALICE),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api["prototypes"][0]["id"], id.as_str());
    // Alice's new repository grants bob write.
    let t = s.push_token(crate::common::ALICE, "acme/app").await;
    assert!(!t.is_empty());
    let t = s.token(Some(crate::common::BOB), &["repository:acme/app:push"]).await;
    assert_eq!(crate::credentials::claims(&t)["access"][0]["actions"], serde_json::json!(["push"]));
    admin(&["proto", "delete", "acme", &id]);
    assert_eq!(admin(&["proto", "list", "acme"]), serde_json::json!([]));
}
