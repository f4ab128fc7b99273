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
    #[arg(long, conflicts_with = "insecure")]
    ca: Option<PathBuf>,
    /// Do not verify the certificate: a liveness probe over loopback, for operators' own
    /// certificates that do not name localhost (`quay status` checks the certificate).
    #[arg(long)]
    insecure: bool,
}

pub(super) async fn health(args: HealthArgs) -> anyhow::Result<()> {
    let trust = match &args.ca {
        Some(ca) => Trust::Ca(ca),
        None if args.insecure => Trust::Nothing,
        None => Trust::SystemRoots,
    };
    let url = check(&args.url, trust, std::time::Duration::from_secs(10), None).await?;
    println!("{url}: healthy");
    Ok(())
}

/// What a probe verifies the server's certificate with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Trust<'a> {
    Ca(&'a std::path::Path),
    SystemRoots,
    Nothing,
}

impl<'a> Trust<'a> {
    pub(super) fn ca_or_system(ca: Option<&'a std::path::Path>) -> Trust<'a> {
        ca.map_or(Trust::SystemRoots, Trust::Ca)
    }
}

/// Asks `base_url/healthz` (verifying TLS as `trust` says);
/// returns the URL asked when it answers 200, else one line saying what went wrong. `at`: the
/// address to connect to instead of the URL's host (whose name this host may not resolve), still
/// verified against that name.
pub(super) async fn check(
    base_url: &str,
    trust: Trust<'_>,
    timeout: std::time::Duration,
    at: Option<std::net::SocketAddr>,
) -> anyhow::Result<String> {
    let mut client = reqwest::Client::builder().timeout(timeout);
    if let Some(at) = at {
        let host = reqwest::Url::parse(base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .with_context(|| format!("{base_url} is not a URL"))?;
        client = client.resolve(&host, at);
    }
    if let Trust::Nothing = trust {
        client = client.danger_accept_invalid_certs(true);
    }
    if let Trust::Ca(ca) = trust {
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
