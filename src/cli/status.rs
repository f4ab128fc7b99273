//! `quay status`: what an operator asks of an install first. Version, where its data is, whether
//! it answers, its certificates, what it holds and what waits for garbage collection.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use super::{Source, open_for_command};

#[derive(Args)]
pub struct StatusArgs {
    /// The rootless install (the invoking user's).
    #[arg(long)]
    rootless: bool,
    /// Where the units are (default: where the install wrote them).
    #[arg(long)]
    unit_dir: Option<PathBuf>,
}

/// The installed appliance on this data dir, if any: preset, image, units and the state of each
/// service.
fn installed(args: &StatusArgs, dir: Option<&Path>) -> Value {
    let Ok(Some(mut record)) = crate::appliance::Record::read(&crate::appliance::record_path(args.rootless)) else {
        return Value::Null;
    };
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    if dir.is_some_and(|d| !same(d, &record.data_dir)) {
        return Value::Null;
    }
    if let Some(unit_dir) = &args.unit_dir {
        record.unit_dir = unit_dir.clone();
    }
    json!({
        "preset": record.preset,
        "image": record.image,
        "rootless": record.rootless,
        "unit_dir": record.unit_dir,
        "units": record.units().iter().map(|(name, _)| {
            json!({"file": name, "present": record.unit_dir.join(name).exists()})
        }).collect::<Vec<_>>(),
        "services": record.services().iter().map(|service| {
            json!({"name": service, "state": crate::appliance::service_state(record.rootless, service)})
        }).collect::<Vec<_>>(),
    })
}

pub(super) async fn status(args: StatusArgs, source: &Source) -> anyhow::Result<()> {
    let (app, dir) = open_for_command(source).await?;
    let config = &app.config;
    let url = config.base_url();
    // The certificates live beside the config: in the data dir, or the `--config` folder.
    let config_dir = match (&dir, &source.config) {
        (Some(dir), _) => dir.clone(),
        (None, Some(path)) if path.is_dir() => path.clone(),
        (None, Some(path)) => path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        (None, None) => ".".into(),
    };
    let files = crate::tls::TlsFiles::in_dir(&config_dir);
    let ca = files.ca_cert.exists().then_some(files.ca_cert.as_path());
    let health = match super::health::check(
        &url,
        super::health::Trust::ca_or_system(ca),
        std::time::Duration::from_secs(3),
        None,
    )
    .await
    {
        Ok(_) => json!({"healthy": true}),
        Err(e) => json!({"healthy": false, "problem": format!("{e:#}")}),
    };
    let certificate = if config.preferred_url_scheme == "https" && files.cert.exists() {
        let names = crate::tls::certificate_names(&config.server_hostname, None);
        let cert = crate::tls::inspect(&files.cert).ok();
        let ca_info = ca.and_then(|p| crate::tls::inspect(p).ok());
        json!({
            "made_by_quay": files.marker.exists(),
            "serial": cert.as_ref().map(|c| c.serial.clone()),
            "not_after": cert.as_ref().map(|c| c.not_after.to_rfc3339()),
            "days_left": cert.as_ref().map(|c| c.days_left()),
            "ca_not_after": ca_info.as_ref().map(|c| c.not_after.to_rfc3339()),
            "ca_days_left": ca_info.as_ref().map(|c| c.days_left()),
            "problems": crate::tls::problems(&files, &names[..1]),
        })
    } else {
        Value::Null
    };
    let database = match config.database()? {
        crate::config::DatabaseUri::Sqlite(path) => {
            let bytes: u64 = ["", "-wal"]
                .iter()
                .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
                .map(|m| m.len())
                .sum();
            json!({"engine": "sqlite", "path": path, "bytes": bytes})
        }
        crate::config::DatabaseUri::Postgres(_) => json!({"engine": "postgresql"}),
    };
    let (totals, leases) = crate::registry::totals(&app).await?;
    let out = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "schema": crate::app::SCHEMA_REVISION,
        "data_dir": dir,
        "install": installed(&args, dir.as_deref()),
        "url": url,
        "health": health,
        "certificate": certificate,
        "database": database,
        "repositories": totals.repositories,
        "blobs": totals.blobs,
        "stored_bytes": totals.stored_bytes,
        "uploads_in_progress": totals.uploads,
        "gc_backlog": totals.gc_backlog,
        "jobs": leases.iter().map(|(job, holder)| json!({"job": job, "holder": holder})).collect::<Vec<_>>(),
    });
    app.db.close().await;
    if source.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("quay {} (Quay schema {})", out["version"].as_str().unwrap_or(""), out["schema"].as_str().unwrap_or(""));
    if let Some(dir) = &dir {
        println!("data dir:     {}", dir.display());
    }
    if let Some(preset) = out["install"]["preset"].as_str() {
        println!(
            "install:      {preset} preset, image {}{}",
            out["install"]["image"].as_str().unwrap_or(""),
            if out["install"]["rootless"] == true { " (rootless)" } else { "" }
        );
        for service in out["install"]["services"].as_array().into_iter().flatten() {
            println!(
                "service:      {} {}",
                service["name"].as_str().unwrap_or(""),
                service["state"].as_str().unwrap_or("")
            );
        }
        for unit in out["install"]["units"].as_array().into_iter().flatten().filter(|u| u["present"] == false) {
            println!("problem:      the unit {} is missing", unit["file"].as_str().unwrap_or(""));
        }
    }
    match out["health"]["problem"].as_str() {
        None => println!("url:          {url} (healthy)"),
        Some(problem) => println!("url:          {url} (not healthy: {problem})"),
    }
    if let Some(days) = out["certificate"]["days_left"].as_i64() {
        let made = if out["certificate"]["made_by_quay"] == true { "made by quay" } else { "custom" };
        println!(
            "certificate:  {made}, {days} days left (serial {})",
            out["certificate"]["serial"].as_str().unwrap_or("")
        );
    }
    if let Some(days) = out["certificate"]["ca_days_left"].as_i64() {
        println!("local CA:     {days} days left");
    }
    for problem in out["certificate"]["problems"].as_array().into_iter().flatten() {
        println!("problem:      {}", problem.as_str().unwrap_or(""));
    }
    match out["database"]["bytes"].as_u64() {
        Some(bytes) => println!("database:     SQLite, {}", indicatif::HumanBytes(bytes)),
        None => println!("database:     PostgreSQL"),
    }
    println!(
        "content:      {} repositories, {} blobs, {} stored; {} uploads in progress",
        totals.repositories,
        totals.blobs,
        indicatif::HumanBytes(totals.stored_bytes.max(0) as u64),
        totals.uploads
    );
    println!("gc backlog:   {}", totals.gc_backlog);
    for (job, holder) in &leases {
        println!("job:          {job} on {holder}");
    }
    Ok(())
}
