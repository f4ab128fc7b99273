//! `BENCH_MIRROR=1`: a repository sync, quay's mirror against `skopeo sync` into distribution, in
//! one run. The upstream is a distribution 2.8.2 holding `BENCH_MIRROR_IMAGES` (default 50)
//! multi-architecture images (amd64 and arm64): per architecture a base layer all images share
//! (`BENCH_MIRROR_BASE_MIB`, default 8) and a 1 MiB layer of each image's own. A relay in front of
//! the upstream counts the bytes each syncer fetched. Each syncer runs twice: the first sync, and
//! a second one with nothing new upstream.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::Digest as _;

use super::{Backend, Server, chunk, env_u64, start_distribution, start_quay};

/// A TCP relay that counts the bytes it sends back to clients.
struct Relay {
    addr: std::net::SocketAddr,
    bytes: Arc<AtomicU64>,
}

impl Relay {
    async fn start(upstream: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let bytes = Arc::new(AtomicU64::new(0));
        let counter = bytes.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { return };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let upward = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                    });
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = server_read.read(&mut buf).await {
                        if n == 0 || client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        counter.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    upward.abort();
                });
            }
        });
        Relay { addr, bytes }
    }

    fn take(&self) -> u64 {
        self.bytes.swap(0, Ordering::Relaxed)
    }
}

fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// A monolithic blob push (distribution without auth); returns its digest and size.
async fn put_blob(client: &reqwest::Client, base: &str, repo: &str, bytes: Vec<u8>) -> (String, usize) {
    let digest = digest_of(&bytes);
    let size = bytes.len();
    let head = client.head(format!("{base}/v2/{repo}/blobs/{digest}")).send().await.unwrap();
    if head.status().is_success() {
        return (digest, size);
    }
    let r = client.post(format!("{base}/v2/{repo}/blobs/uploads/")).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let location = if location.starts_with("http") { location } else { format!("{base}{location}") };
    let sep = if location.contains('?') { '&' } else { '?' };
    let r = client.put(format!("{location}{sep}digest={digest}")).body(bytes).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    (digest, size)
}

async fn put_manifest(client: &reqwest::Client, base: &str, repo: &str, reference: &str, media_type: &str, body: &str) {
    let r = client
        .put(format!("{base}/v2/{repo}/manifests/{reference}"))
        .header("content-type", media_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
}

/// The upstream's images: `v0` ... `v{n-1}`, each an OCI index of an amd64 and an arm64 image.
async fn populate(client: &reqwest::Client, base: &str, images: u64, base_mib: u64) -> u64 {
    populate_range(client, base, 0, images, base_mib).await
}

/// Images `v{from}` ... `v{to-1}` (the base layers too, when missing); returns the bytes pushed.
pub(super) async fn populate_range(client: &reqwest::Client, base: &str, from: u64, to: u64, base_mib: u64) -> u64 {
    let repo = "bench/app";
    let mut total = 0;
    let mut bases = Vec::new();
    for (a, _) in ["amd64", "arm64"].iter().enumerate() {
        let bytes: Vec<u8> = (0..base_mib).flat_map(|i| chunk(77 + a as u64 * 2, i, 1 << 20).to_vec()).collect();
        let b = put_blob(client, base, repo, bytes).await;
        total += b.1 as u64;
        bases.push(b);
    }
    for i in from..to {
        let mut entries = Vec::new();
        for (a, arch) in ["amd64", "arm64"].iter().enumerate() {
            // Seeds two apart: `chunk` sets the lowest bit of its seed.
            let own = put_blob(client, base, repo, chunk(5000 + i * 4 + a as u64 * 2, 0, 1 << 20).to_vec()).await;
            let config = format!(r#"{{"architecture":"{arch}","os":"linux","created":"{i}"}}"#);
            let config = put_blob(client, base, repo, config.into_bytes()).await;
            total += (own.1 + config.1) as u64;
            let layer = |(d, s): &(String, usize)| {
                format!(r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{d}","size":{s}}}"#)
            };
            let manifest = format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{},{}]}}"#,
                config.0,
                config.1,
                layer(&bases[a]),
                layer(&own)
            );
            let digest = digest_of(manifest.as_bytes());
            put_manifest(client, base, repo, &digest, "application/vnd.oci.image.manifest.v1+json", &manifest).await;
            entries.push(format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":{},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#,
                manifest.len()
            ));
        }
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
            entries.join(",")
        );
        put_manifest(client, base, repo, &format!("v{i}"), "application/vnd.oci.image.index.v1+json", &index).await;
    }
    total
}

