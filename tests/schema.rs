//! The schema our migrations create is Quay's: same tables, columns, types, nullability, defaults,
//! keys, indexes and lookup rows as the reference dump at revision 9fa37f66a9b6.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sqlx::{Row, SqlitePool};

fn reference(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/quay-schema").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reference schema {}: {e}", path.display()))
}

async fn facts(pool: &SqlitePool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
    for t in tables {
        out.insert(format!("table {t}"));
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{t}')"
        )))
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let name: String = r.get(0);
            let default: Option<String> = r.get(3);
            // The one literal default Alembic rendered from the clock when Quay's migration ran.
            let default = if t == "blobupload" && name == "created" { Some("<timestamp>".into()) } else { default };
            out.insert(format!(
                "column {t}.{name} {} notnull={} default={default:?} pk={}",
                r.get::<String, _>(1),
                r.get::<i64, _>(2),
                r.get::<i64, _>(4)
            ));
        }
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('{t}')"
        )))
        .fetch_all(pool)
        .await
        .unwrap()
        {
            out.insert(format!(
                "fk {t}.{} -> {}.{:?}",
                r.get::<String, _>(1),
                r.get::<String, _>(0),
                r.get::<Option<String>, _>(2)
            ));
        }
        for r in
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name, \"unique\", partial FROM pragma_index_list('{t}')")))
                .fetch_all(pool)
                .await
                .unwrap()
        {
            let index: String = r.get(0);
            let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
            )))
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|c| c.get::<Option<String>, _>(0).unwrap_or_default())
            .collect();
            out.insert(format!(
                "index {t}.{index} unique={} partial={} ({})",
                r.get::<i64, _>(1),
                r.get::<i64, _>(2),
                columns.join(",")
            ));
        }
    }
    for r in sqlx::query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let sql: String = r.get(1);
        out.insert(format!(
            "partial index {} {}",
            r.get::<String, _>(0),
            sql.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    out
}

async fn rows(pool: &SqlitePool, table: &str) -> BTreeSet<String> {
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{table}\"")))
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<String, _>(i)
                        .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .unwrap_or_else(|_| "NULL".into())
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[tokio::test]
async fn migrations_create_quays_schema_and_lookup_rows() {
    let dir = tempfile::tempdir().unwrap();
    let ours_path = dir.path().join("ours.db");
    let db = quay::db::Db::open(&quay::config::DatabaseUri::Sqlite(ours_path.clone()), "default").await.unwrap();
    db.close().await;
    let ours = SqlitePool::connect(&format!("sqlite://{}", ours_path.display())).await.unwrap();
    let theirs = SqlitePool::connect("sqlite::memory:").await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(reference("sqlite-schema.sql"))).execute(&theirs).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(reference("sqlite-seed.sql"))).execute(&theirs).await.unwrap();

    let (a, b) = (facts(&ours).await, facts(&theirs).await);
    let missing: Vec<_> = b.difference(&a).collect();
    let extra: Vec<_> = a.difference(&b).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nextra: {extra:#?}");
    assert_eq!(a.iter().filter(|f| f.starts_with("table ")).count(), 105);

    let tables: Vec<String> = reference("sqlite-seed.sql")
        .lines()
        .filter_map(|l| {
            l.strip_prefix("INSERT INTO ")
                .and_then(|r| r.split_whitespace().next())
                .map(|t| t.trim_matches('"').to_owned())
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(tables.len() >= 20, "{tables:?}");
    for table in tables {
        // `imagestoragelocation` also gets the configured location, as Quay's boot does.
        let mut expected = rows(&theirs, &table).await;
        let got = rows(&ours, &table).await;
        if table == "imagestoragelocation" {
            expected.extend(got.iter().filter(|r| r.ends_with("|default")).cloned());
        }
        assert_eq!(got, expected, "lookup rows of {table}");
    }
    let version: String = sqlx::query("SELECT version_num FROM alembic_version").fetch_one(&ours).await.unwrap().get(0);
    assert_eq!(version, "9fa37f66a9b6");
}

#[tokio::test]
async fn refuses_databases_at_another_revision() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let uri = quay::config::DatabaseUri::Sqlite(path.clone());
    quay::db::Db::open(&uri, "default").await.unwrap().close().await;
    let pool = SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query("UPDATE alembic_version SET version_num = 'abc123'").execute(&pool).await.unwrap();
    pool.close().await;
    let err = quay::db::Db::open(&uri, "default").await.err().expect("must refuse");
    assert!(format!("{err:#}").contains("abc123"), "{err:#}");
}

/// Facts of a PostgreSQL database's public schema: columns, constraints and indexes.
async fn pg_facts(url: &str) -> BTreeSet<String> {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut out = BTreeSet::new();
    for r in sqlx::query(
        "SELECT c.table_name::text, c.column_name::text, format_type(a.atttypid, a.atttypmod), c.is_nullable::text, \
         coalesce(c.column_default::text, '') FROM information_schema.columns c \
         JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass \
              AND a.attname = c.column_name \
         WHERE c.table_schema = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        let (table, column, default): (String, String, String) = (r.get(0), r.get(1), r.get(4));
        let default = if table == "blobupload" && column == "created" { "<timestamp>".to_owned() } else { default };
        out.insert(format!("column {table}.{column} {} nullable={} default={default}", r.get::<String, _>(2), r.get::<String, _>(3)));
    }
    for r in sqlx::query(
        "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE connamespace = 'public'::regnamespace",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        out.insert(format!("constraint {} {} {}", r.get::<String, _>(0), r.get::<String, _>(1), r.get::<String, _>(2)));
    }
    for r in sqlx::query("SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        out.insert(format!("index {} {}", r.get::<String, _>(0), r.get::<String, _>(1)));
    }
    pool.close().await;
    out
}

/// Columns (`tables.tsv`) and named constraints (`ADD CONSTRAINT`) of the reference dump.
const EXPECTED_COLUMNS: usize = 602;
const EXPECTED_CONSTRAINTS: usize = 251;

#[tokio::test]
async fn migrations_create_quays_schema_on_postgres() {
    let ours = crate::common::postgres_database();
    let theirs = crate::common::postgres_database();
    let db = quay::db::Db::open(&quay::config::DatabaseUri::Postgres(ours.clone()), "default").await.unwrap();
    db.close().await;
    for file in ["postgres-schema.sql", "postgres-seed.sql"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/quay-schema").join(file);
        let status = std::process::Command::new("psql")
            .args([theirs.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "loading {file}");
    }
    let (a, b) = (pg_facts(&ours).await, pg_facts(&theirs).await);
    let missing: Vec<_> = b.difference(&a).collect();
    let extra: Vec<_> = a.difference(&b).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nextra: {extra:#?}");
    let counts = |p: &str| a.iter().filter(|f| f.starts_with(p)).count();
    assert_eq!(
        (counts("column "), counts("constraint "), counts("index ") > 300),
        (EXPECTED_COLUMNS, EXPECTED_CONSTRAINTS, true),
        "facts were read"
    );
    let pool = sqlx::PgPool::connect(&ours).await.unwrap();
    let version: String = sqlx::query("SELECT version_num FROM alembic_version").fetch_one(&pool).await.unwrap().get(0);
    assert_eq!(version, "9fa37f66a9b6");
    let kinds: i64 = sqlx::query("SELECT count(*) FROM logentrykind").fetch_one(&pool).await.unwrap().get(0);
    assert!(kinds > 100);
}

/// A serialization failure on PostgreSQL is recognised as "retry", so writers replay it and
/// clients get 503 rather than 500.
#[tokio::test]
async fn postgres_serialization_failures_are_retryable() {
    use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
    let url = crate::common::postgres_database();
    let db = sea_orm::Database::connect(&url).await.unwrap();
    db.execute_unprepared(
        "CREATE TABLE counter (id INT PRIMARY KEY, n INT NOT NULL); INSERT INTO counter VALUES (1, 0)",
    )
    .await
    .unwrap();
    let serializable = || async {
        let tx = db.begin().await.unwrap();
        tx.execute_unprepared("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").await.unwrap();
        tx.execute_unprepared("SELECT n FROM counter WHERE id = 1").await.unwrap();
        tx
    };
    let a = serializable().await;
    let b = serializable().await;
    a.execute_unprepared("UPDATE counter SET n = n + 1 WHERE id = 1").await.unwrap();
    a.commit().await.unwrap();
    let e = b.execute_unprepared("UPDATE counter SET n = n + 1 WHERE id = 1").await.unwrap_err();
    assert!(quay::db::is_retryable(&e), "{e}");
    assert!(!quay::db::is_retryable(&sea_orm::DbErr::Custom("other".into())));
}
