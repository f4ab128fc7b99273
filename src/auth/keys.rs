//! This node's RS256 signing key and the set of keys whose tokens it accepts.
//!
//! Quay's scheme: every node owns a 2048-bit RSA key, identified by its RFC 7638 JWK thumbprint
//! (`kid`), registered auto-approved in `servicekey` with an expiry that a background task keeps
//! renewing. A token is valid on any node when its `kid` is an approved, unexpired key of the
//! service, so nodes (and a Python Quay sharing the database) accept each other's tokens.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::Digest as _;

use crate::db::Db;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    /// The public JWK as stored in `servicekey.jwk`.
    pub jwk: serde_json::Value,
}

impl SigningKey {
    /// Loads the key at `key_path`, or generates one there (mode 0600) with its kid beside it.
    pub fn load_or_generate(key_path: &Path, kid_path: &Path) -> anyhow::Result<SigningKey> {
        let pem = if key_path.exists() {
            std::fs::read_to_string(key_path).with_context(|| format!("cannot read {}", key_path.display()))?
        } else {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
            let der = pair.as_der().map_err(|_| anyhow::anyhow!("cannot encode the RSA key"))?;
            let pem = pem_encode("PRIVATE KEY", der.as_ref());
            crate::util::write_private_file(key_path, pem.as_bytes())?;
            pem
        };
        let key = Self::from_pem(&pem).with_context(|| format!("in {}", key_path.display()))?;
        if std::fs::read_to_string(kid_path).map(|k| k.trim() != key.kid).unwrap_or(true) {
            crate::util::write_private_file(kid_path, key.kid.as_bytes())?;
        }
        Ok(key)
    }

    /// Accepts PKCS#8 (`PRIVATE KEY`) and PKCS#1 (`RSA PRIVATE KEY`, as Quay writes `quay.pem`).
    pub fn from_pem(pem: &str) -> anyhow::Result<SigningKey> {
        let (label, der) = pem_decode(pem)?;
        let pair = match label.as_str() {
            "PRIVATE KEY" => aws_lc_rs::rsa::KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => aws_lc_rs::rsa::KeyPair::from_der(&der),
            other => bail!("expected an RSA private key, found `{other}`"),
        }
        .map_err(|e| anyhow::anyhow!("not a usable RSA private key: {e}"))?;
        let public = pair.public_key();
        let n = B64URL.encode(public.modulus().big_endian_without_leading_zero());
        let e = B64URL.encode(public.exponent().big_endian_without_leading_zero());
        let kid = jwk_thumbprint(&n, &e);
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).context("cannot load the signing key")?;
        let jwk = serde_json::json!({"kty": "RSA", "n": n, "e": e, "kid": kid});
        Ok(SigningKey { kid, encoding, jwk })
    }
}

/// RFC 7638: base64url(SHA-256 of the canonical JSON `{"e":..,"kty":"RSA","n":..}`).
pub fn jwk_thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    B64URL.encode(sha2::Sha256::digest(canonical.as_bytes()))
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn pem_decode(pem: &str) -> anyhow::Result<(String, Vec<u8>)> {
    let begin = pem.find("-----BEGIN ").context("not a PEM file")?;
    let rest = &pem[begin + 11..];
    let label_end = rest.find("-----").context("not a PEM file")?;
    let label = rest[..label_end].to_owned();
    let body_start = label_end + 5;
    let end = rest.find("-----END ").context("PEM file has no END line")?;
    let body: String = rest[body_start..end].chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).context("PEM body is not base64")?;
    Ok((label, der))
}

/// How often an unknown `kid` may reload the accepted keys from `servicekey`.
const REFRESH_INTERVAL: Duration = Duration::from_millis(100);

/// The public keys this node accepts tokens from, refreshed from `servicekey` when a token names
/// an unknown `kid`.
pub struct VerificationKeys {
    service: String,
    keys: RwLock<(HashMap<String, DecodingKey>, Option<Instant>)>,
    /// Tokens already verified, by their SHA-256, with the instant their entry lapses: every
    /// registry request carries one, and an RSA verification per request is a fifth of a manifest
    /// GET's cost. Bounded in bytes: anyone may mint anonymous tokens.
    verified: Mutex<VerifiedTokens>,
}

