//! Autoprune policies of organizations, users and repositories, and organization quotas with
//! their Warning and Reject thresholds.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, enumeration, integer, object, string};
use super::repository::target;
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::app::{App, AppState};
use crate::auth::Role;
use crate::db::autoprune::{self, Method, Policy};
use crate::db::quota;
use crate::registry::autoprune::PolicyError;

pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    // (prefix, scope, handlers: list, create, get, update, delete)
    type Handlers = [fn() -> MethodRouter<AppState>; 5];
    let owners: [(&str, Scope, &str, Handlers); 3] = [
        (
            "/organization/{orgname}/autoprunepolicy/",
            Scope::OrgAdmin,
            "Org",
            [|| get(org_list), || post(org_create), || get(org_get), || put(org_update), || delete(org_delete)],
        ),
        (
            "/user/autoprunepolicy/",
            Scope::UserAdmin,
            "User",
            [|| get(user_list), || post(user_create), || get(user_get), || put(user_update), || delete(user_delete)],
        ),
        (
            "/repository/{repository}/autoprunepolicy/",
            Scope::RepoAdmin,
            "Repository",
            [|| get(repo_list), || post(repo_create), || get(repo_get), || put(repo_update), || delete(repo_delete)],
        ),
    ];
    for (prefix, scope, kind, handlers) in owners {
        // Built once (`super::endpoints` is a static), so leaking the joined names is bounded.
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let one = leak(format!("{prefix}{{policy_uuid}}"));
        type Spec = (&'static str, &'static str, String, &'static str, bool, &'static [(u16, Option<super::Schema>)]);
        let specs: [Spec; 5] = [
            (
                "GET",
                prefix,
                format!("list{kind}AutoPrunePolicies"),
                "The autoprune policies",
                false,
                &[(200, Some(policies_schema))],
            ),
            (
                "POST",
                prefix,
                format!("create{kind}AutoPrunePolicy"),
                "Adds an autoprune policy",
                true,
                &[(201, Some(uuid_schema))],
            ),
            (
                "GET",
                one,
                format!("get{kind}AutoPrunePolicy"),
                "One autoprune policy",
                false,
                &[(200, Some(policy_schema))],
            ),
            (
                "PUT",
                one,
                format!("update{kind}AutoPrunePolicy"),
                "Replaces an autoprune policy's rule",
                true,
                &[(204, None)],
            ),
            (
                "DELETE",
                one,
                format!("delete{kind}AutoPrunePolicy"),
                "Deletes an autoprune policy",
                false,
                &[(200, Some(uuid_schema))],
            ),
        ];
        for ((method, path, id, summary, body, responses), handler) in specs.into_iter().zip(handlers) {
            all.push(Endpoint {
                method,
                path,
                operation_id: leak(id),
                summary,
                scope: Some(scope),
                query: &[],
                body: if body { Some(policy_body_schema) } else { None },
                responses,
                handler,
            });
        }
    }
    let quota = "/organization/{orgname}/quota";
    let quota_one = "/organization/{orgname}/quota/{quota_id}";
    let limits = "/organization/{orgname}/quota/{quota_id}/limit";
    let limit_one = "/organization/{orgname}/quota/{quota_id}/limit/{limit_id}";
    let q = |method, path, operation_id, summary, body: Option<super::Schema>, responses, handler| Endpoint {
        method,
        path,
        operation_id,
        summary,
        scope: Some(Scope::OrgAdmin),
        query: &[],
        body,
        responses,
        handler,
    };
    all.extend([
        q(
            "GET",
            quota,
            "listOrganizationQuota",
            "The organization's quota (a list of at most one)",
            None,
            &[(200, Some(|| array(quota_schema())))],
            || get(quota_list),
        ),
        q(
            "POST",
            quota,
            "createOrganizationQuota",
            "Sets the organization's quota (superusers)",
            Some(quota_body_schema),
            &[(201, Some(string))],
            || post(quota_create),
        ),
        q("GET", quota_one, "getOrganizationQuota", "The quota", None, &[(200, Some(quota_schema))], || get(quota_get)),
        q(
            "PUT",
            quota_one,
            "changeOrganizationQuota",
            "Changes the limit (superusers)",
            Some(quota_body_schema),
            &[(200, Some(quota_schema))],
            || put(quota_update),
        ),
        q(
            "DELETE",
            quota_one,
            "deleteOrganizationQuota",
            "Removes the quota (superusers)",
            None,
            &[(204, None)],
            || delete(quota_delete),
        ),
        q(
            "GET",
            limits,
            "listOrganizationQuotaLimit",
            "The quota's thresholds",
            None,
            &[(200, Some(|| array(limit_schema())))],
            || get(limit_list),
        ),
        q(
            "POST",
            limits,
            "createOrganizationQuotaLimit",
            "Adds a threshold (superusers)",
            Some(limit_body_schema),
            &[(201, Some(string))],
            || post(limit_create),
        ),
        q(
            "PUT",
            limit_one,
            "changeOrganizationQuotaLimit",
            "Changes a threshold (superusers)",
            Some(limit_body_schema),
            &[(200, Some(quota_schema))],
            || put(limit_update),
        ),
        q(
            "DELETE",
            limit_one,
            "deleteOrganizationQuotaLimit",
            "Removes a threshold (superusers)",
            None,
            &[(204, None)],
            || delete(limit_delete),
        ),
    ]);
    all
}

