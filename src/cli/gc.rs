//! `quay gc`: one garbage collection pass now (or a dry run).

use anyhow::bail;
use clap::Args;

use super::{Source, open_for_command};

#[derive(Args)]
pub struct GcArgs {
    /// Report what would be freed, change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn gc(args: GcArgs, source: &Source) -> anyhow::Result<()> {
    let (app, _) = open_for_command(source).await?;
    let app = crate::app::AppState(std::sync::Arc::new(app));
    // One collector at a time, and none during a backup: the job's lease (a dry run deletes nothing).
    let held = match args.dry_run {
        true => None,
        false => Some(crate::worker::HeldJob::take(&app, crate::worker::Job::GarbageCollection, "quay gc").await?),
    };
    // A spinner on a terminal (hidden otherwise): a pass over a large registry takes a while.
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_message(if args.dry_run { "looking for what would be freed" } else { "collecting garbage" });
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let report = crate::registry::gc::collect(&app, args.dry_run).await;
    bar.finish_and_clear();
    if let Some(held) = held {
        held.release().await;
    }
    let report = report?;
    if source.json {
        println!(
            "{}",
            serde_json::json!({
                "dry_run": args.dry_run,
                "repositories": report.repositories,
                "deleted_repositories": report.deleted_repositories,
                "deleted_namespaces": report.deleted_namespaces,
                "tags": report.tags,
                "upload_links": report.upload_links,
                "manifests": report.manifests,
                "blobs": report.blobs,
                "bytes": report.bytes,
                "objects": report.objects,
                "errors": report.errors,
            })
        );
    } else if args.dry_run {
        println!("would free: {}", report.summary());
    } else {
        println!("freed: {}", report.summary());
    }
    if let Ok(app) = std::sync::Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    if report.errors > 0 {
        bail!("{} errors (see the log)", report.errors);
    }
    Ok(())
}
