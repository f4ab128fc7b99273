//! A client of other registries over the OCI distribution API: what repository mirroring (and
//! later the proxy cache and `quay export --from-registry`) reads upstream with, in place of
//! Quay's `skopeo` subprocesses.
//!
//! It answers the registry's challenge (`WWW-Authenticate: Bearer realm=...` with a token fetched
//! from the realm, with Basic credentials when it has them, Docker Hub's way; or `Basic`), retries
//! what may succeed a second time (connection failures, 429 and 5xx) with a growing pause, follows
//! redirects to blob storage (credentials are not sent to another host), verifies TLS with the
//! system's roots plus the certificates in the config folder's `extra_ca_certs/`, and goes through
//! the HTTP(S) proxies a mirror names. Without TLS verification it reaches an upstream as skopeo
//! does with `--src-tls-verify=false`: HTTPS without verification first, then plain HTTP.
//!
//! Blob downloads start at an offset (`Range`), so a download cut in the middle continues where
//! it stopped; the caller decides what to keep (`registry::mirror` keeps what was received as a
//! chunk of its upload and asks for the rest).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, RANGE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode, Url};

use crate::oci::Digest;

/// Every manifest kind the registry serves, in the order a registry should prefer them.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.v1+prettyjws, \
     application/vnd.docker.distribution.manifest.v1+json";

/// Attempts of one request before its error is final.
const ATTEMPTS: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The upstream could not be reached, or broke off (after the retries).
    #[error("cannot reach {0}")]
    Unreachable(String),
    /// The upstream refused the credentials (or asked for some and none were given).
    #[error("{0}: authentication failed (check the username and password)")]
    Unauthorized(String),
    #[error("{0}: not found upstream")]
    NotFound(String),
    /// An answer that is not what the protocol says.
    #[error("{0}")]
    Protocol(String),
    /// A configuration that cannot work (a bad proxy URL, an unreadable CA file).
    #[error("{0}")]
    Config(String),
}

pub type Result<T, E = RemoteError> = std::result::Result<T, E>;

/// How to reach an upstream: Quay's `external_registry_config` and credentials.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub verify_tls: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    pub no_proxy: Option<String>,
}

/// An upstream registry, its scheme settled, with the tokens it granted so far.
pub struct Registry {
    /// `host[:port]` as requests name it.
    pub host: String,
    base: Url,
    http: reqwest::Client,
    credentials: Option<(String, String)>,
    /// Bearer tokens by scope; `None` under `Basic`.
    tokens: Mutex<HashMap<String, String>>,
    challenge: Mutex<Challenge>,
    /// Attempts of each request (see [`Registry::impatient`]).
    attempts: u32,
}

#[derive(Debug, Clone, Default)]
enum Challenge {
    #[default]
    None,
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

/// A manifest as the upstream serves it: the exact bytes, its media type and digest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub bytes: Bytes,
    pub media_type: String,
    /// The upstream's `Docker-Content-Digest`, when it sent one.
    pub digest: Option<String>,
}

/// `host[:port]/path` split in two; `docker.io` is Docker Hub's API host, as in Quay.
pub fn split_reference(reference: &str) -> Result<(String, String)> {
    let reference = reference.trim().trim_start_matches("docker://");
    let (host, path) = reference
        .split_once('/')
        .ok_or_else(|| RemoteError::Config(format!("`{reference}` is not an upstream reference (host[:port]/path)")))?;
    if host.is_empty() || path.is_empty() || !(host.contains('.') || host.contains(':') || host == "localhost") {
        return Err(RemoteError::Config(format!(
            "`{reference}` does not start with a registry host (such as quay.io or registry.example.com:5000)"
        )));
    }
    let host = if host == "docker.io" { "registry-1.docker.io" } else { host };
    Ok((host.to_owned(), path.to_owned()))
}

