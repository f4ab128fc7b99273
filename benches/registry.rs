//! Side-by-side benchmark of `quay serve` and Debian's `docker-registry` (CNCF distribution 2.8.2)
//! on this machine, in one run: blob push and pull throughput, manifest GET and blob HEAD at
//! concurrency 16, pushes of many small images, idle memory and startup time.
//!
//! Run with `scripts/bench` (it installs docker-registry when missing). Sizes can be changed with
//! BENCH_BLOB_MIB, BENCH_SECONDS and BENCH_SMALL_IMAGES. `BENCH_BACKEND=s3` puts both registries on
//! the moto S3 emulator (`BENCH_S3_EMULATOR=s3s-fs` for s3s-fs, which only quay can use), and quay
//! on PostgreSQL (127.0.0.1:5432); blob pulls then follow each registry's redirect to the storage.
//! `BENCH_QUAY_BASELINE=/path/to/quay` adds a third server, an earlier build of quay, measured in
//! the same rounds: a change's before and after, side by side with distribution.
//! `BENCH_QUAY_ENV="NAME=VALUE ..."` sets environment variables of the measured build only.
//! `BENCH_MIRROR=1` measures a repository mirror's sync instead (`registry/mirror.rs`), and
//! `BENCH_TRANSFER=1` `quay export` and `quay import` (`registry/transfer.rs`).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::Digest as _;

// In a folder of its own, so that cargo does not take it for a benchmark target.
#[path = "registry/mirror.rs"]
mod mirror;
#[path = "registry/transfer.rs"]
mod transfer;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Deterministic pseudo-random bytes, generated on the fly so no blob is ever held in memory.
fn chunk(seed: u64, index: u64, len: usize) -> Bytes {
    let mut x = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    Bytes::from(out)
}

const CHUNK: usize = 1 << 20;

