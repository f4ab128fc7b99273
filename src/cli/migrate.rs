//! `quay migrate database --to postgresql://...`: the metadata database moves from SQLite to
//! PostgreSQL while the registry is stopped (`migrate` holds the rules), then `config.yaml` points
//! at it. Parses, calls the domain, renders the plan or what moved and the downtime.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use serde_json::json;

use super::{Create, Source, init_logging, load};

#[derive(Subcommand)]
pub enum MigrateCommand {
    /// Move the metadata database from SQLite to a new, empty PostgreSQL database while the
    /// registry is stopped: every table copied and verified, then config.yaml switched.
    #[command(
        after_help = "Example: quay migrate database --to postgresql://quay:secret@db.example:5432/quay --dry-run"
    )]
    Database(DatabaseArgs),
    /// Turn a mirror-registry 2.x install into a data dir of this program, keeping its hostname,
    /// secrets, signing key, certificates, users, robots and blobs (validated first, read-only).
    #[command(after_help = "Example: quay migrate omr --source-root ~/quay-install --data-dir /var/lib/quay --dry-run")]
    Omr(OmrArgs),
    /// Move the blobs to another storage location (named in DISTRIBUTED_STORAGE_CONFIG) while the
    /// registry serves: replicated and verified, then made preferred, then the old ones retired.
    #[command(after_help = "Example: quay migrate storage --to s3 --data-dir /var/lib/quay --parallel 8")]
    Storage(StorageArgs),
}

