//! The OCI distribution API under `/v2/`. Each request is parsed once into an [`Operation`],
//! authorized against the bearer token, and handed to one function of the `registry` module.

use std::io;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt as _;
use serde::Deserialize;
use serde_json::json;

use super::error::{Code, V2Error, upload_range};
use crate::app::AppState;
use crate::auth::{Actor, Claims};
use crate::oci::{Digest, Reference, RepositoryName, parse_content_range, parse_range_header};
use crate::registry::{self, RegistryError, RepoRow};

type V2Result = Result<Response, V2Error>;

/// One operation of the `/v2` API, parsed once from the method and the path after `/v2/`.
/// Repository names may contain `/`, so routes are recognised by their trailing components.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Operation<'a> {
    GetManifest { name: &'a str, reference: &'a str, head: bool },
    PutManifest { name: &'a str, reference: &'a str },
    DeleteManifest { name: &'a str, reference: &'a str },
    GetBlob { name: &'a str, digest: &'a str, head: bool },
    DeleteBlob { name: &'a str, digest: &'a str },
    StartUpload { name: &'a str },
    UploadStatus { name: &'a str, uuid: &'a str },
    PatchUpload { name: &'a str, uuid: &'a str },
    FinishUpload { name: &'a str, uuid: &'a str },
    CancelUpload { name: &'a str, uuid: &'a str },
    ListTags { name: &'a str },
    Referrers { name: &'a str, digest: &'a str },
}

/// The route of an operation, for metrics (a response extension set where the path was parsed).
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

impl<'a> Operation<'a> {
    /// Parses the method and the part of the path after `/v2/`: an unknown path is 404
    /// `NOT_FOUND`, a known one with the wrong method 405 `UNSUPPORTED`.
    pub fn parse(method: &Method, path: &'a str) -> Result<Self, V2Error> {
        use Operation as O;
        let not_found = || Code::NotFound.error("unknown API endpoint");
        let unsupported = || V2Error::unsupported("method not allowed on this endpoint");
        let head = method == Method::HEAD;
        let read = method == Method::GET || head;
        if let Some(name) = path.strip_suffix("/tags/list") {
            return if read { Ok(O::ListTags { name }) } else { Err(unsupported()) };
        }
        if let Some(name) = path.strip_suffix("/blobs/uploads/").or_else(|| path.strip_suffix("/blobs/uploads")) {
            return if method == Method::POST { Ok(O::StartUpload { name }) } else { Err(unsupported()) };
        }
        let (head_path, last) = path.rsplit_once('/').ok_or_else(not_found)?;
        if let Some(name) = head_path.strip_suffix("/blobs/uploads") {
            let uuid = last;
            return match *method {
                Method::GET => Ok(O::UploadStatus { name, uuid }),
                Method::PATCH => Ok(O::PatchUpload { name, uuid }),
                Method::PUT => Ok(O::FinishUpload { name, uuid }),
                Method::DELETE => Ok(O::CancelUpload { name, uuid }),
                _ => Err(unsupported()),
            };
        }
        let (name, kind) = head_path.rsplit_once('/').ok_or_else(not_found)?;
        match (kind, method) {
            ("manifests", _) if read => Ok(O::GetManifest { name, reference: last, head }),
            ("manifests", &Method::PUT) => Ok(O::PutManifest { name, reference: last }),
            ("manifests", &Method::DELETE) => Ok(O::DeleteManifest { name, reference: last }),
            ("blobs", _) if read => Ok(O::GetBlob { name, digest: last, head }),
            ("blobs", &Method::DELETE) => Ok(O::DeleteBlob { name, digest: last }),
            ("referrers", _) if read => Ok(O::Referrers { name, digest: last }),
            ("manifests" | "blobs" | "referrers", _) => Err(unsupported()),
            _ => Err(not_found()),
        }
    }

    pub fn name(&self) -> &'a str {
        use Operation as O;
        match *self {
            O::GetManifest { name, .. }
            | O::PutManifest { name, .. }
            | O::DeleteManifest { name, .. }
            | O::GetBlob { name, .. }
            | O::DeleteBlob { name, .. }
            | O::StartUpload { name }
            | O::UploadStatus { name, .. }
            | O::PatchUpload { name, .. }
            | O::FinishUpload { name, .. }
            | O::CancelUpload { name, .. }
            | O::ListTags { name }
            | O::Referrers { name, .. } => name,
        }
    }

    /// A low-cardinality label for metrics.
    pub fn label(&self) -> &'static str {
        use Operation as O;
        match self {
            O::GetManifest { .. } | O::PutManifest { .. } | O::DeleteManifest { .. } => "manifest",
            O::GetBlob { .. } | O::DeleteBlob { .. } => "blob",
            O::StartUpload { .. } => "upload_start",
            O::UploadStatus { .. } | O::PatchUpload { .. } | O::FinishUpload { .. } | O::CancelUpload { .. } => {
                "upload"
            }
            O::ListTags { .. } => "tags_list",
            O::Referrers { .. } => "referrers",
        }
    }

    /// What the token must grant: `pull` to read, `push` to change.
    fn action(&self) -> &'static str {
        use Operation as O;
        match self {
            O::GetManifest { .. } | O::GetBlob { .. } | O::ListTags { .. } | O::Referrers { .. } => "pull",
            _ => "push",
        }
    }
}

