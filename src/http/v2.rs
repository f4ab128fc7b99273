//! The OCI distribution API under `/v2/`. Each request path is parsed once into an [`Endpoint`],
//! authorized against the bearer token, and handed to the `registry` module.

use std::io;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt as _;
use serde::Deserialize;
use serde_json::json;

use super::error::{V2Error, upload_range};
use crate::app::AppState;
use crate::auth::{Claims, Identity};
use crate::db::queries::RepoRow;
use crate::oci::{Digest, Reference, RepositoryName, parse_content_range, parse_range_header};
use crate::registry::{self, RegistryError};

type V2Result = Result<Response, V2Error>;

/// A `/v2/<name>/...` route. Repository names may contain `/`, so routes are recognised by their
/// trailing components.
#[derive(Debug, PartialEq, Eq)]
pub enum Endpoint<'a> {
    Manifest { name: &'a str, reference: &'a str },
    Blob { name: &'a str, digest: &'a str },
    UploadStart { name: &'a str },
    Upload { name: &'a str, uuid: &'a str },
    TagsList { name: &'a str },
    Referrers { name: &'a str, digest: &'a str },
}

impl<'a> Endpoint<'a> {
    /// Parses the part of the path after `/v2/`.
    pub fn parse(path: &'a str) -> Option<Self> {
        if let Some(name) = path.strip_suffix("/tags/list") {
            return Some(Endpoint::TagsList { name });
        }
        if let Some(name) = path.strip_suffix("/blobs/uploads/").or_else(|| path.strip_suffix("/blobs/uploads")) {
            return Some(Endpoint::UploadStart { name });
        }
        let (head, last) = path.rsplit_once('/')?;
        if let Some(name) = head.strip_suffix("/blobs/uploads") {
            return Some(Endpoint::Upload { name, uuid: last });
        }
        let (name, kind) = head.rsplit_once('/')?;
        match kind {
            "manifests" => Some(Endpoint::Manifest { name, reference: last }),
            "blobs" => Some(Endpoint::Blob { name, digest: last }),
            "referrers" => Some(Endpoint::Referrers { name, digest: last }),
            _ => None,
        }
    }

    pub fn name(&self) -> &'a str {
        match self {
            Endpoint::Manifest { name, .. }
            | Endpoint::Blob { name, .. }
            | Endpoint::UploadStart { name }
            | Endpoint::Upload { name, .. }
            | Endpoint::TagsList { name }
            | Endpoint::Referrers { name, .. } => name,
        }
    }

    /// A low-cardinality label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Endpoint::Manifest { .. } => "manifest",
            Endpoint::Blob { .. } => "blob",
            Endpoint::UploadStart { .. } => "upload_start",
            Endpoint::Upload { .. } => "upload",
            Endpoint::TagsList { .. } => "tags_list",
            Endpoint::Referrers { .. } => "referrers",
        }
    }
}

/// The route label of any request path, for metrics.
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/v2/" | "/v2" => "base",
        "/v2/auth" => "auth",
        "/v2/_catalog" => "catalog",
        p if p.starts_with("/v2/") => Endpoint::parse(&p[4..]).map(|e| e.label()).unwrap_or("unknown"),
        "/metrics" => "metrics",
        p if p.starts_with("/health") => "health",
        _ => "other",
    }
}

fn challenge(app: &AppState, scope: Option<String>) -> String {
    let mut c =
        format!("Bearer realm=\"{}/v2/auth\",service=\"{}\"", app.config.base_url(), app.config.server_hostname);
    if let Some(scope) = scope {
        c.push_str(&format!(",scope=\"{scope}\""));
    }
    c
}

/// The verified claims of the request's bearer token; `Ok(None)` when there is no token.
async fn bearer(app: &AppState, headers: &HeaderMap) -> Result<Option<Claims>, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    match token {
        Some(t) => {
            crate::auth::verify_token(&app.db, &app.verification_keys, &app.config, t.trim()).await.map(Some).ok_or(())
        }
        None => Err(()),
    }
}

