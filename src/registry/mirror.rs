//! Repository mirroring, as Quay's `repomirrorworker` does it but with the native client
//! (`crate::remote`) in place of `skopeo`: a mirrored repository (state MIRROR) is kept in step
//! with the tags of an upstream repository that match its globs.
//!
//! A sync lists the upstream tags, and for each one that matches and differs from the local tag,
//! copies the manifest (an index's children first, filtered by architecture), its blobs (linked
//! when the registry already stores them, otherwise downloaded, resumed by `Range` where a
//! download broke off) and then the tag, all as the mirror's robot through the same domain
//! functions a push uses: quota, repository state, immutability and the push logs apply alike.
//! Tags no longer matched are deleted at the end. Quay's state machine is kept: `SYNC_NOW`,
//! `CANCEL` (checked between tags), `FAIL` with retries, the next start on the start date's grid,
//! and the 12-hour expiry of a running sync. Syncs run in the `repo-mirror` job, under its lease:
//! one node at a time runs them, so a `SYNCING` mirror seen at the start of a run was left by a
//! node that died and is synced again.

use std::net::IpAddr;
use std::sync::Mutex;

use bytes::Bytes;
use chrono::NaiveDateTime;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::{Actor, Role};
use crate::db::mirror::{MirrorRow, MirrorSettings, status};
use crate::db::repository::{RepoRow, repo_state};
use crate::oci::{Digest, ManifestKind, Reference, RepositoryName};
use crate::remote::{self, RemoteError};

/// The architectures Quay's filter takes.
pub const ARCHITECTURES: [&str; 4] = ["amd64", "arm64", "ppc64le", "s390x"];
/// How long a sync may run before another may start (Quay's `MAX_SYNC_DURATION`).
const MAX_SYNC_HOURS: i64 = 12;
/// Mirrors synced at once, and blobs downloaded at once within one image.
const MIRRORS_AT_ONCE: usize = 2;
const BLOBS_AT_ONCE: usize = 4;
/// The largest manifest list taken from upstream (Quay's `REPO_MIRROR_MAX_MANIFEST_LIST_SIZE`).
const MAX_MANIFEST_BYTES: u64 = 10 << 20;
/// Attempts of one blob download, each continuing where the last one stopped.
const BLOB_ATTEMPTS: u32 = 5;
/// Quay's answer when an upstream is refused by the SSRF rule.
pub const NOT_ALLOWED: &str = "The provided registry location is not allowed";

/// A mirror's settings as the API and the command line give them; on a change only the fields
/// given are changed.
#[derive(Debug, Default, Clone)]
pub struct MirrorInput {
    pub is_enabled: Option<bool>,
    pub external_reference: Option<String>,
    /// `Some(None)` removes the credentials.
    pub username: Option<Option<String>>,
    pub password: Option<Option<String>>,
    /// Quay's `external_registry_config` (`verify_tls`, `unsigned_images`, `proxy`).
    pub registry_config: Option<Value>,
    pub sync_interval: Option<i64>,
    pub sync_start_date: Option<NaiveDateTime>,
    pub tags: Option<Vec<String>>,
    pub architecture_filter: Option<Vec<String>>,
    pub robot_username: Option<String>,
    pub skopeo_timeout: Option<i64>,
}

/// A mirror as Quay's API shows it (the password never).
#[derive(Debug, Clone, serde::Serialize)]
pub struct MirrorView {
    #[serde(skip)]
    pub repository: String,
    pub is_enabled: bool,
    pub mirror_type: &'static str,
    pub external_reference: String,
    pub external_registry_username: Option<String>,
    pub external_registry_config: Value,
    pub sync_interval: i32,
    pub sync_start_date: Option<String>,
    pub sync_expiration_date: Option<String>,
    pub sync_retries_remaining: i32,
    pub sync_status: &'static str,
    pub root_rule: Value,
    pub robot_username: String,
    pub skopeo_timeout_interval: i64,
    pub architecture_filter: Vec<String>,
}

/// Python's `datetime.isoformat() + "Z"`: microseconds only when there are some.
fn quay_date(d: Option<NaiveDateTime>) -> Option<String> {
    d.map(|d| {
        if d.and_utc().timestamp_subsec_micros() == 0 {
            format!("{}Z", d.format("%Y-%m-%dT%H:%M:%S"))
        } else {
            format!("{}Z", d.format("%Y-%m-%dT%H:%M:%S%.6f"))
        }
    })
}

fn view(app: &App, m: &MirrorRow) -> MirrorView {
    let username = m.external_registry_username.as_deref().and_then(|u| decrypt(app, u).ok());
    let rule_value: Value = serde_json::from_str(&m.rule_value).unwrap_or(json!([]));
    let config: Value = serde_json::from_str(&m.external_registry_config).unwrap_or(json!({}));
    MirrorView {
        repository: format!("{}/{}", m.namespace, m.repository),
        is_enabled: m.is_enabled,
        mirror_type: "PULL",
        external_reference: m.external_reference.clone(),
        external_registry_username: username,
        external_registry_config: config,
        sync_interval: m.sync_interval,
        sync_start_date: quay_date(m.sync_start_date),
        sync_expiration_date: quay_date(m.sync_expiration_date),
        sync_retries_remaining: m.sync_retries_remaining,
        sync_status: status::name(m.sync_status),
        root_rule: json!({"rule_kind": "tag_glob_csv", "rule_value": rule_value}),
        robot_username: m.robot_username.clone(),
        skopeo_timeout_interval: m.skopeo_timeout,
        architecture_filter: architectures(m),
    }
}

fn architectures(m: &MirrorRow) -> Vec<String> {
    m.architecture_filter.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default()
}

fn decrypt(app: &App, stored: &str) -> Result<String> {
    let secrets = app.secrets.as_ref().ok_or_else(|| {
        RegistryError::Unsupported("mirror credentials need DATABASE_SECRET_KEY in config.yaml".into())
    })?;
    secrets
        .decrypt(stored)
        .map_err(|_| RegistryError::Internal(anyhow::anyhow!("the mirror's credentials cannot be decrypted")))
}

fn encrypt(app: &App, plain: &str) -> Result<String> {
    let secrets = app.secrets.as_ref().ok_or_else(|| {
        RegistryError::Unsupported("mirror credentials need DATABASE_SECRET_KEY in config.yaml".into())
    })?;
    Ok(secrets.encrypt(plain))
}

fn invalid(message: impl Into<String>) -> RegistryError {
    RegistryError::Unsupported(message.into())
}

/// The repository, once the actor administers it (Quay: repository admin, or a superuser with
/// full access) and mirroring is on.
async fn administered(app: &App, actor: &Actor, path: &str) -> Result<super::access::RepositoryAccess> {
    if !app.config.feature_repo_mirror {
        return Err(invalid("repository mirroring is off (FEATURE_REPO_MIRROR)"));
    }
    let target = super::access::resolve(app, actor, path).await?;
    target.require(actor, Role::Admin)?;
    Ok(target)
}

