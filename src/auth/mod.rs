//! Who is calling and what they may do: Basic credentials, Quay's registry JWTs and repository
//! permissions. No HTTP here; the `http` module turns these answers into responses.

pub mod keys;
pub mod secret;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::db::{Db, queries};
use crate::util::constant_time_eq;

/// What a caller may do to a repository, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Read,
    Write,
    Admin,
}

impl Role {
    fn from_name(name: &str) -> Option<Role> {
        match name {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An authenticated user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i32,
    /// For robots `namespace+name`.
    pub username: String,
    pub uuid: String,
    pub superuser: bool,
    pub robot: bool,
}

/// A caller: a user, or nobody.
#[derive(Debug, Clone)]
pub enum Identity {
    Anonymous,
    User(User),
}

impl Identity {
    pub fn user(&self) -> Option<&User> {
        match self {
            Identity::User(u) => Some(u),
            Identity::Anonymous => None,
        }
    }
}

/// Why credentials were refused; the message is safe to show the caller.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("this user has been disabled; contact your administrator")]
    Disabled,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A bcrypt hash of a random password, verified against when the user does not exist so that the
/// response time does not tell which usernames exist.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| bcrypt::hash(crate::util::random_token(32), 12).unwrap_or_default());

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Ok(bcrypt::hash(password, 12)?)
}

/// Checks Basic credentials: a robot (`namespace+name` with its token) or a user (bcrypt
/// `$2a$`/`$2b$`/`$2y$` hash in `user.password_hash`).
pub async fn authenticate_password(
    db: &Db,
    config: &crate::config::Config,
    secrets: Option<&secret::FieldEncryption>,
    username: &str,
    password: &str,
) -> Result<User, AuthError> {
    if username.contains('+') {
        return authenticate_robot(db, secrets, username, password).await;
    }
    let row = queries::find_user(&db.read, username).await.map_err(anyhow::Error::from)?;
    let row = row.filter(|u| !u.organization && !u.robot);
    let hash = row.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
    let candidate = password.to_owned();
    // bcrypt takes a quarter of a second at cost 12: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || bcrypt::verify(candidate, &hash).unwrap_or(false))
        .await
        .map_err(|e| anyhow::anyhow!("password check failed: {e}"))?;
    let row = match row {
        Some(r) if matches => r,
        _ => return Err(AuthError::InvalidCredentials),
    };
    if !row.enabled {
        return Err(AuthError::Disabled);
    }
    Ok(User {
        id: row.id,
        superuser: config.is_superuser(&row.username),
        uuid: row.uuid.unwrap_or_default(),
        username: row.username,
        robot: false,
    })
}

/// A robot signs in with its token, compared in constant time with the decrypted stored token.
/// Its owning namespace must exist and be enabled.
async fn authenticate_robot(
    db: &Db,
    secrets: Option<&secret::FieldEncryption>,
    username: &str,
    token: &str,
) -> Result<User, AuthError> {
    let Some(secrets) = secrets else {
        return Err(AuthError::InvalidCredentials);
    };
    let (namespace, _) = username.split_once('+').ok_or(AuthError::InvalidCredentials)?;
    let robot = queries::find_user(&db.read, username).await.map_err(anyhow::Error::from)?.filter(|u| u.robot);
    let Some(robot) = robot else {
        return Err(AuthError::InvalidCredentials);
    };
    let stored = crate::db::identity::robot_token(&db.read, robot.id).await.map_err(anyhow::Error::from)?;
    let expected = stored.and_then(|s| secrets.decrypt(&s).ok()).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), token.as_bytes()) {
        return Err(AuthError::InvalidCredentials);
    }
    let owner = queries::find_user(&db.read, namespace).await.map_err(anyhow::Error::from)?;
    if !robot.enabled || !owner.is_some_and(|o| o.enabled) {
        return Err(AuthError::Disabled);
    }
    Ok(User {
        id: robot.id,
        uuid: robot.uuid.unwrap_or_default(),
        username: robot.username,
        superuser: false,
        robot: true,
    })
}

/// The caller's role on a repository: superusers and the namespace owner administer it; others
/// hold what direct and team grants give them.
pub async fn repository_role(db: &Db, identity: &Identity, repo: &queries::RepoRow) -> anyhow::Result<Option<Role>> {
    let Some(user) = identity.user() else {
        return Ok(None);
    };
    if user.superuser || user.id == repo.namespace_id {
        return Ok(Some(Role::Admin));
    }
    let roles = queries::repository_roles(&db.read, user.id, repo.id, repo.namespace_id).await?;
    Ok(roles.iter().filter_map(|r| Role::from_name(r)).max())
}

/// One grant of a registry token (`access` claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub actions: Vec<String>,
}

