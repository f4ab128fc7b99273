//! Repository mirrors: Quay's `repomirrorconfig` and its `repomirrorrule` (a tag glob list), and
//! the state machine's updates (`sync_status`, `sync_start_date`, `sync_retries_remaining`,
//! `sync_expiration_date`, a new `sync_transaction_id` with each).

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DbErr};

use super::{exec, one, row, rows};
use crate::util::now_naive;

/// Quay's `RepoMirrorStatus`.
pub mod status {
    pub const CANCEL: i32 = -2;
    pub const FAIL: i32 = -1;
    pub const NEVER_RUN: i32 = 0;
    pub const SUCCESS: i32 = 1;
    pub const SYNCING: i32 = 2;
    pub const SYNC_NOW: i32 = 3;

    pub fn name(value: i32) -> &'static str {
        match value {
            CANCEL => "CANCEL",
            FAIL => "FAIL",
            SUCCESS => "SUCCESS",
            SYNCING => "SYNCING",
            SYNC_NOW => "SYNC_NOW",
            _ => "NEVER_RUN",
        }
    }
}

/// `repomirrorrule.rule_type` of a tag glob list (Quay's `TAG_GLOB_CSV`).
const TAG_GLOB_CSV: i32 = 1;
/// `repomirrorconfig.mirror_type` PULL.
const PULL: i32 = 1;

/// A mirror with the names it is shown by.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct MirrorRow {
    pub id: i32,
    pub repository_id: i32,
    pub namespace_id: i32,
    pub namespace: String,
    pub repository: String,
    pub is_enabled: bool,
    pub external_reference: String,
    /// Encrypted (`v0$$`), as Quay stores it.
    pub external_registry_username: Option<String>,
    pub external_registry_password: Option<String>,
    pub external_registry_config: String,
    pub architecture_filter: Option<String>,
    pub sync_interval: i32,
    pub sync_start_date: Option<NaiveDateTime>,
    pub sync_expiration_date: Option<NaiveDateTime>,
    pub sync_retries_remaining: i32,
    pub sync_status: i32,
    pub root_rule_id: i32,
    pub rule_value: String,
    pub skopeo_timeout: i64,
    pub internal_robot_id: i32,
    pub robot_username: String,
}

const SELECT: &str = "SELECT c.id, c.repository_id, r.namespace_user_id AS namespace_id, ns.username AS namespace, \
     r.name AS repository, c.is_enabled, c.external_reference, c.external_registry_username, \
     c.external_registry_password, c.external_registry_config, c.architecture_filter, c.sync_interval, \
     c.sync_start_date, c.sync_expiration_date, c.sync_retries_remaining, c.sync_status, c.root_rule_id, \
     rule.rule_value, c.skopeo_timeout, c.internal_robot_id, robot.username AS robot_username \
     FROM repomirrorconfig c JOIN repository r ON r.id = c.repository_id \
     JOIN \"user\" ns ON ns.id = r.namespace_user_id JOIN \"user\" robot ON robot.id = c.internal_robot_id \
     JOIN repomirrorrule rule ON rule.id = c.root_rule_id";

pub async fn find_mirror<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Option<MirrorRow>, DbErr> {
    row(c, &format!("{SELECT} WHERE c.repository_id = ?"), vec![repo_id.into()]).await
}

/// A repository (`ns/name`) whose mirror writes as the robot, if any.
pub async fn mirror_of_robot<C: ConnectionTrait>(c: &C, robot_id: i32) -> Result<Option<String>, DbErr> {
    let found: Option<MirrorRow> =
        row(c, &format!("{SELECT} WHERE c.internal_robot_id = ?"), vec![robot_id.into()]).await?;
    Ok(found.map(|m| format!("{}/{}", m.namespace, m.repository)))
}

/// Every mirror, by namespace and repository name.
pub async fn all_mirrors<C: ConnectionTrait>(c: &C) -> Result<Vec<MirrorRow>, DbErr> {
    rows(c, &format!("{SELECT} ORDER BY ns.username, r.name"), vec![]).await
}

/// The mirrors of repositories in the MIRROR state (of one namespace), by namespace id and name.
pub async fn mirrors_in_state<C: ConnectionTrait>(
    c: &C,
    mirror_state: i32,
    namespace: Option<&str>,
) -> Result<Vec<MirrorRow>, DbErr> {
    match namespace {
        Some(ns) => {
            rows(
                c,
                &format!("{SELECT} WHERE r.state = ? AND ns.username = ? ORDER BY r.namespace_user_id, r.name"),
                vec![mirror_state.into(), ns.into()],
            )
            .await
        }
        None => {
            rows(
                c,
                &format!("{SELECT} WHERE r.state = ? ORDER BY r.namespace_user_id, r.name"),
                vec![mirror_state.into()],
            )
            .await
        }
    }
}

