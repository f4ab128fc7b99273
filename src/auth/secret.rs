//! Quay's encrypted database fields and secret-key derivation (`data/encryption.py`,
//! `util/security/secret.py`), bit for bit, so that values written by Python Quay decrypt here and
//! the other way round.
//!
//! A field is `v0$$` + base64(nonce[13] || AES-256-CCM ciphertext || tag[16]), no associated data,
//! with the key derived from `DATABASE_SECRET_KEY` by [`convert_secret_key`].

use aes::Aes256;
use base64::Engine as _;
use ccm::aead::{Aead, KeyInit};
use ccm::consts::{U13, U16};
use rand::RngCore as _;

type Aes256Ccm = ccm::Ccm<Aes256, U16, U13>;

const VERSION: &str = "v0";
const SEPARATOR: &str = "$$";
const NONCE_LEN: usize = 13;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret key contains characters outside Latin-1")]
    KeyNotLatin1,
    #[error("the secret key is empty")]
    KeyEmpty,
    #[error("the encrypted value is malformed or was encrypted with another key")]
    DecryptionFailed,
}

/// Quay's `convert_secret_key`: a decimal integer whose hex form has an even number of digits
/// becomes those bytes; else a UUID becomes its 16 bytes; else the string's Latin-1 bytes. The
/// result is repeated to 32 bytes.
pub fn convert_secret_key(secret: &str) -> Result<[u8; 32], SecretError> {
    let bytes = python_int_hex_bytes(secret).or_else(|| python_uuid_bytes(secret)).map(Ok).unwrap_or_else(|| {
        secret.chars().map(|c| u8::try_from(u32::from(c)).map_err(|_| SecretError::KeyNotLatin1)).collect()
    })?;
    if bytes.is_empty() {
        return Err(SecretError::KeyEmpty);
    }
    let mut key = [0u8; 32];
    for (i, b) in key.iter_mut().enumerate() {
        *b = bytes[i % bytes.len()];
    }
    Ok(key)
}

/// `bytes.fromhex(format(int(s), "02x"))`, or `None` where Python raises.
fn python_int_hex_bytes(s: &str) -> Option<Vec<u8>> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.starts_with('-') {
        // A negative number formats as "-..", which fromhex rejects.
        return None;
    }
    // Underscores are allowed only between digits.
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let mut limbs: Vec<u32> = vec![0]; // little-endian base 2^32
    for c in t.chars().filter(|c| *c != '_') {
        let d = c.to_digit(10)?;
        let mut carry = u64::from(d);
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * 10 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    let mut hex = String::new();
    for limb in limbs.iter().rev() {
        hex.push_str(&format!("{limb:08x}"));
    }
    let hex = hex.trim_start_matches('0');
    let hex = if hex.len() < 2 { format!("{hex:0>2}") } else { hex.to_owned() };
    if hex.len() % 2 == 1 {
        return None;
    }
    hex::decode(hex).ok()
}

/// `uuid.UUID(s).bytes`, or `None` where Python raises.
fn python_uuid_bytes(s: &str) -> Option<Vec<u8>> {
    let h = s.replace("urn:", "").replace("uuid:", "");
    let h = h.trim_matches(|c| c == '{' || c == '}').replace('-', "");
    if h.len() != 32 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    hex::decode(h).ok()
}

/// Encrypts and decrypts Quay's `Encrypted*Field` columns.
#[derive(Clone)]
pub struct FieldEncryption {
    key: [u8; 32],
}

impl FieldEncryption {
    pub fn new(database_secret_key: &str) -> Result<Self, SecretError> {
        Ok(FieldEncryption { key: convert_secret_key(database_secret_key)? })
    }

    fn cipher(&self) -> Aes256Ccm {
        Aes256Ccm::new(&self.key.into())
    }

