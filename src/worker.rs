//! Background jobs. Each job kind runs on at most one node at a time: a node runs a job only while
//! it holds the job's lease (a `queueitem` row, see `db::queue`), renews the lease while it works
//! and while it waits for the next run, and gives it back on shutdown. When a holder dies, its
//! lease expires after `WORKER_LEASE_SECONDS` and another node takes the job over.
//!
//! `quay worker` runs the jobs in a process of their own; `quay serve` runs them too unless told
//! not to (`--no-workers`), which is what a single-host appliance wants.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::sync::watch;

use crate::app::AppState;
use crate::db::queue;
use crate::util::now_naive;

/// The background jobs, by the name their lease and metrics carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Removes uploads abandoned for `BLOBUPLOAD_DELETION_DATE_THRESHOLD` minutes, chunks first.
    UploadCleanup,
    /// Deletes app-specific tokens expired for longer than `EXPIRED_APP_SPECIFIC_TOKEN_GC`.
    ExpiredAppTokens,
    /// Garbage collection (`registry::gc`), every `GARBAGE_COLLECTION_FREQUENCY` seconds.
    GarbageCollection,
    /// Deletes action logs past `ACTION_LOG_ROTATION_THRESHOLD` (with `FEATURE_ACTION_LOG_ROTATION`).
    ActionLogRotation,
    /// Applies autoprune policies (with `FEATURE_AUTO_PRUNE`), every `AUTO_PRUNING_POLL_PERIOD` seconds.
    Autoprune,
    /// Copies new blobs to the default storage locations (Quay's storagereplication worker).
    StorageReplication,
    /// Syncs mirrored repositories from their upstreams (with `FEATURE_REPO_MIRROR`), looking for
    /// due mirrors every `REPO_MIRROR_INTERVAL` seconds (Quay's repomirrorworker).
    RepoMirror,
}

impl Job {
    pub const ALL: [Job; 7] = [
        Job::UploadCleanup,
        Job::ExpiredAppTokens,
        Job::GarbageCollection,
        Job::ActionLogRotation,
        Job::Autoprune,
        Job::StorageReplication,
        Job::RepoMirror,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::UploadCleanup => "blobupload-cleanup",
            Job::ExpiredAppTokens => "expired-app-tokens",
            Job::GarbageCollection => "gc",
            Job::ActionLogRotation => "action-log-rotation",
            Job::Autoprune => "autoprune",
            Job::StorageReplication => "storage-replication",
            Job::RepoMirror => "repo-mirror",
        }
    }

    fn enabled(self, config: &crate::config::Config) -> bool {
        match self {
            Job::GarbageCollection => config.feature_garbage_collection,
            Job::ActionLogRotation => config.feature_action_log_rotation,
            Job::Autoprune => config.feature_auto_prune,
            Job::RepoMirror => config.feature_repo_mirror,
            _ => true,
        }
    }

    fn period(self, config: &crate::config::Config) -> Duration {
        match self {
            Job::GarbageCollection => Duration::from_secs(config.garbage_collection_frequency.max(1)),
            Job::Autoprune => Duration::from_secs(config.auto_pruning_poll_period.max(1)),
            Job::RepoMirror => Duration::from_secs(config.repo_mirror_interval.max(1)),
            // An empty queue costs one query; new blobs reach their copies within seconds.
            Job::StorageReplication => Duration::from_secs(config.worker_period_seconds.min(5)),
            _ => Duration::from_secs(config.worker_period_seconds),
        }
    }

    /// One run; returns what it did, for the log line, and whether it changed anything (runs
    /// that did nothing are logged at debug level only).
    async fn run(self, app: &AppState) -> anyhow::Result<(String, bool)> {
        match self {
            Job::UploadCleanup => cleanup_uploads(app).await,
            Job::ExpiredAppTokens => {
                let keep = app.config.expired_app_specific_token_gc.duration;
                let before = now_naive() - chrono::Duration::from_std(keep)?;
                let n = crate::db::token::delete_expired_app_tokens(&app.db.write, before).await?;
                Ok((format!("{n} expired app tokens deleted"), n > 0))
            }
            Job::GarbageCollection => {
                let report = crate::registry::gc::collect(app, false).await?;
                Ok((report.summary(), report.changed_anything()))
            }
            Job::Autoprune => crate::registry::autoprune::run(app).await,
            Job::RepoMirror => crate::registry::mirror::run_due(app).await,
            Job::StorageReplication => {
                let n = crate::registry::replication::run_queue(app).await?;
                Ok((format!("{n} blobs copied to the default storage locations"), n > 0))
            }
            Job::ActionLogRotation => {
                let keep = app.config.action_log_rotation_threshold.duration;
                let before = now_naive() - chrono::Duration::from_std(keep)?;
                let n = crate::db::log::delete_logs_before(&app.db.write, before).await?;
                let summary =
                    format!("{n} action logs older than {} deleted", app.config.action_log_rotation_threshold);
                Ok((summary, n > 0))
            }
        }
    }
}

