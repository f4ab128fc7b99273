//! The actor of every operation: who is calling, what their credentials allow, and from where.
//! Each door (`/v2`, `/api/v1`, `quay admin`, the background jobs) builds one and hands it to the
//! domain, which decides what it may do and records it as the performer of what it changes.

use super::{Identity, Role, User};

/// The OAuth scopes Quay defines; a token carries some of them, a password all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    RepoRead,
    RepoWrite,
    RepoAdmin,
    RepoCreate,
    OrgAdmin,
    UserRead,
    UserAdmin,
    SuperUser,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::RepoRead,
        Scope::RepoWrite,
        Scope::RepoAdmin,
        Scope::RepoCreate,
        Scope::OrgAdmin,
        Scope::UserRead,
        Scope::UserAdmin,
        Scope::SuperUser,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::RepoRead => "repo:read",
            Scope::RepoWrite => "repo:write",
            Scope::RepoAdmin => "repo:admin",
            Scope::RepoCreate => "repo:create",
            Scope::OrgAdmin => "org:admin",
            Scope::UserRead => "user:read",
            Scope::UserAdmin => "user:admin",
            Scope::SuperUser => "super:user",
        }
    }

    /// The repository role a scope allows at most.
    fn role(self) -> Option<Role> {
        match self {
            Scope::RepoRead => Some(Role::Read),
            Scope::RepoWrite => Some(Role::Write),
            Scope::RepoAdmin => Some(Role::Admin),
            _ => None,
        }
    }

    /// Quay's implied scopes: `repo:admin` includes writing and reading, `repo:write` reading,
    /// `user:admin` reading the user.
    pub fn implied(mut scopes: Vec<Scope>) -> Vec<Scope> {
        let implies = [
            (Scope::RepoAdmin, Scope::RepoWrite),
            (Scope::RepoWrite, Scope::RepoRead),
            (Scope::UserAdmin, Scope::UserRead),
        ];
        for (has, gets) in implies {
            if scopes.contains(&has) && !scopes.contains(&gets) {
                scopes.push(gets);
            }
        }
        scopes
    }
}

/// Why an actor may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Nobody signed in where someone must.
    #[error("requires authentication")]
    Unauthenticated,
    /// Signed in, but not allowed.
    #[error("not allowed")]
    Forbidden,
}

/// Who acts, with what their credentials allow.
#[derive(Debug, Clone)]
pub struct Actor {
    pub identity: Identity,
    /// What the credential may do: a token's scopes; every scope for passwords.
    pub scopes: Vec<Scope>,
    /// The client's address and program, for the action logs.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// The registry itself: the operator's `quay admin` on the host, and the background jobs. It
    /// may do everything and is recorded as no performer.
    pub fn system() -> Actor {
        Actor { identity: Identity::System, scopes: Scope::ALL.to_vec(), ip: None, user_agent: None }
    }

    pub fn anonymous() -> Actor {
        Actor { identity: Identity::Anonymous, scopes: Vec::new(), ip: None, user_agent: None }
    }

    /// The same actor, calling from `ip` with the program `user_agent`.
    pub fn from_client(mut self, ip: Option<String>, user_agent: Option<String>) -> Actor {
        self.ip = ip;
        self.user_agent = user_agent;
        self
    }

    /// A signed-in user with what their credential allows: an OAuth token its scopes, an app
    /// token what a registry login may do, a robot pushing and pulling, a password everything.
    pub fn user(user: User) -> Actor {
        let scopes = match (&user.oauth, &user.app_token) {
            (Some(grant), _) => Scope::implied(Scope::ALL.into_iter().filter(|s| grant.has_scope(s.name())).collect()),
            // An app token stands in for the password on registry clients: what a registry login
            // may do (read and write repositories), not the account's administration.
            (None, Some(_)) => vec![Scope::RepoRead, Scope::RepoWrite, Scope::RepoCreate, Scope::UserRead],
            // Robots push and pull; Quay's API does not take them at all.
            (None, None) if user.robot => vec![Scope::RepoRead, Scope::RepoWrite, Scope::RepoCreate],
            (None, None) => Scope::ALL.to_vec(),
        };
        Actor { identity: Identity::User(user), scopes, ip: None, user_agent: None }
    }

    pub fn signed_in_user(&self) -> Option<&User> {
        self.identity.user()
    }

    pub fn is_system(&self) -> bool {
        matches!(self.identity, Identity::System)
    }

    /// The signed-in user (the system acts as nobody).
    pub fn signed_in(&self) -> Result<&User, Denied> {
        self.signed_in_user().ok_or(Denied::Unauthenticated)
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whether the credential allows `scope`: refused as unauthenticated for nobody, forbidden for
    /// a token without it.
    pub fn require(&self, scope: Scope) -> Result<(), Denied> {
        match self.identity {
            Identity::System => Ok(()),
            Identity::Anonymous => Err(Denied::Unauthenticated),
            Identity::User(_) if self.has(scope) => Ok(()),
            Identity::User(_) => Err(Denied::Forbidden),
        }
    }

    /// A superuser whose credential allows acting as one (`super:user`), or the system.
    pub fn superuser(&self) -> bool {
        match &self.identity {
            Identity::System => true,
            Identity::User(u) => u.superuser && self.has(Scope::SuperUser),
            Identity::Anonymous => false,
        }
    }

    /// Whether the actor reaches every namespace's repositories and organizations: the system, or
    /// a superuser acting as one (`super:user`; never an app token) where
    /// `FEATURE_SUPERUSERS_FULL_ACCESS` is on. The same on `/v2`, `/v2/auth` and `/api/v1`.
    pub fn reaches_everything(&self, config: &crate::config::Config) -> bool {
        match &self.identity {
            Identity::System => true,
            Identity::User(_) => self.superuser() && config.feature_superusers_full_access,
            Identity::Anonymous => false,
        }
    }

    /// The highest repository role the credential allows.
    pub fn max_role(&self) -> Option<Role> {
        self.scopes.iter().filter_map(|s| s.role()).max()
    }

    /// The user recorded as having done what this actor does (none for the system or nobody).
    pub fn performer_id(&self) -> Option<i32> {
        self.signed_in_user().map(|u| u.id)
    }
}