fn blob_digest(seed: u64, mib: u64) -> String {
    let mut h = sha2::Sha256::new();
    for i in 0..mib {
        h.update(chunk(seed, i, CHUNK));
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

struct Server {
    name: String,
    child: Child,
    base: String,
    token: Option<String>,
    _dir: tempfile::TempDir,
    startup: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn auth(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }
}

async fn wait_ready(client: &reqwest::Client, base: &str) -> Duration {
    let started = Instant::now();
    loop {
        if client.get(format!("{base}/v2/")).send().await.is_ok() {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{base} did not start");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The S3 emulator both registries store blobs in (`BENCH_BACKEND=s3`).
struct S3 {
    name: &'static str,
    endpoint: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const S3_KEY: &str = "benchaccesskey";
const S3_SECRET: &str = "benchsecretkey";

async fn start_s3(client: &reqwest::Client) -> S3 {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // moto by default: distribution's S3 driver needs ListMultipartUploads, which s3s-fs lacks.
    let s3s = (std::env::var("BENCH_S3_EMULATOR").as_deref() == Ok("s3s-fs"))
        .then(|| {
            ["/opt/s3s/bin/s3s-fs", "s3s-fs"]
                .into_iter()
                .find(|p| Command::new(p).arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok())
        })
        .flatten();
    let (name, child) = match s3s {
        Some(program) => {
            let child = Command::new(program)
                .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", S3_KEY])
                .args(["--secret-key", S3_SECRET])
                .arg(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            ("s3s-fs", child)
        }
        None => {
            let child = Command::new("moto_server")
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("neither s3s-fs nor moto_server is installed");
            ("moto", child)
        }
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while client.get(&endpoint).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the S3 emulator did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    S3 { name, endpoint, child, dir }
}

impl S3 {
    /// A new bucket: a folder for s3s-fs, an anonymous PUT for moto (it checks no signatures).
    async fn bucket(&self, client: &reqwest::Client, name: &str) {
        if self.name == "s3s-fs" {
            std::fs::create_dir_all(self.dir.path().join(name)).unwrap();
        } else {
            let r = client.put(format!("{}/{name}", self.endpoint)).send().await.unwrap();
            assert!(r.status().is_success(), "create bucket: {}", r.status());
        }
    }
}

async fn start_distribution(client: &reqwest::Client, s3: Option<&S3>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.yml");
    let storage = match s3 {
        None => format!("  filesystem:\n    rootdirectory: {}\n", dir.path().join("data").display()),
        Some(s3) => {
            s3.bucket(client, "distribution").await;
            format!(
                "  s3:\n    accesskey: {S3_KEY}\n    secretkey: {S3_SECRET}\n    region: us-east-1\n    regionendpoint: {}\n    bucket: distribution\n    secure: false\n    v4auth: true\n    rootdirectory: /registry\n",
                s3.endpoint
            )
        }
    };
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n{storage}  delete:\n    enabled: true\n  cache:\n    blobdescriptor: inmemory\nhttp:\n  addr: 127.0.0.1:{port}\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        // The Go AWS SDK fails to start when this machine-wide variable is set (plain HTTP here).
        .env_remove("AWS_CA_BUNDLE")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry is not installed (scripts/bench installs it)");
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(client, &base).await;
    Server { name: "distribution 2.8.2".to_owned(), child, base, token: None, _dir: dir, startup: started.elapsed() }
}

/// A new PostgreSQL database for quay; dropped by `scripts/bench`'s next run or by hand.
fn postgres_database() -> String {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let name = format!("quay_bench_{}_{}", std::process::id(), SERIAL.fetch_add(1, Ordering::Relaxed));
    let admin = "postgresql://postgres@127.0.0.1:5432";
    let _ = Command::new("psql")
        .args([&format!("{admin}/postgres"), "-qc", &format!("DROP DATABASE IF EXISTS {name}")])
        .status();
    let ok = Command::new("psql")
        .args([&format!("{admin}/postgres"), "-qc", &format!("CREATE DATABASE {name}")])
        .status()
        .unwrap()
        .success();
    assert!(ok, "cannot create the benchmark database on 127.0.0.1:5432");
    format!("{admin}/{name}")
}

/// Where quay keeps its data (`BENCH_BACKEND`): the appliance's SQLite and local disk (default),
/// PostgreSQL and local disk (`postgres`), PostgreSQL and S3 (`s3`).
#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Local,
    Postgres,
    S3,
}

/// Starts quay from `bin`; `extra` is appended to its config before the measured start.
async fn start_quay(
    client: &reqwest::Client,
    backend: Backend,
    s3: Option<&S3>,
    bin: &str,
    name: &str,
    extra: &str,
) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let host = format!("127.0.0.1:{port}");
    let data = dir.path().join("data");
    // Local: the appliance's own first start (SQLite, local disk). Otherwise a Quay config on
    // PostgreSQL, with local disk or S3.
    let (source, password) = match (backend, s3) {
        (Backend::Local, _) => (vec!["--data-dir".to_owned(), data.display().to_string()], None),
        (_, s3) => {
            std::fs::create_dir_all(&data).unwrap();
            let storage = match s3 {
                Some(s3) => {
                    s3.bucket(client, "quay").await;
                    format!(
                        "[S3Storage, {{s3_bucket: quay, storage_path: /registry, s3_access_key: {S3_KEY}, s3_secret_key: {S3_SECRET}, s3_region: us-east-1, endpoint_url: \"{}\"}}]",
                        s3.endpoint
                    )
                }
                None => "[LocalStorage, {storage_path: storage}]".to_owned(),
            };
            let db = postgres_database();
            std::fs::write(
                data.join("config.yaml"),
                format!(
                    "SERVER_HOSTNAME: {host}\nPREFERRED_URL_SCHEME: http\nDB_URI: {db}\nDISTRIBUTED_STORAGE_CONFIG:\n  default: {storage}\nDISTRIBUTED_STORAGE_PREFERENCE: [default]\nSUPER_USERS: [admin]\n"
                ),
            )
            .unwrap();
            let mut create = Command::new(bin)
                .args(["admin", "--config", data.to_str().unwrap(), "user", "create", "admin", "--password-stdin"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut create.stdin.take().unwrap(), b"bench-password\n").unwrap();
            assert!(create.wait().unwrap().success());
            (vec!["--config".to_owned(), data.display().to_string()], Some("bench-password".to_owned()))
        }
    };
    let serve = || {
        Command::new(bin)
            .args(["serve", "--listen", &host, "--hostname", &host, "--http"])
            .args(&source)
            // e.g. BENCH_QUAY_ARGS=--no-workers, to tell background jobs apart from the request path.
            .args(std::env::var("BENCH_QUAY_ARGS").unwrap_or_default().split_whitespace())
            .env("QUAY_LOG", "warn")
            // As a service runs: a developer's RUST_BACKTRACE=1 would make every storage "not
            // found" capture a backtrace (opendal's errors do when it is set).
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            // As the units and the image run it (two glibc arenas, for SQLite).
            .env("MALLOC_ARENA_MAX", "2")
            // BENCH_QUAY_ENV="NAME=VALUE ...": settings of the measured build only (not the
            // baseline's), to compare allocator settings of one binary in the same rounds.
            .envs(
                std::env::var("BENCH_QUAY_ENV")
                    .ok()
                    .filter(|_| name == "quay")
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect::<Vec<_>>(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // First start creates the database, keys and admin user; startup is measured on the second.
    let mut first = serve();
    let base = format!("http://{host}");
    wait_ready(client, &base).await;
    let _ = first.kill();
    let _ = first.wait();
    if !extra.is_empty() {
        use std::io::Write as _;
        let mut config = std::fs::OpenOptions::new().append(true).open(data.join("config.yaml")).unwrap();
        config.write_all(format!("\n{extra}").as_bytes()).unwrap();
    }
    let started = Instant::now();
    let child = serve();
    wait_ready(client, &base).await;
    let startup = started.elapsed();
    let password = password
        .unwrap_or_else(|| std::fs::read_to_string(data.join("auth/admin-password")).unwrap().trim().to_owned());
    let resp = client
        .get(format!("{base}/v2/auth"))
        .query(&[("service", host.as_str()), ("scope", "repository:admin/bench:pull,push")])
        .basic_auth("admin", Some(password))
        .send()
        .await
        .unwrap();
    let token = resp.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    Server { name: name.to_owned(), child, base, token: Some(token), _dir: dir, startup }
}

/// What the registry itself sends for one blob GET (a redirect costs it no blob bytes).
async fn registry_bytes_per_pull(s: &Server, digest: &str) -> (u16, u64) {
    let direct = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = s.auth(direct.get(format!("{}/v2/admin/bench/blobs/{digest}", s.base))).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().len() as u64)
}

/// POST, one streamed PATCH, PUT: what skopeo and podman do.
async fn push_blob(client: &reqwest::Client, s: &Server, seed: u64, mib: u64, digest: &str) {
    let r = s.auth(client.post(format!("{}/v2/admin/bench/blobs/uploads/", s.base))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 202, "{}", s.name);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let location = if location.starts_with("http") { location } else { format!("{}{location}", s.base) };
    let stream = futures_util::stream::iter((0..mib).map(move |i| Ok::<_, std::io::Error>(chunk(seed, i, CHUNK))));
    let r = s
        .auth(client.patch(&location))
        .header("content-type", "application/octet-stream")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202, "{}", s.name);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let location = if location.starts_with("http") { location } else { format!("{}{location}", s.base) };
    let sep = if location.contains('?') { '&' } else { '?' };
    let r = s.auth(client.put(format!("{location}{sep}digest={digest}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}: {}", s.name, r.text().await.unwrap());
}

async fn pull_blob(client: &reqwest::Client, s: &Server, digest: &str) -> u64 {
    use futures_util::StreamExt as _;
    let r = s.auth(client.get(format!("{}/v2/admin/bench/blobs/{digest}", s.base))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mut stream = r.bytes_stream();
    let mut n = 0;
    while let Some(b) = stream.next().await {
        n += b.unwrap().len() as u64;
    }
    n
}

async fn small_blob(client: &reqwest::Client, s: &Server, bytes: Vec<u8>) -> String {
    let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
    let head = s.auth(client.head(format!("{}/v2/admin/bench/blobs/{digest}", s.base))).send().await.unwrap();
    if head.status().as_u16() == 200 {
        return digest;
    }
    let r = s.auth(client.post(format!("{}/v2/admin/bench/blobs/uploads/", s.base))).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let location = if location.starts_with("http") { location } else { format!("{}{location}", s.base) };
    let sep = if location.contains('?') { '&' } else { '?' };
    let r = s.auth(client.put(format!("{location}{sep}digest={digest}"))).body(bytes).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    digest
}

async fn push_small_image(client: &reqwest::Client, s: &Server, i: u64, tag: &str) {
    let config = format!(r#"{{"architecture":"amd64","os":"linux","created":"{i}"}}"#).into_bytes();
    let layer = chunk(i, 7, 4096).to_vec();
    let (cs, ls) = (config.len(), layer.len());
    let cd = small_blob(client, s, config).await;
    let ld = small_blob(client, s, layer).await;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":{cs}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{ld}","size":{ls}}}]}}"#
    );
    let r = s
        .auth(client.put(format!("{}/v2/admin/bench/manifests/{tag}", s.base)))
        .header("content-type", "application/vnd.oci.image.manifest.v1+json")
        .body(manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", s.name);
}

/// Requests per second of `method url` from 16 concurrent clients over `seconds`.
async fn hammer(
    client: &reqwest::Client,
    s: &Server,
    method: reqwest::Method,
    url: String,
    accept: Option<&'static str>,
    seconds: u64,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = client.clone();
        let req = {
            let mut r = s.auth(client.request(method.clone(), &url));
            if let Some(a) = accept {
                r = r.header("accept", a);
            }
            r
        };
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let r = req.try_clone().unwrap().send().await.unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                let _ = r.bytes().await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The servers with their index, starting from a different one each round: the server measured
/// right after another's burst pays for its leftovers (its own background writes, the page
/// cache), which measured 10 % on two identical binaries with a fixed order.
fn in_turn(servers: &[Server], round: u64) -> impl Iterator<Item = (usize, &Server)> {
    let n = servers.len();
    (0..n).map(move |k| {
        let i = (k + round as usize) % n;
        (i, &servers[i])
    })
}

/// Every measure alternates between the servers, round after round, and reports the median:
/// this machine's throughput drifts over a run, and both sides must see the same drift.
#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mib = env_u64("BENCH_BLOB_MIB", 256);
    let seconds = env_u64("BENCH_SECONDS", 3);
    let images = env_u64("BENCH_SMALL_IMAGES", 200);
    let rounds = env_u64("BENCH_ROUNDS", 5);
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    if std::env::var("BENCH_MIRROR").is_ok() {
        mirror::run(&client).await;
        return;
    }
    if std::env::var("BENCH_TRANSFER").is_ok() {
        transfer::run(&client).await;
        return;
    }
    let backend = match std::env::var("BENCH_BACKEND").as_deref() {
        Ok("s3") => Backend::S3,
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Local,
    };
    let s3 = match backend {
        Backend::S3 => Some(start_s3(&client).await),
        _ => None,
    };
    let mut servers = vec![
        start_distribution(&client, s3.as_ref()).await,
        start_quay(&client, backend, s3.as_ref(), env!("CARGO_BIN_EXE_quay"), "quay", "").await,
    ];
    if let Ok(baseline) = std::env::var("BENCH_QUAY_BASELINE") {
        servers.push(start_quay(&client, backend, s3.as_ref(), &baseline, "quay (baseline)", "").await);
    }
    let n = servers.len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss: Vec<f64> = servers.iter().map(|s| s.rss_kib() as f64 / 1024.0).collect();
    let startup: Vec<f64> = servers.iter().map(|s| s.startup.as_secs_f64() * 1000.0).collect();

    let mut push = vec![Vec::new(); n];
    let mut pull = vec![Vec::new(); n];
    let mut digests = Vec::new();
    for round in 0..rounds {
        let seed = 1000 + round;
        let digest = blob_digest(seed, mib);
        for (i, s) in in_turn(&servers, round) {
            let started = Instant::now();
            push_blob(&client, s, seed, mib, &digest).await;
            push[i].push((mib * CHUNK as u64) as f64 / 1e6 / started.elapsed().as_secs_f64());
        }
        digests.push(digest);
    }
    for (round, digest) in digests.iter().enumerate() {
        for (i, s) in in_turn(&servers, round as u64) {
            let started = Instant::now();
            let n = pull_blob(&client, s, digest).await;
            assert_eq!(n, mib * CHUNK as u64);
            pull[i].push(n as f64 / 1e6 / started.elapsed().as_secs_f64());
        }
    }
    let mut redirected = Vec::new();
    for s in &servers {
        redirected.push(registry_bytes_per_pull(s, &digests[0]).await);
    }
    let mut manifest = vec![Vec::new(); n];
    let mut head = vec![Vec::new(); n];
    for s in &servers {
        push_small_image(&client, s, 0, "latest").await;
    }
    let accept = "application/vnd.oci.image.manifest.v1+json";
    for round in 0..rounds {
        for (i, s) in in_turn(&servers, round) {
            let url = format!("{}/v2/admin/bench/manifests/latest", s.base);
            manifest[i].push(hammer(&client, s, reqwest::Method::GET, url, Some(accept), seconds).await);
            let url = format!("{}/v2/admin/bench/blobs/{}", s.base, digests[0]);
            head[i].push(hammer(&client, s, reqwest::Method::HEAD, url, None, seconds).await);
        }
    }
    // The oc-mirror workload: many small images (a config and a 4 KiB layer each), by one pusher
    // and by `BENCH_PUSHERS` in parallel.
    let pushers = env_u64("BENCH_PUSHERS", 8);
    let mut small = vec![Vec::new(); n];
    let mut small_parallel = vec![Vec::new(); n];
    for round in 0..rounds {
        for (i, s) in in_turn(&servers, round) {
            let started = Instant::now();
            for n in 0..images {
                let id = 10_000 + round * images + n;
                push_small_image(&client, s, id, &format!("small-{id}")).await;
            }
            small[i].push(images as f64 / started.elapsed().as_secs_f64());
        }
        for (i, s) in in_turn(&servers, round) {
            let started = Instant::now();
            let next = AtomicU64::new(0);
            let first = 1_000_000 + round * images;
            let workers = (0..pushers).map(|_| async {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= images {
                        break;
                    }
                    push_small_image(&client, s, first + n, &format!("parallel-{}", first + n)).await;
                }
            });
            futures_util::future::join_all(workers).await;
            small_parallel[i].push(images as f64 / started.elapsed().as_secs_f64());
        }
    }
    // Memory after the work, once the servers have been idle a moment.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after: Vec<f64> = servers.iter().map(|s| s.rss_kib() as f64 / 1024.0).collect();

    match (&s3, backend) {
        (Some(s3), _) => println!(
            "Storage: S3 ({} at {}); quay on PostgreSQL 15; pulls follow each registry's redirect.\n",
            s3.name, s3.endpoint
        ),
        (None, Backend::Postgres) => {
            println!("Storage: local disk; quay on PostgreSQL 15 (127.0.0.1, a round trip per statement).\n")
        }
        (None, _) => println!("Storage: local disk; quay on SQLite.\n"),
    }
    // Columns: every server, then quay against distribution and, with a baseline, against it.
    let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
    let baseline = n > 2;
    println!(
        "| measure (median) | {} | quay / distribution |{}",
        names.join(" | "),
        if baseline { " quay / baseline |" } else { "" }
    );
    println!("|---|{}---:|{}", "---:|".repeat(n), if baseline { "---:|" } else { "" });
    let row = |name: &str, v: &[f64], unit: &str| {
        let cells: Vec<String> = v.iter().map(|x| format!("{x:.1} {unit}")).collect();
        let against_baseline = if baseline { format!(" {:.2}x |", v[1] / v[2]) } else { String::new() };
        println!("| {name} | {} | {:.2}x |{against_baseline}", cells.join(" | "), v[1] / v[0]);
    };
    let m = |v: &[Vec<f64>]| -> Vec<f64> { v.iter().map(|x| median(x.clone())).collect() };
    row(&format!("blob push, {mib} MiB: POST, streamed PATCH, PUT ({rounds} rounds)"), &m(&push), "MB/s");
    row(&format!("blob pull, {mib} MiB ({rounds} rounds)"), &m(&pull), "MB/s");
    row(&format!("manifest GET by tag, concurrency 16 ({rounds} x {seconds} s)"), &m(&manifest), "req/s");
    row(&format!("blob HEAD, concurrency 16 ({rounds} x {seconds} s)"), &m(&head), "req/s");
    row(&format!("small images, 1 pusher ({rounds} x {images})"), &m(&small), "images/s");
    row(&format!("small images, {pushers} pushers in parallel ({rounds} x {images})"), &m(&small_parallel), "images/s");
    let cells: Vec<String> =
        redirected.iter().map(|(status, bytes)| format!("HTTP {status} with {bytes} body bytes")).collect();
    println!(
        "| blob GET answered by the registry itself ({mib} MiB blob) | {} | |{}",
        cells.join(" | "),
        if baseline { " |" } else { "" }
    );
    row("idle RSS after start", &rss, "MiB");
    row("RSS 2 s after the run", &rss_after, "MiB");
    row("startup (spawn to first answer)", &startup, "ms");
}
