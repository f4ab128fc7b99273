//! `/metrics` in Prometheus text format: what the code counts as it runs, plus gauges read at
//! each scrape (what the registry holds, free space, backlogs, job lease holders, the process).
//! Served without credentials on `METRICS_LISTEN` (loopback by default, as Quay's metrics port),
//! and to superusers on the registry port.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::app::AppState;

/// The process-wide recorder (installed once; tests run several servers in one process).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0])
                .ok()?
                .install_recorder()
                .ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

/// The `# HELP` lines.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("quay_http_requests_total", "HTTP requests answered, by route, method and status");
    describe_histogram!("quay_http_request_duration_seconds", Unit::Seconds, "Time to answer a request, by route");
    describe_counter!("quay_http_request_bytes_total", Unit::Bytes, "Request bytes declared, by route");
    describe_counter!("quay_http_response_bytes_total", Unit::Bytes, "Response bytes declared, by route");
    describe_counter!("quay_blob_upload_bytes_total", Unit::Bytes, "Blob bytes received");
    describe_counter!("quay_quota_rejections_total", "Writes refused by a namespace's Reject quota");
    describe_counter!("quay_storage_full_rejections_total", "Uploads refused because the disk keeps too little free");
    describe_counter!("quay_audit_written_total", "Action-log rows written");
    describe_counter!("quay_audit_dropped_total", "Action-log rows that could not be written");
    describe_counter!("quay_gc_runs_total", "Garbage collection passes");
    describe_counter!("quay_gc_errors_total", "Errors met by garbage collection");
    describe_counter!("quay_gc_tags_deleted_total", "Tags removed by garbage collection");
    describe_counter!("quay_gc_manifests_deleted_total", "Manifests removed by garbage collection");
    describe_counter!("quay_gc_blobs_deleted_total", "Blobs removed by garbage collection");
    describe_counter!("quay_gc_objects_deleted_total", "Storage objects removed by garbage collection");
    describe_counter!("quay_gc_bytes_reclaimed_total", Unit::Bytes, "Bytes freed by garbage collection");
    describe_counter!("quay_gc_repositories_purged_total", "Deleted repositories purged");
    describe_counter!("quay_gc_namespaces_purged_total", "Deleted users and organizations purged");
    describe_gauge!("quay_gc_last_run_seconds", Unit::Seconds, "When garbage collection last ran (Unix time)");
    describe_gauge!("quay_gc_last_run_duration_seconds", Unit::Seconds, "How long the last collection took");
    describe_counter!("quay_worker_runs_total", "Background job runs, by job and result");
    describe_gauge!("quay_worker_last_success_seconds", Unit::Seconds, "When each job last succeeded (Unix time)");
    describe_gauge!("quay_repositories", "Repositories");
    describe_gauge!("quay_blobs", "Stored blobs");
    describe_gauge!("quay_stored_bytes", Unit::Bytes, "Bytes of stored blobs");
    describe_gauge!("quay_uploads_in_progress", "Uploads started and not finished");
    describe_gauge!("quay_gc_backlog", "Deleted repositories, namespaces and objects waiting for collection");
    describe_gauge!("quay_job_lease_holder", "1 for the node holding each background job's lease");
    describe_gauge!("quay_filesystem_free_bytes", Unit::Bytes, "Free space where storage or the database lives");
    describe_gauge!("quay_filesystem_keep_free_bytes", Unit::Bytes, "Free space uploads must leave (STORAGE_MIN_FREE)");
    describe_gauge!("process_resident_memory_bytes", Unit::Bytes, "Resident memory");
    describe_gauge!("process_open_fds", "Open file descriptors");
    describe_gauge!("process_max_fds", "The open-files limit");
    describe_counter!("process_cpu_seconds_total", Unit::Seconds, "CPU time used");
    describe_gauge!("process_start_time_seconds", Unit::Seconds, "When the process started (Unix time)");
}

