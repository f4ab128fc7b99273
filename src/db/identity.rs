//! SQL for users, organizations, teams, robots and repository permissions, on Quay's tables.

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, QueryResult, Value};

use super::entities::user;
use super::{all, exec, one};
use crate::util::now_naive;

/// A namespace-like row: users, organizations and robots share Quay's `user` table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub organization: bool,
    pub robot: bool,
    pub enabled: bool,
}

fn account(r: &QueryResult) -> Result<Account, DbErr> {
    Ok(Account {
        id: r.try_get("", "id")?,
        username: r.try_get("", "username")?,
        email: r.try_get("", "email")?,
        organization: r.try_get("", "organization")?,
        robot: r.try_get("", "robot")?,
        enabled: r.try_get("", "enabled")?,
    })
}

/// Accounts of a kind, by name. `robots_of` restricts robots to one namespace (`ns+...`).
pub async fn list_accounts<C: ConnectionTrait>(
    c: &C,
    organization: bool,
    robot: bool,
    robots_of: Option<&str>,
) -> Result<Vec<Account>, DbErr> {
    let mut text = String::from(
        "SELECT id, username, email, organization, robot, enabled FROM \"user\" WHERE organization = ? AND robot = ? \
         AND NOT EXISTS (SELECT 1 FROM deletednamespace d WHERE d.namespace_id = \"user\".id)",
    );
    let mut values: Vec<Value> = vec![organization.into(), robot.into()];
    if let Some(ns) = robots_of {
        text.push_str(" AND username LIKE ?");
        values.push(format!("{}+%", super::like_escape(ns)).into());
        text.push_str(" ESCAPE '\\'");
    }
    text.push_str(" ORDER BY username");
    all(c, &text, values).await?.iter().map(account).collect()
}

pub async fn find_account<C: ConnectionTrait>(c: &C, username: &str) -> Result<Option<Account>, DbErr> {
    one(
        c,
        "SELECT id, username, email, organization, robot, enabled FROM \"user\" WHERE username = ?",
        vec![username.into()],
    )
    .await?
    .as_ref()
    .map(account)
    .transpose()
}

pub async fn set_enabled<C: ConnectionTrait>(c: &C, user_id: i32, enabled: bool) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET enabled = ? WHERE id = ?", vec![enabled.into(), user_id.into()]).await?;
    Ok(())
}

/// A row of Quay's `user` table with its defaults: a person (with a password hash), an
/// organization or a robot (neither has a password).
pub(super) async fn insert_account<C: ConnectionTrait>(
    c: &C,
    username: &str,
    email: &str,
    password_hash: Option<&str>,
    organization: bool,
    robot: bool,
) -> Result<i32, DbErr> {
    let now = now_naive();
    let created = user::ActiveModel {
        uuid: Set(Some(uuid::Uuid::new_v4().to_string())),
        username: Set(username.to_owned()),
        password_hash: Set(password_hash.map(str::to_owned)),
        email: Set(email.to_owned()),
        verified: Set(true),
        organization: Set(organization),
        robot: Set(robot),
        invoice_email: Set(false),
        invalid_login_attempts: Set(0),
        last_invalid_login: Set(now),
        removed_tag_expiration_s: Set(1_209_600),
        enabled: Set(true),
        creation_date: Set(Some(now)),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(created.id)
}

/// Creates an organization with its `owners` team (role admin), holding `owner` when given.
pub async fn create_organization<C: ConnectionTrait>(
    c: &C,
    name: &str,
    email: &str,
    admin_team_role: i32,
    owner: Option<i32>,
) -> Result<i32, DbErr> {
    let org = insert_account(c, name, email, None, true, false).await?;
    let team = create_team(c, org, "owners", admin_team_role, "").await?;
    if let Some(owner) = owner {
        add_team_member(c, team, owner).await?;
    }
    Ok(org)
}

pub async fn create_team<C: ConnectionTrait>(
    c: &C,
    org_id: i32,
    name: &str,
    role_id: i32,
    description: &str,
) -> Result<i32, DbErr> {
    let row = one(
        c,
        "INSERT INTO team (name, organization_id, role_id, description) VALUES (?, ?, ?, ?) RETURNING id",
        vec![name.into(), org_id.into(), role_id.into(), description.into()],
    )
    .await?
    .ok_or(DbErr::RecordNotInserted)?;
    row.try_get_by_index(0)
}

pub async fn find_team<C: ConnectionTrait>(c: &C, org_id: i32, name: &str) -> Result<Option<i32>, DbErr> {
    one(c, "SELECT id FROM team WHERE organization_id = ? AND name = ?", vec![org_id.into(), name.into()])
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()
}

/// Adds a member; adding an existing member changes nothing.
pub async fn add_team_member<C: ConnectionTrait>(c: &C, team_id: i32, user_id: i32) -> Result<(), DbErr> {
    if one(c, "SELECT 1 FROM teammember WHERE team_id = ? AND user_id = ?", vec![team_id.into(), user_id.into()])
        .await?
        .is_none()
    {
        exec(c, "INSERT INTO teammember (user_id, team_id) VALUES (?, ?)", vec![user_id.into(), team_id.into()])
            .await?;
    }
    Ok(())
}

pub async fn remove_team_member<C: ConnectionTrait>(c: &C, team_id: i32, user_id: i32) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM teammember WHERE team_id = ? AND user_id = ?", vec![team_id.into(), user_id.into()])
        .await?
        > 0)
}

