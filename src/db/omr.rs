//! The SQL of `quay migrate omr`: what it reads from a mirror-registry 2.x database (Python Quay's
//! SQLite at Alembic `3f8d7acdf7f9`), and the bridge that brings a copy of it to `9fa37f66a9b6`.

use anyhow::{Context as _, bail};

/// The revision mirror-registry 2.x leaves its database at.
pub const OMR_REVISION: &str = "3f8d7acdf7f9";
const BRIDGE: &str = include_str!("../../migrations/sqlite/bridge_3f8d7acdf7f9.sql");
const SCHEMA: &str = include_str!("../../migrations/sqlite/0001_quay_9fa37f66a9b6.sql");
const LOOKUP_ROWS: &str = include_str!("../../migrations/sqlite/0002_quay_lookup_rows.sql");

/// What validation needs of the source, read without writing it.
pub struct OmrContents {
    pub revision: String,
    pub users: u64,
    pub repositories: u64,
    pub tags: u64,
    /// Each robot's name and stored (encrypted) token.
    pub robot_tokens: Vec<(String, String)>,
    /// The approved service key with this kid, when there is one: its JWK and whether it expired.
    pub service_key: Option<(serde_json::Value, bool)>,
}

/// Reads `db` (opened read-only) for validation; `kid` is the signing key's.
pub fn read(db: &rusqlite::Connection, kid: &str) -> anyhow::Result<OmrContents> {
    let revision: String = db
        .query_row("SELECT version_num FROM alembic_version", [], |row| row.get(0))
        .context("the database has no alembic_version: not a Quay database")?;
    let integrity: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if integrity != "ok" {
        bail!("the database fails SQLite's integrity check: {integrity}");
    }
    let dangling: i64 = db.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| row.get(0))?;
    if dangling > 0 {
        bail!("the database has {dangling} rows whose references point nowhere (PRAGMA foreign_key_check)");
    }
    let count = |sql: &str| -> anyhow::Result<u64> { Ok(db.query_row(sql, [], |row| row.get::<_, i64>(0))? as u64) };
    let robot_tokens = db
        .prepare(
            "SELECT u.username, t.token FROM robotaccounttoken t JOIN \"user\" u ON u.id = t.robot_account_id \
             WHERE t.token IS NOT NULL AND t.token != '' ORDER BY u.username",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let now = crate::util::now_naive().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    let service_key = db
        .query_row(
            "SELECT jwk, expiration_date IS NOT NULL AND expiration_date < ?2 FROM servicekey \
             WHERE kid = ?1 AND approval_id IS NOT NULL",
            rusqlite::params![kid, now],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?)),
        )
        .map(Some)
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?
        .map(|(jwk, expired)| Ok::<_, serde_json::Error>((serde_json::from_str(&jwk)?, expired)))
        .transpose()
        .context("the service key's JWK is not JSON")?;
    Ok(OmrContents {
        revision,
        users: count("SELECT count(*) FROM \"user\" WHERE organization = 0 AND robot = 0")?,
        repositories: count("SELECT count(*) FROM repository")?,
        tags: count("SELECT count(*) FROM tag WHERE hidden = 0")?,
        robot_tokens,
        service_key,
    })
}

/// Brings the copy `db` from `3f8d7acdf7f9` to `9fa37f66a9b6` in one transaction: the schema's
/// difference, then the lookup rows the newer schema has and the copy lacks (by name, new ids),
/// then a check that every table, column and index of the newer schema is there.
pub fn bridge(db: &mut rusqlite::Connection) -> anyhow::Result<()> {
    // The newer lookup rows, staged in a scratch schema (attached outside any transaction).
    db.execute_batch("ATTACH DATABASE ':memory:' AS reference")?;
    let lookup_tables: Vec<String> = LOOKUP_ROWS
        .lines()
        .filter_map(|l| l.trim().strip_prefix("INSERT INTO "))
        .filter_map(|l| l.split([' ', '(']).next())
        .filter(|t| *t != "alembic_version")
        .map(|t| t.trim_matches('"').to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for statement in super::migrate::sqlite_statements(SCHEMA).map(without_comments) {
        let table = statement.strip_prefix("CREATE TABLE ").and_then(|s| s.split([' ', '(']).next());
        if let Some(table) = table.map(|t| t.trim_matches('"'))
            && lookup_tables.iter().any(|t| t == table)
        {
            db.execute_batch(&statement.replacen("CREATE TABLE ", "CREATE TABLE reference.", 1))?;
        }
    }
    for statement in super::migrate::sqlite_statements(LOOKUP_ROWS).map(without_comments) {
        if !statement.contains("alembic_version") {
            db.execute_batch(&statement.replacen("INSERT INTO ", "INSERT INTO reference.", 1))?;
        }
    }
    let tx = db.transaction()?;
    tx.execute_batch(BRIDGE).context("the schema bridge failed")?;
    for table in &lookup_tables {
        let columns: Vec<String> = tx
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}', 'reference') WHERE name != 'id'"))?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        tx.execute(
            &format!(
                "INSERT INTO main.\"{table}\" ({list}) SELECT {list} FROM reference.\"{table}\" \
                 WHERE name NOT IN (SELECT name FROM main.\"{table}\") ORDER BY id"
            ),
            [],
        )
        .with_context(|| format!("cannot add the lookup rows of {table}"))?;
    }
    tx.commit()?;
    db.execute_batch("DETACH DATABASE reference")?;
    let missing = missing_from_schema(db)?;
    if !missing.is_empty() {
        bail!("after the bridge the database still lacks {}", missing.join(", "));
    }
    let revision: String = db.query_row("SELECT version_num FROM alembic_version", [], |row| row.get(0))?;
    if revision != super::migrate::ALEMBIC_REVISION {
        bail!("after the bridge the database is at revision {revision}");
    }
    Ok(())
}

/// A statement without the comment lines before it.
fn without_comments(statement: &str) -> String {
    statement.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n")
}

/// The tables, columns and indexes of Quay's schema at `9fa37f66a9b6` that `db` lacks.
fn missing_from_schema(db: &rusqlite::Connection) -> anyhow::Result<Vec<String>> {
    let reference = rusqlite::Connection::open_in_memory()?;
    reference.execute_batch(SCHEMA)?;
    let shape = |c: &rusqlite::Connection| -> anyhow::Result<std::collections::BTreeSet<String>> {
        let mut found = std::collections::BTreeSet::new();
        let tables: Vec<(String, String)> = c
            .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (kind, name) in tables {
            if kind == "table" {
                let columns: Vec<String> = c
                    .prepare(&format!("SELECT name FROM pragma_table_info('{name}')"))?
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                found.extend(columns.into_iter().map(|col| format!("column {name}.{col}")));
            }
            found.insert(format!("{kind} {name}"));
        }
        Ok(found)
    };
    let have = shape(db)?;
    Ok(shape(&reference)?.difference(&have).cloned().collect())
}
