//! `quay install` and `quay uninstall`: the appliance as a Quadlet unit with its data dir, TLS,
//! first superuser and install record (`appliance`). Calls to systemctl go through
//! `appliance::run`.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::Args;

use super::{Create, Source, init_logging, load};
use crate::appliance::{self, Record};

/// The image a unit runs when none is given.
const DEFAULT_IMAGE: &str = concat!("localhost/quay:", env!("CARGO_PKG_VERSION"));

#[derive(Args)]
pub struct InstallArgs {
    /// What to install; `standalone` and `full` are not installable yet.
    #[arg(long, default_value = "mirror")]
    preset: String,
    /// The name clients use (`HOST[:PORT]`, port 8443 when left out); default: this host's name.
    #[arg(long)]
    hostname: Option<String>,
    /// Where the registry's port is published.
    #[arg(long, default_value = "[::]:8443")]
    listen: String,
    /// The image the unit runs.
    #[arg(long, default_value = DEFAULT_IMAGE)]
    image: String,
    /// The first superuser.
    #[arg(long, default_value = "admin")]
    init_user: String,
    /// Read its password from standard input (else one is generated and kept in
    /// `auth/admin-password`).
    #[arg(long)]
    password_stdin: bool,
    /// Run under the invoking user's systemd.
    #[arg(long)]
    rootless: bool,
    /// Where the unit is written.
    #[arg(long)]
    unit_dir: Option<PathBuf>,
    /// Write and check everything, start nothing.
    #[arg(long)]
    no_start: bool,
}

#[derive(Args)]
pub struct UninstallArgs {
    #[arg(long)]
    rootless: bool,
    /// Also delete the data dir (its database, blobs, keys and certificates).
    #[arg(long)]
    purge: bool,
    /// Do not ask before purging.
    #[arg(long)]
    yes: bool,
    /// Start and stop nothing.
    #[arg(long)]
    no_start: bool,
}