/// Creates `namespace+short` with its encrypted token, metadata and federated-login rows, as Quay does.
pub async fn create_robot<C: ConnectionTrait>(
    c: &C,
    full_name: &str,
    encrypted_token: &str,
    description: &str,
    robot_login_service: i32,
) -> Result<i32, DbErr> {
    let id = insert_account(c, full_name, &uuid::Uuid::new_v4().to_string(), None, false, true).await?;
    exec(
        c,
        "INSERT INTO robotaccounttoken (robot_account_id, token, fully_migrated) VALUES (?, ?, ?)",
        vec![id.into(), encrypted_token.into(), true.into()],
    )
    .await?;
    exec(
        c,
        "INSERT INTO robotaccountmetadata (robot_account_id, description, unstructured_json) VALUES (?, ?, ?)",
        vec![id.into(), description.into(), "{}".into()],
    )
    .await?;
    exec(
        c,
        "INSERT INTO federatedlogin (user_id, service_id, service_ident, metadata_json) VALUES (?, ?, ?, ?)",
        vec![id.into(), robot_login_service.into(), format!("robot:{id}").into(), "{}".into()],
    )
    .await?;
    Ok(id)
}

/// The encrypted token of a robot.
pub async fn robot_token<C: ConnectionTrait>(c: &C, robot_id: i32) -> Result<Option<String>, DbErr> {
    one(c, "SELECT token FROM robotaccounttoken WHERE robot_account_id = ?", vec![robot_id.into()])
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()
}

