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
    let url = check(&args.url, args.ca.as_deref(), std::time::Duration::from_secs(10)).await?;
    println!("{url}: healthy");
    Ok(())
}

/// Asks `base_url/healthz` (verifying TLS against `ca` when given, else the system's roots);
/// returns the URL asked when it answers 200, else one line saying what went wrong.
pub(super) async fn check(
    base_url: &str,
    ca: Option<&std::path::Path>,
    timeout: std::time::Duration,
) -> anyhow::Result<String> {
    let mut client = reqwest::Client::builder().timeout(timeout);
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        let ca = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
        client = client.tls_certs_only([ca]);
    }
    let url = format!("{}/healthz", base_url.trim_end_matches('/'));
    let response = client.build()?.get(&url).send().await.with_context(|| format!("{url} does not answer"))?;
    if !response.status().is_success() {
        bail!("{url} answered {}", response.status());
    }
    Ok(url)
}
