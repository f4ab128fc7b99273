//! TLS for `quay serve`: a local certificate authority made on first start and a server
//! certificate it signs (both ECDSA P-256), or the operator's own `ssl.cert`/`ssl.key`.
//!
//! Clients trust the install once, through its CA (`rootCA.pem`, ten years); the served
//! certificate (`ssl.cert`, the leaf followed by the CA) lives at most 398 days, as browsers and
//! Go's verifier require, and is re-issued by quay when it nears its end or when the names clients
//! use change. quay only ever rewrites certificates it made: those have `ssl.generated` beside them
//! (written before anything else, so an interrupted first start is finished by the next).
//! Certificates without it are the operator's and are served as they are.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use chrono::{Datelike as _, NaiveDate};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};

/// Lifetime of the local CA.
const CA_DAYS: i64 = 3650;
/// A server certificate this close to its end is re-issued (at a start, or by the running
/// server's daily check) and reported by `quay tls show`.
pub const RENEW_DAYS: i64 = 30;
/// Lifetime of a server certificate (the CA/Browser Forum's maximum).
const LEAF_DAYS: i64 = 398;

/// The TLS files of a data dir (`../shared/docs/appliance-contract.md`).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The CA clients trust (0644).
    pub ca_cert: PathBuf,
    /// The CA's key (0600); never leaves the data dir.
    pub ca_key: PathBuf,
    /// The served chain: leaf, then CA (0644).
    pub cert: PathBuf,
    /// The leaf's key (0600).
    pub key: PathBuf,
    /// Present when quay made `cert`: what it was made for (0644).
    pub marker: PathBuf,
}

impl TlsFiles {
    pub fn in_dir(dir: &Path) -> TlsFiles {
        TlsFiles {
            ca_cert: dir.join("rootCA.pem"),
            ca_key: dir.join("rootCA.key"),
            cert: dir.join("ssl.cert"),
            key: dir.join("ssl.key"),
            marker: dir.join("ssl.generated"),
        }
    }
}

/// What `ensure` found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operator's certificate, served as it is.
    Custom,
    /// quay's certificate, still valid for every name.
    Current,
    /// A new server certificate, signed by the existing CA or (`new_ca`) by a new one.
    Issued { new_ca: bool },
}

/// What `ssl.generated` records.
#[derive(Debug, Serialize, Deserialize)]
struct Issued {
    /// The CA's subject common name (its certificate's identity, to sign with it again).
    ca: String,
    ca_not_after: NaiveDate,
    /// The names and addresses the server certificate holds.
    names: Vec<String>,
    not_after: NaiveDate,
}

/// The host part of `HOST[:PORT]`, without the brackets of an IPv6 literal.
pub fn host_of(hostname: &str) -> &str {
    if let Some(rest) = hostname.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match hostname.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => hostname,
    }
}

/// The names a server certificate must hold: the host clients use, `localhost` and the loopback
/// addresses, and the address the server listens on when it is a specific one.
pub fn certificate_names(hostname: &str, listen: Option<IpAddr>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    };
    let host = host_of(hostname);
    add(host.parse::<IpAddr>().map(|ip| ip.to_string()).unwrap_or_else(|_| host.to_ascii_lowercase()));
    for name in ["localhost", "127.0.0.1", "::1"] {
        add(name.to_owned());
    }
    if let Some(ip) = listen.filter(|ip| !ip.is_unspecified()) {
        add(ip.to_canonical().to_string());
    }
    names
}

/// Makes sure `files` hold a certificate for `names`: the operator's, kept as it is; quay's,
/// re-issued (by the same CA) when it lacks a name or nears its end; or, on a first start, a new
/// CA and a certificate signed by it. Refuses, saying how to proceed, when the files are half of
/// something (a certificate without its key, a CA quay did not make).
pub fn ensure(files: &TlsFiles, names: &[String]) -> anyhow::Result<Outcome> {
    renew(files, names, false)
}

/// Issues a new server certificate from the install's CA now (`quay tls rotate`): clients that
/// trust `rootCA.pem` keep working. Refuses an operator's certificate, which quay never rewrites.
pub fn rotate(files: &TlsFiles, names: &[String]) -> anyhow::Result<Outcome> {
    if !files.marker.exists() && files.cert.exists() {
        bail!(
            "{} is a custom certificate (there is no {}); quay never rewrites it: replace {} and {} yourself, \
             and the server serves them within {} seconds",
            files.cert.display(),
            files.marker.display(),
            files.cert.display(),
            files.key.display(),
            WATCH_SECONDS
        );
    }
    renew(files, names, true)
}