/// Replaces a robot's token; like Quay, also rotates its uuid and email.
pub async fn rotate_robot<C: ConnectionTrait>(c: &C, robot_id: i32, encrypted_token: &str) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE robotaccounttoken SET token = ? WHERE robot_account_id = ?",
        vec![encrypted_token.into(), robot_id.into()],
    )
    .await?;
    exec(
        c,
        "UPDATE \"user\" SET uuid = ?, email = ? WHERE id = ?",
        vec![uuid::Uuid::new_v4().to_string().into(), uuid::Uuid::new_v4().to_string().into(), robot_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn delete_robot<C: ConnectionTrait>(c: &C, robot_id: i32) -> Result<(), DbErr> {
    // Mirrors that pull as the robot stop with it; builds and triggers forget it; default
    // permissions for it go.
    exec(c, "DELETE FROM repomirrorconfig WHERE internal_robot_id = ?", vec![robot_id.into()]).await?;
    exec(
        c,
        "DELETE FROM orgmirrorrepository WHERE org_mirror_config_id IN \
         (SELECT id FROM orgmirrorconfig WHERE internal_robot_id = ?)",
        vec![robot_id.into()],
    )
    .await?;
    exec(c, "DELETE FROM orgmirrorconfig WHERE internal_robot_id = ?", vec![robot_id.into()]).await?;
    for table in ["repositorybuild", "repositorybuildtrigger"] {
        exec(c, &format!("UPDATE {table} SET pull_robot_id = NULL WHERE pull_robot_id = ?"), vec![robot_id.into()])
            .await?;
    }
    exec(c, "DELETE FROM permissionprototype WHERE delegate_user_id = ?", vec![robot_id.into()]).await?;
    for table in ["robotaccounttoken", "robotaccountmetadata"] {
        exec(c, &format!("DELETE FROM {table} WHERE robot_account_id = ?"), vec![robot_id.into()]).await?;
    }
    for table in ["federatedlogin", "repositorypermission", "teammember"] {
        exec(c, &format!("DELETE FROM {table} WHERE user_id = ?"), vec![robot_id.into()]).await?;
    }
    exec(c, "DELETE FROM \"user\" WHERE id = ?", vec![robot_id.into()]).await?;
    Ok(())
}

/// Grants a role on a repository to a user or a team, replacing an earlier grant.
pub async fn grant<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    user_id: Option<i32>,
    team_id: Option<i32>,
    role_id: i32,
) -> Result<(), DbErr> {
    revoke(c, repo_id, user_id, team_id).await?;
    exec(
        c,
        "INSERT INTO repositorypermission (team_id, user_id, repository_id, role_id) VALUES (?, ?, ?, ?)",
        vec![team_id.into(), user_id.into(), repo_id.into(), role_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn revoke<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    user_id: Option<i32>,
    team_id: Option<i32>,
) -> Result<bool, DbErr> {
    let n = match (user_id, team_id) {
        (Some(u), _) => {
            exec(
                c,
                "DELETE FROM repositorypermission WHERE repository_id = ? AND user_id = ?",
                vec![repo_id.into(), u.into()],
            )
            .await?
        }
        (None, Some(t)) => {
            exec(
                c,
                "DELETE FROM repositorypermission WHERE repository_id = ? AND team_id = ?",
                vec![repo_id.into(), t.into()],
            )
            .await?
        }
        (None, None) => 0,
    };
    Ok(n > 0)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RepositoryListing {
    pub namespace: String,
    pub name: String,
    pub public: bool,
    pub state: i32,
}

pub async fn list_repositories<C: ConnectionTrait>(
    c: &C,
    namespace: Option<&str>,
    visibility_public: i32,
) -> Result<Vec<RepositoryListing>, DbErr> {
    let mut text = String::from(
        "SELECT u.username, r.name, r.visibility_id, r.state FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id \
         WHERE r.state <> ?",
    );
    let mut values: Vec<Value> = vec![super::queries::repo_state::MARKED_FOR_DELETION.into()];
    if let Some(ns) = namespace {
        text.push_str(" AND u.username = ?");
        values.push(ns.into());
    }
    text.push_str(" ORDER BY u.username, r.name");
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(RepositoryListing {
                namespace: r.try_get("", "username")?,
                name: r.try_get("", "name")?,
                public: r.try_get::<i32>("", "visibility_id")? == visibility_public,
                state: r.try_get("", "state")?,
            })
        })
        .collect()
}

pub async fn set_visibility<C: ConnectionTrait>(c: &C, repo_id: i32, visibility_id: i32) -> Result<(), DbErr> {
    exec(c, "UPDATE repository SET visibility_id = ? WHERE id = ?", vec![visibility_id.into(), repo_id.into()]).await?;
    Ok(())
}

/// Quay's `mark_repository_for_deletion`: the repository disappears at once (state 3, name
/// replaced by a uuid so the name can be reused) and `deletedrepository` remembers its name; its
/// content is reclaimed later by garbage collection.
pub async fn mark_repository_deleted<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    original_name: &str,
) -> Result<(), DbErr> {
    exec(c, "DELETE FROM star WHERE repository_id = ?", vec![repo_id.into()]).await?;
    exec(
        c,
        "UPDATE repository SET state = ?, name = ? WHERE id = ?",
        vec![
            super::queries::repo_state::MARKED_FOR_DELETION.into(),
            uuid::Uuid::new_v4().to_string().into(),
            repo_id.into(),
        ],
    )
    .await?;
    exec(
        c,
        "INSERT INTO deletedrepository (repository_id, marked, original_name, queue_id) VALUES (?, ?, ?, NULL)",
        vec![repo_id.into(), now_naive().into(), original_name.into()],
    )
    .await?;
    // Quay's repositorygc queue item, named after the namespace, tells a collector to purge it.
    let marker = one(c, "SELECT id FROM deletedrepository WHERE repository_id = ?", vec![repo_id.into()]).await?;
    let marker: i32 = marker.map(|r| r.try_get("", "id")).transpose()?.unwrap_or_default();
    let namespace = one(
        c,
        "SELECT u.username FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id WHERE r.id = ?",
        vec![repo_id.into()],
    )
    .await?;
    let namespace: String = namespace.map(|r| r.try_get("", "username")).transpose()?.unwrap_or_default();
    let body = serde_json::json!({ "marker_id": marker, "original_name": original_name }).to_string();
    let queue_name = super::queue::canonical_queue_name(&[crate::registry::gc::REPOSITORY_GC_QUEUE, &namespace]);
    let queue_id = super::queue::put(c, &queue_name, &body).await?;
    exec(c, "UPDATE deletedrepository SET queue_id = ? WHERE id = ?", vec![queue_id.into(), marker.into()]).await?;
    Ok(())
}

/// Stores an app-specific token: the first 60 characters in clear (`token_name`), the last 60
/// encrypted (`token_secret`).
pub async fn create_app_token<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    title: &str,
    token_name: &str,
    encrypted_secret: &str,
    expiration: Option<chrono::NaiveDateTime>,
) -> Result<String, DbErr> {
    let uuid = uuid::Uuid::new_v4().to_string();
    exec(
        c,
        "INSERT INTO appspecificauthtoken (user_id, uuid, title, created, expiration, last_accessed, token_name, token_secret) \
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
        vec![
            user_id.into(),
            uuid.clone().into(),
            title.into(),
            now_naive().into(),
            expiration.into(),
            token_name.into(),
            encrypted_secret.into(),
        ],
    )
    .await?;
    Ok(uuid)
}

#[derive(Debug, Clone)]
pub struct AppToken {
    pub uuid: String,
    pub user_id: i32,
    pub encrypted_secret: String,
}

