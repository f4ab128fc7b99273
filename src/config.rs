//! Quay's `config.yaml`: the keys, their defaults and their validation. The rest of the program reads
//! a validated [`Config`]; nothing else parses YAML or looks at environment variables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The preset rendered into a new data directory on first start.
pub const MIRROR_PRESET: &str = include_str!("../presets/mirror.yaml");

/// One entry of `DISTRIBUTED_STORAGE_CONFIG`: `[DriverName, {params}]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StorageLocation(pub String, #[serde(default)] pub BTreeMap<String, Value>);

/// The keys that make a storage layout (a running server applies changes to them at once).
pub const STORAGE_KEYS: [&str; 4] = [
    "DISTRIBUTED_STORAGE_CONFIG",
    "DISTRIBUTED_STORAGE_PREFERENCE",
    "DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS",
    "FEATURE_STORAGE_REPLICATION",
];

/// Every storage location of a config, in read order (the preferred one first), and the names of
/// those every new blob is copied to.
#[derive(Debug, Clone, PartialEq)]
pub struct StoragePlan {
    pub locations: Vec<(String, StorageDriver)>,
    pub replicate_to: Vec<String>,
}

/// The keys this program reads, with Quay's names and defaults.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    #[serde(rename = "SERVER_HOSTNAME")]
    pub server_hostname: String,
    #[serde(rename = "PREFERRED_URL_SCHEME")]
    pub preferred_url_scheme: String,
    #[serde(rename = "DB_URI")]
    pub db_uri: String,
    #[serde(rename = "DISTRIBUTED_STORAGE_CONFIG")]
    pub distributed_storage_config: BTreeMap<String, StorageLocation>,
    #[serde(rename = "DISTRIBUTED_STORAGE_PREFERENCE")]
    pub distributed_storage_preference: Vec<String>,
    /// Locations every new blob is copied to (with `FEATURE_STORAGE_REPLICATION`).
    #[serde(rename = "DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS")]
    pub distributed_storage_default_locations: Vec<String>,
    #[serde(rename = "FEATURE_STORAGE_REPLICATION")]
    pub feature_storage_replication: bool,
    /// Names the storage keys as written in the file (before paths are resolved, so a server in a
    /// container and a command on the host reading one file agree); never shows their values.
    #[serde(skip)]
    pub storage_fingerprint: String,
    #[serde(rename = "AUTHENTICATION_TYPE")]
    pub authentication_type: String,
    #[serde(rename = "SUPER_USERS")]
    pub super_users: Vec<String>,
    #[serde(rename = "SECRET_KEY")]
    pub secret_key: Option<String>,
    #[serde(rename = "DATABASE_SECRET_KEY")]
    pub database_secret_key: Option<String>,
    #[serde(rename = "FEATURE_ANONYMOUS_ACCESS")]
    pub feature_anonymous_access: bool,
    /// Superusers (acting as such) reach every namespace's repositories and organizations through
    /// every door; without it they have the superuser panel only, as in Quay.
    #[serde(rename = "FEATURE_SUPERUSERS_FULL_ACCESS")]
    pub feature_superusers_full_access: bool,
    #[serde(rename = "ROBOTS_DISALLOW")]
    pub robots_disallow: bool,
    #[serde(rename = "ROBOTS_WHITELIST")]
    pub robots_whitelist: Vec<String>,
    #[serde(rename = "FEATURE_APP_SPECIFIC_TOKENS")]
    pub feature_app_specific_tokens: bool,
    /// Quay's switch for serving blobs through the registry instead of redirecting clients to a
    /// pre-signed storage URL.
    #[serde(rename = "FEATURE_PROXY_STORAGE")]
    pub feature_proxy_storage: bool,
    #[serde(rename = "FEATURE_PUBLIC_CATALOG")]
    pub feature_public_catalog: bool,
    #[serde(rename = "FEATURE_REFERRERS_API")]
    pub feature_referrers_api: bool,
    #[serde(rename = "FEATURE_LIBRARY_SUPPORT")]
    pub feature_library_support: bool,
    #[serde(rename = "LIBRARY_NAMESPACE")]
    pub library_namespace: String,
    #[serde(rename = "CREATE_PRIVATE_REPO_ON_PUSH")]
    pub create_private_repo_on_push: bool,
    #[serde(rename = "CREATE_NAMESPACE_ON_PUSH")]
    pub create_namespace_on_push: bool,
    /// Manifest lists may omit children (oc-mirror's and Quay's architecture filters push them):
    /// a missing child is skipped unless its architecture is in `SPARSE_INDEX_REQUIRED_ARCHS`.
    #[serde(rename = "FEATURE_SPARSE_INDEX")]
    pub feature_sparse_index: bool,
    #[serde(rename = "SPARSE_INDEX_REQUIRED_ARCHS")]
    pub sparse_index_required_archs: Vec<String>,
    /// Repository mirroring; with it a repository may be put in the MIRROR state.
    #[serde(rename = "FEATURE_REPO_MIRROR")]
    pub feature_repo_mirror: bool,
    /// Organizations may be pull-through caches of an upstream registry.
    #[serde(rename = "FEATURE_PROXY_CACHE")]
    pub feature_proxy_cache: bool,
    /// Seconds between two looks for mirrors due a sync.
    #[serde(rename = "REPO_MIRROR_INTERVAL")]
    pub repo_mirror_interval: u64,
    /// A sync with a failed tag undoes all of its tag changes (else only the failed tags stay as
    /// they were).
    #[serde(rename = "REPO_MIRROR_ROLLBACK")]
    pub repo_mirror_rollback: bool,
    /// Hosts and CIDRs a mirror may reach although they are internal (loopback, private,
    /// link-local): Quay's SSRF rule.
    #[serde(rename = "SSRF_ALLOWED_HOSTS")]
    pub ssrf_allowed_hosts: Vec<String>,
    /// The folder of `config.yaml`, where Quay keeps `extra_ca_certs/` (certificates trusted for upstreams).
    #[serde(skip)]
    pub config_dir: PathBuf,
    #[serde(rename = "PUSH_TEMP_TAG_EXPIRATION_SEC")]
    pub push_temp_tag_expiration_sec: u64,
    /// `POST /api/v1/user/initialize` may create the first user of an empty database.
    #[serde(rename = "FEATURE_USER_INITIALIZE")]
    pub feature_user_initialize: bool,
    /// How long a deleted user's or organization's content waits before it is purged.
    #[serde(rename = "NAMESPACE_GC_GRACE_PERIOD_SECONDS")]
    pub namespace_gc_grace_period_seconds: u64,
    #[serde(rename = "MAXIMUM_LAYER_SIZE")]
    pub maximum_layer_size: Size,
    /// Not a Quay key: the largest manifest body accepted (Quay relies on nginx's 1 MiB default).
    #[serde(rename = "MAXIMUM_MANIFEST_SIZE")]
    pub maximum_manifest_size: Size,
    #[serde(rename = "V2_PAGINATION_SIZE")]
    pub v2_pagination_size: u32,
    #[serde(rename = "INSTANCE_SERVICE_KEY_SERVICE")]
    pub instance_service_key_service: String,
    #[serde(rename = "INSTANCE_SERVICE_KEY_EXPIRATION")]
    pub instance_service_key_expiration_min: u64,
    #[serde(rename = "INSTANCE_SERVICE_KEY_REFRESH")]
    pub instance_service_key_refresh_min: u64,
    #[serde(rename = "INSTANCE_SERVICE_KEY_LOCATION")]
    pub instance_service_key_location: Option<PathBuf>,
    #[serde(rename = "INSTANCE_SERVICE_KEY_KID_LOCATION")]
    pub instance_service_key_kid_location: Option<PathBuf>,
    #[serde(rename = "REGISTRY_JWT_AUTH_MAX_FRESH_S")]
    pub registry_jwt_auth_max_fresh_s: u64,
    #[serde(rename = "TOKEN_VALIDITY_LIFETIME_S")]
    pub token_validity_lifetime_s: u64,
    #[serde(rename = "REGISTRY_STATE")]
    pub registry_state: RegistryState,
    #[serde(rename = "DISABLE_PUSHES")]
    pub disable_pushes: bool,
    #[serde(rename = "DEFAULT_TAG_EXPIRATION")]
    pub default_tag_expiration: Span,
    #[serde(rename = "TAG_EXPIRATION_OPTIONS")]
    pub tag_expiration_options: Vec<String>,
    /// Not a Quay key: `text` or `json` log lines.
    #[serde(rename = "LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Uploads untouched for this many minutes are removed (Quay's blobuploadcleanupworker).
    #[serde(rename = "BLOBUPLOAD_DELETION_DATE_THRESHOLD")]
    pub blobupload_deletion_date_threshold_min: u64,
    /// How long expired app-specific tokens are kept before deletion (Quay's duration syntax).
    #[serde(rename = "EXPIRED_APP_SPECIFIC_TOKEN_GC")]
    pub expired_app_specific_token_gc: Span,
    /// Deletes action logs older than `ACTION_LOG_ROTATION_THRESHOLD` (Quay archives them first;
    /// this program has no archive and only deletes).
    #[serde(rename = "FEATURE_ACTION_LOG_ROTATION")]
    pub feature_action_log_rotation: bool,
    #[serde(rename = "ACTION_LOG_ROTATION_THRESHOLD")]
    pub action_log_rotation_threshold: Span,
    #[serde(rename = "FEATURE_QUOTA_MANAGEMENT")]
    pub feature_quota_management: bool,
    /// A Reject limit for namespaces without a quota of their own (0: none).
    #[serde(rename = "DEFAULT_SYSTEM_REJECT_QUOTA_BYTES")]
    pub default_system_reject_quota_bytes: u64,
    #[serde(rename = "FEATURE_AUTO_PRUNE")]
    pub feature_auto_prune: bool,
    /// Seconds between autoprune passes.
    #[serde(rename = "AUTO_PRUNING_POLL_PERIOD")]
    pub auto_pruning_poll_period: u64,
    #[serde(rename = "FEATURE_GARBAGE_COLLECTION")]
    pub feature_garbage_collection: bool,
    /// Seconds between garbage collection passes.
    #[serde(rename = "GARBAGE_COLLECTION_FREQUENCY")]
    pub garbage_collection_frequency: u64,
    /// Not a Quay key: uploads are refused while the filesystem of local storage or of the SQLite
    /// database has less free space than this (`2G`, or `5%` of the filesystem); by default the
    /// smaller of 2 GiB and 5 %. What is kept lets deletes and garbage collection commit.
    #[serde(rename = "STORAGE_MIN_FREE")]
    pub storage_min_free: Option<String>,
    /// Not a Quay key: where `/metrics` is served without credentials (Quay's metrics port);
    /// `none` turns it off. The registry port serves `/metrics` to superusers only.
    #[serde(rename = "METRICS_LISTEN")]
    pub metrics_listen: String,
    /// Not a Quay key: the proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the
    /// client; from anyone else the header is ignored and the peer is the client.
    #[serde(rename = "TRUSTED_PROXIES")]
    pub trusted_proxies: Vec<Network>,
    /// Not a Quay key: seconds between two runs of each background job.
    #[serde(rename = "WORKER_PERIOD_SECONDS")]
    pub worker_period_seconds: u64,
    /// Not a Quay key: how long a node's claim on a job lasts without renewal; another node takes
    /// the job over this long after its holder died.
    #[serde(rename = "WORKER_LEASE_SECONDS")]
    pub worker_lease_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server_hostname: "localhost:5000".into(),
            preferred_url_scheme: "http".into(),
            db_uri: String::new(),
            distributed_storage_config: BTreeMap::new(),
            distributed_storage_preference: Vec::new(),
            distributed_storage_default_locations: Vec::new(),
            feature_storage_replication: false,
            storage_fingerprint: String::new(),
            authentication_type: "Database".into(),
            super_users: Vec::new(),
            secret_key: None,
            database_secret_key: None,
            feature_anonymous_access: true,
            feature_public_catalog: false,
            feature_proxy_storage: false,
            feature_superusers_full_access: false,
            robots_disallow: false,
            robots_whitelist: Vec::new(),
            feature_app_specific_tokens: true,
            feature_referrers_api: true,
            feature_library_support: true,
            library_namespace: "library".into(),
            create_private_repo_on_push: true,
            create_namespace_on_push: false,
            feature_sparse_index: false,
            sparse_index_required_archs: Vec::new(),
            feature_repo_mirror: false,
            feature_proxy_cache: false,
            repo_mirror_interval: 30,
            repo_mirror_rollback: false,
            ssrf_allowed_hosts: Vec::new(),
            config_dir: PathBuf::from("."),
            push_temp_tag_expiration_sec: 3600,
            feature_user_initialize: false,
            namespace_gc_grace_period_seconds: 0,
            maximum_layer_size: Size(20 << 30),
            maximum_manifest_size: Size(4 << 20),
            v2_pagination_size: 50,
            instance_service_key_service: "quay".into(),
            instance_service_key_expiration_min: 120,
            instance_service_key_refresh_min: 55,
            instance_service_key_location: None,
            instance_service_key_kid_location: None,
            registry_jwt_auth_max_fresh_s: 3660,
            token_validity_lifetime_s: 3600,
            registry_state: RegistryState::Normal,
            disable_pushes: false,
            default_tag_expiration: Span::days(14),
            tag_expiration_options: vec!["0s".into(), "1d".into(), "1w".into(), "2w".into(), "4w".into()],
            log_format: LogFormat::Text,
            blobupload_deletion_date_threshold_min: 2880,
            expired_app_specific_token_gc: Span::days(1),
            feature_action_log_rotation: false,
            action_log_rotation_threshold: Span::days(30),
            feature_quota_management: false,
            default_system_reject_quota_bytes: 0,
            feature_auto_prune: false,
            auto_pruning_poll_period: 30,
            feature_garbage_collection: true,
            garbage_collection_frequency: 30,
            trusted_proxies: Vec::new(),
            storage_min_free: None,
            metrics_listen: "127.0.0.1:9091".into(),
            worker_period_seconds: 300,
            worker_lease_seconds: 60,
        }
    }
}

