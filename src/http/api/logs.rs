//! Action logs (`logentry3`) of a repository, an organization or the caller, by time range.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, nullable, object, string};
use super::user::avatar;
use super::{
    ApiError, ApiResult, Caller, Endpoint, Path, Query, Scope, http_date, json_response, page_token, parse_page_token,
};
use crate::app::AppState;
use crate::audit::LogScope;

/// Quay's `LOGS_PER_PAGE`.
const LOGS_PER_PAGE: u64 = 20;
/// Quay refuses ranges longer than this many days.
const MAX_RANGE_DAYS: i64 = 32;

const QUERY: &[(&str, &str, &str)] = &[
    ("starttime", "string", "First day, MM/DD/YYYY (UTC); default: the day before endtime"),
    ("endtime", "string", "Last day, MM/DD/YYYY (UTC), included; default: today"),
    ("performer", "string", "Only actions by this user or robot"),
    ("next_page", "string", "The page token of the previous response"),
];

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/logs",
            operation_id: "listRepoLogs",
            summary: "The repository's action logs",
            scope: Some(Scope::RepoAdmin),
            query: QUERY,
            body: None,
            responses: &[(200, Some(logs_schema))],
            handler: || get(repository_logs),
        },
        Endpoint {
            method: "GET",
            path: "/organization/{orgname}/logs",
            operation_id: "listOrgLogs",
            summary: "The organization's action logs",
            scope: Some(Scope::OrgAdmin),
            query: QUERY,
            body: None,
            responses: &[(200, Some(logs_schema))],
            handler: || get(organization_logs),
        },
        Endpoint {
            method: "GET",
            path: "/user/logs",
            operation_id: "listUserLogs",
            summary: "The caller's namespace's action logs",
            scope: Some(Scope::UserAdmin),
            query: QUERY,
            body: None,
            responses: &[(200, Some(logs_schema))],
            handler: || get(user_logs),
        },
    ]
}

fn logs_schema() -> Value {
    object(
        &[("start_time", string()), ("end_time", string()), ("logs", array(log_schema())), ("next_page", string())],
        &["start_time", "end_time", "logs"],
    )
}

fn log_schema() -> Value {
    object(
        &[
            ("kind", string()),
            ("metadata", object(&[], &[])),
            ("ip", nullable(string())),
            ("datetime", string()),
            ("performer", object(&[("kind", string()), ("name", string())], &["name"])),
        ],
        &["kind", "metadata", "datetime"],
    )
}

#[derive(Deserialize, Default)]
struct LogQuery {
    starttime: Option<String>,
    endtime: Option<String>,
    performer: Option<String>,
    next_page: Option<String>,
}

fn day(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%m/%d/%Y").map_err(|_| ApiError::bad_request("Dates are MM/DD/YYYY"))
}

/// Quay's range: `endtime` is included (so the bound is the next midnight), `starttime` defaults
/// to the day before it.
fn range(q: &LogQuery) -> Result<(NaiveDateTime, NaiveDateTime), ApiError> {
    let end_day = match q.endtime.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => day(s)?,
        None => chrono::Utc::now().date_naive(),
    };
    let start_day = match q.starttime.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => day(s)?,
        None => end_day.pred_opt().unwrap_or(end_day),
    };
    let end = end_day.succ_opt().unwrap_or(end_day).and_time(chrono::NaiveTime::MIN);
    let start = start_day.and_time(chrono::NaiveTime::MIN);
    if start >= end {
        return Err(ApiError::bad_request("starttime must be before endtime"));
    }
    if (end - start).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::bad_request("The range may span at most 32 days"));
    }
    Ok((start, end))
}

async fn logs(app: &AppState, caller: &Caller, scope: LogScope<'_>, q: &LogQuery) -> ApiResult {
    let (start, end) = range(q)?;
    let before_id = q.next_page.as_deref().map(|t| parse_page_token(t, "before_id")).transpose()?;
    let performer = q.performer.as_deref();
    let mut rows = crate::audit::list(app, caller, scope, start, end, performer, before_id, LOGS_PER_PAGE + 1).await?;
    let more = rows.len() as u64 > LOGS_PER_PAGE;
    rows.truncate(LOGS_PER_PAGE as usize);
    let logs: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({
                "kind": r.kind,
                "metadata": serde_json::from_str::<Value>(&r.metadata).ok().filter(Value::is_object).unwrap_or(json!({})),
                "ip": r.ip,
                "datetime": http_date(r.datetime),
            });
            if let Some((name, robot)) = &r.performer {
                v["performer"] =
                    json!({"kind": "user", "name": name, "is_robot": robot, "avatar": avatar(name, name, "user")});
            }
            // Quay names the namespace only in logs that span namespaces (superusers'), which
            // are not served.
            v
        })
        .collect();
    let mut body = json!({"start_time": http_date(start), "end_time": http_date(end), "logs": logs});
    if more && let Some(last) = rows.last() {
        body["next_page"] = json!(page_token("before_id", last.id));
    }
    json_response(StatusCode::OK, body)
}

async fn repository_logs(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> ApiResult {
    logs(&app, &caller, LogScope::Repository(&format!("{namespace}/{repo}")), &q).await
}

async fn organization_logs(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Query(q): Query<LogQuery>,
) -> ApiResult {
    logs(&app, &caller, LogScope::Organization(&org), &q).await
}

async fn user_logs(State(app): State<AppState>, caller: Caller, Query(q): Query<LogQuery>) -> ApiResult {
    logs(&app, &caller, LogScope::Me, &q).await
}
