//! Who is calling and what they may do: Basic credentials, Quay's registry JWTs and repository
//! permissions. No HTTP here; the `http` module turns these answers into responses.

mod actor;
pub mod gate;
pub mod keys;
pub mod secret;

pub use actor::{Actor, Denied, Scope};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::db::Db;
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
    /// Set when the user signed in with an app-specific token: that token's uuid.
    pub app_token: Option<String>,
    /// Set when the user signed in with an OAuth access token, whose scopes cap what they may do.
    pub oauth: Option<OAuthGrant>,
}

impl User {
    /// A signed-in account as stored; robots are never superusers.
    fn signed_in(row: crate::db::user::UserRow, config: &crate::config::Config) -> User {
        User {
            id: row.id,
            superuser: !row.robot && config.is_superuser(&row.username),
            uuid: row.uuid.unwrap_or_default(),
            robot: row.robot,
            username: row.username,
            app_token: None,
            oauth: None,
        }
    }
}

/// What an OAuth access token (`$oauthtoken`) lets its user do: Quay's scopes `repo:read`,
/// `repo:write`, `repo:admin` cap the repository role; `repo:create` allows creating repositories.
#[derive(Debug, Clone)]
pub struct OAuthGrant {
    /// The token's row id and its application's client id and name: Quay records them with
    /// every change made with the token.
    pub token_id: i32,
    pub application_client_id: String,
    pub application_name: String,
    pub token_uuid: String,
    /// The token's scopes as stored (space-separated).
    pub scope: String,
    pub max_role: Option<Role>,
    pub create: bool,
}