fn policy_schema() -> Value {
    object(
        &[
            ("uuid", string()),
            ("method", enumeration(&["number_of_tags", "creation_date"])),
            ("value", json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})),
            ("tagPattern", json!({"type": "string", "nullable": true})),
            ("tagPatternMatches", boolean()),
        ],
        &["uuid", "method", "value"],
    )
}

fn policies_schema() -> Value {
    object(&[("policies", array(policy_schema()))], &["policies"])
}

fn policy_body_schema() -> Value {
    object(
        &[
            ("method", enumeration(&["number_of_tags", "creation_date"])),
            ("value", json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})),
            ("tagPattern", string()),
            ("tagPatternMatches", boolean()),
        ],
        &["method", "value"],
    )
}

fn uuid_schema() -> Value {
    object(&[("uuid", string())], &["uuid"])
}

fn limit_schema() -> Value {
    object(
        &[("id", integer()), ("type", enumeration(&["Warning", "Reject"])), ("limit_percent", integer())],
        &["id", "type", "limit_percent"],
    )
}

fn quota_schema() -> Value {
    object(
        &[
            ("id", integer()),
            ("limit_bytes", integer()),
            ("limit", string()),
            ("default_config", boolean()),
            ("limits", array(limit_schema())),
            ("default_config_exists", boolean()),
        ],
        &["id", "limit_bytes", "limits"],
    )
}

fn quota_body_schema() -> Value {
    object(&[("limit_bytes", integer())], &["limit_bytes"])
}

fn limit_body_schema() -> Value {
    object(
        &[("type", enumeration(&["Warning", "Reject"])), ("threshold_percent", integer())],
        &["type", "threshold_percent"],
    )
}

// ---------------------------------------------------------------------------------------------
// Autoprune

/// Whose policies: a namespace, and a repository of it when the path names one.
struct Owner {
    namespace_id: i32,
    repository_id: Option<i32>,
}

async fn org_owner(app: &App, caller: &Caller, org: &str) -> Result<Owner, ApiError> {
    let org = super::organization::administered(app, caller, org).await?;
    Ok(Owner { namespace_id: org.id, repository_id: None })
}

fn user_owner(caller: &Caller) -> Result<Owner, ApiError> {
    let user = caller.require(Scope::UserAdmin)?;
    if user.robot {
        return Err(ApiError::forbidden());
    }
    Ok(Owner { namespace_id: user.id, repository_id: None })
}

async fn repo_owner(app: &App, caller: &Caller, ns: &str, repo: &str) -> Result<Owner, ApiError> {
    let t = target(app, caller, ns, repo).await?;
    t.require(caller, Role::Admin)?;
    if !caller.has(Scope::RepoAdmin) {
        return Err(ApiError::forbidden());
    }
    Ok(Owner { namespace_id: t.repo.namespace_id, repository_id: Some(t.repo.id) })
}

fn policy_json(p: &Policy) -> Value {
    let (method, value) = match &p.method {
        Method::NumberOfTags(n) => ("number_of_tags", json!(n)),
        Method::CreationDate(d) => ("creation_date", json!(d)),
    };
    json!({"uuid": p.uuid, "method": method, "value": value, "tagPattern": p.tag_pattern, "tagPatternMatches": p.tag_pattern_matches})
}

async fn owned(app: &App, owner: &Owner) -> Result<Vec<Policy>, ApiError> {
    let all = autoprune::policies(&app.db.read, Some(owner.namespace_id)).await?;
    Ok(all.into_iter().filter(|p| p.repository_id == owner.repository_id).collect())
}

