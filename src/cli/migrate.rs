//! `quay migrate database --to postgresql://...`: the metadata database moves from SQLite to
//! PostgreSQL while the registry is stopped (`migrate` holds the rules), then `config.yaml` points
//! at it. Parses, calls the domain, renders the plan or what moved and the downtime.

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
}

#[derive(Args)]
pub struct DatabaseArgs {
    /// The new, empty PostgreSQL database: `postgresql://user:password@host:port/database`.
    #[arg(long)]
    to: String,
    /// Check everything and print the plan; change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn run(command: MigrateCommand, source: &Source) -> anyhow::Result<()> {
    match command {
        MigrateCommand::Database(args) => database(args, source).await,
    }
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