/// Keys of Quay's config that a Quay `config.yaml` commonly carries and that this program accepts
/// without acting on them (their features are out of scope or handled by the deployment).
const QUAY_KEYS_ACCEPTED: &[&str] = &[
    "BUILDLOGS_REDIS",
    "USER_EVENTS_REDIS",
    "DB_CONNECTION_ARGS",
    "ENTERPRISE_LOGO_URL",
    "REGISTRY_TITLE",
    "REGISTRY_TITLE_SHORT",
    "SETUP_COMPLETE",
    "EXTERNAL_TLS_TERMINATION",
    "ALLOW_PULLS_WITHOUT_STRICT_LOGGING",
    "USERFILES_LOCATION",
    "USERFILES_PATH",
    "LOG_ARCHIVE_LOCATION",
    "LOG_ARCHIVE_PATH",
    "MAIL_DEFAULT_SENDER",
    "MAIL_PORT",
    "MAIL_SERVER",
    "MAIL_USE_TLS",
    "TESTING",
    "USE_CDN",
];

/// Keys of Quay's config schema for features this registry does not serve (yet): reported as
/// "not supported", apart from keys Quay does not know either.
const QUAY_KEYS_NOT_SUPPORTED: &[&str] = &[
    "FEATURE_SECURITY_SCANNER",
    "SECURITY_SCANNER_V4_ENDPOINT",
    "SECURITY_SCANNER_V4_PSK",
    "SECURITY_SCANNER_INDEXING_INTERVAL",
    "SECURITY_SCANNER_NOTIFICATIONS",
    "FEATURE_SECURITY_NOTIFICATIONS",
    "FEATURE_BUILD_SUPPORT",
    "BUILDMAN_HOSTNAME",
    "BUILD_MANAGER",
    "FEATURE_GITHUB_BUILD",
    "FEATURE_GITLAB_BUILD",
    "FEATURE_BITBUCKET_BUILD",
    "FEATURE_STORAGE_REPLICATION",
    "FEATURE_PROXY_CACHE_BLOB_DOWNLOAD",
    "FEATURE_ORG_MIRROR",
    "ORG_MIRROR_INTERVAL",
    "REPO_MIRROR_TLS_VERIFY",
    "REPO_MIRROR_SERVER_HOSTNAME",
    "FEATURE_MAILING",
    "FEATURE_RESTRICTED_USERS",
    "RESTRICTED_USERS_WHITELIST",
    "GLOBAL_READONLY_SUPER_USERS",
    "FEATURE_SUPERUSERS_ORG_CREATION_ONLY",
    "FEATURE_IMAGE_PULL_STATS",
    "FEATURE_USER_LAST_ACCESSED",
    "FEATURE_REQUIRE_ENCRYPTED_BASIC_AUTH",
    "FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE",
    "DEFAULT_NAMESPACE_AUTOPRUNE_POLICY",
    "DATA_MODEL_CACHE_CONFIG",
    "LOGS_MODEL",
    "LOGS_MODEL_CONFIG",
    "LDAP_URI",
    "LDAP_BASE_DN",
    "LDAP_ADMIN_DN",
    "LDAP_ADMIN_PASSWD",
    "LDAP_USER_RDN",
    "LDAP_UID_ATTR",
    "LDAP_EMAIL_ATTR",
    "FEATURE_TEAM_SYNCING",
    "FEATURE_DIRECT_LOGIN",
    "FEATURE_USER_CREATION",
    "FEATURE_INVITE_ONLY_USER_CREATION",
    "FEATURE_GITHUB_LOGIN",
    "FEATURE_GOOGLE_LOGIN",
    "GITHUB_LOGIN_CONFIG",
    "GOOGLE_LOGIN_CONFIG",
    "FEATURE_UI_V2",
    "FEATURE_BILLING",
    "FEATURE_RECAPTCHA",
    "DB_CONNECTION_POOLING",
    "PERMANENTLY_DELETE_TAGS",
    "RESET_CHILD_MANIFEST_EXPIRATION",
    "ACTION_LOG_ARCHIVE_LOCATION",
    "ACTION_LOG_ARCHIVE_PATH",
    "BLACKLIST_V2_SPEC",
];

