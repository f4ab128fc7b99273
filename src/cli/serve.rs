//! `quay serve`: the registry, its background jobs, and the first start of a data dir.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;

use super::{Create, Source, init_logging, load, shutdown_signal};
use crate::accounts::users;
use crate::app::{App, AppState};
use crate::auth::Actor;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on; the default takes IPv6 and IPv4 (IPv4 only where IPv6 is off).
    #[arg(long, default_value = "[::]:8443")]
    listen: SocketAddr,
    /// The HOST[:PORT] clients use: token realm and audience, Location headers, the certificate's
    /// names (IPv6 literals in brackets: `[fd00::1]:8443`).
    #[arg(long)]
    hostname: Option<String>,
    /// Serve plain HTTP (TLS terminated elsewhere, or local testing).
    #[arg(long)]
    http: bool,
    /// Leave the background jobs to `quay worker` processes.
    #[arg(long)]
    no_workers: bool,
}

pub(super) async fn serve(args: ServeArgs, source: &Source) -> anyhow::Result<()> {
    let started = Instant::now();
    // On first start the hostname given is the one saved; the machine's name otherwise.
    let default_hostname =
        args.hostname.clone().unwrap_or_else(|| format!("{}:{}", crate::util::hostname(), args.listen.port()));
    let (mut loaded, data_dir) = load(source, &default_hostname, Create::Allowed)?;
    init_logging(loaded.config.log_format);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    // Before anything is written: an unreachable database fails now, naming where it looked.
    App::probe_database(&loaded.config).await?;
    if let Some(hostname) = &args.hostname
        && *hostname != loaded.config.server_hostname
    {
        let before = loaded.config.server_hostname.clone();
        loaded.set_key("SERVER_HOSTNAME", hostname)?;
        tracing::info!(before, after = %hostname, file = %loaded.file.display(), "SERVER_HOSTNAME changed by --hostname");
    }
    for key in loaded.ensure_secrets()? {
        tracing::warn!(file = %loaded.file.display(), "generated {key}, which the config did not have");
    }
    let open_files = crate::util::raise_open_files_limit();
    let listener = bind(args.listen).await?;
    let bound = listener.local_addr()?;
    let config = &mut loaded.config;
    match &args.hostname {
        Some(h) => config.server_hostname = h.clone(),
        // A random port is only known now; clients must be sent to it.
        None if args.listen.port() == 0 => {
            config.server_hostname = if bound.ip().is_unspecified() {
                format!("{}:{}", crate::util::hostname(), bound.port())
            } else {
                bound.to_string()
            }
        }
        None => {}
    }
    config.preferred_url_scheme = if args.http { "http" } else { "https" }.to_owned();
    let tls = if args.http {
        None
    } else {
        let files = loaded.tls_files();
        let names = crate::tls::certificate_names(&loaded.config.server_hostname, Some(bound.ip()));
        match crate::tls::ensure(&files, &names)? {
            crate::tls::Outcome::Issued { new_ca: true } => {
                tracing::info!(ca = %files.ca_cert.display(), certificate = %files.cert.display(), "created a local CA and a certificate signed by it");
                let host = &loaded.config.server_hostname;
                println!("Created a local certificate authority for TLS: {}", files.ca_cert.display());
                println!("Clients trust it with:");
                println!("  sudo mkdir -p /etc/containers/certs.d/{host}");
                println!("  sudo cp {} /etc/containers/certs.d/{host}/ca.crt", files.ca_cert.display());
            }
            crate::tls::Outcome::Issued { new_ca: false } => {
                tracing::info!(certificate = %files.cert.display(), names = names.join(","), "renewed the TLS certificate from the local CA");
            }
            crate::tls::Outcome::Current | crate::tls::Outcome::Custom => {}
        }
        let (acceptor, served) = crate::tls::acceptor(&files.cert, &files.key)?;
        spawn_certificate_upkeep(served, files, names);
        Some(acceptor)
    };
    let app = App::open(&loaded).await?;
    if let Some(dir) = &data_dir {
        first_start_admin(&app, dir).await?;
    }
    let app = AppState(Arc::new(app));
    spawn_key_renewal(app.clone());
    crate::app::spawn_storage_upkeep(app.clone(), loaded.file.clone());
    crate::http::exposition::spawn_listener(app.clone());
    let (jobs_stop, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = (!args.no_workers).then(|| {
        tokio::spawn(crate::worker::run(app.clone(), async move {
            let _ = jobs_stopped.await;
        }))
    });
    let shutdown = shutdown_signal();
    tracing::info!(
        address = %bound,
        url = %app.config.base_url(),
        startup_ms = started.elapsed().as_millis() as u64,
        open_files,
        max_connections = crate::http::connection_limit(),
        "serving the registry"
    );
    // Ready: under systemd (the plain unit's Type=notify, or the container's Notify=yes), the
    // service counts as started only now that it listens.
    crate::util::notify_systemd("READY=1");
    crate::http::serve(listener, app.clone(), tls, shutdown).await?;
    let _ = jobs_stop.send(());
    if let Some(jobs) = jobs {
        let _ = jobs.await;
    }
    app.audit.flush().await;
    app.forget_node().await;
    tracing::info!("stopped");
    if let Ok(app) = Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    Ok(())
}

/// Binds `addr`; the dual-stack default falls back to IPv4 on hosts without IPv6.
async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => Ok(l),
        Err(e) if addr.ip() == std::net::Ipv6Addr::UNSPECIFIED => {
            let v4 = SocketAddr::from(([0, 0, 0, 0], addr.port()));
            tracing::warn!(error = %e, "IPv6 is not available; listening on {v4}");
            tokio::net::TcpListener::bind(v4).await.with_context(|| format!("cannot listen on {v4}"))
        }
        Err(e) => Err(e).with_context(|| format!("cannot listen on {addr}")),
    }
}

