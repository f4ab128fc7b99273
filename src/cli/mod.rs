//! The command line: `quay serve`, `quay init`, `quay admin`, `quay config validate`, `quay version`.

mod admin;

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};

use crate::accounts::users;
use crate::app::{App, AppState};
use crate::auth::Actor;
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
    Serve(ServeArgs),
    /// Run the background jobs (upload cleanup, expired tokens) without serving; any number of
    /// workers and servers may share a database: each job runs on one of them at a time.
    Worker(WorkerArgs),
    /// Garbage-collect now: expired tags, unreferenced manifests and blobs, deleted repositories.
    Gc(GcArgs),
    /// Check storage against the database: missing or damaged blobs, and objects nothing references.
    Fsck(FsckArgs),
    /// Create the database and the first superuser without serving.
    Init(InitArgs),
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

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    source: Source,
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// The host[:port] clients use: token realm, token audience and Location headers.
    #[arg(long)]
    hostname: Option<String>,
    /// Serve plain HTTP (TLS terminated elsewhere, or local testing).
    #[arg(long)]
    http: bool,
    /// Leave the background jobs to `quay worker` processes.
    #[arg(long)]
    no_workers: bool,
}

#[derive(Args)]
pub struct GcArgs {
    #[command(flatten)]
    source: Source,
    /// Report what would be freed, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct FsckArgs {
    #[command(flatten)]
    source: Source,
    /// Also read every blob and check its digest (reads all stored bytes).
    #[arg(long)]
    verify: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    source: Source,
}

#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    source: Source,
    /// The superuser to create.
    #[arg(long)]
    user: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
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
        Command::Config { command: ConfigCommand::Validate { config } } => validate(&config),
        Command::Serve(args) => runtime().and_then(|rt| rt.block_on(serve(args))),
        Command::Worker(args) => runtime().and_then(|rt| rt.block_on(worker(args))),
        Command::Gc(args) => runtime().and_then(|rt| rt.block_on(gc(args))),
        Command::Fsck(args) => runtime().and_then(|rt| rt.block_on(fsck(args))),
        Command::Init(args) => runtime().and_then(|rt| rt.block_on(init(args))),
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

fn validate(path: &Path) -> anyhow::Result<()> {
    let loaded = LoadedConfig::from_path(path)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    println!("{}: valid", path.display());
    Ok(())
}

fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("QUAY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // Colours only for a person at a terminal; files and journals get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
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

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let default_hostname = format!("{}:{}", crate::util::hostname(), args.listen.port());
    let (mut loaded, data_dir) = load(&args.source, &default_hostname)?;
    init_logging(&loaded.config.log_format);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    for key in loaded.ensure_secrets()? {
        tracing::warn!(file = %loaded.file.display(), "generated {key}, which the config did not have");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let bound = listener.local_addr()?;
    let config = &mut loaded.config;
    match &args.hostname {
        Some(h) => config.server_hostname = h.clone(),
        // A random port is only known now; clients must be sent to it.
        None if args.listen.port() == 0 => config.server_hostname = bound.to_string(),
        None => {}
    }
    config.preferred_url_scheme = if args.http { "http" } else { "https" }.to_owned();
    let tls = if args.http {
        None
    } else {
        let (cert, key) = loaded.tls_paths();
        if crate::tls::ensure_self_signed(&cert, &key, &loaded.config.server_hostname)? {
            tracing::info!(certificate = %cert.display(), "created a self-signed TLS certificate");
        }
        Some(crate::tls::acceptor(&cert, &key)?)
    };
    let app = App::open(&loaded).await?;
    if let Some(dir) = &data_dir {
        first_start_admin(&app, dir).await?;
    }
    let app = AppState(Arc::new(app));
    spawn_key_renewal(app.clone());
    let (jobs_stop, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = (!args.no_workers).then(|| {
        tokio::spawn(crate::worker::run(app.clone(), async move {
            let _ = jobs_stopped.await;
        }))
    });
    tracing::info!(
        address = %bound,
        url = %app.config.base_url(),
        startup_ms = started.elapsed().as_millis() as u64,
        "serving the registry"
    );
    crate::http::serve(listener, crate::http::router(app.clone()), tls, shutdown_signal()).await?;
    let _ = jobs_stop.send(());
    if let Some(jobs) = jobs {
        let _ = jobs.await;
    }
    app.audit.flush().await;
    tracing::info!("stopped");
    if let Ok(app) = Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    Ok(())
}

/// Opens the app of an existing install for a one-off command (logs only warnings).
async fn open_for_command(source: &Source) -> anyhow::Result<App> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, _) = load(source, &default_hostname)?;
    init_logging(&loaded.config.log_format);
    loaded.ensure_secrets()?;
    App::open(&loaded).await
}

