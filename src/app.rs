//! The application state shared by every request: configuration, database, storage and keys.

use std::sync::Arc;

use crate::auth::keys::{SigningKey, VerificationKeys};
use crate::auth::secret::FieldEncryption;
use crate::config::LoadedConfig;
use crate::db::Db;
use crate::storage::Storage;

/// The Quay schema (Alembic revision) this program reads and writes.
pub const SCHEMA_REVISION: &str = crate::db::ALEMBIC_REVISION;

pub struct App {
    pub config: crate::config::Config,
    pub db: Db,
    pub storage: Storage,
    pub signing_key: SigningKey,
    pub verification_keys: VerificationKeys,
    /// Quay's field encryption with `DATABASE_SECRET_KEY` (robot tokens and other secrets).
    pub secrets: Option<FieldEncryption>,
    /// Action logs (`logentry3`).
    pub audit: crate::audit::AuditLog,
    /// Failed sign-ins per client address and the line for password checks.
    pub logins: crate::auth::gate::LoginGate,
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
        let (location, driver) = config.storage()?;
        let db = Db::open(&config.database()?, &location).await?;
        let storage = Storage::open(&driver).await?;
        let storage = if config.feature_proxy_storage { storage.proxy_all_reads() } else { storage };
        let (key_path, kid_path) = loaded.service_key_paths();
        let signing_key = SigningKey::load_or_generate(&key_path, &kid_path)?;
        let verification_keys = VerificationKeys::new(&config.instance_service_key_service);
        let secrets = config.field_encryption()?;
        let audit = crate::audit::AuditLog::start(db.write.clone(), crate::db::log::log_kinds(&db.read).await?);
        let logins = crate::auth::gate::LoginGate::new();
        let app = App { config, db, storage, signing_key, verification_keys, secrets, audit, logins };
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
