//! Pulls through proxy cache organizations (Quay's proxy cache, `FEATURE_PROXY_CACHE`): the
//! repositories of such an organization are copies of an upstream's, fetched on first pull and
//! served locally afterwards.
//!
//! - A pull of a repository that does not exist yet creates it (private).
//! - A manifest pulled by tag is compared with the upstream's (one HEAD); a new or changed one is
//!   fetched and stored, with its image configuration, and the tag expires `expiration_s` after
//!   its last pull (each pull of a current tag renews it). With the upstream unreachable, a cached
//!   tag that has not expired is served.
//! - Layers come on their first GET: the manifest is stored without them (its `manifestblob`
//!   rows are added as they arrive), and a blob GET that finds nothing downloads the blob from
//!   upstream, stores it as an upload would and serves it. Concurrent pulls of one blob on a node
//!   wait for the one download.
//!
//! Every write goes through the same domain functions as a push, as the system.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::Actor;
use crate::db::proxy::ProxyCacheRow;
use crate::db::repository::RepoRow;
use crate::oci::{Digest, ManifestKind, Reference, RepositoryName};
use crate::remote;

/// How long a node trusts what it read of an organization's proxy cache setting.
const CONFIG_TTL: Duration = Duration::from_secs(5);
/// How long a node keeps its client of an upstream (and the tokens it was granted).
const CLIENT_TTL: Duration = Duration::from_secs(300);
const MAX_MANIFEST_BYTES: u64 = 10 << 20;