impl OAuthGrant {
    pub fn of(token: &crate::db::token::OAuthToken) -> Self {
        let scopes = token.scope.as_str();
        let has = |s: &str| scopes.split([' ', ',']).any(|x| x == s);
        let max_role = if has("repo:admin") {
            Some(Role::Admin)
        } else if has("repo:write") {
            Some(Role::Write)
        } else if has("repo:read") {
            Some(Role::Read)
        } else {
            None
        };
        OAuthGrant {
            token_id: token.id,
            application_client_id: token.application_client_id.clone(),
            application_name: token.application_name.clone(),
            token_uuid: token.uuid.clone(),
            scope: scopes.to_owned(),
            max_role,
            create: has("repo:create"),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split([' ', ',']).any(|x| x == scope)
    }
}

/// A caller: a user, nobody, or the registry itself (the operator's `quay admin`, the jobs).
#[derive(Debug, Clone)]
pub enum Identity {
    Anonymous,
    User(User),
    System,
}

/// An account acting by itself, not through a credential it presented: a mirror's robot, whose
/// background syncs write as it. `None` when it no longer exists or is disabled.
pub async fn account(db: &crate::db::Db, config: &crate::config::Config, id: i32) -> anyhow::Result<Option<User>> {
    let row = crate::db::user::find_user_by_id(&db.read, id).await?;
    Ok(row.filter(|r| r.enabled).map(|r| User::signed_in(r, config)))
}

impl Identity {
    pub fn user(&self) -> Option<&User> {
        match self {
            Identity::User(u) => Some(u),
            Identity::Anonymous | Identity::System => None,
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
    #[error("robot accounts have been disabled; contact your administrator")]
    RobotsDisallowed,
    #[error("too many failed sign-ins from this address; try again in {0} seconds")]
    Throttled(u64),
    #[error("too many sign-ins are being checked; try again in a moment")]
    Busy,
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

/// Records a `docker login` (a token request without a scope) as Quay's `login_success` entry.
pub fn log_login(audit: &crate::audit::AuditLog, user: &User, ip: Option<String>, user_agent: Option<&str>) {
    let kind = if user.robot {
        "robot"
    } else if user.app_token.is_some() {
        "app_specific_token"
    } else {
        "user"
    };
    let mut metadata = serde_json::json!({"kind": kind, "type": "v2auth", "useragent": user_agent.unwrap_or("")});
    if user.robot {
        metadata["robot"] = user.username.as_str().into();
    }
    audit.record(crate::audit::Entry {
        kind: "login_success",
        account_id: user.id,
        performer: crate::audit::Performer::Id(user.id),
        repository_id: None,
        ip,
        metadata,
    });
}

/// Where credentials come from and what guards their checks.
#[derive(Clone, Copy)]
pub struct Login<'a> {
    pub db: &'a Db,
    pub config: &'a crate::config::Config,
    pub secrets: Option<&'a secret::FieldEncryption>,
    pub gate: &'a gate::LoginGate,
    /// The client's address: failures slow down this address only (see [`gate`]).
    pub client: Option<std::net::IpAddr>,
}

impl<'a> Login<'a> {
    pub fn new(app: &'a crate::app::App, client: Option<std::net::IpAddr>) -> Self {
        Login { db: &app.db, config: &app.config, secrets: app.secrets.as_ref(), gate: &app.logins, client }
    }
}

impl From<gate::Refused> for AuthError {
    fn from(r: gate::Refused) -> Self {
        match r {
            gate::Refused::Throttled(seconds) => AuthError::Throttled(seconds),
            gate::Refused::Busy => AuthError::Busy,
        }
    }
}

/// Checks Basic credentials: a robot (`namespace+name` with its token) or a user (bcrypt
/// `$2a$`/`$2b$`/`$2y$` hash in `user.password_hash`). Existing and unknown users are answered
/// alike, in what is said and in how long it takes.
pub async fn authenticate_password(login: Login<'_>, username: &str, password: &str) -> Result<User, AuthError> {
    let Login { db, config, secrets, gate, client } = login;
    if username == "$oauthtoken" {
        return authenticate_oauth_token(login, password).await;
    }
    if username == "$app" && config.feature_app_specific_tokens {
        return authenticate_app_token(db, config, secrets, password).await;
    }
    if username.contains('+') {
        if config.robots_disallow && !config.robots_whitelist.iter().any(|r| r == username) {
            return Err(AuthError::RobotsDisallowed);
        }
        return authenticate_robot(db, config, secrets, username, password).await;
    }
    if let Some(seconds) = gate.throttled(username, client) {
        return Err(AuthError::Throttled(seconds));
    }
    let row = crate::db::user::find_user(&db.read, username).await.map_err(anyhow::Error::from)?;
    let row = row.filter(|u| !u.organization && !u.robot);
    let hash = row.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
    // Quay's "encrypted password" (what `user/initialize` returns) stands for the password itself.
    let candidate = config.cli_password().and_then(|cli| cli.decrypt(password)).unwrap_or_else(|| password.to_owned());
    let check = {
        let (candidate, hash) = (candidate.clone(), hash.clone());
        move || bcrypt::verify(candidate, &hash).unwrap_or(false)
    };
    let matches = gate.verify(client, "password", username, &candidate, &hash, check).await?;
    let row = match row {
        Some(r) if matches => r,
        other => {
            gate.failed(username, client);
            // Quay's columns, written as Quay writes them (a Quay node sharing the database reads
            // them); this registry throttles by address instead.
            if let Some(r) = other {
                let tx = db.begin().await?;
                crate::db::user::record_failed_login(&tx, r.id).await.map_err(anyhow::Error::from)?;
                tx.commit().await.map_err(anyhow::Error::from)?;
            }
            return Err(AuthError::InvalidCredentials);
        }
    };
    gate.succeeded(username, client);
    if !row.enabled {
        return Err(AuthError::Disabled);
    }
    if row.invalid_login_attempts > 0 {
        let tx = db.begin().await?;
        crate::db::user::reset_failed_logins(&tx, row.id).await.map_err(anyhow::Error::from)?;
        tx.commit().await.map_err(anyhow::Error::from)?;
    }
    Ok(User::signed_in(row, config))
}

/// `$app` with a 120-character app-specific token: the first 60 characters find the token, the
/// last 60 must equal its decrypted secret; the owner must be enabled.
async fn authenticate_app_token(
    db: &Db,
    config: &crate::config::Config,
    secrets: Option<&secret::FieldEncryption>,
    token: &str,
) -> Result<User, AuthError> {
    let (Some(secrets), true) = (secrets, token.len() == 120 && token.is_ascii()) else {
        return Err(AuthError::InvalidCredentials);
    };
    let (name, secret) = token.split_at(60);
    let found = crate::db::token::find_app_token(&db.read, name).await.map_err(anyhow::Error::from)?;
    let Some(found) = found else {
        return Err(AuthError::InvalidCredentials);
    };
    let expected = secrets.decrypt(&found.encrypted_secret).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), secret.as_bytes()) {
        return Err(AuthError::InvalidCredentials);
    }
    let owner = crate::db::user::find_user_by_id(&db.read, found.user_id).await.map_err(anyhow::Error::from)?;
    let Some(owner) = owner.filter(|o| !o.organization && !o.robot) else {
        return Err(AuthError::InvalidCredentials);
    };
    if !owner.enabled {
        return Err(AuthError::Disabled);
    }
    let tx = db.begin().await?;
    crate::db::token::touch_app_token(&tx, &found.uuid).await.map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(User { app_token: Some(found.uuid), ..User::signed_in(owner, config) })
}

/// `$oauthtoken` with a 40-character OAuth access token: the first 20 characters find it, the
/// rest is checked against its bcrypt `token_code`; it must be unexpired and its user enabled.
pub async fn authenticate_oauth_token(login: Login<'_>, token: &str) -> Result<User, AuthError> {
    let Login { db, config, gate, client, .. } = login;
    if token.len() != 40 || !token.is_ascii() {
        return Err(AuthError::InvalidCredentials);
    }
    let (name, code) = token.split_at(20);
    let found = crate::db::token::find_oauth_token(&db.read, name).await.map_err(anyhow::Error::from)?;
    let hash = found.as_ref().map(|f| f.token_code.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
    let check = {
        let (code, hash) = (code.to_owned(), hash.clone());
        move || bcrypt::verify(code, &hash).unwrap_or(false)
    };
    let matches = gate.verify(client, "oauth", name, code, &hash, check).await?;
    let Some(found) = found.filter(|_| matches) else {
        return Err(AuthError::InvalidCredentials);
    };
    let owner = crate::db::user::find_user_by_id(&db.read, found.user_id).await.map_err(anyhow::Error::from)?;
    let Some(owner) = owner.filter(|o| !o.organization && !o.robot) else {
        return Err(AuthError::InvalidCredentials);
    };
    if !owner.enabled {
        return Err(AuthError::Disabled);
    }
    Ok(User { oauth: Some(OAuthGrant::of(&found)), ..User::signed_in(owner, config) })
}

/// A robot signs in with its token, compared in constant time with the decrypted stored token.
/// Its owning namespace must exist and be enabled.
async fn authenticate_robot(
    db: &Db,
    config: &crate::config::Config,
    secrets: Option<&secret::FieldEncryption>,
    username: &str,
    token: &str,
) -> Result<User, AuthError> {
    let Some(secrets) = secrets else {
        return Err(AuthError::InvalidCredentials);
    };
    let (namespace, _) = username.split_once('+').ok_or(AuthError::InvalidCredentials)?;
    let robot = crate::db::user::find_user(&db.read, username).await.map_err(anyhow::Error::from)?.filter(|u| u.robot);
    let Some(robot) = robot else {
        return Err(AuthError::InvalidCredentials);
    };
    let stored = crate::db::robot::robot_token(&db.read, robot.id).await.map_err(anyhow::Error::from)?;
    let expected = stored.and_then(|s| secrets.decrypt(&s).ok()).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), token.as_bytes()) {
        return Err(AuthError::InvalidCredentials);
    }
    let owner = crate::db::user::find_user(&db.read, namespace).await.map_err(anyhow::Error::from)?;
    if !robot.enabled || !owner.is_some_and(|o| o.enabled) {
        return Err(AuthError::Disabled);
    }
    Ok(User::signed_in(robot, config))
}