fn renew(files: &TlsFiles, names: &[String], force: bool) -> anyhow::Result<Outcome> {
    let recorded = match std::fs::read_to_string(&files.marker) {
        Ok(text) => Some(serde_json::from_str::<Issued>(&text).with_context(|| {
            format!(
                "{} is not quay's record of its certificate; remove it to keep {} as a custom certificate",
                files.marker.display(),
                files.cert.display()
            )
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", files.marker.display())),
    };
    let Some(recorded) = recorded else {
        match (files.cert.exists(), files.key.exists()) {
            (true, true) => return Ok(Outcome::Custom),
            (true, false) | (false, true) => bail!(
                "{} and {} go together and only one of them exists; restore the other, or remove both to have \
                 quay make a certificate signed by its local CA",
                files.cert.display(),
                files.key.display()
            ),
            (false, false) => {}
        }
        if files.ca_cert.exists() || files.ca_key.exists() {
            bail!(
                "{} or {} exists but quay did not make it (there is no {}); provide {} and {} signed by that CA, or \
                 remove the CA files to have quay make a new one",
                files.ca_cert.display(),
                files.ca_key.display(),
                files.marker.display(),
                files.cert.display(),
                files.key.display()
            );
        }
        return issue(files, names.to_vec(), None);
    };
    let today = chrono::Utc::now().date_naive();
    let whole = [&files.ca_cert, &files.ca_key, &files.cert, &files.key].iter().all(|p| p.exists());
    let covers = names.iter().all(|n| recorded.names.contains(n));
    if !force && whole && covers && (recorded.not_after - today).num_days() > RENEW_DAYS {
        return Ok(Outcome::Current);
    }
    // Names the certificate held stay in it: clients that used them keep working.
    let mut all = names.to_vec();
    for name in &recorded.names {
        if !all.contains(name) {
            all.push(name.clone());
        }
    }
    let ca_usable =
        files.ca_cert.exists() && files.ca_key.exists() && (recorded.ca_not_after - today).num_days() > RENEW_DAYS;
    issue(files, all, ca_usable.then_some((recorded.ca, recorded.ca_not_after)))
}

/// The CA's certificate parameters, the same each time for the same name: re-signing with an
/// existing CA needs only its name and key.
fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::OrganizationName, "quay");
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params
}

/// Signs a server certificate for `names`, with the CA `ca` (its name and end) or a new one.
fn issue(files: &TlsFiles, names: Vec<String>, ca: Option<(String, NaiveDate)>) -> anyhow::Result<Outcome> {
    let at = |date: NaiveDate| rcgen::date_time_ymd(date.year(), date.month() as u8, date.day() as u8);
    let today = chrono::Utc::now().date_naive();
    // Valid from yesterday: a client whose clock is a little behind still accepts it.
    let not_before = today - chrono::Days::new(1);
    let new_ca = ca.is_none();
    let (ca_name, ca_not_after) = ca.unwrap_or_else(|| {
        (format!("quay local CA {}", crate::util::random_token(8)), today + chrono::Duration::days(CA_DAYS))
    });
    let not_after = (today + chrono::Duration::days(LEAF_DAYS)).min(ca_not_after);
    let record = Issued { ca: ca_name.clone(), ca_not_after, names: names.clone(), not_after };
    // The record first: from here on the files are quay's, and a start cut short is finished.
    crate::util::write_file(&files.marker, serde_json::to_string_pretty(&record)?.as_bytes(), 0o644)?;

    let ca_key = if new_ca {
        let key = KeyPair::generate().context("cannot generate the CA's key")?;
        let mut params = ca_params(&ca_name);
        params.not_before = at(not_before);
        params.not_after = at(ca_not_after);
        let cert = params.self_signed(&key).context("cannot make the CA's certificate")?;
        crate::util::write_file(&files.ca_key, key.serialize_pem().as_bytes(), 0o600)?;
        crate::util::write_file(&files.ca_cert, cert.pem().as_bytes(), 0o644)?;
        key
    } else {
        let pem = std::fs::read_to_string(&files.ca_key)
            .with_context(|| format!("cannot read the CA's key {}", files.ca_key.display()))?;
        KeyPair::from_pem(&pem).with_context(|| format!("{} is not a private key", files.ca_key.display()))?
    };
    let ca_pem = std::fs::read_to_string(&files.ca_cert)
        .with_context(|| format!("cannot read the CA's certificate {}", files.ca_cert.display()))?;
    let issuer = Issuer::new(ca_params(&ca_name), &ca_key);

    let mut params = CertificateParams::new(names.clone()).context("a name cannot go in a certificate")?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::OrganizationName, "quay");
    params.distinguished_name.push(DnType::CommonName, names.first().map(String::as_str).unwrap_or("localhost"));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = at(not_before);
    params.not_after = at(not_after);
    let key = KeyPair::generate().context("cannot generate the server's key")?;
    let cert = params.signed_by(&key, &issuer).context("cannot sign the server certificate")?;
    crate::util::write_file(&files.key, key.serialize_pem().as_bytes(), 0o600)?;
    crate::util::write_file(&files.cert, format!("{}{}", cert.pem(), ca_pem).as_bytes(), 0o644)?;
    Ok(Outcome::Issued { new_ca })
}