/// Mirrors a sync should start for now (Quay's candidates): a sync asked for (`SYNC_NOW`), an
/// enabled mirror whose start date has come with retries left, and `SYNCING` ones, which only the
/// holder of the mirror job's lease runs, so a `SYNCING` row seen at the start of its run was left
/// by a node that died.
pub async fn due_mirrors<C: ConnectionTrait>(c: &C, mirror_state: i32) -> Result<Vec<MirrorRow>, DbErr> {
    let now = now_naive();
    rows(
        c,
        &format!(
            "{SELECT} WHERE r.state = ? AND ( \
             (c.sync_status = ? AND c.sync_expiration_date IS NULL) \
             OR (c.is_enabled = ? AND c.sync_start_date <= ? AND c.sync_retries_remaining > 0 \
                 AND c.sync_status NOT IN (?, ?) AND c.sync_expiration_date IS NULL) \
             OR c.sync_status = ?) ORDER BY c.sync_start_date"
        ),
        vec![
            mirror_state.into(),
            status::SYNC_NOW.into(),
            true.into(),
            now.into(),
            status::SYNCING.into(),
            status::CANCEL.into(),
            status::SYNCING.into(),
        ],
    )
    .await
}

/// What a mirror is made with or changed to (the credentials encrypted).
#[derive(Debug, Clone)]
pub struct MirrorSettings {
    pub is_enabled: bool,
    pub external_reference: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub registry_config: String,
    pub architecture_filter: Option<String>,
    pub sync_interval: i32,
    pub sync_start_date: Option<NaiveDateTime>,
    pub robot_id: i32,
    pub rule_value: String,
    pub skopeo_timeout: i64,
}

pub async fn insert_mirror<C: ConnectionTrait>(c: &C, repo_id: i32, s: &MirrorSettings) -> Result<i32, DbErr> {
    let now = now_naive();
    let rule = one(
        c,
        "INSERT INTO repomirrorrule (uuid, repository_id, creation_date, rule_type, rule_value) \
         VALUES (?, ?, ?, ?, ?) RETURNING id",
        vec![
            uuid::Uuid::new_v4().to_string().into(),
            repo_id.into(),
            now.into(),
            TAG_GLOB_CSV.into(),
            s.rule_value.clone().into(),
        ],
    )
    .await?
    .ok_or(DbErr::RecordNotInserted)?;
    let rule_id: i32 = rule.try_get_by_index(0)?;
    let inserted = one(
        c,
        "INSERT INTO repomirrorconfig (repository_id, creation_date, is_enabled, mirror_type, internal_robot_id, \
         external_reference, external_registry_username, external_registry_password, external_registry_config, \
         architecture_filter, sync_interval, sync_start_date, sync_expiration_date, sync_retries_remaining, \
         sync_status, sync_transaction_id, root_rule_id, skopeo_timeout) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 3, ?, ?, ?, ?) RETURNING id",
        vec![
            repo_id.into(),
            now.into(),
            s.is_enabled.into(),
            PULL.into(),
            s.robot_id.into(),
            s.external_reference.clone().into(),
            s.username.clone().into(),
            s.password.clone().into(),
            s.registry_config.clone().into(),
            s.architecture_filter.clone().into(),
            s.sync_interval.into(),
            s.sync_start_date.into(),
            status::NEVER_RUN.into(),
            uuid::Uuid::new_v4().to_string().into(),
            rule_id.into(),
            s.skopeo_timeout.into(),
        ],
    )
    .await?
    .ok_or(DbErr::RecordNotInserted)?;
    inserted.try_get_by_index(0)
}