/// This node's view of the proxy caches: settings and upstream clients by namespace, and the
/// blob downloads in progress.
#[derive(Default)]
pub struct Proxies {
    settings: Mutex<HashMap<i32, (Instant, Option<ProxyCacheRow>)>>,
    clients: Mutex<HashMap<i32, Client>>,
    downloads: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A client of an upstream: when it was made, for which `upstream_registry`, and the client.
type Client = (Instant, String, Arc<remote::Registry>);

/// The namespace's proxy cache setting, if it is a proxy cache organization.
/// Tags one pull may evict to make room, at most.
const MAX_EVICTIONS: usize = 1000;

async fn setting(app: &App, namespace_id: i32) -> Result<Option<ProxyCacheRow>> {
    if !app.config.feature_proxy_cache {
        return Ok(None);
    }
    if let Ok(settings) = app.proxies.settings.lock()
        && let Some((read, row)) = settings.get(&namespace_id)
        && read.elapsed() < CONFIG_TTL
    {
        return Ok(row.clone());
    }
    let row = crate::db::proxy::find_proxy_cache(&app.db.read, namespace_id).await?;
    if let Ok(mut settings) = app.proxies.settings.lock() {
        settings.insert(namespace_id, (Instant::now(), row.clone()));
    }
    Ok(row)
}

/// The upstream's host (Docker Hub's API host for `docker.io`).
fn upstream_host(row: &ProxyCacheRow) -> String {
    let host = row.upstream_registry.split('/').next().unwrap_or_default();
    if host == "docker.io" { "registry-1.docker.io".to_owned() } else { host.to_owned() }
}

/// The repository path upstream of `name`: the upstream's namespace, if it names one, and the
/// repository (Quay's mapping: `{org}/{repo}` is `{ns}/{repo}` upstream).
fn upstream_path(row: &ProxyCacheRow, name: &RepositoryName) -> String {
    match row.upstream_registry.split_once('/') {
        Some((_, namespace)) if !namespace.is_empty() => format!("{namespace}/{}", name.repository()),
        _ => name.repository().to_owned(),
    }
}

fn options(app: &App, row: &ProxyCacheRow) -> Result<remote::Options> {
    let decrypt = |stored: &Option<String>| -> Result<Option<String>> {
        match (stored, &app.secrets) {
            (None, _) => Ok(None),
            (Some(s), Some(secrets)) => secrets.decrypt(s).map(Some).map_err(|_| {
                RegistryError::Internal(anyhow::anyhow!("the proxy cache's credentials cannot be decrypted"))
            }),
            (Some(_), None) => {
                Err(RegistryError::Internal(anyhow::anyhow!("the proxy cache's credentials need DATABASE_SECRET_KEY")))
            }
        }
    };
    Ok(remote::Options {
        verify_tls: !row.insecure,
        username: decrypt(&row.upstream_registry_username)?,
        password: decrypt(&row.upstream_registry_password)?,
        ..Default::default()
    })
}

/// A client of the namespace's upstream, kept a while (its tokens with it).
async fn client(app: &App, namespace_id: i32, row: &ProxyCacheRow) -> Result<Arc<remote::Registry>, RemoteFailure> {
    let host = upstream_host(row);
    if let Ok(clients) = app.proxies.clients.lock()
        && let Some((made, upstream, registry)) = clients.get(&namespace_id)
        && made.elapsed() < CLIENT_TTL
        && *upstream == row.upstream_registry
    {
        return Ok(registry.clone());
    }
    super::mirror::upstream_allowed(&app.config, &host, true)
        .await
        .map_err(|why| RemoteFailure(format!("{}: {why}", super::mirror::NOT_ALLOWED)))?;
    let options = options(app, row).map_err(|e| RemoteFailure(e.to_string()))?;
    let registry = Arc::new(
        remote::Registry::connect_within(&host, &options, &app.config.config_dir, 1)
            .await
            .map_err(|e| RemoteFailure(e.to_string()))?
            .impatient(),
    );
    if let Ok(mut clients) = app.proxies.clients.lock() {
        clients.insert(namespace_id, (Instant::now(), row.upstream_registry.clone(), registry.clone()));
    }
    Ok(registry)
}

/// Why the upstream could not answer.
#[derive(Debug)]
struct RemoteFailure(String);

impl From<remote::RemoteError> for RemoteFailure {
    fn from(e: remote::RemoteError) -> Self {
        RemoteFailure(e.to_string())
    }
}

/// Quay's answer when the upstream cannot give what was asked.
fn not_upstream(why: &str) -> RegistryError {
    tracing::info!(error = %why, "proxy cache: the upstream did not answer");
    RegistryError::ManifestUnknown
}

/// Whether the actor pulls from the namespace as a proxy cache organization (its members, and
/// whoever reaches every namespace); `false` when it is not one. The setting is read through this
/// node's short cache, so a token grant costs no query where no proxy cache is set.
pub async fn may_pull(app: &App, actor: &Actor, namespace_id: i32) -> Result<bool> {
    if setting(app, namespace_id).await?.is_none() {
        return Ok(false);
    }
    if actor.reaches_everything(&app.config) {
        return Ok(true);
    }
    let Some(user) = actor.signed_in_user() else { return Ok(false) };
    Ok(crate::db::team::organization_membership(&app.db.read, namespace_id, user.id).await?.0)
}

/// The repository a pull names; in a proxy cache organization, created on its first pull.
pub async fn repository_for_pull(app: &App, name: &RepositoryName) -> Result<RepoRow> {
    if let Some(repo) = super::find_repository(app, name).await? {
        return Ok(repo);
    }
    if !app.config.feature_proxy_cache {
        return Err(RegistryError::NameUnknown);
    }
    match crate::db::proxy::namespace_proxy(&app.db.read, name.namespace()).await? {
        Some((_, true)) => super::repositories::insert(app, &Actor::system(), name, false, None)
            .await?
            .ok_or(RegistryError::NameUnknown),
        _ => Err(RegistryError::NameUnknown),
    }
}

/// When `end` of a tag pulled now is: `expiration_s` from now (0: never).
fn expiry(row: &ProxyCacheRow) -> Option<i64> {
    match row.expiration_s.unwrap_or(86400) {
        0 => None,
        s => Some(crate::util::now_ms() + s as i64 * 1000),
    }
}

/// Brings the manifest a pull names up to date from upstream, in a proxy cache repository
/// (nothing elsewhere); the caller then serves it from the registry as any other.
pub async fn refresh_manifest(app: &App, name: &RepositoryName, repo: &RepoRow, reference: &Reference) -> Result<()> {
    let Some(row) = setting(app, repo.namespace_id).await? else { return Ok(()) };
    let path = upstream_path(&row, name);
    match reference {
        Reference::Tag(tag) => {
            let local = app.db.find_tagged_manifest(repo.id, tag).await?.map(|m| m.digest);
            let upstream = match client(app, repo.namespace_id, &row).await {
                Ok(u) => u,
                // The cached copy, while it has not expired.
                Err(RemoteFailure(_)) if local.is_some() => return Ok(()),
                Err(RemoteFailure(why)) => return Err(not_upstream(&why)),
            };
            match upstream.manifest_digest(&path, tag).await {
                Ok(Some((digest, _))) if local.as_deref() == Some(digest.as_str()) => {
                    crate::db::tag::set_tag_expiration(&app.db.write, repo.id, tag, expiry(&row)).await?;
                    Ok(())
                }
                Ok(Some((digest, _))) => {
                    let manifest = upstream
                        .manifest(&path, &digest, MAX_MANIFEST_BYTES)
                        .await
                        .map_err(|e| not_upstream(&e.to_string()))?;
                    store(app, &upstream, &path, name, repo, reference, &manifest).await?;
                    crate::db::tag::set_tag_expiration(&app.db.write, repo.id, tag, expiry(&row)).await?;
                    Ok(())
                }
                // Gone upstream: what is cached stays until it expires.
                Ok(None) => Ok(()),
                Err(_) if local.is_some() => Ok(()),
                Err(e) => Err(not_upstream(&e.to_string())),
            }
        }
        Reference::Digest(digest) => {
            if app.db.find_live_manifest(repo.id, &digest.to_string()).await?.is_some() {
                return Ok(());
            }
            let upstream =
                client(app, repo.namespace_id, &row).await.map_err(|RemoteFailure(why)| not_upstream(&why))?;
            let manifest = upstream
                .manifest(&path, &digest.to_string(), MAX_MANIFEST_BYTES)
                .await
                .map_err(|e| not_upstream(&e.to_string()))?;
            store(app, &upstream, &path, name, repo, reference, &manifest).await
        }
    }
}

/// Stores an upstream manifest: its image configuration first (the registry reads its labels),
/// then the manifest, its layers left to their first GET.
async fn store(
    app: &App,
    upstream: &remote::Registry,
    path: &str,
    name: &RepositoryName,
    repo: &RepoRow,
    reference: &Reference,
    manifest: &remote::Manifest,
) -> Result<()> {
    let parsed = crate::oci::parse_manifest(Some(&manifest.media_type), &manifest.bytes)?;
    if let ManifestKind::Image { config, .. } = &parsed.kind {
        // Room for the whole image now, so that its layers' first GETs fit too.
        let mut needed = 0;
        for (digest, size) in parsed.required_blobs() {
            if app.db.find_blob_in_repo(repo.id, &digest.to_string()).await?.is_none() {
                needed += size.unwrap_or(0);
            }
        }
        make_room(app, repo, needed).await?;
        download(app, upstream, path, repo, &config.digest, Some(config.size), None).await?;
    }
    super::manifests::put_cached_manifest(app, name, repo, reference, &manifest.media_type, &manifest.bytes).await?;
    Ok(())
}

/// Downloads a blob into the repository unless it is there (or stored elsewhere: linked), then
/// links it to the repository's manifests that reference it.
async fn download(
    app: &App,
    upstream: &remote::Registry,
    path: &str,
    repo: &RepoRow,
    digest: &Digest,
    size: Option<u64>,
    tee: Option<super::mirror::Tee>,
) -> Result<()> {
    let system = Actor::system();
    let text = digest.to_string();
    if app.db.find_blob_in_repo(repo.id, &text).await?.is_none()
        && !super::link_stored_blob(app, &system, repo, digest, size).await?
    {
        make_room(app, repo, size.unwrap_or(0)).await?;
        super::mirror::download_blob(app, &system, repo, upstream, path, digest, size, tee)
            .await
            .map_err(|why| RegistryError::Internal(anyhow::anyhow!("proxy cache: blob {digest}: {why}")))?;
    }
    if let Some(blob) = app.db.find_blob_in_repo(repo.id, &text).await? {
        crate::db::proxy::link_blob_to_manifests(&app.db.write, repo.id, blob.id, &text).await?;
    }
    Ok(())
}

/// Quay's quota for cached content: when the organization's Reject threshold leaves no room for
/// `needed` more bytes, the cached tags that expire soonest are moved out of the time machine and
/// their repositories collected, one at a time, until the bytes fit. With nothing left to evict
/// the pull is refused with the quota's error (403 DENIED).
async fn make_room(app: &App, repo: &RepoRow, needed: u64) -> Result<()> {
    for _ in 0..MAX_EVICTIONS {
        if super::quota::fits(app, repo, needed).await? {
            return Ok(());
        }
        let Some(victim) = crate::db::proxy::soonest_expiring_tag(&app.db.read, repo.namespace_id).await? else {
            break;
        };
        let tx = app.db.begin().await?;
        crate::db::proxy::evict_tag(&tx, &victim).await?;
        tx.commit().await?;
        super::gc::collect_repository_now(app, victim.repository_id, repo.namespace_id)
            .await
            .map_err(RegistryError::Internal)?;
        metrics::counter!("quay_proxy_cache_evictions_total").increment(1);
        tracing::info!(repository = victim.repository_id, tag = %victim.name, needed, "proxy cache over its quota: evicted a tag");
    }
    Err(super::quota::exceeded())
}

/// This node's gate for one blob's download: pulls that find it held wait for the download.
fn download_gate(app: &App, key: &str) -> Result<Arc<tokio::sync::Mutex<()>>> {
    let mut downloads = app.proxies.downloads.lock().map_err(|_| anyhow::anyhow!("proxy cache state poisoned"))?;
    Ok(downloads.entry(key.to_owned()).or_default().clone())
}

/// How long a node's claim on a blob's download lasts unless renewed (renewed every third of it).
const DOWNLOAD_CLAIM: Duration = Duration::from_secs(30);

/// Whether the blob is in the repository now, linking it there (and to the repository's manifests
/// that name it) when the registry stores it elsewhere.
async fn here(app: &App, repo: &RepoRow, digest: &Digest) -> Result<bool> {
    let text = digest.to_string();
    if app.db.find_blob_in_repo(repo.id, &text).await?.is_some() {
        return Ok(true);
    }
    if !super::link_stored_blob(app, &Actor::system(), repo, digest, None).await? {
        return Ok(false);
    }
    if let Some(blob) = app.db.find_blob_in_repo(repo.id, &text).await? {
        crate::db::proxy::link_blob_to_manifests(&app.db.write, repo.id, blob.id, &text).await?;
    }
    Ok(true)
}

/// Claims the download of `digest` among all nodes (a lease row like the job leases), waiting
/// while another node holds the claim until the blob is here (stored by that node, then linked
/// into this repository); a claim whose node died runs out and is taken over. `None`: the blob is
/// here now.
async fn claim_download(app: &App, repo: &RepoRow, digest: &Digest) -> Result<Option<crate::db::queue::Lease>> {
    let claim = format!("proxy-blob/{digest}");
    loop {
        if let Some(lease) =
            crate::db::queue::try_acquire_lease(&app.db.write, &claim, &app.node, DOWNLOAD_CLAIM).await?
        {
            return Ok(Some(lease));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        if here(app, repo, digest).await? {
            return Ok(None);
        }
    }
}

/// Runs a download under its claim, renewing the claim meanwhile, and gives it back after.
async fn under_claim(
    app: &App,
    mut lease: crate::db::queue::Lease,
    work: impl Future<Output = Result<()>>,
) -> Result<()> {
    let outcome = {
        let renewing = async {
            loop {
                tokio::time::sleep(DOWNLOAD_CLAIM / 3).await;
                if let Err(e) = crate::db::queue::renew_lease(&app.db.write, &mut lease, DOWNLOAD_CLAIM).await {
                    tracing::debug!(error = %e, "proxy cache: cannot renew a download's claim");
                }
            }
        };
        tokio::pin!(work);
        tokio::select! {
            outcome = &mut work => outcome,
            () = renewing => unreachable!("renews forever"),
        }
    };
    if let Err(e) = crate::db::queue::release_lease(&app.db.write, lease).await {
        tracing::debug!(error = %e, "proxy cache: cannot give a download's claim back; it runs out");
    }
    outcome
}

/// A blob GET that found nothing, in a proxy cache repository: the blob is downloaded from
/// upstream (once at a time: concurrent pulls, on this node or another, wait for it) and then
/// served as any other.
/// `false` when the repository is not a proxy cache's.
pub async fn fetch_blob(app: &App, name: &RepositoryName, repo: &RepoRow, digest: &Digest) -> Result<bool> {
    let Some(row) = setting(app, repo.namespace_id).await? else { return Ok(false) };
    let key = format!("{}/{digest}", repo.id);
    let gate = download_gate(app, &key)?;
    let outcome = {
        let _one_at_a_time = gate.lock().await;
        if app.db.find_blob_in_repo(repo.id, &digest.to_string()).await?.is_some() {
            Ok(())
        } else if let Some(claim) = claim_download(app, repo, digest).await? {
            let path = upstream_path(&row, name);
            match client(app, repo.namespace_id, &row).await {
                Ok(upstream) => {
                    under_claim(app, claim, download(app, &upstream, &path, repo, digest, None, None)).await
                }
                Err(RemoteFailure(why)) => {
                    tracing::info!(error = %why, "proxy cache: the upstream did not answer");
                    let _ = crate::db::queue::release_lease(&app.db.write, claim).await;
                    Err(RegistryError::BlobUnknown)
                }
            }
        } else {
            Ok(())
        }
    };
    if let Ok(mut downloads) = app.proxies.downloads.lock()
        && Arc::strong_count(&gate) <= 2
    {
        downloads.remove(&key);
    }
    outcome.map(|()| true)
}

/// A blob GET that found nothing, answered from upstream as it arrives.
pub enum Streamed {
    /// Not a proxy cache repository.
    NotProxied,
    /// Here now (another pull downloaded it meanwhile, or it was stored elsewhere): serve it.
    Stored,
    /// This pull starts the download: the bytes, in order, as they arrive (their digest is
    /// checked once all are in, before the blob is stored; the client checks it too).
    Arriving(tokio::sync::mpsc::Receiver<bytes::Bytes>),
}

/// Starts the download of a blob a GET found missing in a proxy cache repository and hands back
/// its bytes as they arrive, while the download goes on (to the end, whatever the client does) in
/// a task of its own; a GET that finds a download running waits for it and is served the stored
/// blob.
pub async fn stream_blob(
    app: &crate::app::AppState,
    name: &RepositoryName,
    repo: &RepoRow,
    digest: &Digest,
) -> Result<Streamed> {
    let Some(row) = setting(app, repo.namespace_id).await? else { return Ok(Streamed::NotProxied) };
    let key = format!("{}/{digest}", repo.id);
    let gate = download_gate(app, &key)?;
    let Ok(turn) = gate.clone().try_lock_owned() else {
        // Another pull is downloading it: wait for the stored blob.
        let _done = gate.lock().await;
        return match app.db.find_blob_in_repo(repo.id, &digest.to_string()).await? {
            Some(_) => Ok(Streamed::Stored),
            None => Err(RegistryError::BlobUnknown),
        };
    };
    if here(app, repo, digest).await? {
        return Ok(Streamed::Stored);
    }
    // Another node may be downloading it: then this GET waits for the stored blob.
    let Some(claim) = claim_download(app, repo, digest).await? else { return Ok(Streamed::Stored) };
    let upstream = match client(app, repo.namespace_id, &row).await {
        Ok(upstream) => upstream,
        Err(RemoteFailure(why)) => {
            tracing::info!(error = %why, "proxy cache: the upstream did not answer");
            let _ = crate::db::queue::release_lease(&app.db.write, claim).await;
            return Err(RegistryError::BlobUnknown);
        }
    };
    let (tee, arriving) = tokio::sync::mpsc::channel(16);
    let (app, repo, digest, path) = (app.clone(), repo.clone(), digest.clone(), upstream_path(&row, name));
    tokio::spawn(async move {
        let _turn = turn;
        let downloaded = download(&app, &upstream, &path, &repo, &digest, None, Some(tee));
        if let Err(e) = under_claim(&app, claim, downloaded).await {
            tracing::warn!(%digest, error = %e, "proxy cache: the blob's download failed");
        }
        if let Ok(mut downloads) = app.proxies.downloads.lock() {
            downloads.remove(&key);
        }
    });
    Ok(Streamed::Arriving(arriving))
}

/// Whether an upstream answers, and takes the credentials, with these settings: `Ok(())`, or why
/// not.
pub async fn check_upstream(app: &App, host: &str, options: &remote::Options) -> Result<(), String> {
    let registry =
        remote::Registry::connect_within(host, options, &app.config.config_dir, 1).await.map_err(|e| e.to_string())?;
    registry.check_credentials().await.map_err(|e| e.to_string())
}
