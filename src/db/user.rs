//! Users, organizations and robots as rows of Quay's `user` table: lookups, creation, passwords, failed sign-ins, settings.

use super::entities::user;
use super::{all, exec, one};
use crate::util::now_naive;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, QueryResult, Value};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i32,
    pub uuid: Option<String>,
    pub username: String,
    pub password_hash: Option<String>,
    pub organization: bool,
    pub robot: bool,
    pub enabled: bool,
    pub invalid_login_attempts: i32,
    pub last_invalid_login: chrono::NaiveDateTime,
}

/// Records a failed sign-in (Quay's login backoff counts them).
pub async fn record_failed_login<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE \"user\" SET invalid_login_attempts = invalid_login_attempts + 1, last_invalid_login = ? WHERE id = ?",
        vec![now_naive().into(), user_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn reset_failed_logins<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET invalid_login_attempts = 0 WHERE id = ?", vec![user_id.into()]).await?;
    Ok(())
}

/// The columns of a [`UserRow`]. Written out rather than through the entity's `one()`, whose
/// `LIMIT ?` makes SQLite compile the statement again at every execution (a bound `LIMIT` may
/// change the plan); every request that carries a token looks its user up.
pub(super) const USER_ROW: &str = "SELECT id, uuid, username, password_hash, organization, robot, enabled, \
     invalid_login_attempts, last_invalid_login FROM \"user\"";

fn user_row(r: &sea_orm::QueryResult) -> Result<UserRow, DbErr> {
    Ok(UserRow {
        id: r.try_get("", "id")?,
        uuid: r.try_get("", "uuid")?,
        username: r.try_get("", "username")?,
        password_hash: r.try_get("", "password_hash")?,
        organization: r.try_get("", "organization")?,
        robot: r.try_get("", "robot")?,
        enabled: r.try_get("", "enabled")?,
        invalid_login_attempts: r.try_get("", "invalid_login_attempts")?,
        last_invalid_login: r.try_get("", "last_invalid_login")?,
    })
}

pub async fn find_user<C: ConnectionTrait>(c: &C, username: &str) -> Result<Option<UserRow>, DbErr> {
    let row = one(c, &format!("{USER_ROW} WHERE username = ?"), vec![username.into()]).await?;
    row.as_ref().map(user_row).transpose()
}

pub async fn find_user_by_id<C: ConnectionTrait>(c: &C, id: i32) -> Result<Option<UserRow>, DbErr> {
    let row = one(c, &format!("{USER_ROW} WHERE id = ?"), vec![id.into()]).await?;
    row.as_ref().map(user_row).transpose()
}

/// Creates a user (not an organization or robot) with Quay's defaults.
pub async fn create_user<C: ConnectionTrait>(
    c: &C,
    username: &str,
    email: &str,
    password_hash: &str,
) -> Result<i32, DbErr> {
    super::user::insert_account(c, username, email, Some(password_hash), false, false).await
}

/// Sets a new password hash. Like Quay, this rotates the user's uuid so tokens bound to the old
/// identity stop resolving.
pub async fn set_password<C: ConnectionTrait>(c: &C, user_id: i32, password_hash: &str) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE \"user\" SET password_hash = ?, uuid = ?, invalid_login_attempts = 0 WHERE id = ?",
        vec![password_hash.into(), uuid::Uuid::new_v4().to_string().into(), user_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn count_users<C: ConnectionTrait>(c: &C) -> Result<i64, DbErr> {
    let row =
        one(c, "SELECT count(*) FROM \"user\" WHERE organization = ? AND robot = ?", vec![false.into(), false.into()])
            .await?;
    row.map(|r| r.try_get_by_index::<i64>(0)).transpose().map(|n| n.unwrap_or(0))
}

/// Whether a user may create repositories in a namespace: their own, or an organization where
/// they are on an `admin` or `creator` team.
pub async fn can_create_in_namespace<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    namespace_id: i32,
) -> Result<bool, DbErr> {
    if user_id == namespace_id {
        return Ok(true);
    }
    let row = one(
        c,
        "SELECT 1 FROM team t JOIN teamrole tr ON tr.id = t.role_id JOIN teammember tm ON tm.team_id = t.id \
         WHERE t.organization_id = ? AND tm.user_id = ? AND tr.name IN ('admin', 'creator') LIMIT 1",
        vec![namespace_id.into(), user_id.into()],
    )
    .await?;
    Ok(row.is_some())
}

/// A namespace-like row: users, organizations and robots share Quay's `user` table.
#[derive(Debug, Clone, serde::Serialize, sea_orm::FromQueryResult)]
pub struct Account {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub organization: bool,
    pub robot: bool,
    pub enabled: bool,
}

pub(super) fn account(r: &QueryResult) -> Result<Account, DbErr> {
    sea_orm::FromQueryResult::from_query_result(r, "")
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
    super::rows(c, &text, values).await
}

pub async fn find_account<C: ConnectionTrait>(c: &C, username: &str) -> Result<Option<Account>, DbErr> {
    super::row(
        c,
        "SELECT id, username, email, organization, robot, enabled FROM \"user\" WHERE username = ?",
        vec![username.into()],
    )
    .await
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

pub async fn set_email<C: ConnectionTrait>(c: &C, user_id: i32, email: &str) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET email = ? WHERE id = ?", vec![email.into(), user_id.into()]).await?;
    Ok(())
}

pub async fn set_tag_expiration_window<C: ConnectionTrait>(c: &C, user_id: i32, seconds: i64) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET removed_tag_expiration_s = ? WHERE id = ?", vec![seconds.into(), user_id.into()])
        .await?;
    Ok(())
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
