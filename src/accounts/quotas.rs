//! Storage quotas of namespaces (Quay's `userorganizationquota` and `quotalimits`): read by the
//! organization's admins, changed by superusers and the system, each change logged as Quay's
//! `org_*_quota*` kinds. Enforced by `registry::quota`.

use serde_json::json;

use super::{AccountError, Result, administered, require_superuser};
use crate::app::App;
use crate::auth::Actor;
use crate::db::quota;

pub use crate::db::quota::{Quota, QuotaLimit};

/// An organization's quota as the API shows it.
pub struct QuotaView {
    pub id: i32,
    pub limit_bytes: i64,
    pub limits: Vec<QuotaLimit>,
}

/// The organization for reading its quota (its admins and superusers), or changing it
/// (superusers: quotas are theirs to set, with or without `FEATURE_SUPERUSERS_FULL_ACCESS`).
async fn organization(app: &App, actor: &Actor, org: &str, change: bool) -> Result<i32> {
    if change || actor.superuser() {
        require_superuser(actor)?;
        return Ok(super::organization(app, org).await?.id);
    }
    Ok(administered(app, actor, org).await?.id)
}

async fn view(app: &App, namespace_id: i32, quota_id: Option<i32>) -> Result<Option<QuotaView>> {
    let Some((id, limit_bytes)) = quota::quota_row(&app.db.read, namespace_id).await? else {
        return Ok(None);
    };
    if quota_id.is_some_and(|q| q != id) {
        return Ok(None);
    }
    let limits = quota::quota_limits(&app.db.read, id).await?;
    Ok(Some(QuotaView { id, limit_bytes, limits }))
}

/// A size in binary units as Quay shows limits (`10.0 GiB`).
pub fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} bytes") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// What Quay's namespace views report of a namespace's storage (`quota_report` and `quotas`),
/// shown with `FEATURE_QUOTA_MANAGEMENT` to whoever may see the view itself.
pub struct Report {
    /// The namespace's recorded size; `None` until one is recorded (Quay's backfill "waiting").
    pub recorded: Option<(i64, bool)>,
    pub quota: Option<QuotaView>,
}

impl Report {
    pub fn used_bytes(&self) -> i64 {
        self.recorded.map_or(0, |(bytes, _)| bytes)
    }

    /// Quay's backfill state: `complete` once the size is recorded, else `waiting`.
    pub fn backfill(&self) -> &'static str {
        if self.recorded.is_some_and(|(_, complete)| complete) { "complete" } else { "waiting" }
    }
}

/// The storage report of a namespace, `None` without `FEATURE_QUOTA_MANAGEMENT`. The caller has
/// checked that the actor may see the namespace's view.
pub async fn report(app: &App, namespace_id: i32) -> Result<Option<Report>> {
    if !app.config.feature_quota_management {
        return Ok(None);
    }
    let recorded = quota::recorded_namespace_size(&app.db.read, namespace_id).await?;
    Ok(Some(Report { recorded, quota: view(app, namespace_id, None).await? }))
}

/// The recorded sizes of repositories (`quota_report` of repository lists) with their
/// namespaces' configured quotas, `None` without `FEATURE_QUOTA_MANAGEMENT`.
pub async fn repository_sizes(
    app: &App,
    repos: &[(i32, i32)],
) -> Result<Option<std::collections::HashMap<i32, (i64, Option<i64>)>>> {
    if !app.config.feature_quota_management {
        return Ok(None);
    }
    let ids: Vec<i32> = repos.iter().map(|(id, _)| *id).collect();
    let sizes = quota::recorded_repository_sizes(&app.db.read, &ids).await?;
    let mut limits = std::collections::HashMap::new();
    let mut out = std::collections::HashMap::new();
    for (repo, ns) in repos {
        if !limits.contains_key(ns) {
            limits.insert(*ns, quota::quota_row(&app.db.read, *ns).await?.map(|(_, bytes)| bytes));
        }
        out.insert(*repo, (sizes.get(repo).copied().unwrap_or(0), limits[ns]));
    }
    Ok(Some(out))
}

