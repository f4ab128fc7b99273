//! The SQL of garbage collection (Quay's `data/model/gc.py` rules). Every function runs inside the
//! caller's transaction; deletions re-check their conditions in the statement itself, so a row
//! that became referenced since it was selected is kept.
//!
//! What goes, in order, for one repository:
//! 1. tags past the namespace's time machine (`removed_tag_expiration_s`), and hidden tags once
//!    ended; hidden pins of referrers whose subject is gone (after the temp-tag grace);
//! 2. expired upload links (`uploadedblob.expires_at`);
//! 3. manifests no tag row reaches, that no index lists and that no tagged referrer names as its
//!    subject, repeatedly (an index going frees its children);
//! 4. blob rows (`imagestorage`) no manifest and no upload link references in any repository.
//!
//! The storage object of a deleted blob row goes afterwards, under the digest's lock, only if no
//! row with that digest exists any more (`registry::gc`).

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait as _, Value};

use super::tag::lock_tags;

use super::repository::repo_state;
use super::{all, exec, one};

/// Docker's empty layer: Quay never removes it.
pub const EMPTY_LAYER_DIGEST: &str = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

/// A blob row deleted by a collection; its object may go once the transaction committed.
#[derive(Debug, Clone)]
pub struct DeletedBlob {
    pub digest: String,
    pub size: i64,
}

#[derive(Debug, Default, Clone)]
pub struct Collected {
    pub tags: u64,
    pub upload_links: u64,
    pub manifests: u64,
    pub blobs: Vec<DeletedBlob>,
    /// Upload uuids whose chunks must go (repository purge only).
    pub uploads: Vec<String>,
}

impl Collected {
    pub fn add(&mut self, other: Collected) {
        self.tags += other.tags;
        self.upload_links += other.upload_links;
        self.manifests += other.manifests;
        self.blobs.extend(other.blobs);
        self.uploads.extend(other.uploads);
    }
}

/// Repositories (not marked for deletion) with tags, upload links or manifests to collect now.
pub async fn repositories_to_collect<C: ConnectionTrait>(
    c: &C,
    now_ms: i64,
    now: chrono::NaiveDateTime,
) -> Result<Vec<i32>, DbErr> {
    let rows = all(
        c,
        "SELECT t.repository_id AS id FROM tag t JOIN repository r ON r.id = t.repository_id \
         JOIN \"user\" u ON u.id = r.namespace_user_id \
         WHERE r.state <> ? AND t.lifetime_end_ms IS NOT NULL \
         AND (t.lifetime_end_ms <= ? - u.removed_tag_expiration_s * 1000 OR (t.hidden = ? AND t.lifetime_end_ms <= ?)) \
         UNION SELECT ub.repository_id AS id FROM uploadedblob ub JOIN repository r ON r.id = ub.repository_id \
         WHERE r.state <> ? AND ub.expires_at <= ? \
         UNION SELECT m.repository_id AS id FROM manifest m JOIN repository r ON r.id = m.repository_id \
         WHERE r.state <> ? AND NOT EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id) \
         UNION SELECT t.repository_id AS id FROM tag t JOIN manifest m ON m.id = t.manifest_id \
         JOIN repository r ON r.id = t.repository_id \
         WHERE r.state <> ? AND t.hidden = ? AND t.lifetime_end_ms IS NULL AND m.subject IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM manifest s WHERE s.repository_id = m.repository_id AND s.digest = m.subject)",
        vec![
            repo_state::MARKED_FOR_DELETION.into(),
            now_ms.into(),
            true.into(),
            now_ms.into(),
            repo_state::MARKED_FOR_DELETION.into(),
            now.into(),
            repo_state::MARKED_FOR_DELETION.into(),
            repo_state::MARKED_FOR_DELETION.into(),
            true.into(),
        ],
    )
    .await?;
    let mut ids: Vec<i32> = rows.iter().map(|r| r.try_get("", "id")).collect::<Result<_, _>>()?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// How one repository is collected.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub now_ms: i64,
    pub now: chrono::NaiveDateTime,
    /// Referrers pushed before their subject keep their pin this long.
    pub temp_tag_ms: i64,
    /// Everything goes: the repository was deleted.
    pub purge: bool,
}