pub async fn base(State(app): State<AppState>, headers: HeaderMap) -> Response {
    match bearer(&app, &headers).await {
        Ok(Some(_)) => {
            let mut r = (StatusCode::OK, axum::Json(json!({}))).into_response();
            r.headers_mut().insert("docker-distribution-api-version", HeaderValue::from_static("registry/2.0"));
            r
        }
        _ => V2Error::unauthorized(&challenge(&app, None)).into_response(),
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    n: Option<String>,
    last: Option<String>,
}

/// Upper bound of one page of tags or repositories.
const MAX_PAGE: u64 = 10_000;

fn page_size(n: Option<&str>) -> Result<u64, V2Error> {
    match n {
        None => Ok(MAX_PAGE),
        Some(s) => s.parse::<u64>().map(|v| v.min(MAX_PAGE)).map_err(|_| {
            V2Error::new(StatusCode::BAD_REQUEST, "PAGINATION_NUMBER_INVALID", "n must be a non-negative integer")
        }),
    }
}

fn link_header(path: &str, n: u64, last: &str) -> String {
    let encoded: String = last
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("<{path}?n={n}&last={encoded}>; rel=\"next\"")
}

pub async fn catalog(State(app): State<AppState>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let result: V2Result = async {
        let claims = bearer(&app, &headers)
            .await
            .map_err(|_| V2Error::unauthorized(&challenge(&app, Some("registry:catalog:*".into()))))?;
        let viewer = match &claims {
            Some(c) => c.user(&app.db, &app.config).await.map_err(RegistryError::from)?,
            None if app.config.feature_public_catalog && app.config.feature_anonymous_access => None,
            None => return Err(V2Error::unauthorized(&challenge(&app, Some("registry:catalog:*".into())))),
        };
        let n = page_size(q.n.as_deref())?;
        // Anonymous callers see public repositories only with FEATURE_PUBLIC_CATALOG (Quay).
        if n == 0 || (viewer.is_none() && !app.config.feature_public_catalog) {
            return Ok(axum::Json(json!({"repositories": []})).into_response());
        }
        let mut repos = registry::catalog(&app, viewer.as_ref(), q.last.as_deref(), n + 1).await?;
        let more = repos.len() as u64 > n;
        repos.truncate(n as usize);
        let mut r = axum::Json(json!({"repositories": repos})).into_response();
        if more
            && let Some(last) = repos.last()
            && let Ok(v) = HeaderValue::from_str(&link_header("/v2/_catalog", n, last))
        {
            r.headers_mut().insert(header::LINK, v);
        }
        Ok(r)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Deserialize, Default)]
pub struct V2Query {
    digest: Option<String>,
    mount: Option<String>,
    from: Option<String>,
    n: Option<String>,
    last: Option<String>,
    #[serde(rename = "artifactType")]
    artifact_type: Option<String>,
}

/// Everything under `/v2/<name>/`.
pub async fn dispatch(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<V2Query>,
    body: Body,
) -> Response {
    let path = uri.path();
    let Some(endpoint) = path.strip_prefix("/v2/").and_then(Endpoint::parse) else {
        return V2Error::new(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown API endpoint").into_response();
    };
    handle(&app, &method, &headers, &query, endpoint, body).await.unwrap_or_else(IntoResponse::into_response)
}

/// Records a push, pull or delete in the action logs with Quay's metadata shape.
#[allow(clippy::too_many_arguments)]
fn audit(
    app: &AppState,
    kind: &'static str,
    name: &RepositoryName,
    repo: &RepoRow,
    claims: Option<&Claims>,
    headers: &HeaderMap,
    reference: &Reference,
    media_type: Option<String>,
) {
    let mut metadata = serde_json::json!({
        "repo": name.repository(),
        "namespace": name.namespace(),
        "user-agent": header_str(headers, header::USER_AGENT).unwrap_or(""),
    });
    match reference {
        Reference::Tag(tag) => metadata["tag"] = tag.as_str().into(),
        Reference::Digest(digest) => metadata["manifest_digest"] = digest.to_string().into(),
    }
    if let Some(media_type) = media_type {
        metadata["mediaType"] = media_type.into();
    }
    let performer = claims.map(|c| c.sub.clone()).filter(|s| !s.is_empty());
    if let Some(user) = &performer {
        metadata[if user.contains('+') { "robot" } else { "username" }] = user.as_str().into();
    }
    let ip = header_str(headers, header::HeaderName::from_static("x-forwarded-for"))
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned());
    app.audit.record(crate::audit::Entry {
        kind,
        account_id: repo.namespace_id,
        performer,
        repository_id: Some(repo.id),
        ip,
        metadata,
    });
}

/// What a request needs from the token: `pull` to read, `push` to change.
fn action_for(method: &Method) -> &'static str {
    if method == Method::GET || method == Method::HEAD { "pull" } else { "push" }
}

