//! Users, organizations, teams, robots and repository permissions: the administration that
//! `quay admin` (and later the API) performs, with Quay's rules for names, passwords and tokens.

use rand::Rng as _;

use crate::auth::secret::FieldEncryption;
use crate::db::identity::{self, Account, RepositoryListing};
use crate::db::{Db, queries};
use crate::oci::RepositoryName;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for IdentityError {
    fn from(e: sea_orm::DbErr) -> Self {
        IdentityError::Internal(e.into())
    }
}

pub type Result<T, E = IdentityError> = std::result::Result<T, E>;

/// Quay's namespace names: `^[a-z0-9]+(?:[._-][a-z0-9]+)*$`, 2 to 255 characters.
pub fn validate_namespace(name: &str) -> Result<()> {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ok = (2..=255).contains(&b.len())
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.windows(2).all(|w| alnum(&w[0]) || alnum(&w[1]))
        && b.iter().all(|c| alnum(c) || matches!(c, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(IdentityError::Invalid(format!(
            "`{name}` is not a valid name: 2-255 lowercase letters and digits, separated by single . _ or -"
        )))
    }
}

/// Quay's password policy: at least 8 characters, no whitespace.
pub fn validate_password(password: &str) -> Result<()> {
    if password.chars().count() < 8 || password.chars().any(char::is_whitespace) {
        return Err(IdentityError::Invalid("passwords need at least 8 characters and no whitespace".into()));
    }
    Ok(())
}

/// A robot token: 64 characters of `[A-Z0-9]`, as Quay generates them.
pub fn new_robot_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..64).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn role_id(db: &Db, role: &str) -> Result<i32> {
    db.lookups
        .role_ids
        .get(role)
        .copied()
        .ok_or_else(|| IdentityError::Invalid(format!("`{role}` is not a role (read, write, admin)")))
}

async fn account(db: &Db, name: &str) -> Result<Account> {
    identity::find_account(&db.read, name).await?.ok_or_else(|| IdentityError::NotFound(format!("`{name}`")))
}

async fn organization(db: &Db, name: &str) -> Result<Account> {
    let org = account(db, name).await?;
    if !org.organization {
        return Err(IdentityError::Invalid(format!("`{name}` is not an organization")));
    }
    Ok(org)
}

async fn free_name(db: &Db, name: &str) -> Result<()> {
    validate_namespace(name)?;
    if identity::find_account(&db.read, name).await?.is_some() {
        return Err(IdentityError::Exists(format!("`{name}`")));
    }
    if identity::name_awaits_purge(&db.read, name).await? {
        return Err(IdentityError::Exists(format!("`{name}` (deleted, its content not yet purged)")));
    }
    Ok(())
}