/// An unexpired app-specific token by its public half.
pub async fn find_app_token<C: ConnectionTrait>(c: &C, token_name: &str) -> Result<Option<AppToken>, DbErr> {
    one(
        c,
        "SELECT uuid, user_id, token_secret FROM appspecificauthtoken WHERE token_name = ? AND (expiration IS NULL OR expiration > ?)",
        vec![token_name.into(), now_naive().into()],
    )
    .await?
    .map(|r| {
        Ok(AppToken {
            uuid: r.try_get("", "uuid")?,
            user_id: r.try_get("", "user_id")?,
            encrypted_secret: r.try_get("", "token_secret")?,
        })
    })
    .transpose()
}

pub async fn touch_app_token<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<(), DbErr> {
    exec(c, "UPDATE appspecificauthtoken SET last_accessed = ? WHERE uuid = ?", vec![now_naive().into(), uuid.into()])
        .await?;
    Ok(())
}

/// Whether an app-specific token (by uuid) of this user is still valid.
pub async fn app_token_valid<C: ConnectionTrait>(c: &C, uuid: &str, user_id: i32) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT 1 FROM appspecificauthtoken WHERE uuid = ? AND user_id = ? AND (expiration IS NULL OR expiration > ?)",
        vec![uuid.into(), user_id.into(), now_naive().into()],
    )
    .await?
    .is_some())
}

#[derive(Debug, Clone)]
pub struct OAuthToken {
    pub uuid: String,
    pub user_id: i32,
    pub scope: String,
    pub token_code: String,
}

/// An unexpired OAuth access token by its public first 20 characters.
pub async fn find_oauth_token<C: ConnectionTrait>(c: &C, token_name: &str) -> Result<Option<OAuthToken>, DbErr> {
    one(
        c,
        "SELECT uuid, authorized_user_id, scope, token_code FROM oauthaccesstoken WHERE token_name = ? AND expires_at > ?",
        vec![token_name.into(), now_naive().into()],
    )
    .await?
    .map(oauth_token)
    .transpose()
}

/// An unexpired OAuth access token by uuid (what registry tokens issued for it refer to).
pub async fn find_oauth_token_by_uuid<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<Option<OAuthToken>, DbErr> {
    one(
        c,
        "SELECT uuid, authorized_user_id, scope, token_code FROM oauthaccesstoken WHERE uuid = ? AND expires_at > ?",
        vec![uuid.into(), now_naive().into()],
    )
    .await?
    .map(oauth_token)
    .transpose()
}

fn oauth_token(r: QueryResult) -> Result<OAuthToken, DbErr> {
    Ok(OAuthToken {
        uuid: r.try_get("", "uuid")?,
        user_id: r.try_get("", "authorized_user_id")?,
        scope: r.try_get("", "scope")?,
        token_code: r.try_get("", "token_code")?,
    })
}

/// Quay's queue for deleted users and organizations (`NAMESPACE_GC_QUEUE_NAME`).
pub const NAMESPACE_GC_QUEUE: &str = "namespacegc";

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
    account: &Account,
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
    let queue_name = super::queue::canonical_queue_name(&[NAMESPACE_GC_QUEUE, &account.id.to_string()]);
    let queue_id = super::queue::put_after(c, &queue_name, &body, grace).await?;
    exec(c, "UPDATE deletednamespace SET queue_id = ? WHERE id = ?", vec![queue_id.into(), marker.into()]).await?;
    Ok(marker)
}

