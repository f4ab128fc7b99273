//! `quay migrate database`: a registry on SQLite moves to PostgreSQL and serves the same content;
//! refused while a worker runs on it, or into a database that holds tables; the SQLite file is
//! never written.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

/// Every tag of `repo` with its manifest and blobs, as served.
async fn content(s: &Server, token: &str, repo: &str) -> Vec<(String, String, Vec<Vec<u8>>)> {
    let r = s.req(Method::GET, &format!("/v2/{repo}/tags/list"), token).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    let mut tags: Vec<String> = v["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    tags.sort();
    let mut all = Vec::new();
    for tag in tags {
        let r = s.req(Method::GET, &format!("/v2/{repo}/manifests/{tag}"), token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let manifest = r.text().await.unwrap();
        let v: Value = serde_json::from_str(&manifest).unwrap();
        let mut blobs = Vec::new();
        for layer in v["layers"].as_array().unwrap() {
            let d = layer["digest"].as_str().unwrap();
            let r = s.req(Method::GET, &format!("/v2/{repo}/blobs/{d}"), token).send().await.unwrap();
            blobs.push(r.bytes().await.unwrap().to_vec());
        }
        all.push((tag, manifest, blobs));
    }
    all
}

/// The SHA-256 of the SQLite database and its write-ahead log.
fn sqlite_files(dir: &std::path::Path) -> Vec<String> {
    ["quay.db", "quay.db-wal"].iter().map(|f| sha256(&std::fs::read(dir.join(f)).unwrap_or_default())).collect()
}

#[tokio::test]
async fn a_sqlite_registry_moves_to_postgresql_and_serves_the_same_content() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    for i in 0..3 {
        s.push_image(&t, "alice/app", &format!("v{i}"), format!("layer {i}").as_bytes()).await;
    }
    let before = content(&s, &t, "alice/app").await;
    let dir = s.stop().await;
    let config = dir.path().join("config.yaml").to_str().unwrap().to_owned();
    let target = postgres_database();

    // A worker on the data dir holds the jobs' leases: refused, naming it.
    let mut worker = Proc::spawn(&["worker", "--config", &config], &[]);
    worker.wait_for("this node now runs the job").await;
    let out = quay_output(&["migrate", "database", "--to", &target, "--config", &config], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("stop every server and worker"), "{err}");
    worker.signal("TERM");
    assert!(worker.exit().await.success());

    let sqlite = sqlite_files(dir.path());
    let plan = quay_ok(&["migrate", "database", "--to", &target, "--config", &config, "--dry-run"]);
    assert!(plan.contains("would move") && plan.contains("tag: 3 rows"), "{plan}");
    assert!(std::fs::read_to_string(&config).unwrap().contains("sqlite:///"));

    // The password comes from PGPASSWORD, never the command line; the config (0600) keeps it.
    let out = std::process::Command::new(BIN)
        .args(["migrate", "database", "--to", &target, "--config", &config, "--json"])
        .env("PGPASSWORD", "kept-out-of-ps")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let moved = String::from_utf8(out.stdout).unwrap();
    assert!(!moved.contains("kept-out-of-ps"), "{moved}");
    let report: Value = serde_json::from_str(&moved).unwrap();
    assert!(report["seconds"].as_f64().unwrap() > 0.0, "{report}");
    let tables = report["tables"].as_array().unwrap();
    assert!(tables.len() > 100, "{report}");
    let tag_table = tables.iter().find(|t| t["table"] == "tag").unwrap();
    assert_eq!(tag_table["rows"], 3);
    let with_password = target.replacen("postgres@", "postgres:kept-out-of-ps@", 1);
    assert!(std::fs::read_to_string(&config).unwrap().contains(&format!("DB_URI: \"{with_password}\"")));
    assert_eq!(sqlite_files(dir.path()), sqlite, "the SQLite file was written");

    // The same registry on PostgreSQL: every tag byte-identical, logins work, new rows get new ids.
    let s = Server::start_in(dir).await;
    let t = s.push_token(ALICE, "alice/app").await;
    assert_eq!(content(&s, &t, "alice/app").await, before);
    s.push_image(&t, "alice/app", "after", b"layer after").await;
    assert_eq!(content(&s, &t, "alice/app").await.len(), 4);

    // Into a database that holds tables: refused, nothing changed.
    let other = Server::start().await.stop().await;
    let other_config = other.path().join("config.yaml").to_str().unwrap().to_owned();
    let out = quay_output(&["migrate", "database", "--to", &target, "--config", &other_config], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("already holds tables"), "{err}");
    assert!(std::fs::read_to_string(&other_config).unwrap().contains("sqlite:///"));
}

/// Runs python3 with `script` (the tests build OMR's SQLite database from its SQL dump with
/// Python's sqlite3, as an outside tool would).
fn python(script: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("python3").arg("-c").arg(script).args(args).output().unwrap();
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn openssl(args: &[&str], dir: &std::path::Path) {
    let out = std::process::Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A mirror-registry 2.x install as OMR 2.0.11 leaves it, from the database fixture recorded
/// from one: its config dir with secrets, signing key and a certificate from its own root CA, its
/// SQLite database, and its blob storage; a robot whose token was encrypted with its
/// DATABASE_SECRET_KEY. Returns the robot's name and token, and the signing key's kid.
fn omr_install(root: &std::path::Path) -> (String, String, String) {
    let omr = root.join("quay-install");
    let (config, ca, sqlite, storage) =
        (omr.join("quay-config"), omr.join("quay-rootCA"), omr.join("sqlite-storage"), omr.join("quay-storage"));
    for dir in [&config, &ca, &sqlite, &storage] {
        std::fs::create_dir_all(dir).unwrap();
    }
    // The signing key, secrets and robot come from a registry of ours, as OMR made its own.
    let scratch = root.join("scratch");
    let out = quay_output(
        &["init", "--data-dir", scratch.to_str().unwrap(), "--user", "init", "--password-stdin"],
        "init-password\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let robot =
        quay_ok(&["admin", "--json", "robot", "create", "init", "bot", "--data-dir", scratch.to_str().unwrap()]);
    let robot: Value = serde_json::from_str(&robot).unwrap();
    let token = robot["token"].as_str().unwrap().to_owned();
    let scratch_config = std::fs::read_to_string(scratch.join("config.yaml")).unwrap();
    let key = |name: &str| {
        scratch_config.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap().trim().to_owned()
    };
    std::fs::copy(scratch.join("quay.pem"), config.join("quay.pem")).unwrap();
    std::fs::copy(scratch.join("quay.kid"), config.join("quay.kid")).unwrap();
    let kid = std::fs::read_to_string(scratch.join("quay.kid")).unwrap().trim().to_owned();
    std::fs::write(
        config.join("config.yaml"),
        format!(
            "AUTHENTICATION_TYPE: Database\nDB_URI: sqlite:////sqlite/quay_sqlite.db\n\
             DISTRIBUTED_STORAGE_CONFIG:\n  default:\n  - LocalStorage\n  - storage_path: /datastorage\n\
             DISTRIBUTED_STORAGE_PREFERENCE:\n- default\nBUILDLOGS_REDIS:\n  host: localhost\n  port: 6379\n\
             DATABASE_SECRET_KEY: {}\nSECRET_KEY: {}\nSERVER_HOSTNAME: registry.example:8443\n\
             PREFERRED_URL_SCHEME: https\nSETUP_COMPLETE: true\nSUPER_USERS:\n- admin\nFEATURE_USER_INITIALIZE: true\n",
            key("DATABASE_SECRET_KEY"),
            key("SECRET_KEY")
        ),
    )
    .unwrap();
    // OMR's TLS: an RSA root CA, and a leaf for the hostname signed by it.
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "rootCA.key",
            "-out",
            "rootCA.pem",
            "-days",
            "1024",
            "-subj",
            "/CN=omr-root",
        ],
        &ca,
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "../quay-config/ssl.key",
            "-out",
            "ssl.csr",
            "-subj",
            "/CN=registry.example",
        ],
        &ca,
    );
    std::fs::write(ca.join("san.ext"), "subjectAltName=DNS:registry.example\n").unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "ssl.csr",
            "-CA",
            "rootCA.pem",
            "-CAkey",
            "rootCA.key",
            "-CAcreateserial",
            "-out",
            "../quay-config/ssl.cert",
            "-days",
            "356",
            "-extfile",
            "san.ext",
        ],
        &ca,
    );
    // The database: OMR's own, with this install's service key and robot.
    python(
        r#"
import sqlite3, sys
fixture, db, scratch, kid = sys.argv[1:5]
omr = sqlite3.connect(db)
omr.executescript(open(fixture).read())
ours = sqlite3.connect(scratch)
jwk = ours.execute("SELECT jwk FROM servicekey WHERE kid = ?", (kid,)).fetchone()[0]
omr.execute("UPDATE servicekey SET kid = ?, jwk = ?, expiration_date = '2099-01-01 00:00:00' WHERE id = 1", (kid, jwk))
cols = [c[1] for c in ours.execute('PRAGMA table_info("user")') if c[1] != 'id']
row = ours.execute('SELECT %s FROM "user" WHERE username = ?' % ', '.join('"%s"' % c for c in cols), ('init+bot',)).fetchone()
robot_id = omr.execute('INSERT INTO "user" (%s) VALUES (%s)' % (', '.join('"%s"' % c for c in cols), ', '.join('?' * len(cols))), row).lastrowid
token = ours.execute('SELECT t.token, t.fully_migrated FROM robotaccounttoken t JOIN "user" u ON u.id = t.robot_account_id WHERE u.username = ?', ('init+bot',)).fetchone()
omr.execute('INSERT INTO robotaccounttoken (robot_account_id, token, fully_migrated) VALUES (?, ?, ?)', (robot_id, token[0], token[1]))
owner = omr.execute('SELECT id FROM "user" WHERE username = ?', ('init',)).fetchone()[0]
omr.execute('INSERT INTO federatedlogin (user_id, service_id, service_ident, metadata_json) SELECT ?, id, ?, ? FROM loginservice WHERE name = ?', (robot_id, 'init+bot', '{}', 'quayrobot'))
omr.commit()
"#,
        &[
            concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/omr/omr_v2.0.11_3f8d7acdf7f9.sql"),
            sqlite.join("quay_sqlite.db").to_str().unwrap(),
            scratch.join("quay.db").to_str().unwrap(),
            &kid,
        ],
    );
    // A blob as OMR stores it.
    let digest = sha256(b"an OMR layer");
    let dir = storage.join("sha256").join(&digest[7..9]);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&digest[7..]), b"an OMR layer").unwrap();
    ("init+bot".to_owned(), token, kid)
}