async fn find(app: &App, owner: &Owner, uuid: &str) -> Result<Policy, ApiError> {
    owned(app, owner).await?.into_iter().find(|p| p.uuid == uuid).ok_or_else(ApiError::not_found)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyRequest {
    method: String,
    value: Value,
    tag_pattern: Option<String>,
    tag_pattern_matches: Option<bool>,
}

impl From<PolicyError> for ApiError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Invalid(m) => ApiError::bad_request(&m),
            PolicyError::Internal(e) => e.into(),
        }
    }
}

fn log_kind(owner: &Owner, action: &str) -> String {
    let of = if owner.repository_id.is_some() { "repository" } else { "namespace" };
    format!("{action}_{of}_autoprune_policy")
}

async fn log(app: &App, caller: &Caller, owner: &Owner, action: &str, metadata: Value) -> Result<(), ApiError> {
    let tx = app.db.begin().await?;
    let kind = log_kind(owner, action);
    let performer = caller.user().map(|u| u.id);
    crate::db::queries::insert_log(&tx, &kind, owner.namespace_id, performer, owner.repository_id, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

async fn list(app: &App, owner: Owner) -> ApiResult {
    let policies: Vec<Value> = owned(app, &owner).await?.iter().map(policy_json).collect();
    json_response(StatusCode::OK, json!({"policies": policies}))
}

async fn create(app: &App, caller: &Caller, owner: Owner, req: PolicyRequest) -> ApiResult {
    let method = crate::registry::autoprune::parse_method(&req.method, &req.value)?;
    let pattern = req.tag_pattern.filter(|p| !p.is_empty());
    let policy = crate::registry::autoprune::add_policy(
        &app.db,
        owner.namespace_id,
        owner.repository_id,
        method,
        pattern,
        req.tag_pattern_matches.unwrap_or(true),
    )
    .await?;
    log(app, caller, &owner, "create", json!({"policy_uuid": policy.uuid, "method": req.method, "value": req.value}))
        .await?;
    json_response(StatusCode::CREATED, json!({"uuid": policy.uuid}))
}

async fn show(app: &App, owner: Owner, uuid: &str) -> ApiResult {
    json_response(StatusCode::OK, policy_json(&find(app, &owner, uuid).await?))
}

async fn update(app: &App, caller: &Caller, owner: Owner, uuid: &str, req: PolicyRequest) -> ApiResult {
    let mut policy = find(app, &owner, uuid).await?;
    policy.method = crate::registry::autoprune::parse_method(&req.method, &req.value)?;
    policy.tag_pattern = req.tag_pattern.filter(|p| !p.is_empty());
    policy.tag_pattern_matches = req.tag_pattern_matches.unwrap_or(true);
    if !crate::registry::autoprune::update_policy(&app.db, &policy).await? {
        return Err(ApiError::not_found());
    }
    log(app, caller, &owner, "update", json!({"policy_uuid": uuid, "method": req.method, "value": req.value})).await?;
    no_content()
}

async fn remove(app: &App, caller: &Caller, owner: Owner, uuid: &str) -> ApiResult {
    find(app, &owner, uuid).await?;
    let tx = app.db.begin().await?;
    autoprune::delete_policy(&tx, uuid).await?;
    tx.commit().await?;
    log(app, caller, &owner, "delete", json!({"policy_uuid": uuid})).await?;
    json_response(StatusCode::OK, json!({"uuid": uuid}))
}

async fn org_list(State(app): State<AppState>, caller: Caller, Path(org): Path<String>) -> ApiResult {
    let owner = org_owner(&app, &caller, &org).await?;
    list(&app, owner).await
}
async fn org_create(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    let owner = org_owner(&app, &caller, &org).await?;
    create(&app, &caller, owner, req).await
}
async fn org_get(State(app): State<AppState>, caller: Caller, Path((org, uuid)): Path<(String, String)>) -> ApiResult {
    let owner = org_owner(&app, &caller, &org).await?;
    show(&app, owner, &uuid).await
}
async fn org_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, uuid)): Path<(String, String)>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    let owner = org_owner(&app, &caller, &org).await?;
    update(&app, &caller, owner, &uuid, req).await
}
async fn org_delete(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, uuid)): Path<(String, String)>,
) -> ApiResult {
    let owner = org_owner(&app, &caller, &org).await?;
    remove(&app, &caller, owner, &uuid).await
}

