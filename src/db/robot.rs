//! Robot accounts' tokens, metadata and grants.

use super::{all, exec, one};
use sea_orm::{ConnectionTrait, DbErr, Value};

/// Creates `namespace+short` with its encrypted token, metadata and federated-login rows, as Quay does.
pub async fn create_robot<C: ConnectionTrait>(
    c: &C,
    full_name: &str,
    encrypted_token: &str,
    description: &str,
    robot_login_service: i32,
) -> Result<i32, DbErr> {
    let id = super::user::insert_account(c, full_name, &uuid::Uuid::new_v4().to_string(), None, false, true).await?;
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

/// A robot as the API shows it.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct RobotView {
    pub id: i32,
    #[sea_orm(from_alias = "username")]
    pub name: String,
    pub description: String,
    #[sea_orm(from_alias = "creation_date")]
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
        "SELECT u.id, u.username, u.creation_date, u.last_accessed, COALESCE(m.description, '') AS description \
         FROM \"user\" u \
         LEFT JOIN robotaccountmetadata m ON m.robot_account_id = u.id WHERE u.robot = ? AND u.username LIKE ? ESCAPE '\\'",
    );
    let mut values: Vec<Value> = vec![true.into(), format!("{}+%", super::like_escape(namespace)).into()];
    if let Some(name) = full_name {
        text.push_str(" AND u.username = ?");
        values.push(name.into());
    }
    text.push_str(" ORDER BY u.username");
    super::rows(c, &text, values).await
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