/// Collects one repository (see the module's rules).
pub async fn collect_repository(tx: &DatabaseTransaction, repo_id: i32, rules: Rules) -> Result<Collected, DbErr> {
    // Tag and manifest writes of this repository wait for the collection (and the reverse).
    lock_tags(tx, repo_id).await?;
    let mut out = Collected::default();
    let mut blob_candidates: Vec<i32> = Vec::new();

    // Upload links.
    let (link_filter, link_args): (&str, Vec<Value>) = if rules.purge {
        ("repository_id = ?", vec![repo_id.into()])
    } else {
        ("repository_id = ? AND expires_at <= ?", vec![repo_id.into(), rules.now.into()])
    };
    let rows = all(tx, &format!("SELECT blob_id FROM uploadedblob WHERE {link_filter}"), link_args.clone()).await?;
    for r in &rows {
        blob_candidates.push(r.try_get("", "blob_id")?);
    }
    out.upload_links = exec(tx, &format!("DELETE FROM uploadedblob WHERE {link_filter}"), link_args).await?;

    // Tags and manifests, until nothing more goes.
    let retention_s: i64 = if rules.purge {
        0
    } else {
        let row = one(
            tx,
            "SELECT u.removed_tag_expiration_s AS s FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id \
             WHERE r.id = ?",
            vec![repo_id.into()],
        )
        .await?;
        row.map(|r| r.try_get::<i64>("", "s")).transpose()?.unwrap_or(1_209_600)
    };
    loop {
        if !rules.purge {
            end_orphaned_referrer_pins(tx, repo_id, rules).await?;
        }
        let tags = delete_collectable_tags(tx, repo_id, rules, retention_s).await?;
        out.tags += tags;
        let manifests = unreferenced_manifests(tx, repo_id).await?;
        if manifests.is_empty() {
            if tags == 0 {
                break;
            }
            continue;
        }
        let (deleted, blobs) = delete_manifests(tx, repo_id, &manifests).await?;
        out.manifests += deleted;
        blob_candidates.extend(blobs);
        if deleted == 0 {
            break;
        }
    }

    blob_candidates.sort_unstable();
    blob_candidates.dedup();
    for blob_id in blob_candidates {
        if let Some(blob) = delete_blob_if_unreferenced(tx, blob_id).await? {
            out.blobs.push(blob);
        }
    }
    Ok(out)
}

/// Hidden pins that never end keep referrers pushed by digest; once their subject is gone (and the
/// temp-tag grace has passed, for referrers pushed before their subject), they end now.
async fn end_orphaned_referrer_pins(tx: &DatabaseTransaction, repo_id: i32, rules: Rules) -> Result<u64, DbErr> {
    exec(
        tx,
        "UPDATE tag SET lifetime_end_ms = ? WHERE repository_id = ? AND hidden = ? AND lifetime_end_ms IS NULL \
         AND lifetime_start_ms <= ? AND manifest_id IN (SELECT m.id FROM manifest m WHERE m.repository_id = ? \
         AND m.subject IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM manifest s WHERE s.repository_id = m.repository_id AND s.digest = m.subject))",
        vec![
            rules.now_ms.into(),
            repo_id.into(),
            true.into(),
            (rules.now_ms - rules.temp_tag_ms).into(),
            repo_id.into(),
        ],
    )
    .await
}

