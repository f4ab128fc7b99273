//! TLS for `quay serve`: a self-signed certificate made on first start (ECDSA P-256, with the host
//! name as subject alternative name), or the operator's own `ssl.cert`/`ssl.key`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Writes a self-signed certificate and key for `hostname` unless both files exist.
pub fn ensure_self_signed(cert_path: &Path, key_path: &Path, hostname: &str) -> anyhow::Result<bool> {
    if cert_path.exists() && key_path.exists() {
        return Ok(false);
    }
    let host = hostname.rsplit_once(':').map(|(h, _)| h).unwrap_or(hostname);
    let mut names = vec![host.to_owned()];
    for extra in ["localhost", "127.0.0.1"] {
        if !names.iter().any(|n| n == extra) {
            names.push(extra.to_owned());
        }
    }
    let certified = rcgen::generate_simple_self_signed(names).context("cannot generate a TLS certificate")?;
    crate::util::write_private_file(key_path, certified.signing_key.serialize_pem().as_bytes())?;
    crate::util::write_private_file(cert_path, certified.cert.pem().as_bytes())?;
    Ok(true)
}

/// A TLS acceptor for the PEM certificate chain and key at these paths.
pub fn acceptor(cert_path: &Path, key_path: &Path) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
        .with_context(|| format!("cannot read {}", cert_path.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert_path.display()))?;
    let key = PrivateKeyDer::from_pem_file(key_path)
        .with_context(|| format!("cannot read the key {}", key_path.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
