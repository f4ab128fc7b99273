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
    pub base: String,
    pub host: String,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
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

/// The config a test server starts with; `extra` is appended verbatim.
pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("config.yaml");
    let db = test_db_uri();
    let storage = if extra.contains("DISTRIBUTED_STORAGE_CONFIG:") {
        String::new()
    } else {
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {storage_path: storage}]\n".to_owned()
    };
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
        // Server-side errors show up in the failing test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("quay=error").with_test_writer().try_init();
        let mut loaded = LoadedConfig::from_path(&dir.path().join(config_file)).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        loaded.config.server_hostname = addr.to_string();
        let app = AppState(Arc::new(App::open(&loaded).await.unwrap()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let router = quay::http::router(app.clone());
        let task = tokio::spawn(async move {
            quay::http::serve(listener, router, None, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Server {
            app,
            base: format!("http://{addr}"),
            host: addr.to_string(),
            dir,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
        }
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
        let loaded = LoadedConfig::from_path(&self.dir.path().join("config.yaml")).unwrap();
        let db = quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap();
        for (user, password) in [ADMIN, ALICE, BOB] {
            // Cost 4 keeps the suite fast; verification accepts any cost.
            let hash = bcrypt::hash(password, 4).unwrap();
            let tx = db.begin().await.unwrap();
            quay::db::queries::create_user(&tx, user, &format!("{user}@example.com"), &hash).await.unwrap();
            tx.commit().await.unwrap();
        }
        db.close().await;
    }

    /// A second handle on the server's database, for setting up what has no HTTP API.
    pub async fn db(&self) -> quay::db::Db {
        let loaded = LoadedConfig::from_path(&self.dir.path().join("config.yaml")).unwrap();
        quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap()
    }

    /// The server's field encryption (its config must set DATABASE_SECRET_KEY).
    pub fn secrets(&self) -> quay::auth::secret::FieldEncryption {
        let loaded = LoadedConfig::from_path(&self.dir.path().join("config.yaml")).unwrap();
        loaded.config.field_encryption().unwrap().expect("DATABASE_SECRET_KEY in the test config")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
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
        body["token"].as_str().unwrap().to_owned()
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
        let config = self.push_blob(token, repo, br#"{"architecture":"amd64","os":"linux"}"#).await;
        let layer_digest = self.push_blob(token, repo, layer).await;
        let manifest = image_manifest(&config, 38, &[(&layer_digest, layer.len())], None);
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

/// A moto S3 server for this test process (started once, on a free port), and a new bucket in it.
pub fn s3_bucket() -> (String, String) {
    static MOTO: std::sync::OnceLock<(u16, std::sync::Mutex<std::process::Child>)> = std::sync::OnceLock::new();
    let (port, _) = MOTO.get_or_init(|| {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // `timeout` ends the emulator even if this test process dies without cleaning up.
        let child = std::process::Command::new("timeout")
            .args(["900", "moto_server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto_server must be installed (scripts/test installs it)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        (port, std::sync::Mutex::new(child))
    });
    let endpoint = format!("http://127.0.0.1:{port}");
    let bucket = format!("quay-{}", uuid::Uuid::new_v4().simple());
    // moto does not check signatures: a plain PUT creates the bucket.
    let status = std::process::Command::new("curl")
        .args(["-sf", "-X", "PUT", &format!("{endpoint}/{bucket}")])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cannot create bucket {bucket}");
    (endpoint, bucket)
}

/// Config lines that put a server's blobs in a new S3 bucket.
pub fn s3_storage_config() -> String {
    let (endpoint, bucket) = s3_bucket();
    format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [S3Storage, {{s3_bucket: {bucket}, storage_path: /registry, s3_access_key: test, s3_secret_key: test, s3_region: us-east-1, endpoint_url: \"{endpoint}\"}}]\n"
    )
}

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