/// Deletes tag rows past the time machine (all of them when purging) and what hangs off them.
async fn delete_collectable_tags(
    tx: &DatabaseTransaction,
    repo_id: i32,
    rules: Rules,
    retention_s: i64,
) -> Result<u64, DbErr> {
    let (filter, args): (&str, Vec<Value>) = if rules.purge {
        ("repository_id = ?", vec![repo_id.into()])
    } else {
        (
            "repository_id = ? AND lifetime_end_ms IS NOT NULL \
             AND (lifetime_end_ms <= ? OR (hidden = ? AND lifetime_end_ms <= ?))",
            vec![repo_id.into(), (rules.now_ms - retention_s * 1000).into(), true.into(), rules.now_ms.into()],
        )
    };
    exec(
        tx,
        &format!("DELETE FROM tagnotificationsuccess WHERE tag_id IN (SELECT id FROM tag WHERE {filter})"),
        args.clone(),
    )
    .await?;
    exec(
        tx,
        &format!("UPDATE tag SET linked_tag_id = NULL WHERE linked_tag_id IN (SELECT id FROM tag WHERE {filter})"),
        args.clone(),
    )
    .await?;
    exec(tx, &format!("DELETE FROM tag WHERE {filter}"), args).await
}

/// Manifests of the repository that nothing keeps: no tag row (alive, in the time machine or
/// hidden), no index listing them, no tagged referrer naming them as subject.
async fn unreferenced_manifests(tx: &DatabaseTransaction, repo_id: i32) -> Result<Vec<i32>, DbErr> {
    let rows = all(
        tx,
        "SELECT m.id FROM manifest m WHERE m.repository_id = ? \
         AND NOT EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id) \
         AND NOT EXISTS (SELECT 1 FROM manifestchild mc WHERE mc.child_manifest_id = m.id) \
         AND NOT EXISTS (SELECT 1 FROM manifest r JOIN tag rt ON rt.manifest_id = r.id \
             WHERE r.repository_id = m.repository_id AND r.subject = m.digest AND rt.hidden = ?) \
         ORDER BY m.id LIMIT 500",
        vec![repo_id.into(), false.into()],
    )
    .await?;
    rows.iter().map(|r| r.try_get("", "id")).collect()
}

fn id_list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// Deletes manifests and their rows; returns how many went and the blobs they referenced.
async fn delete_manifests(tx: &DatabaseTransaction, repo_id: i32, ids: &[i32]) -> Result<(u64, Vec<i32>), DbErr> {
    let list = id_list(ids);
    let blobs = all(tx, &format!("SELECT DISTINCT blob_id FROM manifestblob WHERE manifest_id IN ({list})"), vec![])
        .await?
        .iter()
        .map(|r| r.try_get("", "blob_id"))
        .collect::<Result<Vec<i32>, _>>()?;
    let labels = all(tx, &format!("SELECT label_id FROM manifestlabel WHERE manifest_id IN ({list})"), vec![])
        .await?
        .iter()
        .map(|r| r.try_get("", "label_id"))
        .collect::<Result<Vec<i32>, _>>()?;
    for table in ["manifestlabel", "manifestchild", "manifestblob", "manifestsecuritystatus"] {
        exec(tx, &format!("DELETE FROM {table} WHERE manifest_id IN ({list})"), vec![]).await?;
    }
    let digests = all(tx, &format!("SELECT digest FROM manifest WHERE id IN ({list})"), vec![]).await?;
    for r in &digests {
        let digest: String = r.try_get("", "digest")?;
        exec(
            tx,
            "DELETE FROM manifestpullstatistics WHERE repository_id = ? AND manifest_digest = ?",
            vec![repo_id.into(), digest.into()],
        )
        .await?;
    }
    let deleted = exec(
        tx,
        &format!(
            "DELETE FROM manifest WHERE id IN ({list}) AND NOT EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = manifest.id)"
        ),
        vec![],
    )
    .await?;
    if !labels.is_empty() {
        exec(
            tx,
            &format!(
                "DELETE FROM label WHERE id IN ({}) AND NOT EXISTS (SELECT 1 FROM manifestlabel ml WHERE ml.label_id = label.id)",
                id_list(&labels)
            ),
            vec![],
        )
        .await?;
    }
    Ok((deleted, blobs))
}

const BLOB_UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM manifestblob mb WHERE mb.blob_id = imagestorage.id) \
     AND NOT EXISTS (SELECT 1 FROM uploadedblob ub WHERE ub.blob_id = imagestorage.id)";

