//! Tag changes made by name (the API and `quay admin`): moved onto a manifest, given an
//! expiration, deleted, restored from the time machine, and their history. Pushes and `/v2`
//! deletes change tags in `manifests.rs`; both go through [`changeable`], so a tag that is
//! immutable or a repository that takes no writes refuses them the same way.

use serde_json::json;

use super::access::{self, RepositoryAccess};
use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::{Actor, Role};
pub use crate::db::tag::{TagFilter, TagView};

/// The repository of a tag the actor is about to change: they may write to it, it takes writes
/// now, the name is a valid tag, and the tag is not immutable.
pub async fn changeable(app: &App, actor: &Actor, path: &str, tag: &str) -> Result<RepositoryAccess> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Write)?;
    access::require_writable(app, &target.repo, actor).await?;
    crate::oci::validate_tag(tag)?;
    refuse_immutable(app, target.repo.id, tag).await?;
    Ok(target)
}

/// `TAG_IMMUTABLE` when the alive tag `tag` is immutable (Quay's `tag.immutable`).
pub(super) async fn refuse_immutable(app: &App, repo_id: i32, tag: &str) -> Result<()> {
    if app.db.tag_is_immutable(repo_id, tag).await? {
        return Err(RegistryError::TagImmutable(tag.to_owned()));
    }
    Ok(())
}

/// A tag row as its history shows it.
pub struct Tag {
    pub view: TagView,
    /// Whether it points at an index (a manifest list).
    pub is_index: bool,
    /// An index's children in order, each with whether the repository holds it (a sparse index
    /// lacks some); empty for other manifests.
    pub children: Vec<(String, bool)>,
}

/// A repository's tags with their history (or only the alive ones), newest first.
pub async fn history(app: &App, actor: &Actor, path: &str, filter: &TagFilter<'_>) -> Result<Vec<Tag>> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Read)?;
    let rows = crate::db::tag::tag_views(&app.db.read, target.repo.id, filter).await?;
    let is_index = |id| crate::oci::media_types::is_index(app.db.lookups.media_type_name(id).unwrap_or_default());
    // Tags of one index share its children: each index is read once per page.
    let mut children: std::collections::HashMap<String, Vec<(String, bool)>> = Default::default();
    let mut tags = Vec::with_capacity(rows.len());
    for view in rows {
        let is_index = is_index(view.media_type_id);
        let mut of_index = Vec::new();
        if is_index {
            if !children.contains_key(&view.digest) {
                let found = super::manifests::index_children(app, target.repo.id, &view.digest).await?;
                children.insert(view.digest.clone(), found);
            }
            of_index = children.get(&view.digest).cloned().unwrap_or_default();
        }
        tags.push(Tag { view, is_index, children: of_index });
    }
    Ok(tags)
}