/// The superuser a data dir starts with (its password in `auth/admin-password`).
pub(super) const FIRST_SUPERUSER: &str = "admin";

/// The first superuser `quay install` chose for a database it could not reach (the `standalone`
/// preset's own PostgreSQL container): created by the registry's first start, then forgotten.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct FirstSuperuser {
    pub name: String,
    pub password: String,
}

impl FirstSuperuser {
    fn path(dir: &Path) -> std::path::PathBuf {
        dir.join("auth").join("first-superuser")
    }

    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        crate::util::write_private_file(&Self::path(dir), serde_json::to_string(self)?.as_bytes())
    }

    fn take(dir: &Path) -> anyhow::Result<Option<FirstSuperuser>> {
        let path = Self::path(dir);
        match std::fs::read(&path) {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).with_context(|| format!("{} is not quay's", path.display()))?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

/// On the first start of a data directory, creates the superuser `quay install` chose, or else
/// `admin` with a random password, kept in `DIR/auth/admin-password` (0600) and printed once.
pub(super) async fn first_start_admin(app: &App, dir: &Path) -> anyhow::Result<()> {
    let chosen = FirstSuperuser::take(dir)?;
    if users::any(app).await? {
        if chosen.is_some() {
            let _ = std::fs::remove_file(FirstSuperuser::path(dir));
        }
        return Ok(());
    }
    if let Some(chosen) = chosen {
        users::create(app, &Actor::system(), &chosen.name, None, &chosen.password).await?;
        std::fs::remove_file(FirstSuperuser::path(dir))
            .with_context(|| format!("cannot remove {}", FirstSuperuser::path(dir).display()))?;
        tracing::info!(user = %chosen.name, "created the first superuser chosen at install");
        return Ok(());
    }
    let password = crate::util::random_token(24);
    users::create(app, &Actor::system(), FIRST_SUPERUSER, None, &password).await?;
    let path = dir.join("auth").join("admin-password");
    crate::util::write_private_file(&path, format!("{password}\n").as_bytes())?;
    println!("Created superuser `admin` with password: {password}");
    println!("(also saved in {}; log in with `podman login {}`)", path.display(), app.config.server_hostname);
    Ok(())
}

/// Keeps the served certificate current without a restart: a new `ssl.cert` (from `quay tls
/// rotate`, a renewal, or the operator) is served within `WATCH_SECONDS`, or at once on `SIGHUP`
/// (a hangup no longer ends the process); and once a day a certificate quay made is renewed from
/// its CA when it has `RENEW_DAYS` left.
fn spawn_certificate_upkeep(
    served: Arc<crate::tls::ServedCertificate>,
    files: crate::tls::TlsFiles,
    names: Vec<String>,
) {
    use tokio::signal::unix::{SignalKind, signal};
    if let Ok(mut hangups) = signal(SignalKind::hangup()) {
        let served = served.clone();
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match served.reload() {
                    Ok(()) => tracing::info!("SIGHUP: reloaded the TLS certificate"),
                    Err(e) => {
                        tracing::warn!(error = format!("{e:#}"), "SIGHUP: kept the TLS certificate served so far")
                    }
                }
            }
        });
    }
    tokio::spawn(async move {
        const DAY: u64 = 24 * 3600;
        let mut watch = tokio::time::interval(std::time::Duration::from_secs(crate::tls::WATCH_SECONDS));
        let mut since_renewal_check = 0;
        loop {
            watch.tick().await;
            since_renewal_check += crate::tls::WATCH_SECONDS;
            if since_renewal_check >= DAY {
                since_renewal_check = 0;
                match crate::tls::ensure(&files, &names) {
                    Ok(crate::tls::Outcome::Issued { .. }) => {
                        tracing::info!(certificate = %files.cert.display(), "renewed the TLS certificate from the local CA")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = format!("{e:#}"), "cannot renew the TLS certificate"),
                }
            }
            match served.reload_if_changed() {
                Ok(true) => tracing::info!(certificate = %files.cert.display(), "serving a new TLS certificate"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = format!("{e:#}"), "kept the TLS certificate served so far"),
            }
        }
    });
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
