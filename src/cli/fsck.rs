//! `quay fsck`: storage checked against the database; `--fix` removes old orphaned objects.

use anyhow::bail;
use clap::Args;

use super::{Source, open_for_command};

#[derive(Args)]
pub struct FsckArgs {
    /// Also read every blob and check its digest (reads all stored bytes).
    #[arg(long)]
    verify: bool,
    /// Remove stored objects that no blob references, once older than --grace.
    #[arg(long)]
    fix: bool,
    /// How old an orphaned object must be for --fix to remove it (an upload finishing now may be
    /// about to reference a younger one).
    #[arg(long, default_value = "1h", value_parser = crate::config::parse_duration)]
    grace: std::time::Duration,
    /// Check only this storage location (a name in DISTRIBUTED_STORAGE_CONFIG); default: all.
    #[arg(long)]
    location: Option<String>,
}

pub(super) async fn fsck(args: FsckArgs, source: &Source) -> anyhow::Result<()> {
    let (app, _) = open_for_command(source).await?;
    let app = crate::app::AppState(std::sync::Arc::new(app));
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let show = |p: crate::registry::gc::FsckProgress| {
        bar.set_message(format!(
            "{}/{} blobs, {} read",
            p.blobs_done,
            p.blobs_total,
            indicatif::HumanBytes(p.bytes_read)
        ));
        bar.tick();
    };
    let mut report = crate::registry::gc::fsck(&app, args.verify, args.location.as_deref(), &show).await?;
    bar.finish_and_clear();
    if args.fix {
        // Removing objects is collection: not during a backup or another collector's run.
        let held = crate::worker::HeldJob::take(&app, crate::worker::Job::GarbageCollection, "quay fsck").await?;
        let removed = crate::registry::gc::remove_orphans(&app, &mut report, args.grace).await;
        held.release().await;
        removed?;
    }
    if let Ok(app) = std::sync::Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    if source.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} blobs checked in {}", report.blobs_checked, report.locations.join(", "));
        for (kind, digests) in [("missing", &report.missing), ("damaged", &report.corrupt)] {
            for d in digests {
                let used = report.damaged_in.get(d).filter(|r| !r.is_empty()).map(|r| r.join(", "));
                println!("{kind}: {d} (used by {})", used.as_deref().unwrap_or("no repository"));
            }
        }
        for d in &report.orphans {
            println!("orphan: {d}");
        }
        println!(
            "{} missing, {} damaged, {} orphans ({} bytes)",
            report.missing.len(),
            report.corrupt.len(),
            report.orphans.len(),
            report.orphan_bytes
        );
        if args.fix {
            println!(
                "removed {} orphans; kept {} younger than {:?}",
                report.orphans_removed, report.orphans_kept_recent, args.grace
            );
        }
    }
    if !report.missing.is_empty() || !report.corrupt.is_empty() {
        bail!("the storage does not hold every blob the database references");
    }
    Ok(())
}