#[derive(Args)]
pub struct StorageArgs {
    /// The location blobs move to: its name in DISTRIBUTED_STORAGE_CONFIG (add it there first,
    /// with its credentials).
    #[arg(long)]
    to: String,
    /// How many blobs are copied at once.
    #[arg(long, default_value_t = 4)]
    parallel: usize,
    /// Check everything and print the plan; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
pub struct OmrArgs {
    /// OMR's install root (its --quayRoot; default ~/quay-install).
    #[arg(long)]
    source_root: Option<PathBuf>,
    /// OMR's SQLite database (default ROOT/sqlite-storage/quay_sqlite.db).
    #[arg(long)]
    source_db: Option<PathBuf>,
    /// OMR's config dir: config.yaml, ssl.cert, ssl.key, quay.pem, quay.kid (default ROOT/quay-config).
    #[arg(long)]
    source_config: Option<PathBuf>,
    /// OMR's blob storage (default ROOT/quay-storage).
    #[arg(long)]
    source_storage: Option<PathBuf>,
    /// The name clients use, if not OMR's SERVER_HOSTNAME.
    #[arg(long)]
    hostname: Option<String>,
    /// Move the blobs instead of copying them (same filesystem; each is still re-hashed).
    #[arg(long)]
    r#move: bool,
    /// Validate and print the plan; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Then stop OMR's units (quay-app, quay-redis, quay-pod) and install this appliance on the new
    /// data dir, with OMR's hostname and port.
    #[arg(long)]
    install: bool,
    /// With --install: the image the unit runs.
    #[arg(long, requires = "install", conflicts_with = "image_archive")]
    image: Option<String>,
    /// With --install: an image archive to load with `podman load`.
    #[arg(long, requires = "install")]
    image_archive: Option<PathBuf>,
    /// With --install: where the port is published (default: [::] and the hostname's port).
    #[arg(long, requires = "install")]
    listen: Option<String>,
    /// With --install: OMR ran under the invoking user's systemd, and so will this appliance.
    #[arg(long)]
    rootless: bool,
    /// With --install: where the unit is written.
    #[arg(long, requires = "install")]
    unit_dir: Option<PathBuf>,
    /// With --install: stop, start and load nothing.
    #[arg(long, requires = "install")]
    no_start: bool,
}

#[derive(Args)]
pub struct DatabaseArgs {
    /// The new, empty PostgreSQL database: `postgresql://user@host:port/database`, with the
    /// password in PGPASSWORD (kept in config.yaml, 0600; a password in the URL shows in `ps`).
    #[arg(long)]
    to: String,
    /// Check everything and print the plan; change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn run(command: MigrateCommand, source: &Source) -> anyhow::Result<()> {
    match command {
        MigrateCommand::Database(args) => database(args, source).await,
        MigrateCommand::Omr(args) => omr(args, source).await,
        MigrateCommand::Storage(args) => storage(args, source).await,
    }
}

async fn omr(args: OmrArgs, source: &Source) -> anyhow::Result<()> {
    let Some(target) = source.data_dir.clone() else {
        anyhow::bail!("pass --data-dir DIR: the new data dir the OMR install becomes");
    };
    let found = crate::migrate::omr::OmrSource::locate(
        args.source_root.as_deref(),
        args.source_db,
        args.source_config,
        args.source_storage,
    )?;
    let plan = crate::migrate::omr::validate(found, args.hostname.as_deref())?;
    if args.dry_run || !source.json {
        let verb = if args.dry_run { "would move" } else { "moving" };
        eprintln!(
            "{verb} mirror-registry 2.x at {} (database {}, storage {}) into {}: hostname {}, signing key {}, {} users, \
             {} robots, {} repositories, {} tags, {} blobs ({})",
            plan.source.config_dir.display(),
            plan.source.database.display(),
            plan.source.storage.display(),
            target.display(),
            plan.hostname,
            plan.kid,
            plan.users,
            plan.robots,
            plan.repositories,
            plan.tags,
            plan.blobs,
            indicatif::HumanBytes(plan.blob_bytes),
        );
        for note in &plan.notes {
            eprintln!("note: {note}");
        }
    }
    if args.dry_run {
        if source.json {
            println!("{}", serde_json::to_string_pretty(&plan)?);
        }
        return Ok(());
    }
    if args.install && !args.no_start {
        // Nothing writes to OMR's database or storage while they are copied.
        crate::appliance::stop_omr(args.rootless)?;
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(plan.blob_bytes), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "blobs [{bar:30}] {bytes}/{total_bytes} [{elapsed_precise}, {bytes_per_sec}]",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let moved = crate::migrate::omr::run(&plan, &target, args.r#move, &|bytes| bar.set_position(bytes));
    bar.finish_and_clear();
    let moved = moved?;
    if args.install {
        let install = super::install::InstallArgs::for_migrated(
            &plan.hostname,
            args.listen,
            args.image,
            args.image_archive,
            args.rootless,
            args.unit_dir,
            args.no_start,
        );
        let dir_source = Source { config: None, data_dir: Some(target.clone()), json: source.json };
        return super::install::install(install, &dir_source).await;
    }
    if source.json {
        println!("{}", json!({"data_dir": target, "hostname": plan.hostname, "moved": moved}));
    } else {
        println!(
            "migrated into {}: schema {} (from {}), {} blobs ({}) {} and verified; start it with \
             `quay install --data-dir {} --hostname {}` (or `quay serve --data-dir {}`)",
            target.display(),
            crate::app::SCHEMA_REVISION,
            crate::migrate::omr::OMR_REVISION,
            moved.blobs,
            indicatif::HumanBytes(moved.bytes),
            if args.r#move { "moved" } else { "copied" },
            target.display(),
            plan.hostname,
            target.display()
        );
    }
    Ok(())
}

async fn database(args: DatabaseArgs, source: &Source) -> anyhow::Result<()> {
    let started = Instant::now();
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, _) = load(source, &default_hostname, Create::Refused)?;
    init_logging(loaded.config.log_format);
    let target = crate::migrate::redacted(&args.to);
    let plan = crate::migrate::plan_database_move(&loaded, &args.to).await?;
    let (rows, size, sqlite) = (plan.rows, plan.bytes, plan.sqlite.clone());
    if args.dry_run {
        if source.json {
            let tables: serde_json::Map<String, serde_json::Value> =
                plan.tables.iter().map(|(t, n)| (t.clone(), json!(n))).collect();
            println!("{}", json!({"from": sqlite, "to": target, "bytes": size, "rows": rows, "tables": tables}));
        } else {
            println!(
                "would move {} tables, {rows} rows ({}) from {} to {target}, verify each table, then set DB_URI in {}; \
                 the SQLite file stays as it is",
                plan.tables.len(),
                indicatif::HumanBytes(size),
                sqlite.display(),
                loaded.file.display()
            );
            for (table, n) in plan.tables.iter().filter(|(_, n)| *n > 0) {
                println!("  {table}: {n} rows");
            }
        }
        return Ok(());
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(rows), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len} rows [{elapsed_precise}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let copied = crate::migrate::move_database(&mut loaded, &plan, &args.to, &|table, n| {
        bar.set_message(table.to_owned());
        bar.set_position(n);
    })
    .await;
    bar.finish_and_clear();
    let copied = copied?;
    let seconds = started.elapsed().as_secs_f64();
    if source.json {
        println!("{}", json!({"from": sqlite, "to": target, "rows": rows, "tables": copied, "seconds": seconds}));
    } else {
        println!(
            "moved {rows} rows in {} tables to {target} in {seconds:.1} s (the registry's downtime); every table \
             verified by row count and SHA-256",
            copied.len()
        );
        println!(
            "DB_URI in {} now names it; {} is kept as it was (to go back, set DB_URI to its sqlite:/// path)",
            loaded.file.display(),
            sqlite.display()
        );
    }
    Ok(())
}

async fn storage(args: StorageArgs, source: &Source) -> anyhow::Result<()> {
    use crate::migrate::storage::{Progress, Stage};
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, _) = load(source, &default_hostname, Create::Refused)?;
    init_logging(loaded.config.log_format);
    let plan = crate::migrate::storage::plan_storage_move(&loaded, &args.to).await?;
    if args.dry_run {
        if source.json {
            println!("{}", serde_json::to_string_pretty(&plan)?);
        } else if plan.stage == Stage::Done {
            println!("`{}` is the only storage location; there is nothing to move", plan.to);
        } else {
            println!(
                "would copy {} blobs ({}) to `{}`, verifying each, {}then retire {}; {} (the move runs while they serve)",
                plan.missing_blobs,
                indicatif::HumanBytes(plan.missing_bytes),
                plan.to,
                if plan.stage == Stage::Replicate { "make it the preferred location, " } else { "" },
                plan.retiring.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                match plan.nodes.len() {
                    0 => "no server or worker runs now".to_owned(),
                    n => format!("{n} servers and workers run now"),
                }
            );
        }
        return Ok(());
    }
    if plan.stage == Stage::Done {
        println!("`{}` is the only storage location; there is nothing to move", plan.to);
        return Ok(());
    }
    crate::app::App::probe_database(&loaded.config).await?;
    loaded.ensure_secrets()?;
    let app = crate::app::App::open(&loaded).await?;
    let bar = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:32} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} ({prefix} blobs)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Blobs done and blobs in this pass.
    let blobs = std::sync::Mutex::new((0u64, 0u64));
    let show = |p: Progress<'_>| match p {
        Progress::Step(step) => bar.set_message(step.to_owned()),
        Progress::Pass { blobs: total, bytes } => {
            *blobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (0, total);
            bar.set_length(bytes);
            bar.set_position(0);
            bar.set_prefix(format!("0/{total}"));
            bar.set_message(format!("copying {total} blobs"));
        }
        Progress::Blob { bytes } => {
            let mut counts = blobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            counts.0 += 1;
            bar.inc(bytes);
            bar.set_prefix(format!("{}/{}", counts.0, counts.1));
        }
    };
    let moved = crate::migrate::storage::move_storage(&app, &mut loaded, &args.to, args.parallel, &show).await;
    bar.finish_and_clear();
    app.audit.flush().await;
    app.db.close().await;
    let moved = moved?;
    if source.json {
        println!("{}", serde_json::to_string(&moved)?);
    } else {
        let rate = moved.copied_bytes as f64 / moved.seconds.max(0.001);
        println!(
            "copied {} blobs ({}) to `{}` in {:.1} s ({}/s), each re-hashed on arrival; {} more were there already \
             and verified",
            moved.copied_blobs,
            indicatif::HumanBytes(moved.copied_bytes),
            args.to,
            moved.seconds,
            indicatif::HumanBytes(rate as u64),
            moved.verified_blobs
        );
        if !moved.retired.is_empty() {
            println!(
                "`{}` is now the only storage location; retired {}: their objects are no longer read and stay where \
                 they are until you remove them",
                args.to,
                moved.retired.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            );
        }
    }
    Ok(())
}
