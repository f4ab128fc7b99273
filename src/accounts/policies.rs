//! Autoprune policies of namespaces and repositories (Quay's `namespaceautoprunepolicy` and
//! `repositoryautoprunepolicy`), administered by the namespace's or repository's admins and the
//! system; applied by the autoprune job (`registry::autoprune`).

use serde_json::{Value, json};

use super::{AccountError, Owner, Result, managed_namespace};
use crate::app::App;
use crate::auth::{Actor, Denied, Role, Scope};
use crate::db::autoprune as policies_db;
use crate::registry::autoprune::{PolicyError, parse_method};

pub use crate::db::autoprune::{Method, Policy};

/// Whose policies: a namespace, or a repository (`namespace/name`).
#[derive(Debug, Clone, Copy)]
pub enum PolicyOwner<'a> {
    Namespace(Owner<'a>),
    Repository(&'a str),
}

/// The namespace and repository ids of `owner`, once the actor may manage its policies.
async fn resolve(app: &App, actor: &Actor, owner: PolicyOwner<'_>) -> Result<(i32, Option<i32>)> {
    match owner {
        PolicyOwner::Namespace(owner) => Ok((managed_namespace(app, actor, owner).await?.id, None)),
        PolicyOwner::Repository(path) => {
            let target = crate::registry::access::resolve(app, actor, path).await?;
            target.require(actor, Role::Admin)?;
            if !actor.has(Scope::RepoAdmin) {
                return Err(Denied::Forbidden.into());
            }
            Ok((target.repo.namespace_id, Some(target.repo.id)))
        }
    }
}

impl From<PolicyError> for AccountError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Invalid(m) => AccountError::Invalid(m),
            PolicyError::Internal(e) => AccountError::Internal(e),
        }
    }
}

/// The policies of `owner` (a namespace's own, not its repositories').
pub async fn list(app: &App, actor: &Actor, owner: PolicyOwner<'_>) -> Result<Vec<Policy>> {
    let (namespace_id, repository_id) = resolve(app, actor, owner).await?;
    let all = policies_db::policies(&app.db.read, Some(namespace_id)).await?;
    Ok(all.into_iter().filter(|p| p.repository_id == repository_id).collect())
}

/// Every policy (of one namespace), for the system.
pub async fn all(app: &App, actor: &Actor, namespace: Option<&str>) -> Result<Vec<Policy>> {
    super::require_superuser(actor)?;
    let id = match namespace {
        Some(name) => Some(super::account(app, name).await?.id),
        None => None,
    };
    Ok(policies_db::policies(&app.db.read, id).await?)
}

pub async fn get(app: &App, actor: &Actor, owner: PolicyOwner<'_>, uuid: &str) -> Result<Policy> {
    list(app, actor, owner)
        .await?
        .into_iter()
        .find(|p| p.uuid == uuid)
        .ok_or_else(|| AccountError::NotFound(format!("autoprune policy `{uuid}`")))
}

/// What a policy does, as Quay's API and logs spell it.
pub struct Rule<'a> {
    pub method: &'a str,
    pub value: &'a Value,
    pub tag_pattern: Option<&'a str>,
    pub tag_pattern_matches: bool,
}

fn log_kind(repository_id: Option<i32>, action: &str) -> String {
    let of = if repository_id.is_some() { "repository" } else { "namespace" };
    format!("{action}_{of}_autoprune_policy")
}

/// Adds a policy, unless an identical one exists; logged as `create_*_autoprune_policy`.
pub async fn create(app: &App, actor: &Actor, owner: PolicyOwner<'_>, rule: &Rule<'_>) -> Result<Policy> {
    let (namespace_id, repository_id) = resolve(app, actor, owner).await?;
    let method = parse_method(rule.method, rule.value)?;
    let pattern = rule.tag_pattern.filter(|p| !p.is_empty()).map(str::to_owned);
    let policy = crate::registry::autoprune::add_policy(
        &app.db,
        namespace_id,
        repository_id,
        method,
        pattern,
        rule.tag_pattern_matches,
    )
    .await?;
    let tx = app.db.begin().await?;
    // Quay's keys: the rule as given, and where it applies.
    let mut metadata = json!({
        "method": rule.method, "value": rule.value,
        "tag_pattern": rule.tag_pattern, "tag_pattern_matches": rule.tag_pattern_matches,
    });
    match owner {
        PolicyOwner::Namespace(Owner::Organization(name) | Owner::Named(name)) => metadata["namespace"] = name.into(),
        PolicyOwner::Namespace(Owner::Me) => {
            metadata["namespace"] = actor.signed_in_user().map(|u| u.username.as_str()).into();
        }
        PolicyOwner::Repository(path) => {
            let (namespace, repo) = path.split_once('/').unwrap_or(("", path));
            metadata["namespace"] = namespace.into();
            metadata["repo"] = repo.into();
        }
    }
    super::log(&tx, actor, &log_kind(repository_id, "create"), namespace_id, repository_id, &metadata).await?;
    tx.commit().await?;
    Ok(policy)
}

/// Replaces a policy's rule; logged as `update_*_autoprune_policy`.
pub async fn update(app: &App, actor: &Actor, owner: PolicyOwner<'_>, uuid: &str, rule: &Rule<'_>) -> Result<()> {
    let mut policy = get(app, actor, owner, uuid).await?;
    policy.method = parse_method(rule.method, rule.value)?;
    policy.tag_pattern = rule.tag_pattern.filter(|p| !p.is_empty()).map(str::to_owned);
    policy.tag_pattern_matches = rule.tag_pattern_matches;
    if !crate::registry::autoprune::update_policy(&app.db, &policy).await? {
        return Err(AccountError::NotFound(format!("autoprune policy `{uuid}`")));
    }
    let tx = app.db.begin().await?;
    let metadata = json!({"policy_uuid": uuid, "method": rule.method, "value": rule.value});
    let kind = log_kind(policy.repository_id, "update");
    super::log(&tx, actor, &kind, policy.namespace_id, policy.repository_id, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a policy; logged as `delete_*_autoprune_policy`.
pub async fn delete(app: &App, actor: &Actor, owner: PolicyOwner<'_>, uuid: &str) -> Result<()> {
    let policy = get(app, actor, owner, uuid).await?;
    let tx = app.db.begin().await?;
    policies_db::delete_policy(&tx, uuid).await?;
    let kind = log_kind(policy.repository_id, "delete");
    super::log(&tx, actor, &kind, policy.namespace_id, policy.repository_id, &json!({"policy_uuid": uuid})).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a policy by its uuid alone (the system).
pub async fn delete_any(app: &App, actor: &Actor, uuid: &str) -> Result<()> {
    super::require_superuser(actor)?;
    let policy = policies_db::policies(&app.db.read, None)
        .await?
        .into_iter()
        .find(|p| p.uuid == uuid)
        .ok_or_else(|| AccountError::NotFound(format!("autoprune policy `{uuid}`")))?;
    let tx = app.db.begin().await?;
    policies_db::delete_policy(&tx, uuid).await?;
    let kind = log_kind(policy.repository_id, "delete");
    super::log(&tx, actor, &kind, policy.namespace_id, policy.repository_id, &json!({"policy_uuid": uuid})).await?;
    tx.commit().await?;
    Ok(())
}
