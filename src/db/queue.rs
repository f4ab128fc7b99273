//! Quay's work queue (`queueitem`) and the job leases built on it.
//!
//! An item is claimed by setting `available = false` and `processing_expires` to the end of the
//! claim, guarded by `state_id`: every change writes a new random `state_id` and only applies if
//! the row still has the one the caller read (optimistic concurrency, as Quay's `WorkQueue` does).
//! A claim whose `processing_expires` has passed may be taken by anyone: its holder died.
//!
//! A job lease is one item per job kind, in the queue `quay-lease/<job>`, whose `body` names the
//! node holding it. Quay's own queues use other names, so Python Quay never touches these rows.

use std::time::Duration;

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DbErr};

use super::{exec, one};
use crate::util::now_naive;

const LEASE_QUEUE_PREFIX: &str = "quay-lease/";

/// One row per running server or worker, `quay-node/<node>`, whose body is the fingerprint of the
/// storage layout it uses and whose `processing_expires` it keeps in the future while it lives
/// (ours, not Quay's): `quay migrate storage` waits for every live node to use a new layout.
const NODE_QUEUE_PREFIX: &str = "quay-node/";

/// Quay's queue of blobs to copy to the default storage locations
/// (`storagereplication`, body `{"namespace_user_id": .., "storage_id": "<imagestorage uuid>"}`).
pub const REPLICATION_QUEUE: &str = "imagestoragereplication";

/// Quay's queue of deleted repositories to purge (`REPOSITORY_GC_QUEUE_NAME`).
pub const REPOSITORY_GC_QUEUE: &str = "repositorygc";

/// Quay's queue of deleted users and organizations to purge (`NAMESPACE_GC_QUEUE_NAME`).
pub const NAMESPACE_GC_QUEUE: &str = "namespacegc";

/// Storage objects whose rows were deleted, written in the same transaction as the deletion, so an
/// object is removed even if a collection stops between the commit and the removal (ours, not
/// Quay's).
pub const OBJECT_DELETE_QUEUE: &str = "quay-blobdelete";

/// A job lease held by this node; `state_id` proves it on renewal and release.
#[derive(Debug, Clone)]
pub struct Lease {
    pub job: String,
    id: i32,
    state_id: String,
    /// When the lease was last claimed or renewed: it is ours until this plus its ttl.
    pub renewed: std::time::Instant,
}

fn new_state_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn later(ttl: Duration) -> NaiveDateTime {
    now_naive() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(60))
}

struct LeaseRow {
    id: i32,
    holder: String,
    available: bool,
    expires: Option<NaiveDateTime>,
    state_id: String,
}

async fn lease_row<C: ConnectionTrait>(c: &C, queue: &str) -> Result<Option<LeaseRow>, DbErr> {
    // The oldest row is the lease; concurrent first inserts may leave a younger twin, never used.
    let row = one(
        c,
        "SELECT id, body, available, processing_expires, state_id FROM queueitem WHERE queue_name = ? ORDER BY id LIMIT 1",
        vec![queue.into()],
    )
    .await?;
    row.map(|r| {
        Ok(LeaseRow {
            id: r.try_get("", "id")?,
            holder: r.try_get("", "body")?,
            available: r.try_get("", "available")?,
            expires: r.try_get("", "processing_expires")?,
            state_id: r.try_get("", "state_id")?,
        })
    })
    .transpose()
}

