//! Garbage collection: where the collection rules of `db::gc` meet storage. One pass collects
//! every repository with something to collect, purges repositories deleted through Quay's
//! `repositorygc` queue, and removes the storage objects of the blob rows that went.
//!
//! Safety: a blob row goes only when no manifest and no upload link in any repository references it
//! (checked inside the deleting statement; a reference made meanwhile makes the deletion fail and the
//! row stay). Its object goes after that commit, under the digest's lock, only if no row with the
//! digest exists; an upload finishing the same digest takes the same lock and checks that the object
//! is still there before it creates its row (`registry::uploads`).

use std::time::{Duration, Instant};

use crate::app::App;
use crate::db::gc::{self as rules, Collected};
use crate::db::queue;
use crate::db::queue::{NAMESPACE_GC_QUEUE, OBJECT_DELETE_QUEUE, REPOSITORY_GC_QUEUE};
use crate::storage::Storage;
use crate::util::{now_ms, now_naive};

/// What one pass did (or, dry, would do).
#[derive(Debug, Default, Clone)]
pub struct GcReport {
    pub repositories: u64,
    pub deleted_repositories: u64,
    pub deleted_namespaces: u64,
    pub tags: u64,
    pub upload_links: u64,
    pub manifests: u64,
    pub blobs: u64,
    pub bytes: u64,
    pub objects: u64,
    pub errors: u64,
}

impl GcReport {
    fn count(&mut self, c: &Collected) {
        self.tags += c.tags;
        self.upload_links += c.upload_links;
        self.manifests += c.manifests;
        self.blobs += c.blobs.len() as u64;
        self.bytes += c.blobs.iter().map(|b| b.size.max(0) as u64).sum::<u64>();
    }

    /// Whether the pass removed or purged anything (or met errors).
    pub fn changed_anything(&self) -> bool {
        self.repositories
            + self.deleted_repositories
            + self.deleted_namespaces
            + self.tags
            + self.upload_links
            + self.manifests
            + self.blobs
            + self.objects
            + self.errors
            > 0
    }

    pub fn summary(&self) -> String {
        format!(
            "{} repositories collected, {} deleted repositories and {} deleted namespaces purged: {} tags, {} upload links, {} manifests, \
             {} blobs ({} bytes), {} storage objects removed, {} errors",
            self.repositories,
            self.deleted_repositories,
            self.deleted_namespaces,
            self.tags,
            self.upload_links,
            self.manifests,
            self.blobs,
            self.bytes,
            self.objects,
            self.errors
        )
    }
}

fn rules_now(app: &App, purge: bool) -> rules::Rules {
    rules::Rules {
        now_ms: now_ms(),
        now: now_naive(),
        temp_tag_ms: app.config.push_temp_tag_expiration_sec as i64 * 1000,
        purge,
    }
}

/// One pass over everything collectable. `dry`: every change is rolled back and no object is
/// removed; the report says what would have gone.
pub async fn collect(app: &App, dry: bool) -> anyhow::Result<GcReport> {
    let started = Instant::now();
    let mut report = GcReport::default();
    let repos = rules::repositories_to_collect(&app.db.read, now_ms(), now_naive()).await?;
    for repo_id in repos {
        match collect_one(app, repo_id, rules_now(app, false), dry).await {
            Ok(collected) => {
                report.repositories += 1;
                report.count(&collected);
                if !dry
                    && let Ok(Some((namespace_id, _))) =
                        crate::db::repository::repository_namespace(&app.db.read, repo_id).await
                {
                    super::quota::record(app, namespace_id, Some(repo_id)).await;
                }
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(repository = repo_id, error = format!("{e:#}"), "cannot collect the repository");
            }
        }
    }
    if !dry {
        purge_deleted_repositories(app, &mut report).await?;
        purge_deleted_namespaces(app, &mut report).await?;
        report.objects += remove_objects(app, &mut report.errors).await?;
    } else {
        report.deleted_repositories = dry_purge_count(app, REPOSITORY_GC_QUEUE).await?;
        report.deleted_namespaces = dry_purge_count(app, NAMESPACE_GC_QUEUE).await?;
    }
    record(&report, started.elapsed(), dry);
    Ok(report)
}

