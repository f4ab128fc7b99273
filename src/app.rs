//! The application state shared by every request: configuration, database, storage and keys.

use std::sync::Arc;

use crate::auth::keys::{SigningKey, VerificationKeys};
use crate::auth::secret::FieldEncryption;
use crate::config::LoadedConfig;
use crate::db::Db;
use crate::storage::Storage;
use crate::storage::locations::{Layout, Location, Locations};

/// The Quay schema (Alembic revision) this program reads and writes.
pub const SCHEMA_REVISION: &str = crate::db::ALEMBIC_REVISION;

pub struct App {
    pub config: crate::config::Config,
    pub db: Db,
    /// The storage locations; uploads go to the preferred one.
    pub storage: Locations,
    /// This process's name in leases and node records: host, process id and a random suffix.
    pub node: String,
    /// Group commit of the fsyncs that make pushes durable before they are acknowledged.
    pub durability: crate::durability::SyncBarrier,
    /// Small blobs whose files await a shared sync (`registry::staging`), on a server.
    pub staging: crate::registry::staging::Staging,
    /// Issues upload ids without a write, and knows those closed lately.
    pub upload_ids: crate::registry::UploadIds,
    pub signing_key: SigningKey,
    pub verification_keys: VerificationKeys,
    /// Quay's field encryption with `DATABASE_SECRET_KEY` (robot tokens and other secrets).
    pub secrets: Option<FieldEncryption>,
    /// Action logs (`logentry3`).
    pub audit: crate::audit::AuditLog,
    /// Failed sign-ins per client address and the line for password checks.
    pub logins: crate::auth::gate::LoginGate,
    /// Proxy cache settings and upstream clients this node holds, and its downloads in progress.
    pub proxies: crate::registry::proxy::Proxies,
}

/// Cheap to clone; handed to every handler.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// Opens everything a server needs: database (migrated), storage, and this node's signing key,
    /// registered in `servicekey` so that every node accepts the tokens it issues.
    pub async fn open(loaded: &LoadedConfig) -> anyhow::Result<App> {
        let config = loaded.config.clone();
        let (location, _) = config.storage()?;
        let db = Db::open(&config.database()?, &location).await?;
        let storage = Locations::new(open_layout(&config, &db).await?);
        let (key_path, kid_path) = loaded.service_key_paths();
        let signing_key = SigningKey::load_or_generate(&key_path, &kid_path)?;
        let verification_keys = VerificationKeys::new(&config.instance_service_key_service);
        let secrets = config.field_encryption()?;
        let audit = crate::audit::AuditLog::start(db.write.clone(), crate::db::log::log_kinds(&db.read).await?);
        let logins = crate::auth::gate::LoginGate::new();
        let node = crate::worker::holder_name();
        let durability = crate::durability::SyncBarrier::new();
        let upload_ids = crate::registry::UploadIds::new(config.secret_key.as_deref());
        let proxies = Default::default();
        let app = App {
            config,
            db,
            storage,
            node,
            durability,
            staging: Default::default(),
            upload_ids,
            signing_key,
            verification_keys,
            secrets,
            audit,
            logins,
            proxies,
        };
        app.register_signing_key().await?;
        app.verification_keys.refresh(&app.db).await?;
        Ok(app)
    }

    /// Fails within seconds, naming the server and the cause, when the configured database cannot
    /// be reached: called before a command writes anything (keys, certificates, secrets).
    pub async fn probe_database(config: &crate::config::Config) -> anyhow::Result<()> {
        Db::probe(&config.database()?).await
    }

    /// Whether the database answers.
    pub async fn database_ok(&self) -> bool {
        use sea_orm::ConnectionTrait as _;
        self.db.read.execute_unprepared("SELECT 1").await.is_ok()
    }

    /// Inserts or renews this node's key row; called at startup and then periodically.
    pub async fn register_signing_key(&self) -> anyhow::Result<()> {
        let expires = crate::util::now_naive()
            + chrono::Duration::minutes(self.config.instance_service_key_expiration_min as i64);
        let name = audience_url(&self.config);
        crate::db::service_key::register_service_key(
            &self.db.write,
            &name,
            &self.signing_key.kid,
            &self.config.instance_service_key_service,
            &self.signing_key.jwk.to_string(),
            expires,
        )
        .await?;
        Ok(())
    }
}

/// Opens every storage location of `config`, with the ids of their `imagestoragelocation` rows.
pub async fn open_layout(config: &crate::config::Config, db: &Db) -> anyhow::Result<Layout> {
    let plan = config.storage_plan()?;
    let names: Vec<String> = plan.locations.iter().map(|(name, _)| name.clone()).collect();
    let ids = crate::db::blob::storage_location_ids(&db.write, &names).await?;
    let id_of =
        |name: &str| ids.get(name).copied().ok_or_else(|| anyhow::anyhow!("storage location `{name}` has no row"));
    let mut locations = Vec::new();
    for (name, driver) in &plan.locations {
        let storage = Storage::open(driver).await.map_err(|e| anyhow::anyhow!("storage location `{name}`: {e:#}"))?;
        let storage = if config.feature_proxy_storage { storage.proxy_all_reads() } else { storage };
        locations.push(Location { id: id_of(name)?, name: name.clone(), storage });
    }
    let replicate_to = plan.replicate_to.iter().map(|name| id_of(name)).collect::<anyhow::Result<Vec<_>>>()?;
    Layout::new(locations, replicate_to, config.storage_fingerprint.clone())
}

