//! `quay health`: the probe for a container's `HealthCmd`, in an image that has nothing but this
//! binary.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::Args;

#[derive(Args)]
pub struct HealthArgs {
    /// The registry's base URL.
    #[arg(long, default_value = "https://localhost:8443")]
    url: String,
    /// The CA to verify the registry's certificate with (the data dir's `rootCA.pem`); without
    /// it, the system's roots.
    #[arg(long)]
    ca: Option<PathBuf>,
}

pub(super) async fn health(args: HealthArgs) -> anyhow::Result<()> {
    let mut client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10));
    if let Some(ca) = &args.ca {
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        let ca = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
        client = client.tls_certs_only([ca]);
    }
    let url = format!("{}/healthz", args.url.trim_end_matches('/'));
    let response = client.build()?.get(&url).send().await.with_context(|| format!("{url} does not answer"))?;
    if !response.status().is_success() {
        bail!("{url} answered {}", response.status());
    }
    println!("{url}: healthy");
    Ok(())
}
