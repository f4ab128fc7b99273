//! `quay fsck`: storage checked against the database.

use anyhow::bail;
use clap::Args;

use super::{Source, open_for_command};

#[derive(Args)]
pub struct FsckArgs {
    /// Also read every blob and check its digest (reads all stored bytes).
    #[arg(long)]
    verify: bool,
}

pub(super) async fn fsck(args: FsckArgs, source: &Source) -> anyhow::Result<()> {
    let (app, _) = open_for_command(source).await?;
    let report = crate::registry::gc::fsck(&app, args.verify).await?;
    app.db.close().await;
    if source.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} blobs checked", report.blobs_checked);
        for d in &report.missing {
            println!("missing: {d}");
        }
        for d in &report.corrupt {
            println!("damaged: {d}");
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
    }
    if !report.missing.is_empty() || !report.corrupt.is_empty() {
        bail!("the storage does not hold every blob the database references");
    }
    Ok(())
}