/// The caller's role on a repository: superusers and the namespace owner administer it; others
/// hold what direct and team grants give them.
pub async fn repository_role(
    db: &Db,
    identity: &Identity,
    repo: &crate::db::repository::RepoRow,
) -> anyhow::Result<Option<Role>> {
    let user = match identity {
        Identity::User(user) => user,
        Identity::System => return Ok(Some(Role::Admin)),
        Identity::Anonymous => return Ok(None),
    };
    let role = if user.superuser || user.id == repo.namespace_id {
        Some(Role::Admin)
    } else {
        let roles = crate::db::repository::repository_roles(&db.read, user.id, repo.id, repo.namespace_id).await?;
        roles.iter().filter_map(|r| Role::from_name(r)).max()
    };
    // An OAuth token never gives more than its scopes allow.
    Ok(match &user.oauth {
        Some(grant) => role.min(grant.max_role),
        None => role,
    })
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
    /// `refresh` on refresh tokens, absent on registry tokens; neither is accepted as the other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

impl Claims {
    /// Roughly what these claims take in memory (for bounding caches of them).
    pub fn approximate_size(&self) -> usize {
        let strings = self.iss.len() + self.aud.as_ref().map_or(0, String::len) + self.sub.len();
        let access: usize = self
            .access
            .iter()
            .map(|a| std::mem::size_of::<Access>() + a.kind.len() + a.name.len() + a.actions.len() * 32)
            .sum();
        std::mem::size_of::<Claims>() + strings + access + self.context.to_string().len() * 4
    }
}

/// The subject of tokens issued to nobody.
pub const ANONYMOUS_SUBJECT: &str = "(anonymous)";

/// The most scopes one `/v2/auth` request may ask for: clients ask for one to three (a copy's
/// source and destination, a mount's origin).
pub const MAX_SCOPES: usize = 32;
/// Registry tokens longer than this are refused unread.
pub const MAX_TOKEN_BYTES: usize = 32 << 10;

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
        Identity::User(User { oauth: Some(grant), username, .. }) => (
            username.clone(),
            json!({
                "version": 2, "entity_kind": "oauthtoken", "entity_reference": grant.token_uuid, "kind": "oauth",
                "oauth": grant.token_uuid, "user": username, "com.apostille.roots": roots,
                "com.apostille.root": "$disabled",
            }),
        ),
        Identity::User(User { app_token: Some(token), username, .. }) => (
            username.clone(),
            json!({
                "version": 2, "entity_kind": "appspecifictoken", "entity_reference": token, "kind": "user",
                "user": identity.user().map(|u| u.username.clone()), "com.apostille.roots": roots,
                "com.apostille.root": "$disabled",
            }),
        ),
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
        // The system never asks for registry tokens; if it did, it would get an anonymous one.
        Identity::Anonymous | Identity::System => (
            ANONYMOUS_SUBJECT.to_owned(),
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
        typ: None,
    };
    sign(key, &claims)
}