/// Where the configuration came from, and the folder its companion files (TLS, keys) live in.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    pub file: PathBuf,
    pub config_dir: PathBuf,
    pub warnings: Vec<String>,
}

impl Config {
    /// Parses YAML text into a validated config. Unknown keys become warnings; wrong types and
    /// impossible values are errors that name the key.
    pub fn from_yaml(text: &str) -> anyhow::Result<(Config, Vec<String>)> {
        let map: BTreeMap<String, Value> = if text.trim().is_empty() {
            BTreeMap::new()
        } else {
            serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("config is not valid YAML: {e}"))?
        };
        let known = known_keys();
        let mut warnings = Vec::new();
        for key in map.keys() {
            if QUAY_KEYS_NOT_SUPPORTED.contains(&key.as_str()) && !known.contains(key) {
                warnings.push(format!("config key `{key}`: Quay's feature is not supported by this registry; ignored"));
            } else if !known.contains(key) && !QUAY_KEYS_ACCEPTED.contains(&key.as_str()) {
                warnings.push(format!("config key `{key}` is not a key Quay or this registry knows; ignored"));
            }
        }
        let config: Config = match serde_json::from_value(Value::Object(map.clone().into_iter().collect())) {
            Ok(c) => c,
            Err(e) => {
                // Find the key at fault so the message says which line to fix.
                for (k, v) in &map {
                    let single = Value::Object([(k.clone(), v.clone())].into_iter().collect());
                    if let Err(e) = serde_json::from_value::<Config>(single) {
                        bail!("config key `{k}`: {e}");
                    }
                }
                bail!("invalid config: {e}");
            }
        };
        config.validate()?;
        let mut config = config;
        config.storage_fingerprint = {
            use sha2::Digest as _;
            let keys = STORAGE_KEYS.map(|k| map.get(k).cloned().unwrap_or(Value::Null));
            let hash = sha2::Sha256::digest(serde_json::Value::Array(keys.to_vec()).to_string().as_bytes());
            hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
        };
        Ok((config, warnings))
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.server_hostname.is_empty() || self.server_hostname.contains('/') || self.server_hostname.contains(' ') {
            bail!("config key `SERVER_HOSTNAME`: `{}` is not a host[:port]", self.server_hostname);
        }
        if !matches!(self.preferred_url_scheme.as_str(), "http" | "https") {
            bail!("config key `PREFERRED_URL_SCHEME`: must be `http` or `https`");
        }
        self.database()?;
        self.storage_plan()?;
        self.min_free_space(1)?;
        if self.metrics_listen != "none" && self.metrics_listen.parse::<std::net::SocketAddr>().is_err() {
            bail!("config key `METRICS_LISTEN`: `{}` is not an ADDRESS:PORT (or `none`)", self.metrics_listen);
        }
        if self.worker_period_seconds == 0 || self.worker_lease_seconds < 2 {
            bail!("config keys `WORKER_PERIOD_SECONDS` and `WORKER_LEASE_SECONDS`: at least 1 and 2 seconds");
        }
        if self.authentication_type != "Database" {
            bail!(
                "config key `AUTHENTICATION_TYPE`: `{}` is not supported; only `Database` is",
                self.authentication_type
            );
        }
        if self.instance_service_key_service.is_empty()
            || !self
                .instance_service_key_service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            bail!("config key `INSTANCE_SERVICE_KEY_SERVICE`: must match ^[a-z0-9_]+$");
        }
        Ok(())
    }

    /// The database named by `DB_URI`.
    pub fn database(&self) -> anyhow::Result<DatabaseUri> {
        let uri = self.db_uri.trim();
        if let Some(path) = uri.strip_prefix("sqlite:///") {
            if path.is_empty() {
                bail!("config key `DB_URI`: `sqlite:///` needs a file path");
            }
            return Ok(DatabaseUri::Sqlite(PathBuf::from(path)));
        }
        if uri.starts_with("postgresql://") || uri.starts_with("postgres://") {
            return Ok(DatabaseUri::Postgres(uri.to_owned()));
        }
        if uri.is_empty() {
            bail!("config key `DB_URI` is required (for example `sqlite:////var/lib/quay/quay.db`)");
        }
        bail!("config key `DB_URI`: unsupported database `{}`", uri.split(':').next().unwrap_or(uri))
    }

    /// The storage location uploads go to: the first of `DISTRIBUTED_STORAGE_PREFERENCE`.
    /// The free space to keep on a filesystem of `total` bytes (`STORAGE_MIN_FREE`).
    pub fn min_free_space(&self, total: u64) -> anyhow::Result<u64> {
        let invalid = || {
            format!(
                "config key `STORAGE_MIN_FREE`: `{}` is not a size (2G) or a percentage (5%)",
                self.storage_min_free.as_deref().unwrap_or_default()
            )
        };
        Ok(match self.storage_min_free.as_deref().map(str::trim) {
            None => (2u64 << 30).min(total / 20),
            Some(p) if p.ends_with('%') => {
                let pct: f64 = p.trim_end_matches('%').trim().parse().map_err(|_| anyhow::anyhow!(invalid()))?;
                if !(0.0..=100.0).contains(&pct) {
                    bail!(invalid());
                }
                (total as f64 * pct / 100.0) as u64
            }
            Some("0") => 0,
            Some(size) => parse_size(size).map_err(|_| anyhow::anyhow!(invalid()))?,
        })
    }

    /// The local folders whose filesystems must keep room: local storage and the SQLite database.
    pub fn local_data_paths(&self) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        if let Ok((_, StorageDriver::Local { storage_path })) = self.storage() {
            paths.push(storage_path);
        }
        if let Ok(DatabaseUri::Sqlite(db)) = self.database() {
            paths.extend(db.parent().map(Path::to_path_buf));
        }
        paths
    }

    /// The preferred storage location (uploads go there): the first of
    /// `DISTRIBUTED_STORAGE_PREFERENCE`.
    pub fn storage(&self) -> anyhow::Result<(String, StorageDriver)> {
        let name = self
            .distributed_storage_preference
            .first()
            .or_else(|| self.distributed_storage_config.keys().next())
            .context("config key `DISTRIBUTED_STORAGE_CONFIG` is required")?;
        Ok((name.clone(), self.storage_driver(name, "DISTRIBUTED_STORAGE_PREFERENCE")?))
    }

    /// Every configured storage location in the order reads try them (the preference list, then
    /// the others by name), and those every new blob is replicated to.
    pub fn storage_plan(&self) -> anyhow::Result<StoragePlan> {
        let (preferred, _) = self.storage()?;
        let mut names = vec![preferred];
        for name in self.distributed_storage_preference.iter().chain(self.distributed_storage_config.keys()) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        let mut locations = Vec::new();
        for name in names {
            let driver = self.storage_driver(&name, "DISTRIBUTED_STORAGE_PREFERENCE")?;
            locations.push((name, driver));
        }
        let mut replicate_to = Vec::new();
        for name in &self.distributed_storage_default_locations {
            if !self.distributed_storage_config.contains_key(name) {
                bail!(
                    "config key `DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS`: `{name}` is not in DISTRIBUTED_STORAGE_CONFIG"
                );
            }
            if self.feature_storage_replication && !replicate_to.contains(name) {
                replicate_to.push(name.clone());
            }
        }
        Ok(StoragePlan { locations, replicate_to })
    }

    /// The driver of the location `name`; `key` is the config key that named it, for errors.
    pub fn storage_driver(&self, name: &str, key: &str) -> anyhow::Result<StorageDriver> {
        let StorageLocation(driver, params) = self
            .distributed_storage_config
            .get(name)
            .with_context(|| format!("config key `{key}`: `{name}` is not in DISTRIBUTED_STORAGE_CONFIG"))?;
        let driver = match driver.as_str() {
            "LocalStorage" => {
                let path = param_text(params, "storage_path")
                    .with_context(|| format!("storage `{name}`: LocalStorage needs `storage_path`"))?;
                StorageDriver::Local { storage_path: PathBuf::from(path) }
            }
            "S3Storage" | "RadosGWStorage" => s3_driver(name, driver, params)?,
            "GoogleCloudStorage" => gcs_driver(name, params)?,
            "AzureStorage" => azure_driver(name, params)?,
            "SwiftStorage" => swift_driver(name, params)?,
            other => bail!(
                "storage `{name}`: driver `{other}` is not supported; use LocalStorage, S3Storage, RadosGWStorage, \
                 GoogleCloudStorage, AzureStorage or SwiftStorage"
            ),
        };
        Ok(driver)
    }

    pub fn max_layer_size(&self) -> u64 {
        self.maximum_layer_size.0
    }

    pub fn max_manifest_size(&self) -> usize {
        usize::try_from(self.maximum_manifest_size.0).unwrap_or(usize::MAX)
    }

    /// Whether the registry takes no writes at all (`REGISTRY_STATE: readonly`, `DISABLE_PUSHES`).
    pub fn read_only(&self) -> bool {
        self.registry_state == RegistryState::ReadOnly || self.disable_pushes
    }

    /// Field encryption with `DATABASE_SECRET_KEY`, when one is configured.
    pub fn field_encryption(&self) -> anyhow::Result<Option<crate::auth::secret::FieldEncryption>> {
        match self.database_secret_key.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => {
                Ok(Some(crate::auth::secret::FieldEncryption::new(k).context("config key `DATABASE_SECRET_KEY`")?))
            }
            None => Ok(None),
        }
    }

    /// How long a deleted namespace waits before garbage collection purges it.
    pub fn namespace_gc_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.namespace_gc_grace_period_seconds)
    }

    /// Quay's "encrypted password" keyed by `SECRET_KEY` (None without one).
    pub fn cli_password(&self) -> Option<crate::auth::secret::CliPassword> {
        self.secret_key.as_deref().and_then(|k| crate::auth::secret::CliPassword::new(k).ok())
    }

    pub fn is_superuser(&self, username: &str) -> bool {
        self.super_users.iter().any(|u| u == username)
    }

    /// The base URL clients reach this registry at: `scheme://SERVER_HOSTNAME`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.preferred_url_scheme, self.server_hostname)
    }

    pub fn library_namespace(&self) -> Option<&str> {
        self.feature_library_support.then_some(self.library_namespace.as_str())
    }
}

