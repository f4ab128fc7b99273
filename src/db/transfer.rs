//! A whole metadata database moved from SQLite to PostgreSQL (`quay migrate database`), the way
//! pg_dump's restore does it: Quay's schema without its foreign keys, every table's rows in primary
//! key order, then the foreign keys (which check every reference at once) and the sequences, all in
//! one PostgreSQL transaction: a failure leaves the target as empty as it was. Each table is then
//! read back and compared with the source by row count and a SHA-256 over its rows in one canonical
//! text form. The source is read in one SQLite read transaction (one consistent snapshot) and never
//! written.

use std::path::Path;

use anyhow::{Context as _, bail};
use sha2::Digest as _;
use sqlx::{Connection as _, Row as _};

/// What one table held, on both sides.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of the rows in canonical form, equal on both sides.
    pub checksum: String,
}

/// One cell, as the PostgreSQL column's type takes it.
#[derive(Debug, Clone)]
enum Cell {
    Bool(Option<bool>),
    Int(Option<i32>),
    BigInt(Option<i64>),
    Text(Option<String>),
    Timestamp(Option<chrono::NaiveDateTime>),
    Date(Option<chrono::NaiveDate>),
}

impl Cell {
    /// The canonical text both sides' rows are hashed in.
    fn canonical(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let _ = match self {
            Cell::Bool(Some(v)) => write!(out, "{v}"),
            Cell::Int(Some(v)) => write!(out, "{v}"),
            Cell::BigInt(Some(v)) => write!(out, "{v}"),
            Cell::Text(Some(v)) => out.write_all(v.as_bytes()),
            Cell::Timestamp(Some(v)) => write!(out, "{}", v.format("%Y-%m-%d %H:%M:%S%.6f")),
            Cell::Date(Some(v)) => write!(out, "{v}"),
            _ => out.write_all(b"\\N"),
        };
    }
}

/// A PostgreSQL column: its name and type (`information_schema.columns.data_type`).
struct Column {
    name: String,
    kind: String,
}

/// The tables of Quay's schema on PostgreSQL (the statements that create it, less the foreign
/// keys) and its foreign keys, in the order of the schema file.
fn schema_parts() -> (Vec<&'static str>, Vec<&'static str>) {
    super::migrate::postgres_schema_statements().partition(|s| !s.contains("FOREIGN KEY"))
}

/// The tables of the SQLite database and their row counts (the plan `--dry-run` shows).
pub fn sqlite_tables(sqlite: &Path) -> anyhow::Result<Vec<(String, u64)>> {
    let db = open_source(sqlite)?;
    let names: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|name| {
            let rows: i64 = db.query_row(&format!("SELECT count(*) FROM \"{name}\""), [], |row| row.get(0))?;
            Ok((name, rows as u64))
        })
        .collect()
}

fn open_source(sqlite: &Path) -> anyhow::Result<rusqlite::Connection> {
    rusqlite::Connection::open_with_flags(sqlite, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", sqlite.display()))
}

/// Whether the PostgreSQL database at `url` holds no table (the only target a move may go to).
pub async fn postgres_is_empty(url: &str) -> anyhow::Result<bool> {
    let mut pg = connect(url).await?;
    Ok(table_names(&mut pg).await?.is_empty())
}

/// The tables of the current schema, by name.
async fn table_names(pg: &mut sqlx::PgConnection) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .fetch_all(pg)
    .await?)
}

/// A table's columns, in order.
async fn table_columns(pg: &mut sqlx::PgConnection, table: &str) -> anyhow::Result<Vec<Column>> {
    Ok(sqlx::query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(pg)
    .await?
    .into_iter()
    .map(|row| Ok(Column { name: row.try_get(0)?, kind: row.try_get(1)? }))
    .collect::<Result<_, sqlx::Error>>()?)
}

/// Creates Quay's schema without its foreign keys in `pg`, which must hold no table (`doing`
/// says what for); returns the foreign keys, for [`finish_schema`] once the rows are in.
async fn start_schema(pg: &mut sqlx::PgConnection, doing: &str) -> anyhow::Result<Vec<&'static str>> {
    let existing = table_names(pg).await?.len();
    if existing > 0 {
        bail!("the database already holds {existing} tables; {doing} into a new, empty database (createdb)");
    }
    let (schema, foreign_keys) = schema_parts();
    for statement in schema {
        sqlx::raw_sql(statement).execute(&mut *pg).await.with_context(|| schema_error(statement))?;
    }
    Ok(foreign_keys)
}

