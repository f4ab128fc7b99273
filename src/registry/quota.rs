//! Quota enforcement (`FEATURE_QUOTA_MANAGEMENT`): a push into a namespace at its Reject
//! threshold is refused before any byte is stored, with Quay's error; crossing the Warning
//! threshold is logged. Sizes are recomputed after pushes and collections for Quay's size tables.

use super::{RegistryError, Result};
use crate::app::App;
use crate::db::quota;
use crate::db::repository::RepoRow;

/// Quay's answer to a push over quota (403 DENIED).
pub const QUOTA_EXCEEDED: &str = "Quota has been exceeded on namespace";

/// How many more bytes the namespace may take before its Reject threshold (or
/// `DEFAULT_SYSTEM_REJECT_QUOTA_BYTES` when it has no quota); `None`: no limit. Refuses at once a
/// write of `incoming` declared bytes (0 when unknown) that would go past it; uploads also stop
/// when what they stream goes past the allowance, declared or not.
pub async fn allowance(app: &App, repo: &RepoRow, incoming: u64) -> Result<Option<u64>> {
    let Some((reject, warning)) = thresholds(app, repo).await? else { return Ok(None) };
    let used = quota::namespace_size(&app.db.read, repo.namespace_id).await?;
    let after = used.saturating_add(incoming.min(i64::MAX as u64) as i64);
    if let Some(reject) = reject
        && (used >= reject || after > reject)
    {
        return Err(exceeded());
    }
    if let Some(warning) = warning
        && after >= warning
    {
        tracing::warn!(namespace = repo.namespace_id, used, warning, "namespace is over its quota warning threshold");
    }
    Ok(reject.map(|reject| reject.saturating_sub(used).max(0) as u64))
}

/// The namespace's Reject and Warning thresholds in bytes; `None` when neither applies.
async fn thresholds(app: &App, repo: &RepoRow) -> Result<Option<(Option<i64>, Option<i64>)>> {
    if !app.config.feature_quota_management {
        return Ok(None);
    }
    let (reject, warning) = match quota::namespace_quota(&app.db.read, repo.namespace_id).await? {
        Some(q) => (q.reject_bytes, q.warning_bytes),
        None if app.config.default_system_reject_quota_bytes > 0 => {
            (Some(app.config.default_system_reject_quota_bytes as i64), None)
        }
        None => return Ok(None),
    };
    Ok((reject.is_some() || warning.is_some()).then_some((reject, warning)))
}

/// Whether `incoming` more bytes fit under the namespace's Reject threshold (no refusal counted).
pub async fn fits(app: &App, repo: &RepoRow, incoming: u64) -> Result<bool> {
    let Some((Some(reject), _)) = thresholds(app, repo).await? else { return Ok(true) };
    let used = quota::namespace_size(&app.db.read, repo.namespace_id).await?;
    Ok(used < reject && used.saturating_add(incoming.min(i64::MAX as u64) as i64) <= reject)
}

/// The error of a write that went past the quota.
pub fn exceeded() -> RegistryError {
    metrics::counter!("quay_quota_rejections_total").increment(1);
    RegistryError::Denied(QUOTA_EXCEEDED.into())
}

/// Records the namespace's and repository's sizes after a change (errors are logged, not fatal:
/// the sizes are recomputed on the next change).
pub async fn record(app: &App, namespace_id: i32, repo_id: Option<i32>) {
    if !app.config.feature_quota_management {
        return;
    }
    if let Err(e) = quota::record_sizes(&app.db.write, namespace_id, repo_id).await {
        tracing::warn!(error = %e, "cannot record quota sizes");
    }
}
