//! Side-by-side benchmark of `quay serve` and Debian's `docker-registry` (CNCF distribution 2.8.2)
//! on this machine, in one run: blob push and pull throughput, manifest GET and blob HEAD at
//! concurrency 16, pushes of many small images, idle memory and startup time.
//!
//! Run with `scripts/bench` (it installs docker-registry when missing). Sizes can be changed with
//! BENCH_BLOB_MIB, BENCH_SECONDS and BENCH_SMALL_IMAGES.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::Digest as _;

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
    name: &'static str,
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

async fn start_distribution(client: &reqwest::Client) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n  cache:\n    blobdescriptor: inmemory\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry is not installed (scripts/bench installs it)");
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(client, &base).await;
    Server { name: "distribution 2.8.2", child, base, token: None, _dir: dir, startup: started.elapsed() }
}

async fn start_quay(client: &reqwest::Client) -> Server {
    let bin = env!("CARGO_BIN_EXE_quay");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let host = format!("127.0.0.1:{port}");
    let data = dir.path().join("data");
    let serve = || {
        Command::new(bin)
            .args(["serve", "--listen", &host, "--hostname", &host, "--http", "--data-dir"])
            .arg(&data)
            .env("QUAY_LOG", "warn")
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
    let started = Instant::now();
    let child = serve();
    wait_ready(client, &base).await;
    let startup = started.elapsed();
    let password = std::fs::read_to_string(data.join("auth/admin-password")).unwrap().trim().to_owned();
    let resp = client
        .get(format!("{base}/v2/auth"))
        .query(&[("service", host.as_str()), ("scope", "repository:admin/bench:pull,push")])
        .basic_auth("admin", Some(password))
        .send()
        .await
        .unwrap();
    let token = resp.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    Server { name: "quay", child, base, token: Some(token), _dir: dir, startup }
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

#[derive(Default)]
struct Figures {
    startup_ms: f64,
    idle_rss_mib: f64,
    push_mbs: f64,
    pull_mbs: f64,
    manifest_rps: f64,
    head_rps: f64,
    small_images_per_s: f64,
}

async fn run(client: &reqwest::Client, s: &Server) -> Figures {
    let mib = env_u64("BENCH_BLOB_MIB", 256);
    let seconds = env_u64("BENCH_SECONDS", 5);
    let images = env_u64("BENCH_SMALL_IMAGES", 200);
    let mut f = Figures { startup_ms: s.startup.as_secs_f64() * 1000.0, ..Default::default() };
    tokio::time::sleep(Duration::from_millis(500)).await;
    f.idle_rss_mib = s.rss_kib() as f64 / 1024.0;

    let mut best_push = 0f64;
    let mut digests = Vec::new();
    for round in 0..3u64 {
        let seed = 1000 + round;
        let digest = blob_digest(seed, mib);
        let started = Instant::now();
        push_blob(client, s, seed, mib, &digest).await;
        best_push = best_push.max(mib as f64 / started.elapsed().as_secs_f64());
        digests.push(digest);
    }
    f.push_mbs = best_push * 1.048_576;
    let mut best_pull = 0f64;
    for digest in &digests {
        let started = Instant::now();
        let n = pull_blob(client, s, digest).await;
        assert_eq!(n, mib * CHUNK as u64);
        best_pull = best_pull.max(n as f64 / 1e6 / started.elapsed().as_secs_f64());
    }
    f.pull_mbs = best_pull;

    push_small_image(client, s, 0, "latest").await;
    let accept = "application/vnd.oci.image.manifest.v1+json";
    f.manifest_rps = hammer(
        client,
        s,
        reqwest::Method::GET,
        format!("{}/v2/admin/bench/manifests/latest", s.base),
        Some(accept),
        seconds,
    )
    .await;
    f.head_rps = hammer(
        client,
        s,
        reqwest::Method::HEAD,
        format!("{}/v2/admin/bench/blobs/{}", s.base, digests[0]),
        None,
        seconds,
    )
    .await;

    let started = Instant::now();
    for i in 0..images {
        push_small_image(client, s, 10_000 + i, &format!("small-{i}")).await;
    }
    f.small_images_per_s = images as f64 / started.elapsed().as_secs_f64();
    f
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let distribution = start_distribution(&client).await;
    let d = run(&client, &distribution).await;
    drop(distribution);
    let quay = start_quay(&client).await;
    let q = run(&client, &quay).await;
    drop(quay);

    let mib = env_u64("BENCH_BLOB_MIB", 256);
    println!("| measure | distribution 2.8.2 | quay | ratio |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, a: f64, b: f64, unit: &str| {
        println!("| {name} | {a:.1} {unit} | {b:.1} {unit} | {:.2}x |", b / a);
    };
    row(&format!("blob push, {mib} MiB (POST, streamed PATCH, PUT), best of 3"), d.push_mbs, q.push_mbs, "MB/s");
    row(&format!("blob pull, {mib} MiB, best of 3"), d.pull_mbs, q.pull_mbs, "MB/s");
    row("manifest GET by tag, concurrency 16", d.manifest_rps, q.manifest_rps, "req/s");
    row("blob HEAD, concurrency 16", d.head_rps, q.head_rps, "req/s");
    row("small images pushed one after another", d.small_images_per_s, q.small_images_per_s, "images/s");
    row("idle RSS after start", d.idle_rss_mib, q.idle_rss_mib, "MiB");
    row("startup (spawn to first answer)", d.startup_ms, q.startup_ms, "ms");
}
