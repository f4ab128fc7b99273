//! Proxy cache organizations: Quay's `proxycacheconfig`, and the links a cached blob gets to the
//! cached manifests of its repository once its bytes arrive.

use sea_orm::{ConnectionTrait, DbErr};

use super::{ALIVE, exec, one, row};
use crate::util::{now_ms, now_naive};

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ProxyCacheRow {
    pub id: i32,
    pub organization_id: i32,
    pub upstream_registry: String,
    /// Encrypted (`v0$$`), as Quay stores them.
    pub upstream_registry_username: Option<String>,
    pub upstream_registry_password: Option<String>,
    pub expiration_s: Option<i32>,
    pub insecure: bool,
}

const SELECT: &str = "SELECT id, organization_id, upstream_registry, upstream_registry_username, \
     upstream_registry_password, expiration_s, insecure FROM proxycacheconfig";

pub async fn find_proxy_cache<C: ConnectionTrait>(c: &C, org_id: i32) -> Result<Option<ProxyCacheRow>, DbErr> {
    row(c, &format!("{SELECT} WHERE organization_id = ? ORDER BY id"), vec![org_id.into()]).await
}

pub struct NewProxyCache<'a> {
    pub upstream_registry: &'a str,
    pub username: Option<String>,
    pub password: Option<String>,
    pub expiration_s: i32,
    pub insecure: bool,
}

pub async fn insert_proxy_cache<C: ConnectionTrait>(c: &C, org_id: i32, p: &NewProxyCache<'_>) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO proxycacheconfig (organization_id, creation_date, upstream_registry, upstream_registry_username, \
         upstream_registry_password, expiration_s, insecure) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            org_id.into(),
            now_naive().into(),
            p.upstream_registry.into(),
            p.username.clone().into(),
            p.password.clone().into(),
            p.expiration_s.into(),
            p.insecure.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn delete_proxy_cache<C: ConnectionTrait>(c: &C, org_id: i32) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM proxycacheconfig WHERE organization_id = ?", vec![org_id.into()]).await? > 0)
}

/// Links a blob that just arrived to the repository's manifests that reference it (their
/// `manifestblob` rows were left out while the blob was not there), so that it lives as long as
/// they do.
pub async fn link_blob_to_manifests<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    blob_id: i32,
    digest: &str,
) -> Result<u64, DbErr> {
    exec(
        c,
        "INSERT INTO manifestblob (repository_id, manifest_id, blob_id) \
         SELECT m.repository_id, m.id, ? FROM manifest m WHERE m.repository_id = ? AND m.manifest_bytes LIKE ? \
         AND NOT EXISTS (SELECT 1 FROM manifestblob mb WHERE mb.manifest_id = m.id AND mb.blob_id = ?)",
        vec![blob_id.into(), repo_id.into(), format!("%{digest}%").into(), blob_id.into()],
    )
    .await
}

/// Whether the namespace `name` is a proxy cache organization (`None`: no such namespace).
pub async fn namespace_proxy<C: ConnectionTrait>(c: &C, name: &str) -> Result<Option<(i32, bool)>, DbErr> {
    let found = one(
        c,
        "SELECT u.id, (SELECT COUNT(*) FROM proxycacheconfig p WHERE p.organization_id = u.id) AS proxied \
         FROM \"user\" u WHERE u.username = ?",
        vec![name.into()],
    )
    .await?;
    found
        .map(|r| -> Result<(i32, bool), DbErr> { Ok((r.try_get("", "id")?, r.try_get::<i64>("", "proxied")? > 0)) })
        .transpose()
}

/// A cached tag a full proxy cache may evict.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct EvictableTag {
    pub id: i32,
    pub repository_id: i32,
    pub name: String,
}

/// The namespace's alive, visible tag with an expiry that expires soonest (Quay evicts in that
/// order when a proxy cache is over its quota).
pub async fn soonest_expiring_tag<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<Option<EvictableTag>, DbErr> {
    row(
        c,
        &format!(
            "SELECT t.id, t.repository_id, t.name FROM tag t JOIN repository r ON r.id = t.repository_id \
             WHERE r.namespace_user_id = ? AND t.hidden = ? AND t.lifetime_end_ms IS NOT NULL AND {ALIVE} \
             ORDER BY t.lifetime_end_ms, t.id LIMIT 1"
        ),
        vec![namespace_id.into(), false.into(), now_ms().into()],
    )
    .await
}

/// Moves a tag out of the time machine: it ended long enough ago (the namespace's
/// `removed_tag_expiration_s` and a millisecond) for the next collection of its repository to take
/// it, its manifest and the blobs nothing else uses. A cached blob arrives as an upload, whose
/// temporary link would hold it past its manifest: the links of blobs the repository's manifests
/// already reference go first (a blob still arriving has no such reference yet).
pub async fn evict_tag<C: ConnectionTrait>(c: &C, tag: &EvictableTag) -> Result<bool, DbErr> {
    super::tag::lock_tags(c, tag.repository_id).await?;
    exec(
        c,
        "DELETE FROM uploadedblob WHERE repository_id = ? AND blob_id IN \
         (SELECT mb.blob_id FROM manifestblob mb WHERE mb.repository_id = ?)",
        vec![tag.repository_id.into(), tag.repository_id.into()],
    )
    .await?;
    let n = exec(
        c,
        "UPDATE tag SET lifetime_end_ms = ? - 1 - 1000 * (SELECT u.removed_tag_expiration_s FROM repository r \
         JOIN \"user\" u ON u.id = r.namespace_user_id WHERE r.id = ?) WHERE id = ?",
        vec![now_ms().into(), tag.repository_id.into(), tag.id.into()],
    )
    .await?;
    Ok(n > 0)
}
