//! `quay upgrade`: an installed appliance moves to a new image and keeps everything else (hostname,
//! port, preset, secrets, certificates, config, data). The old unit is stopped, the metadata backed
//! up, the new unit started and health-checked; a new version that does not come up healthy is
//! rolled back: the previous unit and record, and the database from the backup when the new
//! version had already changed its schema.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use clap::Args;

use super::{Create, Source, init_logging, load};
use crate::app::AppState;
use crate::appliance::{self, Preflight, Record};

#[derive(Args)]
pub struct UpgradeArgs {
    /// The new image (default: this program's version's).
    #[arg(long, conflicts_with = "image_archive")]
    image: Option<String>,
    /// An image archive to load with `podman load` (an air-gapped host pulls nothing).
    #[arg(long)]
    image_archive: Option<PathBuf>,
    /// The rootless install (the invoking user's).
    #[arg(long)]
    rootless: bool,
    /// Where the units are (default: where the install wrote them).
    #[arg(long)]
    unit_dir: Option<PathBuf>,
    /// Write and check everything, start and stop nothing.
    #[arg(long)]
    no_start: bool,
    /// Seconds the new version has to answer its health check before it is rolled back.
    #[arg(long, default_value_t = 300)]
    health_timeout: u64,
}

pub(super) async fn upgrade(args: UpgradeArgs, source: &Source) -> anyhow::Result<()> {
    let record_path = appliance::record_path(args.rootless);
    let Some(old) = Record::read(&record_path)? else {
        bail!("quay is not installed here (no {}); `quay install` installs it", record_path.display());
    };
    if source.config.is_some() {
        bail!("quay upgrade works on the install's data dir; pass --data-dir, not --config");
    }
    let mut new = old.clone();
    if let Some(dir) = &source.data_dir {
        new.data_dir = std::path::absolute(dir)?;
    }
    if let Some(dir) = args.unit_dir {
        new.unit_dir = dir;
    }
    if args.no_start && args.image_archive.is_some() {
        bail!("--image-archive is loaded with podman, which --no-start never calls; `podman load` it and pass --image");
    }
    if !new.data_dir.join("config.yaml").is_file() {
        bail!("no data dir at {} (the install record names it); pass --data-dir", new.data_dir.display());
    }
    Preflight::run(&new.data_dir, new.rootless, !args.no_start).verdict()?;
    new.image = match (args.image, &args.image_archive) {
        (Some(image), _) => image,
        (None, Some(archive)) => appliance::load_image(archive)?,
        (None, None) => super::install::DEFAULT_IMAGE.to_owned(),
    };
    new.version = env!("CARGO_PKG_VERSION").to_owned();
    let dir_source = Source { config: None, data_dir: Some(new.data_dir.clone()), json: source.json };
    let (loaded, _) = load(&dir_source, &new.hostname, Create::Refused)?;
    init_logging(loaded.config.log_format);

    if !matches!(loaded.config.database()?, crate::config::DatabaseUri::Sqlite(_)) {
        eprintln!(
            "warning: the database is PostgreSQL, which this upgrade does not back up: take a `quay backup` first; \
             a failed upgrade rolls back the units only"
        );
    }
    // Stopped first: the backup is then exactly what the new version starts from.
    if !args.no_start {
        appliance::stop(&old)?;
    }
    let backup = match crate::backup::Layout::of(&loaded).and_then(|layout| {
        if layout.sqlite().is_none() {
            anyhow::bail!("the database is PostgreSQL");
        }
        Ok(layout)
    }) {
        Ok(layout) => {
            let schema = layout.schema_revision()?;
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let to = new.data_dir.join(format!("backups/before-upgrade-{}-{stamp}.tar", old.version));
            crate::util::create_private_dir(&new.data_dir.join("backups"))?;
            if let Err(e) = backup_metadata(&loaded, &to).await {
                if !args.no_start {
                    appliance::start(&old)?;
                }
                return Err(e.context("the backup before the upgrade failed; nothing was changed"));
            }
            appliance::give_back_to_data_dir_owner(&new.data_dir)?;
            println!("backed up the database, config and keys to {}", to.display());
            Some((layout, to, schema))
        }
        Err(e) => {
            eprintln!("warning: no backup before the upgrade ({e:#}); a schema change cannot be rolled back");
            None
        }
    };

    // The units as the previous version wrote them, put back as they were on a rollback.
    let old_units: Vec<(PathBuf, String)> = old
        .units()
        .into_iter()
        .map(|(name, rendered)| {
            let path = old.unit_dir.join(name);
            let text = std::fs::read_to_string(&path).unwrap_or(rendered);
            (path, text)
        })
        .collect();
    new.write_units()?;
    new.write(&record_path)?;
    if args.no_start {
        println!("upgraded to {} (not started): units in {}", new.image, new.unit_dir.display());
        return Ok(());
    }
    let timeout = Duration::from_secs(args.health_timeout);
    let problem = match appliance::start(&new) {
        Ok(()) => match wait_healthy(&new, &loaded.config.base_url(), timeout).await {
            Ok(()) => {
                println!("upgraded {} -> {}: healthy at {}", old.image, new.image, loaded.config.base_url());
                return Ok(());
            }
            Err(e) => e,
        },
        Err(e) => e.context("the new version did not start"),
    };

    // Rolled back: the previous unit and record, and the database when the schema moved. Every
    // step is tried, whatever an earlier one said, so that the previous version starts again.
    eprintln!("{} did not come up healthy: {problem:#}; rolling back to {}", new.image, old.image);
    let mut failed = Vec::new();
    let mut attempt = |step: anyhow::Result<()>| {
        if let Err(e) = step {
            eprintln!("warning: during the rollback: {e:#}");
            failed.push(format!("{e:#}"));
        }
    };
    attempt(appliance::stop(&new));
    attempt(new.remove_units());
    for (path, text) in &old_units {
        attempt(crate::util::write_file(path, text.as_bytes(), 0o644));
    }
    attempt(old.write(&record_path));
    let mut restored = String::new();
    if let Some((layout, to, schema)) = &backup
        && layout.schema_revision().ok().as_ref() != Some(schema)
    {
        match crate::backup::restore_metadata(to, layout) {
            Ok(_) => {
                attempt(appliance::give_back_to_data_dir_owner(&layout.dir));
                restored = format!("; its schema change undone from {}", to.display());
            }
            Err(e) => attempt(Err(e.context(format!(
                "the new version changed the schema and {} could not be put back: restore it with `quay restore`",
                to.display()
            )))),
        }
    }
    attempt(appliance::start(&old));
    // The version that ran before gets at least a minute, however short the new one's was.
    let old_timeout = timeout.max(Duration::from_secs(60));
    let old_health = match wait_healthy(&old, &loaded.config.base_url(), old_timeout).await {
        Ok(()) => "it is healthy again".to_owned(),
        Err(e) => format!("it is not healthy either ({e:#}): see `journalctl -u {}`", appliance::SERVICE),
    };
    let incomplete =
        if failed.is_empty() { String::new() } else { format!(" (the rollback had {} failures, above)", failed.len()) };
    bail!("the upgrade to {} failed; rolled back to {}{restored}; {old_health}{incomplete}", new.image, old.image)
}

