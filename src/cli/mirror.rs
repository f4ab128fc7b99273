//! `quay admin mirror`: repository mirrors from the command line (the same domain calls as
//! `/api/v1/repository/{repo}/mirror`), as the operator (the system actor).

use anyhow::Context as _;
use clap::Subcommand;
use serde_json::json;

use crate::accounts::{Owner, robots};
use crate::app::App;
use crate::auth::Actor;
use crate::registry::mirror::{self, MirrorInput, MirrorView};

#[derive(Subcommand)]
pub enum MirrorCommand {
    /// Mirrors HOST/PATH's tags matching the globs into NS/REPO (which is created if needed and
    /// put in the MIRROR state); the first sync starts at the next poll.
    Create {
        repository: String,
        /// The upstream repository: `HOST[:PORT]/PATH`.
        #[arg(long = "from")]
        from: String,
        /// Tag globs, comma-separated (`*`, `?`, `[...]`, as Python's fnmatch).
        #[arg(long, value_delimiter = ',', required = true)]
        tags: Vec<String>,
        /// Only these architectures of multi-architecture images (amd64, arm64, ppc64le, s390x).
        #[arg(long, value_delimiter = ',')]
        arch: Vec<String>,
        /// Seconds between syncs (0: only on `sync-now`).
        #[arg(long, default_value_t = 86400)]
        interval: i64,
        /// The robot the mirror writes as (`NAME` or `NS+NAME`); default `NS+mirror`, made if missing.
        #[arg(long)]
        robot: Option<String>,
        /// A username for the upstream; the password is read from standard input.
        #[arg(long, requires = "password_stdin")]
        username: Option<String>,
        #[arg(long, requires = "username")]
        password_stdin: bool,
        /// Reach the upstream without verifying its certificate, or over plain HTTP.
        #[arg(long)]
        no_tls_verify: bool,
        /// Create the mirror disabled (it syncs only on `sync-now`).
        #[arg(long)]
        disabled: bool,
    },
    /// Every mirror with its status.
    List,
    /// One mirror's settings and status.
    Show { repository: String },
    /// Syncs at the next poll.
    SyncNow { repository: String },
    /// Stops a running sync before its next tag, or a requested one.
    Cancel { repository: String },
    /// Removes the mirror; the repository keeps its tags and takes pushes again.
    Delete { repository: String },
}

fn show(view: &MirrorView) -> String {
    let rule = view.root_rule["rule_value"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(","));
    let archs = if view.architecture_filter.is_empty() { "all".to_owned() } else { view.architecture_filter.join(",") };
    format!(
        "repository:     {}\nupstream:       {}\ntags:           {}\narchitectures:  {archs}\nrobot:          {}\n\
         enabled:        {}\ninterval:       {} s\nstatus:         {}\nnext sync:      {}\nretries left:   {}\n\
         running until:  {}",
        view.repository,
        view.external_reference,
        rule.unwrap_or_default(),
        view.robot_username,
        view.is_enabled,
        view.sync_interval,
        view.sync_status,
        view.sync_start_date.as_deref().unwrap_or("on request"),
        view.sync_retries_remaining,
        view.sync_expiration_date.as_deref().unwrap_or("-"),
    )
}