/// The certificates of `extra_ca_certs/` (a folder of PEM files, or a PEM file of that name).
fn extra_roots(config_dir: &Path) -> Result<Vec<reqwest::Certificate>> {
    let place = config_dir.join("extra_ca_certs");
    let files: Vec<std::path::PathBuf> = if place.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(&place)
            .map_err(|e| RemoteError::Config(format!("{}: {e}", place.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else if place.is_file() {
        vec![place]
    } else {
        Vec::new()
    };
    let mut roots = Vec::new();
    for file in files {
        let pem = std::fs::read(&file).map_err(|e| RemoteError::Config(format!("{}: {e}", file.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| RemoteError::Config(format!("{}: not a PEM certificate: {e}", file.display())))?;
        roots.extend(certs);
    }
    Ok(roots)
}

fn client(options: &Options, config_dir: &Path, verify: bool) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("quay/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        // A stalled transfer fails (and is resumed) rather than hanging a sync.
        .read_timeout(Duration::from_secs(60))
        // Only the proxies the mirror names: a server's environment is not the mirror's setting.
        .no_proxy();
    if verify {
        for root in extra_roots(config_dir)? {
            builder = builder.add_root_certificate(root);
        }
    } else {
        builder = builder.tls_danger_accept_invalid_certs(true);
    }
    let no_proxy = options.no_proxy.as_deref().and_then(reqwest::NoProxy::from_string);
    let proxy_config = |e: reqwest::Error| RemoteError::Config(format!("proxy: {e}"));
    if let Some(p) = options.http_proxy.as_deref().filter(|p| !p.is_empty()) {
        builder = builder.proxy(reqwest::Proxy::http(p).map_err(proxy_config)?.no_proxy(no_proxy.clone()));
    }
    if let Some(p) = options.https_proxy.as_deref().filter(|p| !p.is_empty()) {
        builder = builder.proxy(reqwest::Proxy::https(p).map_err(proxy_config)?.no_proxy(no_proxy));
    }
    builder.build().map_err(|e| RemoteError::Config(format!("HTTP client: {e}")))
}

/// Whether an error is worth another attempt.
fn transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The pause before attempt `n` (1-based): 0.5 s, 1 s, 2 s...
fn backoff(n: u32) -> Duration {
    Duration::from_millis(500 << n.saturating_sub(1).min(5))
}

impl Registry {
    /// Settles how to reach `host`: HTTPS, or without `verify_tls` HTTPS unverified and then
    /// plain HTTP; the first answer to `GET /v2/` (200 or a 401 challenge) decides.
    pub async fn connect(host: &str, options: &Options, config_dir: &Path) -> Result<Registry> {
        Self::connect_within(host, options, config_dir, ATTEMPTS).await
    }

    /// [`Registry::connect`] in at most `rounds` rounds (one: a pull waiting on the answer would
    /// rather be served the cached copy at once).
    pub async fn connect_within(host: &str, options: &Options, config_dir: &Path, rounds: u32) -> Result<Registry> {
        let http = client(options, config_dir, options.verify_tls)?;
        let schemes: &[&str] = if options.verify_tls { &["https"] } else { &["https", "http"] };
        let mut last = None;
        // Each scheme once per round (HTTPS to a plain-HTTP upstream fails at once, and is not
        // worth retrying before HTTP is tried), rounds retried as single requests are.
        for attempt in 0..rounds.max(1) as usize * schemes.len() {
            let (round, scheme) = (attempt / schemes.len() + 1, schemes[attempt % schemes.len()]);
            if round > 1 && attempt % schemes.len() == 0 {
                tokio::time::sleep(backoff(round as u32 - 1)).await;
            }
            let base = Url::parse(&format!("{scheme}://{host}/"))
                .map_err(|_| RemoteError::Config(format!("`{host}` is not a registry host")))?;
            let registry = Registry {
                host: host.to_owned(),
                base,
                http: http.clone(),
                credentials: options.username.clone().zip(options.password.clone()),
                tokens: Mutex::new(HashMap::new()),
                challenge: Mutex::new(Challenge::None),
                attempts: ATTEMPTS,
            };
            match registry.ping().await {
                Ok(()) => return Ok(registry),
                Err(RemoteError::Unreachable(why)) => last = Some(why),
                Err(other) => return Err(other),
            }
        }
        Err(RemoteError::Unreachable(last.unwrap_or_else(|| host.to_owned())))
    }

    /// Two attempts per request instead of four: for a client waiting on the answer (a pull
    /// through a proxy cache), which would rather be served the cached copy than wait for an
    /// upstream that is down.
    pub fn impatient(mut self) -> Self {
        self.attempts = 2;
        self
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    async fn ping(&self) -> Result<()> {
        let url = self.url("/v2/");
        let response = attempts(&self.host, 1, || self.http.get(url.clone()).send()).await?;
        match response.status() {
            s if s.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED => {
                self.learn_challenge(response.headers());
                Ok(())
            }
            s if transient(s) => Err(RemoteError::Unreachable(format!("{}: GET /v2/ answered {s}", self.host))),
            // Not a registry: a web server answering on that port, or the wrong path.
            s => Err(RemoteError::Protocol(format!("{}: GET /v2/ answered {s}; is it a registry?", self.host))),
        }
    }

    fn learn_challenge(&self, headers: &HeaderMap) {
        let Some(value) = headers.get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()) else {
            return;
        };
        let (scheme, params) = value.split_once(' ').unwrap_or((value, ""));
        let challenge = if scheme.eq_ignore_ascii_case("bearer") {
            let params = parse_challenge_params(params);
            match params.get("realm") {
                Some(realm) => Challenge::Bearer { realm: realm.clone(), service: params.get("service").cloned() },
                None => return,
            }
        } else if scheme.eq_ignore_ascii_case("basic") {
            Challenge::Basic
        } else {
            return;
        };
        if let Ok(mut c) = self.challenge.lock() {
            *c = challenge;
        }
    }

    /// A token for `scope` from the realm the registry named.
    async fn fetch_token(&self, scope: &str) -> Result<Option<String>> {
        let challenge = self.challenge.lock().map(|c| c.clone()).unwrap_or_default();
        let Challenge::Bearer { realm, service } = challenge else {
            return Ok(None);
        };
        let mut url = Url::parse(&realm)
            .map_err(|_| RemoteError::Protocol(format!("{}: the token realm `{realm}` is not a URL", self.host)))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = &service {
                query.append_pair("service", service);
            }
            query.append_pair("scope", scope);
        }
        let response = retrying(&self.host, || {
            let mut request = self.http.get(url.clone());
            if let Some((user, password)) = &self.credentials {
                request = request.basic_auth(user, Some(password));
            }
            request.send()
        })
        .await?;
        match response.status() {
            s if s.is_success() => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(RemoteError::Unauthorized(self.host.clone()));
            }
            s => return Err(RemoteError::Protocol(format!("{}: the token service answered {s}", self.host))),
        }
        #[derive(serde::Deserialize)]
        struct TokenAnswer {
            token: Option<String>,
            access_token: Option<String>,
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|e| RemoteError::Protocol(format!("{}: the token service's answer: {e}", self.host)))?;
        let token = answer
            .token
            .or(answer.access_token)
            .ok_or_else(|| RemoteError::Protocol(format!("{}: the token service sent no token", self.host)))?;
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(scope.to_owned(), token.clone());
        }
        Ok(Some(token))
    }

    fn authorization(&self, scope: &str) -> Option<String> {
        let challenge = self.challenge.lock().map(|c| c.clone()).unwrap_or_default();
        match challenge {
            Challenge::Bearer { .. } => self.tokens.lock().ok()?.get(scope).map(|t| format!("Bearer {t}")),
            Challenge::Basic => self.credentials.as_ref().map(|(user, password)| {
                use base64::Engine as _;
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                format!("Basic {encoded}")
            }),
            Challenge::None => None,
        }
    }

    /// Sends a request for `repository` with its pull scope, answering one challenge (a first
    /// one, or an expired token) and retrying transient failures. `path` may carry a query.
    async fn send(
        &self,
        method: Method,
        repository: &str,
        path: &str,
        headers: &[(reqwest::header::HeaderName, String)],
    ) -> Result<reqwest::Response> {
        let scope = format!("repository:{repository}:pull");
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut url = self.url(path);
        url.set_query(Some(query).filter(|q| !q.is_empty()));
        let mut answered_challenge = false;
        loop {
            let auth = self.authorization(&scope);
            let response = attempts(&self.host, self.attempts, || {
                let mut request = self.http.request(method.clone(), url.clone());
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                if let Some(auth) = &auth {
                    request = request.header(AUTHORIZATION, auth);
                }
                request.send()
            })
            .await?;
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            if answered_challenge {
                return Err(RemoteError::Unauthorized(self.host.clone()));
            }
            answered_challenge = true;
            self.learn_challenge(response.headers());
            let has_credentials = self.credentials.is_some();
            let challenge = self.challenge.lock().map(|c| c.clone()).unwrap_or_default();
            match challenge {
                Challenge::Bearer { .. } => {
                    self.fetch_token(&scope).await?;
                }
                Challenge::Basic if has_credentials => {}
                _ => return Err(RemoteError::Unauthorized(self.host.clone())),
            }
        }
    }

    /// Whether the credentials are taken: a token from the realm (Bearer), or `GET /v2/` with
    /// them (Basic). Without credentials, whether the registry serves anonymous clients.
    pub async fn check_credentials(&self) -> Result<()> {
        let challenge = self.challenge.lock().map(|c| c.clone()).unwrap_or_default();
        match challenge {
            Challenge::None => Ok(()),
            Challenge::Bearer { .. } => self.fetch_token("registry:catalog:*").await.map(|_| ()),
            Challenge::Basic => {
                let auth = self.authorization("").ok_or_else(|| RemoteError::Unauthorized(self.host.clone()))?;
                let url = self.url("/v2/");
                let response =
                    retrying(&self.host, || self.http.get(url.clone()).header(AUTHORIZATION, &auth).send()).await?;
                if response.status().is_success() { Ok(()) } else { Err(RemoteError::Unauthorized(self.host.clone())) }
            }
        }
    }

    /// Every tag of `repository`, following the `Link` pages.
    pub async fn tags(&self, repository: &str) -> Result<Vec<String>> {
        let mut tags = Vec::new();
        let mut path_and_query = format!("/v2/{repository}/tags/list?n=1000");
        for _ in 0..10_000 {
            let response = self.send(Method::GET, repository, &path_and_query, &[]).await?;
            let status = response.status();
            if status == StatusCode::NOT_FOUND {
                return Err(RemoteError::NotFound(format!("{}/{repository}", self.host)));
            }
            if !status.is_success() {
                return Err(RemoteError::Protocol(format!("{}: listing the tags answered {status}", self.host)));
            }
            let next = response
                .headers()
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|link| link.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map(|(u, _)| u))
                .map(str::to_owned);
            #[derive(serde::Deserialize)]
            struct TagList {
                tags: Option<Vec<String>>,
            }
            let page: TagList = response
                .json()
                .await
                .map_err(|e| RemoteError::Protocol(format!("{}: the tag list: {e}", self.host)))?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                // The link is a path, or (some registries) a whole URL on the same host.
                Some(link) => {
                    path_and_query = match Url::parse(&link) {
                        Ok(u) => format!("{}?{}", u.path(), u.query().unwrap_or("")),
                        Err(_) => link,
                    }
                }
                None => break,
            }
        }
        Ok(tags)
    }

    /// The digest and media type of `reference` (a HEAD), or `None` when there is no such manifest.
    pub async fn manifest_digest(&self, repository: &str, reference: &str) -> Result<Option<(String, String)>> {
        let path = format!("/v2/{repository}/manifests/{reference}");
        let response = self.send(Method::HEAD, repository, &path, &[(ACCEPT, MANIFEST_ACCEPT.to_owned())]).await?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => {
                let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                Ok(header("docker-content-digest").map(|d| (d, header("content-type").unwrap_or_default())))
            }
            s => Err(RemoteError::Protocol(format!("{}: HEAD of {repository}:{reference} answered {s}", self.host))),
        }
    }

    /// The manifest `reference` (a tag or a digest), at most `limit` bytes. By digest, the bytes
    /// must hash to it.
    pub async fn manifest(&self, repository: &str, reference: &str, limit: u64) -> Result<Manifest> {
        let path = format!("/v2/{repository}/manifests/{reference}");
        let response = self.send(Method::GET, repository, &path, &[(ACCEPT, MANIFEST_ACCEPT.to_owned())]).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(RemoteError::NotFound(format!("{}/{repository}:{reference}", self.host)));
        }
        if !status.is_success() {
            return Err(RemoteError::Protocol(format!(
                "{}: GET of {repository}:{reference} answered {status}",
                self.host
            )));
        }
        let header = |name| response.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok());
        let media_type =
            header(CONTENT_TYPE.as_str()).unwrap_or_default().split(';').next().unwrap_or("").trim().to_owned();
        let digest = header("docker-content-digest").map(str::to_owned);
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(RemoteError::Protocol(format!(
                "{}: the manifest {repository}:{reference} is larger than {limit} bytes",
                self.host
            )));
        }
        let bytes = read_limited(response, limit)
            .await
            .map_err(|e| RemoteError::Unreachable(format!("{}: reading {repository}:{reference}: {e}", self.host)))?
            .ok_or_else(|| {
                RemoteError::Protocol(format!(
                    "{}: the manifest {repository}:{reference} is larger than {limit} bytes",
                    self.host
                ))
            })?;
        if let Ok(expected) = Digest::parse(reference) {
            let parsed = crate::oci::parse_manifest(Some(&media_type), &bytes).ok();
            let actual = match parsed {
                Some(p) => p.digest(expected.algorithm(), &bytes),
                None => Digest::of(expected.algorithm(), &bytes),
            };
            if actual != expected {
                return Err(RemoteError::Protocol(format!(
                    "{}: the manifest served as {expected} has digest {actual}",
                    self.host
                )));
            }
        }
        Ok(Manifest { bytes, media_type, digest })
    }

    /// The blob `digest` from `offset` on: the response and how many leading bytes of its body to
    /// skip (an upstream that ignores `Range` sends the whole blob).
    pub async fn blob(&self, repository: &str, digest: &str, offset: u64) -> Result<(reqwest::Response, u64)> {
        let path = format!("/v2/{repository}/blobs/{digest}");
        let headers: Vec<_> = if offset > 0 { vec![(RANGE, format!("bytes={offset}-"))] } else { Vec::new() };
        let response = self.send(Method::GET, repository, &path, &headers).await?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => Ok((response, 0)),
            StatusCode::OK => Ok((response, offset)),
            StatusCode::NOT_FOUND => Err(RemoteError::NotFound(format!("{}/{repository}@{digest}", self.host))),
            s => Err(RemoteError::Protocol(format!("{}: GET of blob {digest} answered {s}", self.host))),
        }
    }

    /// The referrers index of `digest` (`GET /v2/<name>/referrers/<digest>`): an empty one from a
    /// registry without the referrers API (distribution 2.8 answers 404).
    pub async fn referrers(&self, repository: &str, digest: &Digest) -> Result<serde_json::Value> {
        let path = format!("/v2/{repository}/referrers/{digest}");
        let response = self.send(Method::GET, repository, &path, &[]).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
            return Ok(serde_json::json!({"manifests": []}));
        }
        if !status.is_success() {
            return Err(RemoteError::Protocol(format!("{}: the referrers of {digest} answered {status}", self.host)));
        }
        let bytes = read_limited(response, 4 << 20)
            .await
            .map_err(|e| RemoteError::Unreachable(format!("{}: reading the referrers of {digest}: {e}", self.host)))?
            .ok_or_else(|| RemoteError::Protocol(format!("{}: the referrers of {digest} are too large", self.host)))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| RemoteError::Protocol(format!("{}: the referrers of {digest}: {e}", self.host)))
    }

    /// A small blob (an image configuration) in memory, at most `limit` bytes, checked against
    /// its digest.
    pub async fn small_blob(&self, repository: &str, digest: &Digest, limit: u64) -> Result<Bytes> {
        let (response, _) = self.blob(repository, &digest.to_string(), 0).await?;
        let bytes = read_limited(response, limit)
            .await
            .map_err(|e| RemoteError::Unreachable(format!("{}: reading blob {digest}: {e}", self.host)))?
            .ok_or_else(|| {
                RemoteError::Protocol(format!("{}: blob {digest} is larger than {limit} bytes", self.host))
            })?;
        if Digest::of(digest.algorithm(), &bytes) != *digest {
            return Err(RemoteError::Protocol(format!("{}: blob {digest} does not hash to its digest", self.host)));
        }
        Ok(bytes)
    }
}