pub(super) async fn install(args: InstallArgs, source: &Source) -> anyhow::Result<()> {
    let record_path = appliance::record_path(args.rootless);
    if let Some(existing) = Record::read(&record_path)? {
        bail!(
            "quay is already installed ({}, data in {}); `quay uninstall` removes it and keeps the data, which \
             `quay install --data-dir` takes up again",
            record_path.display(),
            existing.data_dir.display()
        );
    }
    if args.preset != "mirror" {
        bail!(
            "the `{}` preset cannot be installed yet; install `mirror`, or run `quay serve` with --config",
            args.preset
        );
    }
    let listen: std::net::SocketAddr =
        args.listen.parse().with_context(|| format!("--listen {}: not an ADDRESS:PORT", args.listen))?;
    let hostname = match args.hostname {
        // Clients reach the published port: it goes with a name given without one.
        Some(h) if crate::tls::host_of(&h) == h.trim_start_matches('[').trim_end_matches(']') => {
            format!("{h}:{}", listen.port())
        }
        Some(h) => h,
        None => {
            let host = crate::util::hostname();
            if !host.contains('.') {
                bail!(
                    "this host's name `{host}` is not a fully qualified name; pass --hostname (a name or an IP address)"
                );
            }
            format!("{host}:{}", listen.port())
        }
    };
    // The port must be free on the host before anything is written.
    if !args.no_start {
        std::net::TcpListener::bind(listen).with_context(|| format!("{listen} is taken; pass another --listen"))?;
    }
    let data_dir = source.data_dir.clone().unwrap_or_else(|| appliance::default_data_dir(args.rootless));
    let data_dir = std::path::absolute(&data_dir)?;
    let password = if args.password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("cannot read the password from standard input")?;
        let s = s.trim_end_matches(['\n', '\r']).to_owned();
        if s.len() < 8 || s.chars().any(char::is_whitespace) {
            bail!("passwords need at least 8 characters and no whitespace");
        }
        Some(s)
    } else {
        None
    };

    // The data dir, as `quay serve` would make it on a first start: config, database, keys, TLS,
    // the first superuser.
    let dir_source = Source { config: None, data_dir: Some(data_dir.clone()), json: source.json };
    let (mut loaded, _) = load(&dir_source, &hostname, Create::Allowed)?;
    init_logging(loaded.config.log_format);
    if loaded.config.server_hostname != hostname {
        loaded.set_key("SERVER_HOSTNAME", &hostname)?;
    }
    loaded.ensure_secrets()?;
    let names = crate::tls::certificate_names(&hostname, Some(listen.ip()));
    crate::tls::ensure(&loaded.tls_files(), &names)?;
    let app = crate::app::App::open(&loaded).await?;
    let password = match password {
        Some(p) => p,
        None => {
            let p = crate::util::random_token(24);
            crate::util::write_private_file(&data_dir.join("auth/admin-password"), format!("{p}\n").as_bytes())?;
            p
        }
    };
    if crate::accounts::find(&app, &args.init_user).await?.is_none() {
        crate::accounts::users::create(&app, &crate::auth::Actor::system(), &args.init_user, None, &password).await?;
    }
    if !app.config.is_superuser(&args.init_user) {
        super::init::add_superuser(&data_dir.join("config.yaml"), &args.init_user)?;
    }
    app.db.close().await;

    let unit_dir = args.unit_dir.unwrap_or_else(|| appliance::default_unit_dir(args.rootless));
    let record = Record {
        preset: args.preset,
        hostname: hostname.clone(),
        listen: args.listen,
        data_dir: data_dir.clone(),
        image: args.image,
        unit_dir: unit_dir.clone(),
        rootless: args.rootless,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    crate::util::write_file(&unit_dir.join(appliance::UNIT_FILE), record.unit().as_bytes(), 0o644)?;
    record.write(&record_path)?;
    if args.no_start {
        println!(
            "installed (not started): unit {}, data {}",
            unit_dir.join(appliance::UNIT_FILE).display(),
            data_dir.display()
        );
    } else {
        if args.rootless {
            let user = std::env::var("USER").unwrap_or_default();
            appliance::run("loginctl", &["enable-linger", &user])?;
        }
        appliance::systemctl(args.rootless, &["daemon-reload"])?;
        appliance::systemctl(args.rootless, &["start", appliance::SERVICE])?;
        println!("installed and started: https://{hostname}");
    }
    println!("trust the registry's CA: quay tls show --ca --data-dir {}", data_dir.display());
    Ok(())
}

pub(super) fn uninstall(args: UninstallArgs) -> anyhow::Result<()> {
    let record_path = appliance::record_path(args.rootless);
    let Some(record) = Record::read(&record_path)? else {
        bail!("quay is not installed here (no {})", record_path.display());
    };
    if args.purge && !args.yes {
        eprint!("delete {} with every image in it? type `yes`: ", record.data_dir.display());
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            bail!("nothing removed (answer `yes`, or pass --yes)");
        }
    }
    if !args.no_start {
        appliance::systemctl(record.rootless, &["stop", appliance::SERVICE])?;
    }
    let unit = record.unit_dir.join(appliance::UNIT_FILE);
    match std::fs::remove_file(&unit) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove {}", unit.display()));
        }
        _ => {}
    }
    if !args.no_start {
        appliance::systemctl(record.rootless, &["daemon-reload"])?;
    }
    std::fs::remove_file(&record_path).with_context(|| format!("cannot remove {}", record_path.display()))?;
    if args.purge {
        std::fs::remove_dir_all(&record.data_dir)
            .with_context(|| format!("cannot remove {}", record.data_dir.display()))?;
        println!("uninstalled; removed {}", record.data_dir.display());
    } else {
        println!(
            "uninstalled; the data stays in {} (`quay install --data-dir` takes it up again)",
            record.data_dir.display()
        );
    }
    Ok(())
}