pub async fn run(app: &App, json_out: bool, command: MirrorCommand) -> anyhow::Result<()> {
    let actor = &Actor::system();
    let print = |message: String, value: serde_json::Value| {
        if json_out {
            println!("{value}");
        } else {
            println!("{message}");
        }
    };
    match command {
        MirrorCommand::Create {
            repository,
            from,
            tags,
            arch,
            interval,
            robot,
            username,
            password_stdin,
            no_tls_verify,
            disabled,
        } => {
            let (namespace, name) = repository
                .split_once('/')
                .with_context(|| format!("`{repository}` is not a repository name (namespace/name)"))?;
            if crate::registry::find_repository(app, &crate::oci::RepositoryName::parse(&repository, None)?)
                .await?
                .is_none()
            {
                crate::registry::repositories::create(app, actor, Some(namespace), name, false, None).await?;
            }
            let robot = match robot {
                Some(r) if r.contains('+') => r,
                Some(short) => format!("{namespace}+{short}"),
                None => {
                    let full = format!("{namespace}+mirror");
                    if robots::get(app, actor, Owner::Named(namespace), "mirror").await.is_err() {
                        robots::create(app, actor, Owner::Named(namespace), "mirror", "writes the repository mirrors")
                            .await?;
                    }
                    full
                }
            };
            let password = if password_stdin { Some(super::read_stdin_password()?) } else { None };
            let input = MirrorInput {
                is_enabled: Some(!disabled),
                external_reference: Some(from.clone()),
                username: username.map(Some),
                password: password.map(Some),
                registry_config: Some(json!({"verify_tls": !no_tls_verify})),
                sync_interval: Some(interval),
                sync_start_date: Some(crate::util::now_naive()),
                tags: Some(tags),
                architecture_filter: Some(arch),
                robot_username: Some(robot),
                skopeo_timeout: None,
            };
            mirror::create(app, actor, &repository, &input).await?;
            let view = mirror::get(app, actor, &repository).await?;
            print(
                format!(
                    "`{repository}` now mirrors {from}; the first sync starts within {} s",
                    app.config.repo_mirror_interval
                ),
                json!(view),
            );
        }
        MirrorCommand::List => {
            let views = mirror::list(app, actor).await?;
            if json_out {
                println!(
                    "{}",
                    json!(
                        views
                            .iter()
                            .map(|v| {
                                let mut value = json!(v);
                                value["repository"] = json!(v.repository);
                                value
                            })
                            .collect::<Vec<_>>()
                    )
                );
            } else {
                println!("{:<32} {:<40} {:<10} NEXT SYNC", "REPOSITORY", "UPSTREAM", "STATUS");
                for v in views {
                    println!(
                        "{:<32} {:<40} {:<10} {}",
                        v.repository,
                        v.external_reference,
                        v.sync_status,
                        v.sync_start_date.as_deref().unwrap_or("on request")
                    );
                }
            }
        }
        MirrorCommand::Show { repository } => {
            let view = mirror::get(app, actor, &repository).await?;
            let progress = mirror::progress(app, actor, &repository).await?;
            let mut value = json!(view);
            value["repository"] = json!(view.repository);
            value["progress"] = json!(progress);
            let mut text = show(&view);
            if let Some(p) = progress {
                let what = if p.finished.is_some() { "last sync" } else { "progress" };
                text.push_str(&format!(
                    "\n{what}:{:pad$}{}/{} tags, {} downloaded, started {}{}",
                    "",
                    p.tags_done,
                    p.tags_total,
                    indicatif::HumanBytes(p.bytes),
                    p.started,
                    p.tag.map(|t| format!(", copying {t}")).unwrap_or_default(),
                    pad = 16 - what.len() - 1,
                ));
            }
            print(text, value);
        }
        MirrorCommand::SyncNow { repository } => {
            mirror::sync_now(app, actor, &repository).await.map_err(|e| match e {
                crate::registry::RegistryError::NameUnknown => {
                    anyhow::anyhow!("`{repository}` has no mirror, or its sync is running now")
                }
                other => other.into(),
            })?;
            print(
                format!("`{repository}` syncs within {} s", app.config.repo_mirror_interval),
                json!({"repository": repository, "sync_status": "SYNC_NOW"}),
            );
        }
        MirrorCommand::Cancel { repository } => {
            mirror::cancel(app, actor, &repository).await.map_err(|e| match e {
                crate::registry::RegistryError::NameUnknown => {
                    anyhow::anyhow!("`{repository}` has no sync running or requested")
                }
                other => other.into(),
            })?;
            print(
                format!("cancelled the sync of `{repository}`"),
                json!({"repository": repository, "sync_status": "CANCEL"}),
            );
        }
        MirrorCommand::Delete { repository } => {
            mirror::delete(app, actor, &repository).await?;
            print(format!("`{repository}` is no longer a mirror"), json!({"repository": repository}));
        }
    }
    Ok(())
}
