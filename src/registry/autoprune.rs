//! Autoprune (`FEATURE_AUTO_PRUNE`): namespace and repository policies, applied as Quay applies
//! them: to the normal repositories of each namespace with policies, creation-date policies first,
//! then number-of-tags ones, over alive, visible, mutable tags, optionally filtered by a tag
//! pattern. A pruned tag is deleted like any other (it enters the time machine) and logged as
//! `autoprune_tag_delete`.

use std::collections::BTreeMap;

use regex::Regex;

use crate::app::App;
use crate::db::autoprune::{self, Method, Policy};

/// Whether a policy's pattern is a valid regular expression (checked when it is created).
pub fn validate_pattern(pattern: &str) -> Result<(), String> {
    Regex::new(pattern).map(|_| ()).map_err(|e| format!("invalid tag pattern: {e}"))
}

/// Why a policy was not stored.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for PolicyError {
    fn from(e: sea_orm::DbErr) -> Self {
        PolicyError::Internal(e.into())
    }
}

/// The method of a policy from Quay's fields: `number_of_tags` with a count above 0, or
/// `creation_date` with an age such as `7d`.
pub fn parse_method(method: &str, value: &serde_json::Value) -> Result<Method, PolicyError> {
    let invalid = |m: &str| PolicyError::Invalid(m.to_owned());
    match method {
        "number_of_tags" => {
            let n = match value {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => s.parse().ok(),
                _ => None,
            };
            n.filter(|n| *n > 0)
                .map(Method::NumberOfTags)
                .ok_or_else(|| invalid("value must be a number of tags above 0"))
        }
        "creation_date" => {
            let text = value.as_str().ok_or_else(|| invalid("value must be an age such as 7d"))?;
            crate::config::parse_duration(text).map_err(|_| invalid("value must be an age such as 7d"))?;
            Ok(Method::CreationDate(text.to_owned()))
        }
        _ => Err(invalid("method must be number_of_tags or creation_date")),
    }
}

/// Stores a new policy for a namespace (or one of its repositories) unless an identical one
/// exists, as Quay refuses duplicates.
pub async fn add_policy(
    db: &crate::db::Db,
    namespace_id: i32,
    repository_id: Option<i32>,
    method: Method,
    tag_pattern: Option<String>,
    tag_pattern_matches: bool,
) -> Result<Policy, PolicyError> {
    if let Some(p) = &tag_pattern {
        validate_pattern(p).map_err(PolicyError::Invalid)?;
    }
    let policy = Policy {
        uuid: uuid::Uuid::new_v4().to_string(),
        namespace_id,
        repository_id,
        method,
        tag_pattern,
        tag_pattern_matches,
    };
    let existing = autoprune::policies(&db.read, Some(namespace_id)).await?;
    if existing.iter().any(|p| same_rule(p, &policy)) {
        return Err(PolicyError::Invalid("an identical policy exists already".into()));
    }
    let tx = db.begin().await?;
    autoprune::insert_policy(&tx, &policy).await?;
    tx.commit().await?;
    Ok(policy)
}

fn same_rule(a: &Policy, b: &Policy) -> bool {
    a.repository_id == b.repository_id
        && a.method == b.method
        && a.tag_pattern == b.tag_pattern
        && a.tag_pattern_matches == b.tag_pattern_matches
}

/// Replaces a policy's rule, keeping its uuid; false when there is no such policy.
pub async fn update_policy(db: &crate::db::Db, updated: &Policy) -> Result<bool, PolicyError> {
    if let Some(p) = &updated.tag_pattern {
        validate_pattern(p).map_err(PolicyError::Invalid)?;
    }
    let existing = autoprune::policies(&db.read, Some(updated.namespace_id)).await?;
    if existing.iter().any(|p| p.uuid != updated.uuid && same_rule(p, updated)) {
        return Err(PolicyError::Invalid("an identical policy exists already".into()));
    }
    let tx = db.begin().await?;
    let found = autoprune::update_policy(&tx, updated).await?;
    tx.commit().await?;
    Ok(found)
}

/// One pass over every namespace with policies; returns a summary line.
pub async fn run(app: &App) -> anyhow::Result<(String, bool)> {
    let mut by_namespace: BTreeMap<i32, Vec<Policy>> = BTreeMap::new();
    for p in autoprune::policies(&app.db.read, None).await? {
        by_namespace.entry(p.namespace_id).or_default().push(p);
    }
    let mut pruned = 0;
    for (namespace_id, policies) in &by_namespace {
        let status = match prune_namespace(app, *namespace_id, policies).await {
            Ok(n) => {
                pruned += n;
                "success".to_owned()
            }
            Err(e) => {
                tracing::warn!(namespace = namespace_id, error = format!("{e:#}"), "autoprune failed");
                format!("failure: {e}")
            }
        };
        autoprune::record_run(&app.db.write, *namespace_id, &status).await?;
    }
    Ok((format!("{pruned} tags pruned in {} namespaces with policies", by_namespace.len()), pruned > 0))
}

async fn prune_namespace(app: &App, namespace_id: i32, policies: &[Policy]) -> anyhow::Result<u64> {
    let namespace =
        crate::db::user::find_user_by_id(&app.db.read, namespace_id).await?.map(|u| u.username).unwrap_or_default();
    let mut pruned = 0;
    for (repo_id, repo_name) in autoprune::normal_repositories(&app.db.read, namespace_id).await? {
        let mut applicable: Vec<&Policy> =
            policies.iter().filter(|p| p.repository_id.is_none_or(|r| r == repo_id)).collect();
        if applicable.is_empty() {
            continue;
        }
        applicable.sort_by_key(|p| matches!(p.method, Method::NumberOfTags(_)));
        for policy in applicable {
            let pattern = match policy.tag_pattern.as_deref().map(Regex::new).transpose() {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(policy = %policy.uuid, error = %e, "autoprune policy with an invalid pattern skipped");
                    continue;
                }
            };
            let now = crate::util::now_ms();
            let tags = autoprune::prunable_tags(&app.db.read, repo_id, now).await?;
            let selected = tags.into_iter().filter(|(_, name, _)| match &pattern {
                // Python's re.search: the pattern may match anywhere in the name.
                Some(re) => re.is_match(name) == policy.tag_pattern_matches,
                None => true,
            });
            let victims: Vec<(i32, String)> = match &policy.method {
                Method::NumberOfTags(keep) => {
                    selected.skip((*keep).max(0) as usize).map(|(id, name, _)| (id, name)).collect()
                }
                Method::CreationDate(age) => {
                    let age_ms = crate::config::parse_duration(age)?.as_millis() as i64;
                    selected.filter(|(_, _, start)| now - start > age_ms).map(|(id, name, _)| (id, name)).collect()
                }
            };
            for (tag_id, tag) in victims {
                let tx = app.db.begin().await?;
                let ended = crate::db::tag::end_tag_if_alive(&tx, repo_id, tag_id).await?;
                tx.commit().await?;
                if ended {
                    pruned += 1;
                    app.audit.record(crate::audit::Entry {
                        kind: "autoprune_tag_delete",
                        account_id: namespace_id,
                        performer: crate::audit::Performer::Nobody,
                        repository_id: Some(repo_id),
                        ip: None,
                        metadata: serde_json::json!({"namespace": namespace, "repo": repo_name, "tag": tag}),
                    });
                }
            }
        }
    }
    Ok(pruned)
}
