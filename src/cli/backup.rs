//! `quay backup --to FILE` (online, consistent) and `quay restore --from FILE --data-dir DIR`
//! (into an empty data dir, checked before it appears): `backup` holds the work.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;

use super::{Create, Source, load, open_for_command};
use crate::app::AppState;

#[derive(Args)]
pub struct BackupArgs {
    /// The archive to write (a tar, mode 0600: it holds the install's secrets).
    #[arg(long)]
    to: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The archive `quay backup` wrote.
    #[arg(long)]
    from: PathBuf,
    /// For a backup of a PostgreSQL install: the new, empty database to load it into (default: the
    /// one its config names, which must then be empty).
    #[arg(long)]
    to: Option<String>,
}

fn bytes_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {bytes} [{elapsed_precise}, {bytes_per_sec}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar
}

pub(super) async fn backup(args: BackupArgs, source: &Source) -> anyhow::Result<()> {
    if args.to.exists() {
        bail!("{} exists; choose a new file (a backup never overwrites one)", args.to.display());
    }
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (loaded, _) = load(source, &default_hostname, Create::Refused)?;
    let layout = crate::backup::Layout::of(&loaded)?;
    let (app, _) = open_for_command(source).await?;
    super::init_logging(loaded.config.log_format);
    let summary =
        write_holding_gc(&AppState(Arc::new(app)), layout, &args.to, crate::backup::Scope::Everything).await?;
    if source.json {
        println!(
            "{}",
            serde_json::json!({"to": args.to, "files": summary.files, "blobs": summary.blobs, "bytes": summary.bytes})
        );
    } else {
        println!(
            "backed up to {}: {} files, {} blobs, {}",
            args.to.display(),
            summary.files,
            summary.blobs,
            indicatif::HumanBytes(summary.bytes)
        );
    }
    Ok(())
}

/// Writes a backup while holding garbage collection's lease: GC deletes nothing while it runs, so
/// every blob the database snapshot references is still there when it is copied.
pub(super) async fn write_holding_gc(
    app: &AppState,
    layout: crate::backup::Layout,
    to: &std::path::Path,
    scope: crate::backup::Scope,
) -> anyhow::Result<crate::backup::Summary> {
    let held = crate::worker::HeldJob::take(app, crate::worker::Job::GarbageCollection, "backup").await?;
    let bar = bytes_bar();
    bar.set_message("backing up");
    let written = match crate::backup::snapshot(&layout).await {
        Ok(snapshot) => tokio::task::spawn_blocking({
            let (bar, to) = (bar.clone(), to.to_path_buf());
            move || crate::backup::write(&layout, &snapshot, &to, scope, &|bytes| bar.set_position(bytes))
        })
        .await
        .map_err(anyhow::Error::from)
        .and_then(|written| written),
        Err(e) => Err(e),
    };
    bar.finish_and_clear();
    let kept = held.release().await;
    let summary = written?;
    if !kept {
        let _ = std::fs::remove_file(to);
        bail!("garbage collection's lease was lost during the backup (the database was unreachable?); run it again");
    }
    Ok(summary)
}

pub(super) async fn restore(args: RestoreArgs, source: &Source) -> anyhow::Result<()> {
    let Some(dir) = &source.data_dir else {
        bail!("pass --data-dir DIR: the new or empty data dir to restore into");
    };
    let bar = bytes_bar();
    bar.set_message("restoring");
    let summary = crate::backup::restore(&args.from, dir, args.to.as_deref(), &|bytes| bar.set_position(bytes)).await;
    bar.finish_and_clear();
    let summary = summary?;
    if source.json {
        println!(
            "{}",
            serde_json::json!({"data_dir": dir, "files": summary.files, "blobs": summary.blobs, "bytes": summary.bytes})
        );
    } else {
        println!(
            "restored {} into {}: {} files, {} blobs, {}, every checksum verified",
            args.from.display(),
            dir.display(),
            summary.files,
            summary.blobs,
            indicatif::HumanBytes(summary.bytes)
        );
    }
    Ok(())
}
