//! `BENCH_TRANSFER=1`: `quay export` and `quay import` against the disk's own limit on this
//! machine, and an incremental export against a full one. The content is the mirror benchmark's
//! (`BENCH_MIRROR_IMAGES` multi-architecture images in a distribution 2.8.2), exported from it
//! through the native client (`--from-registry`), imported into an empty appliance data dir,
//! and exported again from that registry. The disk's limit is `cp -r` of the same export on the
//! same disk followed by `sync`: what any copy of those bytes costs here.

use std::path::Path;
use std::time::{Duration, Instant};

use super::env_u64;
use super::mirror::populate_range;
use super::start_distribution;

fn quay(args: &[&str], stdin: &str) -> (Duration, String) {
    use std::io::Write as _;
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_quay"))
        .args(args)
        .env("QUAY_LOG", "warn")
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "quay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    (started.elapsed(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn sync_all() {
    assert!(std::process::Command::new("sync").status().unwrap().success());
}

/// Bytes of the files under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() { bytes_under(&entry.path()) } else { meta.len() };
    }
    total
}

pub async fn run(client: &reqwest::Client) {
    let images = env_u64("BENCH_MIRROR_IMAGES", 50);
    let base_mib = env_u64("BENCH_MIRROR_BASE_MIB", 8);
    let new_images = env_u64("BENCH_TRANSFER_NEW_IMAGES", 5);
    let upstream = start_distribution(client, None).await;
    populate_range(client, &upstream.base, 0, images, base_mib).await;
    let host = upstream.base.trim_start_matches("http://").to_owned();
    // Under the target dir: the disk the builds use, not a memory-backed /tmp.
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = |name: &str| work.path().join(name).to_str().unwrap().to_owned();

    sync_all();
    let reference = format!("docker://{host}/bench/app");
    let (remote_export, _) =
        quay(&["export", "--to", &path("full"), "--from-registry", &reference, "--no-tls-verify"], "");
    let full = bytes_under(&work.path().join("full"));

    // The disk's limit: the same bytes copied on the same disk, synced.
    sync_all();
    let started = Instant::now();
    assert!(std::process::Command::new("cp").args(["-r", &path("full"), &path("copy")]).status().unwrap().success());
    sync_all();
    let copy = started.elapsed();

    let data = path("data");
    quay(&["init", "--data-dir", &data, "--user", "admin", "--password-stdin"], "bench-password\n");
    sync_all();
    let (import, _) =
        quay(&["import", "--data-dir", &data, "--from", &path("full"), "--catalog-out", &path("far-side.json")], "");
    sync_all();
    let (local_export, _) = quay(&["export", "--data-dir", &data, "--to", &path("again"), "--repo", "bench/app"], "");

    // New tags upstream: the next export carries only their blobs.
    populate_range(client, &upstream.base, images, images + new_images, base_mib).await;
    let (_, _) = quay(
        &[
            "export",
            "--to",
            &path("incremental"),
            "--from-registry",
            &reference,
            "--no-tls-verify",
            "--since",
            &path("far-side.json"),
        ],
        "",
    );
    let incremental = bytes_under(&work.path().join("incremental"));
    let (incremental_import, _) = quay(&["import", "--data-dir", &data, "--from", &path("incremental")], "");

    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let rate = |d: Duration| mib(full) / d.as_secs_f64();
    println!(
        "Disconnected transfer of {images} multi-arch images (amd64 + arm64; a {base_mib} MiB base layer per \
         architecture shared by all, a 1 MiB layer of each image's own): an export of {:.1} MiB.\n",
        mib(full)
    );
    println!("| step | time | rate | against the disk's copy |");
    println!("|---|---:|---:|---:|");
    let row = |what: &str, d: Duration| {
        println!(
            "| {what} | {:.2} s | {:.0} MiB/s | {:.0} % |",
            d.as_secs_f64(),
            rate(d),
            100.0 * copy.as_secs_f64() / d.as_secs_f64()
        );
    };
    row("`cp -r` of the export + `sync` (the disk's limit)", copy);
    row("`quay export --from-registry` (distribution on loopback)", remote_export);
    row("`quay import` into an empty data dir", import);
    row("`quay export` from that registry", local_export);
    println!(
        "\nAfter {new_images} new images upstream, `quay export --since` the far side's catalog: {:.1} MiB \
         against {:.1} MiB for a full export ({:.1} %); its import took {:.2} s.",
        mib(incremental),
        mib(full),
        100.0 * incremental as f64 / full as f64,
        incremental_import.as_secs_f64()
    );
}
