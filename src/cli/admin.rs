//! `quay admin`: users, organizations, teams, robots, permissions and repositories from the
//! command line, against the configured database (also while the server runs). Human tables by
//! default, `--json` on request; errors are one line and a non-zero exit.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::accounts::permissions::Grantee;
use crate::accounts::policies::{self, Method, PolicyOwner, Rule};
use crate::accounts::{Owner, organizations, permissions, quotas, robots, teams, tokens, users};
use crate::app::App;
use crate::auth::Actor;
use crate::registry::{repositories, tags};

#[derive(Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Organizations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Teams of an organization.
    Team {
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Robot accounts (`namespace+name`).
    Robot {
        #[command(subcommand)]
        command: RobotCommand,
    },
    /// Repository permissions.
    Perm {
        #[command(subcommand)]
        command: PermCommand,
    },
    /// Repositories.
    Repo {
        #[command(subcommand)]
        command: RepoCommand,
    },
    /// Default permissions of an organization: what its new repositories grant (as the API's
    /// `prototypes`).
    Proto {
        #[command(subcommand)]
        command: ProtoCommand,
    },
    /// Storage quotas of namespaces (enforced with FEATURE_QUOTA_MANAGEMENT).
    Quota {
        #[command(subcommand)]
        command: QuotaCommand,
    },
    /// Autoprune policies of namespaces and repositories (applied with FEATURE_AUTO_PRUNE).
    Autoprune {
        #[command(subcommand)]
        command: AutopruneCommand,
    },
    /// Repository mirrors: repositories kept in step with an upstream registry (needs
    /// FEATURE_REPO_MIRROR).
    Mirror {
        #[command(subcommand)]
        command: super::mirror::MirrorCommand,
    },
    /// Proxy cache organizations: pull-through caches of an upstream registry (needs
    /// FEATURE_PROXY_CACHE).
    Proxycache {
        #[command(subcommand)]
        command: super::proxycache::ProxyCacheCommand,
    },
}

#[derive(Subcommand)]
enum AutopruneCommand {
    /// Adds a policy to a namespace (`ns`) or a repository (`ns/repo`).
    Add {
        target: String,
        #[arg(long, value_parser = ["number_of_tags", "creation_date"])]
        method: String,
        /// A number of tags to keep, or an age such as `7d`.
        #[arg(long)]
        value: String,
        /// Only tags matching this regular expression (searched anywhere in the name).
        #[arg(long)]
        tag_pattern: Option<String>,
        /// Apply to the tags that do NOT match the pattern instead.
        #[arg(long, requires = "tag_pattern")]
        not_matching: bool,
    },
    /// Lists the policies (of one namespace).
    List {
        namespace: Option<String>,
    },
    Remove {
        uuid: String,
    },
}