/// The route label of any path outside `/v2/<name>/...`, for metrics.
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/v2/" | "/v2" => "base",
        "/v2/auth" => "auth",
        "/v2/_catalog" => "catalog",
        p if p.starts_with("/v2/") => "unknown",
        "/metrics" => "metrics",
        p if p.starts_with("/health") => "health",
        p if p.starts_with("/api/v1") => "api",
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
    let mut r = match bearer(&app, &headers).await {
        Ok(Some(_)) => {
            let mut r = (StatusCode::OK, axum::Json(json!({}))).into_response();
            r.headers_mut().insert("docker-distribution-api-version", HeaderValue::from_static("registry/2.0"));
            r
        }
        _ => V2Error::unauthorized(&challenge(&app, None)).into_response(),
    };
    // Quay's capability headers: whether manifest lists may omit children, and which may not.
    let sparse = app.config.feature_sparse_index;
    set(&mut r, "x-sparse-manifest-support", if sparse { "true" } else { "false" });
    if sparse && !app.config.sparse_index_required_archs.is_empty() {
        set(&mut r, "x-required-architectures", &app.config.sparse_index_required_archs.join(","));
    }
    r
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
        Some(s) => s
            .parse::<u64>()
            .map(|v| v.min(MAX_PAGE))
            .map_err(|_| Code::PaginationNumberInvalid.error("n must be a non-negative integer")),
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

pub async fn catalog(
    State(app): State<AppState>,
    headers: HeaderMap,
    FirstQuery(q): FirstQuery<PageQuery>,
) -> Response {
    let result: V2Result = async {
        let claims = bearer(&app, &headers)
            .await
            .map_err(|_| V2Error::unauthorized(&challenge(&app, Some("registry:catalog:*".into()))))?;
        let viewer = match &claims {
            Some(c) => c.user(&app.db, &app.config).await.map_err(RegistryError::from)?.map(crate::auth::Actor::user),
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

/// The query string where a parameter given twice counts once, by its first value (Quay reads
/// `request.args.get`, so clients that repeat `n` work there).
pub struct FirstQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S> for FirstQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let invalid =
            |e: &dyn std::fmt::Display| Code::InvalidRequest.error(format!("invalid query: {e}")).into_response();
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).map_err(|e| invalid(&e))?;
        let mut first = serde_json::Map::new();
        for (key, value) in pairs {
            first.entry(key).or_insert(serde_json::Value::String(value));
        }
        serde_json::from_value(serde_json::Value::Object(first)).map(FirstQuery).map_err(|e| invalid(&e))
    }
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

/// Everything under `/v2/<name>/`: parsed once into an [`Operation`], authorized against the
/// bearer token, and handed to one function of the `registry` module.
pub async fn dispatch(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    peer: Option<axum::Extension<super::PeerAddr>>,
    FirstQuery(query): FirstQuery<V2Query>,
    body: Body,
) -> Response {
    let path = uri.path().strip_prefix("/v2/").unwrap_or_default();
    let op = match Operation::parse(&method, path) {
        Ok(op) => op,
        Err(e) => return e.into_response(),
    };
    let client = Client { headers: &headers, peer: peer.map(|p| p.0.0) };
    let mut response = run(&app, op, &client, &query, body).await.unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(RouteLabel(op.label()));
    response
}

/// What the request says about its client.
struct Client<'a> {
    headers: &'a HeaderMap,
    peer: Option<std::net::IpAddr>,
}