/// Robots, teams and memberships of a namespace being deleted (Quay's `_delete_user_linked_data`).
async fn delete_linked_identities<C: ConnectionTrait>(c: &C, account: &Account) -> Result<(), DbErr> {
    let robots = list_accounts(c, false, true, Some(&account.username)).await?;
    for robot in robots.iter().map(|r| r.id) {
        delete_robot(c, robot).await?;
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

/// An `oauthapplication` owned by a user or organization; returns its id.
pub async fn create_oauth_application<C: ConnectionTrait>(
    c: &C,
    owner_id: i32,
    name: &str,
    description: &str,
    encrypted_client_secret: Option<&str>,
) -> Result<i32, DbErr> {
    let client_id = crate::util::random_token(20);
    exec(
        c,
        "INSERT INTO oauthapplication (client_id, redirect_uri, application_uri, organization_id, name, description, \
         secure_client_secret, fully_migrated) VALUES (?, '', '', ?, ?, ?, ?, ?)",
        vec![
            client_id.clone().into(),
            owner_id.into(),
            name.into(),
            description.into(),
            encrypted_client_secret.map(str::to_owned).into(),
            true.into(),
        ],
    )
    .await?;
    one(c, "SELECT id FROM oauthapplication WHERE client_id = ?", vec![client_id.into()])
        .await?
        .map(|r| r.try_get("", "id"))
        .transpose()?
        .ok_or_else(|| DbErr::RecordNotFound("oauthapplication".into()))
}

/// An `oauthaccesstoken`: `token_name` in clear, `token_code` a bcrypt hash.
pub async fn create_oauth_token<C: ConnectionTrait>(
    c: &C,
    application_id: i32,
    user_id: i32,
    scope: &str,
    token_name: &str,
    token_code_hash: &str,
    expires_at: chrono::NaiveDateTime,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO oauthaccesstoken (uuid, application_id, authorized_user_id, scope, token_type, expires_at, data, \
         token_code, token_name, created) VALUES (?, ?, ?, ?, 'Bearer', ?, '', ?, ?, ?)",
        vec![
            uuid::Uuid::new_v4().to_string().into(),
            application_id.into(),
            user_id.into(),
            scope.into(),
            expires_at.into(),
            token_code_hash.into(),
            token_name.into(),
            now_naive().into(),
        ],
    )
    .await?;
    Ok(())
}

/// The profile fields of an account that views show.
pub struct AccountSettings {
    pub verified: bool,
    pub removed_tag_expiration_s: i64,
    pub has_password: bool,
    pub company: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub location: Option<String>,
    pub creation_date: Option<chrono::NaiveDateTime>,
}

pub async fn account_settings<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<AccountSettings, DbErr> {
    let r = one(
        c,
        "SELECT verified, removed_tag_expiration_s, password_hash, company, given_name, family_name, location, \
         creation_date FROM \"user\" WHERE id = ?",
        vec![user_id.into()],
    )
    .await?
    .ok_or_else(|| DbErr::RecordNotFound("user".into()))?;
    Ok(AccountSettings {
        verified: r.try_get("", "verified")?,
        removed_tag_expiration_s: r.try_get("", "removed_tag_expiration_s")?,
        has_password: r.try_get::<Option<String>>("", "password_hash")?.is_some_and(|h| !h.is_empty()),
        company: r.try_get("", "company")?,
        given_name: r.try_get("", "given_name")?,
        family_name: r.try_get("", "family_name")?,
        location: r.try_get("", "location")?,
        creation_date: r.try_get("", "creation_date")?,
    })
}

/// An organization a user belongs to, through any team.
pub struct Membership {
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub can_create: bool,
}

pub async fn organizations_of<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<Vec<Membership>, DbErr> {
    let rows = all(
        c,
        "SELECT o.username, o.email, tr.name AS role FROM teammember tm JOIN team t ON t.id = tm.team_id \
         JOIN teamrole tr ON tr.id = t.role_id JOIN \"user\" o ON o.id = t.organization_id \
         WHERE tm.user_id = ? AND o.enabled = ? ORDER BY o.username",
        vec![user_id.into(), true.into()],
    )
    .await?;
    let mut out: Vec<Membership> = Vec::new();
    for r in rows {
        let name: String = r.try_get("", "username")?;
        let role: String = r.try_get("", "role")?;
        if out.last().is_none_or(|m| m.name != name) {
            out.push(Membership { name, email: r.try_get("", "email")?, admin: false, can_create: false });
        }
        if let Some(m) = out.last_mut() {
            m.admin |= role == "admin";
            m.can_create |= role == "admin" || role == "creator";
        }
    }
    Ok(out)
}

/// A team as the API shows it.
#[derive(Debug, Clone)]
pub struct TeamView {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub role: String,
    pub member_count: i64,
    pub repo_count: i64,
}

const TEAM_VIEW: &str = "SELECT t.id, t.name, t.description, tr.name AS role, \
     (SELECT COUNT(*) FROM teammember tm WHERE tm.team_id = t.id) AS member_count, \
     (SELECT COUNT(*) FROM repositorypermission p WHERE p.team_id = t.id) AS repo_count \
     FROM team t JOIN teamrole tr ON tr.id = t.role_id WHERE t.organization_id = ?";

fn team_view(r: &QueryResult) -> Result<TeamView, DbErr> {
    Ok(TeamView {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        description: r.try_get::<Option<String>>("", "description")?.unwrap_or_default(),
        role: r.try_get("", "role")?,
        member_count: r.try_get("", "member_count")?,
        repo_count: r.try_get("", "repo_count")?,
    })
}

pub async fn teams_of<C: ConnectionTrait>(c: &C, org_id: i32) -> Result<Vec<TeamView>, DbErr> {
    all(c, &format!("{TEAM_VIEW} ORDER BY t.name"), vec![org_id.into()]).await?.iter().map(team_view).collect()
}

pub async fn team<C: ConnectionTrait>(c: &C, org_id: i32, name: &str) -> Result<Option<TeamView>, DbErr> {
    one(c, &format!("{TEAM_VIEW} AND t.name = ?"), vec![org_id.into(), name.into()])
        .await?
        .as_ref()
        .map(team_view)
        .transpose()
}

pub async fn update_team<C: ConnectionTrait>(
    c: &C,
    team_id: i32,
    role_id: i32,
    description: &str,
) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE team SET role_id = ?, description = ? WHERE id = ?",
        vec![role_id.into(), description.into(), team_id.into()],
    )
    .await?;
    Ok(())
}