    pub fn encrypt(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption cannot fail for plaintexts under CCM's 2^16-byte limit at this nonce size;
        // every column holding such values is far shorter.
        let sealed = self.cipher().encrypt(&nonce.into(), plaintext.as_bytes()).unwrap_or_default();
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&sealed);
        format!("{VERSION}{SEPARATOR}{}", base64::engine::general_purpose::STANDARD.encode(raw))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, SecretError> {
        let (version, data) = stored.split_once(SEPARATOR).ok_or(SecretError::DecryptionFailed)?;
        if version != VERSION {
            return Err(SecretError::DecryptionFailed);
        }
        let raw = base64::engine::general_purpose::STANDARD.decode(data).map_err(|_| SecretError::DecryptionFailed)?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(SecretError::DecryptionFailed);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SecretError::DecryptionFailed)?;
        let plain = self.cipher().decrypt(&nonce.into(), sealed).map_err(|_| SecretError::DecryptionFailed)?;
        String::from_utf8(plain).map_err(|_| SecretError::DecryptionFailed)
    }
}

/// Quay's "encrypted password" (the CLI password that `user/initialize` and superuser user creation
/// return, and that Basic auth accepts in place of the password): base64(iv[16] || AES-256-CBC
/// with PKCS#7 of Python's `json.dumps({"password": pw})`), keyed by `SECRET_KEY`.
#[derive(Clone)]
pub struct CliPassword {
    key: [u8; 32],
}

impl CliPassword {
    pub fn new(secret_key: &str) -> Result<Self, SecretError> {
        Ok(CliPassword { key: convert_secret_key(secret_key)? })
    }

    fn cipher(&self) -> Aes256 {
        <Aes256 as aes::cipher::KeyInit>::new(&self.key.into())
    }

