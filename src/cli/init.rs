//! `quay init`: the database and a superuser, without serving.

use std::path::Path;

use anyhow::bail;
use clap::Args;

use super::{Create, Source, init_logging, load};
use crate::accounts::users;
use crate::app::App;
use crate::auth::Actor;

#[derive(Args)]
pub struct InitArgs {
    /// The superuser to create.
    #[arg(long)]
    user: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

pub(super) async fn init(args: InitArgs, source: &Source) -> anyhow::Result<()> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, data_dir) = load(source, &default_hostname, Create::Allowed)?;
    init_logging(loaded.config.log_format);
    App::probe_database(&loaded.config).await?;
    loaded.ensure_secrets()?;
    let app = App::open(&loaded).await?;
    let password = if args.password_stdin { Some(super::new_stdin_password()?) } else { None };
    if let Some(existing) = crate::accounts::find(&app, &args.user).await? {
        if let Some(p) = &password {
            let user =
                crate::auth::authenticate_password(crate::auth::Login::new(&app, None), &existing.username, p).await;
            if user.is_err() {
                bail!("user `{}` already exists with another password; it was not changed", args.user);
            }
        }
        println!("user `{}` already exists", args.user);
    } else {
        let generated = password.is_none();
        let password = password.unwrap_or_else(|| crate::util::random_token(24));
        users::create(&app, &Actor::system(), &args.user, None, &password).await?;
        println!("created user `{}`", args.user);
        if generated {
            println!("password: {password}");
        }
    }
    if !app.config.is_superuser(&args.user) {
        match data_dir {
            Some(dir) => add_superuser(&dir.join("config.yaml"), &args.user)?,
            None => eprintln!("warning: add `{}` to SUPER_USERS in your config.yaml to make it a superuser", args.user),
        }
    }
    app.db.close().await;
    Ok(())
}

/// Adds a name to `SUPER_USERS` in a config file this program generated.
pub(super) fn add_superuser(path: &Path, user: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut map: std::collections::BTreeMap<String, serde_json::Value> =
        serde_saphyr::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let list = map.entry("SUPER_USERS".to_owned()).or_insert_with(|| serde_json::json!([]));
    if let Some(a) = list.as_array_mut() {
        a.push(serde_json::json!(user));
    }
    let out = serde_saphyr::to_string(&map).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    crate::util::write_private_file(path, out.as_bytes())?;
    println!("made `{user}` a superuser in {}", path.display());
    Ok(())
}