async fn gc(args: GcArgs) -> anyhow::Result<()> {
    let app = open_for_command(&args.source).await?;
    let report = crate::registry::gc::collect(&app, args.dry_run).await?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "dry_run": args.dry_run,
                "repositories": report.repositories,
                "deleted_repositories": report.deleted_repositories,
                "deleted_namespaces": report.deleted_namespaces,
                "tags": report.tags,
                "upload_links": report.upload_links,
                "manifests": report.manifests,
                "blobs": report.blobs,
                "bytes": report.bytes,
                "objects": report.objects,
                "errors": report.errors,
            })
        );
    } else if args.dry_run {
        println!("would free: {}", report.summary());
    } else {
        println!("freed: {}", report.summary());
    }
    app.db.close().await;
    if report.errors > 0 {
        bail!("{} errors (see the log)", report.errors);
    }
    Ok(())
}

async fn fsck(args: FsckArgs) -> anyhow::Result<()> {
    let app = open_for_command(&args.source).await?;
    let report = crate::registry::gc::fsck(&app, args.verify).await?;
    app.db.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} blobs checked", report.blobs_checked);
        for d in &report.missing {
            println!("missing: {d}");
        }
        for d in &report.corrupt {
            println!("damaged: {d}");
        }
        for d in &report.orphans {
            println!("orphan: {d}");
        }
        println!(
            "{} missing, {} damaged, {} orphans ({} bytes)",
            report.missing.len(),
            report.corrupt.len(),
            report.orphans.len(),
            report.orphan_bytes
        );
    }
    if !report.missing.is_empty() || !report.corrupt.is_empty() {
        bail!("the storage does not hold every blob the database references");
    }
    Ok(())
}

async fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, _) = load(&args.source, &default_hostname)?;
    init_logging(&loaded.config.log_format);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    loaded.ensure_secrets()?;
    let app = AppState(Arc::new(App::open(&loaded).await?));
    crate::worker::run(app.clone(), shutdown_signal()).await;
    app.audit.flush().await;
    if let Ok(app) = Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    Ok(())
}

/// On the first start of a data directory, creates the superuser `admin` with a random password,
/// kept in `DIR/auth/admin-password` (0600) and printed once.
async fn first_start_admin(app: &App, dir: &Path) -> anyhow::Result<()> {
    if users::any(app).await? {
        return Ok(());
    }
    let password = crate::util::random_token(24);
    users::create(app, &Actor::system(), "admin", None, &password).await?;
    let path = dir.join("auth").join("admin-password");
    crate::util::write_private_file(&path, format!("{password}\n").as_bytes())?;
    println!("Created superuser `admin` with password: {password}");
    println!("(also saved in {}; log in with `podman login {}`)", path.display(), app.config.server_hostname);
    Ok(())
}

/// Keeps this node's signing key registered, and its view of the other nodes' keys current (so a
/// withdrawn or expired key stops being accepted within a minute).
fn spawn_key_renewal(app: AppState) {
    let keys_app = app.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(60));
        interval.tick().await;
        loop {
            interval.tick().await;
            if let Err(e) = keys_app.verification_keys.refresh(&keys_app.db).await {
                tracing::warn!(error = format!("{e:#}"), "cannot reload the accepted signing keys");
            }
        }
    });
    let every = std::time::Duration::from_secs(app.config.instance_service_key_refresh_min.max(1) * 60);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.tick().await;
        loop {
            interval.tick().await;
            if let Err(e) = app.register_signing_key().await {
                tracing::warn!(error = format!("{e:#}"), "cannot renew this node's signing key");
            }
        }
    });
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

async fn init(args: InitArgs) -> anyhow::Result<()> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, data_dir) = load(&args.source, &default_hostname)?;
    init_logging(&loaded.config.log_format);
    loaded.ensure_secrets()?;
    let app = App::open(&loaded).await?;
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
    if let Some(existing) = crate::accounts::find(&app, &args.user).await? {
        if let Some(p) = &password {
            let user =
                crate::auth::authenticate_password(&app.db, &app.config, app.secrets.as_ref(), &existing.username, p)
                    .await;
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
fn add_superuser(path: &Path, user: &str) -> anyhow::Result<()> {
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