/// The caller's identity and the repository, once the token allows `action` on it. Reads of public
/// repositories need no token (when anonymous access is on). An unauthorized caller learns nothing
/// about whether the repository exists.
async fn authorize(
    app: &AppState,
    headers: &HeaderMap,
    name: &RepositoryName,
    action: &'static str,
) -> Result<(Option<Claims>, RepoRow), V2Error> {
    let scope_actions = if action == "pull" { "pull" } else { "pull,push" };
    let deny = || V2Error::unauthorized(&challenge(app, Some(format!("repository:{name}:{scope_actions}"))));
    let claims = bearer(app, headers).await.map_err(|_| deny())?;
    let library = app.config.library_namespace();
    if claims.as_ref().is_some_and(|c| c.allows(&name.to_string(), action, library)) {
        return Ok((claims, registry::repository(app, name).await?));
    }
    if action == "pull"
        && (claims.is_some() || app.config.feature_anonymous_access)
        && let Some(repo) = registry::find_repository(app, name).await?
        && repo.public
    {
        return Ok((claims, repo));
    }
    Err(deny())
}

/// Whether the repository's state lets this caller change it, whatever the token says: normal
/// repositories do; mirrored ones only for their mirror robot; read-only ones never. Checked on
/// every write because the state may change after a token was issued.
async fn accepts_writes_from(app: &AppState, claims: Option<&Claims>, repo: &RepoRow) -> Result<bool, V2Error> {
    use crate::db::queries::{self, repo_state};
    match repo.state {
        repo_state::NORMAL => Ok(true),
        repo_state::MIRROR => {
            let Identity::User(user) = identity_of(app, claims).await? else {
                return Ok(false);
            };
            let robot = queries::mirror_robot(&app.db.read, repo.id).await.map_err(RegistryError::from)?;
            Ok(robot == Some(user.id))
        }
        _ => Ok(false),
    }
}

async fn identity_of(app: &AppState, claims: Option<&Claims>) -> Result<Identity, V2Error> {
    match claims {
        Some(c) => Ok(c
            .user(&app.db, &app.config)
            .await
            .map_err(RegistryError::from)?
            .map(Identity::User)
            .unwrap_or(Identity::Anonymous)),
        None => Ok(Identity::Anonymous),
    }
}

