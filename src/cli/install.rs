//! `quay install` and `quay uninstall`: the appliance as a Quadlet unit with its data dir, TLS,
//! first superuser and install record (`appliance`), after a preflight that finds every problem
//! before anything changes. Calls to podman, systemctl and loginctl go through `appliance::run`.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::Args;

use super::{Create, Source, init_logging, load};
use crate::appliance::{self, Record};

/// The image a unit runs when none is given.
pub(super) const DEFAULT_IMAGE: &str = concat!("localhost/quay:", env!("CARGO_PKG_VERSION"));

#[derive(Args)]
pub struct InstallArgs {
    /// What to install: `mirror` (SQLite and local disk), `standalone` (PostgreSQL: the one of
    /// --config, else a PostgreSQL container beside the registry; blobs on local disk or as
    /// --config says), `full` (--config's PostgreSQL and object storage; the registry serves and a
    /// worker unit runs the background jobs).
    #[arg(long, default_value = "mirror", value_parser = ["mirror", "standalone", "full"])]
    preset: String,
    /// The PostgreSQL image of `standalone` without --config.
    #[arg(long, default_value = appliance::DEFAULT_POSTGRES_IMAGE)]
    postgres_image: String,
    /// The name clients use (`HOST[:PORT]`, port 8443 when left out); default: this host's name.
    #[arg(long)]
    hostname: Option<String>,
    /// Where the registry's port is published.
    #[arg(long, default_value = "[::]:8443")]
    listen: String,
    /// The image the unit runs.
    #[arg(long, default_value = DEFAULT_IMAGE, conflicts_with = "image_archive")]
    image: String,
    /// An image archive to load with `podman load` (an air-gapped host pulls nothing); the unit
    /// runs the image it holds.
    #[arg(long)]
    image_archive: Option<PathBuf>,
    /// The operator's own certificate (PEM chain) for the hostname; kept as is and never
    /// rewritten (default: one from a local CA made for this install).
    #[arg(long, requires = "ssl_key")]
    ssl_cert: Option<PathBuf>,
    /// The key of --ssl-cert.
    #[arg(long, requires = "ssl_cert")]
    ssl_key: Option<PathBuf>,
    /// Accept an --ssl-cert that does not name the hostname.
    #[arg(long)]
    ssl_skip_hostname_verification: bool,
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
    /// Where the unit is (default: where the install wrote it).
    #[arg(long)]
    unit_dir: Option<PathBuf>,
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

impl InstallArgs {
    /// The install `quay migrate omr --install` makes of the data dir it migrated: the mirror
    /// preset at the hostname given, the port published where told (default: the hostname's).
    pub(super) fn for_migrated(
        hostname: &str,
        listen: Option<String>,
        image: Option<String>,
        image_archive: Option<PathBuf>,
        rootless: bool,
        unit_dir: Option<PathBuf>,
        no_start: bool,
    ) -> InstallArgs {
        let port = hostname
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse::<u16>().ok())
            .filter(|_| !hostname.ends_with(']'))
            .unwrap_or(8443);
        InstallArgs {
            preset: "mirror".into(),
            postgres_image: appliance::DEFAULT_POSTGRES_IMAGE.into(),
            hostname: Some(hostname.to_owned()),
            listen: listen.unwrap_or_else(|| format!("[::]:{port}")),
            image: image.unwrap_or_else(|| DEFAULT_IMAGE.to_owned()),
            image_archive,
            ssl_cert: None,
            ssl_key: None,
            ssl_skip_hostname_verification: false,
            init_user: "admin".into(),
            password_stdin: false,
            rootless,
            unit_dir,
            no_start,
        }
    }
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
    // `--config` is the configuration to install (`standalone`, `full`), not a data dir.
    let given_config = match &source.config {
        Some(path) if args.preset == "mirror" => bail!(
            "the mirror preset runs on SQLite and local disk and takes no --config ({}); pass --preset standalone \
             or --preset full",
            path.display()
        ),
        Some(path) => Some(read_given_config(path, &args.preset)?),
        None if args.preset == "full" => bail!(
            "the full preset needs --config FILE naming its PostgreSQL and object storage (presets/full.yaml shows \
             the keys)"
        ),
        None => None,
    };
    // `standalone` without a database of the operator's runs its own PostgreSQL container.
    let postgres_image = (args.preset == "standalone" && given_config.is_none()).then(|| args.postgres_image.clone());
    let listen: std::net::SocketAddr =
        args.listen.parse().with_context(|| format!("--listen {}: not an ADDRESS:PORT", args.listen))?;
    let data_dir = source.data_dir.clone().unwrap_or_else(|| appliance::default_data_dir(args.rootless));
    let data_dir = std::path::absolute(&data_dir)?;
    if args.no_start && args.image_archive.is_some() {
        bail!("--image-archive is loaded with podman, which --no-start never calls; `podman load` it and pass --image");
    }