async fn user_list(State(app): State<AppState>, caller: Caller) -> ApiResult {
    let owner = user_owner(&caller)?;
    list(&app, owner).await
}
async fn user_create(State(app): State<AppState>, caller: Caller, Body(req): Body<PolicyRequest>) -> ApiResult {
    let owner = user_owner(&caller)?;
    create(&app, &caller, owner, req).await
}
async fn user_get(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    let owner = user_owner(&caller)?;
    show(&app, owner, &uuid).await
}
async fn user_update(
    State(app): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    let owner = user_owner(&caller)?;
    update(&app, &caller, owner, &uuid, req).await
}
async fn user_delete(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    let owner = user_owner(&caller)?;
    remove(&app, &caller, owner, &uuid).await
}

async fn repo_list(State(app): State<AppState>, caller: Caller, Path((ns, repo)): Path<(String, String)>) -> ApiResult {
    let owner = repo_owner(&app, &caller, &ns, &repo).await?;
    list(&app, owner).await
}
async fn repo_create(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo)): Path<(String, String)>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    let owner = repo_owner(&app, &caller, &ns, &repo).await?;
    create(&app, &caller, owner, req).await
}
async fn repo_get(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, uuid)): Path<(String, String, String)>,
) -> ApiResult {
    let owner = repo_owner(&app, &caller, &ns, &repo).await?;
    show(&app, owner, &uuid).await
}
async fn repo_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, uuid)): Path<(String, String, String)>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    let owner = repo_owner(&app, &caller, &ns, &repo).await?;
    update(&app, &caller, owner, &uuid, req).await
}
async fn repo_delete(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, uuid)): Path<(String, String, String)>,
) -> ApiResult {
    let owner = repo_owner(&app, &caller, &ns, &repo).await?;
    remove(&app, &caller, owner, &uuid).await
}

// ---------------------------------------------------------------------------------------------
// Quota

/// Quay shows limits in binary units (`10.0 GiB`).
fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} bytes") } else { format!("{value:.1} {}", UNITS[unit]) }
}

async fn quota_json(app: &App, quota_id: i32, limit_bytes: i64) -> Result<Value, ApiError> {
    let limits: Vec<Value> = quota::quota_limits(&app.db.read, quota_id)
        .await?
        .iter()
        .map(|l| json!({"id": l.id, "type": l.kind, "limit_percent": l.percent}))
        .collect();
    Ok(json!({
        "id": quota_id,
        "limit_bytes": limit_bytes,
        "limit": human_bytes(limit_bytes),
        "default_config": false,
        "limits": limits,
        "default_config_exists": app.config.default_system_reject_quota_bytes > 0,
    }))
}

/// Reads need the organization's admin; changes a superuser, as Quay.
async fn quota_org(app: &App, caller: &Caller, org: &str, change: bool) -> Result<i32, ApiError> {
    let org = super::organization::administered(app, caller, org).await?;
    if change && !caller.superuser() {
        return Err(ApiError::forbidden());
    }
    Ok(org.id)
}

async fn the_quota(app: &App, namespace_id: i32, quota_id: i32) -> Result<i64, ApiError> {
    match quota::quota_row(&app.db.read, namespace_id).await? {
        Some((id, limit)) if id == quota_id => Ok(limit),
        _ => Err(ApiError::not_found()),
    }
}

async fn quota_list(State(app): State<AppState>, caller: Caller, Path(org): Path<String>) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, false).await?;
    let mut out = Vec::new();
    if let Some((id, limit)) = quota::quota_row(&app.db.read, ns).await? {
        out.push(quota_json(&app, id, limit).await?);
    }
    json_response(StatusCode::OK, json!(out))
}

#[derive(Deserialize)]
struct QuotaRequest {
    limit_bytes: i64,
}

async fn quota_create(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Body(req): Body<QuotaRequest>,
) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, true).await?;
    if req.limit_bytes <= 0 {
        return Err(ApiError::bad_request("limit_bytes must be above 0"));
    }
    if quota::quota_row(&app.db.read, ns).await?.is_some() {
        return Err(ApiError::bad_request("Organization quota for this organization already exists"));
    }
    let tx = app.db.begin().await?;
    quota::set_namespace_quota(&tx, ns, req.limit_bytes, None, None).await?;
    let metadata = json!({"namespace": org, "limit_bytes": req.limit_bytes});
    crate::db::queries::insert_log(&tx, "org_create_quota", ns, caller.user().map(|u| u.id), None, &metadata).await?;
    tx.commit().await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

async fn quota_get(State(app): State<AppState>, caller: Caller, Path((org, id)): Path<(String, i32)>) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, false).await?;
    let limit = the_quota(&app, ns, id).await?;
    json_response(StatusCode::OK, quota_json(&app, id, limit).await?)
}

