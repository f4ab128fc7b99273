//! Test harness: a real server on 127.0.0.1:0 with its own data folder, and a small client.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use quay::app::{App, AppState};
use quay::config::LoadedConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Digest as _;

pub const ADMIN: (&str, &str) = ("admin", "admin-password");
pub const ALICE: (&str, &str) = ("alice", "alice-password");
pub const BOB: (&str, &str) = ("bob", "bob-password");

pub struct Server {
    /// The server's application, for what tests drive directly (garbage collection).
    pub app: AppState,
    pub remote: Remote,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::ops::Deref for Server {
    type Target = Remote;
    fn deref(&self) -> &Remote {
        &self.remote
    }
}

/// A registry the test talks to over HTTP: an in-process [`Server`] or a [`Node`] process.
pub struct Remote {
    pub base: String,
    pub host: String,
    pub client: reqwest::Client,
}

/// Where the tests keep their data: SQLite (default) or, with `QUAY_TEST_DATABASE=postgres`, a new
/// database per server on the PostgreSQL at 127.0.0.1:5432.
pub fn test_db_uri() -> String {
    if std::env::var("QUAY_TEST_DATABASE").as_deref() != Ok("postgres") {
        return "sqlite:///quay.db".to_owned();
    }
    postgres_database()
}

/// A new, empty database on the test PostgreSQL server; returns its URL.
pub fn postgres_database() -> String {
    let admin = std::env::var("QUAY_TEST_POSTGRES").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432".into());
    let name = format!("quay_test_{}", uuid::Uuid::new_v4().simple());
    // A blocking client keeps this usable from sync tests and async ones alike.
    let status = std::process::Command::new("psql")
        .args([&format!("{admin}/postgres"), "-qc", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("psql must be installed to run the tests on PostgreSQL");
    assert!(status.success(), "cannot create test database {name}");
    format!("{admin}/{name}")
}

/// Notes a secret the suite created or used (password, token, key) and returns it: `scripts/test`
/// looks for each in every log of the run (`QUAY_TEST_LOG_DIR`) and fails if one is there.
pub fn secret<S: AsRef<str>>(value: S) -> S {
    if let Ok(dir) = std::env::var("QUAY_TEST_LOG_DIR") {
        use std::io::Write as _;
        let mut file =
            std::fs::File::options().create(true).append(true).open(Path::new(&dir).join("secrets")).unwrap();
        writeln!(file, "{}", value.as_ref()).unwrap();
    }
    value
}

/// Where a process of the test writes its log: in the run's log folder when `scripts/test` set
/// one (at debug level, for the secrets check), else in a temporary folder of the test.
fn log_file(kind: &str) -> (PathBuf, Option<tempfile::TempDir>, bool) {
    match std::env::var("QUAY_TEST_LOG_DIR") {
        Ok(dir) => (Path::new(&dir).join(format!("{kind}-{}.log", uuid::Uuid::new_v4().simple())), None, true),
        Err(_) => {
            let tmp = tempfile::tempdir().unwrap();
            (tmp.path().join(format!("{kind}.log")), Some(tmp), false)
        }
    }
}

/// Creates the test users (ADMIN, ALICE, BOB) in the database of the config in `dir`.
pub async fn create_users(dir: &Path) {
    let loaded = LoadedConfig::from_path(&dir.join("config.yaml")).unwrap();
    let db = quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap();
    for (user, password) in [ADMIN, ALICE, BOB] {
        secret(password);
        // Cost 4 keeps the suite fast; verification accepts any cost.
        let hash = bcrypt::hash(password, 4).unwrap();
        let tx = db.begin().await.unwrap();
        quay::db::user::create_user(&tx, user, &format!("{user}@example.com"), &hash).await.unwrap();
        tx.commit().await.unwrap();
    }
    db.close().await;
}

/// The config a test server starts with; `extra` is appended verbatim.
pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("config.yaml");
    let db = test_db_uri();
    let storage = if extra.contains("DISTRIBUTED_STORAGE_CONFIG:") {
        String::new()
    } else {
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {storage_path: storage}]\n".to_owned()
    };
    for line in extra.lines() {
        if let Some((key, value)) = line.split_once(": ")
            && key.ends_with("SECRET_KEY")
        {
            secret(value.trim());
        }
    }
    let text = format!(
        "SERVER_HOSTNAME: placeholder:1\nPREFERRED_URL_SCHEME: http\nDB_URI: {db}\n{storage}\
         DISTRIBUTED_STORAGE_PREFERENCE: [default]\nSUPER_USERS: [admin]\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with("").await
    }

    pub async fn start_with(extra: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        write_config(dir.path(), extra);
        let server = Self::start_in(dir).await;
        server.create_users().await;
        server
    }

    /// A server on a new database without users.
    pub async fn start_empty(extra: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        write_config(dir.path(), extra);
        Self::start_in(dir).await
    }

    /// Starts (or restarts) a server on an existing data folder.
    pub async fn start_in(dir: tempfile::TempDir) -> Server {
        Self::start_with_config(dir, "config.yaml").await
    }

    /// Starts a server with another config file of the same data folder (a second node).
    pub async fn start_with_config(dir: tempfile::TempDir, config_file: &str) -> Server {
        // Server-side errors show up in the failing test's output; for the secrets check, everything
        // at debug level goes to the run's log folder.
        let _ = match log_file("inproc") {
            (path, _, true) => tracing_subscriber::fmt()
                .with_env_filter("debug")
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(std::fs::File::create(path).unwrap()))
                .try_init(),
            _ => tracing_subscriber::fmt().with_env_filter("quay=error").with_test_writer().try_init(),
        };
        let mut loaded = LoadedConfig::from_path(&dir.path().join(config_file)).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        loaded.config.server_hostname = addr.to_string();
        let app = AppState(Arc::new(App::open(&loaded).await.unwrap()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = app.clone();
        let task = tokio::spawn(async move {
            quay::http::serve(listener, served, None, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Server { app, remote: Remote::at(&addr.to_string()), dir, shutdown: Some(tx), task: Some(task) }
    }

    /// Stops the server and hands back its data folder.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    async fn create_users(&self) {
        create_users(self.dir.path()).await;
    }

    /// A second handle on the server's database, for setting up what has no HTTP API.
    pub async fn db(&self) -> quay::db::Db {
        let loaded = LoadedConfig::from_path(&self.dir.path().join("config.yaml")).unwrap();
        quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap()
    }

    /// Moves everything the registry timed back by `seconds`, as if that much time had passed:
    /// tag lifetimes (time machine, expirations, hidden temporary tags, creation dates), upload
    /// links and failed-login times. Tests advance this clock instead of sleeping.
    pub async fn time_passes(&self, seconds: i64) {
        use sea_orm::ConnectionTrait as _;
        self.app.logins.time_passes(std::time::Duration::from_secs(seconds as u64));
        let db = self.db().await;
        let ms = seconds * 1000;
        let shift = |sql: &str, values: Vec<sea_orm::Value>| quay::db::sql(db.backend(), sql, values);
        db.write
            .execute_raw(shift(
                "UPDATE tag SET lifetime_start_ms = lifetime_start_ms - ?, lifetime_end_ms = lifetime_end_ms - ?",
                vec![ms.into(), ms.into()],
            ))
            .await
            .unwrap();
        for (table, column) in [("uploadedblob", "expires_at"), ("\"user\"", "last_invalid_login")] {
            let rows = db
                .read
                .query_all_raw(shift(
                    &format!("SELECT id, {column} AS t FROM {table} WHERE {column} IS NOT NULL"),
                    vec![],
                ))
                .await
                .unwrap();
            for row in rows {
                // Ids are 64-bit in some of Quay's PostgreSQL tables.
                let id: i64 =
                    row.try_get::<i64>("", "id").or_else(|_| row.try_get::<i32>("", "id").map(i64::from)).unwrap();
                let t: chrono::NaiveDateTime = row.try_get("", "t").unwrap();
                let earlier = t - chrono::Duration::seconds(seconds);
                let sql = format!("UPDATE {table} SET {column} = ? WHERE id = ?");
                db.write.execute_raw(shift(&sql, vec![earlier.into(), id.into()])).await.unwrap();
            }
        }
        db.close().await;
    }

    /// The server's field encryption (its config must set DATABASE_SECRET_KEY).
    pub fn secrets(&self) -> quay::auth::secret::FieldEncryption {
        let loaded = LoadedConfig::from_path(&self.dir.path().join("config.yaml")).unwrap();
        loaded.config.field_encryption().unwrap().expect("DATABASE_SECRET_KEY in the test config")
    }
}

impl Remote {
    pub fn at(host: &str) -> Remote {
        Remote { base: format!("http://{host}"), host: host.to_owned(), client: reqwest::Client::new() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client whose connections come from `address` (`127.0.0.2`, ...): another machine, as
    /// far as the server can tell.
    pub fn client_from(&self, address: &str) -> reqwest::Client {
        reqwest::Client::builder().local_address(address.parse::<std::net::IpAddr>().unwrap()).build().unwrap()
    }

    /// A token for `scopes`, as `user` (anonymous when `None`).
    pub async fn token(&self, user: Option<(&str, &str)>, scopes: &[&str]) -> String {
        let mut query: Vec<(&str, &str)> = vec![("service", self.host.as_str())];
        for s in scopes {
            query.push(("scope", s));
        }
        let mut req = self.client.get(self.url("/v2/auth")).query(&query);
        if let Some((u, p)) = user {
            req = req.basic_auth(u, Some(p));
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "token request failed");
        let body: Value = resp.json().await.unwrap();
        secret(body["token"].as_str().unwrap().to_owned())
    }

    /// A token with pull and push on a repository.
    pub async fn push_token(&self, user: (&str, &str), repo: &str) -> String {
        self.token(Some(user), &[&format!("repository:{repo}:pull,push")]).await
    }

    pub fn req(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(method, if path.starts_with("http") { path.to_owned() } else { self.url(path) });
        if token.is_empty() { r } else { r.bearer_auth(token) }
    }

    /// Pushes a blob monolithically and returns its digest.
    pub async fn push_blob(&self, token: &str, repo: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let resp = self
            .req(Method::POST, &format!("/v2/{repo}/blobs/uploads/?digest={digest}"), token)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED, "blob push: {}", resp.text().await.unwrap());
        digest
    }

    pub async fn put_manifest(
        &self,
        token: &str,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &str,
    ) -> reqwest::Response {
        self.req(Method::PUT, &format!("/v2/{repo}/manifests/{reference}"), token)
            .header("content-type", media_type)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// Pushes a one-layer image and returns (manifest, digest).
    pub async fn push_image(&self, token: &str, repo: &str, tag: &str, layer: &[u8]) -> (String, String) {
        let config_bytes = br#"{"architecture":"amd64","os":"linux"}"#;
        let config = self.push_blob(token, repo, config_bytes).await;
        let layer_digest = self.push_blob(token, repo, layer).await;
        let manifest = image_manifest(&config, config_bytes.len(), &[(&layer_digest, layer.len())], None);
        let resp = self.put_manifest(token, repo, tag, OCI_MANIFEST, &manifest).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "{}", resp.text().await.unwrap());
        let digest = sha256(manifest.as_bytes());
        (manifest, digest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// An OCI image manifest; `extra` is spliced in as further top-level fields.
pub fn image_manifest(config: &str, config_size: usize, layers: &[(&str, usize)], extra: Option<&str>) -> String {
    let layers: Vec<String> = layers
        .iter()
        .map(|(d, s)| {
            format!(r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{d}","size":{s}}}"#)
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":{config_size}}},"layers":[{}]{}}}"#,
        layers.join(","),
        extra.map(|e| format!(",{e}")).unwrap_or_default()
    )
}

/// The OCI error code of a response body.
pub async fn error_code(resp: reqwest::Response) -> String {
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    v["errors"][0]["code"].as_str().unwrap_or("<none>").to_owned()
}

pub use crate::emulators::s3_storage_config;

/// A minimal OCI image layout on disk, written the way `umoci`/`skopeo` would.
pub struct Layout {
    pub dir: PathBuf,
    refs: Vec<Value>,
}

impl Layout {
    pub fn new(dir: &Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout { dir: dir.to_path_buf(), refs: Vec::new() }
    }

    pub fn blob(&self, bytes: &[u8]) -> (String, usize) {
        let digest = sha256(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(&digest[7..]), bytes).unwrap();
        (digest, bytes.len())
    }

    pub fn image(&self, arch: &str, layers: &[Vec<u8>], extra: Option<Value>) -> (String, usize) {
        let diff_ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
        let config = json!({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}});
        let (cd, cs) = self.blob(config.to_string().as_bytes());
        let layers: Vec<Value> = layers
            .iter()
            .map(|l| {
                let (d, s) = self.blob(l);
                json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s})
            })
            .collect();
        let mut m = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
            "layers": layers,
        });
        if let Some(Value::Object(extra)) = extra {
            for (k, v) in extra {
                m[k] = v;
            }
        }
        self.blob(serde_json::to_string_pretty(&m).unwrap().as_bytes())
    }

    pub fn tag(&mut self, media_type: &str, (digest, size): &(String, usize), tag: &str) {
        self.refs.push(json!({"mediaType": media_type, "digest": digest, "size": size,
            "annotations": {"org.opencontainers.image.ref.name": tag}}));
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.refs});
        std::fs::write(self.dir.join("index.json"), index.to_string()).unwrap();
    }
}

/// An OCI layout in `dir` holding one amd64 image with `layers`, tagged `v1`; returns the
/// manifest's text and digest.
pub fn single_image_layout(dir: &Path, layers: &[Vec<u8>]) -> (String, String) {
    let mut layout = Layout::new(dir);
    let image = layout.image("amd64", layers, None);
    layout.tag(OCI_MANIFEST, &image, "v1");
    let text = std::fs::read_to_string(dir.join("blobs/sha256").join(&image.0[7..])).unwrap();
    (text, image.0)
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_quay");

/// Runs `quay ARGS` to completion with `stdin`; returns its output (any exit status).
pub fn quay_output(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new(BIN)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `quay ARGS`, which must succeed; returns its standard output.
pub fn quay_ok(args: &[&str]) -> String {
    let out = quay_output(args, "");
    assert!(out.status.success(), "quay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// How long a test waits for something a process should do before it fails (generous: a loaded
/// 2-core machine runs the whole suite at once).
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

/// Polls `check` until it holds; fails the test with `what` after [`PATIENCE`].
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A long-running `quay` process (`serve`, `worker`, `gc`): its standard error goes to a file the
/// test reads to learn what the process did (its log, and the lines of `QUAY_TEST_HOOKS`). Killed
/// when dropped.
pub struct Proc {
    child: std::process::Child,
    log: PathBuf,
    _logs: Option<tempfile::TempDir>,
    /// Standard output (what quay tells the operator, first passwords included), kept out of the
    /// run's log folder.
    stdout: tempfile::NamedTempFile,
}

impl Proc {
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Proc {
        let mut command = std::process::Command::new(BIN);
        command.args(args);
        Self::spawn_command(command, env)
    }

    /// Starts quay under a shell that first runs `limits` (`ulimit -Sn 1024`, say).
    pub fn spawn_limited(limits: &str, args: &[&str], env: &[(&str, &str)]) -> Proc {
        let mut command = std::process::Command::new("sh");
        command.arg("-c").arg(format!("{limits} && exec \"$0\" \"$@\"")).arg(BIN).args(args);
        Self::spawn_command(command, env)
    }

    fn spawn_command(mut command: std::process::Command, env: &[(&str, &str)]) -> Proc {
        let (log, logs, debug) = log_file("quay");
        if debug {
            command.env("QUAY_LOG", "debug");
        }
        let stdout = tempfile::NamedTempFile::new().unwrap();
        let child = command
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(stdout.reopen().unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Proc { child, log, _logs: logs, stdout }
    }

    /// Everything the process wrote to standard output so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.stdout.path()).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the process wrote to standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until a line containing `needle` appears in the log and returns that line; fails
    /// with the log when the process exits first or after [`PATIENCE`].
    pub async fn wait_for(&mut self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(line) = self.log().lines().find(|l| l.contains(needle)) {
                return line.to_owned();
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("quay exited ({status}) before printing `{needle}`:\n{}", self.log());
            }
            assert!(std::time::Instant::now() < deadline, "no `{needle}` from quay:\n{}", self.log());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Sends a signal (`STOP`, `CONT`, `TERM`, ...).
    pub fn signal(&self, signal: &str) {
        let status =
            std::process::Command::new("kill").args([&format!("-{signal}"), &self.pid().to_string()]).status().unwrap();
        assert!(status.success(), "kill -{signal}");
    }

    /// Kills the process at once (SIGKILL: no cleanup runs) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself.
    pub async fn exit(&mut self) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "quay did not exit:\n{}", self.log());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `quay serve --http` process on a config folder, on a port the server bound itself (no port
/// is picked and released for it to race for).
pub struct Node {
    pub proc: Proc,
    pub remote: Remote,
}

impl std::ops::Deref for Node {
    type Target = Remote;
    fn deref(&self) -> &Remote {
        &self.remote
    }
}

impl Node {
    /// Starts a node with `QUAY_TEST_HOOKS` set to `hooks` (when not empty) and waits until it serves.
    pub async fn start(config_dir: &Path, hooks: &str, extra_args: &[&str]) -> Node {
        let mut args = vec!["serve", "--config", config_dir.to_str().unwrap(), "--listen", "127.0.0.1:0", "--http"];
        args.extend_from_slice(extra_args);
        let env: Vec<(&str, &str)> = if hooks.is_empty() { Vec::new() } else { vec![("QUAY_TEST_HOOKS", hooks)] };
        let mut proc = Proc::spawn(&args, &env);
        let line = proc.wait_for("serving the registry").await;
        let address = line.split("address=").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap();
        Node { remote: Remote::at(address), proc }
    }
}

/// Credentials for one API call.
#[derive(Clone)]
pub enum Auth {
    Anonymous,
    Basic((&'static str, &'static str)),
    Bearer(String),
}

pub async fn call(s: &Server, method: Method, path: &str, auth: &Auth, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = s.client.request(method, s.url(path));
    req = match auth {
        Auth::Anonymous => req,
        Auth::Basic((u, p)) => req.basic_auth(u, Some(p)),
        Auth::Bearer(t) => req.bearer_auth(t),
    };
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, value)
}

/// Runs skopeo with `args` and returns what it did.
pub async fn skopeo_output(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || std::process::Command::new("skopeo").args(&args).output())
        .await
        .unwrap()
        .expect("skopeo must be installed (scripts/test installs it)")
}

/// Runs skopeo with `args`; fails the test with its output when it fails.
pub async fn skopeo(args: Vec<String>) {
    let out = skopeo_output(args).await;
    assert!(
        out.status.success(),
        "skopeo failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The single number a query such as `SELECT COUNT(*) ...` returns.
pub async fn count_rows(db: &quay::db::Db, sql: &str) -> i64 {
    let row =
        sea_orm::ConnectionTrait::query_one_raw(&db.read, quay::db::sql(db.backend(), sql, [])).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}