/// Deletes a blob row that nothing references any more, in a savepoint: a reference added
/// meanwhile by another transaction (a foreign-key error here) keeps it.
pub async fn delete_blob_if_unreferenced(tx: &DatabaseTransaction, blob_id: i32) -> Result<Option<DeletedBlob>, DbErr> {
    let row = one(
        tx,
        &format!("SELECT content_checksum, image_size FROM imagestorage WHERE id = ? AND {BLOB_UNREFERENCED}"),
        vec![blob_id.into()],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    let digest: Option<String> = row.try_get("", "content_checksum")?;
    let Some(digest) = digest else { return Ok(None) };
    if digest == EMPTY_LAYER_DIGEST {
        return Ok(None);
    }
    let size: Option<i64> = row.try_get("", "image_size")?;
    let savepoint = tx.begin().await?;
    let deleted = async {
        for table in ["imagestoragesignature", "imagestorageplacement"] {
            exec(
                &savepoint,
                &format!(
                    "DELETE FROM {table} WHERE storage_id IN (SELECT id FROM imagestorage WHERE id = ? AND {BLOB_UNREFERENCED})"
                ),
                vec![blob_id.into()],
            )
            .await?;
        }
        exec(&savepoint, &format!("DELETE FROM imagestorage WHERE id = ? AND {BLOB_UNREFERENCED}"), vec![blob_id.into()])
            .await
    }
    .await;
    match deleted {
        Ok(1) => {
            savepoint.commit().await?;
            // Its staged copy, if a push's round has not synced it yet, goes with the last row of
            // its digest.
            if !digest_referenced(tx, &digest).await? {
                super::queue::delete_staged(tx, &digest).await?;
            }
            Ok(Some(DeletedBlob { digest, size: size.unwrap_or(0) }))
        }
        Ok(_) => {
            savepoint.rollback().await?;
            Ok(None)
        }
        Err(e) if is_foreign_key_violation(&e) => {
            savepoint.rollback().await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Whether a database error is a foreign-key violation (SQLite or PostgreSQL wording).
pub fn is_foreign_key_violation(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("FOREIGN KEY constraint failed") || text.contains("violates foreign key constraint")
}

/// Whether any blob row (in any location) still has this digest.
pub async fn digest_referenced<C: ConnectionTrait>(c: &C, digest: &str) -> Result<bool, DbErr> {
    Ok(one(c, "SELECT 1 FROM imagestorage WHERE content_checksum = ? LIMIT 1", vec![digest.into()]).await?.is_some())
}

/// Everything else of a deleted repository, then its row (Quay's repositorygcworker). The tags,
/// manifests and blobs went through [`collect_repository`] with `purge` first.
pub async fn purge_repository_rows(tx: &DatabaseTransaction, repo_id: i32) -> Result<Vec<String>, DbErr> {
    let uploads = all(tx, "SELECT uuid FROM blobupload WHERE repository_id = ?", vec![repo_id.into()])
        .await?
        .iter()
        .map(|r| r.try_get("", "uuid"))
        .collect::<Result<Vec<String>, _>>()?;
    exec(
        tx,
        "DELETE FROM tagnotificationsuccess WHERE notification_id IN \
         (SELECT id FROM repositorynotification WHERE repository_id = ?)",
        vec![repo_id.into()],
    )
    .await?;
    // Rows that name the repository, those naming others' rows first.
    for table in [
        "repositorybuild",
        "repositorybuildtrigger",
        "accesstoken",
        "repomirrorconfig",
        "repomirrorrule",
        "repositorynotification",
        "blobupload",
        "repositorypermission",
        "star",
        "repositoryactioncount",
        "repositoryauthorizedemail",
        "repositorysearchscore",
        "apprtag",
        "manifestsecuritystatus",
        "quotarepositorysize",
        "repositoryautoprunepolicy",
        "tagpullstatistics",
        "manifestpullstatistics",
        "orgmirrorrepository",
        "repositoryimmutabilitypolicy",
        "deletedrepository",
    ] {
        exec(tx, &format!("DELETE FROM {table} WHERE repository_id = ?"), vec![repo_id.into()]).await?;
    }
    exec(tx, "DELETE FROM repository WHERE id = ?", vec![repo_id.into()]).await?;
    Ok(uploads)
}