#[tokio::test]
async fn a_mirror_registry_2_install_becomes_a_data_dir_with_its_keys_users_and_blobs() {
    let root = tempfile::tempdir().unwrap();
    let (robot, token, kid) = omr_install(root.path());
    let omr = root.path().join("quay-install");
    let target = root.path().join("data");
    let (omr_arg, target_arg) = (omr.to_str().unwrap(), target.to_str().unwrap());

    // Validation names every problem and changes nothing.
    let kid_file = omr.join("quay-config/quay.kid");
    std::fs::write(&kid_file, "not-the-kid").unwrap();
    let out = quay_output(&["migrate", "omr", "--source-root", omr_arg, "--data-dir", target_arg], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("nothing was changed"), "{err}");
    assert!(err.contains("holds the kid not-the-kid") && err.contains("no approved servicekey row"), "{err}");
    assert!(!target.exists());
    std::fs::write(&kid_file, &kid).unwrap();

    let out = quay_output(&["migrate", "omr", "--source-root", omr_arg, "--data-dir", target_arg, "--dry-run"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("would move") && err.contains("1 robots") && err.contains("1 blobs"),
        "{err}"
    );
    assert!(!target.exists());
    let source_db = std::fs::read(omr.join("sqlite-storage/quay_sqlite.db")).unwrap();

    let moved = quay_ok(&["migrate", "omr", "--source-root", omr_arg, "--data-dir", target_arg]);
    assert!(moved.contains("schema 9fa37f66a9b6 (from 3f8d7acdf7f9), 1 blobs"), "{moved}");
    assert_eq!(std::fs::read(omr.join("sqlite-storage/quay_sqlite.db")).unwrap(), source_db, "the source was written");
    let config = std::fs::read_to_string(target.join("config.yaml")).unwrap();
    assert!(config.contains("SERVER_HOSTNAME: \"registry.example:8443\""), "{config}");
    for (from, to) in [
        ("quay-rootCA/rootCA.pem", "rootCA.pem"),
        ("quay-config/quay.pem", "quay.pem"),
        ("quay-config/ssl.cert", "ssl.cert"),
    ] {
        assert_eq!(std::fs::read(omr.join(from)).unwrap(), std::fs::read(target.join(to)).unwrap(), "{to}");
    }
    let digest = sha256(b"an OMR layer");
    assert_eq!(
        std::fs::read(target.join("storage/sha256").join(&digest[7..9]).join(&digest[7..])).unwrap(),
        b"an OMR layer"
    );
    // --move checks every blob before the first leaves OMR: a damaged one stops it all.
    let damaged = omr.join("quay-storage/sha256/00");
    std::fs::create_dir_all(&damaged).unwrap();
    std::fs::write(damaged.join(format!("00{}", "0".repeat(62))), b"not what its name says").unwrap();
    let moved_target = root.path().join("moved");
    let out = quay_output(
        &["migrate", "omr", "--source-root", omr_arg, "--data-dir", moved_target.to_str().unwrap(), "--move"],
        "",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("is damaged") && err.contains("nothing was migrated"), "{err}");
    assert!(!moved_target.exists());
    assert!(omr.join("quay-storage/sha256").join(&digest[7..9]).join(&digest[7..]).exists(), "a blob left OMR");
    std::fs::remove_dir_all(&damaged).unwrap();
    // A second run never writes over the first.
    let out = quay_output(&["migrate", "omr", "--source-root", omr_arg, "--data-dir", target_arg], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));

    // The migrated registry serves OMR's users; the robot's token still logs in, and the tokens it
    // gets are signed with OMR's key (its kid).
    let users = quay_ok(&["admin", "user", "list", "--data-dir", target_arg]);
    assert!(users.contains("init"), "{users}");
    let mut server = Proc::spawn(&["serve", "--data-dir", target_arg, "--listen", "127.0.0.1:0"], &[]);
    let line = server.wait_for("serving the registry").await;
    let address: std::net::SocketAddr =
        line.split("address=").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(target.join("rootCA.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder().tls_certs_only([ca]).resolve("registry.example", address).build().unwrap();
    let url = format!(
        "https://registry.example:{}/v2/auth?service=registry.example:8443&scope=repository:init/app:pull",
        address.port()
    );
    let answer = client.get(&url).basic_auth(&robot, Some(&token)).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    let jwt = body["token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], kid.as_str());
    server.kill();
}

/// `--install` stops OMR's units through the runner, then installs this appliance on the migrated
/// data dir with OMR's hostname, creating no new user.
#[tokio::test]
async fn a_migrated_omr_install_is_installed_in_its_place() {
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    omr_install(root.path());
    let omr = root.path().join("quay-install");
    let (target, units) = (root.path().join("data"), root.path().join("units"));
    let runner = root.path().join("runner");
    std::fs::write(
        &runner,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$1 $2\" in \"podman --version\") echo 'podman version 4.9.4' ;; esac\n",
            root.path().join("calls").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&runner, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let listen =
        format!("127.0.0.1:{}", std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port());
    let out = std::process::Command::new(BIN)
        .args(["migrate", "omr", "--source-root", omr.to_str().unwrap(), "--data-dir", target.to_str().unwrap()])
        .args(["--install", "--listen", &listen, "--unit-dir", units.to_str().unwrap()])
        .env("QUAY_RUNNER", &runner)
        .env("QUAY_INSTALL_RECORD", root.path().join("install.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let calls = std::fs::read_to_string(root.path().join("calls")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(
        calls,
        [
            "systemctl disable --now quay-app.service",
            "systemctl disable --now quay-redis.service",
            "systemctl disable --now quay-pod.service",
            "podman --version",
            "systemctl daemon-reload",
            "systemctl start quay.service"
        ]
    );
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(root.path().join("install.json")).unwrap()).unwrap();
    assert_eq!(record["hostname"], "registry.example:8443");
    assert_eq!(record["custom_tls"], true);
    let unit = std::fs::read_to_string(units.join("quay.container")).unwrap();
    assert!(unit.contains(&format!("PublishPort={listen}:8443")) && unit.contains("--insecure"), "{unit}");
    // OMR's users, and no new one.
    assert!(!target.join("auth/admin-password").exists());
    let users = quay_ok(&["admin", "user", "list", "--data-dir", target.to_str().unwrap()]);
    assert!(users.contains("init"), "{users}");
    assert!(!users.lines().any(|l| l.split_whitespace().next() == Some("admin")), "{users}");
}

/// OMR keeps its database and blobs in podman volumes by default: `quay migrate omr` finds them
/// from OMR's own `quay-app.service` and `podman volume inspect`.
#[tokio::test]
async fn omr_parts_are_found_from_its_unit_and_volumes() {
    let root = tempfile::tempdir().unwrap();
    omr_install(root.path());
    let omr = root.path().join("quay-install");
    // The database and storage live in "volumes" elsewhere, as podman keeps them.
    let volumes = root.path().join("volumes");
    std::fs::create_dir_all(&volumes).unwrap();
    std::fs::rename(omr.join("sqlite-storage"), volumes.join("sqlite-storage")).unwrap();
    std::fs::rename(omr.join("quay-storage"), volumes.join("quay-storage")).unwrap();
    let units = root.path().join("units");
    std::fs::create_dir_all(&units).unwrap();
    std::fs::write(
        units.join("quay-app.service"),
        format!(
            "[Service]\nExecStart=/usr/bin/podman run --name quay-app \\\n  -v {}:/quay-registry/conf/stack:Z \\\n  \
             -v sqlite-storage:/sqlite:Z,U \\\n  -v quay-storage:/datastorage:Z \\\n  --pod=quay-pod registry\n",
            omr.join("quay-config").display()
        ),
    )
    .unwrap();
    let runner = root.path().join("runner");
    std::fs::write(
        &runner,
        format!("#!/bin/sh\n[ \"$1 $2 $3\" = \"podman volume inspect\" ] && echo '{}'/\"$4\"\n", volumes.display()),
    )
    .unwrap();
    std::fs::set_permissions(&runner, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(BIN)
        .args(["migrate", "omr", "--source-root", root.path().join("elsewhere").to_str().unwrap()])
        .args(["--data-dir", root.path().join("data").to_str().unwrap(), "--dry-run", "--json"])
        .env("QUAY_OMR_UNIT_DIR", &units)
        .env("QUAY_RUNNER", &runner)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["source"]["database"], volumes.join("sqlite-storage/quay_sqlite.db").to_str().unwrap());
    assert_eq!(plan["source"]["storage"], volumes.join("quay-storage").to_str().unwrap());
    assert_eq!(plan["blobs"], 1);
}

/// Every regular file of a data dir with its SHA-256 (SQLite's transient `-shm` index aside).
fn tree_checksums(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().ends_with("-shm") {
                out.push((path.display().to_string(), sha256(&std::fs::read(&path).unwrap())));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn blobs_move_from_local_disk_to_s3_while_the_registry_serves_and_a_killed_move_resumes() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/app").await;
    let mut pushed: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..40 {
        let layer = format!("layer before the move {i} {}", "x".repeat(i * 997)).into_bytes();
        s.push_image(&t, "alice/app", &format!("v{i}"), &layer).await;
        pushed.push((format!("v{i}"), layer));
    }
    let dir = s.stop().await;
    let config = dir.path().join("config.yaml");
    let config_arg = config.to_str().unwrap().to_owned();

    // The target is named in the config first, with its credentials; unknown names are refused.
    let out = quay_output(&["migrate", "storage", "--to", "s3", "--config", &config_arg], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("not in DISTRIBUTED_STORAGE_CONFIG"), "{err}");
    let s3_line = crate::emulators::s3s_storage_config()
        .lines()
        .find(|l| l.trim_start().starts_with("default:"))
        .unwrap()
        .replacen("default:", "s3:", 1);
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "DISTRIBUTED_STORAGE_CONFIG:\n",
        &format!("DISTRIBUTED_STORAGE_CONFIG:\n{s3_line}\n"),
        1,
    );
    std::fs::write(&config, text).unwrap();

    // --dry-run reads only.
    let before = tree_checksums(dir.path());
    let plan = quay_ok(&["migrate", "storage", "--to", "s3", "--config", &config_arg, "--dry-run"]);
    assert!(plan.contains("would copy 41 blobs") && plan.contains("retire `default`"), "{plan}");
    assert_eq!(tree_checksums(dir.path()), before, "--dry-run changed the data dir");

    // A server (with its workers) serves while the move runs; pushes and pulls go on throughout.
    let node = Node::start(dir.path(), "", &[]).await;
    let remote = Remote::at(&node.host);
    let token = remote.push_token(ALICE, "alice/app").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let traffic = {
        let stop = stop.clone();
        let host = node.host.clone();
        let existing = pushed.clone();
        tokio::spawn(async move {
            let remote = Remote::at(&host);
            let token = remote.push_token(ALICE, "alice/app").await;
            let mut during = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let layer = format!("layer pushed during the move {i}").into_bytes();
                remote.push_image(&token, "alice/app", &format!("during{i}"), &layer).await;
                during.push((format!("during{i}"), layer));
                let (tag, _) = &existing[i % existing.len()];
                let r =
                    remote.req(Method::GET, &format!("/v2/alice/app/manifests/{tag}"), &token).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK, "pull of {tag} during the move");
                i += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            during
        })
    };

    // Killed in the middle of copying: the node already replicates new blobs to the target.
    let mut first = Proc::spawn(
        &["migrate", "storage", "--to", "s3", "--config", &config_arg, "--parallel", "2"],
        &[("QUAY_TEST_HOOKS", "migrate-storage.blobs@10=pause")],
    );
    first.wait_for("quay test hook: migrate-storage.blobs@10").await;
    first.kill();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("FEATURE_STORAGE_REPLICATION: true")
            && text.contains(r#"DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS: ["s3"]"#),
        "{text}"
    );
    remote.push_image(&token, "alice/app", "while-stopped", b"replicated by the server's own job").await;
    let uri = quay::config::LoadedConfig::from_path(&config).unwrap().config.database().unwrap();
    let db = quay::db::Db::open(&uri, "default").await.unwrap();
    let s3_id = quay::db::blob::storage_location_id(&db.read, "s3").await.unwrap().unwrap();
    let layer = sha256(b"replicated by the server's own job");
    wait_until("the server's replication job copies a new blob to the target", || async {
        quay::db::blob::placements_of_digest(&db.read, &layer).await.unwrap().contains(&s3_id)
    })
    .await;
    db.close().await;

    // Resumed: it finishes, blobs pushed meanwhile included, then the old location is retired.
    let out = quay_ok(&["migrate", "storage", "--to", "s3", "--config", &config_arg, "--parallel", "4", "--json"]);
    let moved: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(moved["retired"], serde_json::json!(["default"]), "{moved}");
    let resumed = moved["copied_blobs"].as_u64().unwrap() + moved["verified_blobs"].as_u64().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = traffic.await.unwrap();
    assert!(!during.is_empty());
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(!text.contains("LocalStorage") && text.contains(r#"DISTRIBUTED_STORAGE_PREFERENCE: ["s3"]"#), "{text}");

    // Pushed after the move: straight to the target.
    remote.push_image(&token, "alice/app", "after", b"pushed after the move").await;
    pushed.extend(during);
    pushed.push(("after".into(), b"pushed after the move".to_vec()));
    pushed.push(("while-stopped".into(), b"replicated by the server's own job".to_vec()));
    for (tag, layer) in &pushed {
        let r = remote.req(Method::GET, &format!("/v2/alice/app/manifests/{tag}"), &token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{tag}");
        let manifest: Value = r.json().await.unwrap();
        let d = manifest["layers"][0]["digest"].as_str().unwrap();
        // Served by a redirect to the object store's signed URL, which the client follows.
        let r = remote.req(Method::GET, &format!("/v2/alice/app/blobs/{d}"), &token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{tag}");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..], &layer[..], "{tag}");
    }
    drop(node);

    // Every blob the database names is on the target and hashes to its digest; the old folder
    // keeps its objects until the operator removes them.
    let report = quay_ok(&["fsck", "--verify", "--config", &config_arg, "--json"]);
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["locations"], serde_json::json!(["s3"]));
    assert_eq!(report["missing"], serde_json::json!([]), "{report}");
    assert_eq!(report["corrupt"], serde_json::json!([]), "{report}");
    let blobs = report["blobs_checked"].as_u64().unwrap();
    assert!(blobs >= 41 + 2, "{report}");
    // The first run copied at least 10 and the server's job some more: the second did the rest.
    assert!(resumed > 0 && resumed + 10 <= blobs, "{moved} of {blobs}");
    assert!(dir.path().join("storage/sha256").exists());
}