fn skopeo_sync(relay: &Relay, dest: &Server) -> Duration {
    let started = Instant::now();
    let out = std::process::Command::new("skopeo")
        .args([
            "sync",
            "--all",
            "--src",
            "docker",
            "--dest",
            "docker",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
        ])
        .arg(format!("{}/bench/app", relay.addr))
        .arg(format!("{}/mirror", dest.base.trim_start_matches("http://")))
        .output()
        .expect("skopeo must be installed");
    assert!(out.status.success(), "skopeo sync: {}", String::from_utf8_lossy(&out.stderr));
    started.elapsed()
}

fn quay_admin(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(["admin", "--data-dir", data.to_str().unwrap(), "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "quay admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

fn seconds_between(started: &str, finished: &str) -> f64 {
    let parse =
        |s: &str| chrono::NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    (parse(finished) - parse(started)).num_microseconds().unwrap() as f64 / 1e6
}

/// Waits for the mirror's sync that starts after `after` (a progress start) to end; returns its
/// progress record.
async fn quay_sync(data: &std::path::Path, after: Option<String>) -> serde_json::Value {
    loop {
        let shown = quay_admin(data, &["mirror", "show", "admin/app"]);
        let progress = &shown["progress"];
        let fresh = progress["started"].as_str().is_some_and(|s| after.as_deref() != Some(s));
        if fresh && progress["finished"].is_string() {
            assert_eq!(shown["sync_status"], "SUCCESS", "{shown}");
            return progress.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn run(client: &reqwest::Client) {
    let images = env_u64("BENCH_MIRROR_IMAGES", 50);
    let base_mib = env_u64("BENCH_MIRROR_BASE_MIB", 8);
    let upstream = start_distribution(client, None).await;
    let upstream_addr: std::net::SocketAddr = upstream.base.trim_start_matches("http://").parse().unwrap();
    let stored = populate(client, &upstream.base, images, base_mib).await;
    let relay = Relay::start(upstream_addr).await;

    let dest = start_distribution(client, None).await;
    relay.take();
    let skopeo_first = skopeo_sync(&relay, &dest);
    let skopeo_first_bytes = relay.take();
    let skopeo_again = skopeo_sync(&relay, &dest);
    let skopeo_again_bytes = relay.take();

    let quay =
        start_quay(client, Backend::Local, None, env!("CARGO_BIN_EXE_quay"), "quay", "REPO_MIRROR_INTERVAL: 1\n").await;
    let data = quay._dir.path().join("data");
    quay_admin(
        &data,
        &[
            "mirror",
            "create",
            "admin/app",
            "--from",
            &format!("{}/bench/app", relay.addr),
            "--tags",
            "*",
            "--no-tls-verify",
            "--interval",
            "0",
        ],
    );
    let first = quay_sync(&data, None).await;
    let quay_first = seconds_between(first["started"].as_str().unwrap(), first["finished"].as_str().unwrap());
    let quay_first_bytes = relay.take();
    quay_admin(&data, &["mirror", "sync-now", "admin/app"]);
    let again = quay_sync(&data, first["started"].as_str().map(str::to_owned)).await;
    let quay_again = seconds_between(again["started"].as_str().unwrap(), again["finished"].as_str().unwrap());
    let quay_again_bytes = relay.take();
    assert_eq!(first["tags_done"].as_u64(), Some(images));

    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!(
        "Mirror sync of {images} multi-arch images (amd64 + arm64; a {base_mib} MiB base layer per architecture shared by all, \
         a 1 MiB layer of each image's own; {:.1} MiB stored upstream), from distribution 2.8.2 through a counting relay.\n",
        mib(stored)
    );
    println!("| sync | skopeo sync into distribution | quay mirror | quay / skopeo |");
    println!("|---|---:|---:|---:|");
    let s1 = skopeo_first.as_secs_f64();
    let s2 = skopeo_again.as_secs_f64();
    println!("| first sync, time | {s1:.2} s | {quay_first:.2} s | {:.2}x faster |", s1 / quay_first);
    println!(
        "| first sync, bytes from upstream | {:.1} MiB | {:.1} MiB | {:.2}x |",
        mib(skopeo_first_bytes),
        mib(quay_first_bytes),
        quay_first_bytes as f64 / skopeo_first_bytes as f64
    );
    println!("| second sync (nothing new), time | {s2:.2} s | {quay_again:.2} s | {:.2}x faster |", s2 / quay_again);
    println!(
        "| second sync, bytes from upstream | {:.2} MiB | {:.2} MiB | {:.2}x |",
        mib(skopeo_again_bytes),
        mib(quay_again_bytes),
        quay_again_bytes as f64 / skopeo_again_bytes.max(1) as f64
    );
}
