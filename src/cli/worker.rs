//! `quay worker`: the background jobs in a process of their own.

use std::sync::Arc;

use clap::Args;

use super::{Create, Source, init_logging, load, shutdown_signal};
use crate::app::{App, AppState};

#[derive(Args)]
pub struct WorkerArgs {}

pub(super) async fn worker(source: &Source) -> anyhow::Result<()> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (mut loaded, _) = load(source, &default_hostname, Create::Refused)?;
    init_logging(loaded.config.log_format);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    App::probe_database(&loaded.config).await?;
    loaded.ensure_secrets()?;
    let app = AppState(Arc::new(App::open(&loaded).await?));
    crate::app::spawn_storage_upkeep(app.clone(), loaded.file.clone());
    let shutdown = shutdown_signal();
    crate::util::notify_systemd("READY=1");
    crate::worker::run(app.clone(), shutdown).await;
    app.audit.flush().await;
    app.forget_node().await;
    if let Ok(app) = Arc::try_unwrap(app.0) {
        app.db.close().await;
    }
    Ok(())
}