/// Takes the lease for `job` for `ttl` if nobody holds it or its holder let it expire. `Ok(None)`:
/// another node holds it.
pub async fn try_acquire_lease<C: ConnectionTrait>(
    c: &C,
    job: &str,
    holder: &str,
    ttl: Duration,
) -> Result<Option<Lease>, DbErr> {
    let queue = format!("{LEASE_QUEUE_PREFIX}{job}");
    let row = match lease_row(c, &queue).await? {
        Some(row) => row,
        None => {
            exec(
                c,
                "INSERT INTO queueitem (queue_name, body, available_after, available, processing_expires, \
                 retries_remaining, state_id) VALUES (?, '', ?, ?, NULL, 0, ?)",
                vec![queue.clone().into(), now_naive().into(), true.into(), new_state_id().into()],
            )
            .await?;
            match lease_row(c, &queue).await? {
                Some(row) => row,
                None => return Ok(None),
            }
        }
    };
    let free = row.available || row.expires.is_none_or(|e| e < now_naive()) || row.holder == holder;
    if !free {
        return Ok(None);
    }
    let state_id = new_state_id();
    let changed = exec(
        c,
        "UPDATE queueitem SET body = ?, available = ?, processing_expires = ?, state_id = ? WHERE id = ? AND state_id = ?",
        vec![
            holder.into(),
            false.into(),
            later(ttl).into(),
            state_id.clone().into(),
            row.id.into(),
            row.state_id.into(),
        ],
    )
    .await?;
    Ok((changed == 1).then(|| Lease { job: job.to_owned(), id: row.id, state_id, renewed: std::time::Instant::now() }))
}

/// Extends a held lease. `Ok(false)`: it was lost (expired and taken by another node).
pub async fn renew_lease<C: ConnectionTrait>(c: &C, lease: &mut Lease, ttl: Duration) -> Result<bool, DbErr> {
    let state_id = new_state_id();
    // Only the oldest row of the queue is the lease: two nodes starting together may each have
    // inserted one, and the holder of the younger twin loses it here.
    let changed = exec(
        c,
        "UPDATE queueitem SET processing_expires = ?, state_id = ? WHERE id = ? AND state_id = ? \
         AND id = (SELECT MIN(q.id) FROM queueitem q WHERE q.queue_name = ?)",
        vec![
            later(ttl).into(),
            state_id.clone().into(),
            lease.id.into(),
            lease.state_id.clone().into(),
            format!("{LEASE_QUEUE_PREFIX}{}", lease.job).into(),
        ],
    )
    .await?;
    if changed == 1 {
        lease.state_id = state_id;
        lease.renewed = std::time::Instant::now();
    }
    Ok(changed == 1)
}

/// Gives a lease back so another node may take it at once (on shutdown).
pub async fn release_lease<C: ConnectionTrait>(c: &C, lease: Lease) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE queueitem SET available = ?, processing_expires = NULL, state_id = ? WHERE id = ? AND state_id = ?",
        vec![true.into(), new_state_id().into(), lease.id.into(), lease.state_id.into()],
    )
    .await?;
    Ok(())
}

/// Frees every job lease in a database snapshot (a backup's): the nodes and the backup holding
/// them do not exist where it is restored, and the jobs must not wait out their leases there.
pub fn free_leases_in_snapshot(snapshot: &rusqlite::Connection) -> rusqlite::Result<usize> {
    snapshot.execute(
        "UPDATE queueitem SET available = 1, processing_expires = NULL WHERE queue_name LIKE ?1",
        [format!("{LEASE_QUEUE_PREFIX}%")],
    )
}