/// Collects one repository now, and records its namespace's sizes (a proxy cache making room).
pub async fn collect_repository_now(app: &App, repo_id: i32, namespace_id: i32) -> anyhow::Result<()> {
    collect_one(app, repo_id, rules_now(app, false), false).await?;
    super::quota::record(app, namespace_id, Some(repo_id)).await;
    Ok(())
}

async fn collect_one(app: &App, repo_id: i32, rules: rules::Rules, dry: bool) -> anyhow::Result<Collected> {
    let tx = app.db.begin().await?;
    let collected = rules::collect_repository(&tx, repo_id, rules).await?;
    if dry {
        tx.rollback().await?;
    } else {
        queue_object_deletions(&tx, &collected).await?;
        tx.commit().await?;
    }
    Ok(collected)
}

async fn queue_object_deletions(tx: &sea_orm::DatabaseTransaction, collected: &Collected) -> anyhow::Result<()> {
    for blob in &collected.blobs {
        queue_object_deletion(tx, &blob.digest).await?;
    }
    Ok(())
}

/// Records, in the transaction that deleted the digest's row, that its object must go.
pub async fn queue_object_deletion<C: sea_orm::ConnectionTrait>(c: &C, digest: &str) -> Result<(), sea_orm::DbErr> {
    queue::put(c, &queue::canonical_queue_name(&[OBJECT_DELETE_QUEUE]), digest).await?;
    Ok(())
}

/// How long a collector's claim on a queued purge or deletion lasts without being extended: as long
/// as a job lease, so that work a dead collector left is taken up as soon as its jobs are.
fn claim_ttl(app: &App) -> Duration {
    Duration::from_secs(app.config.worker_lease_seconds.max(1))
}

/// Runs `work` on a claimed queue item, extending the claim every third of its time: the item stays
/// this collector's while it works, and is free for the next run soon after this one dies.
async fn while_claimed<T>(
    app: &App,
    item: &mut queue::QueueItem,
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let ttl = claim_ttl(app);
    tokio::pin!(work);
    loop {
        tokio::select! {
            outcome = &mut work => return outcome,
            () = tokio::time::sleep(ttl / 3) => {
                if !queue::extend(&app.db.write, item, ttl).await? {
                    anyhow::bail!("another collector took over queue item {}", item.id);
                }
            }
        }
    }
}

/// Works through the queued object deletions (this pass's and any an earlier pass left);
/// returns how many objects were removed.
async fn remove_objects(app: &App, errors: &mut u64) -> anyhow::Result<u64> {
    let prefix = queue::canonical_queue_name(&[OBJECT_DELETE_QUEUE]);
    let mut removed = 0;
    while let Some(item) = queue::claim(&app.db.write, &prefix, claim_ttl(app)).await? {
        match remove_object_if_unreferenced(app, &item.body).await {
            Ok(gone) => {
                removed += u64::from(gone);
                queue::complete(&app.db.write, &item).await?;
            }
            Err(e) => {
                *errors += 1;
                tracing::warn!(digest = %item.body, error = format!("{e:#}"), "cannot remove a blob's object; will retry");
                queue::incomplete(&app.db.write, &item, Duration::from_secs(300)).await?;
            }
        }
    }
    Ok(removed)
}

/// Removes the chunks of a purged repository's open uploads.
async fn remove_uploads(app: &App, collected: &Collected, errors: &mut u64) {
    for upload in &collected.uploads {
        for location in app.storage.current().all() {
            if let Err(e) = location.storage.delete_upload(upload).await {
                *errors += 1;
                tracing::warn!(upload = %upload, error = %e, "cannot remove an upload's chunks");
            }
        }
    }
}