/// The keys `Config` reads, taken from its own serialization so the list cannot drift from the fields.
fn known_keys() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(Value::Object(m)) => m.into_iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

/// A PostgreSQL URL as a config keeps it: when the URL given has no password and `PGPASSWORD` is
/// set, with that password (percent-encoded), so that it never has to appear on a command line
/// where `ps` and shell histories show it.
pub fn postgres_url_with_environment_password(url: &str) -> String {
    match (reqwest::Url::parse(url), std::env::var("PGPASSWORD")) {
        (Ok(mut parsed), Ok(password)) if parsed.password().is_none() && !password.is_empty() => {
            if parsed.set_password(Some(&password)).is_ok() { parsed.to_string() } else { url.to_owned() }
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUri {
    Sqlite(PathBuf),
    /// `postgresql://user:password@host:port/database`, as Quay writes it.
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageDriver {
    Local {
        storage_path: PathBuf,
    },
    /// Amazon S3 and S3-compatible services (Quay's `S3Storage` and `RadosGWStorage`, and
    /// `GoogleCloudStorage` with HMAC keys, which Quay also reaches through the S3-compatible API).
    S3 {
        bucket: String,
        storage_path: String,
        endpoint: Option<String>,
        region: String,
        access_key: Option<String>,
        secret_key: Option<String>,
        /// Chunked uploads are joined by the service (multipart copy); GCS's S3 API cannot.
        server_side_assembly: bool,
    },
    /// Google Cloud Storage through its JSON API, authenticated by a service account (or
    /// anonymous, for emulators). Quay has no such form; it is `GoogleCloudStorage` without HMAC keys.
    Gcs {
        bucket: String,
        storage_path: String,
        endpoint: Option<String>,
        /// A service-account JSON key file; it also signs pre-signed URLs.
        credentials_file: Option<PathBuf>,
        anonymous: bool,
    },
    /// Quay's `AzureStorage`.
    Azure {
        container: String,
        storage_path: String,
        account_name: String,
        account_key: Option<String>,
        sas_token: Option<String>,
        endpoint: Option<String>,
    },
    /// Quay's `SwiftStorage`: the registry logs in itself (auth v1 or Keystone v3).
    Swift {
        container: String,
        storage_path: String,
        auth_url: String,
        user: String,
        password: String,
        auth_version: u8,
        os_options: BTreeMap<String, String>,
        temp_url_key: Option<String>,
    },
}

/// A storage parameter as text: YAML strings and numbers, never empty.
fn param_text(params: &BTreeMap<String, Value>, key: &str) -> Option<String> {
    params.get(key).and_then(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn required(params: &BTreeMap<String, Value>, name: &str, driver: &str, key: &str) -> anyhow::Result<String> {
    param_text(params, key).with_context(|| format!("storage `{name}`: {driver} needs `{key}`"))
}

/// Quay's `GoogleCloudStorage {bucket_name, storage_path, access_key, secret_key}` uses HMAC keys on
/// the S3-compatible endpoint, as Quay does. Without HMAC keys the JSON API is used, with
/// `credentials_file` (a service-account key) or, with `anonymous: true`, none (emulators);
/// `endpoint_url` overrides the endpoint in both forms.
fn gcs_driver(name: &str, params: &BTreeMap<String, Value>) -> anyhow::Result<StorageDriver> {
    let bucket = required(params, name, "GoogleCloudStorage", "bucket_name")?;
    let storage_path = param_text(params, "storage_path").unwrap_or_default();
    let endpoint = param_text(params, "endpoint_url");
    match (param_text(params, "access_key"), param_text(params, "secret_key")) {
        (Some(access), Some(secret)) => Ok(StorageDriver::S3 {
            bucket,
            storage_path,
            endpoint: Some(endpoint.unwrap_or_else(|| "https://storage.googleapis.com".into())),
            region: "auto".into(),
            access_key: Some(access),
            secret_key: Some(secret),
            server_side_assembly: false,
        }),
        (None, None) => {
            let credentials_file = param_text(params, "credentials_file").map(PathBuf::from);
            let anonymous = params.get("anonymous").and_then(Value::as_bool).unwrap_or(false);
            if credentials_file.is_none() && !anonymous {
                bail!(
                    "storage `{name}`: GoogleCloudStorage needs `access_key` and `secret_key` (HMAC keys), \
                     `credentials_file` (a service-account key) or `anonymous: true`"
                );
            }
            Ok(StorageDriver::Gcs { bucket, storage_path, endpoint, credentials_file, anonymous })
        }
        _ => bail!("storage `{name}`: GoogleCloudStorage needs both `access_key` and `secret_key`"),
    }
}

/// Quay's `AzureStorage {azure_container, storage_path, azure_account_name, azure_account_key,
/// sas_token, endpoint_url}`.
fn azure_driver(name: &str, params: &BTreeMap<String, Value>) -> anyhow::Result<StorageDriver> {
    let account_key = param_text(params, "azure_account_key");
    let sas_token = param_text(params, "sas_token").map(|t| t.trim_start_matches('?').to_owned());
    if account_key.is_none() && sas_token.is_none() {
        bail!("storage `{name}`: AzureStorage needs `azure_account_key` or `sas_token`");
    }
    Ok(StorageDriver::Azure {
        container: required(params, name, "AzureStorage", "azure_container")?,
        storage_path: param_text(params, "storage_path").unwrap_or_default(),
        account_name: required(params, name, "AzureStorage", "azure_account_name")?,
        account_key,
        sas_token,
        endpoint: param_text(params, "endpoint_url"),
    })
}

/// Quay's `SwiftStorage {swift_container, storage_path, auth_url, swift_user, swift_password,
/// auth_version, os_options, temp_url_key}`.
fn swift_driver(name: &str, params: &BTreeMap<String, Value>) -> anyhow::Result<StorageDriver> {
    let auth_version = match param_text(params, "auth_version").as_deref() {
        None | Some("1") | Some("1.0") => 1,
        Some("3") | Some("3.0") => 3,
        Some(other) => bail!("storage `{name}`: SwiftStorage `auth_version` {other} is not supported (use 1 or 3)"),
    };
    let os_options = match params.get("os_options") {
        Some(Value::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k.clone(), s.clone())),
                Value::Number(n) => Some((k.clone(), n.to_string())),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok(StorageDriver::Swift {
        container: required(params, name, "SwiftStorage", "swift_container")?,
        storage_path: param_text(params, "storage_path").unwrap_or_default(),
        auth_url: required(params, name, "SwiftStorage", "auth_url")?,
        user: required(params, name, "SwiftStorage", "swift_user")?,
        password: required(params, name, "SwiftStorage", "swift_password")?,
        auth_version,
        os_options,
        temp_url_key: param_text(params, "temp_url_key"),
    })
}

/// Quay's S3 parameter names: `S3Storage {s3_bucket, storage_path, s3_access_key, s3_secret_key,
/// s3_region, host, port, endpoint_url}` and `RadosGWStorage {bucket_name, storage_path, access_key,
/// secret_key, hostname, port, is_secure, region_name}`.
fn s3_driver(name: &str, driver: &str, params: &BTreeMap<String, Value>) -> anyhow::Result<StorageDriver> {
    let text = |k: &str| param_text(params, k);
    let radosgw = driver == "RadosGWStorage";
    let bucket_key = if radosgw { "bucket_name" } else { "s3_bucket" };
    let bucket = text(bucket_key).with_context(|| format!("storage `{name}`: {driver} needs `{bucket_key}`"))?;
    let host = if radosgw { text("hostname") } else { text("host") };
    let secure = params.get("is_secure").and_then(Value::as_bool).unwrap_or(true);
    let endpoint = text("endpoint_url").or_else(|| {
        host.map(|h| {
            let scheme = if secure { "https" } else { "http" };
            match text("port") {
                Some(p) => format!("{scheme}://{h}:{p}"),
                None => format!("{scheme}://{h}"),
            }
        })
    });
    let (access, secret, region) = if radosgw {
        (text("access_key"), text("secret_key"), text("region_name"))
    } else {
        (text("s3_access_key"), text("s3_secret_key"), text("s3_region"))
    };
    Ok(StorageDriver::S3 {
        bucket,
        storage_path: text("storage_path").unwrap_or_default(),
        endpoint,
        region: region.unwrap_or_else(|| "us-east-1".into()),
        access_key: access,
        secret_key: secret,
        // Quay's RadosGWStorage parameter; S3 itself always can.
        server_side_assembly: params.get("server_side_assembly").and_then(Value::as_bool).unwrap_or(true),
    })
}

/// Quay's duration strings: a number and one of `s`, `m`, `h`, `d`, `w` (`30m`, `2w`).
/// `REGISTRY_STATE`: whether the registry takes writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistryState {
    Normal,
    #[serde(rename = "readonly")]
    ReadOnly,
}

/// `LOG_FORMAT`: how log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A size in bytes, written in the config as `20G`, `512M` or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Size(pub u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_u64()
                .filter(|n| *n > 0)
                .map(Size)
                .ok_or_else(|| serde::de::Error::custom("must be a size above 0")),
            Value::String(s) => parse_size(&s).map(Size).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!("`{other}` is not a size such as 20G or 512M"))),
        }
    }
}