/// Adds the foreign keys (every reference checked at once) and sets each id sequence after its
/// table's rows.
async fn finish_schema(pg: &mut sqlx::PgConnection, foreign_keys: Vec<&'static str>) -> anyhow::Result<()> {
    for statement in foreign_keys {
        sqlx::raw_sql(statement).execute(&mut *pg).await.with_context(|| schema_error(statement))?;
    }
    let with_ids: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
         AND column_name = 'id' ORDER BY table_name",
    )
    .fetch_all(&mut *pg)
    .await?;
    for table in &with_ids {
        // Table names come from the schema this program created, never from input.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SELECT setval(s, COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false) \
             FROM pg_get_serial_sequence('\"{table}\"', 'id') AS s WHERE s IS NOT NULL"
        )))
        .execute(&mut *pg)
        .await
        .with_context(|| format!("cannot set the id sequence of {table}"))?;
    }
    Ok(())
}

async fn connect(url: &str) -> anyhow::Result<sqlx::PgConnection> {
    let options: sqlx::postgres::PgConnectOptions = url.parse().context("--to is not a valid PostgreSQL URL")?;
    sqlx::PgConnection::connect_with(&options).await.map_err(|e| {
        anyhow::anyhow!("cannot connect to PostgreSQL at {}:{}: {e}", options.get_host(), options.get_port())
    })
}

/// Copies every table of the SQLite database `sqlite` into the empty PostgreSQL database at `url`
/// and verifies it; `progress` is told each table and the rows copied so far.
pub async fn sqlite_to_postgres(
    sqlite: &Path,
    url: &str,
    progress: &dyn Fn(&str, u64),
) -> anyhow::Result<Vec<TableCopy>> {
    let source = open_source(sqlite)?;
    // One snapshot for the whole copy: a read transaction sees no later write.
    source.execute_batch("BEGIN")?;
    let revision: String = source
        .query_row("SELECT version_num FROM alembic_version", [], |row| row.get(0))
        .context("the SQLite database has no schema revision")?;
    if revision != super::migrate::ALEMBIC_REVISION {
        bail!(
            "the SQLite database is at schema revision {revision}; this program moves {}",
            super::migrate::ALEMBIC_REVISION
        );
    }
    let mut pg = connect(url).await?;
    let mut tx = pg.begin().await?;
    let foreign_keys = start_schema(&mut tx, "move").await?;
    let table_names = table_names(&mut tx).await?;
    let mut copies = Vec::with_capacity(table_names.len());
    let mut total = 0u64;
    for table in &table_names {
        let columns = table_columns(&mut tx, table).await?;
        let order = order_by(&columns);
        let list = columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ");
        let mut statement = source.prepare(&format!("SELECT {list} FROM \"{table}\" ORDER BY {order}"))?;
        let mut rows = statement.query([])?;
        let mut hasher = sha2::Sha256::new();
        let mut batch: Vec<Vec<Cell>> = Vec::new();
        // PostgreSQL takes at most 65535 parameters per statement.
        let per_batch = (60_000 / columns.len().max(1)).clamp(1, 1000);
        let mut count = 0u64;
        while let Some(row) = rows.next()? {
            let cells = columns
                .iter()
                .enumerate()
                .map(|(i, c)| from_sqlite(row.get_ref(i)?, &c.kind).with_context(|| format!("{table}.{}", c.name)))
                .collect::<anyhow::Result<Vec<Cell>>>()?;
            hash_row(&mut hasher, &cells);
            batch.push(cells);
            count += 1;
            if batch.len() == per_batch {
                insert(&mut tx, table, &list, std::mem::take(&mut batch)).await?;
                progress(table, total + count);
            }
        }
        if !batch.is_empty() {
            insert(&mut tx, table, &list, batch).await?;
        }
        total += count;
        progress(table, total);
        copies.push(TableCopy { table: table.clone(), rows: count, checksum: hex::encode(hasher.finalize()) });
    }
    finish_schema(&mut tx, foreign_keys).await?;
    // Read back before the commit: what PostgreSQL holds is what SQLite held.
    for copy in &copies {
        let columns = table_columns(&mut tx, &copy.table).await?;
        let list = columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ");
        let read_back = format!("SELECT {list} FROM \"{}\" ORDER BY {}", copy.table, order_by(&columns));
        // Streamed: memory stays bounded however many rows a table has.
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(read_back)).fetch(&mut *tx);
        let mut hasher = sha2::Sha256::new();
        let mut read = 0u64;
        while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
            let cells = columns
                .iter()
                .enumerate()
                .map(|(i, c)| from_postgres(&row, i, &c.kind))
                .collect::<anyhow::Result<Vec<Cell>>>()?;
            hash_row(&mut hasher, &cells);
            read += 1;
        }
        drop(rows);
        let checksum = hex::encode(hasher.finalize());
        if read != copy.rows || checksum != copy.checksum {
            bail!(
                "table {} differs after the copy ({read} rows read back of {}); nothing was committed",
                copy.table,
                copy.rows
            );
        }
    }
    tx.commit().await.context("cannot commit the copy")?;
    let _ = pg.close().await;
    Ok(copies)
}

