//! Docker image manifest schema 1 (`...manifest.v1+json`, signed `...v1+prettyjws`): legacy images
//! still carry it, so it is accepted and served as stored, as Quay does; it is never converted.
//!
//! A signed manifest is a "pretty JWS" (libtrust): the manifest's JSON with a `signatures` array
//! spliced in before its closing brace. Each signature's protected header says how to cut the
//! signed payload back out (`formatLength` bytes of the document, then `formatTail`); the payload
//! is what is signed and what the manifest's digest is computed over, so the digest survives
//! re-signing.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey, VerificationAlgorithm};
use base64::Engine as _;
use serde_json::{Map, Value};

use super::{Digest, OciError};

/// What the registry needs of a schema 1 manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema1 {
    /// The repository it names (`namespace/repo`, or `repo` for a library image).
    pub name: String,
    pub tag: String,
    /// `fsLayers[].blobSum`, top layer first as the manifest lists them (repeats kept).
    pub layers: Vec<Digest>,
    /// `history[].v1Compatibility`, parsed, parallel to `layers`.
    pub history: Vec<Map<String, Value>>,
    /// The signed payload (the document without its signatures) when the manifest is signed.
    pub payload: Option<Vec<u8>>,
}

impl Schema1 {
    /// The labels of the image (`config.Labels` of the top layer's v1 metadata).
    pub fn labels(&self) -> Map<String, Value> {
        self.history
            .first()
            .and_then(|h| h.get("config"))
            .and_then(|c| c.get("Labels"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    /// The layers' digests once each, in manifest order.
    pub fn distinct_layers(&self) -> Vec<&Digest> {
        let mut seen = std::collections::HashSet::new();
        self.layers.iter().filter(|d| seen.insert(*d)).collect()
    }
}

fn invalid(msg: impl Into<String>) -> OciError {
    OciError::ManifestInvalid(msg.into())
}

fn b64url(s: &str) -> Result<Vec<u8>, OciError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| invalid("a signature field is not base64url"))
}

/// Parses a schema 1 manifest `doc` (already parsed from `bytes`), verifying its signatures when
/// it has any (the signed payload is then kept in [`Schema1::payload`]).
pub(super) fn parse(bytes: &[u8], doc: &Map<String, Value>) -> Result<Schema1, OciError> {
    let payload = match doc.get("signatures") {
        None | Some(Value::Null) => None,
        Some(Value::Array(signatures)) if !signatures.is_empty() => Some(verify_signatures(bytes, signatures)?),
        Some(_) => return Err(invalid("signatures must be a non-empty array")),
    };
    // What is signed is what counts: the fields come from the payload, and the document around
    // it may add nothing but the signatures.
    let signed: Map<String, Value>;
    let fields = match &payload {
        Some(p) => {
            signed = serde_json::from_slice::<Value>(p)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .ok_or_else(|| invalid("the signed payload is not a JSON object"))?;
            let mut rest = doc.clone();
            rest.remove("signatures");
            if rest != signed {
                return Err(invalid("the manifest differs from its signed payload"));
            }
            &signed
        }
        None => doc,
    };
    let text = |key: &str| {
        fields.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| invalid(format!("{key} is missing")))
    };
    let (name, tag) = (text("name")?, text("tag")?);
    let fs_layers = fields.get("fsLayers").and_then(Value::as_array).ok_or_else(|| invalid("fsLayers is missing"))?;
    if fs_layers.is_empty() {
        return Err(invalid("the manifest does not reference any layers"));
    }
    let layers = fs_layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let sum = l
                .get("blobSum")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(format!("fsLayers[{i}] has no blobSum")))?;
            Digest::parse(sum).map_err(|e| invalid(format!("fsLayers[{i}]: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let history = fields.get("history").and_then(Value::as_array).ok_or_else(|| invalid("history is missing"))?;
    if history.len() != layers.len() {
        return Err(invalid("history and fsLayers differ in length"));
    }
    let history = history
        .iter()
        .enumerate()
        .map(|(i, h)| {
            h.get("v1Compatibility")
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .and_then(|v| v.as_object().cloned())
                .ok_or_else(|| invalid(format!("history[{i}].v1Compatibility is not a JSON object")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Schema1 { name, tag, layers, history, payload })
}

/// Verifies every signature of a pretty JWS and returns the payload they sign (all of them must
/// sign the same one).
fn verify_signatures(bytes: &[u8], signatures: &[Value]) -> Result<Vec<u8>, OciError> {
    let mut payload: Option<Vec<u8>> = None;
    for (i, s) in signatures.iter().enumerate() {
        let field = |key: &str| {
            s.get(key).and_then(Value::as_str).ok_or_else(|| invalid(format!("signatures[{i}] has no {key}")))
        };
        let protected = field("protected")?;
        let header: Value = serde_json::from_slice(&b64url(protected)?)
            .map_err(|_| invalid(format!("signatures[{i}]: the protected header is not JSON")))?;
        let length = header
            .get("formatLength")
            .and_then(Value::as_u64)
            .filter(|&n| n as usize <= bytes.len())
            .ok_or_else(|| invalid(format!("signatures[{i}]: no valid formatLength")))? as usize;
        let tail = header
            .get("formatTail")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("signatures[{i}]: no formatTail")))?;
        let mut signed = bytes[..length].to_vec();
        signed.extend_from_slice(&b64url(tail)?);
        if payload.as_ref().is_some_and(|p| p != &signed) {
            return Err(invalid("the signatures sign different payloads"));
        }
        let alg = s.get("header").and_then(|h| h.get("alg")).and_then(Value::as_str).unwrap_or("");
        let jwk = s
            .get("header")
            .and_then(|h| h.get("jwk"))
            .ok_or_else(|| invalid(format!("signatures[{i}] names no key (jwk)")))?;
        let input = format!("{protected}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&signed));
        verify(alg, jwk, input.as_bytes(), &b64url(field("signature")?)?)
            .map_err(|why| invalid(format!("signatures[{i}]: {why}")))?;
        payload = Some(signed);
    }
    payload.ok_or_else(|| invalid("no signatures"))
}

/// Checks one JWS signature made with `alg` by the public key `jwk` (libtrust signs with ECDSA or
/// RSA PKCS#1 v1.5).
fn verify(alg: &str, jwk: &Value, message: &[u8], sig: &[u8]) -> Result<(), &'static str> {
    let part = |key: &str| {
        jwk.get(key)
            .and_then(Value::as_str)
            .ok_or("the key is incomplete")
            .and_then(|v| b64url(v).map_err(|_| "the key is not base64url"))
    };
    let ec: Option<(&'static dyn VerificationAlgorithm, &str, usize)> = match alg {
        "ES256" => Some((&signature::ECDSA_P256_SHA256_FIXED, "P-256", 32)),
        "ES384" => Some((&signature::ECDSA_P384_SHA384_FIXED, "P-384", 48)),
        "ES512" => Some((&signature::ECDSA_P521_SHA512_FIXED, "P-521", 66)),
        _ => None,
    };
    if let Some((algorithm, curve, len)) = ec {
        if jwk.get("kty").and_then(Value::as_str) != Some("EC") || jwk.get("crv").and_then(Value::as_str) != Some(curve)
        {
            return Err("the key does not match the signature's algorithm");
        }
        let (x, y) = (part("x")?, part("y")?);
        if x.len() != len || y.len() != len {
            return Err("the key's coordinates have the wrong length");
        }
        let point: Vec<u8> = std::iter::once(4).chain(x).chain(y).collect();
        return UnparsedPublicKey::new(algorithm, point)
            .verify(message, sig)
            .map_err(|_| "the signature does not verify");
    }
    let rsa = match alg {
        "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
        _ => return Err("unsupported signature algorithm"),
    };
    if jwk.get("kty").and_then(Value::as_str) != Some("RSA") {
        return Err("the key does not match the signature's algorithm");
    }
    RsaPublicKeyComponents { n: part("n")?, e: part("e")? }
        .verify(rsa, message, sig)
        .map_err(|_| "the signature does not verify")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    const LAYER: &str = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    /// Signs `manifest` the way libtrust does (pretty JWS, ES256).
    pub(crate) fn sign(manifest: &Value) -> Vec<u8> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = key.public_key().as_ref();
        let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let payload = serde_json::to_string_pretty(manifest).unwrap();
        // Cut before the final newline and brace, as libtrust does.
        let cut = payload.rfind('\n').unwrap();
        let protected = enc(
            json!({"formatLength": cut, "formatTail": enc(&payload.as_bytes()[cut..]), "time": "2015-01-01T00:00:00Z"})
                .to_string()
                .as_bytes(),
        );
        let input = format!("{protected}.{}", enc(payload.as_bytes()));
        let sig = key.sign(&rng, input.as_bytes()).unwrap();
        let signature = json!([{"header": {"jwk": {"kty": "EC", "crv": "P-256", "x": enc(&point[1..33]), "y": enc(&point[33..])}, "alg": "ES256"},
            "signature": enc(sig.as_ref()), "protected": protected}]);
        let signatures = serde_json::to_string_pretty(&json!({"signatures": signature})).unwrap();
        // `,\n   "signatures": [...]` spliced in before the tail.
        let inner = &signatures[1..signatures.len() - 2];
        format!("{},{}{}", &payload[..cut], inner, &payload[cut..]).into_bytes()
    }

    fn manifest() -> Value {
        json!({"schemaVersion": 1, "name": "ns/repo", "tag": "v1", "architecture": "amd64",
            "fsLayers": [{"blobSum": LAYER}, {"blobSum": LAYER}],
            "history": [{"v1Compatibility": "{\"id\":\"b\",\"parent\":\"a\",\"config\":{\"Labels\":{\"k\":\"v\"}}}"},
                        {"v1Compatibility": "{\"id\":\"a\"}"}]})
    }

    fn doc(bytes: &[u8]) -> Map<String, Value> {
        serde_json::from_slice::<Value>(bytes).unwrap().as_object().unwrap().clone()
    }

    #[test]
    fn verifies_signed_manifests_and_cuts_their_payload() {
        let bytes = sign(&manifest());
        let m = parse(&bytes, &doc(&bytes)).unwrap();
        assert_eq!((m.name.as_str(), m.tag.as_str()), ("ns/repo", "v1"));
        assert_eq!(m.distinct_layers().len(), 1);
        assert_eq!(m.labels().get("k"), Some(&json!("v")));
        let payload = m.payload.unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&payload).unwrap(), manifest());

        // A changed byte inside the payload breaks the signature.
        let tampered = String::from_utf8(bytes.clone()).unwrap().replace("\"v1\"", "\"v2\"").into_bytes();
        assert!(matches!(parse(&tampered, &doc(&tampered)), Err(OciError::ManifestInvalid(_))));
    }

    #[test]
    fn reads_unsigned_manifests_and_refuses_malformed_ones() {
        let bytes = serde_json::to_vec(&manifest()).unwrap();
        let m = parse(&bytes, &doc(&bytes)).unwrap();
        assert!(m.payload.is_none());
        for broken in [
            json!({"schemaVersion": 1, "name": "a/b", "tag": "t", "fsLayers": [], "history": []}),
            json!({"schemaVersion": 1, "name": "a/b", "tag": "t", "fsLayers": [{"blobSum": LAYER}], "history": []}),
            json!({"schemaVersion": 1, "name": "a/b", "fsLayers": [{"blobSum": LAYER}], "history": [{"v1Compatibility": "{}"}]}),
            json!({"schemaVersion": 1, "name": "a/b", "tag": "t", "fsLayers": [{"blobSum": "x"}], "history": [{"v1Compatibility": "{}"}]}),
            json!({"schemaVersion": 1, "name": "a/b", "tag": "t", "fsLayers": [{"blobSum": LAYER}], "history": [{"v1Compatibility": "["}]}),
            json!({"schemaVersion": 1, "name": "a/b", "tag": "t", "fsLayers": [{"blobSum": LAYER}], "history": [{"v1Compatibility": "{}"}], "signatures": [{}]}),
        ] {
            let bytes = serde_json::to_vec(&broken).unwrap();
            assert!(matches!(parse(&bytes, &doc(&bytes)), Err(OciError::ManifestInvalid(_))), "{broken}");
        }
    }
}
