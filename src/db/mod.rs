//! The database: connections, Quay's schema migrations, lookup rows and the queries the registry
//! runs. Everything that speaks SQL lives here; callers get typed rows back.
//!
//! Invariants:
//! - Lookup rows (`mediatype`, `visibility`, `role`, ...) are resolved by name once at startup;
//!   their ids differ between installs and are never hard-coded.
//! - On SQLite all writes go through one connection (`Db::write`), so writers queue in-process
//!   instead of failing with "database is locked"; reads use a separate pool and never wait for it.
//! - Timestamps are naive UTC with microsecond precision, as Python Quay writes them.

pub mod autoprune;
pub mod blob;
pub mod entities;
pub mod gc;
mod hot;
pub mod log;
pub mod manifest;
mod migrate;
pub mod mirror;
pub mod namespace;
pub mod omr;
pub mod prototype;
pub mod proxy;
pub mod queue;
pub mod quota;
pub mod repository;
pub mod robot;
pub mod service_key;
pub mod stats;
pub mod tag;
pub mod team;
pub mod token;
pub mod transfer;
pub mod upload;
pub mod user;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, SqlxSqliteConnector, Statement,
    TransactionOptions, TransactionTrait, Value,
};

use crate::config::DatabaseUri;

pub use migrate::ALEMBIC_REVISION;

/// Ids of the lookup rows the registry uses, resolved by name.
#[derive(Debug, Clone)]
pub struct Lookups {
    media_type_ids: HashMap<String, i32>,
    media_type_names: HashMap<i32, String>,
    pub visibility_public: i32,
    pub visibility_private: i32,
    pub role_ids: HashMap<String, i32>,
    pub team_role_ids: HashMap<String, i32>,
    pub robot_login_service: i32,
    pub tag_kind_tag: i32,
    pub repository_kind_image: i32,
}

impl Lookups {
    pub fn media_type_id(&self, name: &str) -> Option<i32> {
        self.media_type_ids.get(name).copied()
    }

    pub fn media_type_name(&self, id: i32) -> Option<&str> {
        self.media_type_names.get(&id).map(String::as_str)
    }
}

pub struct Db {
    /// Readers; on SQLite a pool of read-only connections.
    pub read: DatabaseConnection,
    /// The writer; on SQLite a single connection.
    pub write: DatabaseConnection,
    pub lookups: Lookups,
    /// SQLite only: the read hot paths without the async driver's thread hop (see `hot`).
    hot: Option<hot::SqliteReader>,
    /// SQLite only: the database file.
    sqlite_path: Option<std::path::PathBuf>,
}

impl Db {
    /// Opens (creating if needed) the database, brings the schema to Quay's revision and loads the
    /// lookup rows. `storage_location` is the `imagestoragelocation` row to ensure for uploads
    /// (the others are ensured with the storage layout, `blob::storage_location_ids`).
    pub async fn open(uri: &DatabaseUri, storage_location: &str) -> anyhow::Result<Db> {
        let (read, write) = match uri {
            DatabaseUri::Sqlite(path) => open_sqlite(path).await?,
            DatabaseUri::Postgres(url) => {
                let pool = open_postgres(url).await?;
                (pool.clone(), pool)
            }
        };
        migrate::run(&write).await?;
        let lookups = load_lookups(&write, storage_location).await?;
        let hot = match uri {
            DatabaseUri::Sqlite(path) => Some(hot::SqliteReader::open(path.clone())?),
            DatabaseUri::Postgres(_) => None,
        };
        let sqlite_path = match uri {
            DatabaseUri::Sqlite(path) => Some(path.clone()),
            DatabaseUri::Postgres(_) => None,
        };
        Ok(Db { read, write, lookups, hot, sqlite_path })
    }

