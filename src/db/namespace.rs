//! Organizations' creation, and the deletion and purge of users and organizations.

use super::{all, exec, one};
use crate::util::now_naive;
use sea_orm::{ConnectionTrait, DbErr};

/// Creates an organization with its `owners` super::team::team (role admin), holding `owner` when given.
pub async fn create_organization<C: ConnectionTrait>(
    c: &C,
    name: &str,
    email: &str,
    admin_team_role: i32,
    owner: Option<i32>,
) -> Result<i32, DbErr> {
    let org = super::user::insert_account(c, name, email, None, true, false).await?;
    let team = super::team::create_team(c, org, "owners", admin_team_role, "").await?;
    if let Some(owner) = owner {
        super::team::add_team_member(c, team, owner).await?;
    }
    Ok(org)
}

/// Whether `name` belonged to a user or organization that is deleted but not yet purged (Quay
/// keeps such names unavailable until then).
pub async fn name_awaits_purge<C: ConnectionTrait>(c: &C, name: &str) -> Result<bool, DbErr> {
    Ok(one(c, "SELECT 1 FROM deletednamespace WHERE original_username = ?", vec![name.into()]).await?.is_some())
}

/// Quay's `mark_namespace_for_deletion`: the namespace's robots and team memberships go now (so
/// nothing can log in as or through it), the account is disabled and renamed to a random name (so
/// its repositories can no longer be found by name), and a `namespacegc` queue item, available
/// after `grace`, tells a collector to purge the rest. Returns the `deletednamespace` id.
pub async fn mark_namespace_deleted<C: ConnectionTrait>(
    c: &C,
    account: &super::user::Account,
    grace: std::time::Duration,
) -> Result<i32, DbErr> {
    delete_linked_identities(c, account).await?;
    exec(
        c,
        "INSERT INTO deletednamespace (namespace_id, marked, original_username, original_email, queue_id) \
         VALUES (?, ?, ?, ?, NULL)",
        vec![account.id.into(), now_naive().into(), account.username.clone().into(), account.email.clone().into()],
    )
    .await?;
    let marker: i32 = one(c, "SELECT id FROM deletednamespace WHERE namespace_id = ?", vec![account.id.into()])
        .await?
        .map(|r| r.try_get("", "id"))
        .transpose()?
        .ok_or_else(|| DbErr::RecordNotFound("deletednamespace".into()))?;
    exec(
        c,
        "UPDATE \"user\" SET username = ?, email = ?, enabled = ? WHERE id = ?",
        vec![
            uuid::Uuid::new_v4().to_string().into(),
            uuid::Uuid::new_v4().to_string().into(),
            false.into(),
            account.id.into(),
        ],
    )
    .await?;
    let body = serde_json::json!({"marker_id": marker, "original_username": account.username}).to_string();
    let queue_name = super::queue::canonical_queue_name(&[super::queue::NAMESPACE_GC_QUEUE, &account.id.to_string()]);
    let queue_id = super::queue::put_after(c, &queue_name, &body, grace).await?;
    exec(c, "UPDATE deletednamespace SET queue_id = ? WHERE id = ?", vec![queue_id.into(), marker.into()]).await?;
    Ok(marker)
}

/// Robots, teams and memberships of a namespace being deleted (Quay's `_delete_user_linked_data`).
async fn delete_linked_identities<C: ConnectionTrait>(c: &C, account: &super::user::Account) -> Result<(), DbErr> {
    let robots = super::user::list_accounts(c, false, true, Some(&account.username)).await?;
    for robot in robots.iter().map(|r| r.id) {
        super::robot::delete_robot(c, robot).await?;
    }
    if account.organization {
        let teams = "(SELECT id FROM team WHERE organization_id = ?)";
        for (table, column) in [
            ("teammember", "team_id"),
            ("teammemberinvite", "team_id"),
            ("teamsync", "team_id"),
            ("repositorypermission", "team_id"),
            ("permissionprototype", "delegate_team_id"),
        ] {
            exec(c, &format!("DELETE FROM {table} WHERE {column} IN {teams}"), vec![account.id.into()]).await?;
        }
        exec(c, "DELETE FROM team WHERE organization_id = ?", vec![account.id.into()]).await?;
    } else {
        exec(c, "DELETE FROM teammember WHERE user_id = ?", vec![account.id.into()]).await?;
    }
    Ok(())
}