fn not_found(id: i32) -> AccountError {
    AccountError::NotFound(format!("quota {id}"))
}

/// The organization's quota, if it has one.
pub async fn of_organization(app: &App, actor: &Actor, org: &str) -> Result<Option<QuotaView>> {
    let ns = organization(app, actor, org, false).await?;
    view(app, ns, None).await
}

pub async fn get(app: &App, actor: &Actor, org: &str, id: i32) -> Result<QuotaView> {
    let ns = organization(app, actor, org, false).await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))
}

fn positive(limit_bytes: i64) -> Result<()> {
    if limit_bytes <= 0 {
        return Err(AccountError::Invalid("limit_bytes must be above 0".into()));
    }
    Ok(())
}

/// Gives an organization a quota; logged as `org_create_quota`.
pub async fn create(app: &App, actor: &Actor, org: &str, limit_bytes: i64) -> Result<()> {
    let ns = organization(app, actor, org, true).await?;
    positive(limit_bytes)?;
    if quota::quota_row(&app.db.read, ns).await?.is_some() {
        return Err(AccountError::Invalid("Organization quota for this organization already exists".into()));
    }
    let tx = app.db.begin().await?;
    quota::set_namespace_quota(&tx, ns, limit_bytes, None, None).await?;
    let metadata = json!({"namespace": org, "limit_bytes": limit_bytes, "limit": human_bytes(limit_bytes)});
    super::log(&tx, actor, "org_create_quota", ns, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a quota's limit; logged as `org_change_quota`.
pub async fn set_limit(app: &App, actor: &Actor, org: &str, id: i32, limit_bytes: i64) -> Result<QuotaView> {
    let ns = organization(app, actor, org, true).await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))?;
    positive(limit_bytes)?;
    let tx = app.db.begin().await?;
    quota::set_limit_bytes(&tx, id, limit_bytes).await?;
    super::log(&tx, actor, "org_change_quota", ns, None, &json!({"namespace": org, "limit_bytes": limit_bytes}))
        .await?;
    tx.commit().await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))
}

/// Removes a quota; logged as `org_delete_quota`.
pub async fn delete(app: &App, actor: &Actor, org: &str, id: i32) -> Result<()> {
    let ns = organization(app, actor, org, true).await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))?;
    let tx = app.db.begin().await?;
    quota::remove_namespace_quota(&tx, ns).await?;
    super::log(&tx, actor, "org_delete_quota", ns, None, &json!({"namespace": org})).await?;
    tx.commit().await?;
    Ok(())
}

fn check_threshold(kind: &str, percent: i32) -> Result<()> {
    if !matches!(kind, "Warning" | "Reject") {
        return Err(AccountError::Invalid("type must be Warning or Reject".into()));
    }
    if !(1..=100).contains(&percent) {
        return Err(AccountError::Invalid("threshold_percent must be between 1 and 100".into()));
    }
    Ok(())
}

/// Adds a Warning or Reject threshold; logged as `org_create_quota_limit`.
pub async fn add_threshold(app: &App, actor: &Actor, org: &str, id: i32, kind: &str, percent: i32) -> Result<()> {
    let ns = organization(app, actor, org, true).await?;
    let current = view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))?;
    check_threshold(kind, percent)?;
    if current.limits.iter().any(|l| l.kind == kind && l.percent == percent) {
        return Err(AccountError::Invalid("An identical threshold exists already".into()));
    }
    let tx = app.db.begin().await?;
    quota::add_limit(&tx, id, kind, percent).await?;
    let metadata = json!({"namespace": org, "type": kind, "threshold_percent": percent});
    super::log(&tx, actor, "org_create_quota_limit", ns, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a threshold; logged as `org_change_quota_limit`.
#[allow(clippy::too_many_arguments)]
pub async fn set_threshold(
    app: &App,
    actor: &Actor,
    org: &str,
    id: i32,
    limit_id: i32,
    kind: &str,
    percent: i32,
) -> Result<QuotaView> {
    let ns = organization(app, actor, org, true).await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))?;
    check_threshold(kind, percent)?;
    let tx = app.db.begin().await?;
    if !quota::update_limit(&tx, id, limit_id, kind, percent).await? {
        return Err(AccountError::NotFound(format!("threshold {limit_id}")));
    }
    let metadata = json!({"namespace": org, "type": kind, "threshold_percent": percent});
    super::log(&tx, actor, "org_change_quota_limit", ns, None, &metadata).await?;
    tx.commit().await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))
}

