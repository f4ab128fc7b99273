//! Moving an install (`quay migrate`): a mirror-registry 2.x install onto this program (`omr`), its
//! metadata database from SQLite to PostgreSQL, and its blobs to another storage location
//! (`storage`). The rules live here: for a database move, the
//! source must be SQLite and unused, the target reachable and empty, and the config changes only
//! after the copy is committed and verified (`db::transfer`).

pub mod omr;
pub mod storage;

use std::path::PathBuf;

use anyhow::bail;

use crate::config::{DatabaseUri, LoadedConfig};
pub use crate::db::transfer::TableCopy;

/// What a database move will carry, found before anything changes.
#[derive(Debug)]
pub struct DatabaseMove {
    pub sqlite: PathBuf,
    pub tables: Vec<(String, u64)>,
    pub rows: u64,
    pub bytes: u64,
}

/// Checks a move of `loaded`'s database to the PostgreSQL database at `to` and returns its plan:
/// refused for a source that is not SQLite or that a running server or worker uses (it holds the
/// jobs' leases), and for a target that cannot be reached or holds tables.
pub async fn plan_database_move(loaded: &LoadedConfig, to: &str) -> anyhow::Result<DatabaseMove> {
    let sqlite = match loaded.config.database()? {
        DatabaseUri::Sqlite(path) => path,
        DatabaseUri::Postgres(_) => {
            bail!("{} already names a PostgreSQL database; there is nothing to move", loaded.file.display())
        }
    };
    if !(to.starts_with("postgresql://") || to.starts_with("postgres://")) {
        bail!("--to takes a PostgreSQL URL: postgresql://user:password@host:port/database");
    }
    let holders = crate::db::queue::live_lease_holders(&sqlite)?;
    if !holders.is_empty() {
        bail!(
            "{} is in use by {} (it holds the jobs' leases); stop every server and worker on this data dir first \
             (systemctl stop quay.service), then run this again",
            sqlite.display(),
            holders.join(", ")
        );
    }
    crate::db::Db::probe(&DatabaseUri::Postgres(to.to_owned())).await?;
    if !crate::db::transfer::postgres_is_empty(to).await? {
        bail!("{} already holds tables; move into a new, empty database (createdb)", redacted(to));
    }
    let tables = crate::db::transfer::sqlite_tables(&sqlite)?;
    let rows = tables.iter().map(|(_, n)| n).sum();
    let bytes = std::fs::metadata(&sqlite).map(|m| m.len()).unwrap_or(0);
    Ok(DatabaseMove { sqlite, tables, rows, bytes })
}

/// Carries out `plan`: every table copied and verified in one PostgreSQL transaction, then
/// `DB_URI` switched in `config.yaml` (one atomic write). The SQLite file is left as it was.
pub async fn move_database(
    loaded: &mut LoadedConfig,
    plan: &DatabaseMove,
    to: &str,
    progress: &dyn Fn(&str, u64),
) -> anyhow::Result<Vec<TableCopy>> {
    let copied = crate::db::transfer::sqlite_to_postgres(&plan.sqlite, to, progress).await?;
    loaded.set_key("DB_URI", &crate::config::postgres_url_with_environment_password(to))?;
    Ok(copied)
}

/// A database URL without its password, for what is printed.
pub fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "the PostgreSQL database".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printed_urls_hide_the_password() {
        assert_eq!(super::redacted("postgresql://quay:s3cret@db:5432/quay"), "postgresql://quay:****@db:5432/quay");
        assert_eq!(super::redacted("postgresql://quay@db/quay"), "postgresql://quay@db/quay");
    }
}