/// A duration written as Quay writes them (`30m`, `1d`, `2w`), keeping that text for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub duration: std::time::Duration,
    text: String,
}

impl Span {
    pub fn days(n: u64) -> Span {
        Span { duration: std::time::Duration::from_secs(n * 86_400), text: format!("{n}d") }
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let duration = parse_duration(&text).map_err(serde::de::Error::custom)?;
        Ok(Span { duration, text })
    }
}

pub fn parse_duration(s: &str) -> anyhow::Result<std::time::Duration> {
    let t = s.trim();
    let unit = match t.chars().last() {
        Some('s') => 1,
        Some('m') => 60,
        Some('h') => 3600,
        Some('d') => 86_400,
        Some('w') => 604_800,
        _ => bail!("`{s}` is not a duration like `30m`, `1d` or `2w`"),
    };
    let n: u64 =
        t[..t.len() - 1].parse().map_err(|_| anyhow::anyhow!("`{s}` is not a duration like `30m`, `1d` or `2w`"))?;
    Ok(std::time::Duration::from_secs(n.saturating_mul(unit)))
}

/// `20G`, `4M`, `512K`, `1024` (bytes); binary multiples, an optional trailing `B`/`iB`.
pub fn parse_size(s: &str) -> anyhow::Result<u64> {
    let t = s.trim();
    let t = t.strip_suffix("iB").or_else(|| t.strip_suffix('B')).unwrap_or(t);
    let (num, mult) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 1 << 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 1 << 30),
        Some('T' | 't') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let n: u64 = num.trim().parse().map_err(|_| anyhow::anyhow!("`{s}` is not a size such as 20G or 512M"))?;
    n.checked_mul(mult).filter(|v| *v > 0).ok_or_else(|| anyhow::anyhow!("`{s}` is out of range"))
}

