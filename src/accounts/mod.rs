//! Accounts: users, organizations, teams, robots, tokens, default permissions and repository
//! permissions, with Quay's rules for names, passwords and tokens. Every door (`/api/v1`,
//! `quay admin`, `user/initialize`) calls these functions with the [`Actor`] doing it; each one
//! decides whether the actor may, and writes the change and its action-log row (Quay's kind and
//! metadata, the actor as performer) in one transaction.

pub mod organizations;
pub mod permissions;
pub mod policies;
pub mod prototypes;
pub mod proxy_cache;
pub mod quotas;
pub mod robots;
pub mod teams;
pub mod tokens;
pub mod users;

use rand::Rng as _;
use sea_orm::DatabaseTransaction;

use crate::app::App;
use crate::auth::{Actor, Denied, Scope};

/// The views the doors render, as the database reads them.
pub use crate::db::log::{LogFilter, LogRow};
pub use crate::db::prototype::Prototype;
pub use crate::db::repository::RepositoryListing;
pub use crate::db::robot::RobotView;
pub use crate::db::team::TeamView;
pub use crate::db::token::AppTokenView;
pub use crate::db::user::{Account, AccountSettings, Membership};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Denied(#[from] Denied),
    /// The database asked for the change to be retried (contention).
    #[error("the registry is busy; try again")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AccountError {
    fn from(e: sea_orm::DbErr) -> Self {
        if crate::db::is_retryable(&e) {
            return AccountError::Unavailable;
        }
        // Two requests creating the same thing at once: the loser is told, not given an error 500.
        if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) {
            return AccountError::Invalid("the request conflicts with a concurrent change; try again".into());
        }
        AccountError::Internal(e.into())
    }
}

/// A repository an administrative operation names, as the registry resolved it.
impl From<crate::registry::RegistryError> for AccountError {
    fn from(e: crate::registry::RegistryError) -> Self {
        use crate::registry::RegistryError as E;
        match e {
            E::NameUnknown | E::NameInvalid(_) => AccountError::NotFound("repository".into()),
            E::Access(d) => AccountError::Denied(d),
            E::Unavailable => AccountError::Unavailable,
            E::Internal(e) => AccountError::Internal(e),
            other => AccountError::Invalid(other.to_string()),
        }
    }
}

pub type Result<T, E = AccountError> = std::result::Result<T, E>;

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
        Err(AccountError::Invalid(format!(
            "`{name}` is not a valid name: 2-255 lowercase letters and digits, separated by single . _ or -"
        )))
    }
}

/// Quay's password policy: at least 8 characters, no whitespace.
pub fn validate_password(password: &str) -> Result<()> {
    if password.chars().count() < 8 || password.chars().any(char::is_whitespace) {
        return Err(AccountError::Invalid("passwords need at least 8 characters and no whitespace".into()));
    }
    Ok(())
}

/// A robot token: 64 characters of `[A-Z0-9]`, as Quay generates them.
pub fn new_robot_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..64).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Any account (user, organization or robot) by name.
pub async fn find(app: &App, name: &str) -> Result<Option<Account>> {
    Ok(crate::db::user::find_account(&app.db.read, name).await?)
}

pub(crate) async fn account(app: &App, name: &str) -> Result<Account> {
    find(app, name).await?.ok_or_else(|| AccountError::NotFound(format!("`{name}`")))
}

/// An organization by name.
pub async fn organization(app: &App, name: &str) -> Result<Account> {
    match find(app, name).await? {
        Some(org) if org.organization => Ok(org),
        Some(_) => Err(AccountError::Invalid(format!("`{name}` is not an organization"))),
        None => Err(AccountError::NotFound(format!("organization `{name}`"))),
    }
}

/// A person (not an organization or robot) by name.
pub async fn person(app: &App, name: &str) -> Result<Account> {
    match find(app, name).await? {
        Some(a) if !a.organization && !a.robot => Ok(a),
        _ => Err(AccountError::NotFound(format!("user `{name}`"))),
    }
}

/// Whether the actor administers the organization: a member of one of its `admin` teams, a
/// superuser acting as one, or the system.
pub async fn administers(app: &App, actor: &Actor, org: &Account) -> Result<bool> {
    if actor.reaches_everything(&app.config) {
        return Ok(true);
    }
    let Some(user) = actor.signed_in_user() else { return Ok(false) };
    Ok(crate::db::team::organization_membership(&app.db.read, org.id, user.id).await?.1)
}

