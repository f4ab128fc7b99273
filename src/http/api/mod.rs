//! Quay's management API, `/api/v1`: the paths, JSON field names, status codes and error bodies
//! that Quay's automation (scripts, Ansible, Terraform, the UI) expects.
//!
//! Every route is listed once in [`ENDPOINTS`], from which both the router and the OpenAPI
//! document of `GET /api/v1/discovery` are built, so the document cannot miss a route.
//!
//! Callers: an OAuth access token (`Authorization: Bearer <40 characters>`, capped by its
//! scopes), or HTTP Basic for users, robots and app tokens (every scope, as the Go mirror
//! registry accepts). Errors are Quay's `{"status","error_message","title","type","detail"}`.

mod apptoken;
mod discovery;
mod lifecycle;
mod logs;
mod manifest;
mod mirror;
mod organization;
mod permission;
mod proxycache;
mod repository;
mod robot;
mod superuser;
mod tag;
mod user;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde_json::json;

use crate::accounts::AccountError;
use crate::app::AppState;
pub use crate::auth::Scope;
use crate::auth::{AuthError, Denied};
use crate::registry::RegistryError;

/// A JSON schema, built when the document is.
pub type Schema = fn() -> serde_json::Value;

/// A served route: what the router mounts and what the OpenAPI document describes.
pub struct Endpoint {
    pub method: &'static str,
    /// Under `/api/v1`, with `{name}` parameters (a `{repository}` spans `namespace/name`).
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    /// The scope an OAuth token needs (None: any caller, or only a signed-in one where noted).
    pub scope: Option<Scope>,
    /// Query parameters: (name, type, description).
    pub query: &'static [(&'static str, &'static str, &'static str)],
    /// The JSON schema of the request body, if it takes one.
    pub body: Option<Schema>,
    /// Status codes and the JSON schema of their bodies (None: no body).
    pub responses: &'static [(u16, Option<Schema>)],
    pub handler: fn() -> MethodRouter<AppState>,
}

/// Every route of the API, built once. Order matters only for the document.
pub fn endpoints() -> &'static [Endpoint] {
    static ALL: std::sync::LazyLock<Vec<Endpoint>> = std::sync::LazyLock::new(|| {
        let mut all = Vec::new();
        all.extend(discovery::endpoints());
        all.extend(user::endpoints());
        all.extend(apptoken::endpoints());
        all.extend(superuser::endpoints());
        all.extend(organization::endpoints());
        all.extend(proxycache::endpoints());
        all.extend(robot::endpoints());
        all.extend(repository::endpoints());
        all.extend(mirror::endpoints());
        all.extend(permission::endpoints());
        all.extend(tag::endpoints());
        all.extend(manifest::endpoints());
        all.extend(lifecycle::endpoints());
        all.extend(logs::endpoints());
        all
    });
    &ALL
}

/// The router to nest at `/api/v1`: every endpoint, and Quay's JSON 404 for anything else.
pub fn router() -> Router<AppState> {
    let mut by_path: std::collections::BTreeMap<String, MethodRouter<AppState>> = Default::default();
    for e in endpoints() {
        let path = axum_path(e.path);
        let route = by_path.remove(&path).unwrap_or_default();
        let mut handler = (e.handler)();
        // As Quay, a caller without credentials is told so before the body is even read. Only
        // reads of repositories (public ones) are open to anonymous callers.
        if e.scope.is_some_and(|s| s != Scope::RepoRead) {
            // Quay's `GET /user/` adds that no session is required.
            let tell_no_session = e.operation_id == "getLoggedInUser";
            handler = handler.route_layer(axum::middleware::from_fn(move |request, next| {
                requires_credentials(request, next, tell_no_session)
            }));
        }
        by_path.insert(path, route.merge(handler));
    }
    let mut router = Router::new();
    for (path, route) in by_path {
        router = router.route(&path, route.fallback(method_not_allowed));
    }
    router.fallback(not_found_route)
}

/// Documentation paths name the repository `{repository}`; axum matches it as two segments, and
/// [`nested_repository_path`] folds deeper repositories into the second. (The router is nested
/// under `/api/v1`.)
fn axum_path(path: &str) -> String {
    path.replace("{repository}", "{namespace}/{repo}")
}