fn schema_error(statement: &str) -> String {
    format!("schema statement failed: {}", statement.lines().find(|l| !l.starts_with("--")).unwrap_or(""))
}

/// Rows in a stable order on both engines: by `id`, else by every column.
fn order_by(columns: &[Column]) -> String {
    if columns.iter().any(|c| c.name == "id") {
        "\"id\"".to_owned()
    } else {
        columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ")
    }
}

fn hash_row(hasher: &mut sha2::Sha256, cells: &[Cell]) {
    let mut line = Vec::with_capacity(128);
    for cell in cells {
        cell.canonical(&mut line);
        line.push(0x1f);
    }
    line.push(0x1e);
    hasher.update(&line);
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &str,
    columns: &str,
    rows: Vec<Vec<Cell>>,
) -> anyhow::Result<()> {
    let mut query = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!("INSERT INTO \"{table}\" ({columns}) "));
    query.push_values(rows, |mut values, row| {
        for cell in row {
            match cell {
                Cell::Bool(v) => values.push_bind(v),
                Cell::Int(v) => values.push_bind(v),
                Cell::BigInt(v) => values.push_bind(v),
                Cell::Text(v) => values.push_bind(v),
                Cell::Timestamp(v) => values.push_bind(v),
                Cell::Date(v) => values.push_bind(v),
            };
        }
    });
    query.build().execute(&mut **tx).await.with_context(|| format!("cannot copy rows into {table}"))?;
    Ok(())
}

/// A SQLite value as the PostgreSQL column of type `kind` takes it.
fn from_sqlite(value: rusqlite::types::ValueRef<'_>, kind: &str) -> anyhow::Result<Cell> {
    use rusqlite::types::ValueRef;
    let text = |v: &[u8]| String::from_utf8(v.to_vec()).context("text that is not UTF-8");
    Ok(match (kind, value) {
        ("boolean", ValueRef::Null) => Cell::Bool(None),
        ("boolean", ValueRef::Integer(i)) => Cell::Bool(Some(i != 0)),
        ("boolean", ValueRef::Text(t)) => Cell::Bool(Some(matches!(t, b"1" | b"t" | b"true" | b"TRUE"))),
        ("integer", ValueRef::Null) => Cell::Int(None),
        ("integer", ValueRef::Integer(i)) => Cell::Int(Some(i32::try_from(i).context("an integer beyond 32 bits")?)),
        ("bigint", ValueRef::Null) => Cell::BigInt(None),
        ("bigint", ValueRef::Integer(i)) => Cell::BigInt(Some(i)),
        ("character varying" | "text", ValueRef::Null) => Cell::Text(None),
        ("character varying" | "text", ValueRef::Text(t)) => Cell::Text(Some(text(t)?)),
        ("character varying" | "text", ValueRef::Integer(i)) => Cell::Text(Some(i.to_string())),
        ("character varying" | "text", ValueRef::Blob(b)) => Cell::Text(Some(text(b)?)),
        ("timestamp without time zone", ValueRef::Null) => Cell::Timestamp(None),
        ("timestamp without time zone", ValueRef::Text(t)) => Cell::Timestamp(Some(parse_timestamp(&text(t)?)?)),
        ("date", ValueRef::Null) => Cell::Date(None),
        ("date", ValueRef::Text(t)) => Cell::Date(Some(
            chrono::NaiveDate::parse_from_str(text(t)?.get(..10).unwrap_or(""), "%Y-%m-%d").context("not a date")?,
        )),
        (kind, value) => bail!("a {:?} value where PostgreSQL wants {kind}", value.data_type()),
    })
}

fn parse_timestamp(text: &str) -> anyhow::Result<chrono::NaiveDateTime> {
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .with_context(|| format!("`{text}` is not a timestamp"))
}