/// A team with its memberships, grants and invitations.
pub async fn delete_team<C: ConnectionTrait>(c: &C, team_id: i32) -> Result<(), DbErr> {
    for (table, column) in [
        ("teammember", "team_id"),
        ("teammemberinvite", "team_id"),
        ("teamsync", "team_id"),
        ("repositorypermission", "team_id"),
        ("permissionprototype", "delegate_team_id"),
    ] {
        exec(c, &format!("DELETE FROM {table} WHERE {column} = ?"), vec![team_id.into()]).await?;
    }
    exec(c, "DELETE FROM team WHERE id = ?", vec![team_id.into()]).await?;
    Ok(())
}

pub async fn team_members<C: ConnectionTrait>(c: &C, team_id: i32) -> Result<Vec<Account>, DbErr> {
    all(
        c,
        "SELECT u.id, u.username, u.email, u.organization, u.robot, u.enabled FROM teammember tm \
         JOIN \"user\" u ON u.id = tm.user_id WHERE tm.team_id = ? ORDER BY u.username",
        vec![team_id.into()],
    )
    .await?
    .iter()
    .map(account)
    .collect()
}

/// Everyone on any team of an organization, with the teams they are on.
pub async fn organization_members<C: ConnectionTrait>(
    c: &C,
    org_id: i32,
) -> Result<Vec<(Account, Vec<String>)>, DbErr> {
    let rows = all(
        c,
        "SELECT u.id, u.username, u.email, u.organization, u.robot, u.enabled, t.name AS team FROM teammember tm \
         JOIN team t ON t.id = tm.team_id JOIN \"user\" u ON u.id = tm.user_id WHERE t.organization_id = ? \
         ORDER BY u.username, t.name",
        vec![org_id.into()],
    )
    .await?;
    let mut out: Vec<(Account, Vec<String>)> = Vec::new();
    for r in &rows {
        let a = account(r)?;
        let team: String = r.try_get("", "team")?;
        match out.last_mut() {
            Some((last, teams)) if last.id == a.id => teams.push(team),
            _ => out.push((a, vec![team])),
        }
    }
    Ok(out)
}

/// Whether a user is on one of an organization's teams, and on one with the admin role.
pub async fn organization_membership<C: ConnectionTrait>(
    c: &C,
    org_id: i32,
    user_id: i32,
) -> Result<(bool, bool), DbErr> {
    let rows = all(
        c,
        "SELECT tr.name FROM teammember tm JOIN team t ON t.id = tm.team_id JOIN teamrole tr ON tr.id = t.role_id \
         WHERE t.organization_id = ? AND tm.user_id = ?",
        vec![org_id.into(), user_id.into()],
    )
    .await?;
    let admin = rows.iter().any(|r| r.try_get_by_index::<String>(0).is_ok_and(|n| n == "admin"));
    Ok((!rows.is_empty(), admin))
}

/// The users and robots with a direct grant on a repository, and their role.
pub async fn user_permissions<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Vec<(Account, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT u.id, u.username, u.email, u.organization, u.robot, u.enabled, r.name AS role \
         FROM repositorypermission p JOIN \"user\" u ON u.id = p.user_id JOIN role r ON r.id = p.role_id \
         WHERE p.repository_id = ? ORDER BY u.username",
        vec![repo_id.into()],
    )
    .await?;
    rows.iter().map(|r| Ok((account(r)?, r.try_get("", "role")?))).collect()
}

/// The teams with a grant on a repository, and their role.
pub async fn team_permissions<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Vec<(String, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT t.name AS team, r.name AS role FROM repositorypermission p JOIN team t ON t.id = p.team_id \
         JOIN role r ON r.id = p.role_id WHERE p.repository_id = ? ORDER BY t.name",
        vec![repo_id.into()],
    )
    .await?;
    rows.iter().map(|r| Ok((r.try_get("", "team")?, r.try_get("", "role")?))).collect()
}

/// A robot as the API shows it.
#[derive(Debug, Clone)]
pub struct RobotView {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub created: Option<chrono::NaiveDateTime>,
    pub last_accessed: Option<chrono::NaiveDateTime>,
}

/// The robots of a namespace (`namespace+...`), or the one named `full_name`.
pub async fn robot_views<C: ConnectionTrait>(
    c: &C,
    namespace: &str,
    full_name: Option<&str>,
) -> Result<Vec<RobotView>, DbErr> {
    let mut text = String::from(
        "SELECT u.id, u.username, u.creation_date, u.last_accessed, m.description FROM \"user\" u \
         LEFT JOIN robotaccountmetadata m ON m.robot_account_id = u.id WHERE u.robot = ? AND u.username LIKE ? ESCAPE '\\'",
    );
    let mut values: Vec<Value> = vec![true.into(), format!("{}+%", super::like_escape(namespace)).into()];
    if let Some(name) = full_name {
        text.push_str(" AND u.username = ?");
        values.push(name.into());
    }
    text.push_str(" ORDER BY u.username");
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(RobotView {
                id: r.try_get("", "id")?,
                name: r.try_get("", "username")?,
                description: r.try_get::<Option<String>>("", "description")?.unwrap_or_default(),
                created: r.try_get("", "creation_date")?,
                last_accessed: r.try_get("", "last_accessed")?,
            })
        })
        .collect()
}