/// The body, or `None` past `limit` bytes.
async fn read_limited(mut response: reqwest::Response, limit: u64) -> Result<Option<Bytes>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(Bytes::from(body)))
}

/// Sends (built anew for each attempt) until an answer that is not transient, or the attempts
/// run out.
async fn retrying<F, Fut>(host: &str, send: F) -> Result<reqwest::Response>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = reqwest::Result<reqwest::Response>>,
{
    attempts(host, ATTEMPTS, send).await
}

async fn attempts<F, Fut>(host: &str, most: u32, mut send: F) -> Result<reqwest::Response>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = reqwest::Result<reqwest::Response>>,
{
    let mut attempt = 1;
    loop {
        let outcome = send().await;
        let retry = match &outcome {
            Ok(r) => transient(r.status()),
            Err(e) => !e.is_builder(),
        };
        if !retry || attempt >= most {
            return match outcome {
                Ok(response) => Ok(response),
                Err(e) => Err(RemoteError::Unreachable(format!("{host}: {}", error_chain(&e)))),
            };
        }
        tokio::time::sleep(backoff(attempt)).await;
        attempt += 1;
    }
}

/// An error with its causes, which is where reqwest says what went wrong (refused, TLS...).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `key="value", key2=value2` of a challenge.
fn parse_challenge_params(text: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else { break };
        let key = key.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        params.insert(key, value.to_owned());
        rest = after.trim_start_matches([',', ' ']);
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_parsed_with_quoted_commas() {
        let p = parse_challenge_params(
            r#"realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(p["realm"], "https://auth.docker.io/token");
        assert_eq!(p["service"], "registry.docker.io");
        assert_eq!(p["scope"], "repository:a/b:pull,push");
        let p = parse_challenge_params("realm=http://h/auth, service=s");
        assert_eq!(p["realm"], "http://h/auth");
        assert_eq!(p["service"], "s");
    }

    #[test]
    fn references_name_a_host_and_docker_hub_is_its_api_host() {
        assert_eq!(split_reference("quay.io/org/img").unwrap(), ("quay.io".into(), "org/img".into()));
        assert_eq!(
            split_reference("docker.io/library/x").unwrap(),
            ("registry-1.docker.io".into(), "library/x".into())
        );
        assert_eq!(split_reference("127.0.0.1:5000/a").unwrap(), ("127.0.0.1:5000".into(), "a".into()));
        assert!(split_reference("library/ubuntu").is_err());
        assert!(split_reference("quay.io").is_err());
    }
}