/// Who holds a job lease now in the SQLite database at `path`, read without opening the registry:
/// a running server or worker (`quay migrate database` refuses to move a database in use).
pub fn live_lease_holders(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    use anyhow::Context as _;
    let db = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let now = now_naive().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    let mut statement = db.prepare(
        "SELECT DISTINCT body FROM queueitem WHERE queue_name LIKE ?1 AND available = 0 AND processing_expires > ?2",
    )?;
    let holders = statement
        .query_map([format!("{LEASE_QUEUE_PREFIX}%"), now], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(holders)
}

/// Who holds the lease for `job`, if anyone does now.
pub async fn lease_holder<C: ConnectionTrait>(c: &C, job: &str) -> Result<Option<String>, DbErr> {
    let row = lease_row(c, &format!("{LEASE_QUEUE_PREFIX}{job}")).await?;
    Ok(row.filter(|r| !r.available && r.expires.is_some_and(|e| e >= now_naive())).map(|r| r.holder))
}

/// Records that `node` uses the storage layout `fingerprint` and is alive for `ttl` more.
pub async fn record_node<C: ConnectionTrait>(c: &C, node: &str, fingerprint: &str, ttl: Duration) -> Result<(), DbErr> {
    put_record(c, &format!("{NODE_QUEUE_PREFIX}{node}"), fingerprint, later(ttl)).await
}

/// A record of ours kept in `queueitem` under `queue` (never available, so no worker claims it),
/// written over if it exists.
async fn put_record<C: ConnectionTrait>(c: &C, queue: &str, body: &str, expires: NaiveDateTime) -> Result<(), DbErr> {
    let updated = exec(
        c,
        "UPDATE queueitem SET body = ?, processing_expires = ? WHERE queue_name = ?",
        vec![body.into(), expires.into(), queue.into()],
    )
    .await?;
    if updated == 0 {
        exec(
            c,
            "INSERT INTO queueitem (queue_name, body, available_after, available, processing_expires, \
             retries_remaining, state_id) VALUES (?, ?, ?, ?, ?, 0, ?)",
            vec![queue.into(), body.into(), now_naive().into(), false.into(), expires.into(), new_state_id().into()],
        )
        .await?;
    }
    Ok(())
}

/// A mirror's sync progress (ours, not Quay's; `quay-mirror/<mirror id>`): what `quay admin
/// mirror show` reports, from whichever node runs the sync.
const MIRROR_PROGRESS_PREFIX: &str = "quay-mirror/";

pub async fn record_mirror_progress<C: ConnectionTrait>(c: &C, mirror_id: i32, body: &str) -> Result<(), DbErr> {
    put_record(c, &format!("{MIRROR_PROGRESS_PREFIX}{mirror_id}"), body, now_naive()).await
}

pub async fn mirror_progress<C: ConnectionTrait>(c: &C, mirror_id: i32) -> Result<Option<String>, DbErr> {
    super::one(
        c,
        "SELECT body FROM queueitem WHERE queue_name = ?",
        vec![format!("{MIRROR_PROGRESS_PREFIX}{mirror_id}").into()],
    )
    .await?
    .map(|r| r.try_get_by_index(0))
    .transpose()
}

pub async fn forget_mirror_progress<C: ConnectionTrait>(c: &C, mirror_id: i32) -> Result<(), DbErr> {
    exec(c, "DELETE FROM queueitem WHERE queue_name = ?", vec![format!("{MIRROR_PROGRESS_PREFIX}{mirror_id}").into()])
        .await?;
    Ok(())
}

/// Removes a node's record (it stops), and the records of nodes long dead.
pub async fn forget_node<C: ConnectionTrait>(c: &C, node: &str) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM queueitem WHERE queue_name LIKE ? AND (queue_name = ? OR processing_expires < ?)",
        vec![
            format!("{NODE_QUEUE_PREFIX}%").into(),
            format!("{NODE_QUEUE_PREFIX}{node}").into(),
            (now_naive() - chrono::Duration::days(1)).into(),
        ],
    )
    .await?;
    Ok(())
}

/// The live nodes and the storage layout fingerprint each uses.
pub async fn live_nodes<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, String)>, DbErr> {
    let rows = super::all(
        c,
        "SELECT queue_name, body FROM queueitem WHERE queue_name LIKE ? AND processing_expires > ? ORDER BY id",
        vec![format!("{NODE_QUEUE_PREFIX}%").into(), now_naive().into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let queue: String = r.try_get("", "queue_name")?;
            let node = queue.strip_prefix(NODE_QUEUE_PREFIX).unwrap_or(&queue).to_owned();
            Ok((node, r.try_get("", "body")?))
        })
        .collect()
}

/// An item claimed from one of Quay's queues.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub id: i32,
    pub body: String,
    state_id: String,
}