/// The organization, for an actor who may administer it with a credential that allows it
/// (`org:admin`).
pub async fn administered(app: &App, actor: &Actor, name: &str) -> Result<Account> {
    let org = organization(app, name).await?;
    actor.require(Scope::OrgAdmin)?;
    if !administers(app, actor, &org).await? {
        return Err(Denied::Forbidden.into());
    }
    Ok(org)
}

/// Whose own things (robots, policies) an actor manages.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// An organization the actor administers.
    Organization(&'a str),
    /// The signed-in user themself (`user:admin`; robots manage nothing).
    Me,
    /// Any user or organization by name: its administrators, superusers and the system.
    Named(&'a str),
}

/// The namespace of `owner`, once the actor may manage it.
pub async fn managed_namespace(app: &App, actor: &Actor, owner: Owner<'_>) -> Result<Account> {
    match owner {
        Owner::Organization(name) => administered(app, actor, name).await,
        Owner::Me => {
            actor.require(Scope::UserAdmin)?;
            let user = actor.signed_in()?;
            if user.robot {
                return Err(Denied::Forbidden.into());
            }
            account(app, &user.username).await
        }
        Owner::Named(name) => {
            let namespace = account(app, name).await?;
            if namespace.robot {
                return Err(AccountError::Invalid(format!("`{name}` is a robot")));
            }
            if namespace.organization {
                return administered(app, actor, name).await;
            }
            if actor.reaches_everything(&app.config)
                || actor.signed_in_user().is_some_and(|u| u.id == namespace.id && !u.robot)
            {
                return Ok(namespace);
            }
            Err(Denied::Forbidden.into())
        }
    }
}

/// A superuser acting as one (`super:user`), or the system.
pub fn require_superuser(actor: &Actor) -> Result<()> {
    actor.require(Scope::SuperUser)?;
    if !actor.superuser() {
        return Err(Denied::Forbidden.into());
    }
    Ok(())
}

/// Writes the action-log row of a change in the change's own transaction, with the actor as its
/// performer.
pub(crate) async fn log(
    tx: &DatabaseTransaction,
    actor: &Actor,
    kind: &str,
    account_id: i32,
    repository_id: Option<i32>,
    metadata: &serde_json::Value,
) -> Result<()> {
    crate::audit::write(tx, actor, kind, account_id, repository_id, metadata).await?;
    Ok(())
}

pub(crate) async fn free_name(app: &App, name: &str) -> Result<()> {
    validate_namespace(name)?;
    if find(app, name).await?.is_some() {
        return Err(AccountError::Exists(format!("`{name}`")));
    }
    if crate::db::namespace::name_awaits_purge(&app.db.read, name).await? {
        return Err(AccountError::Exists(format!("`{name}` (deleted, its content not yet purged)")));
    }
    Ok(())
}

/// Deletes a user or an organization as Quay does: robots and memberships now, the account
/// disabled and renamed at once, everything else purged by garbage collection after
/// `NAMESPACE_GC_GRACE_PERIOD_SECONDS`.
pub(crate) async fn delete_namespace(app: &App, actor: &Actor, namespace: &Account) -> Result<()> {
    if namespace.robot {
        return Err(AccountError::Invalid(format!("`{}` is a robot; delete it as one", namespace.username)));
    }
    let tx = app.db.begin().await?;
    crate::db::namespace::mark_namespace_deleted(&tx, namespace, app.config.namespace_gc_grace()).await?;
    let (kind, metadata) = if namespace.organization {
        ("org_delete", serde_json::json!({"namespace": namespace.username}))
    } else {
        ("user_delete", serde_json::json!({"username": namespace.username}))
    };
    log(&tx, actor, kind, namespace.id, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// The field encryption robot and app tokens need.
pub(crate) fn encryption(app: &App) -> Result<&crate::auth::secret::FieldEncryption> {
    app.secrets
        .as_ref()
        .ok_or_else(|| AccountError::Invalid("DATABASE_SECRET_KEY is not configured; tokens need it".into()))
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