impl App {
    /// Applies the storage keys of `config` (read again from its file) when they changed; returns
    /// whether the layout changed. Requests already running finish with the layout they began with.
    pub async fn apply_storage_config(&self, config: &crate::config::Config) -> anyhow::Result<bool> {
        if config.storage_fingerprint == self.storage.current().fingerprint {
            return Ok(false);
        }
        let layout = open_layout(config, &self.db).await?;
        let names: Vec<&str> = layout.all().iter().map(|l| l.name.as_str()).collect();
        tracing::info!(locations = names.join(","), preferred = names[0], "storage locations changed");
        self.storage.replace(layout);
        Ok(true)
    }

    /// Tells other processes (`quay migrate storage`) that this one lives and which storage
    /// layout it uses.
    pub async fn record_node(&self) -> anyhow::Result<()> {
        let fingerprint = self.storage.current().fingerprint.clone();
        crate::db::queue::record_node(&self.db.write, &self.node, &fingerprint, NODE_RECORD_TTL).await?;
        Ok(())
    }
}

impl App {
    /// Makes every database commit so far durable (SQLite: its write-ahead log synced, shared by
    /// concurrent callers); called before a push is acknowledged. `what` names it in the record of
    /// steps.
    pub async fn commits_durable(&self, what: &str) -> std::io::Result<()> {
        if let Some(wal) = self.db.write_ahead_log() {
            self.durability.sync([wal]).await?;
        }
        crate::durability::record(|| format!("durable {what}"));
        Ok(())
    }

    /// Removes this node's record as it stops (and records of nodes dead for a day).
    pub async fn forget_node(&self) {
        if let Err(e) = crate::db::queue::forget_node(&self.db.write, &self.node).await {
            tracing::debug!(error = %e, "cannot remove this node's record");
        }
    }
}

/// How long a node record stays live without renewal; nodes renew it every `NODE_RECORD_EVERY`.
pub const NODE_RECORD_TTL: std::time::Duration = std::time::Duration::from_secs(30);
pub const NODE_RECORD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Keeps a server's or worker's storage layout in step with its `config.yaml` (checked every
/// `NODE_RECORD_EVERY`, read again only when the file changed, and at once on `SIGHUP`), and
/// keeps its node record alive. Stops when `app` is the last holder.
pub fn spawn_storage_upkeep(app: AppState, file: std::path::PathBuf) {
    use tokio::signal::unix::{SignalKind, signal};
    let weak = std::sync::Arc::downgrade(&app.0);
    drop(app);
    tokio::spawn(async move {
        let stamp = |file: &std::path::Path| std::fs::metadata(file).and_then(|m| m.modified()).ok();
        let mut seen = stamp(&file);
        let mut hangups = signal(SignalKind::hangup()).ok();
        let mut tick = tokio::time::interval(NODE_RECORD_EVERY);
        let mut since_record = std::time::Duration::MAX;
        loop {
            let hangup = async {
                match hangups.as_mut() {
                    Some(h) => h.recv().await,
                    None => std::future::pending().await,
                }
            };
            let forced = tokio::select! {
                _ = tick.tick() => false,
                _ = hangup => true,
            };
            let Some(app) = weak.upgrade() else { return };
            let now = stamp(&file);
            let mut changed = false;
            if forced || now != seen {
                seen = now;
                let loaded = crate::config::LoadedConfig::from_path(&file);
                match loaded {
                    Ok(loaded) => match app.apply_storage_config(&loaded.config).await {
                        Ok(c) => changed = c,
                        Err(e) => tracing::warn!(
                            error = format!("{e:#}"),
                            "kept the storage locations in use: the changed config cannot be applied"
                        ),
                    },
                    Err(e) => tracing::warn!(error = format!("{e:#}"), "kept the storage locations in use"),
                }
            }
            // Renewed well within its lifetime, and at once after a change.
            if changed || since_record >= NODE_RECORD_TTL / 5 {
                since_record = std::time::Duration::ZERO;
                if let Err(e) = app.record_node().await {
                    tracing::debug!(error = format!("{e:#}"), "cannot record this node");
                }
            } else {
                since_record += NODE_RECORD_EVERY;
            }
        }
    });
}

/// Quay names a node's key after its audience URL, with the default port spelled out.
fn audience_url(config: &crate::config::Config) -> String {
    let host = &config.server_hostname;
    if host.contains(':') {
        config.base_url()
    } else {
        let port = if config.preferred_url_scheme == "https" { 443 } else { 80 };
        format!("{}:{port}", config.base_url())
    }
}