/// Signs claims with this node's key, naming it by `kid`.
fn sign(key: &keys::SigningKey, claims: &Claims) -> anyhow::Result<String> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.encoding)?)
}

/// The claims of a token signed RS256 by a known approved `kid`, for our audience and issuer, with
/// Quay's 30 s leeway. Registry and refresh tokens both pass through here.
async fn decode_signed(
    db: &Db,
    keys: &keys::VerificationKeys,
    config: &crate::config::Config,
    token: &str,
) -> Option<Claims> {
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
    jsonwebtoken::decode::<Claims>(token, &key, &validation).ok().map(|d| d.claims)
}

/// Verifies a registry token as Quay does: a signed token (see [`decode_signed`]) that is not a
/// refresh token, issued no later than now, and living no longer than `REGISTRY_JWT_AUTH_MAX_FRESH_S`.
pub async fn verify_token(
    db: &Db,
    keys: &keys::VerificationKeys,
    config: &crate::config::Config,
    token: &str,
) -> Option<Claims> {
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    if let Some(claims) = keys.cached(token) {
        return Some(claims);
    }
    let claims = decode_signed(db, keys, config, token).await?;
    let now = chrono::Utc::now().timestamp();
    if claims.typ.is_some()
        || claims.iat > now + 30
        || claims.exp - claims.iat > config.registry_jwt_auth_max_fresh_s as i64
    {
        return None;
    }
    // A disabled user's tokens stop working once they leave the cache (a minute at most), not
    // at their expiry as in Quay.
    if claims.sub != ANONYMOUS_SUBJECT {
        let user = db.find_user(&claims.sub).await.ok().flatten();
        if !user.is_some_and(|u| u.enabled) {
            return None;
        }
    }
    keys.remember(token, &claims);
    Some(claims)
}

/// How long a refresh token (`POST /v2/auth` with `access_type=offline`) lasts.
const REFRESH_TOKEN_LIFETIME_S: i64 = 30 * 24 * 3600;

/// A refresh token: an RS256 JWT for this registry with no grants, bound like a session to the
/// user's uuid (a password change revokes it), a robot's uuid (rotation revokes it) or an
/// app-specific token.
pub fn issue_refresh_token(
    key: &keys::SigningKey,
    config: &crate::config::Config,
    user: &User,
) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let context = match (&user.app_token, user.robot) {
        // Bound to the OAuth token itself, so the refreshed tokens keep its scopes.
        _ if user.oauth.is_some() => {
            let uuid = user.oauth.as_ref().map(|g| g.token_uuid.clone());
            json!({"version": 2, "entity_kind": "oauthtoken", "entity_reference": uuid})
        }
        (Some(token), _) => json!({"version": 2, "entity_kind": "appspecifictoken", "entity_reference": token}),
        (None, true) => {
            json!({"version": 2, "entity_kind": "robot", "entity_reference": user.username, "robot_uuid": user.uuid})
        }
        (None, false) => json!({"version": 2, "entity_kind": "user", "entity_reference": user.uuid}),
    };
    let claims = Claims {
        iss: config.instance_service_key_service.clone(),
        aud: Some(config.server_hostname.clone()),
        nbf: now,
        iat: now,
        exp: now + REFRESH_TOKEN_LIFETIME_S,
        sub: user.username.clone(),
        access: Vec::new(),
        context,
        typ: Some("refresh".into()),
    };
    sign(key, &claims)
}