    /// SQLite's write-ahead log, which a commit appends to without syncing it (`synchronous =
    /// NORMAL`): syncing it makes every commit so far durable. `None` on PostgreSQL, whose commits
    /// are durable when they return.
    pub fn write_ahead_log(&self) -> Option<std::path::PathBuf> {
        self.sqlite_path.as_ref().map(|p| {
            let mut name = p.as_os_str().to_owned();
            name.push("-wal");
            std::path::PathBuf::from(name)
        })
    }

    /// One connection that only reads, for commands that must change nothing (`--dry-run`): no
    /// schema migration, no lookup rows ensured, and on SQLite a read-only open.
    pub async fn open_read_only(uri: &DatabaseUri) -> anyhow::Result<DatabaseConnection> {
        match uri {
            DatabaseUri::Sqlite(path) => {
                use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
                let options =
                    SqliteConnectOptions::new().filename(path).read_only(true).busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .with_context(|| format!("cannot open SQLite database {} for reading", path.display()))?;
                Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
            }
            DatabaseUri::Postgres(url) => open_postgres(url).await,
        }
    }

    /// Connects once, with a short deadline, to tell an unreachable database from a slow start.
    pub async fn probe(uri: &DatabaseUri) -> anyhow::Result<()> {
        match uri {
            DatabaseUri::Sqlite(_) => Ok(()),
            DatabaseUri::Postgres(url) => {
                use sqlx::Connection as _;
                let options: sqlx::postgres::PgConnectOptions =
                    url.parse().context("config key `DB_URI` is not a valid PostgreSQL URL")?;
                let place = format!(
                    "{}:{} (database `{}`)",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or("postgres")
                );
                match tokio::time::timeout(PROBE_TIMEOUT, sqlx::PgConnection::connect_with(&options)).await {
                    Ok(Ok(conn)) => {
                        let _ = conn.close().await;
                        Ok(())
                    }
                    Ok(Err(e)) => Err(anyhow::anyhow!("cannot connect to PostgreSQL at {place}: {}", describe(&e))),
                    Err(_) => Err(anyhow::anyhow!(
                        "cannot connect to PostgreSQL at {place}: no answer within {} s",
                        PROBE_TIMEOUT.as_secs()
                    )),
                }
            }
        }
    }