impl LoadedConfig {
    /// Loads `--config FILE|DIR`.
    pub fn from_path(path: &Path) -> anyhow::Result<Self> {
        let file = if path.is_dir() { path.join("config.yaml") } else { path.to_path_buf() };
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let (mut config, warnings) = Config::from_yaml(&text).with_context(|| format!("in {}", file.display()))?;
        let config_dir = file.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        config.resolve_relative_paths(&config_dir);
        Ok(LoadedConfig { config, file, config_dir, warnings })
    }

    /// Loads `DIR/config.yaml`, rendering it from the mirror preset first if the folder is new
    /// (the folder 0700, its storage 0700). Paths inside a data dir are relative to it: a config
    /// that names the data dir's own database or storage by an absolute path (written by an
    /// earlier version, or before the folder was moved) is rewritten once to relative paths. A
    /// database or storage folder that a used data dir names but lacks is refused, never created
    /// again: that would fork the registry.
    pub fn from_data_dir(dir: &Path, hostname: &str) -> anyhow::Result<(Self, bool)> {
        let file = dir.join("config.yaml");
        let created = !file.exists();
        if created {
            crate::util::create_private_dir(dir)?;
            let dir = dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))?;
            let text = render_preset(MIRROR_PRESET, hostname);
            crate::util::write_private_file(&dir.join("config.yaml"), text.as_bytes())?;
            crate::util::create_private_dir(&dir.join("storage"))?;
        }
        let dir = dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))?;
        let file = dir.join("config.yaml");
        let rewritten = if created { Vec::new() } else { adopt_relative_paths(&file, &dir)? };
        let mut loaded = Self::from_path(&file)?;
        loaded.warnings.extend(rewritten);
        if !created {
            loaded.refuse_missing_data()?;
        }
        Ok((loaded, created))
    }

    /// A used data dir must still hold its database and storage: refuses to start over.
    fn refuse_missing_data(&self) -> anyhow::Result<()> {
        let db = match self.config.database()? {
            DatabaseUri::Sqlite(path) => Some(path),
            DatabaseUri::Postgres(_) => None,
        };
        let storage: Vec<PathBuf> = self
            .config
            .distributed_storage_config
            .values()
            .filter(|StorageLocation(driver, _)| driver == "LocalStorage")
            .filter_map(|StorageLocation(_, params)| params.get("storage_path")?.as_str().map(PathBuf::from))
            .collect();
        let db_missing = db.as_ref().filter(|p| !p.exists());
        let storage_missing: Vec<&PathBuf> = storage.iter().filter(|p| !p.exists()).collect();
        // Neither there: a first start that stopped before creating them; nothing to lose.
        if db_missing.is_some() && storage_missing.len() == storage.len() {
            return Ok(());
        }
        let how = format!(
            "restore it (or move the data dir back) and start again; to start an empty registry, use a new data dir instead of {}",
            self.config_dir.display()
        );
        if let Some(path) = db_missing {
            anyhow::bail!("the database {} named by {} does not exist; {how}", path.display(), self.file.display());
        }
        if let Some(path) = storage_missing.first() {
            anyhow::bail!("the storage {} named by {} does not exist; {how}", path.display(), self.file.display());
        }
        Ok(())
    }

    /// Rewrites `KEY: value` in the config file (appending the key when absent), keeping every
    /// other line, and applies it to the loaded config.
    pub fn set_key(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        let text =
            std::fs::read_to_string(&self.file).with_context(|| format!("cannot read {}", self.file.display()))?;
        // Plain when YAML reads it back as the same string; quoted otherwise (`[fd00::1]:8443`).
        let plain = !value.is_empty()
            && value.chars().all(|c| c.is_ascii_alphanumeric() || ".-_:/".contains(c))
            && value.starts_with(|c: char| c.is_ascii_alphanumeric());
        let line = if plain {
            format!("{key}: {value}")
        } else {
            format!("{key}: {}", serde_json::Value::String(value.to_owned()))
        };
        let mut found = false;
        let mut lines: Vec<String> = text
            .lines()
            .map(|l| {
                if l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')) {
                    found = true;
                    line.clone()
                } else {
                    l.to_owned()
                }
            })
            .collect();
        if !found {
            lines.push(line);
        }
        let mut text = lines.join("\n");
        text.push('\n');
        let (config, _) =
            Config::from_yaml(&text).with_context(|| format!("setting {key} in {}", self.file.display()))?;
        crate::util::write_private_file(&self.file, text.as_bytes())?;
        let mut config = config;
        config.resolve_relative_paths(&self.config_dir);
        self.config = config;
        Ok(())
    }

    /// Sets (or, with `None`, removes) top-level keys of the config file in one atomic write,
    /// each value written as one line of flow YAML; a key's former block (indented lines and
    /// `- ` items below it) goes with it. Other lines and comments stay.
    pub fn set_values(&mut self, changes: &[(&str, Option<Value>)]) -> anyhow::Result<()> {
        let text =
            std::fs::read_to_string(&self.file).with_context(|| format!("cannot read {}", self.file.display()))?;
        let mut lines: Vec<String> = Vec::new();
        let mut done: Vec<&str> = Vec::new();
        let mut skipping_block = false;
        for line in text.lines() {
            if skipping_block {
                if line.starts_with([' ', '\t', '-']) || line.trim().is_empty() {
                    continue;
                }
                skipping_block = false;
            }
            let change = changes
                .iter()
                .find(|(key, _)| line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')));
            match change {
                Some((key, value)) => {
                    skipping_block = true;
                    done.push(key);
                    if let Some(value) = value {
                        lines.push(format!("{key}: {value}"));
                    }
                }
                None => lines.push(line.to_owned()),
            }
        }
        for (key, value) in changes {
            if let (false, Some(value)) = (done.contains(key), value) {
                lines.push(format!("{key}: {value}"));
            }
        }
        let mut text = lines.join("\n");
        text.push('\n');
        let (mut config, _) = Config::from_yaml(&text).with_context(|| format!("changing {}", self.file.display()))?;
        crate::util::write_private_file(&self.file, text.as_bytes())?;
        config.resolve_relative_paths(&self.config_dir);
        self.config = config;
        Ok(())
    }

    /// Reads the config file again (a running server applies some changes without a restart).
    pub fn reread(&self) -> anyhow::Result<Config> {
        Ok(Self::from_path(&self.file)?.config)
    }

    /// Generates `DATABASE_SECRET_KEY` and `SECRET_KEY` when the config has none, appending them to
    /// the file (so comments and layout stay) and returning the names of the keys added.
    pub fn ensure_secrets(&mut self) -> anyhow::Result<Vec<&'static str>> {
        let mut added = Vec::new();
        let mut lines = String::new();
        if self.config.database_secret_key.as_deref().is_none_or(str::is_empty) {
            let key = crate::util::random_token(48);
            lines.push_str(&format!("DATABASE_SECRET_KEY: {key}\n"));
            self.config.database_secret_key = Some(key);
            added.push("DATABASE_SECRET_KEY");
        }
        if self.config.secret_key.as_deref().is_none_or(str::is_empty) {
            let key = crate::util::random_token(48);
            lines.push_str(&format!("SECRET_KEY: {key}\n"));
            self.config.secret_key = Some(key);
            added.push("SECRET_KEY");
        }
        if !added.is_empty() {
            let mut text =
                std::fs::read_to_string(&self.file).with_context(|| format!("cannot read {}", self.file.display()))?;
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(
                "# Generated by quay on first start; keep them: encrypted fields need DATABASE_SECRET_KEY.\n",
            );
            text.push_str(&lines);
            crate::util::write_private_file(&self.file, text.as_bytes())?;
        }
        Ok(added)
    }

    /// Paths for the TLS certificate and key, as in a Quay config folder.
    /// The TLS files beside the config: the local CA, the served certificate and its key.
    pub fn tls_files(&self) -> crate::tls::TlsFiles {
        crate::tls::TlsFiles::in_dir(&self.config_dir)
    }

    pub fn service_key_paths(&self) -> (PathBuf, PathBuf) {
        let key = self.config.instance_service_key_location.clone().unwrap_or_else(|| self.config_dir.join("quay.pem"));
        let kid =
            self.config.instance_service_key_kid_location.clone().unwrap_or_else(|| self.config_dir.join("quay.kid"));
        (key, kid)
    }
}

