//! The read hot paths (manifest GET, blob HEAD, repository lookup) on SQLite, run with rusqlite
//! on the calling thread.
//!
//! sqlx drives each SQLite connection from its own worker thread; a point query then costs two
//! thread wake-ups, which measured at about half the server's CPU under concurrent manifest GETs.
//! These queries take microseconds and never wait for a lock (WAL readers do not block), so they
//! run inline on a small set of read-only connections instead. They use the same SQL text as the
//! portable functions in `queries`; PostgreSQL (async-native, no thread hop) uses those directly.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, params};
use sea_orm::DbErr;

use std::collections::HashMap;

use super::blob::{BlobRow, Stored};

use super::manifest::ManifestRow;

use super::repository::RepoRow;
use super::upload::UploadRow;
use super::user::UserRow;

pub struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Idle connections kept; more are opened under load and closed when returned beyond this.
const KEEP_IDLE: usize = 8;

impl SqliteReader {
    pub fn open(path: PathBuf) -> anyhow::Result<Self> {
        let reader = SqliteReader { path, idle: Mutex::new(Vec::new()) };
        let conn = reader.connect().map_err(|e| anyhow::anyhow!("cannot open {}: {e}", reader.path.display()))?;
        reader.give_back(conn);
        Ok(reader)
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP_IDLE
        {
            idle.push(conn);
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, DbErr> {
        let conn = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match conn {
            Some(c) => c,
            None => self.connect().map_err(err)?,
        };
        let result = f(&conn).map_err(err);
        self.give_back(conn);
        result
    }

    pub fn find_repository(
        &self,
        namespace: &str,
        name: &str,
        visibility_public: i32,
    ) -> Result<Option<RepoRow>, DbErr> {
        self.with(|c| {
            c.prepare_cached(super::repository::SQL_FIND_REPOSITORY)?
                .query_row(params![namespace, name, super::repository::repo_state::MARKED_FOR_DELETION], |r| {
                    Ok(RepoRow {
                        id: r.get(0)?,
                        namespace_id: r.get(1)?,
                        public: r.get::<_, i32>(2)? == visibility_public,
                        state: r.get(3)?,
                        namespace_enabled: r.get(4)?,
                    })
                })
                .optional()
        })
    }

    pub fn find_blob_in_repo(&self, repo_id: i32, digest: &str) -> Result<Option<BlobRow>, DbErr> {
        self.with(|c| {
            c.prepare_cached(super::blob::SQL_FIND_BLOB_IN_REPO)?
                .query_row(params![digest, repo_id, repo_id], |r| {
                    Ok(BlobRow { id: r.get(0)?, size: r.get::<_, Option<i64>>(1)?.unwrap_or(0) })
                })
                .optional()
        })
    }

    pub fn find_live_manifest(&self, repo_id: i32, digest: &str, now_ms: i64) -> Result<Option<ManifestRow>, DbErr> {
        self.with(|c| {
            c.prepare_cached(super::manifest::SQL_FIND_LIVE_MANIFEST)?
                .query_row(params![repo_id, digest, now_ms, now_ms], manifest_row)
                .optional()
        })
    }

    pub fn find_tagged_manifest(&self, repo_id: i32, tag: &str, now_ms: i64) -> Result<Option<ManifestRow>, DbErr> {
        self.with(|c| {
            c.prepare_cached(super::manifest::SQL_FIND_TAGGED_MANIFEST)?
                .query_row(params![repo_id, tag, false, now_ms], manifest_row)
                .optional()
        })
    }
}

impl SqliteReader {
    /// A user by name, unless its `last_invalid_login` is written in a form this reader does
    /// not parse (`Ok(None)` then: the caller asks the portable query).
    pub fn find_user(&self, username: &str) -> Result<Option<Option<UserRow>>, DbErr> {
        self.with(|c| {
            let found = c
                .prepare_cached(&format!("{} WHERE username = ?", super::user::USER_ROW))?
                .query_row(params![username], |r| {
                    let last: Option<String> = r.get(8)?;
                    let Some(last_invalid_login) = last.as_deref().map_or(Some(chrono::NaiveDateTime::MIN), parse_time)
                    else {
                        return Ok(None);
                    };
                    Ok(Some(UserRow {
                        id: r.get(0)?,
                        uuid: r.get(1)?,
                        username: r.get(2)?,
                        password_hash: r.get(3)?,
                        organization: r.get(4)?,
                        robot: r.get(5)?,
                        enabled: r.get(6)?,
                        invalid_login_attempts: r.get(7)?,
                        last_invalid_login,
                    }))
                })
                .optional()?;
            Ok(match found {
                None => Some(None),
                Some(None) => None,
                Some(Some(row)) => Some(Some(row)),
            })
        })
    }

    /// Whether an upload id was marked closed (every PUT of an upload without a row asks).
    pub fn upload_closed(&self, uuid: &str) -> Result<bool, DbErr> {
        self.with(|c| {
            c.prepare_cached(super::upload::SQL_UPLOAD_CLOSED)?.exists(params![super::upload::closed_marker(uuid)])
        })
    }

    /// An upload of a repository (every chunk and every finishing PUT reads it).
    pub fn find_upload(&self, repo_id: i32, uuid: &str) -> Result<Option<UploadRow>, DbErr> {
        self.with(|c| {
            c.prepare_cached(super::upload::SQL_FIND_UPLOAD)?
                .query_row(params![repo_id, uuid], |r| {
                    Ok(UploadRow {
                        id: r.get(0)?,
                        byte_count: r.get(1)?,
                        chunk_count: r.get(2)?,
                        sha_state: r.get(3)?,
                        storage_metadata: r.get(4)?,
                        location_id: r.get(5)?,
                    })
                })
                .optional()
        })
    }
}

impl SqliteReader {
    /// Whether the repository's alive tag `name` is immutable (every manifest push by tag asks).
    pub fn tag_is_immutable(&self, repo_id: i32, name: &str, now_ms: i64) -> Result<bool, DbErr> {
        self.with(|c| {
            c.prepare_cached(&super::tag::sql_tag_is_immutable())?.exists(params![repo_id, name, true, now_ms])
        })
    }

    /// Those of `digests` present in the repository (every manifest push asks for its blobs).
    pub fn blobs_in_repo(&self, repo_id: i32, digests: &[String]) -> Result<HashMap<String, Stored>, DbErr> {
        self.with(|c| {
            let mut statement = c.prepare_cached(&super::blob::sql_blobs_in_repo(digests.len()))?;
            let values = digests
                .iter()
                .map(|d| d as &dyn rusqlite::ToSql)
                .chain([&repo_id as &dyn rusqlite::ToSql, &repo_id as &dyn rusqlite::ToSql]);
            let rows = statement.query_map(rusqlite::params_from_iter(values), |r| {
                Ok((r.get::<_, String>(1)?, Stored { id: r.get(0)?, size: r.get::<_, Option<i64>>(2)?.unwrap_or(-1) }))
            })?;
            rows.collect()
        })
    }
}

/// A timestamp as sqlx and Python Quay write them in SQLite.
fn parse_time(text: &str) -> Option<chrono::NaiveDateTime> {
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
}

fn manifest_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ManifestRow> {
    Ok(ManifestRow {
        id: r.get(0)?,
        digest: r.get(1)?,
        media_type_id: r.get(2)?,
        bytes: r.get(3)?,
        artifact_type: r.get(4)?,
        config_media_type: r.get(5)?,
    })
}

fn err(e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("SQLite read failed: {e}"))
}