    /// A repository by namespace and name (hot path).
    pub async fn find_repository(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<repository::RepoRow>, sea_orm::DbErr> {
        let public = self.lookups.visibility_public;
        match &self.hot {
            Some(h) => h.find_repository(namespace, name, public),
            None => repository::find_repository(&self.read, namespace, name, public).await,
        }
    }

    /// A user, robot or organization by name (every request with a token that writes).
    pub async fn find_user(&self, username: &str) -> Result<Option<user::UserRow>, sea_orm::DbErr> {
        if let Some(h) = &self.hot
            && let Some(found) = h.find_user(username)?
        {
            return Ok(found);
        }
        user::find_user(&self.read, username).await
    }

    /// Whether an upload id was marked closed (hot path of a PUT of an upload without a row).
    pub async fn upload_closed(&self, uuid: &str) -> Result<bool, sea_orm::DbErr> {
        match &self.hot {
            Some(h) => h.upload_closed(uuid),
            None => upload::upload_closed(&self.read, uuid).await,
        }
    }

    /// An upload of a repository (hot path of every chunk and finishing PUT).
    pub async fn find_upload(&self, repo_id: i32, uuid: &str) -> Result<Option<upload::UploadRow>, sea_orm::DbErr> {
        match &self.hot {
            Some(h) => h.find_upload(repo_id, uuid),
            None => upload::find_upload(&self.read, repo_id, uuid).await,
        }
    }

    /// Whether the repository's alive tag `name` is immutable (hot path of a push by tag).
    pub async fn tag_is_immutable(&self, repo_id: i32, name: &str) -> Result<bool, sea_orm::DbErr> {
        match &self.hot {
            Some(h) => h.tag_is_immutable(repo_id, name, crate::util::now_ms()),
            None => tag::tag_is_immutable(&self.read, repo_id, name).await,
        }
    }

    /// Those of `digests` present in the repository (hot path of a manifest push).
    pub async fn blobs_in_repo(
        &self,
        repo_id: i32,
        digests: &[String],
    ) -> Result<std::collections::HashMap<String, blob::Stored>, sea_orm::DbErr> {
        match &self.hot {
            Some(h) if !digests.is_empty() => h.blobs_in_repo(repo_id, digests),
            _ => blob::blobs_in_repo(&self.read, repo_id, digests).await,
        }
    }

    /// A blob of a repository (the blob HEAD hot path).
    pub async fn find_blob_in_repo(&self, repo_id: i32, digest: &str) -> Result<Option<blob::BlobRow>, sea_orm::DbErr> {
        match &self.hot {
            Some(h) => h.find_blob_in_repo(repo_id, digest),
            None => blob::find_blob_in_repo(&self.read, repo_id, digest).await,
        }
    }

    /// A live manifest by digest (manifest GET hot path).
    pub async fn find_live_manifest(
        &self,
        repo_id: i32,
        digest: &str,
    ) -> Result<Option<manifest::ManifestRow>, sea_orm::DbErr> {
        match &self.hot {
            Some(h) => h.find_live_manifest(repo_id, digest, crate::util::now_ms()),
            None => manifest::find_live_manifest(&self.read, repo_id, digest).await,
        }
    }

    /// The manifest of an alive, visible tag (manifest GET hot path).
    pub async fn find_tagged_manifest(
        &self,
        repo_id: i32,
        tag: &str,
    ) -> Result<Option<manifest::ManifestRow>, sea_orm::DbErr> {
        match &self.hot {
            Some(h) => h.find_tagged_manifest(repo_id, tag, crate::util::now_ms()),
            None => manifest::find_tagged_manifest(&self.read, repo_id, tag).await,
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a writer in another process
    /// (`quay init`, a second server) waits on the busy timeout instead of failing mid-transaction.
    /// On PostgreSQL a plain `BEGIN`: a transaction is read-write there unless the server says
    /// otherwise (a standby then refuses the first write), and a `SET TRANSACTION` would cost every
    /// write a round trip.
    pub async fn begin(&self) -> anyhow::Result<DatabaseTransaction> {
        let sqlite = self.backend() == DbBackend::Sqlite;
        let options = TransactionOptions {
            isolation_level: None,
            access_mode: None,
            sqlite_transaction_mode: sqlite.then_some(sea_orm::SqliteTransactionMode::Immediate),
        };
        Ok(self.write.begin_with_options(options).await?)
    }

    pub async fn close(self) {
        let _ = self.read.close().await;
        let _ = self.write.close().await;
    }
}

async fn open_sqlite(path: &Path) -> anyhow::Result<(DatabaseConnection, DatabaseConnection)> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let base = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("wal_autocheckpoint", "1000");
    let write_pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(base.clone().create_if_missing(true))
        .await
        .with_context(|| format!("cannot open SQLite database {}", path.display()))?;
    // Quay's files must stay private: the database holds password hashes and keys.
    restrict_permissions(path);
    let read_pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(base.read_only(true))
        .await
        .with_context(|| format!("cannot open SQLite database {} for reading", path.display()))?;
    Ok((SqlxSqliteConnector::from_sqlx_sqlite_pool(read_pool), SqlxSqliteConnector::from_sqlx_sqlite_pool(write_pool)))
}

/// One pool serves reads and writes: PostgreSQL has no single-writer constraint.
/// How long the first connection to PostgreSQL may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);

/// The root cause of a connection failure, in a few words (`Connection refused (os error 111)`).
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Tls(tls) => format!("TLS: {tls}"),
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}

async fn open_postgres(url: &str) -> anyhow::Result<DatabaseConnection> {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    let options: PgConnectOptions = url.parse().context("config key `DB_URI` is not a valid PostgreSQL URL")?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to PostgreSQL at {}:{}: {}",
                options.get_host(),
                options.get_port(),
                describe(&e)
            )
        })?;
    Ok(sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
}

fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