    // Every problem is found and told before anything changes.
    let mut preflight = appliance::Preflight::run(&data_dir, args.rootless, !args.no_start);
    let hostname = match args.hostname {
        // Clients reach the published port: it goes with a name given without one.
        Some(h) if crate::tls::host_of(&h) == h.trim_start_matches('[').trim_end_matches(']') => {
            format!("{h}:{}", listen.port())
        }
        Some(h) => h,
        None => {
            let host = crate::util::hostname();
            if !host.contains('.') {
                preflight.problems.push(format!(
                    "this host's name `{host}` is not a fully qualified name; pass --hostname (a name or an IP address)"
                ));
            }
            format!("{host}:{}", listen.port())
        }
    };
    if let Err(e) = std::net::TcpListener::bind(listen) {
        preflight.problems.push(format!("{listen} is taken ({e}); pass another --listen"));
    }
    if let (Some(cert), Some(key)) = (&args.ssl_cert, &args.ssl_key) {
        let given =
            crate::tls::TlsFiles { cert: cert.clone(), key: key.clone(), ..crate::tls::TlsFiles::in_dir(&data_dir) };
        let names = if args.ssl_skip_hostname_verification {
            Vec::new()
        } else {
            vec![crate::tls::host_of(&hostname).to_owned()]
        };
        preflight.problems.extend(crate::tls::problems(&given, &names).into_iter().map(|p| {
            if p.contains("does not hold the name") {
                format!("{p} (or pass --ssl-skip-hostname-verification)")
            } else {
                p
            }
        }));
        if data_dir.join("ssl.generated").exists() {
            preflight.problems.push(format!(
                "{} holds a certificate quay made; remove its ssl.* files to use your own",
                data_dir.display()
            ));
        }
    }
    if let Some((_, config)) = &given_config {
        if data_dir.join("config.yaml").exists() {
            preflight.problems.push(format!(
                "{} already holds a config.yaml; install --config on a new data dir, or leave --config out to keep it",
                data_dir.display()
            ));
        }
        if let Err(e) = crate::app::App::probe_database(config).await {
            preflight.problems.push(format!("{e:#}"));
        }
    }
    preflight.verdict()?;
    if !preflight.skipped.is_empty() {
        println!("preflight: skipped with --no-start: {}", preflight.skipped.join(", "));
    }
    let password = if args.password_stdin { Some(super::new_stdin_password()?) } else { None };
    let image = match &args.image_archive {
        Some(archive) => appliance::load_image(archive)?,
        None => args.image.clone(),
    };