/// Points the tag at a manifest something still reaches (Quay's `allow_dead=False`; older ones
/// are restored instead) and/or sets when it expires (`Some(None)`: never). Logged as Quay's
/// `create_tag` or `move_tag`, and `change_tag_expiration`.
pub async fn change(
    app: &App,
    actor: &Actor,
    path: &str,
    tag: &str,
    manifest_digest: Option<&str>,
    expiration_ms: Option<Option<i64>>,
) -> Result<()> {
    let target = changeable(app, actor, path, tag).await?;
    let now_ms = crate::util::now_ms();
    if expiration_ms.flatten().is_some_and(|ms| ms <= now_ms) {
        return Err(RegistryError::TagInvalid(
            "Invalid expiration date: it must be a time in the future, in epoch seconds".into(),
        ));
    }
    let metadata_base = tag_metadata(actor, &target.name, tag);
    let (namespace_id, repo_id) = (target.repo.namespace_id, target.repo.id);
    let tx = app.db.begin().await?;
    let previous = crate::db::tag::tag_history(&tx, repo_id, tag).await?;
    let alive_before = previous.first().filter(|(_, _, end)| end.is_none_or(|e| e > now_ms)).cloned();
    if let Some(digest) = manifest_digest {
        let Some(manifest) = crate::db::manifest::find_live_manifest(&tx, repo_id, digest).await? else {
            return Err(RegistryError::ManifestUnknown);
        };
        crate::db::tag::set_tag(&tx, repo_id, tag, manifest.id, app.db.lookups.tag_kind_tag, None).await?;
        let mut metadata = metadata_base.clone();
        metadata["manifest_digest"] = json!(digest);
        let kind = if alive_before.is_some() { "move_tag" } else { "create_tag" };
        metadata["original_manifest_digest"] = json!(alive_before.as_ref().map(|(old, _, _)| old));
        crate::audit::write(&tx, actor, kind, namespace_id, Some(repo_id), &metadata).await?;
    }
    if let Some(end_ms) = expiration_ms {
        if !crate::db::tag::set_tag_expiration(&tx, repo_id, tag, end_ms).await? {
            return Err(RegistryError::ManifestUnknown);
        }
        let mut metadata = metadata_base;
        metadata["expiration_date"] = json!(end_ms.map(|ms| ms / 1000));
        metadata["old_expiration_date"] = json!(alive_before.and_then(|(_, _, end)| end).map(|ms| ms / 1000));
        crate::audit::write(&tx, actor, "change_tag_expiration", namespace_id, Some(repo_id), &metadata).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What Quay records of a tag change made through the API: who, and which tag.
fn tag_metadata(actor: &Actor, name: &crate::oci::RepositoryName, tag: &str) -> serde_json::Value {
    json!({
        "username": actor.signed_in_user().map(|u| u.username.as_str()),
        "repo": name.repository(), "namespace": name.namespace(), "tag": tag,
    })
}

/// Deletes the tag (it stays restorable for the time machine window); logged as `delete_tag`.
pub async fn delete(app: &App, actor: &Actor, path: &str, tag: &str) -> Result<()> {
    let target = changeable(app, actor, path, tag).await?;
    let tx = app.db.begin().await?;
    if !crate::db::tag::delete_tag(&tx, target.repo.id, tag).await? {
        return Err(RegistryError::ManifestUnknown);
    }
    let metadata = tag_metadata(actor, &target.name, tag);
    crate::audit::write(&tx, actor, "delete_tag", target.repo.namespace_id, Some(target.repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Restores a tag from the time machine onto `digest` (default: the manifest it pointed to last
/// before its current state); logged as Quay's `revert_tag`. Returns the digest restored.
pub async fn restore(app: &App, actor: &Actor, path: &str, tag: &str, digest: Option<&str>) -> Result<String> {
    let target = changeable(app, actor, path, tag).await?;
    let repo_id = target.repo.id;
    let history = crate::db::tag::tag_history(&app.db.read, repo_id, tag).await?;
    let now = crate::util::now_ms();
    let restored = match digest {
        Some(d) => d.to_owned(),
        // The newest row that has ended: what the tag pointed to before it was moved or deleted.
        None => history
            .iter()
            .find(|(_, _, end)| end.is_some_and(|e| e <= now))
            .map(|(d, _, _)| d.clone())
            .ok_or_else(|| RegistryError::TagUnknown(format!("an earlier state of tag `{tag}`")))?,
    };
    // Everything the manifest references must still be in the repository (a blob deleted through
    // the API, or collected after its other references went, would make the tag unpullable).
    if let Some(missing) = super::manifests::missing_reference(app, repo_id, &restored).await? {
        return Err(RegistryError::ManifestInvalid(format!(
            "manifest {restored} cannot be restored: {missing} it references is no longer in `{path}`"
        )));
    }
    let tx = app.db.begin().await?;
    if !crate::db::tag::restore_tag(&tx, repo_id, tag, &restored, app.db.lookups.tag_kind_tag).await? {
        return Err(RegistryError::TagUnknown(format!(
            "manifest {restored} in `{path}` (it may have left the time machine)"
        )));
    }
    // Quay's keys for a restore: who, and no namespace.
    let metadata = json!({
        "username": actor.signed_in_user().map(|u| u.username.as_str()),
        "repo": target.name.repository(), "tag": tag, "manifest_digest": restored,
    });
    crate::audit::write(&tx, actor, "revert_tag", target.repo.namespace_id, Some(repo_id), &metadata).await?;
    tx.commit().await?;
    Ok(restored)
}