async fn load_lookups(conn: &DatabaseConnection, storage_location: &str) -> anyhow::Result<Lookups> {
    let names = |table: &'static str| async move {
        let rows = conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), format!("SELECT id, name FROM {table}")))
            .await?;
        let mut map = HashMap::new();
        for r in rows {
            map.insert(r.try_get::<String>("", "name")?, r.try_get::<i32>("", "id")?);
        }
        anyhow::Ok(map)
    };
    let media_type_ids = names("mediatype").await?;
    let visibility = names("visibility").await?;
    let role_ids = names("role").await?;
    let team_role_ids = names("teamrole").await?;
    let login_services = names("loginservice").await?;
    let tag_kind = names("tagkind").await?;
    let repo_kind = names("repositorykind").await?;
    blob::storage_location_ids(conn, &[storage_location.to_owned()]).await?;
    let get = |m: &HashMap<String, i32>, table: &str, name: &str| {
        m.get(name).copied().with_context(|| format!("lookup row `{name}` is missing from table `{table}`"))
    };
    Ok(Lookups {
        media_type_names: media_type_ids.iter().map(|(k, v)| (*v, k.clone())).collect(),
        visibility_public: get(&visibility, "visibility", "public")?,
        visibility_private: get(&visibility, "visibility", "private")?,
        tag_kind_tag: get(&tag_kind, "tagkind", "tag")?,
        robot_login_service: get(&login_services, "loginservice", "quayrobot")?,
        repository_kind_image: get(&repo_kind, "repositorykind", "image")?,
        media_type_ids,
        role_ids,
        team_role_ids,
    })
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Alive at `now`: no end, or an end in the future.
const ALIVE: &str = "(t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)";

/// The rows of a query written with `?` placeholders, read into `T` by column name.
async fn rows<T: sea_orm::FromQueryResult, C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, sea_orm::DbErr> {
    all(c, text, values).await?.iter().map(|r| T::from_query_result(r, "")).collect()
}

/// The first row of a query written with `?` placeholders, read into `T` by column name.
async fn row<T: sea_orm::FromQueryResult, C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<Option<T>, sea_orm::DbErr> {
    one(c, text, values).await?.as_ref().map(|r| T::from_query_result(r, "")).transpose()
}

/// All rows of a query written with `?` placeholders.
async fn all<C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
    c.query_all_raw(sql(c.get_database_backend(), text, values)).await
}

/// The first row of a query written with `?` placeholders.
async fn one<C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> {
    c.query_one_raw(sql(c.get_database_backend(), text, values)).await
}

/// Runs a statement written with `?` placeholders and returns the number of rows it changed.
/// `s` as a literal inside a `LIKE ... ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

async fn exec<C: ConnectionTrait>(c: &C, text: &str, values: Vec<Value>) -> Result<u64, sea_orm::DbErr> {
    Ok(c.execute_raw(sql(c.get_database_backend(), text, values)).await?.rows_affected())
}

/// Whether a database error only means "try again": PostgreSQL's serialization failures and
/// deadlock victims (SQLSTATE 40001, 40P01), SQLite's busy database.
/// Whether a statement broke a unique index (a row another transaction inserted first).
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

pub fn is_retryable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => inner
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| matches!(c.as_ref(), "40001" | "40P01" | "5" | "517")),
        DbErr::Conn(RuntimeErr::SqlxError(inner)) => matches!(inner.as_ref(), sqlx::Error::PoolTimedOut),
        _ => false,
    }
}

/// A raw statement written with `?` placeholders, renumbered to `$1, $2, ...` for PostgreSQL so one
/// query text serves both engines.
pub fn sql<I: IntoIterator<Item = Value>>(backend: DbBackend, text: &str, values: I) -> Statement {
    let values: Vec<Value> = values.into_iter().collect();
    if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(text.len() + 8);
        let mut n = 0;
        for ch in text.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        Statement::from_sql_and_values(backend, out, values)
    } else {
        Statement::from_sql_and_values(backend, text, values)
    }
}