/// What a certificate file holds, read back: `quay tls show`, and the checks of a custom one.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateInfo {
    /// DNS names and IP addresses (subject alternative names).
    pub names: Vec<String>,
    /// Upper-case hex, as `openssl x509 -serial` prints it.
    pub serial: String,
    pub not_after: chrono::DateTime<chrono::Utc>,
    pub subject: String,
    pub issuer: String,
}

impl CertificateInfo {
    pub fn days_left(&self) -> i64 {
        (self.not_after - chrono::Utc::now()).num_days()
    }

    /// Whether the certificate holds `name` (an exact name or address, or a `*.` wildcard for
    /// one label).
    pub fn covers(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.names.iter().any(|n| {
            let n = n.to_ascii_lowercase();
            n == name
                || n.strip_prefix("*.").is_some_and(|suffix| {
                    name.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == suffix)
                })
        })
    }
}

/// Reads the first certificate of a PEM file.
pub fn inspect(path: &Path) -> anyhow::Result<CertificateInfo> {
    let der = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .next()
        .with_context(|| format!("{} holds no certificate", path.display()))?
        .with_context(|| format!("{} is not a PEM certificate", path.display()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| anyhow::anyhow!("{} is not an X.509 certificate: {e}", path.display()))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(dns) => names.push((*dns).to_owned()),
                x509_parser::extensions::GeneralName::IPAddress(bytes) => {
                    let ip = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(*bytes).ok().map(IpAddr::from),
                        _ => None,
                    };
                    names.extend(ip.map(|ip| ip.to_string()));
                }
                _ => {}
            }
        }
    }
    let not_after = chrono::DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0).unwrap_or_default();
    Ok(CertificateInfo {
        names,
        serial: hex::encode_upper(cert.raw_serial()),
        not_after,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
    })
}

/// What is wrong with the served certificate for clients using `names`: the key does not match,
/// a name is missing, it has expired or is about to. Empty when all is well.
pub fn problems(files: &TlsFiles, names: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    if let Err(e) = ServedCertificate::load(&files.cert, &files.key) {
        found.push(format!("{e:#}"));
    }
    match inspect(&files.cert) {
        Err(e) => found.push(format!("{e:#}")),
        Ok(info) => {
            for name in names.iter().filter(|n| !info.covers(n)) {
                found.push(format!("{} does not hold the name {name}", files.cert.display()));
            }
            match info.days_left() {
                d if d < 0 => {
                    found.push(format!("{} expired on {}", files.cert.display(), info.not_after.date_naive()))
                }
                d if d <= RENEW_DAYS => found.push(format!(
                    "{} expires in {d} days ({})",
                    files.cert.display(),
                    info.not_after.date_naive()
                )),
                _ => {}
            }
        }
    }
    found
}

/// How often a running server looks at its certificate files for a new certificate.
pub const WATCH_SECONDS: u64 = 10;

/// The certificate the server presents, read again from its files on demand (`SIGHUP`), so that
/// a renewed or replaced certificate is served without a restart.
#[derive(Debug)]
pub struct ServedCertificate {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: std::sync::RwLock<Arc<rustls::sign::CertifiedKey>>,
    /// The files' modification times and sizes when last read.
    seen: std::sync::Mutex<Option<FileStamps>>,
}

type FileStamps = [(std::time::SystemTime, u64); 2];