impl Client<'_> {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        header_str(self.headers, name)
    }

    fn ip(&self) -> Option<String> {
        self.peer.map(|ip| ip.to_string())
    }

    /// The request's length, when it says.
    fn content_length(&self) -> Option<u64> {
        self.header(header::CONTENT_LENGTH).and_then(|v| v.parse().ok())
    }
}

/// An authorized request on a repository.
struct Authorized {
    name: RepositoryName,
    repo: RepoRow,
    claims: Option<Claims>,
}

impl Authorized {
    /// Who changes the repository: the token's user (looked up, since writes record them).
    async fn writer(&self, app: &AppState, client: &Client<'_>) -> Result<Actor, V2Error> {
        let user = match &self.claims {
            Some(c) => c.user(&app.db, &app.config).await.map_err(RegistryError::from)?,
            None => None,
        };
        let actor = user.map(Actor::user).unwrap_or_else(Actor::anonymous);
        Ok(actor.from_client(client.ip(), client.header(header::USER_AGENT).map(str::to_owned)))
    }

    /// Who reads, for the pull's log row.
    fn puller<'a>(&'a self, client: &'a Client<'_>, ip: &'a Option<String>) -> registry::Puller<'a> {
        registry::Puller {
            subject: self.claims.as_ref().map(|c| c.sub.as_str()).filter(|s| !s.is_empty() && !s.starts_with('(')),
            ip: ip.as_deref(),
            user_agent: client.header(header::USER_AGENT),
        }
    }
}

async fn run(app: &AppState, op: Operation<'_>, client: &Client<'_>, query: &V2Query, body: Body) -> V2Result {
    let name = RepositoryName::parse(op.name(), app.config.library_namespace()).map_err(RegistryError::from)?;
    let target = authorize(app, client.headers, name, op.action()).await?;
    let mut response = perform(app, op, &target, client, query, body).await.unwrap_or_else(IntoResponse::into_response);
    // For the access log: who the token was issued to, as verified here.
    if let Some(claims) = &target.claims {
        response.extensions_mut().insert(super::Subject(claims.sub.clone()));
    }
    Ok(response)
}