/// Deletes the object of `digest` if no blob row has that digest, holding the digest's lock so
/// that an upload of the same digest cannot create a row for it meanwhile.
pub async fn remove_object_if_unreferenced(app: &App, digest: &str) -> anyhow::Result<bool> {
    if digest == rules::EMPTY_LAYER_DIGEST {
        return Ok(false);
    }
    let parsed = crate::oci::Digest::parse(digest)?;
    let tx = app.db.begin().await?;
    crate::db::blob::lock_digest(&tx, digest).await?;
    if rules::digest_referenced(&tx, digest).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    crate::testhooks::reached("gc.object-locked").await;
    // From every location: the placements went with the rows.
    for location in app.storage.current().all() {
        location.storage.delete(&Storage::blob_path(&parsed)).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Works through the `repositorygc` queue: each deleted repository loses everything, then its row.
async fn purge_deleted_repositories(app: &App, report: &mut GcReport) -> anyhow::Result<()> {
    let prefix = queue::canonical_queue_name(&[REPOSITORY_GC_QUEUE]);
    while let Some(mut item) = queue::claim(&app.db.write, &prefix, claim_ttl(app)).await? {
        let body = item.body.clone();
        match while_claimed(app, &mut item, purge_one(app, &body)).await {
            Ok(collected) => {
                report.deleted_repositories += 1;
                report.count(&collected);
                remove_uploads(app, &collected, &mut report.errors).await;
                queue::complete(&app.db.write, &item).await?;
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(
                    item = item.id,
                    error = format!("{e:#}"),
                    "cannot purge a deleted repository; will retry"
                );
                queue::incomplete(&app.db.write, &item, Duration::from_secs(300)).await?;
            }
        }
    }
    Ok(())
}

/// Purges the repository a `repositorygc` item names (`{"marker_id": <deletedrepository.id>}`).
async fn purge_one(app: &App, body: &str) -> anyhow::Result<Collected> {
    let body: serde_json::Value = serde_json::from_str(body)?;
    let marker = body["marker_id"].as_i64().ok_or_else(|| anyhow::anyhow!("queue item without marker_id"))?;
    let Some(repo_id) = crate::db::repository::deleted_repository(&app.db.read, marker as i32).await? else {
        // Already purged (a previous attempt committed, then failed to complete the item).
        return Ok(Collected::default());
    };
    purge_repository(app, repo_id).await
}

/// Everything of one repository, then its row, in one transaction.
async fn purge_repository(app: &App, repo_id: i32) -> anyhow::Result<Collected> {
    let tx = app.db.begin().await?;
    let mut collected = rules::collect_repository(&tx, repo_id, rules_now(app, true)).await?;
    collected.uploads = rules::purge_repository_rows(&tx, repo_id).await?;
    queue_object_deletions(&tx, &collected).await?;
    crate::testhooks::reached("gc.purge.before-commit").await;
    tx.commit().await?;
    Ok(collected)
}

/// Works through the `namespacegc` queue: each deleted user or organization loses its
/// repositories (one transaction each, so a long purge resumes where it stopped), then every row
/// that names it, then its own row.
async fn purge_deleted_namespaces(app: &App, report: &mut GcReport) -> anyhow::Result<()> {
    let prefix = queue::canonical_queue_name(&[NAMESPACE_GC_QUEUE]);
    while let Some(mut item) = queue::claim(&app.db.write, &prefix, claim_ttl(app)).await? {
        let body = item.body.clone();
        match while_claimed(app, &mut item, purge_namespace(app, &body, report)).await {
            Ok(()) => {
                report.deleted_namespaces += 1;
                queue::complete(&app.db.write, &item).await?;
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(
                    item = item.id,
                    error = format!("{e:#}"),
                    "cannot purge a deleted namespace; will retry"
                );
                queue::incomplete(&app.db.write, &item, Duration::from_secs(300)).await?;
            }
        }
    }
    Ok(())
}

/// Purges the namespace a `namespacegc` item names (`{"marker_id": <deletednamespace.id>}`).
async fn purge_namespace(app: &App, body: &str, report: &mut GcReport) -> anyhow::Result<()> {
    let body: serde_json::Value = serde_json::from_str(body)?;
    let marker = body["marker_id"].as_i64().ok_or_else(|| anyhow::anyhow!("queue item without marker_id"))?;
    let Some(namespace_id) = crate::db::namespace::deleted_namespace(&app.db.read, marker as i32).await? else {
        return Ok(());
    };
    for repo_id in crate::db::namespace::namespace_repositories(&app.db.read, namespace_id).await? {
        let collected = purge_repository(app, repo_id).await?;
        report.deleted_repositories += 1;
        report.count(&collected);
        remove_uploads(app, &collected, &mut report.errors).await;
        crate::testhooks::reached("gc.namespace-repository-purged").await;
    }
    let tx = app.db.begin().await?;
    crate::db::namespace::purge_namespace_rows(&tx, namespace_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn dry_purge_count(app: &App, queue_name: &str) -> anyhow::Result<u64> {
    let prefix = queue::canonical_queue_name(&[queue_name]);
    Ok(queue::pending(&app.db.read, &prefix).await?)
}

fn record(report: &GcReport, took: Duration, dry: bool) {
    if dry {
        return;
    }
    metrics::counter!("quay_gc_runs_total").increment(1);
    metrics::counter!("quay_gc_bytes_reclaimed_total").increment(report.bytes);
    metrics::counter!("quay_gc_blobs_deleted_total").increment(report.blobs);
    metrics::counter!("quay_gc_manifests_deleted_total").increment(report.manifests);
    metrics::counter!("quay_gc_tags_deleted_total").increment(report.tags);
    metrics::counter!("quay_gc_objects_deleted_total").increment(report.objects);
    metrics::counter!("quay_gc_namespaces_purged_total").increment(report.deleted_namespaces);
    metrics::counter!("quay_gc_repositories_purged_total").increment(report.deleted_repositories);
    metrics::counter!("quay_gc_errors_total").increment(report.errors);
    metrics::gauge!("quay_gc_last_run_seconds").set(chrono::Utc::now().timestamp() as f64);
    metrics::gauge!("quay_gc_last_run_duration_seconds").set(took.as_secs_f64());
}

/// What `quay fsck` found.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct FsckReport {
    /// The storage locations checked.
    pub locations: Vec<String>,
    pub blobs_checked: u64,
    /// Blob rows whose object is missing.
    pub missing: Vec<String>,
    /// Objects whose bytes do not hash to their digest, or whose size differs from the row's.
    pub corrupt: Vec<String>,
    /// Objects no blob row references (reclaimable by hand; GC removes the ones it orphans).
    pub orphans: Vec<String>,
    pub orphan_bytes: u64,
    /// The repositories whose manifests use each missing or damaged blob.
    pub damaged_in: std::collections::BTreeMap<String, Vec<String>>,
    /// Orphans removed (`--fix`), and those kept because they are younger than the grace period
    /// (an upload may be about to reference them).
    pub orphans_removed: u64,
    pub orphans_kept_recent: u64,
}

/// How far `fsck` has got: blobs checked of all, bytes read.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsckProgress {
    pub blobs_done: u64,
    pub blobs_total: u64,
    pub bytes_read: u64,
}

/// Checks, in every storage location (or the one named), that every blob placed there has its
/// object (with its size, and with `verify` its digest) and lists objects that no row references.
/// With one location, every blob row is checked against it.
pub async fn fsck(
    app: &App,
    verify: bool,
    only: Option<&str>,
    progress: &(dyn Fn(FsckProgress) + Sync),
) -> anyhow::Result<FsckReport> {
    let layout = app.storage.current();
    let locations: Vec<&crate::storage::locations::Location> = match only {
        Some(name) => vec![layout.by_name(name).ok_or_else(|| {
            let names: Vec<&str> = layout.all().iter().map(|l| l.name.as_str()).collect();
            anyhow::anyhow!("no storage location `{name}`; the config has {}", names.join(", "))
        })?],
        None => layout.all().iter().collect(),
    };
    let mut report = FsckReport::default();
    let mut seen = FsckProgress::default();
    for location in locations {
        let rows = if layout.is_single() {
            crate::db::blob::all_blob_digests(&app.db.read).await?
        } else {
            crate::db::blob::blob_digests_at(&app.db.read, location.id).await?
        };
        report.locations.push(location.name.clone());
        check_location(&location.storage, rows, verify, &mut report, &mut seen, progress).await?;
    }
    report.orphans.sort();
    report.orphans.dedup();
    for digest in report.missing.iter().chain(&report.corrupt) {
        let repositories = crate::db::blob::repositories_using(&app.db.read, digest).await?;
        report.damaged_in.insert(digest.clone(), repositories);
    }
    Ok(report)
}

async fn check_location(
    storage: &Storage,
    rows: Vec<(String, i64)>,
    verify: bool,
    report: &mut FsckReport,
    seen: &mut FsckProgress,
    progress: &(dyn Fn(FsckProgress) + Sync),
) -> anyhow::Result<()> {
    use futures_util::StreamExt as _;
    let stored: std::collections::HashMap<String, u64> = storage.list_blob_digests().await?.into_iter().collect();
    let mut referenced = std::collections::HashSet::new();
    seen.blobs_total += rows.len() as u64;
    for (digest, size) in rows {
        report.blobs_checked += 1;
        seen.blobs_done += 1;
        progress(*seen);
        referenced.insert(digest.clone());
        let Ok(parsed) = crate::oci::Digest::parse(&digest) else {
            report.corrupt.push(digest);
            continue;
        };
        let path = Storage::blob_path(&parsed);
        let present = match parsed.algorithm() {
            crate::oci::Algorithm::Sha256 => stored.get(&digest).copied(),
            _ => storage.exists(&path).await?.then_some(size.max(0) as u64),
        };
        // Listed before the rows were read: an object stored since then is looked up again.
        let present = match present {
            None if storage.exists(&path).await? => Some(size.max(0) as u64),
            other => other,
        };
        let Some(stored_size) = present else {
            report.missing.push(digest);
            continue;
        };
        if size >= 0 && stored_size != size as u64 {
            report.corrupt.push(digest);
            continue;
        }
        if verify {
            let mut hasher = crate::oci::Hasher::new(parsed.algorithm());
            let mut stream = std::pin::pin!(storage.read(&path, None).await?);
            while let Some(bytes) = stream.next().await {
                let bytes = bytes?;
                seen.bytes_read += bytes.len() as u64;
                hasher.update(&bytes);
                progress(*seen);
            }
            if hasher.finish() != parsed {
                report.corrupt.push(digest);
            }
        }
    }
    for (digest, size) in stored {
        if !referenced.contains(&digest) {
            report.orphans.push(digest);
            report.orphan_bytes += size;
        }
    }
    Ok(())
}

/// Removes the orphans `fsck` found that are older than `grace`, each under the digest's lock and
/// only while still unreferenced (as garbage collection removes objects).
pub async fn remove_orphans(app: &App, report: &mut FsckReport, grace: std::time::Duration) -> anyhow::Result<()> {
    let now = std::time::SystemTime::now();
    for digest in &report.orphans {
        let Ok(parsed) = crate::oci::Digest::parse(digest) else { continue };
        let mut modified = None;
        for location in app.storage.current().all() {
            modified = modified.max(location.storage.modified(&Storage::blob_path(&parsed)).await.unwrap_or(None));
        }
        let age = modified.and_then(|m| now.duration_since(m).ok());
        if age.is_none_or(|age| age < grace) {
            report.orphans_kept_recent += 1;
            continue;
        }
        if remove_object_if_unreferenced(app, digest).await? {
            report.orphans_removed += 1;
        }
    }
    Ok(())
}