/// Quay's canonical queue name: the parts joined by `/`, with a trailing `/`.
pub fn canonical_queue_name(parts: &[&str]) -> String {
    let mut name = parts.join("/");
    name.push('/');
    name
}

/// Adds an item, as Quay's `WorkQueue.put` does (5 retries); returns its id.
pub async fn put<C: ConnectionTrait>(c: &C, queue_name: &str, body: &str) -> Result<i32, DbErr> {
    put_after(c, queue_name, body, Duration::ZERO).await
}

/// Like [`put`], for an item that becomes available only after `delay`.
pub async fn put_after<C: ConnectionTrait>(c: &C, queue_name: &str, body: &str, delay: Duration) -> Result<i32, DbErr> {
    let state_id = new_state_id();
    let available_after = chrono::Duration::from_std(delay)
        .ok()
        .and_then(|d| now_naive().checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX);
    insert(c, queue_name, body, available_after, true, &state_id).await?;
    let row = one(c, "SELECT id FROM queueitem WHERE state_id = ?", vec![state_id.into()]).await?;
    row.map(|r| r.try_get("", "id")).transpose()?.ok_or_else(|| DbErr::RecordNotFound("queue item".into()))
}

/// Claims the oldest available item whose queue name starts with `prefix` for `processing`: it is
/// available when its time has come and nobody holds it, or its holder's claim ran out.
pub async fn claim<C: ConnectionTrait>(c: &C, prefix: &str, processing: Duration) -> Result<Option<QueueItem>, DbErr> {
    let now = now_naive();
    let candidates = super::all(
        c,
        "SELECT id, body, state_id FROM queueitem WHERE queue_name LIKE ? AND available_after <= ? \
         AND (available = ? OR processing_expires <= ?) AND retries_remaining > 0 ORDER BY id LIMIT 5",
        vec![format!("{prefix}%").into(), now.into(), true.into(), now.into()],
    )
    .await?;
    for row in candidates {
        let id: i32 = row.try_get("", "id")?;
        let old: String = row.try_get("", "state_id")?;
        let state_id = new_state_id();
        let changed = exec(
            c,
            "UPDATE queueitem SET available = ?, processing_expires = ?, retries_remaining = retries_remaining - 1, \
             state_id = ? WHERE id = ? AND state_id = ?",
            vec![false.into(), later(processing).into(), state_id.clone().into(), id.into(), old.into()],
        )
        .await?;
        if changed == 1 {
            return Ok(Some(QueueItem { id, body: row.try_get("", "body")?, state_id }));
        }
    }
    Ok(None)
}

/// Extends the claim on an item being worked on by another `processing`. `Ok(false)`: the claim
/// ran out and another worker took the item.
pub async fn extend<C: ConnectionTrait>(c: &C, item: &mut QueueItem, processing: Duration) -> Result<bool, DbErr> {
    let state_id = new_state_id();
    let changed = exec(
        c,
        "UPDATE queueitem SET processing_expires = ?, state_id = ? WHERE id = ? AND state_id = ?",
        vec![later(processing).into(), state_id.clone().into(), item.id.into(), item.state_id.clone().into()],
    )
    .await?;
    if changed == 1 {
        item.state_id = state_id;
    }
    Ok(changed == 1)
}

/// Removes a finished item.
pub async fn complete<C: ConnectionTrait>(c: &C, item: &QueueItem) -> Result<(), DbErr> {
    exec(c, "DELETE FROM queueitem WHERE id = ? AND state_id = ?", vec![item.id.into(), item.state_id.clone().into()])
        .await?;
    Ok(())
}