/// Reads the gauges that are not counted as the code runs.
async fn sample(app: &AppState) {
    match crate::registry::totals(app).await {
        Ok((totals, leases)) => {
            metrics::gauge!("quay_repositories").set(totals.repositories as f64);
            metrics::gauge!("quay_blobs").set(totals.blobs as f64);
            metrics::gauge!("quay_stored_bytes").set(totals.stored_bytes as f64);
            metrics::gauge!("quay_uploads_in_progress").set(totals.uploads as f64);
            metrics::gauge!("quay_gc_backlog").set(totals.gc_backlog as f64);
            // Holders that let go drop to 0 (the exporter keeps every series it has seen).
            static SHOWN: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
            if let Ok(mut shown) = SHOWN.lock() {
                for (job, holder) in shown.iter().filter(|pair| !leases.contains(pair)) {
                    metrics::gauge!("quay_job_lease_holder", "job" => job.clone(), "holder" => holder.clone()).set(0.0);
                }
                for (job, holder) in &leases {
                    metrics::gauge!("quay_job_lease_holder", "job" => job.clone(), "holder" => holder.clone()).set(1.0);
                }
                *shown = leases;
            }
        }
        Err(e) => tracing::debug!(error = %e, "cannot read the registry's totals for /metrics"),
    }
    for fs in crate::registry::disk::filesystems(&app.config) {
        let path = fs.path.display().to_string();
        metrics::gauge!("quay_filesystem_free_bytes", "path" => path.clone()).set(fs.free as f64);
        metrics::gauge!("quay_filesystem_keep_free_bytes", "path" => path).set(fs.keep as f64);
    }
    process();
}

/// The process metrics Prometheus' client libraries export, read from `/proc/self`.
fn process() {
    let page = rustix::param::page_size() as f64;
    if let Some(rss) = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
    {
        metrics::gauge!("process_resident_memory_bytes").set(rss * page);
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        metrics::gauge!("process_open_fds").set(fds.count() as f64);
    }
    if let Some(max) = rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
        metrics::gauge!("process_max_fds").set(max as f64);
    }
    // Fields 14 and 15 (user and system time, in clock ticks) and 22 (start, ticks after boot).
    let ticks = 100.0;
    if let Some(stat) = std::fs::read_to_string("/proc/self/stat").ok()
        && let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r.to_owned())
    {
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<f64>().ok());
        if let (Some(user), Some(system)) = (field(14), field(15)) {
            metrics::counter!("process_cpu_seconds_total").absolute(((user + system) / ticks) as u64);
        }
        let boot = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("btime ").and_then(|v| v.trim().parse::<f64>().ok())));
        if let (Some(start), Some(boot)) = (field(22), boot) {
            metrics::gauge!("process_start_time_seconds").set(boot + start / ticks);
        }
    }
}

async fn render(app: &AppState) -> Response {
    match handle() {
        Some(h) => {
            sample(app).await;
            h.run_upkeep();
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response()
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder unavailable").into_response(),
    }
}

/// `/metrics` on the registry port: superusers only (the metrics port serves everyone it lets
/// connect).
pub async fn on_registry_port(State(app): State<AppState>, caller: super::api::Caller) -> Response {
    if let Err(e) = crate::accounts::require_superuser(&caller) {
        return super::api::ApiError::from(e).into_response();
    }
    render(&app).await
}

/// Serves `/metrics` on `METRICS_LISTEN` until the process ends; a busy address is logged, not
/// fatal (the registry serves without its metrics port).
pub fn spawn_listener(app: AppState) {
    let Ok(address) = app.config.metrics_listen.parse::<std::net::SocketAddr>() else { return };
    tokio::spawn(async move {
        let listener = match tokio::net::TcpListener::bind(address).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(%address, error = %e, "cannot serve metrics (METRICS_LISTEN)");
                return;
            }
        };
        tracing::info!(%address, "serving metrics");
        let router = axum::Router::new()
            .route("/metrics", axum::routing::get(|State(app): State<AppState>| async move { render(&app).await }))
            .with_state(app);
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!(error = %e, "the metrics port stopped");
        }
    });
}
