use std::fmt;

use sha2::Digest as _;
use sha2::digest::common::hazmat::SerializableState;

use super::OciError;

/// The digest algorithms a registry must support (OCI image spec: sha256 required, sha512 optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A validated content digest such as `sha256:<64 lowercase hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    /// Parses `algorithm:encoded`. Unknown algorithms and malformed hex are both `DigestInvalid`:
    /// the spec's grammar allows other algorithms, but a registry may only accept what it can verify.
    pub fn parse(s: &str) -> Result<Self, OciError> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| OciError::DigestInvalid(format!("`{}` has no algorithm prefix", truncate(s))))?;
        let algorithm = match alg {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => {
                return Err(OciError::DigestInvalid(format!("unsupported digest algorithm `{}`", truncate(other))));
            }
        };
        if hex.len() != algorithm.hex_len() || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(OciError::DigestInvalid(format!(
                "`{}` is not {} lowercase hex characters",
                truncate(s),
                algorithm.hex_len()
            )));
        }
        Ok(Digest { algorithm, hex: hex.to_owned() })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Quay's content-addressed storage path: `sha256/ab/abcdef...` (`digest_tools.content_path`).
    pub fn storage_path(&self) -> String {
        format!("{}/{}/{}", self.algorithm.name(), &self.hex[..2], self.hex)
    }

    /// The digest of `bytes` with `algorithm`.
    pub fn of(algorithm: Algorithm, bytes: &[u8]) -> Self {
        let mut h = Hasher::new(algorithm);
        h.update(bytes);
        h.finish()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// An incremental hash whose state can be saved and restored, so that a chunked upload can be
/// resumed by another process (or another node) without re-reading the bytes already stored.
#[derive(Clone)]
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

/// Version tag of the serialized hash state; bump it if the layout ever changes.
const STATE_PREFIX: &str = "rs1";

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            Hasher::Sha256(_) => Algorithm::Sha256,
            Hasher::Sha512(_) => Algorithm::Sha512,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> Digest {
        let algorithm = self.algorithm();
        let hex = match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        };
        Digest { algorithm, hex }
    }

    /// `rs1:<alg>:<base64 state>`. Quay stores a Python pickle in the same column, which no other
    /// program can read; a row written by Quay is recognised and refused by [`Hasher::restore`].
    pub fn save(&self) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let (alg, state) = match self {
            Hasher::Sha256(h) => ("sha256", b64.encode(h.serialize().as_slice())),
            Hasher::Sha512(h) => ("sha512", b64.encode(h.serialize().as_slice())),
        };
        format!("{STATE_PREFIX}:{alg}:{state}")
    }

    pub fn restore(saved: &str) -> Option<Self> {
        use base64::Engine as _;
        let mut parts = saved.splitn(3, ':');
        if parts.next()? != STATE_PREFIX {
            return None;
        }
        let alg = parts.next()?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(parts.next()?).ok()?;
        match alg {
            "sha256" => {
                let state = bytes.as_slice().try_into().ok()?;
                sha2::Sha256::deserialize(state).ok().map(Hasher::Sha256)
            }
            "sha512" => {
                let state = bytes.as_slice().try_into().ok()?;
                sha2::Sha512::deserialize(state).ok().map(Hasher::Sha512)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_valid_digests() {
        let d = Digest::parse(EMPTY_SHA256).unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha256);
        assert_eq!(d.to_string(), EMPTY_SHA256);
        assert_eq!(d.storage_path(), format!("sha256/e3/{}", &EMPTY_SHA256[7..]));
        let d512 = Digest::of(Algorithm::Sha512, b"");
        assert_eq!(Digest::parse(&d512.to_string()).unwrap(), d512);
    }

    #[test]
    fn rejects_malformed_digests() {
        for bad in [
            "",
            "sha256",
            "sha256:",
            "sha256:abc",
            &EMPTY_SHA256.to_uppercase(),
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            &format!("{EMPTY_SHA256}0"),
            "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha256:../../../../etc/passwd/00000000000000000000000000000000000000000",
        ] {
            assert!(matches!(Digest::parse(bad), Err(OciError::DigestInvalid(_))), "{bad}");
        }
    }

    #[test]
    fn hash_state_survives_save_and_restore() {
        for alg in [Algorithm::Sha256, Algorithm::Sha512] {
            let mut h = Hasher::new(alg);
            h.update(b"hello ");
            let mut restored = Hasher::restore(&h.save()).unwrap();
            restored.update(b"world");
            assert_eq!(restored.finish(), Digest::of(alg, b"hello world"));
        }
        assert!(Hasher::restore("gAJjcmVzdW1hYmxlaGFzaGxpYg==").is_none());
        assert!(Hasher::restore("rs1:sha256:AAAA").is_none());
    }
}
