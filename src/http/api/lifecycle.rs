//! Autoprune policies of organizations, users and repositories, and organization quotas with
//! their Warning and Reject thresholds.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, enumeration, integer, nullable, object, string};
use super::{ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::accounts::Owner;
use crate::accounts::policies::{self, Method, Policy, PolicyOwner, Rule};
use crate::accounts::quotas::{self, QuotaView};
use crate::app::AppState;

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

fn policy_json(p: &Policy) -> Value {
    let (method, value) = match &p.method {
        Method::NumberOfTags(n) => ("number_of_tags", json!(n)),
        Method::CreationDate(d) => ("creation_date", json!(d)),
    };
    json!({"uuid": p.uuid, "method": method, "value": value, "tagPattern": p.tag_pattern, "tagPatternMatches": p.tag_pattern_matches})
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyRequest {
    method: String,
    value: Value,
    tag_pattern: Option<String>,
    tag_pattern_matches: Option<bool>,
}

impl PolicyRequest {
    fn rule(&self) -> Rule<'_> {
        Rule {
            method: &self.method,
            value: &self.value,
            tag_pattern: self.tag_pattern.as_deref(),
            tag_pattern_matches: self.tag_pattern_matches.unwrap_or(true),
        }
    }
}

async fn list(app: &AppState, caller: &Caller, owner: PolicyOwner<'_>) -> ApiResult {
    let policies: Vec<Value> = policies::list(app, caller, owner).await?.iter().map(policy_json).collect();
    json_response(StatusCode::OK, json!({"policies": policies}))
}

async fn create(app: &AppState, caller: &Caller, owner: PolicyOwner<'_>, req: PolicyRequest) -> ApiResult {
    let policy = policies::create(app, caller, owner, &req.rule()).await?;
    json_response(StatusCode::CREATED, json!({"uuid": policy.uuid}))
}

async fn show(app: &AppState, caller: &Caller, owner: PolicyOwner<'_>, uuid: &str) -> ApiResult {
    json_response(StatusCode::OK, policy_json(&policies::get(app, caller, owner, uuid).await?))
}

async fn update(app: &AppState, caller: &Caller, owner: PolicyOwner<'_>, uuid: &str, req: PolicyRequest) -> ApiResult {
    policies::update(app, caller, owner, uuid, &req.rule()).await?;
    no_content()
}

async fn remove(app: &AppState, caller: &Caller, owner: PolicyOwner<'_>, uuid: &str) -> ApiResult {
    policies::delete(app, caller, owner, uuid).await?;
    json_response(StatusCode::OK, json!({"uuid": uuid}))
}

fn org(name: &str) -> PolicyOwner<'_> {
    PolicyOwner::Namespace(Owner::Organization(name))
}

const ME: PolicyOwner<'static> = PolicyOwner::Namespace(Owner::Me);

async fn org_list(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    list(&app, &caller, org(&name)).await
}
async fn org_create(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    create(&app, &caller, org(&name), req).await
}
async fn org_get(State(app): State<AppState>, caller: Caller, Path((name, uuid)): Path<(String, String)>) -> ApiResult {
    show(&app, &caller, org(&name), &uuid).await
}
async fn org_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, uuid)): Path<(String, String)>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    update(&app, &caller, org(&name), &uuid, req).await
}
async fn org_delete(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, uuid)): Path<(String, String)>,
) -> ApiResult {
    remove(&app, &caller, org(&name), &uuid).await
}

async fn user_list(State(app): State<AppState>, caller: Caller) -> ApiResult {
    list(&app, &caller, ME).await
}
async fn user_create(State(app): State<AppState>, caller: Caller, Body(req): Body<PolicyRequest>) -> ApiResult {
    create(&app, &caller, ME, req).await
}
async fn user_get(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    show(&app, &caller, ME, &uuid).await
}
async fn user_update(
    State(app): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    update(&app, &caller, ME, &uuid, req).await
}
async fn user_delete(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    remove(&app, &caller, ME, &uuid).await
}

async fn repo_list(State(app): State<AppState>, caller: Caller, Path((ns, repo)): Path<(String, String)>) -> ApiResult {
    list(&app, &caller, PolicyOwner::Repository(&format!("{ns}/{repo}"))).await
}
async fn repo_create(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo)): Path<(String, String)>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    create(&app, &caller, PolicyOwner::Repository(&format!("{ns}/{repo}")), req).await
}
async fn repo_get(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, uuid)): Path<(String, String, String)>,
) -> ApiResult {
    show(&app, &caller, PolicyOwner::Repository(&format!("{ns}/{repo}")), &uuid).await
}
async fn repo_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, uuid)): Path<(String, String, String)>,
    Body(req): Body<PolicyRequest>,
) -> ApiResult {
    update(&app, &caller, PolicyOwner::Repository(&format!("{ns}/{repo}")), &uuid, req).await
}
async fn repo_delete(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, uuid)): Path<(String, String, String)>,
) -> ApiResult {
    remove(&app, &caller, PolicyOwner::Repository(&format!("{ns}/{repo}")), &uuid).await
}

