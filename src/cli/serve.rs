//! `quay serve`: the registry, its background jobs, and the first start of a data dir.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;

use super::{Source, init_logging, load, shutdown_signal};
use crate::accounts::users;
use crate::app::{App, AppState};
use crate::auth::Actor;

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

pub(super) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let default_hostname = format!("{}:{}", crate::util::hostname(), args.listen.port());
    let (mut loaded, data_dir) = load(&args.source, &default_hostname)?;
    init_logging(loaded.config.log_format);
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

/// On the first start of a data directory, creates the superuser `admin` with a random password,
/// kept in `DIR/auth/admin-password` (0600) and printed once.
pub(super) async fn first_start_admin(app: &App, dir: &Path) -> anyhow::Result<()> {
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