/// The operation, once authorized.
async fn perform(
    app: &AppState,
    op: Operation<'_>,
    target: &Authorized,
    client: &Client<'_>,
    query: &V2Query,
    body: Body,
) -> V2Result {
    use Operation as O;
    match op {
        O::GetManifest { reference, head, .. } => get_manifest(app, target, client, reference, head).await,
        O::PutManifest { reference, .. } => put_manifest(app, target, client, reference, body).await,
        O::DeleteManifest { reference, .. } => {
            let reference = Reference::parse(reference).map_err(RegistryError::from)?;
            let actor = target.writer(app, client).await?;
            registry::delete_manifest(app, &actor, &target.name, &target.repo, &reference).await?;
            Ok(empty(StatusCode::ACCEPTED))
        }
        O::GetBlob { digest, head, .. } => get_blob(app, target, client, digest, head).await,
        O::DeleteBlob { digest, .. } => {
            let digest = Digest::parse(digest).map_err(RegistryError::from)?;
            let actor = target.writer(app, client).await?;
            registry::delete_blob(app, &actor, &target.repo, &digest).await?;
            Ok(empty(StatusCode::ACCEPTED))
        }
        O::StartUpload { .. } => start_upload(app, target, client, query, body).await,
        O::UploadStatus { uuid, .. } => {
            let size = registry::upload_size(app, &target.repo, uuid).await?;
            let mut r = empty(StatusCode::NO_CONTENT);
            set(&mut r, "location", &upload_location(app, target, uuid));
            set(&mut r, "range", &upload_range(size));
            set(&mut r, "docker-upload-uuid", uuid);
            Ok(r)
        }
        O::PatchUpload { uuid, .. } => {
            let location = upload_location(app, target, uuid);
            let range = content_range(client)?;
            let actor = target.writer(app, client).await?;
            let size = registry::append_chunk(
                app,
                &actor,
                &target.repo,
                uuid,
                range,
                client.content_length(),
                body_stream(body),
            )
            .await
            .map_err(|e| with_location(e, &location))?;
            let mut r = empty(StatusCode::ACCEPTED);
            set(&mut r, "location", &location);
            set(&mut r, "range", &upload_range(size));
            set(&mut r, "docker-upload-uuid", uuid);
            Ok(r)
        }
        O::FinishUpload { uuid, .. } => {
            let location = upload_location(app, target, uuid);
            let Some(d) = &query.digest else {
                return Err(RegistryError::DigestInvalid("the digest query parameter is required".into()).into());
            };
            let digest = Digest::parse(d).map_err(RegistryError::from)?;
            let range = content_range(client)?;
            let actor = target.writer(app, client).await?;
            registry::finish_upload(
                app,
                &actor,
                &target.repo,
                uuid,
                &digest,
                range,
                client.content_length(),
                body_stream(body),
            )
            .await
            .map_err(|e| with_location(e, &location))?;
            Ok(blob_created(app, target, &digest))
        }
        O::CancelUpload { uuid, .. } => {
            registry::cancel_upload(app, &target.repo, uuid).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        O::ListTags { .. } => list_tags(app, target, query).await,
        O::Referrers { digest, .. } => referrers(app, target, query, digest).await,
    }
}

/// The caller's token and the repository, once the token allows `action` on it. Reads of public
/// repositories need no token (when anonymous access is on). An unauthorized caller learns nothing
/// about whether the repository exists.
async fn authorize(
    app: &AppState,
    headers: &HeaderMap,
    name: RepositoryName,
    action: &'static str,
) -> Result<Authorized, V2Error> {
    let scope_actions = if action == "pull" { "pull" } else { "pull,push" };
    let deny = || V2Error::unauthorized(&challenge(app, Some(format!("repository:{name}:{scope_actions}"))));
    let claims = bearer(app, headers).await.map_err(|_| deny())?;
    let library = app.config.library_namespace();
    if claims.as_ref().is_some_and(|c| c.allows(&name.to_string(), action, library, &app.config.server_hostname)) {
        // A pull from a proxy cache organization creates the repository on its first pull.
        let repo = if action == "pull" {
            registry::proxy::repository_for_pull(app, &name).await?
        } else {
            registry::repository(app, &name).await?
        };
        // A namespace disabled since the token was issued serves nothing.
        if !repo.namespace_enabled {
            return Err(deny());
        }
        return Ok(Authorized { name, repo, claims });
    }
    if action == "pull"
        && (claims.is_some() || app.config.feature_anonymous_access)
        && let Some(repo) = registry::find_repository(app, &name).await?
        && repo.public
        && repo.namespace_enabled
    {
        return Ok(Authorized { name, repo, claims });
    }
    // Those who would read the repository if it existed learn that it does not: clients print a
    // 401 as "invalid username or password".
    if let Some(c) = &claims
        && registry::find_repository(app, &name).await?.is_none()
        && let Some(user) = c.user(&app.db, &app.config).await.map_err(RegistryError::from)?
        && registry::access::would_read(app, &Actor::user(user), &name).await?
    {
        return Err(RegistryError::NameUnknown.into());
    }
    Err(deny())
}

/// Whether the client's `Accept` takes a manifest of `media_type`: lists and indexes only when it
/// names a list type (or anything); every other manifest always (clients omit types they do
/// not negotiate).
fn accepts(client: &Client<'_>, media_type: &str) -> bool {
    use crate::oci::media_types::{DOCKER_MANIFEST_LIST, OCI_INDEX};
    if media_type != OCI_INDEX && media_type != DOCKER_MANIFEST_LIST {
        return true;
    }
    let offered: Vec<&str> = client
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .filter(|t| !t.is_empty())
        .collect();
    offered.is_empty()
        || offered.iter().any(|t| matches!(*t, "*/*" | "application/*" | OCI_INDEX | DOCKER_MANIFEST_LIST))
}

async fn get_manifest(
    app: &AppState,
    target: &Authorized,
    client: &Client<'_>,
    reference: &str,
    head: bool,
) -> V2Result {
    // A reference that cannot name a manifest names none: 404, as the OCI conformance suite expects.
    let reference = Reference::parse(reference).map_err(|_| RegistryError::ManifestUnknown)?;
    registry::proxy::refresh_manifest(app, &target.name, &target.repo, &reference).await?;
    let ip = client.ip();
    let puller = target.puller(client, &ip);
    let m = registry::get_manifest(app, (!head).then_some(&puller), &target.name, &target.repo, &reference).await?;
    if !accepts(client, &m.media_type) {
        // As Quay: a client that takes single images only does not get a list it cannot read.
        return Err(RegistryError::ManifestUnknown.into());
    }
    let len = m.bytes.len();
    let mut r = if head { Body::empty() } else { Body::from(m.bytes) }.into_response();
    set(&mut r, "content-type", &m.media_type);
    set(&mut r, "content-length", &len.to_string());
    set(&mut r, "docker-content-digest", &m.digest);
    set(&mut r, "etag", &format!("\"{}\"", m.digest));
    Ok(r)
}

async fn put_manifest(
    app: &AppState,
    target: &Authorized,
    client: &Client<'_>,
    reference: &str,
    body: Body,
) -> V2Result {
    let reference = Reference::parse(reference).map_err(RegistryError::from)?;
    let limit = app.config.max_manifest_size();
    let too_large = || RegistryError::TooLarge(format!("manifests are limited to {limit} bytes"));
    if client.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large().into());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| too_large())?;
    let actor = target.writer(app, client).await?;
    let content_type = client.header(header::CONTENT_TYPE);
    let pushed =
        registry::put_manifest(app, &actor, &target.name, &target.repo, &reference, content_type, &bytes).await?;
    let mut r = empty(StatusCode::CREATED);
    let base = app.config.base_url();
    set(&mut r, "location", &format!("{base}/v2/{}/manifests/{}", target.name, pushed.digest));
    set(&mut r, "docker-content-digest", &pushed.digest.to_string());
    if let Some(subject) = pushed.subject {
        set(&mut r, "oci-subject", &subject.to_string());
    }
    Ok(r)
}

