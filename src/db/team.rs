//! Teams of organizations and their members.

use super::{all, exec, one};
use sea_orm::{ConnectionTrait, DbErr};

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

/// A team as the API shows it.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct TeamView {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub role: String,
    pub member_count: i64,
    pub repo_count: i64,
}

const TEAM_VIEW: &str = "SELECT t.id, t.name, COALESCE(t.description, '') AS description, tr.name AS role, \
     (SELECT COUNT(*) FROM teammember tm WHERE tm.team_id = t.id) AS member_count, \
     (SELECT COUNT(*) FROM repositorypermission p WHERE p.team_id = t.id) AS repo_count \
     FROM team t JOIN teamrole tr ON tr.id = t.role_id WHERE t.organization_id = ?";

pub async fn teams_of<C: ConnectionTrait>(c: &C, org_id: i32) -> Result<Vec<TeamView>, DbErr> {
    super::rows(c, &format!("{TEAM_VIEW} ORDER BY t.name"), vec![org_id.into()]).await
}

pub async fn team<C: ConnectionTrait>(c: &C, org_id: i32, name: &str) -> Result<Option<TeamView>, DbErr> {
    super::row(c, &format!("{TEAM_VIEW} AND t.name = ?"), vec![org_id.into(), name.into()]).await
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

pub async fn team_members<C: ConnectionTrait>(c: &C, team_id: i32) -> Result<Vec<super::user::Account>, DbErr> {
    super::rows(
        c,
        "SELECT u.id, u.username, u.email, u.organization, u.robot, u.enabled FROM teammember tm \
         JOIN \"user\" u ON u.id = tm.user_id WHERE tm.team_id = ? ORDER BY u.username",
        vec![team_id.into()],
    )
    .await
}

/// Everyone on any team of an organization, with the teams they are on.
pub async fn organization_members<C: ConnectionTrait>(
    c: &C,
    org_id: i32,
) -> Result<Vec<(super::user::Account, Vec<String>)>, DbErr> {
    let rows = all(
        c,
        "SELECT u.id, u.username, u.email, u.organization, u.robot, u.enabled, t.name AS team FROM teammember tm \
         JOIN team t ON t.id = tm.team_id JOIN \"user\" u ON u.id = tm.user_id WHERE t.organization_id = ? \
         ORDER BY u.username, t.name",
        vec![org_id.into()],
    )
    .await?;
    let mut out: Vec<(super::user::Account, Vec<String>)> = Vec::new();
    for r in &rows {
        let a = super::user::account(r)?;
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