impl Config {
    /// Relative database and storage paths are taken relative to the config folder, so a data
    /// directory can be moved as a whole.
    fn resolve_relative_paths(&mut self, base: &Path) {
        self.config_dir = base.to_path_buf();
        if let Some(path) = self.db_uri.strip_prefix("sqlite:///")
            && !path.starts_with('/')
        {
            self.db_uri = format!("sqlite:///{}", base.join(path).display());
        }
        for StorageLocation(driver, params) in self.distributed_storage_config.values_mut() {
            if driver == "LocalStorage"
                && let Some(Value::String(p)) = params.get_mut("storage_path")
                && !p.starts_with('/')
            {
                *p = base.join(&*p).display().to_string();
            }
        }
    }
}

/// Rewrites, in a data dir's config, absolute paths to the data dir's own database and storage as
/// paths relative to it: those under the folder itself, and those of a folder it was moved or
/// copied from when the same name is here. Returns what was changed, to be logged.
fn adopt_relative_paths(file: &Path, dir: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut changes = Vec::new();
    let relative = |path: &str| -> Option<String> {
        let path = Path::new(path);
        if !path.is_absolute() {
            return None;
        }
        if let Ok(inside) = path.strip_prefix(dir) {
            return Some(inside.display().to_string());
        }
        let name = path.file_name()?;
        dir.join(name).exists().then(|| name.to_string_lossy().into_owned())
    };
    let rewritten: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let (prefix, value) = if let Some(v) = trimmed.strip_prefix("DB_URI:") {
                ("DB_URI: ", v.trim().trim_matches(['"', '\''].as_ref()))
            } else if let Some(v) = trimmed.strip_prefix("- storage_path:") {
                ("- storage_path: ", v.trim().trim_matches(['"', '\''].as_ref()))
            } else if let Some(v) = trimmed.strip_prefix("storage_path:") {
                ("storage_path: ", v.trim().trim_matches(['"', '\''].as_ref()))
            } else {
                return line.to_owned();
            };
            let new_value = match value.strip_prefix("sqlite:///") {
                Some(path) if prefix.starts_with("DB_URI") => relative(path).map(|p| format!("sqlite:///{p}")),
                Some(_) => None,
                None if prefix.starts_with("DB_URI") => None,
                None => relative(value),
            };
            match new_value {
                Some(v) => {
                    changes.push(format!("{}: `{value}` is now `{v}`, relative to the data dir", file.display()));
                    format!("{indent}{prefix}{v}")
                }
                None => line.to_owned(),
            }
        })
        .collect();
    if !changes.is_empty() {
        let mut text = rewritten.join("\n");
        text.push('\n');
        crate::util::write_private_file(file, text.as_bytes())?;
    }
    Ok(changes)
}

