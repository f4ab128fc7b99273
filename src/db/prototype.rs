//! Default permissions of organizations (Quay's `permissionprototype`).

use super::{all, exec};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

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