/// A robot's grants: (namespace/repository, role).
pub async fn robot_permissions<C: ConnectionTrait>(
    c: &C,
    robot_id: i32,
) -> Result<Vec<(String, String, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT u.username AS namespace, rp.name AS repo, r.name AS role FROM repositorypermission p \
         JOIN repository rp ON rp.id = p.repository_id JOIN \"user\" u ON u.id = rp.namespace_user_id \
         JOIN role r ON r.id = p.role_id WHERE p.user_id = ? AND rp.state <> 3 ORDER BY u.username, rp.name",
        vec![robot_id.into()],
    )
    .await?;
    rows.iter().map(|r| Ok((r.try_get("", "namespace")?, r.try_get("", "repo")?, r.try_get("", "role")?))).collect()
}

/// Teams (of its organization) a robot is on.
pub async fn teams_of_member<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<Vec<String>, DbErr> {
    all(
        c,
        "SELECT t.name FROM teammember tm JOIN team t ON t.id = tm.team_id WHERE tm.user_id = ? ORDER BY t.name",
        vec![user_id.into()],
    )
    .await?
    .iter()
    .map(|r| r.try_get_by_index(0))
    .collect()
}

pub async fn set_email<C: ConnectionTrait>(c: &C, user_id: i32, email: &str) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET email = ? WHERE id = ?", vec![email.into(), user_id.into()]).await?;
    Ok(())
}

pub async fn set_tag_expiration_window<C: ConnectionTrait>(c: &C, user_id: i32, seconds: i64) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET removed_tag_expiration_s = ? WHERE id = ?", vec![seconds.into(), user_id.into()])
        .await?;
    Ok(())
}

/// One action log row with its kind's name and performer's name.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub id: i64,
    pub kind: String,
    pub metadata: String,
    pub ip: Option<String>,
    pub datetime: chrono::NaiveDateTime,
    pub performer: Option<(String, bool)>,
    pub namespace: Option<String>,
}

/// What an action log listing covers.
pub struct LogFilter {
    pub account_id: Option<i32>,
    pub repository_id: Option<i32>,
    pub performer_id: Option<i32>,
    pub start: chrono::NaiveDateTime,
    pub end: chrono::NaiveDateTime,
    /// Rows with an id below this (the page token): newest first.
    pub before_id: Option<i64>,
    pub limit: u64,
}

pub async fn list_logs<C: ConnectionTrait>(c: &C, f: &LogFilter) -> Result<Vec<LogRow>, DbErr> {
    let mut text = String::from(
        "SELECT l.id, k.name AS kind, l.metadata_json, l.ip, l.datetime, p.username AS performer, p.robot AS performer_robot, \
         a.username AS namespace FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id \
         LEFT JOIN \"user\" p ON p.id = l.performer_id LEFT JOIN \"user\" a ON a.id = l.account_id \
         WHERE l.datetime >= ? AND l.datetime < ?",
    );
    let mut values: Vec<Value> = vec![f.start.into(), f.end.into()];
    for (column, value) in
        [("l.account_id", f.account_id), ("l.repository_id", f.repository_id), ("l.performer_id", f.performer_id)]
    {
        if let Some(v) = value {
            text.push_str(&format!(" AND {column} = ?"));
            values.push(v.into());
        }
    }
    if let Some(before) = f.before_id {
        text.push_str(" AND l.id < ?");
        values.push(before.into());
    }
    text.push_str(" ORDER BY l.id DESC LIMIT ?");
    values.push((f.limit as i64).into());
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            let performer: Option<String> = r.try_get("", "performer")?;
            let robot: Option<bool> = r.try_get("", "performer_robot")?;
            Ok(LogRow {
                id: r.try_get("", "id")?,
                kind: r.try_get("", "kind")?,
                metadata: r.try_get("", "metadata_json")?,
                ip: r.try_get("", "ip")?,
                datetime: r.try_get("", "datetime")?,
                performer: performer.map(|p| (p, robot.unwrap_or(false))),
                namespace: r.try_get("", "namespace")?,
            })
        })
        .collect()
}

/// A default permission of an organization (`permissionprototype`), with names resolved.
#[derive(Debug, Clone)]
pub struct Prototype {
    pub uuid: String,
    pub role: String,
    /// (username, robot, email) of the user whose new repositories it applies to; None: anyone's.
    pub activating_user: Option<(String, bool, String)>,
    /// (username, robot, email) of a user or robot it grants to...
    pub delegate_user: Option<(String, bool, String)>,
    /// ...or the team.
    pub delegate_team: Option<String>,
}