/// The claims of Quay's registry JWT.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: Option<String>,
    pub nbf: i64,
    pub iat: i64,
    pub exp: i64,
    pub sub: String,
    #[serde(default)]
    pub access: Vec<Access>,
    #[serde(default)]
    pub context: serde_json::Value,
}

/// Issues tokens with this node's key.
pub fn issue_token(
    key: &keys::SigningKey,
    config: &crate::config::Config,
    audience: Option<&str>,
    identity: &Identity,
    access: Vec<Access>,
) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let roots: serde_json::Map<String, serde_json::Value> =
        access.iter().filter(|a| a.kind == "repository").map(|a| (a.name.clone(), json!("$disabled"))).collect();
    let (sub, context) = match identity {
        Identity::User(u) if u.robot => (
            u.username.clone(),
            json!({
                "version": 2, "entity_kind": "robot", "entity_reference": u.username, "kind": "user",
                "user": u.username, "com.apostille.roots": roots, "com.apostille.root": "$disabled",
            }),
        ),
        Identity::User(u) => (
            u.username.clone(),
            json!({
                "version": 2, "entity_kind": "user", "entity_reference": u.uuid, "kind": "user",
                "user": u.username, "com.apostille.roots": roots, "com.apostille.root": "$disabled",
            }),
        ),
        Identity::Anonymous => (
            "(anonymous)".to_owned(),
            json!({
                "version": 2, "entity_kind": "anonymous", "kind": "anonymous",
                "com.apostille.roots": roots, "com.apostille.root": "$disabled",
            }),
        ),
    };
    let claims = Claims {
        iss: config.instance_service_key_service.clone(),
        aud: audience.map(str::to_owned),
        nbf: now,
        iat: now,
        exp: now + config.token_validity_lifetime_s as i64,
        sub,
        access,
        context,
    };
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, &claims, &key.encoding)?)
}

/// Verifies a registry token as Quay does: a known approved `kid`, RS256, our audience and issuer,
/// 30 s leeway, and a lifetime no longer than `REGISTRY_JWT_AUTH_MAX_FRESH_S`.
pub async fn verify_token(
    db: &Db,
    keys: &keys::VerificationKeys,
    config: &crate::config::Config,
    token: &str,
) -> Option<Claims> {
    if let Some(claims) = keys.cached(token) {
        return Some(claims);
    }
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return None;
    }
    let key = keys.get(db, header.kid.as_deref()?).await?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.leeway = 30;
    validation.set_audience(&[config.server_hostname.as_str()]);
    validation.set_issuer(&[config.instance_service_key_service.as_str()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
    validation.validate_nbf = true;
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation).ok()?.claims;
    let now = chrono::Utc::now().timestamp();
    if claims.iat > now + 30 || claims.exp - claims.iat > config.registry_jwt_auth_max_fresh_s as i64 {
        return None;
    }
    keys.remember(token, &claims);
    Some(claims)
}

impl Claims {
    /// Whether the token grants `action` (`pull`, `push`, `*`) on the repository `path`, comparing
    /// names after the same normalisation the request went through.
    pub fn allows(&self, path: &str, action: &str, library: Option<&str>) -> bool {
        self.access.iter().any(|a| {
            a.kind == "repository"
                && crate::oci::RepositoryName::parse(&a.name, library).is_ok_and(|n| n.to_string() == path)
                && a.actions.iter().any(|x| x == action || x == "*")
        })
    }

    pub fn allows_catalog(&self) -> bool {
        self.access.iter().any(|a| a.kind == "registry" && a.name == "catalog" && a.actions.iter().any(|x| x == "*"))
    }

    /// The user a token was issued to, if it still exists with the same identity (a password change
    /// rotates the uuid and so retires older tokens for this purpose).
    pub async fn user(&self, db: &Db, config: &crate::config::Config) -> anyhow::Result<Option<User>> {
        let kind = self.context.get("entity_kind").and_then(|v| v.as_str());
        let reference = self.context.get("entity_reference").and_then(|v| v.as_str()).unwrap_or("");
        let robot = match kind {
            Some("user") => false,
            Some("robot") => true,
            _ => return Ok(None),
        };
        let Some(row) = queries::find_user(&db.read, &self.sub).await? else {
            return Ok(None);
        };
        let uuid = row.uuid.clone().unwrap_or_default();
        // Users are bound to their uuid (a password change retires their tokens); robots to their name.
        let bound = if robot {
            row.robot && row.username == reference
        } else {
            constant_time_eq(uuid.as_bytes(), reference.as_bytes())
        };
        if !row.enabled || !bound {
            return Ok(None);
        }
        Ok(Some(User {
            id: row.id,
            superuser: !robot && config.is_superuser(&row.username),
            username: row.username,
            uuid,
            robot,
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dummy_hash_is_a_valid_bcrypt_hash() {
        assert!(!bcrypt::verify("anything", &super::DUMMY_HASH).unwrap());
    }
}
