//! Brings a database to Quay's schema. A new database gets the whole schema at Alembic revision
//! [`ALEMBIC_REVISION`] and its lookup rows in one transaction; a database already at that revision
//! (ours, or one written by Python Quay) is used as it is; any other revision is refused rather than
//! guessed at.

use anyhow::bail;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

/// The Alembic revision of Quay's schema this program reads and writes.
pub const ALEMBIC_REVISION: &str = "9fa37f66a9b6";

const SQLITE_SCHEMA: &str = include_str!("../../migrations/sqlite/0001_quay_9fa37f66a9b6.sql");
const SQLITE_LOOKUP_ROWS: &str = include_str!("../../migrations/sqlite/0002_quay_lookup_rows.sql");
const POSTGRES_SCHEMA: &str = include_str!("../../migrations/postgres/0001_quay_9fa37f66a9b6.sql");
const POSTGRES_LOOKUP_ROWS: &str = include_str!("../../migrations/postgres/0002_quay_lookup_rows.sql");

pub async fn run(conn: &DatabaseConnection) -> anyhow::Result<()> {
    let backend = conn.get_database_backend();
    let has_version_table = match backend {
        DbBackend::Sqlite => conn
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'",
            ))
            .await?
            .is_some(),
        DbBackend::Postgres => conn
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'alembic_version'",
            ))
            .await?
            .is_some(),
        other => bail!("unsupported database backend {other:?}"),
    };
    if has_version_table {
        let row =
            conn.query_one_raw(Statement::from_string(backend, "SELECT version_num FROM alembic_version")).await?;
        let version: Option<String> = row.map(|r| r.try_get("", "version_num")).transpose()?;
        return match version.as_deref() {
            Some(ALEMBIC_REVISION) => Ok(()),
            Some(other) => bail!(
                "the database is at Quay schema revision {other}; this program needs {ALEMBIC_REVISION} (upgrade it with Quay's own migrations first)"
            ),
            None => bail!("the database has an empty alembic_version table; refusing to guess its schema"),
        };
    }
    let count_tables = match backend {
        DbBackend::Postgres => {
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let tables = conn
        .query_one_raw(Statement::from_string(backend, count_tables))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if tables > 0 {
        bail!("the database has tables but no alembic_version; it is not a Quay database");
    }
    tracing::info!(revision = ALEMBIC_REVISION, "creating Quay's schema in a new database");
    let (schema, lookup_rows) = match backend {
        DbBackend::Postgres => (POSTGRES_SCHEMA, POSTGRES_LOOKUP_ROWS),
        _ => (SQLITE_SCHEMA, SQLITE_LOOKUP_ROWS),
    };
    let tx = conn.begin().await?;
    for statement in statements(schema).chain(statements(lookup_rows)) {
        tx.execute_unprepared(statement)
            .await
            .map_err(|e| anyhow::anyhow!("{e} in migration statement: {}", statement.lines().next().unwrap_or("")))?;
    }
    tx.commit().await?;
    Ok(())
}

/// The statements that create Quay's schema on PostgreSQL, without its lookup rows.
pub fn postgres_schema_statements() -> impl Iterator<Item = &'static str> {
    statements(POSTGRES_SCHEMA)
}

/// The statements of a SQLite migration file (the OMR bridge reads the schema's and lookup rows').
pub fn sqlite_statements(text: &str) -> impl Iterator<Item = &str> {
    statements(text)
}

/// The statements of a migration file: `;` at the end of a line ends one; `--` lines are comments.
fn statements(text: &str) -> impl Iterator<Item = &str> {
    text.split(";\n").map(str::trim).filter(|s| !s.is_empty() && !s.lines().all(|l| l.trim_start().starts_with("--")))
}