async fn get_blob(app: &AppState, target: &Authorized, client: &Client<'_>, digest: &str, head: bool) -> V2Result {
    let digest = Digest::parse(digest).map_err(RegistryError::from)?;
    let blob = match registry::stat_blob(app, &target.repo, &digest).await {
        // In a proxy cache repository, a layer comes from upstream on its first GET: streamed to
        // the first client while it is stored; HEADs and ranges wait for the stored blob.
        Err(RegistryError::BlobUnknown) if !head && client.header(header::RANGE).is_none() => {
            match registry::proxy::stream_blob(app, &target.name, &target.repo, &digest).await? {
                registry::proxy::Streamed::NotProxied => return Err(RegistryError::BlobUnknown.into()),
                registry::proxy::Streamed::Stored => registry::stat_blob(app, &target.repo, &digest).await?,
                registry::proxy::Streamed::Arriving(mut chunks) => {
                    let body = futures_util::stream::poll_fn(move |cx| {
                        chunks.poll_recv(cx).map(|c| c.map(Ok::<_, std::io::Error>))
                    });
                    let mut r = Body::from_stream(body).into_response();
                    set(&mut r, "content-type", "application/octet-stream");
                    set(&mut r, "docker-content-digest", &digest.to_string());
                    return Ok(r);
                }
            }
        }
        Err(RegistryError::BlobUnknown)
            if registry::proxy::fetch_blob(app, &target.name, &target.repo, &digest).await? =>
        {
            registry::stat_blob(app, &target.repo, &digest).await?
        }
        found => found?,
    };
    let size = blob.size as u64;
    if !head && let Some(url) = registry::blob_redirect(app, &blob, &digest).await? {
        let mut r = empty(StatusCode::TEMPORARY_REDIRECT);
        set(&mut r, "location", &url);
        set(&mut r, "docker-content-digest", &digest.to_string());
        return Ok(r);
    }
    let range = match client.header(header::RANGE) {
        Some(v) => parse_range_header(v, size).map_err(|_| RegistryError::RangeNotSatisfiable(size))?,
        None => None,
    };
    let mut r = if head {
        Body::empty().into_response()
    } else {
        let stream = registry::read_blob(app, &blob, &digest, range).await?;
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

fn upload_location(app: &AppState, target: &Authorized, uuid: &str) -> String {
    format!("{}/v2/{}/blobs/uploads/{uuid}", app.config.base_url(), target.name)
}

fn blob_created(app: &AppState, target: &Authorized, digest: &Digest) -> Response {
    let mut r = empty(StatusCode::CREATED);
    set(&mut r, "location", &format!("{}/v2/{}/blobs/{digest}", app.config.base_url(), target.name));
    set(&mut r, "docker-content-digest", &digest.to_string());
    r
}

fn content_range(client: &Client<'_>) -> Result<Option<crate::oci::ByteRange>, V2Error> {
    match client.header(header::CONTENT_RANGE) {
        Some(v) => Ok(Some(parse_content_range(v).map_err(|e| RegistryError::BlobUploadInvalid(e.to_string()))?)),
        None => Ok(None),
    }
}

/// `POST .../blobs/uploads/`: a cross-repository mount, a monolithic upload (`?digest=`), or a
/// new upload session.
async fn start_upload(
    app: &AppState,
    target: &Authorized,
    client: &Client<'_>,
    query: &V2Query,
    body: Body,
) -> V2Result {
    let actor = target.writer(app, client).await?;
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
            _ => registry::mount_blob(app, &actor, &target.repo, &digest, from.as_ref()).await?,
        };
        if mounted {
            return Ok(blob_created(app, target, &digest));
        }
    }
    let upload = registry::start_upload(app, &actor, &target.repo).await?;
    if let Some(d) = &query.digest {
        let digest = Digest::parse(d).map_err(RegistryError::from)?;
        let declared = client.content_length();
        registry::finish_upload(app, &actor, &target.repo, &upload, &digest, None, declared, body_stream(body)).await?;
        return Ok(blob_created(app, target, &digest));
    }
    let mut r = empty(StatusCode::ACCEPTED);
    set(&mut r, "location", &upload_location(app, target, &upload));
    set(&mut r, "docker-upload-uuid", &upload);
    set(&mut r, "range", "0-0");
    set(&mut r, "oci-chunk-min-length", "0");
    Ok(r)
}

