//! `quay migrate storage --to LOCATION`: the blobs move to another storage location while the
//! registry serves, the way Quay runs several locations (`storage::locations`):
//!
//! 1. **replicate**: the target becomes a default location with replication on, so every blob
//!    pushed from then on is copied to it; every blob it lacks is copied (re-hashed on arrival).
//! 2. **prefer**: the target becomes the preferred location (uploads go there) and the others stop
//!    being replication targets; what is still missing is copied.
//! 3. **retire**: once every blob is on the target, the other locations' placements go (in one
//!    transaction that refuses while any blob is held only there) and so do their config entries.
//!    Their objects stay where they are: the operator removes them.
//!
//! Each config change is one atomic write of `config.yaml`; every server and worker applies it
//! within seconds and says so in its node record, and the command waits for all of them before it
//! goes on. The stage is read back from the config and the placements, so a run killed anywhere
//! resumes where it was.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::StreamExt as _;
use serde::Serialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::config::LoadedConfig;
use crate::registry::replication::{Copied, copy_blob};
use crate::storage::locations::{Layout, Location};

/// Where a move starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Replicate,
    Retire,
    /// The target is the only location: nothing to do.
    Done,
}

/// What a storage move will do, found without changing anything.
#[derive(Debug, Serialize)]
pub struct StorageMove {
    pub to: String,
    /// The locations that stop being used.
    pub retiring: Vec<String>,
    pub stage: Stage,
    /// Blobs some location holds and the target lacks, and their bytes.
    pub missing_blobs: u64,
    pub missing_bytes: u64,
    /// The servers and workers using this registry now.
    pub nodes: Vec<String>,
}

/// Checks a move to `to` and returns its plan, reading only: `to` must be configured and reachable.
pub async fn plan_storage_move(loaded: &LoadedConfig, to: &str) -> anyhow::Result<StorageMove> {
    let config = &loaded.config;
    if !config.distributed_storage_config.contains_key(to) {
        bail!(
            "storage location `{to}` is not in DISTRIBUTED_STORAGE_CONFIG of {}; add it there first (with its \
             credentials; the file is 0600), for example\n  {to}: [S3Storage, {{s3_bucket: quay, storage_path: /registry, \
             host: s3.example.com, s3_access_key: ..., s3_secret_key: ...}}]",
            loaded.file.display()
        );
    }
    let plan = config.storage_plan()?;
    let driver = config.storage_driver(to, "--to")?;
    let target =
        crate::storage::Storage::open(&driver).await.with_context(|| format!("cannot open storage location `{to}`"))?;
    target.exists("sha256/").await.map_err(|e| anyhow::anyhow!("cannot reach storage location `{to}`: {e}"))?;
    let retiring: Vec<String> = plan.locations.iter().map(|(n, _)| n.clone()).filter(|n| n != to).collect();
    let stage = if plan.locations[0].0 != to {
        Stage::Replicate
    } else if retiring.is_empty() {
        Stage::Done
    } else {
        Stage::Retire
    };
    let db = crate::db::Db::open_read_only(&config.database()?).await?;
    let (missing_blobs, missing_bytes) = match crate::db::blob::storage_location_id(&db, to).await? {
        Some(id) => crate::db::blob::count_missing_at(&db, id).await?,
        None => crate::db::blob::count_missing_at(&db, -1).await?,
    };
    let nodes = crate::db::queue::live_nodes(&db).await?.into_iter().map(|(node, _)| node).collect();
    let _ = db.close().await;
    Ok(StorageMove { to: to.to_owned(), retiring, stage, missing_blobs, missing_bytes, nodes })
}