/// Writes a mirror's settings (not its sync state) and its tag rule.
pub async fn update_mirror<C: ConnectionTrait>(c: &C, m: &MirrorRow, s: &MirrorSettings) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE repomirrorconfig SET is_enabled = ?, internal_robot_id = ?, external_reference = ?, \
         external_registry_username = ?, external_registry_password = ?, external_registry_config = ?, \
         architecture_filter = ?, sync_interval = ?, sync_start_date = ?, skopeo_timeout = ?, \
         sync_transaction_id = ? WHERE id = ?",
        vec![
            s.is_enabled.into(),
            s.robot_id.into(),
            s.external_reference.clone().into(),
            s.username.clone().into(),
            s.password.clone().into(),
            s.registry_config.clone().into(),
            s.architecture_filter.clone().into(),
            s.sync_interval.into(),
            s.sync_start_date.into(),
            s.skopeo_timeout.into(),
            uuid::Uuid::new_v4().to_string().into(),
            m.id.into(),
        ],
    )
    .await?;
    exec(
        c,
        "UPDATE repomirrorrule SET rule_value = ? WHERE id = ?",
        vec![s.rule_value.clone().into(), m.root_rule_id.into()],
    )
    .await?;
    Ok(())
}

/// Removes a mirror and its rule.
pub async fn delete_mirror<C: ConnectionTrait>(c: &C, m: &MirrorRow) -> Result<(), DbErr> {
    exec(c, "DELETE FROM repomirrorconfig WHERE id = ?", vec![m.id.into()]).await?;
    exec(c, "DELETE FROM repomirrorrule WHERE repository_id = ?", vec![m.repository_id.into()]).await?;
    Ok(())
}

/// Marks a sync as running until `expires` (Quay's 12 hours); `false` when the mirror changed
/// state meanwhile (cancelled, deleted).
pub async fn claim_mirror<C: ConnectionTrait>(
    c: &C,
    id: i32,
    from_status: i32,
    expires: NaiveDateTime,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE repomirrorconfig SET sync_status = ?, sync_expiration_date = ?, sync_transaction_id = ? \
         WHERE id = ? AND sync_status = ?",
        vec![
            status::SYNCING.into(),
            expires.into(),
            uuid::Uuid::new_v4().to_string().into(),
            id.into(),
            from_status.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Ends a sync with `outcome`, the next start and the retries left, unless it was cancelled
/// meanwhile (then the cancel's own ending is applied: no start date, no retries).
pub async fn release_mirror<C: ConnectionTrait>(
    c: &C,
    id: i32,
    outcome: i32,
    next_start: Option<NaiveDateTime>,
    retries: i32,
) -> Result<(), DbErr> {
    let txn = uuid::Uuid::new_v4().to_string();
    let n = exec(
        c,
        "UPDATE repomirrorconfig SET sync_status = ?, sync_start_date = ?, sync_retries_remaining = ?, \
         sync_expiration_date = NULL, sync_transaction_id = ? WHERE id = ? AND sync_status = ?",
        vec![outcome.into(), next_start.into(), retries.into(), txn.clone().into(), id.into(), status::SYNCING.into()],
    )
    .await?;
    if n == 0 {
        exec(
            c,
            "UPDATE repomirrorconfig SET sync_start_date = NULL, sync_retries_remaining = 0, \
             sync_expiration_date = NULL, sync_transaction_id = ? WHERE id = ? AND sync_status = ?",
            vec![txn.into(), id.into(), status::CANCEL.into()],
        )
        .await?;
    }
    Ok(())
}

/// The mirror's status now (a sync checks it between tags for a cancel).
pub async fn mirror_status<C: ConnectionTrait>(c: &C, id: i32) -> Result<Option<i32>, DbErr> {
    one(c, "SELECT sync_status FROM repomirrorconfig WHERE id = ?", vec![id.into()])
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()
}

/// Quay's sync-now: `SYNC_NOW`, no expiry, at least one retry; `false` while a sync runs.
pub async fn request_sync_now<C: ConnectionTrait>(c: &C, id: i32) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE repomirrorconfig SET sync_status = ?, sync_expiration_date = NULL, \
         sync_retries_remaining = CASE WHEN sync_retries_remaining < 1 THEN 1 ELSE sync_retries_remaining END, \
         sync_transaction_id = ? WHERE id = ? AND sync_status <> ?",
        vec![status::SYNC_NOW.into(), uuid::Uuid::new_v4().to_string().into(), id.into(), status::SYNCING.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Quay's sync-cancel: only a running or requested sync; `false` otherwise.
pub async fn cancel_sync<C: ConnectionTrait>(c: &C, id: i32) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE repomirrorconfig SET sync_status = ?, sync_retries_remaining = 0, sync_expiration_date = NULL, \
         sync_transaction_id = ? WHERE id = ? AND sync_status IN (?, ?)",
        vec![
            status::CANCEL.into(),
            uuid::Uuid::new_v4().to_string().into(),
            id.into(),
            status::SYNCING.into(),
            status::SYNC_NOW.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}