/// The user a refresh token still stands for, if it is valid and not revoked.
pub async fn verify_refresh_token(
    db: &Db,
    keys: &keys::VerificationKeys,
    config: &crate::config::Config,
    token: &str,
) -> anyhow::Result<Option<User>> {
    let Some(claims) = decode_signed(db, keys, config, token).await else {
        return Ok(None);
    };
    if claims.typ.as_deref() != Some("refresh") {
        return Ok(None);
    }
    let Some(user) = claims.user(db, config).await? else {
        return Ok(None);
    };
    if user.robot && claims.context.get("robot_uuid").and_then(|v| v.as_str()) != Some(user.uuid.as_str()) {
        return Ok(None);
    }
    Ok(Some(user))
}

impl Claims {
    /// Whether the token grants `action` (`pull`, `push`, `*`) on the repository `path`, comparing
    /// names after the same normalisation the request went through.
    /// Whether a grant covers `action` on the repository `path`; a grant may name it with this
    /// registry's host in front (`HOST/ns/repo`), as it was asked for.
    pub fn allows(&self, path: &str, action: &str, library: Option<&str>, host: &str) -> bool {
        self.access.iter().any(|a| {
            let name = a.name.strip_prefix(host).and_then(|rest| rest.strip_prefix('/')).unwrap_or(&a.name);
            a.kind == "repository"
                && crate::oci::RepositoryName::parse(name, library).is_ok_and(|n| n.to_string() == path)
                && a.actions.iter().any(|x| x == action || x == "*")
        })
    }

    /// The user a token was issued to, if it still exists with the same identity (a password change
    /// rotates the uuid and so retires older tokens for this purpose).
    pub async fn user(&self, db: &Db, config: &crate::config::Config) -> anyhow::Result<Option<User>> {
        let kind = self.context.get("entity_kind").and_then(|v| v.as_str());
        let reference = self.context.get("entity_reference").and_then(|v| v.as_str()).unwrap_or("");
        let (robot, app_token) = match kind {
            Some("user") => (false, false),
            Some("robot") => (true, false),
            Some("appspecifictoken") => (false, true),
            Some("oauthtoken") => return self.oauth_user(db, config, reference).await,
            _ => return Ok(None),
        };
        let Some(row) = db.find_user(&self.sub).await? else {
            return Ok(None);
        };
        let uuid = row.uuid.clone().unwrap_or_default();
        // Users are bound to their uuid (a password change retires their tokens), robots to their
        // name, app-token sessions to a token that still exists.
        let bound = if robot {
            row.robot && row.username == reference
        } else if app_token {
            crate::db::token::app_token_valid(&db.read, reference, row.id).await?
        } else {
            constant_time_eq(uuid.as_bytes(), reference.as_bytes())
        };
        if !row.enabled || !bound {
            return Ok(None);
        }
        Ok(Some(User { app_token: app_token.then(|| reference.to_owned()), ..User::signed_in(row, config) }))
    }

    /// The user behind a registry token issued for an OAuth access token that still exists.
    async fn oauth_user(
        &self,
        db: &Db,
        config: &crate::config::Config,
        token_uuid: &str,
    ) -> anyhow::Result<Option<User>> {
        let Some(token) = crate::db::token::find_oauth_token_by_uuid(&db.read, token_uuid).await? else {
            return Ok(None);
        };
        let Some(row) = crate::db::user::find_user_by_id(&db.read, token.user_id)
            .await?
            .filter(|u| u.enabled && u.username == self.sub)
        else {
            return Ok(None);
        };
        Ok(Some(User { oauth: Some(OAuthGrant::of(&token)), ..User::signed_in(row, config) }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dummy_hash_is_a_valid_bcrypt_hash() {
        assert!(!bcrypt::verify("anything", &super::DUMMY_HASH).unwrap());
    }
}