    pub fn encrypt(&self, password: &str) -> String {
        use aes::cipher::BlockCipherEncrypt as _;
        let mut plain = format!("{{\"password\": {}}}", python_json_string(password)).into_bytes();
        let pad = 16 - plain.len() % 16;
        plain.extend(std::iter::repeat_n(pad as u8, pad));
        let mut iv = [0u8; 16];
        rand::rng().fill_bytes(&mut iv);
        let cipher = self.cipher();
        let mut out = iv.to_vec();
        let mut previous = iv;
        for chunk in plain.chunks_exact(16) {
            let mut block = [0u8; 16];
            for (b, (p, v)) in block.iter_mut().zip(chunk.iter().zip(previous)) {
                *b = p ^ v;
            }
            let mut block = aes::Block::from(block);
            cipher.encrypt_block(&mut block);
            previous = block.into();
            out.extend_from_slice(&previous);
        }
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// The password inside, or None when `encrypted` is not one of ours.
    pub fn decrypt(&self, encrypted: &str) -> Option<String> {
        use aes::cipher::BlockCipherDecrypt as _;
        let raw = base64::engine::general_purpose::STANDARD.decode(encrypted.trim()).ok()?;
        if raw.len() < 32 || raw.len() % 16 != 0 {
            return None;
        }
        let cipher = self.cipher();
        let mut plain = Vec::with_capacity(raw.len() - 16);
        let mut previous: [u8; 16] = raw[..16].try_into().ok()?;
        for chunk in raw[16..].chunks_exact(16) {
            let current: [u8; 16] = chunk.try_into().ok()?;
            let mut block = aes::Block::from(current);
            cipher.decrypt_block(&mut block);
            let block: [u8; 16] = block.into();
            plain.extend(block.iter().zip(previous).map(|(b, v)| b ^ v));
            previous = current;
        }
        let pad = *plain.last()? as usize;
        if pad == 0 || pad > 16 || plain.len() < pad || !plain[plain.len() - pad..].iter().all(|&b| b as usize == pad) {
            return None;
        }
        plain.truncate(plain.len() - pad);
        let value: serde_json::Value = serde_json::from_slice(&plain).ok()?;
        value.get("password")?.as_str().map(str::to_owned)
    }
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`: everything outside ASCII as
/// `\uXXXX`, surrogate pairs above the BMP).
fn python_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_derivation_matches_quays_vectors() {
        assert_eq!(&convert_secret_key("somesecretkey").unwrap(), b"somesecretkeysomesecretkeysomese");
        assert_eq!(convert_secret_key("255").unwrap(), [0xff; 32]);
        assert_eq!(&convert_secret_key("256").unwrap(), b"25625625625625625625625625625625");
        assert_eq!(convert_secret_key("123").unwrap(), [0x7b; 32]);
        let uuid = hex::decode("123e4567e89b12d3a456426655440000").unwrap();
        let key = convert_secret_key("123e4567-e89b-12d3-a456-426655440000").unwrap();
        assert_eq!(&key[..16], uuid.as_slice());
        assert_eq!(&key[16..], uuid.as_slice());
        let big = convert_secret_key("60819670227914197377449333332023941570310823814007397361459893170384762698201")
            .unwrap();
        assert_eq!(hex::encode(big), "8676b6a4ebedf7ad63f66a3096674aa444f19be744ec3e20e412f26a2899f9d9");
        assert_eq!(&convert_secret_key("test1234").unwrap(), b"test1234test1234test1234test1234");
        assert_eq!(convert_secret_key(" 1_0 ").unwrap(), [0x0a; 32]);
        assert_eq!(convert_secret_key("日本"), Err(SecretError::KeyNotLatin1));
    }

    #[test]
    fn decrypts_values_written_by_python_quay() {
        let f = FieldEncryption::new("test1234").unwrap();
        assert_eq!(f.decrypt("v0$$XTxqlz/Kw8s9WKw+GaSvXFEKgpO/a2cGNhvnozzkaUh4C+FgHqZqnA==").unwrap(), "hello world");
        assert_eq!(f.decrypt("v0$$iE+87Qefu/2i+5zC87nlUtOskypk8MUUDS/QZPs=").unwrap(), "");
        assert_eq!(f.decrypt("v0$$9LadVsSvfAr9r1OvghSYcJqrJpv46t+U6NgLKrcFY6y2bQsASIN36g==").unwrap(), "hello world");
        let g = FieldEncryption::new("\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}").unwrap();
        assert_eq!(
            g.decrypt("v0$$2wwWX8IhUYzuh4cyMgSXF3MEVDlEhrf0CNimTghlHgCuK6E4+bLJb1xJOKxsXMs=").unwrap(),
            "hello world, again"
        );
    }

    #[test]
    fn round_trips_and_rejects_tampering() {
        let f = FieldEncryption::new("60819670227914197377449333332023941570310823814007397361459893170384762698201")
            .unwrap();
        let token = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01";
        let stored = f.encrypt(token);
        assert!(stored.starts_with("v0$$"));
        assert!(stored.len() + 4 <= 255, "fits Quay's EncryptedCharField length check");
        assert_eq!(f.decrypt(&stored).unwrap(), token);
        assert_ne!(f.encrypt(token), stored, "a fresh nonce every time");
        let other = FieldEncryption::new("another key").unwrap();
        assert_eq!(other.decrypt(&stored), Err(SecretError::DecryptionFailed));
        let mut tampered = stored.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(f.decrypt(&String::from_utf8(tampered).unwrap()), Err(SecretError::DecryptionFailed));
        for bad in ["", "v0", "v1$$AAAA", "v0$$!!!", "v0$$AAAA"] {
            assert_eq!(f.decrypt(bad), Err(SecretError::DecryptionFailed), "{bad}");
        }
    }

    #[test]
    fn cli_passwords_match_quay() {
        let key = "60819670227914197377449333332023941570310823814007397361459893170384762698201";
        let cli = CliPassword::new(key).unwrap();
        let quay = "cLJIuEm7radxwXwqoOG/9yXYxWW8JFCvgssBP3fHDatx/ckLrX9fZ4lZVj6WEv0D";
        assert_eq!(cli.decrypt(quay).as_deref(), Some("password"));
        for pw in ["password", "", "exactly-sixteen!", "naïve \"quoted\" \\ 🦀"] {
            let encrypted = cli.encrypt(pw);
            assert_eq!(cli.decrypt(&encrypted).as_deref(), Some(pw), "{pw}");
        }
        assert_eq!(python_json_string("a\"é🦀"), r#""a\"\u00e9\ud83e\udd80""#);
        assert_eq!(cli.decrypt("plain-password"), None);
        assert_eq!(CliPassword::new("another key").unwrap().decrypt(quay), None);
    }
}