fn body_stream(body: Body) -> impl futures_util::Stream<Item = io::Result<bytes::Bytes>> + Send {
    body.into_data_stream().map_err(io::Error::other)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn set(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

fn empty(status: StatusCode) -> Response {
    let mut r = status.into_response();
    set(&mut r, "content-length", "0");
    r
}

async fn handle(
    app: &AppState,
    method: &Method,
    headers: &HeaderMap,
    query: &V2Query,
    endpoint: Endpoint<'_>,
    body: Body,
) -> V2Result {
    let name = RepositoryName::parse(endpoint.name(), app.config.library_namespace()).map_err(RegistryError::from)?;
    let allowed: &[Method] = match endpoint {
        Endpoint::Manifest { .. } => &[Method::GET, Method::HEAD, Method::PUT, Method::DELETE],
        Endpoint::Blob { .. } => &[Method::GET, Method::HEAD, Method::DELETE],
        Endpoint::UploadStart { .. } => &[Method::POST],
        Endpoint::Upload { .. } => &[Method::GET, Method::PATCH, Method::PUT, Method::DELETE],
        Endpoint::TagsList { .. } | Endpoint::Referrers { .. } => &[Method::GET, Method::HEAD],
    };
    if !allowed.contains(method) {
        return Err(V2Error::unsupported("method not allowed on this endpoint"));
    }
    let writes = action_for(method) == "push";
    if writes && (app.config.registry_state == "readonly" || app.config.disable_pushes) {
        return Err(V2Error::new(StatusCode::METHOD_NOT_ALLOWED, "DENIED", "the registry is read-only"));
    }
    let (claims, repo) = authorize(app, headers, &name, action_for(method)).await?;
    if writes && !accepts_writes_from(app, claims.as_ref(), &repo).await? {
        return Err(V2Error::new(StatusCode::METHOD_NOT_ALLOWED, "DENIED", "the repository is read-only or mirrored"));
    }
    // Over quota, nothing more is stored: uploads are refused before their first byte.
    if writes && *method != Method::DELETE && matches!(endpoint, Endpoint::UploadStart { .. } | Endpoint::Upload { .. })
    {
        let incoming = header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        registry::quota::check(app, &repo, incoming).await?;
    }
    let base = app.config.base_url();
    match endpoint {
        Endpoint::Manifest { reference, .. } => {
            let reference = Reference::parse(reference).map_err(RegistryError::from)?;
            match *method {
                Method::GET | Method::HEAD => {
                    let m = registry::get_manifest(app, &repo, &reference).await?;
                    let head = *method == Method::HEAD;
                    if !head {
                        audit(app, "pull_repo", &name, &repo, claims.as_ref(), headers, &reference, None);
                    }
                    let len = m.bytes.len();
                    let mut r = if head { Body::empty() } else { Body::from(m.bytes) }.into_response();
                    set(&mut r, "content-type", &m.media_type);
                    set(&mut r, "content-length", &len.to_string());
                    set(&mut r, "docker-content-digest", &m.digest);
                    set(&mut r, "etag", &format!("\"{}\"", m.digest));
                    Ok(r)
                }
                Method::PUT => {
                    let limit = app.config.max_manifest_size();
                    let too_large = || RegistryError::TooLarge(format!("manifests are limited to {limit} bytes"));
                    if header_str(headers, header::CONTENT_LENGTH)
                        .and_then(|v| v.parse::<u64>().ok())
                        .is_some_and(|n| n > limit as u64)
                    {
                        return Err(too_large().into());
                    }
                    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| too_large())?;
                    let pushed = registry::put_manifest(
                        app,
                        &repo,
                        &reference,
                        header_str(headers, header::CONTENT_TYPE),
                        &bytes,
                    )
                    .await?;
                    registry::quota::record(app, repo.namespace_id, Some(repo.id)).await;
                    let media_type = header_str(headers, header::CONTENT_TYPE).map(str::to_owned);
                    audit(app, "push_repo", &name, &repo, claims.as_ref(), headers, &reference, media_type);
                    let mut r = empty(StatusCode::CREATED);
                    set(&mut r, "location", &format!("{base}/v2/{name}/manifests/{}", pushed.digest));
                    set(&mut r, "docker-content-digest", &pushed.digest.to_string());
                    if let Some(subject) = pushed.subject {
                        set(&mut r, "oci-subject", &subject.to_string());
                    }
                    Ok(r)
                }
                _ => {
                    registry::delete_manifest(app, &repo, &reference).await?;
                    audit(app, "delete_tag", &name, &repo, claims.as_ref(), headers, &reference, None);
                    Ok(empty(StatusCode::ACCEPTED))
                }
            }
        }
        Endpoint::Blob { digest, .. } => {
            let digest = Digest::parse(digest).map_err(RegistryError::from)?;
            if *method == Method::DELETE {
                registry::delete_blob(app, &repo, &digest).await?;
                return Ok(empty(StatusCode::ACCEPTED));
            }
            let blob = registry::stat_blob(app, &repo, &digest).await?;
            let size = blob.size as u64;
            // Object stores serve the bytes themselves: the registry moves none of them.
            if *method == Method::GET
                && let Some(url) = app.storage.presigned_blob_url(&digest).await.map_err(RegistryError::from)?
            {
                let mut r = empty(StatusCode::TEMPORARY_REDIRECT);
                set(&mut r, "location", &url);
                set(&mut r, "docker-content-digest", &digest.to_string());
                return Ok(r);
            }
            let range = match header_str(headers, header::RANGE) {
                Some(v) => parse_range_header(v, size).map_err(|_| RegistryError::RangeNotSatisfiable(size))?,
                None => None,
            };
            let mut r = if *method == Method::HEAD {
                Body::empty().into_response()
            } else {
                let stream = registry::read_blob(app, &digest, range).await?;
                Body::from_stream(stream).into_response()
            };
            if let Some(range) = range {
                *r.status_mut() = StatusCode::PARTIAL_CONTENT;
                set(&mut r, "content-range", &format!("bytes {}-{}/{size}", range.start, range.end));
                set(&mut r, "content-length", &range.len().to_string());
            } else {
                set(&mut r, "content-length", &size.to_string());
            }
            set(&mut r, "content-type", "application/octet-stream");
            set(&mut r, "docker-content-digest", &digest.to_string());
            set(&mut r, "accept-ranges", "bytes");
            set(&mut r, "cache-control", "max-age=31536000");
            set(&mut r, "etag", &format!("\"{digest}\""));
            Ok(r)
        }
        Endpoint::UploadStart { .. } => {
            let identity = identity_of(app, claims.as_ref()).await?;
            if let Some(mount) = &query.mount {
                let digest = Digest::parse(mount).map_err(RegistryError::from)?;
                let from = match &query.from {
                    Some(f) => match RepositoryName::parse(f, app.config.library_namespace()) {
                        Ok(from_name) => registry::find_repository(app, &from_name).await?,
                        Err(_) => None,
                    },
                    None => None,
                };
                let mounted = match (&query.from, &from) {
                    (Some(_), None) => false,
                    _ => registry::mount_blob(app, &identity, &repo, &digest, from.as_ref()).await?,
                };
                if mounted {
                    let mut r = empty(StatusCode::CREATED);
                    set(&mut r, "location", &format!("{base}/v2/{name}/blobs/{digest}"));
                    set(&mut r, "docker-content-digest", &digest.to_string());
                    return Ok(r);
                }
            }
            let upload = registry::start_upload(app, &repo).await?;
            if let Some(d) = &query.digest {
                let digest = Digest::parse(d).map_err(RegistryError::from)?;
                registry::finish_upload(app, &repo, &upload, &digest, None, body_stream(body)).await?;
                let mut r = empty(StatusCode::CREATED);
                set(&mut r, "location", &format!("{base}/v2/{name}/blobs/{digest}"));
                set(&mut r, "docker-content-digest", &digest.to_string());
                return Ok(r);
            }
            let mut r = empty(StatusCode::ACCEPTED);
            set(&mut r, "location", &format!("{base}/v2/{name}/blobs/uploads/{upload}"));
            set(&mut r, "docker-upload-uuid", &upload);
            set(&mut r, "range", "0-0");
            set(&mut r, "oci-chunk-min-length", "0");
            Ok(r)
        }
        Endpoint::Upload { uuid, .. } => {
            let location = format!("{base}/v2/{name}/blobs/uploads/{uuid}");
            let content_range = match header_str(headers, header::CONTENT_RANGE) {
                Some(v) => Some(parse_content_range(v).map_err(|e| RegistryError::BlobUploadInvalid(e.to_string()))?),
                None => None,
            };
            match *method {
                Method::GET => {
                    let size = registry::upload_size(app, &repo, uuid).await?;
                    let mut r = empty(StatusCode::NO_CONTENT);
                    set(&mut r, "location", &location);
                    set(&mut r, "range", &upload_range(size));
                    set(&mut r, "docker-upload-uuid", uuid);
                    Ok(r)
                }
                Method::PATCH => {
                    let size = registry::append_chunk(app, &repo, uuid, content_range, body_stream(body))
                        .await
                        .map_err(|e| with_location(e, &location))?;
                    let mut r = empty(StatusCode::ACCEPTED);
                    set(&mut r, "location", &location);
                    set(&mut r, "range", &upload_range(size));
                    set(&mut r, "docker-upload-uuid", uuid);
                    Ok(r)
                }
                Method::PUT => {
                    let Some(d) = &query.digest else {
                        return Err(
                            RegistryError::DigestInvalid("the digest query parameter is required".into()).into()
                        );
                    };
                    let digest = Digest::parse(d).map_err(RegistryError::from)?;
                    registry::finish_upload(app, &repo, uuid, &digest, content_range, body_stream(body))
                        .await
                        .map_err(|e| with_location(e, &location))?;
                    let mut r = empty(StatusCode::CREATED);
                    set(&mut r, "location", &format!("{base}/v2/{name}/blobs/{digest}"));
                    set(&mut r, "docker-content-digest", &digest.to_string());
                    Ok(r)
                }
                _ => {
                    registry::cancel_upload(app, &repo, uuid).await?;
                    Ok(empty(StatusCode::NO_CONTENT))
                }
            }
        }
        Endpoint::TagsList { .. } => {
            let n = page_size(query.n.as_deref())?;
            let tags =
                if n == 0 { Vec::new() } else { registry::list_tags(app, &repo, query.last.as_deref(), n + 1).await? };
            let more = tags.len() as u64 > n;
            let tags: Vec<String> = tags.into_iter().take(n as usize).collect();
            let mut r = axum::Json(json!({"name": name.to_string(), "tags": tags})).into_response();
            if more
                && let Some(last) = tags.last()
                && let Ok(v) = HeaderValue::from_str(&link_header(&format!("/v2/{name}/tags/list"), n, last))
            {
                r.headers_mut().insert(header::LINK, v);
            }
            Ok(r)
        }
        Endpoint::Referrers { digest, .. } => {
            if !app.config.feature_referrers_api {
                return Err(V2Error::new(StatusCode::NOT_FOUND, "UNSUPPORTED", "the referrers API is disabled"));
            }
            let digest = Digest::parse(digest).map_err(RegistryError::from)?;
            let filter = query.artifact_type.as_deref().filter(|s| !s.is_empty());
            let index = registry::referrers(app, &repo, &digest, filter).await?;
            let mut r = axum::Json(index).into_response();
            set(&mut r, "content-type", crate::oci::media_types::OCI_INDEX);
            if filter.is_some() {
                set(&mut r, "oci-filters-applied", "artifactType");
            }
            Ok(r)
        }
    }
}

/// Upload errors tell the client where the upload is, so it can query its state and resume.
fn with_location(e: RegistryError, location: &str) -> V2Error {
    let resumable = matches!(e, RegistryError::UploadOutOfOrder(_));
    let err = V2Error::from(e);
    if resumable { err.with_header(header::LOCATION, location) } else { err }
}

#[cfg(test)]
mod tests {
    use super::Endpoint::{self, *};

    #[test]
    fn parses_endpoints() {
        let d = "sha256:abc";
        assert_eq!(Endpoint::parse("a/b/manifests/latest"), Some(Manifest { name: "a/b", reference: "latest" }));
        assert_eq!(Endpoint::parse("a/b/c/blobs/sha256:abc"), Some(Blob { name: "a/b/c", digest: d }));
        assert_eq!(Endpoint::parse("a/b/blobs/uploads/"), Some(UploadStart { name: "a/b" }));
        assert_eq!(Endpoint::parse("a/b/blobs/uploads"), Some(UploadStart { name: "a/b" }));
        assert_eq!(Endpoint::parse("a/b/blobs/uploads/u-1"), Some(Upload { name: "a/b", uuid: "u-1" }));
        assert_eq!(Endpoint::parse("a/b/tags/list"), Some(TagsList { name: "a/b" }));
        assert_eq!(Endpoint::parse("a/b/referrers/sha256:abc"), Some(Referrers { name: "a/b", digest: d }));
        // A repository may itself be called `manifests` or `blobs`.
        assert_eq!(Endpoint::parse("a/manifests/manifests/x"), Some(Manifest { name: "a/manifests", reference: "x" }));
        assert_eq!(Endpoint::parse("a/b/other/x"), None);
        assert_eq!(Endpoint::parse("manifests"), None);
        assert_eq!(Endpoint::parse(""), None);
    }
}