async fn quota_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, i32)>,
    Body(req): Body<QuotaRequest>,
) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, true).await?;
    the_quota(&app, ns, id).await?;
    if req.limit_bytes <= 0 {
        return Err(ApiError::bad_request("limit_bytes must be above 0"));
    }
    let tx = app.db.begin().await?;
    quota::set_limit_bytes(&tx, id, req.limit_bytes).await?;
    let metadata = json!({"namespace": org, "limit_bytes": req.limit_bytes});
    crate::db::queries::insert_log(&tx, "org_change_quota", ns, caller.user().map(|u| u.id), None, &metadata).await?;
    tx.commit().await?;
    json_response(StatusCode::OK, quota_json(&app, id, req.limit_bytes).await?)
}

async fn quota_delete(State(app): State<AppState>, caller: Caller, Path((org, id)): Path<(String, i32)>) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, true).await?;
    the_quota(&app, ns, id).await?;
    let tx = app.db.begin().await?;
    quota::remove_namespace_quota(&tx, ns).await?;
    let metadata = json!({"namespace": org});
    crate::db::queries::insert_log(&tx, "org_delete_quota", ns, caller.user().map(|u| u.id), None, &metadata).await?;
    tx.commit().await?;
    no_content()
}

async fn limit_list(State(app): State<AppState>, caller: Caller, Path((org, id)): Path<(String, i32)>) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, false).await?;
    let limit = the_quota(&app, ns, id).await?;
    json_response(StatusCode::OK, quota_json(&app, id, limit).await?["limits"].clone())
}

#[derive(Deserialize)]
struct LimitRequest {
    #[serde(rename = "type")]
    kind: String,
    threshold_percent: i32,
}

fn check_limit(req: &LimitRequest) -> Result<(), ApiError> {
    if !matches!(req.kind.as_str(), "Warning" | "Reject") {
        return Err(ApiError::bad_request("type must be Warning or Reject"));
    }
    if !(1..=100).contains(&req.threshold_percent) {
        return Err(ApiError::bad_request("threshold_percent must be between 1 and 100"));
    }
    Ok(())
}

async fn limit_create(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, i32)>,
    Body(req): Body<LimitRequest>,
) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, true).await?;
    the_quota(&app, ns, id).await?;
    check_limit(&req)?;
    let existing = quota::quota_limits(&app.db.read, id).await?;
    if existing.iter().any(|l| l.kind == req.kind && l.percent == req.threshold_percent) {
        return Err(ApiError::bad_request("An identical threshold exists already"));
    }
    let tx = app.db.begin().await?;
    quota::add_limit(&tx, id, &req.kind, req.threshold_percent).await?;
    let metadata = json!({"namespace": org, "type": req.kind, "threshold_percent": req.threshold_percent});
    crate::db::queries::insert_log(&tx, "org_create_quota_limit", ns, caller.user().map(|u| u.id), None, &metadata)
        .await?;
    tx.commit().await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

async fn limit_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id, limit_id)): Path<(String, i32, i32)>,
    Body(req): Body<LimitRequest>,
) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, true).await?;
    let limit = the_quota(&app, ns, id).await?;
    check_limit(&req)?;
    let tx = app.db.begin().await?;
    if !quota::update_limit(&tx, id, limit_id, &req.kind, req.threshold_percent).await? {
        return Err(ApiError::not_found());
    }
    let metadata = json!({"namespace": org, "type": req.kind, "threshold_percent": req.threshold_percent});
    crate::db::queries::insert_log(&tx, "org_change_quota_limit", ns, caller.user().map(|u| u.id), None, &metadata)
        .await?;
    tx.commit().await?;
    json_response(StatusCode::OK, quota_json(&app, id, limit).await?)
}

async fn limit_delete(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id, limit_id)): Path<(String, i32, i32)>,
) -> ApiResult {
    let ns = quota_org(&app, &caller, &org, true).await?;
    the_quota(&app, ns, id).await?;
    let tx = app.db.begin().await?;
    if !quota::delete_limit(&tx, id, limit_id).await? {
        return Err(ApiError::not_found());
    }
    let metadata = json!({"namespace": org, "limit_id": limit_id});
    crate::db::queries::insert_log(&tx, "org_delete_quota_limit", ns, caller.user().map(|u| u.id), None, &metadata)
        .await?;
    tx.commit().await?;
    no_content()
}

#[cfg(test)]
mod tests {
    #[test]
    fn quota_limits_read_in_binary_units() {
        assert_eq!(super::human_bytes(512), "512 bytes");
        assert_eq!(super::human_bytes(10 * 1024 * 1024 * 1024), "10.0 GiB");
        assert_eq!(super::human_bytes(1536), "1.5 KiB");
    }
}