// ---------------------------------------------------------------------------------------------
// Quota

/// Quay's `quotas` and `quota_report` of a namespace view (user, organization, superuser lists),
/// added to `v` when quota management is on.
pub(super) fn add_quota_report(v: &mut Value, report: Option<&crate::accounts::quotas::Report>) {
    let Some(r) = report else { return };
    let quotas: Vec<Value> = r
        .quota
        .iter()
        .map(|q| {
            let limits: Vec<Value> =
                q.limits.iter().map(|l| json!({"id": l.id, "type": l.kind, "limit_percent": l.percent})).collect();
            json!({"id": q.id, "limit_bytes": q.limit_bytes, "limits": limits})
        })
        .collect();
    v["quotas"] = json!(quotas);
    v["quota_report"] = json!({
        "quota_bytes": r.used_bytes(),
        "configured_quota": r.quota.as_ref().map(|q| q.limit_bytes),
        "running_backfill": r.backfill(),
        "backfill_status": r.backfill(),
    });
}

/// The schemas of [`add_quota_report`]'s fields.
pub(super) fn quota_report_fields() -> [(&'static str, Value); 2] {
    let quota = object(
        &[("id", integer()), ("limit_bytes", integer()), ("limits", array(limit_schema()))],
        &["id", "limit_bytes", "limits"],
    );
    let report = object(
        &[
            ("quota_bytes", integer()),
            ("configured_quota", nullable(integer())),
            ("running_backfill", string()),
            ("backfill_status", string()),
        ],
        &["quota_bytes", "configured_quota"],
    );
    [("quotas", array(quota)), ("quota_report", report)]
}

fn quota_json(app: &AppState, q: &QuotaView) -> Value {
    let limits: Vec<Value> =
        q.limits.iter().map(|l| json!({"id": l.id, "type": l.kind, "limit_percent": l.percent})).collect();
    json!({
        "id": q.id,
        "limit_bytes": q.limit_bytes,
        "limit": quotas::human_bytes(q.limit_bytes),
        "default_config": false,
        "limits": limits,
        "default_config_exists": app.config.default_system_reject_quota_bytes > 0,
    })
}

async fn quota_list(State(app): State<AppState>, caller: Caller, Path(org): Path<String>) -> ApiResult {
    let out: Vec<Value> =
        quotas::of_organization(&app, &caller, &org).await?.iter().map(|q| quota_json(&app, q)).collect();
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
    quotas::create(&app, &caller, &org, req.limit_bytes).await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

async fn quota_get(State(app): State<AppState>, caller: Caller, Path((org, id)): Path<(String, i32)>) -> ApiResult {
    json_response(StatusCode::OK, quota_json(&app, &quotas::get(&app, &caller, &org, id).await?))
}

async fn quota_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, i32)>,
    Body(req): Body<QuotaRequest>,
) -> ApiResult {
    let q = quotas::set_limit(&app, &caller, &org, id, req.limit_bytes).await?;
    json_response(StatusCode::OK, quota_json(&app, &q))
}

async fn quota_delete(State(app): State<AppState>, caller: Caller, Path((org, id)): Path<(String, i32)>) -> ApiResult {
    quotas::delete(&app, &caller, &org, id).await?;
    no_content()
}

async fn limit_list(State(app): State<AppState>, caller: Caller, Path((org, id)): Path<(String, i32)>) -> ApiResult {
    json_response(StatusCode::OK, quota_json(&app, &quotas::get(&app, &caller, &org, id).await?)["limits"].clone())
}

#[derive(Deserialize)]
struct LimitRequest {
    #[serde(rename = "type")]
    kind: String,
    threshold_percent: i32,
}

async fn limit_create(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, i32)>,
    Body(req): Body<LimitRequest>,
) -> ApiResult {
    quotas::add_threshold(&app, &caller, &org, id, &req.kind, req.threshold_percent).await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

async fn limit_update(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id, limit_id)): Path<(String, i32, i32)>,
    Body(req): Body<LimitRequest>,
) -> ApiResult {
    let q = quotas::set_threshold(&app, &caller, &org, id, limit_id, &req.kind, req.threshold_percent).await?;
    json_response(StatusCode::OK, quota_json(&app, &q))
}

async fn limit_delete(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id, limit_id)): Path<(String, i32, i32)>,
) -> ApiResult {
    quotas::delete_threshold(&app, &caller, &org, id, limit_id).await?;
    no_content()
}

#[cfg(test)]
mod tests {
    #[test]
    fn quota_limits_read_in_binary_units() {
        assert_eq!(crate::accounts::quotas::human_bytes(512), "512 bytes");
        assert_eq!(crate::accounts::quotas::human_bytes(10 * 1024 * 1024 * 1024), "10.0 GiB");
        assert_eq!(crate::accounts::quotas::human_bytes(1536), "1.5 KiB");
    }
}