/// A PostgreSQL value read back, for the comparison.
fn from_postgres(row: &sqlx::postgres::PgRow, i: usize, kind: &str) -> anyhow::Result<Cell> {
    Ok(match kind {
        "boolean" => Cell::Bool(row.try_get(i)?),
        "integer" => Cell::Int(row.try_get(i)?),
        "bigint" => Cell::BigInt(row.try_get(i)?),
        "character varying" | "text" => Cell::Text(row.try_get(i)?),
        "timestamp without time zone" => Cell::Timestamp(row.try_get(i)?),
        "date" => Cell::Date(row.try_get(i)?),
        other => bail!("PostgreSQL column type {other} is not part of Quay's schema"),
    })
}

/// One consistent snapshot of a registry's PostgreSQL database (`quay backup`): every table's rows
/// in PostgreSQL's COPY text format, written to `dir/<table>.copy`, read in one REPEATABLE READ
/// read-only transaction while the registry serves. Returns each table's row count and the
/// digests of the blobs the snapshot stores.
pub async fn postgres_snapshot(url: &str, dir: &Path) -> anyhow::Result<(Vec<(String, u64)>, Vec<String>)> {
    use futures_util::TryStreamExt as _;
    use std::io::Write as _;
    let mut pg = connect(url).await?;
    let mut tx = pg.begin().await?;
    sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let tables = table_names(&mut tx).await?;
    let mut counts = Vec::with_capacity(tables.len());
    for table in tables {
        let path = dir.join(format!("{table}.copy"));
        let mut file = crate::util::create_private_file(&path)?;
        let mut rows = 0u64;
        // Table names come from the database's own catalog, quoted.
        let mut stream = tx.copy_out_raw(&format!("COPY \"{table}\" TO STDOUT")).await?;
        while let Some(chunk) = stream.try_next().await? {
            rows += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
            file.write_all(&chunk).with_context(|| format!("cannot write {}", path.display()))?;
        }
        drop(stream);
        file.sync_all()?;
        counts.push((table, rows));
    }
    let digests: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT content_checksum FROM imagestorage WHERE content_checksum IS NOT NULL ORDER BY 1",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let _ = pg.close().await;
    Ok((counts, digests))
}

/// Loads a snapshot made by [`postgres_snapshot`] from `dir` into the empty PostgreSQL database at
/// `url`, in one transaction: Quay's schema without its foreign keys, each table by COPY (its row
/// count checked against `expected`), then the foreign keys and the id sequences.
pub async fn postgres_load(url: &str, dir: &Path, expected: &[(String, u64)]) -> anyhow::Result<()> {
    let mut pg = connect(url).await?;
    let mut tx = pg.begin().await?;
    let foreign_keys = start_schema(&mut tx, "restore").await?;
    // The backup's tables are exactly the schema's: no name from the archive reaches SQL or a path
    // unless the schema has that table, and none is left out.
    let created: std::collections::BTreeSet<String> = table_names(&mut tx).await?.into_iter().collect();
    let listed: std::collections::BTreeSet<String> = expected.iter().map(|(t, _)| t.clone()).collect();
    if created != listed {
        bail!("the backup's tables are not this schema's tables; it is not a backup this program can restore");
    }
    for (table, rows) in expected {
        let path = dir.join(format!("{table}.copy"));
        let mut file = std::fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut copy = tx.copy_in_raw(&format!("COPY \"{table}\" FROM STDIN")).await?;
        // In pieces: a table of action logs is far larger than the memory a restore needs.
        let mut piece = vec![0u8; 1 << 20];
        loop {
            let n = std::io::Read::read(&mut file, &mut piece)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                break;
            }
            copy.send(&piece[..n]).await?;
        }
        let loaded = copy.finish().await.with_context(|| format!("cannot load {table}"))?;
        if loaded != *rows {
            bail!("{table}: {loaded} rows loaded of the {rows} the backup lists");
        }
    }
    finish_schema(&mut tx, foreign_keys).await?;
    tx.commit().await.context("cannot commit the restored database")?;
    let _ = pg.close().await;
    Ok(())
}

/// The digests of the blobs a SQLite database stores (a backup of object storage lists them).
pub fn sqlite_blob_digests(db: &rusqlite::Connection) -> anyhow::Result<Vec<String>> {
    let digests = db
        .prepare("SELECT DISTINCT content_checksum FROM imagestorage WHERE content_checksum IS NOT NULL ORDER BY 1")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(digests)
}