/// Quay's `apirepopath`: the repository in an API path may have more than two segments
/// (`/api/v1/repository/mirror/openshift/release/tag/`). The router matches `{namespace}/{repo}`,
/// so such a path is rewritten before routing with the repository's segments after the first
/// joined by `%2F` into one (`mirror/openshift%2Frelease/tag/`), which the `Path` extractor
/// decodes back to `openshift/release`. The repository is the shortest run of two or more
/// segments after which the rest of the path is one of the API's repository routes, so a
/// repository may even have a segment named like a route (`mirror/tag/tools`). `None`: nothing
/// to rewrite.
pub fn nested_repository_path(path: &str) -> Option<String> {
    static SUFFIXES: std::sync::LazyLock<Vec<Vec<&'static str>>> = std::sync::LazyLock::new(|| {
        let mut all: Vec<Vec<&'static str>> = endpoints()
            .iter()
            .filter_map(|e| e.path.strip_prefix("/repository/{repository}"))
            .map(|rest| rest.split('/').skip(1).collect())
            .collect();
        all.sort();
        all.dedup();
        all
    });
    let rest = path.strip_prefix("/api/v1/repository/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let matches = |suffix: &[&str]| {
        SUFFIXES.iter().any(|template| {
            template.len() == suffix.len()
                && template.iter().zip(suffix).all(|(t, s)| if t.starts_with('{') { !s.is_empty() } else { t == s })
        })
    };
    let repository_len =
        (2..=segments.len()).take_while(|&k| !segments[k - 1].is_empty()).find(|&k| matches(&segments[k..]))?;
    if repository_len == 2 {
        return None;
    }
    let suffix: String = segments[repository_len..].iter().map(|s| format!("/{s}")).collect();
    Some(format!("/api/v1/repository/{}/{}{suffix}", segments[0], segments[1..repository_len].join("%2F")))
}

/// [`nested_repository_path`] applied to a request, before it is routed.
pub fn route_nested_repositories<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    if let Some(path) = nested_repository_path(request.uri().path()) {
        let path_and_query = match request.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let mut parts = request.uri().clone().into_parts();
        if let Ok(pq) = path_and_query.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
    }
    request
}

async fn requires_credentials(request: Request, next: axum::middleware::Next, tell_no_session: bool) -> Response {
    if request.headers().contains_key(header::AUTHORIZATION) {
        next.run(request).await
    } else if tell_no_session {
        ApiError::unauthorized().with_session_required().into_response()
    } else {
        ApiError::unauthorized().into_response()
    }
}

async fn not_found_route() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "The method is not allowed for the requested URL.")
}

/// Who calls the API: the domain's actor, built from the request's credentials.
pub type Caller = crate::auth::Actor;

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let client = parts.extensions.get::<super::PeerAddr>().map(|p| p.0);
        let ip = client.map(|ip| ip.to_string());
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller::anonymous().from_client(ip, user_agent));
        };
        let value = value.to_str().map_err(|_| ApiError::invalid_token())?;
        let (kind, credentials) = value.split_once(' ').ok_or_else(ApiError::invalid_token)?;
        let user = if kind.eq_ignore_ascii_case("bearer") {
            crate::auth::authenticate_oauth_token(crate::auth::Login::new(app, client), credentials.trim()).await
        } else if kind.eq_ignore_ascii_case("basic") {
            let (username, password) = decode_basic(credentials).ok_or_else(ApiError::invalid_token)?;
            crate::auth::authenticate_password(crate::auth::Login::new(app, client), &username, &password).await
        } else {
            return Err(ApiError::invalid_token());
        };
        let user = user.map_err(|e| match e {
            AuthError::Internal(e) => ApiError::internal(e),
            AuthError::Throttled(seconds) => ApiError::too_many_requests(&e.to_string(), seconds),
            AuthError::Busy => ApiError::too_many_requests(&e.to_string(), 1),
            _ => ApiError::invalid_token(),
        })?;
        Ok(Caller::user(user).from_client(ip, user_agent))
    }
}

fn decode_basic(credentials: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD.decode(credentials.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_owned(), p.to_owned()))
}

/// A JSON request body; a missing or malformed one is Quay's 400 `invalid_request`.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_request("the request body could not be read"))?;
        let bytes = if bytes.iter().all(u8::is_ascii_whitespace) { &b"{}"[..] } else { &bytes[..] };
        serde_json::from_slice(bytes).map(Body).map_err(|e| ApiError::bad_request(&e.to_string()))
    }
}