impl ServedCertificate {
    fn load(cert_path: &Path, key_path: &Path) -> anyhow::Result<rustls::sign::CertifiedKey> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
            .with_context(|| format!("cannot read {}", cert_path.display()))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("{} is not a PEM certificate chain", cert_path.display()))?;
        let key = PrivateKeyDer::from_pem_file(key_path)
            .with_context(|| format!("cannot read the key {}", key_path.display()))?;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(key)
            .with_context(|| format!("{} is not a usable private key", key_path.display()))?;
        let certified = rustls::sign::CertifiedKey::new(certs, signing);
        certified.keys_match().context("the TLS certificate and key do not match")?;
        Ok(certified)
    }

    fn stamps(&self) -> Option<FileStamps> {
        let stamp = |p: &Path| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
        Some([stamp(&self.cert_path)?, stamp(&self.key_path)?])
    }

    /// Reads the files again; on any error the certificate served so far stays.
    pub fn reload(&self) -> anyhow::Result<()> {
        let stamps = self.stamps();
        let fresh = Self::load(&self.cert_path, &self.key_path)?;
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(fresh);
        }
        if let Ok(mut seen) = self.seen.lock() {
            *seen = stamps;
        }
        Ok(())
    }

    /// Reloads when the files changed since they were last read (a rotation, a renewal, an
    /// operator's new certificate): `Ok(true)` when it did. A pair caught half-written fails to
    /// load and is tried again at the next look.
    pub fn reload_if_changed(&self) -> anyhow::Result<bool> {
        let now = self.stamps();
        if now.is_none() || self.seen.lock().is_ok_and(|seen| *seen == now) {
            return Ok(false);
        }
        self.reload().map(|()| true)
    }
}

impl rustls::server::ResolvesServerCert for ServedCertificate {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}

/// A TLS acceptor for the certificate and key files, and the handle that reloads them.
pub fn acceptor(
    cert_path: &Path,
    key_path: &Path,
) -> anyhow::Result<(tokio_rustls::TlsAcceptor, Arc<ServedCertificate>)> {
    let served = Arc::new(ServedCertificate {
        cert_path: cert_path.to_path_buf(),
        key_path: key_path.to_path_buf(),
        current: std::sync::RwLock::new(Arc::new(ServedCertificate::load(cert_path, key_path)?)),
        seen: std::sync::Mutex::new(None),
    });
    if let Ok(mut seen) = served.seen.lock() {
        *seen = served.stamps();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(served.clone());
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((tokio_rustls::TlsAcceptor::from(Arc::new(config)), served))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_names() {
        assert_eq!(host_of("registry.example:8443"), "registry.example");
        assert_eq!(host_of("registry.example"), "registry.example");
        assert_eq!(host_of("[fd00::1]:8443"), "fd00::1");
        assert_eq!(host_of("[fd00::1]"), "fd00::1");
        assert_eq!(host_of("10.0.0.5:443"), "10.0.0.5");
        assert_eq!(
            certificate_names("Mirror.Example:8443", Some("10.1.2.3".parse().unwrap())),
            ["mirror.example", "localhost", "127.0.0.1", "::1", "10.1.2.3"]
        );
        assert_eq!(
            certificate_names("[fd00::1]:8443", Some("::".parse().unwrap())),
            ["fd00::1", "localhost", "127.0.0.1", "::1"]
        );
    }

    #[test]
    fn a_first_start_makes_a_ca_and_later_starts_keep_or_extend_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = TlsFiles::in_dir(dir.path());
        let names = certificate_names("mirror.example:8443", None);
        assert_eq!(ensure(&files, &names).unwrap(), Outcome::Issued { new_ca: true });
        let ca = std::fs::read(&files.ca_cert).unwrap();
        let chain = std::fs::read_to_string(&files.cert).unwrap();
        assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(chain.ends_with(std::str::from_utf8(&ca).unwrap()));
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            [mode(&files.ca_cert), mode(&files.ca_key), mode(&files.cert), mode(&files.key), mode(&files.marker)],
            [0o644, 0o600, 0o644, 0o600, 0o644]
        );
        assert_eq!(ensure(&files, &names).unwrap(), Outcome::Current);
        // A new name: a new leaf from the same CA.
        let more = certificate_names("other.example:8443", None);
        assert_eq!(ensure(&files, &more).unwrap(), Outcome::Issued { new_ca: false });
        assert_eq!(std::fs::read(&files.ca_cert).unwrap(), ca);
        let record: Issued = serde_json::from_slice(&std::fs::read(&files.marker).unwrap()).unwrap();
        assert!(
            record.names.contains(&"mirror.example".to_owned()) && record.names.contains(&"other.example".to_owned())
        );
        // Without the marker, the files are the operator's.
        std::fs::remove_file(&files.marker).unwrap();
        assert_eq!(ensure(&files, &more).unwrap(), Outcome::Custom);
        // Half a pair is refused, and nothing is written.
        std::fs::remove_file(&files.key).unwrap();
        let err = ensure(&files, &more).unwrap_err().to_string();
        assert!(err.contains("only one of them exists"), "{err}");
        assert!(!files.key.exists());
        // A CA quay did not record is not overwritten.
        std::fs::remove_file(&files.cert).unwrap();
        let err = ensure(&files, &more).unwrap_err().to_string();
        assert!(err.contains("quay did not make it"), "{err}");
        assert_eq!(std::fs::read(&files.ca_cert).unwrap(), ca);
    }
}
