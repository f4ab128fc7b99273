//! Totals an operator alerts on, read for `/metrics`.

use sea_orm::{ConnectionTrait, DbErr};

use super::sql;

/// What the registry holds and what waits to be done.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    pub repositories: i64,
    pub blobs: i64,
    pub stored_bytes: i64,
    /// Uploads started and not finished or cancelled.
    pub uploads: i64,
    /// Deleted repositories and namespaces waiting for garbage collection, and stored objects
    /// waiting for removal.
    pub gc_backlog: i64,
}

pub async fn totals<C: ConnectionTrait>(c: &C) -> Result<Totals, DbErr> {
    let statement = sql(
        c.get_database_backend(),
        "SELECT (SELECT COUNT(*) FROM repository) AS repositories, \
                (SELECT COUNT(*) FROM imagestorage) AS blobs, \
                (SELECT CAST(COALESCE(SUM(image_size), 0) AS BIGINT) FROM imagestorage) AS stored_bytes, \
                (SELECT COUNT(*) FROM blobupload) AS uploads, \
                (SELECT COUNT(*) FROM queueitem WHERE queue_name IN (?, ?, ?)) AS gc_backlog",
        [
            super::queue::REPOSITORY_GC_QUEUE.into(),
            super::queue::NAMESPACE_GC_QUEUE.into(),
            super::queue::OBJECT_DELETE_QUEUE.into(),
        ],
    );
    let Some(row) = c.query_one_raw(statement).await? else { return Ok(Totals::default()) };
    let get = |name: &str| row.try_get::<i64>("", name).or_else(|_| row.try_get::<i32>("", name).map(i64::from));
    Ok(Totals {
        repositories: get("repositories")?,
        blobs: get("blobs")?,
        stored_bytes: get("stored_bytes")?,
        uploads: get("uploads")?,
        gc_backlog: get("gc_backlog")?,
    })
}

/// The nodes holding job leases now, by job.
pub async fn lease_holders<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, String)>, DbErr> {
    let statement = sql(
        c.get_database_backend(),
        "SELECT queue_name, body FROM queueitem WHERE queue_name LIKE 'quay-lease/%' AND available = ? \
         AND processing_expires > ?",
        [false.into(), crate::util::now_naive().into()],
    );
    let rows = c.query_all_raw(statement).await?;
    rows.iter()
        .map(|r| {
            let queue: String = r.try_get("", "queue_name")?;
            let holder: String = r.try_get("", "body")?;
            Ok((queue.trim_start_matches("quay-lease/").to_owned(), holder))
        })
        .collect()
}