async fn list_tags(app: &AppState, target: &Authorized, query: &V2Query) -> V2Result {
    let n = page_size(query.n.as_deref())?;
    let tags =
        if n == 0 { Vec::new() } else { registry::list_tags(app, &target.repo, query.last.as_deref(), n + 1).await? };
    let more = tags.len() as u64 > n;
    let tags: Vec<String> = tags.into_iter().take(n as usize).collect();
    let mut r = axum::Json(json!({"name": target.name.to_string(), "tags": tags})).into_response();
    if more
        && let Some(last) = tags.last()
        && let Ok(v) = HeaderValue::from_str(&link_header(&format!("/v2/{}/tags/list", target.name), n, last))
    {
        r.headers_mut().insert(header::LINK, v);
    }
    Ok(r)
}

async fn referrers(app: &AppState, target: &Authorized, query: &V2Query, digest: &str) -> V2Result {
    if !app.config.feature_referrers_api {
        return Err(Code::Unsupported.with(StatusCode::NOT_FOUND, "the referrers API is disabled"));
    }
    let digest = Digest::parse(digest).map_err(RegistryError::from)?;
    let filter = query.artifact_type.as_deref().filter(|s| !s.is_empty());
    let index = registry::referrers(app, &target.repo, &digest, filter).await?;
    let mut r = axum::Json(index).into_response();
    set(&mut r, "content-type", crate::oci::media_types::OCI_INDEX);
    if filter.is_some() {
        set(&mut r, "oci-filters-applied", "artifactType");
    }
    Ok(r)
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

/// Upload errors tell the client where the upload is, so it can query its state and resume.
fn with_location(e: RegistryError, location: &str) -> V2Error {
    let resumable = matches!(e, RegistryError::UploadOutOfOrder(_));
    let err = V2Error::from(e);
    if resumable { err.with_header(header::LOCATION, location) } else { err }
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    use super::Operation::{self, *};

    fn parse(method: Method, path: &str) -> Option<Operation<'_>> {
        Operation::parse(&method, path).ok()
    }

    #[test]
    fn parses_operations() {
        let d = "sha256:abc";
        assert_eq!(
            parse(Method::GET, "a/b/manifests/latest"),
            Some(GetManifest { name: "a/b", reference: "latest", head: false })
        );
        assert_eq!(
            parse(Method::HEAD, "a/b/manifests/latest"),
            Some(GetManifest { name: "a/b", reference: "latest", head: true })
        );
        assert_eq!(parse(Method::PUT, "a/b/manifests/v1"), Some(PutManifest { name: "a/b", reference: "v1" }));
        assert_eq!(
            parse(Method::GET, "a/b/c/blobs/sha256:abc"),
            Some(GetBlob { name: "a/b/c", digest: d, head: false })
        );
        assert_eq!(parse(Method::DELETE, "a/b/c/blobs/sha256:abc"), Some(DeleteBlob { name: "a/b/c", digest: d }));
        assert_eq!(parse(Method::POST, "a/b/blobs/uploads/"), Some(StartUpload { name: "a/b" }));
        assert_eq!(parse(Method::POST, "a/b/blobs/uploads"), Some(StartUpload { name: "a/b" }));
        assert_eq!(parse(Method::PATCH, "a/b/blobs/uploads/u-1"), Some(PatchUpload { name: "a/b", uuid: "u-1" }));
        assert_eq!(parse(Method::PUT, "a/b/blobs/uploads/u-1"), Some(FinishUpload { name: "a/b", uuid: "u-1" }));
        assert_eq!(parse(Method::GET, "a/b/tags/list"), Some(ListTags { name: "a/b" }));
        assert_eq!(parse(Method::GET, "a/b/referrers/sha256:abc"), Some(Referrers { name: "a/b", digest: d }));
        // A repository may itself be called `manifests` or `blobs`.
        assert_eq!(
            parse(Method::GET, "a/manifests/manifests/x"),
            Some(GetManifest { name: "a/manifests", reference: "x", head: false })
        );
        assert_eq!(parse(Method::GET, "a/b/other/x"), None);
        assert_eq!(parse(Method::GET, "manifests"), None);
        assert_eq!(parse(Method::GET, ""), None);
        // Known paths with another method are 405, unknown ones 404.
        let status = |m: Method, p: &str| Operation::parse(&m, p).err().map(|e| e.status.as_u16());
        assert_eq!(status(Method::POST, "a/b/manifests/v1"), Some(405));
        assert_eq!(status(Method::PATCH, "a/b/tags/list"), Some(405));
        assert_eq!(status(Method::GET, "a/b/other/x"), Some(404));
    }
}