/// Path parameters; one that does not parse (a quota id that is not a number) names nothing: 404,
/// as Quay's typed routes answer.
pub struct Path<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|_| ApiError::not_found())
    }
}

/// Query parameters; bad ones are Quay's 400 `invalid_request`.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::bad_request(&e.body_text()))
    }
}

/// Quay's API error (`endpoints/exception.py`).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error_type: &'static str,
    pub detail: String,
    cause: Option<String>,
    /// Seconds to wait, for 429 and 503.
    retry_after: Option<u64>,
    shape: ErrorShape,
}

/// The two bodies Quay's API errors come in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ErrorShape {
    /// Its problem document (`detail`, `error_type`, `type`, ...).
    Problem,
    /// The problem document with `"session_required": false` (Quay's `GET /user/` when signed out).
    SessionRequired,
    /// Flask's `abort(400, message=...)`: a bare `{"message": ...}`, which some of Quay's
    /// handlers answer for invalid input.
    Message,
}

impl ApiError {
    pub fn new(status: StatusCode, error_type: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type,
            detail: detail.into(),
            cause: None,
            retry_after: None,
            shape: ErrorShape::Problem,
        }
    }

    /// This error in the bare `{"message": ...}` body where Quay answers so (invalid input only).
    pub fn bare_message(mut self) -> Self {
        if self.status == StatusCode::BAD_REQUEST {
            self.shape = ErrorShape::Message;
        }
        self
    }

    /// A 401 that tells the client it lacks a session, as Quay's `GET /user/` does.
    pub fn with_session_required(mut self) -> Self {
        if self.status == StatusCode::UNAUTHORIZED {
            self.shape = ErrorShape::SessionRequired;
        }
        self
    }

    /// Anonymous where a signed-in caller is needed.
    pub fn unauthorized() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "Requires authentication")
    }

    /// Credentials that were given but are not valid.
    pub fn invalid_token() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "Invalid or expired credentials")
    }

    /// Signed in, but not allowed.
    pub fn forbidden() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", "Unauthorized")
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not Found")
    }

    /// Sign-ins refused for a while (Quay answers its login backoff with 429 and `Retry-After`).
    pub fn too_many_requests(message: &str, retry_after: u64) -> Self {
        let mut err = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message);
        err.retry_after = Some(retry_after.max(1));
        err
    }

    pub fn bad_request(message: &str) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// An unexpected failure: the client learns nothing of it; the request middleware logs the
    /// cause once.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        let mut err = ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Internal Server Error");
        err.cause = Some(format!("{e:#}"));
        err
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<Denied> for ApiError {
    fn from(e: Denied) -> Self {
        match e {
            Denied::Unauthenticated => ApiError::unauthorized(),
            Denied::Forbidden => ApiError::forbidden(),
        }
    }
}