/// Deletes a user or an organization as Quay does: robots and memberships now, the account
/// disabled and renamed at once, everything else purged by garbage collection after `grace`.
pub async fn delete_namespace(db: &Db, name: &str, grace: std::time::Duration) -> Result<()> {
    let namespace = account(db, name).await?;
    if namespace.robot {
        return Err(IdentityError::Invalid(format!("`{name}` is a robot; delete it as one")));
    }
    let tx = db.begin().await?;
    identity::mark_namespace_deleted(&tx, &namespace, grace).await?;
    let (kind, metadata) = if namespace.organization {
        ("org_delete", serde_json::json!({"namespace": name}))
    } else {
        ("user_delete", serde_json::json!({"username": name}))
    };
    queries::insert_log(&tx, kind, namespace.id, None, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_user(db: &Db, name: &str, email: Option<&str>, password: &str) -> Result<()> {
    free_name(db, name).await?;
    validate_password(password)?;
    let hash = crate::auth::hash_password(password)?;
    let email = email.map(str::to_owned).unwrap_or_else(|| format!("{name}@localhost"));
    let tx = db.begin().await?;
    queries::create_user(&tx, name, &email, &hash).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_password(db: &Db, name: &str, password: &str) -> Result<()> {
    validate_password(password)?;
    let user = account(db, name).await?;
    if user.organization || user.robot {
        return Err(IdentityError::Invalid(format!("`{name}` is not a user")));
    }
    let hash = crate::auth::hash_password(password)?;
    let tx = db.begin().await?;
    queries::set_password(&tx, user.id, &hash).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_enabled(db: &Db, name: &str, enabled: bool) -> Result<()> {
    let user = account(db, name).await?;
    let tx = db.begin().await?;
    identity::set_enabled(&tx, user.id, enabled).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(db: &Db, organizations: bool) -> Result<Vec<Account>> {
    Ok(identity::list_accounts(&db.read, organizations, false, None).await?)
}

/// Creates an organization; `admin` (a user) joins its `owners` team.
pub async fn create_org(db: &Db, name: &str, admin: Option<&str>) -> Result<()> {
    free_name(db, name).await?;
    let owner = match admin {
        Some(a) => Some(account(db, a).await?.id),
        None => None,
    };
    let admin_role = team_role(db, "admin")?;
    let tx = db.begin().await?;
    identity::create_organization(&tx, name, &uuid::Uuid::new_v4().to_string(), admin_role, owner).await?;
    tx.commit().await?;
    Ok(())
}

fn team_role(db: &Db, role: &str) -> Result<i32> {
    db.lookups
        .team_role_ids
        .get(role)
        .copied()
        .ok_or_else(|| IdentityError::Invalid(format!("`{role}` is not a team role (admin, creator, member)")))
}

pub async fn create_team(db: &Db, org: &str, team: &str, role: &str) -> Result<()> {
    let org = organization(db, org).await?;
    validate_namespace(team)?;
    let role = team_role(db, role)?;
    let tx = db.begin().await?;
    if identity::find_team(&tx, org.id, team).await?.is_some() {
        return Err(IdentityError::Exists(format!("team `{team}`")));
    }
    identity::create_team(&tx, org.id, team, role, "").await?;
    tx.commit().await?;
    Ok(())
}

async fn team_id(db: &Db, org: &str, team: &str) -> Result<i32> {
    let org = organization(db, org).await?;
    identity::find_team(&db.read, org.id, team).await?.ok_or_else(|| IdentityError::NotFound(format!("team `{team}`")))
}

pub async fn add_member(db: &Db, org: &str, team: &str, member: &str) -> Result<()> {
    let team = team_id(db, org, team).await?;
    let member = account(db, member).await?;
    if member.organization {
        return Err(IdentityError::Invalid("organizations cannot join teams".into()));
    }
    let tx = db.begin().await?;
    identity::add_team_member(&tx, team, member.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &Db, org: &str, team: &str, member: &str) -> Result<()> {
    let team = team_id(db, org, team).await?;
    let member = account(db, member).await?;
    let tx = db.begin().await?;
    if !identity::remove_team_member(&tx, team, member.id).await? {
        return Err(IdentityError::NotFound(format!("`{}` in that team", member.username)));
    }
    tx.commit().await?;
    Ok(())
}

fn encryption(secrets: Option<&FieldEncryption>) -> Result<&FieldEncryption> {
    secrets.ok_or_else(|| IdentityError::Invalid("DATABASE_SECRET_KEY is not configured; robot tokens need it".into()))
}

/// Creates `namespace+short` and returns its token.
pub async fn create_robot(
    db: &Db,
    secrets: Option<&FieldEncryption>,
    namespace: &str,
    short: &str,
    description: &str,
) -> Result<(String, String)> {
    let secrets = encryption(secrets)?;
    let owner = account(db, namespace).await?;
    if owner.robot {
        return Err(IdentityError::Invalid("robots cannot own robots".into()));
    }
    validate_namespace(short)?;
    let full = format!("{namespace}+{short}");
    if identity::find_account(&db.read, &full).await?.is_some() {
        return Err(IdentityError::Exists(format!("robot `{full}`")));
    }
    if description.chars().count() > 255 {
        return Err(IdentityError::Invalid("robot descriptions are at most 255 characters".into()));
    }
    let token = new_robot_token();
    let tx = db.begin().await?;
    identity::create_robot(&tx, &full, &secrets.encrypt(&token), description, db.lookups.robot_login_service).await?;
    let metadata = serde_json::json!({"robot": short, "description": description, "unstructured_metadata": {}});
    queries::insert_log(&tx, "create_robot", owner.id, None, None, &metadata).await?;
    tx.commit().await?;
    Ok((full, token))
}

async fn robot(db: &Db, full: &str) -> Result<Account> {
    let robot = account(db, full).await?;
    if !robot.robot {
        return Err(IdentityError::Invalid(format!("`{full}` is not a robot")));
    }
    Ok(robot)
}

pub async fn rotate_robot(db: &Db, secrets: Option<&FieldEncryption>, full: &str) -> Result<String> {
    let secrets = encryption(secrets)?;
    let robot = robot(db, full).await?;
    let token = new_robot_token();
    let tx = db.begin().await?;
    identity::rotate_robot(&tx, robot.id, &secrets.encrypt(&token)).await?;
    robot_log(&tx, db, "regenerate_robot_token", full).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn delete_robot(db: &Db, full: &str) -> Result<()> {
    let robot = robot(db, full).await?;
    let tx = db.begin().await?;
    identity::delete_robot(&tx, robot.id).await?;
    robot_log(&tx, db, "delete_robot", full).await?;
    tx.commit().await?;
    Ok(())
}

/// An action log for a robot, under its owner's namespace, as Quay writes it (`{"robot": short}`).
async fn robot_log(tx: &sea_orm::DatabaseTransaction, db: &Db, kind: &str, full: &str) -> Result<()> {
    let (namespace, short) = full.split_once('+').unwrap_or((full, full));
    let owner = account(db, namespace).await?;
    queries::insert_log(tx, kind, owner.id, None, None, &serde_json::json!({"robot": short})).await?;
    Ok(())
}

pub async fn list_robots(db: &Db, namespace: &str) -> Result<Vec<Account>> {
    account(db, namespace).await?;
    Ok(identity::list_accounts(&db.read, false, true, Some(namespace)).await?)
}

/// Creates an app-specific token (Quay's 120 characters of `[A-Z0-9]`) usable as the password of
/// `$app`; returns it once.
pub async fn create_app_token(
    db: &Db,
    secrets: Option<&FieldEncryption>,
    user: &str,
    title: &str,
    expires_in_days: Option<u32>,
) -> Result<String> {
    Ok(create_app_token_with_uuid(db, secrets, user, title, expires_in_days).await?.1)
}

/// Creates an app-specific token; returns its uuid and the 120-character token (shown once).
pub async fn create_app_token_with_uuid(
    db: &Db,
    secrets: Option<&FieldEncryption>,
    user: &str,
    title: &str,
    expires_in_days: Option<u32>,
) -> Result<(String, String)> {
    let secrets = encryption(secrets)?;
    let owner = account(db, user).await?;
    if owner.organization || owner.robot {
        return Err(IdentityError::Invalid(format!("`{user}` is not a user")));
    }
    if title.is_empty() || title.chars().count() > 255 {
        return Err(IdentityError::Invalid("app token titles are 1 to 255 characters".into()));
    }
    let token = format!("{}{}", &new_robot_token()[..60], &new_robot_token()[..60]);
    let expiration = expires_in_days.map(|d| crate::util::now_naive() + chrono::Duration::days(i64::from(d)));
    let tx = db.begin().await?;
    let uuid =
        identity::create_app_token(&tx, owner.id, title, &token[..60], &secrets.encrypt(&token[60..]), expiration)
            .await?;
    let metadata = serde_json::json!({"app_specific_token_title": title, "app_specific_token": uuid});
    queries::insert_log(&tx, "create_app_specific_token", owner.id, Some(owner.id), None, &metadata).await?;
    tx.commit().await?;
    Ok((uuid, token))
}

/// How long an OAuth access token issued here lasts (Quay's `create_user_access_token` default).
pub const OAUTH_TOKEN_LIFETIME_S: i64 = 9000;

/// Creates an OAuth application owned by the user and an access token for it with `scopes`, as
/// Quay's `user/initialize` does; returns the 40-character token (shown once: only a bcrypt hash
/// of its second half is kept).
pub async fn create_oauth_token(
    db: &Db,
    secrets: Option<&FieldEncryption>,
    user_id: i32,
    application: &str,
    description: &str,
    scopes: &str,
) -> Result<String> {
    let token = new_robot_token()[..40].to_owned();
    let code = token[20..].to_owned();
    let code_hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&code))
        .await
        .map_err(|e| IdentityError::Internal(anyhow::anyhow!("hashing the token failed: {e}")))??;
    let client_secret = secrets.map(|s| s.encrypt(&crate::util::random_token(40)));
    let expires = crate::util::now_naive() + chrono::Duration::seconds(OAUTH_TOKEN_LIFETIME_S);
    let tx = db.begin().await?;
    let application_id =
        identity::create_oauth_application(&tx, user_id, application, description, client_secret.as_deref()).await?;
    identity::create_oauth_token(&tx, application_id, user_id, scopes, &token[..20], &code_hash, expires).await?;
    tx.commit().await?;
    Ok(token)
}

/// Who a permission is for: a user or robot by name, or a team of the repository's organization.
pub enum Grantee<'a> {
    User(&'a str),
    Team(&'a str),
}

async fn repository(db: &Db, path: &str) -> Result<(RepositoryName, queries::RepoRow)> {
    let name = RepositoryName::parse(path, None).map_err(|e| IdentityError::Invalid(e.to_string()))?;
    let repo = db
        .find_repository(name.namespace(), name.repository())
        .await?
        .ok_or_else(|| IdentityError::NotFound(format!("repository `{path}`")))?;
    Ok((name, repo))
}

async fn grantee_ids(db: &Db, name: &RepositoryName, who: &Grantee<'_>) -> Result<(Option<i32>, Option<i32>)> {
    Ok(match who {
        Grantee::User(u) => {
            let a = account(db, u).await?;
            if a.organization {
                return Err(IdentityError::Invalid("permissions go to users, robots or teams".into()));
            }
            (Some(a.id), None)
        }
        Grantee::Team(t) => (None, Some(team_id(db, name.namespace(), t).await?)),
    })
}

pub async fn grant(db: &Db, path: &str, who: Grantee<'_>, role: &str) -> Result<()> {
    let (name, repo) = repository(db, path).await?;
    let role_name = role;
    let role = role_id(db, role)?;
    let (user, team) = grantee_ids(db, &name, &who).await?;
    let tx = db.begin().await?;
    identity::grant(&tx, repo.id, user, team, role).await?;
    let mut metadata = permission_metadata(&name, &who);
    metadata["role"] = role_name.into();
    queries::insert_log(&tx, "change_repo_permission", repo.namespace_id, None, Some(repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Quay's metadata of permission logs: the repository and who the permission is for.
fn permission_metadata(name: &RepositoryName, who: &Grantee<'_>) -> serde_json::Value {
    let mut metadata = serde_json::json!({"repo": name.repository(), "namespace": name.namespace()});
    match who {
        Grantee::User(u) => metadata["username"] = (*u).into(),
        Grantee::Team(t) => metadata["team"] = (*t).into(),
    }
    metadata
}

pub async fn revoke(db: &Db, path: &str, who: Grantee<'_>) -> Result<()> {
    let (name, repo) = repository(db, path).await?;
    let (user, team) = grantee_ids(db, &name, &who).await?;
    let tx = db.begin().await?;
    if !identity::revoke(&tx, repo.id, user, team).await? {
        return Err(IdentityError::NotFound("such a permission".into()));
    }
    let metadata = permission_metadata(&name, &who);
    queries::insert_log(&tx, "delete_repo_permission", repo.namespace_id, None, Some(repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Restores a tag from the time machine onto `digest` (default: the manifest it pointed to last
/// before its current state) and logs Quay's `revert_tag`. Returns the digest restored.
pub async fn restore_tag(db: &Db, path: &str, tag: &str, digest: Option<&str>) -> Result<String> {
    let (name, repo) = repository(db, path).await?;
    let history = queries::tag_history(&db.read, repo.id, tag).await?;
    let now = crate::util::now_ms();
    let target = match digest {
        Some(d) => d.to_owned(),
        // The newest row that has ended: what the tag pointed to before it was moved or deleted.
        None => history
            .iter()
            .find(|(_, _, end)| end.is_some_and(|e| e <= now))
            .map(|(d, _, _)| d.clone())
            .ok_or_else(|| IdentityError::NotFound(format!("an earlier state of tag `{tag}`")))?,
    };
    // Everything the manifest references must still be in the repository (a blob deleted through
    // the API, or collected after its other references went, would make the tag unpullable).
    if let Some(missing) = missing_reference(db, repo.id, &target).await? {
        return Err(IdentityError::Invalid(format!(
            "manifest {target} cannot be restored: {missing} it references is no longer in `{path}`"
        )));
    }
    let tx = db.begin().await?;
    if !queries::restore_tag(&tx, repo.id, tag, &target, db.lookups.tag_kind_tag).await? {
        return Err(IdentityError::NotFound(format!(
            "manifest {target} in `{path}` (it may have left the time machine)"
        )));
    }
    let metadata = serde_json::json!({
        "repo": name.repository(), "namespace": name.namespace(), "tag": tag, "manifest_digest": target,
    });
    queries::insert_log(&tx, "revert_tag", repo.namespace_id, None, Some(repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(target)
}

/// The first blob or child manifest a stored manifest references that the repository lacks.
async fn missing_reference(db: &Db, repo_id: i32, digest: &str) -> Result<Option<String>> {
    let Some(row) = queries::find_manifest_any(&db.read, repo_id, digest).await? else {
        return Ok(None);
    };
    let media_type = db.lookups.media_type_name(row.media_type_id).map(str::to_owned);
    let Ok(parsed) = crate::oci::parse_manifest(media_type.as_deref(), row.bytes.as_bytes()) else {
        return Ok(None);
    };
    let blobs: Vec<String> = parsed.required_blobs().iter().map(|d| d.digest.to_string()).collect();
    let present = queries::blobs_in_repo(&db.read, repo_id, &blobs).await?;
    if let Some(missing) = blobs.iter().find(|d| !present.contains_key(*d)) {
        return Ok(Some(format!("blob {missing}")));
    }
    let children: Vec<String> = parsed.child_manifests().iter().map(|d| d.digest.to_string()).collect();
    let present = queries::manifests_in_repo(&db.read, repo_id, &children).await?;
    Ok(children.iter().find(|d| !present.contains_key(*d)).map(|d| format!("manifest {d}")))
}

pub async fn create_repo(db: &Db, path: &str, public: bool) -> Result<()> {
    create_repo_as(db, path, public, None).await
}

/// Creates a repository on behalf of `creator` (a user id): in an organization the creator gets
/// the admin role and the organization's default permissions apply, as on a push.
pub async fn create_repo_as(db: &Db, path: &str, public: bool, creator: Option<i32>) -> Result<()> {
    let name = RepositoryName::parse(path, None).map_err(|e| IdentityError::Invalid(e.to_string()))?;
    let owner = account(db, name.namespace()).await?;
    if owner.robot {
        return Err(IdentityError::Invalid("robots have no repositories".into()));
    }
    if db.find_repository(name.namespace(), name.repository()).await?.is_some() {
        return Err(IdentityError::Exists(format!("repository `{path}`")));
    }
    let visibility = if public { db.lookups.visibility_public } else { db.lookups.visibility_private };
    let tx = db.begin().await?;
    let creator = creator.map(|id| (id, db.lookups.role_ids.get("admin").copied().unwrap_or_default()));
    queries::create_repository(&tx, owner.id, name.repository(), visibility, db.lookups.repository_kind_image, creator)
        .await?;
    let metadata = serde_json::json!({"repo": name.repository(), "namespace": name.namespace()});
    queries::insert_log(&tx, "create_repo", owner.id, None, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_repos(db: &Db, namespace: Option<&str>) -> Result<Vec<RepositoryListing>> {
    Ok(identity::list_repositories(&db.read, namespace, db.lookups.visibility_public).await?)
}

pub async fn set_visibility(db: &Db, path: &str, public: bool) -> Result<()> {
    let (_, repo) = repository(db, path).await?;
    let visibility = if public { db.lookups.visibility_public } else { db.lookups.visibility_private };
    let tx = db.begin().await?;
    identity::set_visibility(&tx, repo.id, visibility).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_repo(db: &Db, path: &str) -> Result<()> {
    let (name, repo) = repository(db, path).await?;
    let tx = db.begin().await?;
    identity::mark_repository_deleted(&tx, repo.id, name.repository()).await?;
    let metadata = serde_json::json!({"repo": name.repository(), "namespace": name.namespace()});
    crate::db::queries::insert_log(&tx, "delete_repo", repo.namespace_id, None, Some(repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_passwords_and_tokens() {
        for ok in ["ab", "alice", "a.b", "a_b-c", "org2"] {
            assert!(validate_namespace(ok).is_ok(), "{ok}");
        }
        for bad in ["a", "Alice", "a..b", "-ab", "ab-", "a+b", "a/b", ""] {
            assert!(validate_namespace(bad).is_err(), "{bad}");
        }
        assert!(validate_password("12345678").is_ok());
        assert!(validate_password("1234567").is_err());
        assert!(validate_password("has space1").is_err());
        let t = new_robot_token();
        assert_eq!(t.len(), 64);
        assert!(t.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    }
}