/// What a run reports as it goes.
pub enum Progress<'a> {
    /// A new step, in words.
    Step(&'a str),
    /// A copy pass begins: this many blobs and bytes to go.
    Pass { blobs: u64, bytes: u64 },
    /// One blob done (copied, found already there, or gone), with its bytes.
    Blob { bytes: u64 },
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct Moved {
    pub copied_blobs: u64,
    pub copied_bytes: u64,
    /// Found complete on the target (an earlier run copied them before it was stopped).
    pub verified_blobs: u64,
    pub retired: Vec<String>,
    pub seconds: f64,
}

/// How long the command waits for every node to apply a config change.
const NODES_TIMEOUT: Duration = Duration::from_secs(90);

/// Carries out the move on an open registry (the command's own `app`, whose layout follows each
/// config change), from the stage the config shows.
pub async fn move_storage(
    app: &App,
    loaded: &mut LoadedConfig,
    to: &str,
    parallel: usize,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> anyhow::Result<Moved> {
    let started = Instant::now();
    let mut moved = Moved::default();
    let parallel = parallel.clamp(1, 64);
    if loaded.config.storage_plan()?.locations[0].0 != to {
        progress(Progress::Step("replicating new blobs to the target"));
        let defaults = with_name(&loaded.config.distributed_storage_default_locations, to);
        apply(
            app,
            loaded,
            &[
                ("DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS", Some(json!(defaults))),
                ("FEATURE_STORAGE_REPLICATION", Some(json!(true))),
            ],
        )
        .await?;
        progress(Progress::Step("copying"));
        copy_missing(app, &app.storage.current(), to, parallel, &mut moved, progress).await?;
        progress(Progress::Step("making the target preferred"));
        let plan = loaded.config.storage_plan()?;
        let preference: Vec<String> = std::iter::once(to.to_owned())
            .chain(plan.locations.into_iter().map(|(n, _)| n).filter(|n| n != to))
            .collect();
        apply(
            app,
            loaded,
            &[
                ("DISTRIBUTED_STORAGE_PREFERENCE", Some(json!(preference))),
                ("DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS", Some(json!([to]))),
            ],
        )
        .await?;
    }
    let layout = app.storage.current();
    let retiring: Vec<Location> = layout.all().iter().filter(|l| l.name != to).cloned().collect();
    if !retiring.is_empty() {
        progress(Progress::Step("copying what is still missing"));
        // Uploads that began before the switch may still finish in an old location: copy, then
        // retire in a transaction that refuses while any blob is held only there.
        let mut attempts = 0;
        loop {
            copy_missing(app, &layout, to, parallel, &mut moved, progress).await?;
            let tx = app.db.begin().await?;
            let mut refused = false;
            for location in &retiring {
                if crate::db::blob::retire_location(&tx, location.id).await?.is_none() {
                    refused = true;
                }
            }
            if !refused {
                tx.commit().await?;
                break;
            }
            tx.rollback().await?;
            attempts += 1;
            if attempts >= 10 {
                bail!("blobs keep arriving in the old locations; run this again (it resumes)");
            }
        }
        progress(Progress::Step("retiring the old locations"));
        let raw = raw_storage_config(loaded)?;
        let kept: serde_json::Map<String, Value> = raw.into_iter().filter(|(name, _)| name == to).collect();
        apply(
            app,
            loaded,
            &[
                ("DISTRIBUTED_STORAGE_CONFIG", Some(Value::Object(kept))),
                ("DISTRIBUTED_STORAGE_PREFERENCE", Some(json!([to]))),
                ("DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS", Some(json!([]))),
            ],
        )
        .await?;
        moved.retired = retiring.iter().map(|l| l.name.clone()).collect();
    } else {
        copy_missing(app, &layout, to, parallel, &mut moved, progress).await?;
    }
    moved.seconds = started.elapsed().as_secs_f64();
    Ok(moved)
}

fn with_name(list: &[String], name: &str) -> Vec<String> {
    let mut out = list.to_vec();
    if !out.iter().any(|n| n == name) {
        out.push(name.to_owned());
    }
    out
}

/// `DISTRIBUTED_STORAGE_CONFIG` as written in the file (relative paths stay relative).
fn raw_storage_config(loaded: &LoadedConfig) -> anyhow::Result<serde_json::Map<String, Value>> {
    let text =
        std::fs::read_to_string(&loaded.file).with_context(|| format!("cannot read {}", loaded.file.display()))?;
    let (raw, _) = crate::config::Config::from_yaml(&text)?;
    let value = serde_json::to_value(&raw.distributed_storage_config)?;
    Ok(value.as_object().cloned().unwrap_or_default())
}

/// Writes config changes, applies them to the command's own registry, and waits until every
/// live server and worker uses them.
async fn apply(app: &App, loaded: &mut LoadedConfig, changes: &[(&str, Option<Value>)]) -> anyhow::Result<()> {
    let before = loaded.config.storage_fingerprint.clone();
    loaded.set_values(changes)?;
    app.apply_storage_config(&loaded.config).await?;
    let fingerprint = loaded.config.storage_fingerprint.clone();
    if fingerprint == before {
        return Ok(());
    }
    let deadline = Instant::now() + NODES_TIMEOUT;
    loop {
        let behind: Vec<String> = crate::db::queue::live_nodes(&app.db.read)
            .await?
            .into_iter()
            .filter(|(node, used)| *used != fingerprint && *node != app.node)
            .map(|(node, _)| node)
            .collect();
        if behind.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{} still use the earlier storage locations after {} s: do they read {}? Give them the same \
                 DISTRIBUTED_STORAGE_* keys (or send them SIGHUP), then run this again (it resumes)",
                behind.join(", "),
                NODES_TIMEOUT.as_secs(),
                loaded.file.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Copies every blob some location of `layout` holds and `to` lacks, `parallel` at a time, until
/// none is missing (blobs pushed meanwhile included).
async fn copy_missing(
    app: &App,
    layout: &Layout,
    to: &str,
    parallel: usize,
    moved: &mut Moved,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> anyhow::Result<()> {
    let target = layout.by_name(to).with_context(|| format!("storage location `{to}` is not configured"))?;
    loop {
        let (blobs, bytes) = crate::db::blob::count_missing_at(&app.db.read, target.id).await?;
        if blobs == 0 {
            return Ok(());
        }
        progress(Progress::Pass { blobs, bytes });
        let mut after = 0;
        let mut done_in_pass = 0u64;
        let mut failed: Vec<String> = Vec::new();
        loop {
            let batch = crate::db::blob::blobs_missing_at(&app.db.read, target.id, after, 256).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            let mut results = futures_util::stream::iter(batch)
                .map(|blob| async move {
                    let result = copy_blob(app, layout, &blob, target).await;
                    (blob, result)
                })
                .buffer_unordered(parallel);
            while let Some((blob, result)) = results.next().await {
                let done = moved.copied_blobs + moved.verified_blobs;
                crate::testhooks::bytes("migrate-storage.blobs", done, done + u64::from(result.is_ok())).await;
                match result {
                    Ok(Copied::Copied(n)) => {
                        moved.copied_blobs += 1;
                        moved.copied_bytes += n;
                        done_in_pass += 1;
                        progress(Progress::Blob { bytes: n });
                    }
                    Ok(Copied::AlreadyThere(n)) => {
                        moved.verified_blobs += 1;
                        done_in_pass += 1;
                        progress(Progress::Blob { bytes: n });
                    }
                    Ok(Copied::Gone) => progress(Progress::Blob { bytes: blob.size.max(0) as u64 }),
                    Err(e) => failed.push(format!("{e:#}")),
                }
            }
        }
        if !failed.is_empty() {
            let shown = failed.iter().take(10).cloned().collect::<Vec<_>>().join("\n  ");
            bail!("{} blobs could not be copied (the others were; run this again to resume):\n  {shown}", failed.len());
        }
        if done_in_pass == 0 {
            bail!("{blobs} blobs are held only by locations this config no longer names; nothing can copy them");
        }
    }
}
