//! `quay admin proxycache`: proxy cache organizations from the command line (the same domain
//! calls as `/api/v1/organization/{org}/proxycache`), as the operator.

use clap::Subcommand;
use serde_json::json;

use crate::accounts::proxy_cache::{self, ProxyCacheInput};
use crate::app::App;
use crate::auth::Actor;

#[derive(Subcommand)]
pub enum ProxyCacheCommand {
    /// Makes ORG a pull-through cache of an upstream registry: `ORG/REPO` pulls fetch
    /// `HOST[/NS]/REPO` on first request and are served locally afterwards.
    Set {
        org: String,
        /// `HOST[:PORT][/NAMESPACE]` (`docker.io/library` for Docker Hub's official images).
        #[arg(long)]
        upstream: String,
        /// Seconds a cached tag lives after its last pull (0: forever).
        #[arg(long, default_value_t = 86400)]
        expiration: i64,
        /// Plain HTTP, or HTTPS without verifying the certificate.
        #[arg(long)]
        insecure: bool,
        /// A username for the upstream; the password is read from standard input.
        #[arg(long, requires = "password_stdin")]
        username: Option<String>,
        #[arg(long, requires = "username")]
        password_stdin: bool,
    },
    /// Shows ORG's proxy cache setting.
    Show { org: String },
    /// Stops ORG being a proxy cache; what it cached stays.
    Remove { org: String },
}

pub async fn run(app: &App, json_out: bool, command: ProxyCacheCommand) -> anyhow::Result<()> {
    let actor = &Actor::system();
    let print = |message: String, value: serde_json::Value| {
        if json_out {
            println!("{value}");
        } else {
            println!("{message}");
        }
    };
    match command {
        ProxyCacheCommand::Set { org, upstream, expiration, insecure, username, password_stdin } => {
            let password = if password_stdin { Some(super::read_stdin_password()?) } else { None };
            let input = ProxyCacheInput {
                upstream_registry: upstream.clone(),
                username,
                password,
                expiration_s: Some(expiration),
                insecure,
            };
            proxy_cache::set(app, actor, &org, &input).await?;
            print(
                format!("`{org}` now caches {upstream}: pull {org}/REPO to fetch {upstream}/REPO"),
                json!({"org": org, "upstream_registry": upstream, "expiration_s": expiration, "insecure": insecure}),
            );
        }
        ProxyCacheCommand::Show { org } => match proxy_cache::get(app, actor, &org).await? {
            Some(v) => print(
                format!(
                    "upstream:    {}\nexpiration:  {} s\ninsecure:    {}",
                    v.upstream_registry, v.expiration_s, v.insecure
                ),
                json!(v),
            ),
            None => print(format!("`{org}` is not a proxy cache"), json!(null)),
        },
        ProxyCacheCommand::Remove { org } => {
            proxy_cache::remove(app, actor, &org).await?;
            print(format!("`{org}` is no longer a proxy cache; what it cached stays"), json!({"org": org}));
        }
    }
    Ok(())
}