/// This node's name in leases: host, process and a random suffix (a restarted process is a new
/// holder and must not inherit a lease its predecessor may still be working under).
pub fn holder_name() -> String {
    format!("{}:{}:{}", crate::util::hostname(), std::process::id(), crate::util::random_token(6))
}

/// Runs every job until `shutdown` resolves, then gives the leases back.
pub async fn run(app: AppState, shutdown: impl Future<Output = ()>) {
    let holder = holder_name();
    tracing::info!(holder = %holder, jobs = Job::ALL.len(), "background jobs started");
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for job in Job::ALL.into_iter().filter(|j| j.enabled(&app.config)) {
        tasks.spawn(run_job(app.clone(), job, holder.clone(), stop_rx.clone()));
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    tracing::info!("background jobs stopped");
}

async fn run_job(app: AppState, job: Job, holder: String, mut stop: watch::Receiver<bool>) {
    let ttl = Duration::from_secs(app.config.worker_lease_seconds);
    let period = job.period(&app.config);
    // Renew three times per lease: one missed renewal (a slow database) does not lose the lease.
    let renew_every = ttl / 3;
    loop {
        let lease = match queue::try_acquire_lease(&app.db.write, job.name(), &holder, ttl).await {
            Ok(lease) => lease,
            Err(e) => {
                tracing::warn!(job = job.name(), error = %e, "cannot claim the job's lease");
                None
            }
        };
        let Some(mut lease) = lease else {
            // Another node holds it: look again once it could have expired.
            if wait(&mut stop, renew_every).await {
                return;
            }
            continue;
        };
        tracing::info!(job = job.name(), "this node now runs the job");
        // Holding: run, then wait for the next run, renewing all along.
        loop {
            let started = Instant::now();
            let outcome = {
                let work = job.run(&app);
                tokio::pin!(work);
                loop {
                    // The lease is ours until this instant unless renewed before it. Past it the run
                    // stops, whatever kept the renewal from happening (a hung database, a process
                    // stopped and resumed): another node may hold the lease by then. Checked first,
                    // so a run resumed after its lease ran out takes no further step.
                    let deadline = tokio::time::Instant::from_std(lease.renewed + ttl);
                    tokio::select! {
                        biased;
                        () = tokio::time::sleep_until(deadline) => break None,
                        _ = stop.changed() => {
                            // Abandon the run; its steps are each safe to stop between.
                            release(&app, lease).await;
                            return;
                        }
                        lost = renew(&app, &mut lease, ttl, renew_every) => {
                            if lost { break None; }
                        }
                        outcome = &mut work => break Some(outcome),
                    }
                }
            };
            match outcome {
                None => {
                    tracing::warn!(job = job.name(), "lost the job's lease mid-run; stopped the run");
                    break;
                }
                Some(Ok((summary, changed))) => {
                    metrics::counter!("quay_worker_runs_total", "job" => job.name(), "result" => "ok").increment(1);
                    metrics::gauge!("quay_worker_last_success_seconds", "job" => job.name())
                        .set(chrono::Utc::now().timestamp() as f64);
                    let ms = started.elapsed().as_millis() as u64;
                    if changed {
                        tracing::info!(job = job.name(), ms, "{summary}");
                    } else {
                        tracing::debug!(job = job.name(), ms, "{summary}");
                    }
                }
                Some(Err(e)) => {
                    metrics::counter!("quay_worker_runs_total", "job" => job.name(), "result" => "error").increment(1);
                    tracing::warn!(job = job.name(), error = format!("{e:#}"), "job run failed");
                }
            }
            let next = Instant::now() + period;
            let mut lost = false;
            while Instant::now() < next {
                let nap = renew_every.min(next.saturating_duration_since(Instant::now()));
                if wait(&mut stop, nap).await {
                    release(&app, lease).await;
                    return;
                }
                if !renew_once(&app, &mut lease, ttl).await {
                    lost = true;
                    break;
                }
            }
            if lost {
                tracing::warn!(job = job.name(), "lost the job's lease; another node runs it now");
                break;
            }
        }
    }
}

/// Sleeps `every`, then renews; resolves to `true` when the lease was lost.
async fn renew(app: &AppState, lease: &mut queue::Lease, ttl: Duration, every: Duration) -> bool {
    tokio::time::sleep(every).await;
    !renew_once(app, lease, ttl).await
}

async fn renew_once(app: &AppState, lease: &mut queue::Lease, ttl: Duration) -> bool {
    match queue::renew_lease(&app.db.write, lease, ttl).await {
        Ok(held) => held,
        // The database did not answer (on SQLite the run's own transaction may hold the one writer):
        // the lease stays ours until it would have expired; past that, stop.
        Err(e) => {
            let held = lease.renewed.elapsed() < ttl;
            if !held {
                tracing::warn!(job = %lease.job, error = %e, "cannot renew the job's lease");
            }
            held
        }
    }
}

async fn release(app: &AppState, lease: queue::Lease) {
    let job = lease.job.clone();
    if let Err(e) = queue::release_lease(&app.db.write, lease).await {
        tracing::warn!(job = %job, error = %e, "cannot release the job's lease; it expires by itself");
    }
}

/// Sleeps for `d` unless told to stop; returns whether to stop.
async fn wait(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

/// Quay's blobuploadcleanupworker: uploads older than the threshold lose their chunks, then their
/// row (in that order, so a failed storage delete is retried on the next run).
async fn cleanup_uploads(app: &AppState) -> anyhow::Result<(String, bool)> {
    let threshold = chrono::Duration::minutes(app.config.blobupload_deletion_date_threshold_min as i64);
    let before = now_naive() - threshold;
    let mut removed = 0;
    loop {
        let stale = crate::db::upload::stale_uploads(&app.db.read, before, 100).await?;
        if stale.is_empty() {
            break;
        }
        crate::testhooks::reached("upload-cleanup.listed").await;
        let batch = stale.len();
        let layout = app.storage.current();
        for (id, uuid) in stale {
            for location in layout.all() {
                location.storage.delete_upload(&uuid).await.with_context(|| format!("upload {uuid}"))?;
            }
            crate::db::upload::delete_upload(&app.db.write, id).await?;
            crate::db::upload::mark_closed(&app.db.write, &uuid).await?;
            removed += 1;
        }
        if batch < 100 {
            break;
        }
    }
    // Markers of closed uploads outlive the ids they close by no more than the threshold.
    crate::db::upload::forget_closed_before(&app.db.write, before).await?;
    // Chunks whose upload row is gone (Quay's CLEAN_BLOB_UPLOAD_FOLDER), as old as the threshold.
    let mut orphans = 0;
    let cutoff = chrono::Utc::now() - threshold;
    for location in app.storage.current().all() {
        for (uuid, modified) in location.storage.list_uploads().await? {
            if modified < cutoff && !crate::db::upload::upload_exists(&app.db.read, &uuid).await? {
                location.storage.delete_upload(&uuid).await.with_context(|| format!("upload folder {uuid}"))?;
                orphans += 1;
            }
        }
    }
    Ok((format!("{removed} stale uploads removed, {orphans} orphaned upload folders removed"), removed + orphans > 0))
}

/// A job's lease held by a one-off command (`quay gc`, `quay fsck --fix`, `quay backup`), so that
/// the job does not run anywhere meanwhile; renewed in the background until [`HeldJob::release`].
pub struct HeldJob {
    renewal: tokio::task::JoinHandle<Option<queue::Lease>>,
    stop: watch::Sender<bool>,
    app: AppState,
}

impl HeldJob {
    /// Takes `job`'s lease for `purpose`, waiting while a node runs the job (up to twice its
    /// lease time); refuses, naming the holder, when it stays taken.
    pub async fn take(app: &AppState, job: Job, purpose: &str) -> anyhow::Result<HeldJob> {
        let ttl = Duration::from_secs(app.config.worker_lease_seconds.max(1));
        let holder = format!("{purpose}:{}", holder_name());
        let give_up = Instant::now() + 2 * ttl;
        let mut told = false;
        let mut lease = loop {
            if let Some(lease) = queue::try_acquire_lease(&app.db.write, job.name(), &holder, ttl).await? {
                break lease;
            }
            if !told {
                let by = queue::lease_holder(&app.db.read, job.name()).await?.unwrap_or_default();
                tracing::warn!(job = job.name(), holder = %by, "waiting for the job to finish on its holder");
                told = true;
            }
            if Instant::now() > give_up {
                let by = queue::lease_holder(&app.db.read, job.name()).await?.unwrap_or_default();
                anyhow::bail!("the `{}` job is running ({by}); try again when it has finished", job.name());
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        };
        let (stop, mut stopped) = watch::channel(false);
        let renewal = tokio::spawn({
            let app = app.clone();
            async move {
                loop {
                    if wait(&mut stopped, ttl / 3).await {
                        return Some(lease);
                    }
                    if !renew_once(&app, &mut lease, ttl).await {
                        tracing::warn!(job = job.name(), "lost the job's lease");
                        return None;
                    }
                }
            }
        });
        Ok(HeldJob { renewal, stop, app: app.clone() })
    }

    /// Gives the lease back; `false` when it was lost meanwhile (the job may have run).
    pub async fn release(self) -> bool {
        let _ = self.stop.send(true);
        match self.renewal.await {
            Ok(Some(lease)) => {
                release(&self.app, lease).await;
                true
            }
            _ => false,
        }
    }
}