#[derive(Subcommand)]
enum QuotaCommand {
    /// Sets a namespace's limit (`10G`, `500M`) and its thresholds in percent of it.
    Set {
        namespace: String,
        #[arg(long)]
        limit: String,
        /// Pushes are refused at this percentage.
        #[arg(long, default_value_t = 100)]
        reject: i32,
        /// Crossing this percentage is logged.
        #[arg(long)]
        warning: Option<i32>,
    },
    /// Shows a namespace's quota and the bytes it holds.
    Show {
        namespace: String,
    },
    Remove {
        namespace: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Create {
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (else one is generated and printed).
        #[arg(long)]
        password_stdin: bool,
    },
    List,
    Disable {
        name: String,
    },
    Enable {
        name: String,
    },
    /// Delete the user: it is disabled and renamed at once; its repositories, robots and
    /// everything else go with the next garbage collection (after NAMESPACE_GC_GRACE_PERIOD_SECONDS).
    Delete {
        name: String,
    },
    SetPassword {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create an app-specific token, the password of `$app`; printed once.
    AppToken {
        name: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
}

#[derive(Subcommand)]
enum ProtoCommand {
    /// List an organization's default permissions.
    List { org: String },
    /// Grant ROLE on every new repository of ORG to a user, robot (`--user`) or team (`--team`),
    /// for repositories anyone creates, or only those `--creator` creates.
    Create {
        org: String,
        #[arg(long, conflicts_with = "team", required_unless_present = "team")]
        user: Option<String>,
        #[arg(long)]
        team: Option<String>,
        /// read, write or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        creator: Option<String>,
    },
    /// Delete a default permission by its id.
    Delete { org: String, id: String },
}

#[derive(Subcommand)]
enum OrgCommand {
    Create {
        name: String,
        /// A user to put in the `owners` team.
        #[arg(long)]
        admin: Option<String>,
    },
    List,
    /// Delete the organization: as `user delete`, with its teams.
    Delete {
        name: String,
    },
}

#[derive(Subcommand)]
enum TeamCommand {
    Create {
        org: String,
        team: String,
        /// admin, creator or member.
        #[arg(long, default_value = "member")]
        role: String,
    },
    AddMember {
        org: String,
        team: String,
        member: String,
    },
    RemoveMember {
        org: String,
        team: String,
        member: String,
    },
}

#[derive(Subcommand)]
enum RobotCommand {
    /// Create NAMESPACE+NAME; prints the token once.
    Create {
        namespace: String,
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    List {
        namespace: String,
    },
    /// Replace the token; prints the new one.
    Rotate {
        robot: String,
    },
    Delete {
        robot: String,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct Who {
    /// A user or robot.
    #[arg(long)]
    user: Option<String>,
    /// A team of the repository's organization.
    #[arg(long)]
    team: Option<String>,
}

impl Who {
    fn grantee(&self) -> Grantee<'_> {
        match (&self.user, &self.team) {
            (Some(u), _) => Grantee::User(u),
            (None, Some(t)) => Grantee::Team(t),
            (None, None) => Grantee::User(""),
        }
    }
}

#[derive(Subcommand)]
enum PermCommand {
    Grant {
        repository: String,
        #[command(flatten)]
        who: Who,
        /// read, write or admin.
        #[arg(long)]
        role: String,
    },
    Revoke {
        repository: String,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Subcommand)]
enum RepoCommand {
    Create {
        repository: String,
        #[arg(long)]
        public: bool,
    },
    List {
        namespace: Option<String>,
    },
    SetVisibility {
        repository: String,
        #[arg(value_parser = ["public", "private"])]
        visibility: String,
    },
    Delete {
        repository: String,
    },
    /// Puts a repository in a state: `normal` takes pushes, `read-only` takes none, `mirror` takes
    /// them from its mirror robot only (needs FEATURE_REPO_MIRROR).
    State {
        repository: String,
        #[arg(value_parser = ["normal", "read-only", "mirror"])]
        state: String,
    },
    /// Restores a tag from the time machine (to the manifest it pointed to before, or --digest).
    RestoreTag {
        repository: String,
        tag: String,
        #[arg(long)]
        digest: Option<String>,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin { Ok((super::read_stdin_password()?, false)) } else { Ok((crate::util::random_token(24), true)) }
}

/// Prints rows as an aligned table, or as JSON.
fn print_table(json_out: bool, headers: &[&str], rows: Vec<Vec<String>>, value: serde_json::Value) {
    if json_out {
        println!("{value}");
        return;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.len());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    println!("{}", line(headers.iter().map(|h| h.to_uppercase()).collect()));
    for row in rows {
        println!("{}", line(row));
    }
}

/// `user delete` and `org delete`, each refusing the other kind.
fn done(json_out: bool, message: String, value: serde_json::Value) {
    if json_out {
        println!("{value}");
    } else {
        println!("{message}");
    }
}

pub async fn run(args: AdminArgs, source: &super::Source) -> anyhow::Result<()> {
    let (app, data_dir) = super::open_for_command(source).await?;
    let result = execute(&app, data_dir.as_deref(), source.json, args.command).await;
    app.db.close().await;
    result
}

/// A user (`ns`) or organization, or one of its repositories (`ns/repo`).
fn policy_owner(target: &str) -> PolicyOwner<'_> {
    if target.contains('/') { PolicyOwner::Repository(target) } else { PolicyOwner::Namespace(Owner::Named(target)) }
}

async fn execute(app: &App, data_dir: Option<&std::path::Path>, j: bool, command: AdminCommand) -> anyhow::Result<()> {
    // The operator on the host: every change is theirs, recorded with no performer.
    let actor = &Actor::system();
    match command {
        AdminCommand::User { command } => match command {
            UserCommand::Create { name, email, password_stdin } => {
                let (password, generated) = read_password(password_stdin)?;
                users::create(app, actor, &name, email.as_deref(), &password).await?;
                let mut value = json!({"username": name});
                if generated {
                    value["password"] = json!(password);
                }
                let msg = if generated {
                    format!("created user `{name}` with password: {password}")
                } else {
                    format!("created user `{name}`")
                };
                done(j, msg, value);
            }
            UserCommand::List => {
                let users = users::list(app, actor, false).await?;
                let rows =
                    users.iter().map(|u| vec![u.username.clone(), u.email.clone(), u.enabled.to_string()]).collect();
                print_table(j, &["username", "email", "enabled"], rows, json!(users));
            }
            UserCommand::Disable { name } => {
                let change = users::Change { enabled: Some(false), ..Default::default() };
                users::change(app, actor, &name, &change).await?;
                done(j, format!("disabled `{name}`"), json!({"username": name, "enabled": false}));
            }
            UserCommand::Enable { name } => {
                let change = users::Change { enabled: Some(true), ..Default::default() };
                users::change(app, actor, &name, &change).await?;
                done(j, format!("enabled `{name}`"), json!({"username": name, "enabled": true}));
            }
            UserCommand::Delete { name } => {
                users::delete(app, actor, &name).await?;
                done(
                    j,
                    format!("deleted user `{name}`; its content goes with the next collection"),
                    json!({"username": name}),
                );
            }
            UserCommand::SetPassword { name, password_stdin } => {
                let (password, generated) = read_password(password_stdin)?;
                let change = users::Change { password: Some(&password), ..Default::default() };
                users::change(app, actor, &name, &change).await?;
                // The first superuser's generated password is kept in the data dir: keep it true.
                if let Some(file) = data_dir.map(|d| d.join("auth/admin-password")).filter(|f| f.exists())
                    && name == super::serve::FIRST_SUPERUSER
                {
                    crate::util::write_private_file(&file, format!("{password}\n").as_bytes())?;
                }
                let mut value = json!({"username": name});
                if generated {
                    value["password"] = json!(password);
                }
                let msg = if generated {
                    format!("new password for `{name}`: {password}")
                } else {
                    format!("password of `{name}` changed")
                };
                done(j, msg, value);
            }
            UserCommand::AppToken { name, title, expires_in_days } => {
                let token = tokens::create(app, actor, Some(&name), &title, expires_in_days).await?;
                let code = token.code.unwrap_or_default();
                let msg = format!("app token `{title}` for `{name}` (sign in as `$app`): {code}");
                done(j, msg, json!({"username": name, "title": title, "token": code}));
            }
        },
        AdminCommand::Org { command } => match command {
            OrgCommand::Create { name, admin } => {
                organizations::create(app, actor, &name, None, admin.as_deref()).await?;
                done(j, format!("created organization `{name}`"), json!({"name": name, "admin": admin}));
            }
            OrgCommand::List => {
                let orgs = users::list(app, actor, true).await?;
                let rows = orgs.iter().map(|o| vec![o.username.clone(), o.enabled.to_string()]).collect();
                print_table(j, &["name", "enabled"], rows, json!(orgs));
            }
            OrgCommand::Delete { name } => {
                organizations::delete(app, actor, &name).await?;
                let msg = format!("deleted organization `{name}`; its content goes with the next collection");
                done(j, msg, json!({"name": name}));
            }
        },
        AdminCommand::Team { command } => match command {
            TeamCommand::Create { org, team, role } => {
                teams::create(app, actor, &org, &team, &role).await?;
                done(
                    j,
                    format!("created team `{team}` ({role}) in `{org}`"),
                    json!({"org": org, "team": team, "role": role}),
                );
            }
            TeamCommand::AddMember { org, team, member } => {
                teams::add_member(app, actor, &org, &team, &member).await?;
                done(
                    j,
                    format!("added `{member}` to `{org}/{team}`"),
                    json!({"org": org, "team": team, "member": member}),
                );
            }
            TeamCommand::RemoveMember { org, team, member } => {
                teams::remove_member(app, actor, &org, &team, &member).await?;
                done(
                    j,
                    format!("removed `{member}` from `{org}/{team}`"),
                    json!({"org": org, "team": team, "member": member}),
                );
            }
        },
        AdminCommand::Robot { command } => match command {
            RobotCommand::Create { namespace, name, description } => {
                let robot = robots::create(app, actor, Owner::Named(&namespace), &name, &description).await?;
                let (full, token) = (robot.view.name, robot.token.unwrap_or_default());
                done(j, format!("created robot `{full}` with token: {token}"), json!({"name": full, "token": token}));
            }
            RobotCommand::List { namespace } => {
                let robots = robots::list(app, actor, Owner::Named(&namespace), false, false).await?;
                let rows = robots.iter().map(|r| vec![r.view.name.clone(), r.view.description.clone()]).collect();
                let value: Vec<serde_json::Value> =
                    robots.iter().map(|r| json!({"name": r.view.name, "description": r.view.description})).collect();
                print_table(j, &["name", "description"], rows, json!(value));
            }
            RobotCommand::Rotate { robot } => {
                let (namespace, short) = robots::split_name(&robot)?;
                let rotated = robots::regenerate(app, actor, Owner::Named(namespace), short).await?;
                let token = rotated.token.unwrap_or_default();
                done(j, format!("new token for `{robot}`: {token}"), json!({"name": robot, "token": token}));
            }
            RobotCommand::Delete { robot } => {
                let (namespace, short) = robots::split_name(&robot)?;
                robots::delete(app, actor, Owner::Named(namespace), short).await?;
                done(j, format!("deleted robot `{robot}`"), json!({"name": robot}));
            }
        },
        AdminCommand::Perm { command } => match command {
            PermCommand::Grant { repository, who, role } => {
                permissions::grant(app, actor, &repository, who.grantee(), &role).await?;
                let target = who.user.clone().or(who.team.clone()).unwrap_or_default();
                done(
                    j,
                    format!("granted {role} on `{repository}` to `{target}`"),
                    json!({"repository": repository, "user": who.user, "team": who.team, "role": role}),
                );
            }
            PermCommand::Revoke { repository, who } => {
                permissions::revoke(app, actor, &repository, who.grantee()).await?;
                let target = who.user.clone().or(who.team.clone()).unwrap_or_default();
                done(
                    j,
                    format!("revoked `{target}` on `{repository}`"),
                    json!({"repository": repository, "user": who.user, "team": who.team}),
                );
            }
        },
        AdminCommand::Proto { command } => match command {
            ProtoCommand::List { org } => {
                let list = crate::accounts::prototypes::list(app, actor, &org).await?;
                let name = |p: &Option<(String, bool, String)>| p.as_ref().map(|(n, _, _)| n.clone());
                let rows = list
                    .iter()
                    .map(|p| {
                        let delegate =
                            name(&p.delegate_user).or_else(|| p.delegate_team.clone().map(|t| format!("team {t}")));
                        vec![
                            p.uuid.clone(),
                            p.role.clone(),
                            delegate.unwrap_or_default(),
                            name(&p.activating_user).unwrap_or_else(|| "anyone".into()),
                        ]
                    })
                    .collect();
                let value: Vec<serde_json::Value> = list
                    .iter()
                    .map(|p| {
                        json!({"id": p.uuid, "role": p.role, "user": name(&p.delegate_user), "team": p.delegate_team,
                               "creator": name(&p.activating_user)})
                    })
                    .collect();
                print_table(j, &["id", "role", "grantee", "creator"], rows, json!(value));
            }
            ProtoCommand::Create { org, user, team, role, creator } => {
                let delegate = match (&user, &team) {
                    (Some(u), _) => crate::accounts::prototypes::Delegate::User(u),
                    (None, Some(t)) => crate::accounts::prototypes::Delegate::Team(t),
                    (None, None) => anyhow::bail!("pass --user or --team"),
                };
                let p =
                    crate::accounts::prototypes::create(app, actor, &org, delegate, &role, creator.as_deref()).await?;
                let msg = format!("default permission {} created: {role} on new repositories of `{org}`", p.uuid);
                done(
                    j,
                    msg,
                    json!({"id": p.uuid, "org": org, "role": role, "user": user, "team": team, "creator": creator}),
                );
            }
            ProtoCommand::Delete { org, id } => {
                crate::accounts::prototypes::delete(app, actor, &org, &id).await?;
                done(j, format!("default permission {id} deleted"), json!({"id": id, "org": org}));
            }
        },
        AdminCommand::Repo { command } => match command {
            RepoCommand::Create { repository, public } => {
                let (namespace, name) = repository
                    .split_once('/')
                    .with_context(|| format!("`{repository}` is not a repository name (namespace/name)"))?;
                repositories::create(app, actor, Some(namespace), name, public, None).await?;
                done(
                    j,
                    format!("created repository `{repository}`"),
                    json!({"repository": repository, "public": public}),
                );
            }
            RepoCommand::List { namespace } => {
                let repos = repositories::listing(app, namespace.as_deref()).await?;
                let rows = repos
                    .iter()
                    .map(|r| {
                        vec![
                            format!("{}/{}", r.namespace, r.name),
                            if r.public { "public" } else { "private" }.to_owned(),
                        ]
                    })
                    .collect();
                print_table(j, &["repository", "visibility"], rows, json!(repos));
            }
            RepoCommand::SetVisibility { repository, visibility } => {
                repositories::set_visibility(app, actor, &repository, visibility == "public").await?;
                done(
                    j,
                    format!("`{repository}` is now {visibility}"),
                    json!({"repository": repository, "visibility": visibility}),
                );
            }
            RepoCommand::Delete { repository } => {
                repositories::delete(app, actor, &repository).await?;
                done(j, format!("deleted repository `{repository}`"), json!({"repository": repository}));
            }
            RepoCommand::State { repository, state } => {
                let parsed = repositories::State::parse(&state)
                    .with_context(|| format!("`{state}` is not a repository state (normal, read-only, mirror)"))?;
                repositories::set_state(app, actor, &repository, parsed).await?;
                done(j, format!("`{repository}` is now {state}"), json!({"repository": repository, "state": state}));
            }
            RepoCommand::RestoreTag { repository, tag, digest } => {
                let restored = tags::restore(app, actor, &repository, &tag, digest.as_deref()).await?;
                done(
                    j,
                    format!("restored `{repository}:{tag}` to {restored}"),
                    json!({"repository": repository, "tag": tag, "manifest_digest": restored}),
                );
            }
        },
        AdminCommand::Quota { command } => quota(app, actor, j, command).await?,
        AdminCommand::Autoprune { command } => autoprune(app, actor, j, command).await?,
        AdminCommand::Mirror { command } => super::mirror::run(app, j, command).await?,
        AdminCommand::Proxycache { command } => super::proxycache::run(app, j, command).await?,
    }
    Ok(())
}

async fn autoprune(app: &App, actor: &Actor, j: bool, command: AutopruneCommand) -> anyhow::Result<()> {
    match command {
        AutopruneCommand::Add { target, method, value, tag_pattern, not_matching } => {
            let value = json!(value);
            let rule = Rule {
                method: &method,
                value: &value,
                tag_pattern: tag_pattern.as_deref(),
                tag_pattern_matches: !not_matching,
            };
            let policy = policies::create(app, actor, policy_owner(&target), &rule).await?;
            done(j, format!("added autoprune policy {} to `{target}`", policy.uuid), json!({"uuid": policy.uuid}));
        }
        AutopruneCommand::List { namespace } => {
            let list = policies::all(app, actor, namespace.as_deref()).await?;
            let rows: Vec<serde_json::Value> = list
                .iter()
                .map(|p| {
                    let (method, value) = match &p.method {
                        Method::NumberOfTags(n) => ("number_of_tags", json!(n)),
                        Method::CreationDate(d) => ("creation_date", json!(d)),
                    };
                    json!({"uuid": p.uuid, "namespace_id": p.namespace_id, "repository_id": p.repository_id,
                           "method": method, "value": value, "tag_pattern": p.tag_pattern,
                           "tag_pattern_matches": p.tag_pattern_matches})
                })
                .collect();
            if j {
                println!("{}", serde_json::Value::from(rows));
            } else {
                for r in rows {
                    println!("{} {} {} {}", r["uuid"], r["method"], r["value"], r["tag_pattern"]);
                }
            }
        }
        AutopruneCommand::Remove { uuid } => {
            policies::delete_any(app, actor, &uuid).await?;
            done(j, format!("removed autoprune policy {uuid}"), json!({"uuid": uuid}));
        }
    }
    Ok(())
}

async fn quota(app: &App, actor: &Actor, j: bool, command: QuotaCommand) -> anyhow::Result<()> {
    match command {
        QuotaCommand::Set { namespace, limit, reject, warning } => {
            let bytes = crate::config::parse_size(&limit).context("--limit")?;
            quotas::set(app, actor, &namespace, bytes as i64, reject, warning).await?;
            done(
                j,
                format!("quota of `{namespace}`: {bytes} bytes, reject at {reject}%"),
                json!({"namespace": namespace, "limit_bytes": bytes, "reject_percent": reject, "warning_percent": warning}),
            );
        }
        QuotaCommand::Show { namespace } => {
            let usage = quotas::usage(app, actor, &namespace).await?;
            let (q, used) = (usage.quota, usage.used_bytes);
            let limit = q.as_ref().map(|q| q.limit_bytes);
            done(
                j,
                match limit {
                    Some(l) => format!("`{namespace}` holds {used} of {l} bytes"),
                    None => format!("`{namespace}` holds {used} bytes (no quota)"),
                },
                json!({
                    "namespace": namespace,
                    "used_bytes": used,
                    "limit_bytes": limit,
                    "reject_bytes": q.as_ref().and_then(|q| q.reject_bytes),
                    "warning_bytes": q.as_ref().and_then(|q| q.warning_bytes),
                }),
            );
        }
        QuotaCommand::Remove { namespace } => {
            quotas::remove(app, actor, &namespace).await?;
            done(j, format!("removed the quota of `{namespace}`"), json!({"namespace": namespace}));
        }
    }
    Ok(())
}
