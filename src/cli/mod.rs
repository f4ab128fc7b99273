//! The command line: `quay serve`, `quay init`, `quay admin`, `quay config validate`, `quay version`.

mod admin;
mod backup;
mod config;
mod fsck;
mod gc;
mod health;
mod init;
mod install;
mod migrate;
mod mirror;
mod proxycache;
mod serve;
mod status;
mod tls;
mod transfer;
mod upgrade;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::app::App;
use crate::config::LoadedConfig;

#[derive(Parser)]
#[command(
    name = "quay",
    version,
    about = "A Quay-compatible container registry in one binary",
    after_help = "The data dir is --config, else --data-dir (or QUAY_DATA_DIR), else the installed \
                  appliance's, else ./quay-data. Only `serve` and `init` create one."
)]
struct Cli {
    #[command(flatten)]
    source: Source,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the registry (creates ./quay-data on first start when no --config is given).
    #[command(after_help = "Example: quay serve --data-dir /var/lib/quay --hostname registry.example:8443")]
    Serve(serve::ServeArgs),
    /// Run the background jobs (upload cleanup, expired tokens) without serving; any number of
    /// workers and servers may share a database: each job runs on one of them at a time.
    #[command(after_help = "Example: quay worker --config /etc/quay/config.yaml")]
    Worker(worker::WorkerArgs),
    /// Garbage-collect now: expired tags, unreferenced manifests and blobs, deleted repositories.
    #[command(after_help = "Example: quay gc --data-dir /var/lib/quay --dry-run")]
    Gc(gc::GcArgs),
    /// Check storage against the database: missing or damaged blobs, and objects nothing references.
    #[command(after_help = "Example: quay fsck --data-dir /var/lib/quay --verify")]
    Fsck(fsck::FsckArgs),
    /// Create the database and the first superuser without serving.
    #[command(after_help = "Example: quay init --data-dir /var/lib/quay --user admin --password-stdin < password.txt")]
    Init(init::InitArgs),
    /// Administer users, organizations, teams, robots, permissions and repositories.
    #[command(after_help = "Example: quay admin user list --data-dir /var/lib/quay")]
    Admin(admin::AdminArgs),
    /// Configuration tools.
    #[command(after_help = "Example: quay config validate --config /etc/quay/config.yaml")]
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Back up the data dir while the registry serves: its database snapshot, keys,
    /// certificates and blobs in one archive.
    #[command(after_help = "Example: sudo quay backup --to /backup/quay-$(date +%F).tar")]
    Backup(backup::BackupArgs),
    /// Restore a backup into a new or empty data dir (every checksum verified first).
    #[command(after_help = "Example: quay restore --from /backup/quay-2026-11-30.tar --data-dir /var/lib/quay")]
    Restore(backup::RestoreArgs),
    /// Write repositories (of this registry, or of upstream registries) to a folder for media:
    /// an OCI image layout with a catalog; `--since` a catalog the far side wrote, only what is new.
    #[command(
        after_help = "Example: quay export --to /media/usb/ocp --repo ocp/release:4.17.* --since far-side-catalog.json"
    )]
    Export(transfer::ExportArgs),
    /// Put an export into this registry (checked first, resumable), as a superuser.
    #[command(after_help = "Example: quay import --from /media/usb/ocp --catalog-out /media/usb/far-side-catalog.json")]
    Import(transfer::ImportArgs),
    /// Move an install: its database from SQLite to PostgreSQL.
    #[command(after_help = "Example: PGPASSWORD=... quay migrate database --to postgresql://quay@db.example:5432/quay")]
    Migrate {
        #[command(subcommand)]
        command: migrate::MigrateCommand,
    },
    /// Install the appliance: data dir, TLS, first superuser, Quadlet unit, install record.
    #[command(after_help = "Example: sudo quay install --hostname registry.example:8443")]
    Install(install::InstallArgs),
    /// Move the installed appliance to a new image, keeping its hostname, port, secrets and data;
    /// backed up first, rolled back when the new version is not healthy.
    #[command(after_help = "Example: sudo quay upgrade --image-archive quay-image.tar")]
    Upgrade(upgrade::UpgradeArgs),
    /// Remove the appliance's unit and install record; data is kept unless --purge.
    #[command(after_help = "Example: sudo quay uninstall")]
    Uninstall(install::UninstallArgs),
    /// The install at a glance: version, health, certificates, database, content, what waits.
    #[command(after_help = "Example: sudo quay status --json")]
    Status(status::StatusArgs),
    /// The install's TLS certificates: show them and the CA to trust, or rotate the served one.
    #[command(after_help = "Example: quay tls show --ca")]
    Tls {
        #[command(subcommand)]
        command: tls::TlsCommand,
    },
    /// Exit 0 when the registry answers its health check (the container's HealthCmd).
    #[command(after_help = "Example: quay health --url https://registry.example:8443 --ca /var/lib/quay/rootCA.pem")]
    Health(health::HealthArgs),
    /// Print the version.
    #[command(after_help = "Example: quay version")]
    Version,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a config.yaml (`--config FILE`, or the data dir's): exit 0 when valid (warnings on
    /// stderr), 1 with the error otherwise.
    #[command(after_help = "Example: quay config validate --config /etc/quay/config.yaml")]
    Validate,
}