/// Removes a threshold; logged as `org_delete_quota_limit`.
pub async fn delete_threshold(app: &App, actor: &Actor, org: &str, id: i32, limit_id: i32) -> Result<()> {
    let ns = organization(app, actor, org, true).await?;
    view(app, ns, Some(id)).await?.ok_or_else(|| not_found(id))?;
    let tx = app.db.begin().await?;
    if !quota::delete_limit(&tx, id, limit_id).await? {
        return Err(AccountError::NotFound(format!("threshold {limit_id}")));
    }
    super::log(&tx, actor, "org_delete_quota_limit", ns, None, &json!({"namespace": org, "limit_id": limit_id}))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What `quay admin quota show` reports of any namespace.
pub struct Usage {
    pub quota: Option<Quota>,
    pub used_bytes: i64,
}

/// A namespace's quota and how much it holds (superusers and the system).
pub async fn usage(app: &App, actor: &Actor, namespace: &str) -> Result<Usage> {
    require_superuser(actor)?;
    let ns = namespace_of(app, namespace).await?;
    Ok(Usage {
        quota: quota::namespace_quota(&app.db.read, ns).await?,
        used_bytes: quota::namespace_size(&app.db.read, ns).await?,
    })
}

async fn namespace_of(app: &App, name: &str) -> Result<i32> {
    let a = super::account(app, name).await?;
    if a.robot {
        return Err(AccountError::Invalid(format!("`{name}` is a robot")));
    }
    Ok(a.id)
}

/// Sets any namespace's quota with its Reject and Warning percentages (superusers and the system;
/// replaces what it had); logged as `org_create_quota` or `org_change_quota`.
pub async fn set(
    app: &App,
    actor: &Actor,
    namespace: &str,
    limit_bytes: i64,
    reject: i32,
    warning: Option<i32>,
) -> Result<()> {
    require_superuser(actor)?;
    positive(limit_bytes)?;
    for percent in std::iter::once(reject).chain(warning) {
        if !(1..=100).contains(&percent) {
            return Err(AccountError::Invalid("thresholds are percentages from 1 to 100".into()));
        }
    }
    let ns = namespace_of(app, namespace).await?;
    let existed = quota::quota_row(&app.db.read, ns).await?.is_some();
    let tx = app.db.begin().await?;
    quota::set_namespace_quota(&tx, ns, limit_bytes, Some(reject), warning).await?;
    let kind = if existed { "org_change_quota" } else { "org_create_quota" };
    let metadata = json!({"namespace": namespace, "limit_bytes": limit_bytes, "limit": human_bytes(limit_bytes)});
    super::log(&tx, actor, kind, ns, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes any namespace's quota (superusers and the system); logged as `org_delete_quota`.
pub async fn remove(app: &App, actor: &Actor, namespace: &str) -> Result<()> {
    require_superuser(actor)?;
    let ns = namespace_of(app, namespace).await?;
    let tx = app.db.begin().await?;
    quota::remove_namespace_quota(&tx, ns).await?;
    super::log(&tx, actor, "org_delete_quota", ns, None, &json!({"namespace": namespace})).await?;
    tx.commit().await?;
    Ok(())
}