#[derive(Default)]
struct VerifiedTokens {
    entries: HashMap<[u8; 32], (crate::auth::Claims, Instant, usize)>,
    bytes: usize,
}

/// A verified token is trusted from the cache for at most this long (or until it expires), so a
/// key withdrawn from `servicekey` stops being honoured within this time.
const VERIFIED_TTL: Duration = Duration::from_secs(60);
/// What the verified tokens may take, roughly, in memory.
const VERIFIED_MAX_BYTES: usize = 8 << 20;

impl VerificationKeys {
    pub fn new(service: &str) -> Self {
        VerificationKeys {
            service: service.to_owned(),
            keys: RwLock::new((HashMap::new(), None)),
            verified: Mutex::new(VerifiedTokens::default()),
        }
    }

    /// The claims of a token verified earlier, if still fresh.
    pub fn cached(&self, token: &str) -> Option<crate::auth::Claims> {
        let key: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        let guard = self.verified.lock().ok()?;
        let (claims, until, _) = guard.entries.get(&key)?;
        (Instant::now() < *until && claims.exp > chrono::Utc::now().timestamp()).then(|| claims.clone())
    }

    pub fn remember(&self, token: &str, claims: &crate::auth::Claims) {
        let key: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        let size = claims.approximate_size();
        let Ok(mut guard) = self.verified.lock() else { return };
        if guard.bytes + size > VERIFIED_MAX_BYTES {
            let now = Instant::now();
            guard.entries.retain(|_, (_, until, _)| *until > now);
            guard.bytes = guard.entries.values().map(|(_, _, size)| size).sum();
            if guard.bytes + size > VERIFIED_MAX_BYTES {
                guard.entries.clear();
                guard.entries.shrink_to_fit();
                guard.bytes = 0;
            }
        }
        if let Some((_, _, old)) = guard.entries.insert(key, (claims.clone(), Instant::now() + VERIFIED_TTL, size)) {
            guard.bytes -= old;
        }
        guard.bytes += size;
    }

    pub async fn get(&self, db: &Db, kid: &str) -> Option<DecodingKey> {
        let last_refresh = match self.keys.read() {
            Ok(guard) => {
                if let Some(k) = guard.0.get(kid) {
                    return Some(k.clone());
                }
                guard.1
            }
            Err(_) => None,
        };
        // An unknown kid reloads the keys, at most every REFRESH_INTERVAL: a node that just
        // joined is learnt within that time, and forged kids cannot hammer the database.
        if let Some(wait) = last_refresh.and_then(|t| REFRESH_INTERVAL.checked_sub(t.elapsed())) {
            tokio::time::sleep(wait).await;
            if let Some(k) = self.keys.read().ok().and_then(|g| g.0.get(kid).cloned()) {
                return Some(k);
            }
        }
        if let Err(e) = self.refresh(db).await {
            tracing::warn!(error = %e, "cannot load service keys");
        }
        self.keys.read().ok().and_then(|g| g.0.get(kid).cloned())
    }

    pub async fn refresh(&self, db: &Db) -> anyhow::Result<()> {
        let rows = crate::db::service_key::approved_service_keys(&db.read, &self.service).await?;
        let mut map = HashMap::new();
        for row in rows {
            let jwk: serde_json::Value = match serde_json::from_str(&row.jwk) {
                Ok(v) => v,
                Err(_) => continue,
            };
            let (Some(n), Some(e)) = (jwk["n"].as_str(), jwk["e"].as_str()) else { continue };
            if let Ok(key) = DecodingKey::from_rsa_components(n, e) {
                map.insert(row.kid, key);
            }
        }
        if let Ok(mut guard) = self.keys.write() {
            *guard = (map, Some(Instant::now()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // The example key of RFC 7638 section 3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(jwk_thumbprint(n, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn generated_key_round_trips_through_pem() {
        let dir = tempfile::tempdir().unwrap();
        let a = SigningKey::load_or_generate(&dir.path().join("quay.pem"), &dir.path().join("quay.kid")).unwrap();
        let b = SigningKey::load_or_generate(&dir.path().join("quay.pem"), &dir.path().join("quay.kid")).unwrap();
        assert_eq!(a.kid, b.kid);
        assert_eq!(std::fs::read_to_string(dir.path().join("quay.kid")).unwrap(), a.kid);
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("quay.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
