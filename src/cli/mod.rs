//! The command line: `quay serve`, `quay init`, `quay admin`, `quay config validate`, `quay version`.

mod admin;
mod config;
mod fsck;
mod gc;
mod init;
mod serve;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::app::App;
use crate::config::LoadedConfig;

#[derive(Parser)]
#[command(name = "quay", version, about = "A Quay-compatible container registry in one binary")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the registry (creates ./quay-data on first start when no --config is given).
    Serve(serve::ServeArgs),
    /// Run the background jobs (upload cleanup, expired tokens) without serving; any number of
    /// workers and servers may share a database: each job runs on one of them at a time.
    Worker(worker::WorkerArgs),
    /// Garbage-collect now: expired tags, unreferenced manifests and blobs, deleted repositories.
    Gc(gc::GcArgs),
    /// Check storage against the database: missing or damaged blobs, and objects nothing references.
    Fsck(fsck::FsckArgs),
    /// Create the database and the first superuser without serving.
    Init(init::InitArgs),
    /// Administer users, organizations, teams, robots, permissions and repositories.
    Admin(admin::AdminArgs),
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print the version.
    Version,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a config.yaml: exit 0 when valid (warnings on stderr), 1 with the error otherwise.
    Validate {
        #[arg(long)]
        config: PathBuf,
    },
}

#[derive(Args, Clone)]
pub struct Source {
    /// A Quay config.yaml, or the folder holding it.
    #[arg(long, conflicts_with = "data_dir")]
    config: Option<PathBuf>,
    /// The appliance's data folder (config, database, storage, TLS).
    #[arg(long, env = "QUAY_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // One crypto provider for every TLS use, chosen before anything can pick another.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let result = match cli.command {
        Command::Version => {
            println!("quay {} (Quay schema {})", env!("CARGO_PKG_VERSION"), crate::app::SCHEMA_REVISION);
            Ok(())
        }
        Command::Config { command: ConfigCommand::Validate { config } } => config::validate(&config),
        Command::Serve(args) => runtime().and_then(|rt| rt.block_on(serve::serve(args))),
        Command::Worker(args) => runtime().and_then(|rt| rt.block_on(worker::worker(args))),
        Command::Gc(args) => runtime().and_then(|rt| rt.block_on(gc::gc(args))),
        Command::Fsck(args) => runtime().and_then(|rt| rt.block_on(fsck::fsck(args))),
        Command::Init(args) => runtime().and_then(|rt| rt.block_on(init::init(args))),
        Command::Admin(args) => runtime().and_then(|rt| rt.block_on(admin::run(args))),
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

fn init_logging(format: crate::config::LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("QUAY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // Colours only for a person at a terminal; files and journals get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = if format == crate::config::LogFormat::Json { builder.json().try_init() } else { builder.try_init() };
}

/// Where the configuration comes from: `--config`, or a data directory (created on first use).
fn load(source: &Source, default_hostname: &str) -> anyhow::Result<(LoadedConfig, Option<PathBuf>)> {
    match &source.config {
        Some(path) => Ok((LoadedConfig::from_path(path)?, None)),
        None => {
            let dir = source.data_dir.clone().unwrap_or_else(|| PathBuf::from("quay-data"));
            let (loaded, _) = LoadedConfig::from_data_dir(&dir, default_hostname)?;
            let dir = loaded.config_dir.clone();
            Ok((loaded, Some(dir)))
        }
    }
}

/// Opens the app of an existing install for a one-off command (logs only warnings).
async fn open_for_command(source: &Source) -> anyhow::Result<App> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, _) = load(source, &default_hostname)?;
    init_logging(loaded.config.log_format);
    loaded.ensure_secrets()?;
    App::open(&loaded).await
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