/// Where a mirror's running or last sync got to (ours, not Quay's: `quay admin mirror show`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub started: String,
    pub finished: Option<String>,
    pub tags_total: usize,
    pub tags_done: usize,
    /// The tag being copied.
    pub tag: Option<String>,
    /// Bytes downloaded from upstream (blobs the registry already stored are linked, not counted).
    pub bytes: u64,
}

pub async fn progress(app: &App, actor: &Actor, path: &str) -> Result<Option<Progress>> {
    let (_, m) = administered_mirror(app, actor, path).await?;
    let body = crate::db::queue::mirror_progress(&app.db.read, m.id).await?;
    Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
}

/// Records the progress for `mirror show` and the `quay_mirror_sync_*` gauges; a failure to record
/// it does not stop the sync.
async fn report_progress(app: &App, m: &MirrorRow, progress: &Progress) {
    let repository = format!("{}/{}", m.namespace, m.repository);
    metrics::gauge!("quay_mirror_sync_tags", "repository" => repository.clone(), "state" => "total")
        .set(progress.tags_total as f64);
    metrics::gauge!("quay_mirror_sync_tags", "repository" => repository.clone(), "state" => "done")
        .set(progress.tags_done as f64);
    metrics::gauge!("quay_mirror_sync_bytes", "repository" => repository).set(progress.bytes as f64);
    let body = json!(progress).to_string();
    if let Err(e) = crate::db::queue::record_mirror_progress(&app.db.write, m.id, &body).await {
        tracing::debug!(error = %e, "cannot record the mirror's progress");
    }
}

/// The repository and its mirror, once the actor administers it (`NameUnknown` without a mirror:
/// Quay's 404).
async fn administered_mirror(
    app: &App,
    actor: &Actor,
    path: &str,
) -> Result<(super::access::RepositoryAccess, MirrorRow)> {
    let target = administered(app, actor, path).await?;
    let m = crate::db::mirror::find_mirror(&app.db.read, target.repo.id).await?.ok_or(RegistryError::NameUnknown)?;
    Ok((target, m))
}

pub async fn get(app: &App, actor: &Actor, path: &str) -> Result<MirrorView> {
    let (_, m) = administered_mirror(app, actor, path).await?;
    Ok(view(app, &m))
}

/// Every mirror (the system and superusers with full access).
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<MirrorView>> {
    if !actor.reaches_everything(&app.config) {
        return Err(crate::auth::Denied::Forbidden.into());
    }
    Ok(crate::db::mirror::all_mirrors(&app.db.read).await?.iter().map(|m| view(app, m)).collect())
}

/// What `GET /api/v1/repository/mirror/health` is asked.
pub struct HealthQuery<'a> {
    pub namespace: Option<&'a str>,
    pub detailed: bool,
    pub limit: u64,
    pub offset: u64,
}