/// The database, config and keys, taken while the registry is stopped; the database is closed
/// before the new version opens it.
async fn backup_metadata(loaded: &crate::config::LoadedConfig, to: &std::path::Path) -> anyhow::Result<()> {
    let app = AppState(Arc::new(crate::app::App::open(loaded).await?));
    let written =
        super::backup::write_holding_gc(&app, crate::backup::Layout::of(loaded)?, to, crate::backup::Scope::Metadata)
            .await;
    if let Ok(app) = Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    written.map(drop)
}

/// Waits until the install answers `/healthz` over TLS (verified against its CA), asking the
/// published address directly: the host may not resolve the registry's own name.
async fn wait_healthy(record: &Record, base_url: &str, timeout: Duration) -> anyhow::Result<()> {
    // The install's CA when it has one (an OMR certificate is signed by the CA carried over);
    // else the operator's own certificate, which the probe (like the unit's) does not verify.
    let ca = record.data_dir.join("rootCA.pem");
    let trust = match ca.exists() {
        true => super::health::Trust::Ca(&ca),
        false if record.custom_tls => super::health::Trust::Nothing,
        false => super::health::Trust::SystemRoots,
    };
    let at = record.probe_address()?;
    let started = Instant::now();
    loop {
        let problem = match super::health::check(base_url, trust, Duration::from_secs(3), Some(at)).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        if started.elapsed() >= timeout {
            return Err(problem.context(format!("not healthy after {} s", timeout.as_secs())));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