    // The data dir, as `quay serve` would make it on a first start: config, database, keys, TLS,
    // the first superuser.
    if let Some((text, _)) = &given_config {
        crate::util::create_private_dir(&data_dir)?;
        crate::util::write_private_file(&data_dir.join("config.yaml"), text.as_bytes())?;
    }
    let dir_source = Source { config: None, data_dir: Some(data_dir.clone()), json: source.json };
    let (mut loaded, _) = load(&dir_source, &hostname, Create::Allowed)?;
    init_logging(loaded.config.log_format);
    if loaded.config.server_hostname != hostname {
        loaded.set_key("SERVER_HOSTNAME", &hostname)?;
    }
    loaded.ensure_secrets()?;
    if let (Some(cert), Some(key)) = (&args.ssl_cert, &args.ssl_key) {
        let pem = std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display()))?;
        crate::util::write_file(&data_dir.join("ssl.cert"), &pem, 0o644)?;
        let pem = std::fs::read(key).with_context(|| format!("cannot read {}", key.display()))?;
        crate::util::write_private_file(&data_dir.join("ssl.key"), &pem)?;
    }
    let names = crate::tls::certificate_names(&hostname, Some(listen.ip()));
    crate::tls::ensure(&loaded.tls_files(), &names)?;
    // A data dir that has its users (installed again, or migrated) gets no new superuser.
    let app = match postgres_image {
        Some(_) => None,
        None => Some(crate::app::App::open(&loaded).await?),
    };
    let has_users = match &app {
        Some(app) => crate::accounts::users::any(app).await?,
        None => false,
    };
    if has_users {
        if args.password_stdin {
            eprintln!("warning: {} already has its users; the password given is not used", data_dir.display());
        }
    } else {
        let password = match password {
            Some(p) => p,
            None => {
                let p = crate::util::random_token(24);
                crate::util::write_private_file(&data_dir.join("auth/admin-password"), format!("{p}\n").as_bytes())?;
                p
            }
        };
        if !loaded.config.is_superuser(&args.init_user) {
            super::init::add_superuser(&data_dir.join("config.yaml"), &args.init_user)?;
        }
        match &app {
            Some(app) => {
                crate::accounts::users::create(app, &crate::auth::Actor::system(), &args.init_user, None, &password)
                    .await?;
            }
            None => {
                // Its database runs in a container this host cannot reach before it starts: the
                // registry's first start creates the schema and the first superuser.
                super::serve::FirstSuperuser { name: args.init_user.clone(), password }.save(&data_dir)?;
            }
        }
    }
    if let Some(app) = app {
        app.db.close().await;
    }
    if postgres_image.is_some() {
        let db_password = crate::util::random_token(32);
        crate::util::write_private_file(
            &data_dir.join("postgres.env"),
            format!("POSTGRESQL_USER=quay\nPOSTGRESQL_PASSWORD={db_password}\nPOSTGRESQL_DATABASE=quay\n").as_bytes(),
        )?;
        loaded.set_key("DB_URI", &format!("postgresql://quay:{db_password}@quay-postgres:5432/quay"))?;
    }
    // The image runs as its own non-root user: rootful, the data dir is given to it (host commands
    // run as root act as the data dir's owner); rootless, the invoking user is mapped onto it.
    if !args.rootless {
        appliance::chown_tree(&data_dir, appliance::IMAGE_UID, appliance::IMAGE_GID)?;
    }

    let unit_dir = args.unit_dir.unwrap_or_else(|| appliance::default_unit_dir(args.rootless));
    let record = Record {
        preset: args.preset,
        hostname: hostname.clone(),
        listen: args.listen,
        data_dir: data_dir.clone(),
        image,
        unit_dir: unit_dir.clone(),
        rootless: args.rootless,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        // No `ssl.generated`: the operator's certificate (given now, or already in the data dir).
        custom_tls: !data_dir.join("ssl.generated").exists(),
        postgres_image,
    };
    record.write_units()?;
    record.write(&record_path)?;
    if args.no_start {
        println!(
            "installed (not started): unit {}, data {}",
            unit_dir.join(appliance::UNIT_FILE).display(),
            data_dir.display()
        );
    } else {
        if args.rootless {
            appliance::ensure_linger()?;
        }
        appliance::start(&record)?;
        println!("installed and started: https://{hostname}");
    }
    if !record.custom_tls {
        println!("trust the registry's CA: quay tls show --ca --data-dir {}", data_dir.display());
    }
    Ok(())
}

pub(super) fn uninstall(args: UninstallArgs, source: &Source) -> anyhow::Result<()> {
    let record_path = appliance::record_path(args.rootless);
    let Some(mut record) = Record::read(&record_path)? else {
        bail!("quay is not installed here (no {})", record_path.display());
    };
    if let Some(dir) = args.unit_dir {
        record.unit_dir = dir;
    }
    if let Some(dir) = &source.data_dir {
        record.data_dir = std::path::absolute(dir)?;
    }
    // Only a quay data dir is ever deleted: its config.yaml says so.
    if args.purge && !record.data_dir.join("config.yaml").is_file() {
        bail!(
            "{} holds no config.yaml: not a quay data dir, so --purge deletes nothing; remove it yourself if you mean to",
            record.data_dir.display()
        );
    }
    if args.purge && !args.yes {
        eprint!("delete {} with every image in it? type `yes`: ", record.data_dir.display());
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            bail!("nothing removed (answer `yes`, or pass --yes)");
        }
    }
    if !args.no_start {
        appliance::stop(&record)?;
    }
    record.remove_units()?;
    if !args.no_start {
        appliance::systemctl(record.rootless, &["daemon-reload"])?;
        if args.purge && record.postgres_image.is_some() {
            appliance::run("podman", &["volume", "rm", "--force", "quay-postgres"])?;
        }
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

/// The configuration `--config` gives to a `standalone` or `full` install, checked: its text (copied
/// into the data dir) and what it says.
fn read_given_config(path: &std::path::Path, preset: &str) -> anyhow::Result<(String, crate::config::Config)> {
    let loaded = crate::config::LoadedConfig::from_path(path)?;
    if !matches!(loaded.config.database()?, crate::config::DatabaseUri::Postgres(_)) {
        bail!(
            "{}: the {preset} preset runs on PostgreSQL, and DB_URI names another database; the mirror preset runs \
             on SQLite",
            loaded.file.display()
        );
    }
    if preset == "full"
        && let (name, crate::config::StorageDriver::Local { .. }) = loaded.config.storage()?
    {
        bail!(
            "{}: storage `{name}` is local disk, which the several nodes of the full preset cannot share; use object \
             storage (S3Storage, ...), or the standalone preset",
            loaded.file.display()
        );
    }
    let text =
        std::fs::read_to_string(&loaded.file).with_context(|| format!("cannot read {}", loaded.file.display()))?;
    Ok((text, loaded.config))
}