fn render_preset(preset: &str, hostname: &str) -> String {
    preset
        .replace("${HOSTNAME}", hostname)
        .replace("${SECRET_KEY}", &crate::util::random_token(48))
        .replace("${DATABASE_SECRET_KEY}", &crate::util::random_token(48))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "SERVER_HOSTNAME: reg.example:8443\nDB_URI: sqlite:////tmp/x.db\nDISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {storage_path: /tmp/s}]\nDISTRIBUTED_STORAGE_PREFERENCE: [default]\n";

    #[test]
    fn reads_quay_keys_and_defaults() {
        let (c, warnings) = Config::from_yaml(MINIMAL).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.server_hostname, "reg.example:8443");
        assert_eq!(c.database().unwrap(), DatabaseUri::Sqlite("/tmp/x.db".into()));
        assert!(c.create_private_repo_on_push);
        assert_eq!(c.max_layer_size(), 20 << 30);
        assert_eq!(c.max_manifest_size(), 4 << 20);
    }

    #[test]
    fn warns_on_unknown_keys_and_rejects_bad_values() {
        let (_, w) =
            Config::from_yaml(&format!("{MINIMAL}FEATURE_TYPO: true\nBUILDLOGS_REDIS: {{host: x}}\n")).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("FEATURE_TYPO"));
        let e = Config::from_yaml(&format!("{MINIMAL}FEATURE_ANONYMOUS_ACCESS: maybe\n")).unwrap_err();
        assert!(format!("{e:#}").contains("FEATURE_ANONYMOUS_ACCESS"), "{e:#}");
        let s3 = MINIMAL.replace(
            "[LocalStorage, {storage_path: /tmp/s}]",
            "[RadosGWStorage, {hostname: minio.local, port: 9000, is_secure: false, bucket_name: quay, access_key: a, secret_key: b, storage_path: /registry}]",
        );
        let (c, _) = Config::from_yaml(&s3).unwrap();
        match c.storage().unwrap().1 {
            StorageDriver::S3 { bucket, endpoint, storage_path, .. } => {
                assert_eq!(
                    (bucket.as_str(), endpoint.as_deref(), storage_path.as_str()),
                    ("quay", Some("http://minio.local:9000"), "/registry")
                );
            }
            other => panic!("{other:?}"),
        }
        let e = Config::from_yaml(&MINIMAL.replace("LocalStorage", "FancyStorage")).unwrap_err();
        assert!(format!("{e:#}").contains("FancyStorage"));
        let (pg, _) = Config::from_yaml(&MINIMAL.replace("sqlite:////tmp/x.db", "postgresql://quay@db/quay")).unwrap();
        assert_eq!(pg.database().unwrap(), DatabaseUri::Postgres("postgresql://quay@db/quay".into()));
        let e = Config::from_yaml(&MINIMAL.replace("sqlite:////tmp/x.db", "mysql://x")).unwrap_err();
        assert!(format!("{e:#}").contains("DB_URI"));
        assert!(Config::from_yaml(&format!("{MINIMAL}MAXIMUM_LAYER_SIZE: lots\n")).is_err());
        assert!(Config::from_yaml("- a\n- b\n").is_err());
    }

    #[test]
    fn storage_drivers_use_quays_parameter_names() {
        let driver = |location: &str| {
            let (c, _) = Config::from_yaml(&MINIMAL.replace("[LocalStorage, {storage_path: /tmp/s}]", location))?;
            c.storage().map(|(_, d)| d)
        };
        // GoogleCloudStorage with HMAC keys goes through the S3-compatible API, as in Quay.
        let gcs = driver("[GoogleCloudStorage, {access_key: a, secret_key: b, bucket_name: q, storage_path: /r}]");
        assert_eq!(
            gcs.unwrap(),
            StorageDriver::S3 {
                bucket: "q".into(),
                storage_path: "/r".into(),
                endpoint: Some("https://storage.googleapis.com".into()),
                region: "auto".into(),
                access_key: Some("a".into()),
                secret_key: Some("b".into()),
                server_side_assembly: false,
            }
        );
        let json_api = driver("[GoogleCloudStorage, {bucket_name: q, credentials_file: /etc/quay/sa.json}]").unwrap();
        assert!(matches!(json_api, StorageDriver::Gcs { credentials_file: Some(_), anonymous: false, .. }));
        assert!(driver("[GoogleCloudStorage, {bucket_name: q}]").is_err());
        assert!(driver("[GoogleCloudStorage, {bucket_name: q, access_key: a}]").is_err());

        let azure = driver(
            "[AzureStorage, {azure_container: c, azure_account_name: acct, sas_token: '?sv=1&sig=x', storage_path: /r}]",
        )
        .unwrap();
        match azure {
            StorageDriver::Azure { container, account_name, account_key, sas_token, .. } => {
                assert_eq!((container.as_str(), account_name.as_str()), ("c", "acct"));
                assert_eq!((account_key, sas_token.as_deref()), (None, Some("sv=1&sig=x")));
            }
            other => panic!("{other:?}"),
        }
        assert!(driver("[AzureStorage, {azure_container: c, azure_account_name: acct}]").is_err());

        let swift = driver(
            "[SwiftStorage, {swift_container: c, auth_url: 'http://ks/v3', swift_user: u, swift_password: p, auth_version: 3, os_options: {project_name: quay, region_name: r1}, temp_url_key: k}]",
        )
        .unwrap();
        match swift {
            StorageDriver::Swift { auth_version, os_options, temp_url_key, .. } => {
                assert_eq!(auth_version, 3);
                assert_eq!(os_options.get("project_name").map(String::as_str), Some("quay"));
                assert_eq!(temp_url_key.as_deref(), Some("k"));
            }
            other => panic!("{other:?}"),
        }
        let e = driver(
            "[SwiftStorage, {swift_container: c, auth_url: x, swift_user: u, swift_password: p, auth_version: 2}]",
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("auth_version"), "{e:#}");
        assert!(format!("{:#}", driver("[SwiftStorage, {swift_container: c}]").unwrap_err()).contains("auth_url"));
    }

    #[test]
    fn unsupported_quay_keys_are_told_apart_from_unknown_ones() {
        let (_, w) = Config::from_yaml(
            "DB_URI: sqlite:///q.db\nDISTRIBUTED_STORAGE_CONFIG: {default: [LocalStorage, {storage_path: s}]}\n\
             FEATURE_SECURITY_SCANNER: true\nFEATURE_SECURIT_SCANNER: true\n",
        )
        .unwrap();
        assert!(w.iter().any(|w| w.contains("FEATURE_SECURITY_SCANNER`: Quay's feature is not supported")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("FEATURE_SECURIT_SCANNER` is not a key Quay")), "{w:?}");
    }

    #[test]
    fn preset_renders_to_a_valid_config() {
        let text = render_preset(MIRROR_PRESET, "host.example:8443");
        let (c, w) = Config::from_yaml(&text).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.base_url(), "https://host.example:8443");
        assert!(c.is_superuser("admin"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1d").unwrap().as_secs(), 86_400);
        assert_eq!(parse_duration("30m").unwrap().as_secs(), 1800);
        assert_eq!(parse_duration("0s").unwrap().as_secs(), 0);
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20G").unwrap(), 20 << 30);
        assert_eq!(parse_size("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}

/// An address or a CIDR network (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Network {
    address: std::net::IpAddr,
    prefix: u8,
}

impl TryFrom<String> for Network {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let invalid = || format!("`{s}` is not an address or a CIDR network");
        let (address, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| invalid())?)),
            None => (s.as_str(), None),
        };
        let address: std::net::IpAddr = address.parse().map_err(|_| invalid())?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        if prefix > bits {
            return Err(invalid());
        }
        Ok(Network { address, prefix })
    }
}

impl From<Network> for String {
    fn from(n: Network) -> String {
        format!("{}/{}", n.address, n.prefix)
    }
}

impl Network {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        match (self.address, ip.to_canonical()) {
            (V4(net), V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (V6(net), V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}