/// The options every command takes, before or after its name.
#[derive(Args, Clone, Default)]
pub struct Source {
    /// A Quay config.yaml, or the folder holding it (paths in it are used as written).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The appliance's data folder (config, database, storage, TLS).
    #[arg(long, global = true, env = "QUAY_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

/// Whether a command may create the data dir it is pointed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Create {
    /// `serve` and `init`: the zero-configuration start.
    Allowed,
    /// Every other command: a missing data dir is an error.
    Refused,
}

/// Run as root on a data dir another user owns (an operator's `sudo quay admin ...` on the
/// service's folder), this process becomes that user before it touches anything, so that what it
/// creates stays the service's and never breaks it. Called while the process has one thread:
/// threads started later inherit the credentials.
fn act_as_data_dir_owner(source: &Source) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    if !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    let dir = match &source.config {
        Some(path) if path.is_dir() => path.clone(),
        Some(path) => path.parent().map(std::path::Path::to_path_buf).unwrap_or_default(),
        None => match existing_data_dir(source, Create::Allowed) {
            Ok(dir) => dir,
            Err(_) => return Ok(()),
        },
    };
    let Ok(meta) = std::fs::metadata(if dir.as_os_str().is_empty() { std::path::Path::new(".") } else { &dir }) else {
        return Ok(());
    };
    if meta.uid() == 0 {
        return Ok(());
    }
    eprintln!(
        "warning: running as root on {}, which belongs to uid {}: acting as that user so that the files created stay theirs",
        dir.display(),
        meta.uid()
    );
    let (uid, gid) = (rustix::process::Uid::from_raw(meta.uid()), rustix::process::Gid::from_raw(meta.gid()));
    rustix::thread::set_thread_groups(&[gid])
        .map_err(|e| anyhow::anyhow!("cannot take the data dir owner's groups: {e}"))?;
    rustix::thread::set_thread_res_gid(gid, gid, gid)
        .map_err(|e| anyhow::anyhow!("cannot become group {}: {e}", meta.gid()))?;
    rustix::thread::set_thread_res_uid(uid, uid, uid)
        .map_err(|e| anyhow::anyhow!("cannot become uid {}: {e}", meta.uid()))?;
    Ok(())
}