/// The namespace a `namespacegc` item's marker names, if it is not purged yet.
pub async fn deleted_namespace<C: ConnectionTrait>(c: &C, marker: i32) -> Result<Option<i32>, DbErr> {
    one(c, "SELECT namespace_id FROM deletednamespace WHERE id = ?", vec![marker.into()])
        .await?
        .map(|r| r.try_get("", "namespace_id"))
        .transpose()
}

/// Every repository of a namespace, in any state.
pub async fn namespace_repositories<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<Vec<i32>, DbErr> {
    all(c, "SELECT id FROM repository WHERE namespace_user_id = ? ORDER BY id", vec![namespace_id.into()])
        .await?
        .iter()
        .map(|r| r.try_get("", "id"))
        .collect()
}

/// The rest of a deleted namespace once its repositories are purged, then its row (Quay's
/// `delete_user`, which deletes every dependent row).
pub async fn purge_namespace_rows<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<(), DbErr> {
    let id = || vec![sea_orm::Value::from(namespace_id)];
    // Rows naming rows that name the namespace, first.
    let dependents = [
        ("oauthaccesstoken", "application_id", "oauthapplication", "organization_id"),
        ("oauthassignedtoken", "application_id", "oauthapplication", "organization_id"),
        ("oauthauthorizationcode", "application_id", "oauthapplication", "organization_id"),
        ("quotalimits", "quota_id", "userorganizationquota", "namespace_id"),
        ("orgmirrorrepository", "org_mirror_config_id", "orgmirrorconfig", "organization_id"),
        ("repositorybuild", "trigger_id", "repositorybuildtrigger", "connected_user_id"),
    ];
    for (table, column, parent, parent_column) in dependents {
        exec(
            c,
            &format!("DELETE FROM {table} WHERE {column} IN (SELECT id FROM {parent} WHERE {parent_column} = ?)"),
            id(),
        )
        .await?;
    }
    for (table, column) in [("repositorybuild", "pull_robot_id"), ("repositorybuildtrigger", "pull_robot_id")] {
        exec(c, &format!("UPDATE {table} SET {column} = NULL WHERE {column} = ?"), id()).await?;
    }
    for (table, column) in [
        ("appspecificauthtoken", "user_id"),
        ("autoprunetaskstatus", "namespace_id"),
        ("emailconfirmation", "user_id"),
        ("federatedlogin", "user_id"),
        ("namespaceautoprunepolicy", "namespace_id"),
        ("namespaceimmutabilitypolicy", "namespace_id"),
        ("namespacenotification", "namespace_id"),
        ("notification", "target_id"),
        ("oauthaccesstoken", "authorized_user_id"),
        ("oauthassignedtoken", "assigned_user_id"),
        ("oauthapplication", "organization_id"),
        ("organizationcontactemail", "organization_id"),
        ("organizationrhskus", "org_id"),
        ("organizationrhskus", "user_id"),
        ("orgmirrorconfig", "organization_id"),
        ("permissionprototype", "activating_user_id"),
        ("permissionprototype", "delegate_user_id"),
        ("permissionprototype", "org_id"),
        ("proxycacheconfig", "organization_id"),
        ("quotanamespacesize", "namespace_user_id"),
        ("quotanotificationstate", "namespace_id"),
        ("redhatsubscriptions", "user_id"),
        ("repositoryautoprunepolicy", "namespace_id"),
        ("repositorybuildtrigger", "connected_user_id"),
        ("repositoryimmutabilitypolicy", "namespace_id"),
        ("repositorypermission", "user_id"),
        ("robotaccountmetadata", "robot_account_id"),
        ("robotaccounttoken", "robot_account_id"),
        ("star", "user_id"),
        ("teammember", "user_id"),
        ("teammemberinvite", "inviter_id"),
        ("teammemberinvite", "user_id"),
        ("userorganizationquota", "namespace_id"),
        ("userprompt", "user_id"),
        ("userregion", "user_id"),
        ("deletednamespace", "namespace_id"),
    ] {
        exec(c, &format!("DELETE FROM {table} WHERE {column} = ?"), id()).await?;
    }
    exec(c, "DELETE FROM \"user\" WHERE id = ?", id()).await?;
    Ok(())
}