pub async fn prototypes<C: ConnectionTrait>(c: &C, org_id: i32, uuid: Option<&str>) -> Result<Vec<Prototype>, DbErr> {
    let mut text = String::from(
        "SELECT p.uuid, r.name AS role, a.username AS a_name, a.robot AS a_robot, a.email AS a_email, \
         d.username AS d_name, d.robot AS d_robot, d.email AS d_email, t.name AS team \
         FROM permissionprototype p JOIN role r ON r.id = p.role_id \
         LEFT JOIN \"user\" a ON a.id = p.activating_user_id LEFT JOIN \"user\" d ON d.id = p.delegate_user_id \
         LEFT JOIN team t ON t.id = p.delegate_team_id WHERE p.org_id = ?",
    );
    let mut values: Vec<Value> = vec![org_id.into()];
    if let Some(u) = uuid {
        text.push_str(" AND p.uuid = ?");
        values.push(u.into());
    }
    text.push_str(" ORDER BY p.id");
    let person = |r: &QueryResult, p: &str| -> Result<Option<(String, bool, String)>, DbErr> {
        let name: Option<String> = r.try_get("", &format!("{p}_name"))?;
        let robot: Option<bool> = r.try_get("", &format!("{p}_robot"))?;
        let email: Option<String> = r.try_get("", &format!("{p}_email"))?;
        Ok(name.map(|n| (n, robot.unwrap_or(false), email.unwrap_or_default())))
    };
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(Prototype {
                uuid: r.try_get("", "uuid")?,
                role: r.try_get("", "role")?,
                activating_user: person(r, "a")?,
                delegate_user: person(r, "d")?,
                delegate_team: r.try_get("", "team")?,
            })
        })
        .collect()
}

pub async fn create_prototype<C: ConnectionTrait>(
    c: &C,
    org_id: i32,
    activating_user_id: Option<i32>,
    delegate_user_id: Option<i32>,
    delegate_team_id: Option<i32>,
    role_id: i32,
) -> Result<String, DbErr> {
    let uuid = uuid::Uuid::new_v4().to_string();
    exec(
        c,
        "INSERT INTO permissionprototype (org_id, uuid, activating_user_id, delegate_user_id, delegate_team_id, role_id) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            org_id.into(),
            uuid.clone().into(),
            activating_user_id.into(),
            delegate_user_id.into(),
            delegate_team_id.into(),
            role_id.into(),
        ],
    )
    .await?;
    Ok(uuid)
}

pub async fn set_prototype_role<C: ConnectionTrait>(
    c: &C,
    org_id: i32,
    uuid: &str,
    role_id: i32,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE permissionprototype SET role_id = ? WHERE org_id = ? AND uuid = ?",
        vec![role_id.into(), org_id.into(), uuid.into()],
    )
    .await?;
    Ok(n > 0)
}

pub async fn delete_prototype<C: ConnectionTrait>(c: &C, org_id: i32, uuid: &str) -> Result<bool, DbErr> {
    let n = exec(c, "DELETE FROM permissionprototype WHERE org_id = ? AND uuid = ?", vec![org_id.into(), uuid.into()])
        .await?;
    Ok(n > 0)
}

/// Whether a user (not an organization) other than `except` has this email address.
pub async fn email_in_use<C: ConnectionTrait>(c: &C, email: &str, except: Option<i32>) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT 1 FROM \"user\" WHERE email = ? AND organization = ? AND id <> ?",
        vec![email.into(), false.into(), except.unwrap_or(-1).into()],
    )
    .await?
    .is_some())
}

/// An app-specific token as the API shows it (the secret still encrypted).
#[derive(Debug, Clone)]
pub struct AppTokenView {
    pub uuid: String,
    pub title: String,
    pub created: chrono::NaiveDateTime,
    pub expiration: Option<chrono::NaiveDateTime>,
    pub last_accessed: Option<chrono::NaiveDateTime>,
    pub token_name: String,
    pub encrypted_secret: String,
}

/// A user's app-specific tokens, or the one with `uuid`.
pub async fn app_tokens_of<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    uuid: Option<&str>,
) -> Result<Vec<AppTokenView>, DbErr> {
    let mut text = String::from(
        "SELECT uuid, title, created, expiration, last_accessed, token_name, token_secret FROM appspecificauthtoken \
         WHERE user_id = ?",
    );
    let mut values: Vec<Value> = vec![user_id.into()];
    if let Some(u) = uuid {
        text.push_str(" AND uuid = ?");
        values.push(u.into());
    }
    text.push_str(" ORDER BY id");
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(AppTokenView {
                uuid: r.try_get("", "uuid")?,
                title: r.try_get("", "title")?,
                created: r.try_get("", "created")?,
                expiration: r.try_get("", "expiration")?,
                last_accessed: r.try_get("", "last_accessed")?,
                token_name: r.try_get("", "token_name")?,
                encrypted_secret: r.try_get("", "token_secret")?,
            })
        })
        .collect()
}

pub async fn delete_app_token<C: ConnectionTrait>(c: &C, user_id: i32, uuid: &str) -> Result<bool, DbErr> {
    let n =
        exec(c, "DELETE FROM appspecificauthtoken WHERE user_id = ? AND uuid = ?", vec![user_id.into(), uuid.into()])
            .await?;
    Ok(n > 0)
}