/// Where an installed appliance keeps its data dir (`quay install` writes the record).
fn installed_data_dir() -> Option<PathBuf> {
    let mut records = Vec::new();
    if !rustix::process::geteuid().is_root() {
        records.push(crate::appliance::record_path(true));
    }
    records.push(crate::appliance::record_path(false));
    records.into_iter().find_map(|record| {
        let text = std::fs::read_to_string(record).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.get("data_dir")?.as_str().map(PathBuf::from)
    })
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut source = cli.source;
    // One configuration per command; `install` alone takes both: the data dir to make, and the
    // configuration (`standalone`, `full`) to put in it.
    // (`QUAY_DATA_DIR` from the environment gives way to --config, which comes first.)
    let from_environment = std::env::var_os("QUAY_DATA_DIR").map(PathBuf::from) == source.data_dir;
    if let (Some(config), Some(dir)) = (&source.config, &source.data_dir)
        && !matches!(cli.command, Command::Install(_))
        && !from_environment
    {
        eprintln!(
            "error: --config {} and --data-dir {} exclude each other (a data dir holds its config.yaml)",
            config.display(),
            dir.display()
        );
        return ExitCode::from(2);
    }
    crate::util::restrict_new_files();
    let on_data = !matches!(
        cli.command,
        Command::Version
            | Command::Health(_)
            | Command::Restore(_)
            | Command::Install(_)
            | Command::Upgrade(_)
            | Command::Uninstall(_)
    );
    // The installed data dir is found as the invoking user, before acting as its owner, who may
    // not read the install record's folder.
    if on_data && source.config.is_none() && source.data_dir.is_none() {
        source.data_dir = installed_data_dir();
    }
    if on_data && let Err(e) = act_as_data_dir_owner(&source) {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    // One crypto provider for every TLS use, chosen before anything can pick another.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let result = match cli.command {
        Command::Version => {
            println!("quay {} (Quay schema {})", env!("CARGO_PKG_VERSION"), crate::app::SCHEMA_REVISION);
            Ok(())
        }
        Command::Config { command: ConfigCommand::Validate } => config::validate(&source),
        Command::Serve(args) => runtime().and_then(|rt| rt.block_on(serve::serve(args, &source))),
        Command::Worker(_) => runtime().and_then(|rt| rt.block_on(worker::worker(&source))),
        Command::Gc(args) => runtime().and_then(|rt| rt.block_on(gc::gc(args, &source))),
        Command::Fsck(args) => runtime().and_then(|rt| rt.block_on(fsck::fsck(args, &source))),
        Command::Init(args) => runtime().and_then(|rt| rt.block_on(init::init(args, &source))),
        Command::Admin(args) => runtime().and_then(|rt| rt.block_on(admin::run(args, &source))),
        Command::Health(args) => runtime().and_then(|rt| rt.block_on(health::health(args))),
        Command::Tls { command } => tls::run(command, &source),
        Command::Migrate { command } => runtime().and_then(|rt| rt.block_on(migrate::run(command, &source))),
        Command::Install(args) => runtime().and_then(|rt| rt.block_on(install::install(args, &source))),
        Command::Upgrade(args) => runtime().and_then(|rt| rt.block_on(upgrade::upgrade(args, &source))),
        Command::Uninstall(args) => install::uninstall(args, &source),
        Command::Status(args) => runtime().and_then(|rt| rt.block_on(status::status(args, &source))),
        Command::Backup(args) => runtime().and_then(|rt| rt.block_on(backup::backup(args, &source))),
        Command::Restore(args) => runtime().and_then(|rt| rt.block_on(backup::restore(args, &source))),
        Command::Export(args) => runtime().and_then(|rt| rt.block_on(transfer::export(args, &source))),
        Command::Import(args) => runtime().and_then(|rt| rt.block_on(transfer::import(args, &source))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Logs to the journal when standard error is connected to it (systemd's `JOURNAL_STREAM`), else
/// to standard error: `QUAY_LOG` sets the levels, `LOG_FORMAT` in the environment (`text` or
/// `json`) overrides the config's.
fn init_logging(format: crate::config::LogFormat) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let format = match std::env::var("LOG_FORMAT").ok().as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("json") => crate::config::LogFormat::Json,
        Some("text") => crate::config::LogFormat::Text,
        _ => format,
    };
    let filter = EnvFilter::try_from_env("QUAY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    if let Some(journal) = crate::journal::JournalLayer::when_connected() {
        let _ = tracing_subscriber::registry().with(filter).with(journal).try_init();
        return;
    }
    // Colours only for a person at a terminal; files get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = if format == crate::config::LogFormat::Json { builder.json().try_init() } else { builder.try_init() };
}

/// A password from standard input (`--password-stdin`), its line end trimmed.
fn read_stdin_password() -> anyhow::Result<String> {
    use anyhow::Context as _;
    use std::io::Read as _;
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("cannot read the password from standard input")?;
    Ok(s.trim_end_matches(['\n', '\r']).to_owned())
}

/// A new first superuser's password from standard input, refused when too weak to keep.
fn new_stdin_password() -> anyhow::Result<String> {
    let password = read_stdin_password()?;
    if password.len() < 8 || password.chars().any(char::is_whitespace) {
        anyhow::bail!("passwords need at least 8 characters and no whitespace");
    }
    Ok(password)
}

/// Where the configuration comes from (`../shared/docs/appliance-contract.md`): `--config`, else
/// `--data-dir` (or `QUAY_DATA_DIR`), else the installed appliance's data dir, else `./quay-data`.
/// Only commands that may create a data dir create one; the others name where they looked.
fn load(source: &Source, default_hostname: &str, create: Create) -> anyhow::Result<(LoadedConfig, Option<PathBuf>)> {
    if let Some(path) = &source.config {
        return Ok((LoadedConfig::from_path(path)?, None));
    }
    let dir = existing_data_dir(source, create)?;
    let (loaded, _) = LoadedConfig::from_data_dir(&dir, default_hostname)?;
    let dir = loaded.config_dir.clone();
    Ok((loaded, Some(dir)))
}

/// The data dir a command works on; refused when missing unless the command may create it.
fn existing_data_dir(source: &Source, create: Create) -> anyhow::Result<PathBuf> {
    let (dir, flag) = match (&source.data_dir, installed_data_dir()) {
        (Some(dir), _) => (dir.clone(), "--data-dir"),
        (None, Some(dir)) => (dir, "--data-dir (the install record names it)"),
        (None, None) => (PathBuf::from("quay-data"), "--data-dir"),
    };
    if create == Create::Refused && !dir.join("config.yaml").is_file() {
        let shown = if dir.is_relative() { format!("./{}", dir.display()) } else { dir.display().to_string() };
        anyhow::bail!("no data dir at {shown}; pass {flag} or --config");
    }
    Ok(dir)
}

/// Opens the app of an existing install for a one-off command (logs only warnings); never
/// creates a data dir.
async fn open_for_command(source: &Source) -> anyhow::Result<(App, Option<PathBuf>)> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, dir) = load(source, &default_hostname, Create::Refused)?;
    init_logging(loaded.config.log_format);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    App::probe_database(&loaded.config).await?;
    loaded.ensure_secrets()?;
    Ok((App::open(&loaded).await?, dir))
}

/// Resolves on SIGTERM or Ctrl-C, telling systemd the service is stopping. The handlers are
/// installed when this is called, not when first polled: a stop that comes right after the
/// service said it was ready is never the signal's default (an abrupt exit).
fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        let (Ok(mut term), Ok(mut interrupt)) = (term, interrupt) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
        crate::util::notify_systemd("STOPPING=1");
        tracing::info!("shutting down: finishing requests in flight");
    }
}