/// The health of repository mirroring, in the shape of Quay's mirror health endpoint.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Health {
    pub healthy: bool,
    pub workers: HealthWorkers,
    pub repositories: HealthRepositories,
    pub tags_pending: u64,
    pub last_check: String,
    pub issues: Vec<HealthIssue>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HealthWorkers {
    /// Nodes syncing mirrors now (the holder of the `repo-mirror` job's lease).
    pub active: u64,
    /// Live nodes (servers and workers), any of which takes the job over.
    pub configured: u64,
    pub status: &'static str,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HealthRepositories {
    pub total: u64,
    pub syncing: u64,
    pub completed: u64,
    pub failed: u64,
    pub never_run: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<HealthDetail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Value>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HealthDetail {
    pub namespace: String,
    pub repository: String,
    pub sync_status: &'static str,
    pub is_enabled: bool,
    pub last_sync: Option<String>,
    pub retries_remaining: i32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HealthIssue {
    pub severity: &'static str,
    pub message: String,
    pub timestamp: String,
}

/// Above this share of failed mirrors (of those that ran), mirroring is unhealthy (Quay's 20 %).
const FAILING_SHARE: f64 = 0.2;
/// A mirror whose last sync ended longer ago than this is stale.
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// Issues of one kind listed, at most.
const ISSUES_PER_KIND: usize = 5;

/// Repository mirroring at a glance: every mirror's status, stale and exhausted ones, and whether
/// too many fail. Every mirror for superusers; one namespace's for its members (or the user).
pub async fn health(app: &App, actor: &Actor, q: &HealthQuery<'_>) -> Result<Health> {
    let user = actor.signed_in()?;
    if !actor.superuser() {
        let Some(ns) = q.namespace else { return Err(crate::auth::Denied::Forbidden.into()) };
        let account = crate::db::user::find_user(&app.db.read, ns).await?.ok_or(crate::auth::Denied::Forbidden)?;
        let allowed = if account.organization {
            crate::db::team::organization_membership(&app.db.read, account.id, user.id).await?.0
        } else {
            account.id == user.id
        };
        if !allowed {
            return Err(crate::auth::Denied::Forbidden.into());
        }
    }
    let mirrors = crate::db::mirror::mirrors_in_state(&app.db.read, repo_state::MIRROR, q.namespace).await?;
    let now = chrono::Utc::now();
    let timestamp = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let count = |s: i32| mirrors.iter().filter(|m| m.sync_status == s).count() as u64;
    let (syncing, completed, failed, never_run) =
        (count(status::SYNCING), count(status::SUCCESS), count(status::FAIL), count(status::NEVER_RUN));
    let mut last_syncs = Vec::with_capacity(mirrors.len());
    let mut tags_pending = 0;
    for m in &mirrors {
        let progress: Option<Progress> = crate::db::queue::mirror_progress(&app.db.read, m.id)
            .await?
            .and_then(|body| serde_json::from_str(&body).ok());
        if m.sync_status == status::SYNCING
            && let Some(p) = &progress
        {
            tags_pending += p.tags_total.saturating_sub(p.tags_done) as u64;
        }
        let finished = progress
            .and_then(|p| p.finished)
            .and_then(|f| chrono::DateTime::parse_from_rfc3339(&f).ok())
            .map(|f| f.with_timezone(&chrono::Utc));
        last_syncs.push(finished);
    }
    let name = |m: &MirrorRow| format!("{}/{}", m.namespace, m.repository);
    let issue = |severity, message| HealthIssue { severity, message, timestamp: timestamp.clone() };
    let mut issues = Vec::new();
    let waiting = |m: &MirrorRow| m.is_enabled && m.sync_status != status::SYNCING;
    let stale =
        mirrors.iter().zip(&last_syncs).filter(|(m, last)| waiting(m) && last.is_some_and(|l| now - l > STALE_AFTER));
    for (m, _) in stale.take(ISSUES_PER_KIND) {
        issues.push(issue("warning", format!("Repository {} hasn't synced in over 24 hours", name(m))));
    }
    let never = mirrors
        .iter()
        .zip(&last_syncs)
        .filter(|(m, last)| waiting(m) && last.is_none() && m.sync_status == status::NEVER_RUN);
    for (m, _) in never.take(ISSUES_PER_KIND) {
        issues.push(issue("warning", format!("Repository {} has never been synced", name(m))));
    }
    let exhausted = mirrors.iter().filter(|m| m.sync_status == status::FAIL && m.sync_retries_remaining == 0);
    for m in exhausted.take(ISSUES_PER_KIND) {
        issues.push(issue("error", format!("Repository {} has exhausted all retry attempts", name(m))));
    }
    let ran = mirrors.len() as u64 - never_run;
    let mut healthy = true;
    if ran > 0 {
        let share = failed as f64 / ran as f64;
        if share > FAILING_SHARE {
            healthy = false;
            issues.insert(
                0,
                issue(
                    "critical",
                    format!(
                        "{:.1}% of repositories are failing (threshold: {:.1}%)",
                        share * 100.0,
                        FAILING_SHARE * 100.0
                    ),
                ),
            );
        }
    }
    let active = crate::db::queue::lease_holder(&app.db.read, crate::worker::Job::RepoMirror.name()).await?.is_some();
    let configured = crate::db::queue::live_nodes(&app.db.read).await?.len() as u64;
    let (details, pagination) = if q.detailed {
        let limit = q.limit.clamp(1, 1000) as usize;
        let offset = q.offset as usize;
        let page: Vec<HealthDetail> = mirrors
            .iter()
            .zip(&last_syncs)
            .skip(offset)
            .take(limit)
            .map(|(m, last)| HealthDetail {
                namespace: m.namespace.clone(),
                repository: m.repository.clone(),
                sync_status: status::name(m.sync_status),
                is_enabled: m.is_enabled,
                last_sync: last.map(|l| l.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
                retries_remaining: m.sync_retries_remaining,
            })
            .collect();
        let has_more = offset + page.len() < mirrors.len();
        (Some(page), Some(json!({"limit": limit, "offset": offset, "has_more": has_more})))
    } else {
        (None, None)
    };
    Ok(Health {
        healthy,
        workers: HealthWorkers {
            active: u64::from(active),
            configured,
            status: if healthy { "healthy" } else { "degraded" },
        },
        repositories: HealthRepositories {
            total: mirrors.len() as u64,
            syncing,
            completed,
            failed,
            never_run,
            details,
            pagination,
        },
        tags_pending,
        last_check: timestamp,
        issues,
    })
}

/// Quay's `external_registry_config` with its defaults filled in.
fn registry_config(given: Option<&Value>, before: Option<&Value>) -> Result<Value> {
    let base = before.cloned().unwrap_or_else(|| json!({}));
    let given = given.cloned().unwrap_or_else(|| json!({}));
    if !given.is_object() {
        return Err(invalid("external_registry_config must be an object"));
    }
    let pick = |key: &str| given.get(key).or_else(|| base.get(key)).cloned();
    let verify_tls = pick("verify_tls").unwrap_or(json!(true));
    let unsigned_images = pick("unsigned_images").unwrap_or(json!(false));
    if !verify_tls.is_boolean() || !unsigned_images.is_boolean() {
        return Err(invalid("verify_tls and unsigned_images must be true or false"));
    }
    let proxy = pick("proxy").filter(|p| !p.is_null()).unwrap_or_else(|| json!({}));
    let proxy_field = |key: &str| -> Result<Value> {
        match proxy.get(key) {
            None | Some(Value::Null) => Ok(Value::Null),
            Some(Value::String(s)) if s.is_empty() => Ok(Value::Null),
            Some(Value::String(s)) => Ok(json!(s)),
            Some(_) => Err(invalid(format!("proxy.{key} must be a string"))),
        }
    };
    Ok(json!({
        "verify_tls": verify_tls,
        "unsigned_images": unsigned_images,
        "proxy": {"http_proxy": proxy_field("http_proxy")?, "https_proxy": proxy_field("https_proxy")?,
                  "no_proxy": proxy_field("no_proxy")?},
    }))
}

/// The settings a mirror is written with: `input` over `before` (a change) or alone (a new one),
/// validated as Quay's API does.
async fn settings(
    app: &App,
    name: &RepositoryName,
    input: &MirrorInput,
    before: Option<&MirrorRow>,
) -> Result<(MirrorSettings, Vec<(&'static str, Value)>)> {
    let mut changed = Vec::new();
    let external_reference = match (&input.external_reference, before) {
        (Some(r), _) => {
            let r = r.trim().to_owned();
            remote::split_reference(&r).map_err(|e| invalid(e.to_string()))?;
            changed.push(("external_reference", json!(r)));
            r
        }
        (None, Some(b)) => b.external_reference.clone(),
        (None, None) => return Err(invalid("external_reference is required")),
    };
    let sync_interval = match (input.sync_interval, before) {
        (Some(i), _) if !(0..=i32::MAX as i64).contains(&i) => {
            return Err(invalid("sync_interval must be a number of seconds, 0 or more"));
        }
        (Some(i), _) => {
            changed.push(("sync_interval", json!(i)));
            i as i32
        }
        (None, Some(b)) => b.sync_interval,
        (None, None) => return Err(invalid("sync_interval is required")),
    };
    let sync_start_date = match (input.sync_start_date, before) {
        (Some(d), _) => {
            changed.push(("sync_start_date", json!(quay_date(Some(d)))));
            Some(d)
        }
        (None, Some(b)) => b.sync_start_date,
        (None, None) => return Err(invalid("sync_start_date is required")),
    };
    let tags = match (&input.tags, before) {
        (Some(t), _) => {
            let t: Vec<String> = t.iter().map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()).collect();
            if t.is_empty() {
                return Err(invalid("root_rule.rule_value needs at least one tag glob"));
            }
            changed.push(("root_rule", json!({"rule_kind": "tag_glob_csv", "rule_value": t})));
            t
        }
        (None, Some(b)) => serde_json::from_str(&b.rule_value).unwrap_or_default(),
        (None, None) => return Err(invalid("root_rule is required")),
    };
    let architecture_filter = match (&input.architecture_filter, before) {
        (Some(a), _) => {
            if let Some(other) = a.iter().find(|x| !ARCHITECTURES.contains(&x.as_str())) {
                return Err(invalid(format!(
                    "`{other}` is not an architecture the filter takes ({})",
                    ARCHITECTURES.join(", ")
                )));
            }
            if !a.is_empty() && !app.config.feature_sparse_index {
                return Err(invalid("an architecture filter needs FEATURE_SPARSE_INDEX"));
            }
            changed.push(("architecture_filter", json!(a)));
            Some(a.clone())
        }
        (None, Some(b)) => Some(architectures(b)),
        (None, None) => None,
    };
    let skopeo_timeout = match (input.skopeo_timeout, before) {
        (Some(t), _) if t < 30 => return Err(invalid("skopeo_timeout_interval must be at least 30 seconds")),
        (Some(t), _) => {
            changed.push(("skopeo_timeout_interval", json!(t)));
            t
        }
        (None, Some(b)) => b.skopeo_timeout,
        (None, None) => 300,
    };
    let robot_name = match (&input.robot_username, before) {
        (Some(r), _) => {
            changed.push(("robot_username", json!(r)));
            r.clone()
        }
        (None, Some(b)) => b.robot_username.clone(),
        (None, None) => return Err(invalid("robot_username is required")),
    };
    let robot_id = match robot_name.split_once('+') {
        Some((ns, _)) if ns == name.namespace() => match crate::db::user::find_user(&app.db.read, &robot_name).await? {
            Some(row) if row.robot => row.id,
            _ => return Err(invalid(format!("Invalid robot: `{robot_name}` does not exist"))),
        },
        _ => {
            return Err(invalid(format!(
                "Invalid robot: the mirror's robot must belong to `{}` (`{}+name`)",
                name.namespace(),
                name.namespace()
            )));
        }
    };
    let before_config = before.and_then(|b| serde_json::from_str::<Value>(&b.external_registry_config).ok());
    let config = registry_config(input.registry_config.as_ref(), before_config.as_ref())?;
    if input.registry_config.is_some() {
        changed.push(("external_registry_config", config.clone()));
    }
    let is_enabled = input.is_enabled.or(before.map(|b| b.is_enabled)).unwrap_or(true);
    if input.is_enabled.is_some() {
        changed.push(("is_enabled", json!(is_enabled)));
    }
    let before_username = before.and_then(|b| b.external_registry_username.clone());
    let before_password = before.and_then(|b| b.external_registry_password.clone());
    let (username, password) = match (&input.username, &input.password) {
        // Without a username there is no password either.
        (Some(None), _) => {
            changed.push(("external_registry_username", Value::Null));
            (None, None)
        }
        (Some(Some(u)), p) => {
            changed.push(("external_registry_username", json!(u)));
            let password = match p {
                Some(Some(p)) => {
                    changed.push(("external_registry_password", json!("********")));
                    Some(encrypt(app, p)?)
                }
                Some(None) => None,
                None => before_password,
            };
            (Some(encrypt(app, u)?), password)
        }
        (None, Some(Some(_))) if before_username.is_none() => {
            return Err(invalid("a password is only taken together with a username"));
        }
        (None, Some(Some(p))) => {
            changed.push(("external_registry_password", json!("********")));
            (before_username, Some(encrypt(app, p)?))
        }
        (None, Some(None)) => (before_username, None),
        (None, None) => (before_username, before_password),
    };
    // Last, as it may wait for DNS: Quay's SSRF rule on the upstream's host.
    if input.external_reference.is_some() {
        let (host, _) = remote::split_reference(&external_reference).map_err(|e| invalid(e.to_string()))?;
        upstream_allowed(&app.config, &host, false).await.map_err(|_| invalid(NOT_ALLOWED))?;
    }
    let settings = MirrorSettings {
        is_enabled,
        external_reference,
        username,
        password,
        registry_config: config.to_string(),
        architecture_filter: architecture_filter.map(|a| json!(a).to_string()),
        sync_interval,
        sync_start_date,
        robot_id,
        rule_value: json!(tags).to_string(),
        skopeo_timeout,
    };
    Ok((settings, changed))
}

fn log_metadata(name: &RepositoryName, extra: Value) -> Value {
    let mut m = json!({"namespace": name.namespace(), "repo": name.repository()});
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    m
}

/// Creates the mirror: its rule and config, the robot's write permission when it lacks one, and
/// the repository's MIRROR state, in one transaction.
pub async fn create(app: &App, actor: &Actor, path: &str, input: &MirrorInput) -> Result<()> {
    let target = administered(app, actor, path).await?;
    if crate::db::mirror::find_mirror(&app.db.read, target.repo.id).await?.is_some() {
        return Err(RegistryError::Conflict(format!("Mirror configuration already exits for repository {path}")));
    }
    let (settings, _) = settings(app, &target.name, input, None).await?;
    let robot_actor = account_actor(app, settings.robot_id).await?;
    let robot_role = super::access::role(app, &robot_actor, &target.repo).await?;
    let tx = app.db.begin().await?;
    crate::db::mirror::insert_mirror(&tx, target.repo.id, &settings).await?;
    if robot_role.is_none_or(|r| r < Role::Write) {
        let write = *app.db.lookups.role_ids.get("write").ok_or_else(|| anyhow::anyhow!("no `write` role row"))?;
        crate::db::repository::grant(&tx, target.repo.id, Some(settings.robot_id), None, write).await?;
    }
    crate::db::repository::set_state(&tx, target.repo.id, repo_state::MIRROR).await?;
    let metadata = log_metadata(&target.name, json!({"message": settings.external_reference}));
    crate::audit::write(&tx, actor, "repo_mirror_enabled", target.repo.namespace_id, Some(target.repo.id), &metadata)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the fields given; each change is logged as Quay's `repo_mirror_config_changed`.
pub async fn update(app: &App, actor: &Actor, path: &str, input: &MirrorInput) -> Result<()> {
    let (target, before) = administered_mirror(app, actor, path).await?;
    let (settings, changed) = settings(app, &target.name, input, Some(&before)).await?;
    let tx = app.db.begin().await?;
    crate::db::mirror::update_mirror(&tx, &before, &settings).await?;
    for (field, to) in changed {
        let metadata = log_metadata(&target.name, json!({"changed": field, "to": to}));
        crate::audit::write(
            &tx,
            actor,
            "repo_mirror_config_changed",
            target.repo.namespace_id,
            Some(target.repo.id),
            &metadata,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Asks for a sync at the next poll; refused (`NameUnknown`, Quay's 404) while one runs.
pub async fn sync_now(app: &App, actor: &Actor, path: &str) -> Result<()> {
    let (target, m) = administered_mirror(app, actor, path).await?;
    let tx = app.db.begin().await?;
    if !crate::db::mirror::request_sync_now(&tx, m.id).await? {
        return Err(RegistryError::NameUnknown);
    }
    let metadata = log_metadata(&target.name, json!({"message": "Sync-now requested"}));
    crate::audit::write(&tx, actor, "repo_mirror_sync_now_requested", m.namespace_id, Some(m.repository_id), &metadata)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a running or requested sync (a running one stops before its next tag).
pub async fn cancel(app: &App, actor: &Actor, path: &str) -> Result<()> {
    let (_, m) = administered_mirror(app, actor, path).await?;
    if !crate::db::mirror::cancel_sync(&app.db.write, m.id).await? {
        return Err(RegistryError::NameUnknown);
    }
    Ok(())
}

/// Removes the mirror and puts the repository back to NORMAL; its tags stay.
pub async fn delete(app: &App, actor: &Actor, path: &str) -> Result<()> {
    let (target, m) = administered_mirror(app, actor, path).await?;
    if m.sync_status == status::SYNCING {
        return Err(RegistryError::Conflict(format!(
            "a sync of {path} is running; cancel it first (quay admin mirror cancel {path})"
        )));
    }
    let tx = app.db.begin().await?;
    crate::db::mirror::delete_mirror(&tx, &m).await?;
    crate::db::queue::forget_mirror_progress(&tx, m.id).await?;
    crate::db::repository::set_state(&tx, target.repo.id, repo_state::NORMAL).await?;
    let metadata = log_metadata(&target.name, json!({"message": m.external_reference}));
    crate::audit::write(&tx, actor, "repo_mirror_disabled", m.namespace_id, Some(m.repository_id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// An account acting as itself in the background: the mirror's robot, whose syncs write as it.
async fn account_actor(app: &App, id: i32) -> Result<Actor> {
    let user = crate::auth::account(&app.db, &app.config, id)
        .await?
        .ok_or_else(|| invalid("the mirror's robot no longer exists"))?;
    Ok(Actor::user(user).from_client(None, Some("quay-mirror".into())))
}

// ---------------------------------------------------------------------------------------------
// Where upstreams may be.

/// Quay's SSRF rule: an upstream that resolves to a loopback, private, link-local or otherwise
/// internal address is refused unless its host, or a CIDR holding its address, is in
/// `SSRF_ALLOWED_HOSTS` (the mirror preset lists the private ranges: an appliance mirrors from its
/// own network). `resolve_strictly`: a name that does not resolve is refused too (at sync time).
pub async fn upstream_allowed(
    config: &crate::config::Config,
    host: &str,
    resolve_strictly: bool,
) -> Result<(), String> {
    let (name, port) = split_host_port(host);
    let allowed = &config.ssrf_allowed_hosts;
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
        return Ok(());
    }
    let addresses: Vec<IpAddr> = match name.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => match tokio::net::lookup_host((name, port)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(e) if resolve_strictly => return Err(format!("{name}: {e}")),
            Err(_) => return Ok(()),
        },
    };
    for ip in addresses {
        if internal(ip) && !allowed.iter().any(|a| cidr_contains(a, ip)) {
            return Err(format!("{name} resolves to {ip}, an internal address"));
        }
    }
    Ok(())
}

fn split_host_port(host: &str) -> (&str, u16) {
    if let Some(rest) = host.strip_prefix('[') {
        let (ip, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (ip, after.strip_prefix(':').and_then(|p| p.parse().ok()).unwrap_or(443));
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().unwrap_or(443)),
        _ => (host, 443),
    }
}

fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (s[0] & 0xfe00) == 0xfc00
                    || (s[0] & 0xffc0) == 0xfe80
            }
        },
    }
}

/// Whether `cidr` (`10.0.0.0/8`, `::1/128`, or a bare address) holds `ip`.
fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    match (net.parse::<IpAddr>(), ip) {
        (Ok(IpAddr::V4(n)), IpAddr::V4(a)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            (u32::from(n) & mask) == (u32::from(a) & mask)
        }
        (Ok(IpAddr::V6(n)), IpAddr::V6(a)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            (u128::from(n) & mask) == (u128::from(a) & mask)
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Tag globs.

/// Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    matches(&name, &pattern)
}

fn matches(name: &[char], pattern: &[char]) -> bool {
    match pattern.first() {
        None => name.is_empty(),
        Some('*') => {
            let rest = &pattern[pattern.iter().take_while(|c| **c == '*').count()..];
            (0..=name.len()).any(|i| matches(&name[i..], rest))
        }
        Some('?') => !name.is_empty() && matches(&name[1..], &pattern[1..]),
        Some('[') => match class(&pattern[1..]) {
            Some((accepts, used)) => !name.is_empty() && accepts(name[0]) && matches(&name[1..], &pattern[1 + used..]),
            None => name.first() == Some(&'[') && matches(&name[1..], &pattern[1..]),
        },
        Some(c) => name.first() == Some(c) && matches(&name[1..], &pattern[1..]),
    }
}

/// A `[...]` class after its `[`: what it accepts and how many characters it spans (with `]`).
#[allow(clippy::type_complexity)]
fn class(p: &[char]) -> Option<(Box<dyn Fn(char) -> bool>, usize)> {
    let mut i = 0;
    let negated = p.first() == Some(&'!');
    if negated {
        i += 1;
    }
    let start = i;
    let mut ranges: Vec<(char, char)> = Vec::new();
    while i < p.len() {
        // A `]` first in the class is a member, not its end.
        if p[i] == ']' && i > start {
            let accepts = move |c: char| ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != negated;
            return Some((Box::new(accepts), i + 1));
        }
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            ranges.push((p[i], p[i + 2]));
            i += 3;
        } else {
            ranges.push((p[i], p[i]));
            i += 1;
        }
    }
    None
}

/// The upstream tags a mirror takes: those any glob matches, once each, sorted.
pub fn matching_tags(tags: &[String], globs: &[String]) -> Vec<String> {
    let mut selected: Vec<String> = tags.iter().filter(|t| globs.iter().any(|g| fnmatch(t, g))).cloned().collect();
    selected.sort();
    selected.dedup();
    selected
}

// ---------------------------------------------------------------------------------------------
// Syncs.

/// The `repo-mirror` job's run: every due mirror, a few at a time. Returns the summary and
/// whether anything was synced.
pub async fn run_due(app: &App) -> anyhow::Result<(String, bool)> {
    let due = crate::db::mirror::due_mirrors(&app.db.read, repo_state::MIRROR).await?;
    if due.is_empty() {
        return Ok(("no mirror due".into(), false));
    }
    let outcomes: Vec<i32> =
        futures_util::stream::iter(due).map(|m| sync_mirror(app, m)).buffer_unordered(MIRRORS_AT_ONCE).collect().await;
    let ok = outcomes.iter().filter(|o| **o == status::SUCCESS).count();
    let failed = outcomes.iter().filter(|o| **o == status::FAIL).count();
    let cancelled = outcomes.iter().filter(|o| **o == status::CANCEL).count();
    Ok((format!("{} mirrors synced: {ok} succeeded, {failed} failed, {cancelled} cancelled", outcomes.len()), true))
}

/// Why a sync failed, as its log says it.
struct SyncFailure(String);

impl<E: std::fmt::Display> From<E> for SyncFailure {
    fn from(e: E) -> Self {
        SyncFailure(e.to_string())
    }
}

/// What a sync did.
#[derive(Default)]
struct Report {
    synced: Vec<String>,
    unchanged: Vec<String>,
    failed: Vec<(String, String)>,
    deleted: Vec<String>,
    cancelled: bool,
    bytes: u64,
}

/// Claims the mirror, syncs it and releases it with its outcome; returns the outcome.
async fn sync_mirror(app: &App, m: MirrorRow) -> i32 {
    let name = format!("{}/{}", m.namespace, m.repository);
    let expires = crate::util::now_naive() + chrono::Duration::hours(MAX_SYNC_HOURS);
    match crate::db::mirror::claim_mirror(&app.db.write, m.id, m.sync_status, expires).await {
        Ok(true) => {}
        Ok(false) => return status::NEVER_RUN,
        Err(e) => {
            tracing::warn!(repository = %name, error = %e, "cannot start the mirror's sync");
            return status::NEVER_RUN;
        }
    }
    let globs: Vec<String> = serde_json::from_str(&m.rule_value).unwrap_or_default();
    let rn = RepositoryName::parse(&name, None).ok();
    let log = |kind: &'static str, extra: Value| {
        let m = &m;
        let rn = rn.clone();
        async move {
            if let Some(rn) = rn {
                let metadata = log_metadata(&rn, extra);
                if let Err(e) = crate::audit::write(
                    &app.db.write,
                    &Actor::system(),
                    kind,
                    m.namespace_id,
                    Some(m.repository_id),
                    &metadata,
                )
                .await
                {
                    tracing::warn!(error = %e, "cannot write the mirror's log row");
                }
            }
        }
    };
    log(
        "repo_mirror_sync_started",
        json!({"verb": "start", "message": format!("'{}' with tag pattern '{}'", m.external_reference, globs.join(","))}),
    )
    .await;
    let started = std::time::Instant::now();
    let progress = Mutex::new(Progress {
        started: quay_date(Some(crate::util::now_naive())).unwrap_or_default(),
        ..Default::default()
    });
    report_progress(app, &m, &progress.lock().map(|p| p.clone()).unwrap_or_default()).await;
    let result = perform(app, &m, &globs, &progress).await;
    let mut last = progress.lock().map(|p| p.clone()).unwrap_or_default();
    last.finished = quay_date(Some(crate::util::now_naive()));
    last.tag = None;
    report_progress(app, &m, &last).await;
    let outcome = match &result {
        Ok(r) if r.cancelled => status::CANCEL,
        Ok(r) if r.failed.is_empty() => status::SUCCESS,
        _ => status::FAIL,
    };
    match &result {
        Ok(r) => {
            for tag in &r.synced {
                log("repo_mirror_sync_tag_success", json!({"verb": "finish", "message": format!("Source '{}:{tag}' successfully mirrored", m.external_reference), "tag": tag})).await;
            }
            for (tag, why) in &r.failed {
                log("repo_mirror_sync_tag_failed", json!({"verb": "finish", "message": format!("Source '{}:{tag}' failed to mirror", m.external_reference), "tag": tag, "stdout": "", "stderr": why})).await;
            }
            let tags = r.synced.iter().chain(&r.unchanged).cloned().collect::<Vec<_>>().join(", ");
            if outcome == status::SUCCESS {
                let message = if tags.is_empty() {
                    "No tags matched".to_owned()
                } else {
                    format!("'{}' with tags '{tags}'", m.external_reference)
                };
                log("repo_mirror_sync_success", json!({"verb": "end", "message": message, "tags": tags})).await;
            } else if outcome == status::FAIL {
                let message = if r.synced.is_empty() && r.unchanged.is_empty() {
                    "'{}' failed".replace("{}", &m.external_reference)
                } else {
                    format!("'{}' PARTIAL SYNC", m.external_reference)
                };
                log("repo_mirror_sync_failed", json!({"verb": "end", "message": message, "tags": tags})).await;
            }
            tracing::info!(
                repository = %name, upstream = %m.external_reference, synced = r.synced.len(), unchanged = r.unchanged.len(),
                failed = r.failed.len(), deleted = r.deleted.len(), bytes = r.bytes, cancelled = r.cancelled,
                ms = started.elapsed().as_millis() as u64, "mirror synced"
            );
        }
        Err(SyncFailure(why)) => {
            log("repo_mirror_sync_failed", json!({"verb": "end", "message": format!("'{}' failed: {why}", m.external_reference), "tags": "", "stderr": why})).await;
            tracing::warn!(repository = %name, upstream = %m.external_reference, error = %why, "mirror sync failed");
        }
    }
    metrics::counter!("quay_mirror_syncs_total", "result" => status::name(outcome)).increment(1);
    let (next_start, retries) = next_run(&m, outcome);
    if let Err(e) = crate::db::mirror::release_mirror(&app.db.write, m.id, outcome, next_start, retries).await {
        tracing::warn!(repository = %name, error = %e, "cannot record the end of the mirror's sync");
    }
    outcome
}

/// Quay's `release_mirror`: a failure uses a retry and is tried again at the next poll while
/// retries are left; otherwise the next start is the next point of the start date's grid (every
/// `sync_interval` seconds from it), with the retries back to 3. An interval of 0 syncs only on
/// request.
fn next_run(m: &MirrorRow, outcome: i32) -> (Option<NaiveDateTime>, i32) {
    let mut retries = m.sync_retries_remaining;
    if outcome == status::FAIL {
        retries = (retries - 1).max(0);
    }
    if outcome == status::SUCCESS || retries < 1 || m.sync_status == status::SYNC_NOW && outcome != status::FAIL {
        let now = crate::util::now_naive();
        if m.sync_interval <= 0 {
            return (None, 3);
        }
        let interval = m.sync_interval as i64;
        let since = m.sync_start_date.map_or(0, |s| (now - s).num_seconds().max(0));
        let next = now + chrono::Duration::seconds(interval - since % interval);
        return (Some(next), 3);
    }
    (m.sync_start_date, retries)
}

/// Everything one sync needs: the upstream, the local repository and who writes.
struct Sync<'a> {
    app: &'a App,
    upstream: remote::Registry,
    upstream_repository: String,
    name: RepositoryName,
    repo: RepoRow,
    robot: Actor,
    architectures: Vec<String>,
    bytes: Mutex<u64>,
}

async fn perform(
    app: &App,
    m: &MirrorRow,
    globs: &[String],
    progress: &Mutex<Progress>,
) -> Result<Report, SyncFailure> {
    let (host, upstream_repository) = remote::split_reference(&m.external_reference)?;
    upstream_allowed(&app.config, &host, true).await.map_err(|why| SyncFailure(format!("{NOT_ALLOWED} ({why})")))?;
    let config: Value = serde_json::from_str(&m.external_registry_config).unwrap_or(json!({}));
    let proxy = |key: &str| config["proxy"][key].as_str().map(str::to_owned);
    let options = remote::Options {
        verify_tls: config["verify_tls"].as_bool().unwrap_or(true),
        username: m.external_registry_username.as_deref().map(|u| decrypt(app, u)).transpose()?,
        password: m.external_registry_password.as_deref().map(|p| decrypt(app, p)).transpose()?,
        http_proxy: proxy("http_proxy"),
        https_proxy: proxy("https_proxy"),
        no_proxy: proxy("no_proxy"),
    };
    let upstream = remote::Registry::connect(&host, &options, &app.config.config_dir).await?;
    let name = RepositoryName::parse(&format!("{}/{}", m.namespace, m.repository), None)?;
    let repo = super::repository(app, &name).await?;
    let robot = account_actor(app, m.internal_robot_id).await?;
    let sync = Sync {
        app,
        upstream,
        upstream_repository,
        name,
        repo,
        robot,
        architectures: architectures(m),
        bytes: Mutex::new(0),
    };
    let upstream_tags = sync.upstream.tags(&sync.upstream_repository).await?;
    let selected = matching_tags(&upstream_tags, globs);
    let snapshot = |tag: Option<&String>, done: usize| {
        let mut p = progress.lock().map(|p| p.clone()).unwrap_or_default();
        p.tags_total = selected.len();
        p.tags_done = done;
        p.tag = tag.cloned();
        p.bytes = sync.bytes.lock().map(|b| *b).unwrap_or(0);
        if let Ok(mut shared) = progress.lock() {
            *shared = p.clone();
        }
        p
    };
    report_progress(app, m, &snapshot(None, 0)).await;
    let mut report = Report::default();
    // What each tag pointed at before this sync, for a rollback.
    let mut before: Vec<(String, Option<String>)> = Vec::new();
    for (done, tag) in selected.iter().enumerate() {
        if crate::db::mirror::mirror_status(&app.db.read, m.id).await? == Some(status::CANCEL) {
            report.cancelled = true;
            break;
        }
        report_progress(app, m, &snapshot(Some(tag), done)).await;
        let previous = app.db.find_tagged_manifest(sync.repo.id, tag).await?.map(|r| r.digest);
        match sync.copy_tag(tag, previous.as_deref()).await {
            Ok(true) => {
                report.synced.push(tag.clone());
                before.push((tag.clone(), previous));
            }
            Ok(false) => report.unchanged.push(tag.clone()),
            Err(SyncFailure(why)) => report.failed.push((tag.clone(), why)),
        }
        snapshot(None, done + 1);
        crate::testhooks::reached("mirror.tag-copied").await;
    }
    report.bytes = sync.bytes.lock().map(|b| *b).unwrap_or(0);
    if !report.failed.is_empty() && app.config.repo_mirror_rollback {
        // Quay's REPO_MIRROR_ROLLBACK: the sync's tag changes are undone, and no tag is deleted.
        for (tag, previous) in before.iter().rev() {
            let path = sync.name.to_string();
            let undone = match previous {
                Some(digest) => super::tags::change(app, &Actor::system(), &path, tag, Some(digest), None).await,
                None => super::tags::delete(app, &Actor::system(), &path, tag).await,
            };
            if let Err(e) = undone {
                tracing::warn!(repository = %path, tag = %tag, error = %e, "cannot roll the tag back");
            }
        }
        report.synced.clear();
        return Ok(report);
    }
    if !report.cancelled {
        // Tags no longer matched upstream go (Quay's `delete_obsolete_tags`).
        let local = crate::db::tag::list_tags(&app.db.read, sync.repo.id, None, u32::MAX as u64).await?;
        for tag in local.into_iter().filter(|t| !selected.contains(t)) {
            match super::tags::delete(app, &Actor::system(), &sync.name.to_string(), &tag).await {
                Ok(()) => report.deleted.push(tag),
                Err(e) => tracing::warn!(tag = %tag, error = %e, "cannot delete a tag no longer mirrored"),
            }
        }
    }
    Ok(report)
}

impl Sync<'_> {
    /// Copies one tag unless it already points at the upstream's manifest; `true` when it changed.
    async fn copy_tag(&self, tag: &str, local: Option<&str>) -> Result<bool, SyncFailure> {
        if let (Some(local), Some((upstream, _))) =
            (local, self.upstream.manifest_digest(&self.upstream_repository, tag).await?)
            && local == upstream
        {
            return Ok(false);
        }
        let manifest = self.upstream.manifest(&self.upstream_repository, tag, MAX_MANIFEST_BYTES).await?;
        let reference = Reference::Tag(tag.to_owned());
        self.copy_manifest(&manifest, &reference, true).await
    }

    /// Copies a manifest's content, then the manifest itself (by tag, or by digest for an index's
    /// child). `false` when the architecture filter leaves a single image out.
    async fn copy_manifest(
        &self,
        manifest: &remote::Manifest,
        reference: &Reference,
        top: bool,
    ) -> Result<bool, SyncFailure> {
        let parsed = crate::oci::parse_manifest(Some(&manifest.media_type), &manifest.bytes)?;
        match &parsed.kind {
            ManifestKind::Index { manifests } => {
                if manifests.len() > 1000 {
                    return Err(SyncFailure("the manifest list has more than 1000 entries".into()));
                }
                for child in manifests {
                    let wanted = self.architectures.is_empty()
                        || child.architecture.as_ref().is_none_or(|a| self.architectures.contains(a));
                    if !wanted {
                        continue;
                    }
                    let digest = child.digest.to_string();
                    if self.app.db.find_live_manifest(self.repo.id, &digest).await?.is_some() {
                        continue;
                    }
                    let child_manifest =
                        self.upstream.manifest(&self.upstream_repository, &digest, MAX_MANIFEST_BYTES).await?;
                    Box::pin(self.copy_manifest(&child_manifest, &Reference::Digest(child.digest.clone()), false))
                        .await?;
                }
            }
            ManifestKind::Image { config, .. } => {
                if top && !self.architectures.is_empty() {
                    let bytes = self.upstream.small_blob(&self.upstream_repository, &config.digest, 1 << 20).await?;
                    let arch: Option<String> = serde_json::from_slice::<Value>(&bytes)
                        .ok()
                        .and_then(|v| v["architecture"].as_str().map(str::to_owned));
                    if arch.is_some_and(|a| !self.architectures.contains(&a)) {
                        return Ok(false);
                    }
                }
                self.copy_blobs(&parsed).await?;
            }
            ManifestKind::Schema1(_) => self.copy_blobs(&parsed).await?,
        }
        super::put_manifest(
            self.app,
            &self.robot,
            &self.name,
            &self.repo,
            reference,
            Some(&manifest.media_type),
            &manifest.bytes,
        )
        .await?;
        Ok(true)
    }

    async fn copy_blobs(&self, parsed: &crate::oci::ParsedManifest) -> Result<(), SyncFailure> {
        let blobs: Vec<(Digest, Option<u64>)> = {
            let mut seen = std::collections::HashSet::new();
            parsed
                .required_blobs()
                .into_iter()
                .filter(|(d, _)| seen.insert((*d).clone()))
                .map(|(d, s)| (d.clone(), s))
                .collect()
        };
        let results: Vec<Result<(), SyncFailure>> = futures_util::stream::iter(blobs)
            .map(|(digest, size)| async move { self.copy_blob(&digest, size).await })
            .buffer_unordered(BLOBS_AT_ONCE)
            .collect()
            .await;
        results.into_iter().collect()
    }

    /// Puts the blob in the repository: nothing when it is there, a link when the registry stores
    /// it elsewhere, else a download (resumed from where a broken one stopped).
    async fn copy_blob(&self, digest: &Digest, size: Option<u64>) -> Result<(), SyncFailure> {
        let text = digest.to_string();
        if self.app.db.find_blob_in_repo(self.repo.id, &text).await?.is_some() {
            return Ok(());
        }
        if super::blobs::link_stored_blob(self.app, &self.robot, &self.repo, digest, size).await? {
            metrics::counter!("quay_mirror_blobs_total", "how" => "linked").increment(1);
            return Ok(());
        }
        let received = download_blob(
            self.app,
            &self.robot,
            &self.repo,
            &self.upstream,
            &self.upstream_repository,
            digest,
            size,
            None,
        )
        .await
        .map_err(SyncFailure)?;
        if let Ok(mut b) = self.bytes.lock() {
            *b += received;
        }
        metrics::counter!("quay_mirror_blobs_total", "how" => "downloaded").increment(1);
        Ok(())
    }
}

/// Downloads a blob from upstream into the repository as `actor`, as an upload (hashed as it
/// arrives, checked against its digest, stored before its row): repository mirrors and proxy
/// caches download through it. A transfer that breaks off keeps what arrived (a chunk of the
/// upload) and the next attempt asks for the rest. Returns the bytes received.
#[allow(clippy::too_many_arguments)]
pub(super) async fn download_blob(
    app: &App,
    actor: &Actor,
    repo: &RepoRow,
    upstream: &remote::Registry,
    upstream_repository: &str,
    digest: &Digest,
    size: Option<u64>,
    tee: Option<Tee>,
) -> Result<u64, String> {
    let upload = super::start_upload(app, actor, repo).await.map_err(|e| e.to_string())?;
    let place = Upload { app, actor, repo, upload: &upload };
    match place.receive(upstream, upstream_repository, &digest.to_string(), size, tee).await {
        Ok(received) => {
            let empty = futures_util::stream::empty::<std::io::Result<Bytes>>();
            super::finish_upload(app, actor, repo, &upload, digest, None, Some(0), empty)
                .await
                .map_err(|e| e.to_string())?;
            Ok(received)
        }
        Err(e) => {
            let _ = super::cancel_upload(app, repo, &upload).await;
            Err(e)
        }
    }
}

/// Where a download's bytes also go as they arrive, in order (resumed parts included).
pub(super) type Tee = tokio::sync::mpsc::Sender<Bytes>;

/// An upload a download fills.
struct Upload<'a> {
    app: &'a App,
    actor: &'a Actor,
    repo: &'a RepoRow,
    upload: &'a str,
}

impl Upload<'_> {
    async fn receive(
        &self,
        upstream: &remote::Registry,
        upstream_repository: &str,
        digest: &str,
        size: Option<u64>,
        tee: Option<Tee>,
    ) -> Result<u64, String> {
        let mut attempt = 0;
        let mut received = 0;
        loop {
            let have = super::upload_size(self.app, self.repo, self.upload).await.map_err(|e| e.to_string())?;
            if size.is_some_and(|s| have >= s) {
                return Ok(received);
            }
            attempt += 1;
            let (response, skip) = match upstream.blob(upstream_repository, digest, have).await {
                Ok(r) => r,
                Err(RemoteError::Unreachable(why)) if attempt < BLOB_ATTEMPTS => {
                    tracing::debug!(digest, error = %why, "blob download failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(500 << attempt.min(5))).await;
                    continue;
                }
                Err(e) => return Err(e.to_string()),
            };
            let broke: std::sync::Arc<Mutex<Option<String>>> = Default::default();
            let body = until_broken(response, skip, broke.clone(), tee.clone());
            let new_size = super::append_chunk(self.app, self.actor, self.repo, self.upload, None, None, body)
                .await
                .map_err(|e| e.to_string())?;
            received += new_size - have;
            metrics::counter!("quay_mirror_bytes_total").increment(new_size - have);
            let why = broke.lock().ok().and_then(|mut b| b.take());
            match why {
                None => return Ok(received),
                Some(why) if attempt < BLOB_ATTEMPTS => {
                    tracing::info!(digest, received = new_size, error = %why, "blob download broke off; continuing it");
                    tokio::time::sleep(std::time::Duration::from_millis(500 << attempt.min(5))).await;
                }
                Some(why) => return Err(format!("blob {digest}: {why}")),
            }
        }
    }
}

/// The response's body from `skip` on, ending cleanly where the connection broke (the reason left
/// in `broke`), so that what arrived is kept.
/// With `tee`, each chunk is also sent there (a client being served the blob while it is stored)
/// until the receiver goes away; a slow receiver slows the download down, by at most the channel.
fn until_broken(
    response: reqwest::Response,
    skip: u64,
    broke: std::sync::Arc<Mutex<Option<String>>>,
    tee: Option<Tee>,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send {
    futures_util::stream::unfold((response, skip, broke, tee), |(mut response, mut skip, broke, mut tee)| async move {
        loop {
            match response.chunk().await {
                Ok(Some(mut chunk)) => {
                    if skip > 0 {
                        let n = (skip as usize).min(chunk.len());
                        chunk = chunk.slice(n..);
                        skip -= n as u64;
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                    if let Some(to) = &tee
                        && to.send(chunk.clone()).await.is_err()
                    {
                        tee = None;
                    }
                    return Some((Ok(chunk), (response, skip, broke, tee)));
                }
                Ok(None) => return None,
                Err(e) => {
                    if let Ok(mut b) = broke.lock() {
                        *b = Some(remote::error_chain(&e));
                    }
                    return None;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_pythons_fnmatch() {
        assert!(fnmatch("v1.2", "v1.*"));
        assert!(fnmatch("latest", "latest"));
        assert!(!fnmatch("Latest", "latest"));
        assert!(fnmatch("v1", "v?"));
        assert!(!fnmatch("v10", "v?"));
        assert!(fnmatch("4.15.3-x86_64", "4.1[0-5].*"));
        assert!(!fnmatch("4.16.0", "4.1[0-5].*"));
        assert!(fnmatch("a", "[!b]"));
        assert!(!fnmatch("b", "[!b]"));
        assert!(fnmatch("]", "[]]"));
        assert!(fnmatch("[x", "[x"));
        assert!(fnmatch("anything/with/slashes", "*"));
        let tags: Vec<String> = ["v2", "v1", "latest", "v1"].iter().map(|s| s.to_string()).collect();
        assert_eq!(matching_tags(&tags, &["v*".into(), "v1".into()]), ["v1", "v2"]);
    }

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        assert!(internal("127.0.0.1".parse().unwrap()));
        assert!(internal("10.1.2.3".parse().unwrap()));
        assert!(internal("169.254.169.254".parse().unwrap()));
        assert!(internal("::1".parse().unwrap()));
        assert!(internal("fd00::1".parse().unwrap()));
        assert!(internal("::ffff:192.168.1.1".parse().unwrap()));
        assert!(!internal("8.8.8.8".parse().unwrap()));
        assert!(cidr_contains("127.0.0.0/8", "127.0.0.2".parse().unwrap()));
        assert!(!cidr_contains("10.0.0.0/8", "11.0.0.1".parse().unwrap()));
        assert!(cidr_contains("fc00::/7", "fd12::1".parse().unwrap()));
        assert_eq!(split_host_port("h:5000"), ("h", 5000));
        assert_eq!(split_host_port("[::1]:5000"), ("::1", 5000));
        assert_eq!(split_host_port("quay.io"), ("quay.io", 443));
    }
}