/// Database contention, the same for every domain error: try again.
fn unavailable() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "downstream_issue", "Please try again")
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::NotFound(_) => ApiError::not_found(),
            AccountError::Exists(what) => ApiError::bad_request(&format!("{what} already exists")),
            AccountError::Invalid(message) => ApiError::bad_request(&message),
            AccountError::Denied(d) => d.into(),
            AccountError::Unavailable => unavailable(),
            AccountError::Internal(e) => ApiError::internal(e),
        }
    }
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        use RegistryError as E;
        match e {
            E::NameUnknown | E::ManifestUnknown | E::TagUnknown(_) | E::BlobUnknown | E::BlobUploadUnknown => {
                ApiError::not_found()
            }
            E::Access(d) => d.into(),
            E::TagImmutable(tag) => {
                ApiError::new(StatusCode::CONFLICT, "tag_immutable", format!("Tag `{tag}` is immutable"))
            }
            E::NotWritable(why) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "downstream_issue",
                format!("The repository is not accepting changes: {}", why.message()),
            ),
            E::Denied(message) => ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", message),
            E::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "invalid_request", message),
            E::Unavailable => unavailable(),
            E::StorageFull(message) => ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "downstream_issue", message),
            E::Internal(e) => ApiError::internal(e),
            // Quay's tag handlers answer invalid tags and expirations with a bare message.
            E::TagInvalid(message) => ApiError::bad_request(&message).bare_message(),
            other => ApiError::bad_request(&other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let kind = self.error_type;
        let mut body = json!({
            "detail": self.detail,
            "error_message": self.detail,
            "error_type": kind,
            "title": kind,
            "type": format!("/api/v1/error/{kind}"),
            "status": self.status.as_u16(),
        });
        match self.shape {
            ErrorShape::Problem => {}
            ErrorShape::SessionRequired => body["session_required"] = json!(false),
            ErrorShape::Message => body = json!({"message": self.detail}),
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after.or((self.status == StatusCode::SERVICE_UNAVAILABLE).then_some(1)) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(cause) = self.cause {
            response.extensions_mut().insert(super::error::Failure(cause));
        }
        response
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// Quay's error bodies name their `type` by an absolute URL (`http://HOST/api/v1/error/not_found`):
/// the error table writes the path, and this layer, which knows the registry's address, completes
/// it. Only error answers are read, and they are small.
pub async fn absolute_error_types(
    axum::extract::State(app): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status().is_success() || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body too large").into_response();
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => return Response::from_parts(parts, axum::body::Body::from(bytes)),
    };
    if let Some(kind) = value.get("type").and_then(|t| t.as_str()).filter(|t| t.starts_with("/api/v1/error/")) {
        value["type"] = json!(format!("{}{kind}", app.config.base_url()));
    }
    let body = value.to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// A JSON response with a status.
pub fn json_response(status: StatusCode, body: serde_json::Value) -> ApiResult {
    Ok((status, axum::Json(body)).into_response())
}

pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Quay's boolean query parameters: `true` or `1`, anything else false.
pub fn flag(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// A page token: where the next page starts, opaque to clients (base64 of a small JSON object).
pub fn page_token(key: &str, value: i64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({ key: value }).to_string())
}

/// The value a [`page_token`] holds, or Quay's 400.
pub fn parse_page_token(token: &str, key: &str) -> Result<i64, ApiError> {
    use base64::Engine as _;
    let invalid = || ApiError::bad_request("Invalid page token");
    let raw =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).map_err(|_| invalid())?;
    let v: serde_json::Value = serde_json::from_slice(&raw).map_err(|_| invalid())?;
    v[key].as_i64().ok_or_else(invalid)
}

/// RFC 2822 dates, as Quay's v1 responses write them (`email.utils.formatdate`).
pub fn http_date(t: chrono::NaiveDateTime) -> String {
    t.and_utc().format("%a, %d %b %Y %H:%M:%S -0000").to_string()
}

pub fn http_date_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| http_date(t.naive_utc())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::nested_repository_path as nested;

    #[test]
    fn nested_repositories_fold_into_the_second_segment() {
        assert_eq!(nested("/api/v1/repository/a/b"), None);
        assert_eq!(nested("/api/v1/repository/a/b/tag/"), None);
        assert_eq!(nested("/api/v1/repository/a/b/c").as_deref(), Some("/api/v1/repository/a/b%2Fc"));
        assert_eq!(nested("/api/v1/repository/m/o/r/tag/").as_deref(), Some("/api/v1/repository/m/o%2Fr/tag/"));
        assert_eq!(nested("/api/v1/repository/m/o/r/tag/v1").as_deref(), Some("/api/v1/repository/m/o%2Fr/tag/v1"));
        assert_eq!(
            nested("/api/v1/repository/m/o/r/x/tag/v1/restore").as_deref(),
            Some("/api/v1/repository/m/o%2Fr%2Fx/tag/v1/restore")
        );
        // A segment named like a route is part of the repository when the rest is not a route.
        assert_eq!(nested("/api/v1/repository/m/tag/tools").as_deref(), Some("/api/v1/repository/m/tag%2Ftools"));
        assert_eq!(
            nested("/api/v1/repository/m/tag/tools/tag/").as_deref(),
            Some("/api/v1/repository/m/tag%2Ftools/tag/")
        );
        assert_eq!(
            nested("/api/v1/repository/m/o/r/changestate").as_deref(),
            Some("/api/v1/repository/m/o%2Fr/changestate")
        );
        // Not a repository route, or empty segments: left alone (the router answers 404).
        assert_eq!(nested("/api/v1/repository/m//r/tag/"), None);
        assert_eq!(nested("/api/v1/organization/a/b/c"), None);
    }
}