/// Hands a failed item back, available again after `retry_after` (its retries were counted).
pub async fn incomplete<C: ConnectionTrait>(c: &C, item: &QueueItem, retry_after: Duration) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE queueitem SET available = ?, processing_expires = NULL, available_after = ?, state_id = ? \
         WHERE id = ? AND state_id = ?",
        vec![
            true.into(),
            later(retry_after).into(),
            new_state_id().into(),
            item.id.into(),
            item.state_id.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Items waiting (or being worked on) in queues whose name starts with `prefix`.
pub async fn pending<C: ConnectionTrait>(c: &C, prefix: &str) -> Result<u64, DbErr> {
    let row = one(
        c,
        "SELECT COUNT(*) AS n FROM queueitem WHERE queue_name LIKE ? AND retries_remaining > 0",
        vec![format!("{prefix}%").into()],
    )
    .await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0) as u64)
}

/// Small blobs written to local disk and not yet synced, their bytes in the item
/// (`quay-flush/<location>/<digest>/`, see `registry::staging`).
pub const STAGED_BLOB_QUEUE: &str = "quay-flush";

/// Adds an item that no worker claims (a staged blob, a marker) in one statement: nothing reads
/// its id.
pub async fn put_unclaimed<C: ConnectionTrait>(c: &C, queue_name: &str, body: &str) -> Result<(), DbErr> {
    insert(c, queue_name, body, now_naive(), false, &new_state_id()).await
}

/// One new item with Quay's 5 retries.
async fn insert<C: ConnectionTrait>(
    c: &C,
    queue_name: &str,
    body: &str,
    available_after: NaiveDateTime,
    available: bool,
    state_id: &str,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO queueitem (queue_name, body, available_after, available, processing_expires, retries_remaining, \
         state_id) VALUES (?, ?, ?, ?, NULL, 5, ?)",
        vec![queue_name.into(), body.into(), available_after.into(), available.into(), state_id.into()],
    )
    .await?;
    Ok(())
}

/// An item as listed: ids are reused once the newest rows are deleted, so a later deletion names
/// the item by id and `state_id` together.
pub struct ListedItem {
    pub id: i32,
    pub queue_name: String,
    state_id: String,
}

/// Up to `limit` items whose queue name starts with `prefix`, oldest first.
pub async fn list_items<C: ConnectionTrait>(c: &C, prefix: &str, limit: u64) -> Result<Vec<ListedItem>, DbErr> {
    let rows = super::all(
        c,
        &format!(
            "SELECT id, queue_name, state_id FROM queueitem WHERE queue_name LIKE ? ESCAPE '\\' ORDER BY id LIMIT {}",
            limit.min(i64::MAX as u64)
        ),
        vec![format!("{}%", super::like_escape(prefix)).into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ListedItem {
                id: r.try_get("", "id")?,
                queue_name: r.try_get("", "queue_name")?,
                state_id: r.try_get("", "state_id")?,
            })
        })
        .collect()
}

/// An item's body, if it is still there.
pub async fn body_of<C: ConnectionTrait>(c: &C, id: i32) -> Result<Option<String>, DbErr> {
    let row = one(c, "SELECT body FROM queueitem WHERE id = ?", vec![id.into()]).await?;
    row.map(|r| r.try_get("", "body")).transpose()
}

/// Deletes listed items that are still as listed.
pub async fn delete_items<C: ConnectionTrait>(c: &C, items: &[ListedItem]) -> Result<(), DbErr> {
    for batch in items.chunks(400) {
        let text =
            format!("DELETE FROM queueitem WHERE {}", vec!["(id = ? AND state_id = ?)"; batch.len()].join(" OR "));
        let values = batch.iter().flat_map(|i| [i.id.into(), i.state_id.clone().into()]).collect();
        exec(c, &text, values).await?;
    }
    Ok(())
}

/// Deletes the staged items of a digest, whatever their location.
pub async fn delete_staged<C: ConnectionTrait>(c: &C, digest: &str) -> Result<(), DbErr> {
    let pattern = format!("{STAGED_BLOB_QUEUE}/%/{}/", super::like_escape(digest));
    exec(c, "DELETE FROM queueitem WHERE queue_name LIKE ? ESCAPE '\\'", vec![pattern.into()]).await?;
    Ok(())
}
