use serde_json::{Map, Value};

use super::schema1::Schema1;
use super::{Algorithm, Digest, OciError};

pub mod media_types {
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
    pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

    /// Manifest media types this registry stores and serves.
    pub const SUPPORTED: [&str; 6] =
        [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED];

    pub fn is_schema1(media_type: &str) -> bool {
        media_type == DOCKER_SCHEMA1 || media_type == DOCKER_SCHEMA1_SIGNED
    }

    pub fn is_index(media_type: &str) -> bool {
        media_type == OCI_INDEX || media_type == DOCKER_MANIFEST_LIST
    }
}

/// A content descriptor inside a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub artifact_type: Option<String>,
    pub annotations: Option<Map<String, Value>>,
    pub urls: Vec<String>,
    /// `platform.architecture` of an index entry.
    pub architecture: Option<String>,
}

impl Descriptor {
    /// Foreign (non-distributable) layers live at their `urls`, not in the registry; Windows base
    /// images use them, so they must not be required to exist locally.
    pub fn is_foreign(&self) -> bool {
        !self.urls.is_empty() && (self.media_type.contains("foreign") || self.media_type.contains("nondistributable"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ManifestKind {
    Image {
        config: Descriptor,
        layers: Vec<Descriptor>,
    },
    Index {
        manifests: Vec<Descriptor>,
    },
    /// Docker schema 1: layers by digest only (no sizes, no configuration blob).
    Schema1(Schema1),
}

/// What the registry needs to know about a manifest; the bytes themselves are stored verbatim.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedManifest {
    pub media_type: String,
    pub kind: ManifestKind,
    pub subject: Option<Descriptor>,
    pub artifact_type: Option<String>,
    pub annotations: Option<Map<String, Value>>,
}

impl ParsedManifest {
    /// Blobs that must exist in the repository before this manifest is accepted, each with the
    /// size its descriptor declares (schema 1 declares none).
    pub fn required_blobs(&self) -> Vec<(&Digest, Option<u64>)> {
        match &self.kind {
            ManifestKind::Image { config, layers } => std::iter::once(config)
                .chain(layers.iter().filter(|l| !l.is_foreign()))
                .map(|d| (&d.digest, Some(d.size)))
                .collect(),
            ManifestKind::Index { .. } => Vec::new(),
            ManifestKind::Schema1(m) => m.distinct_layers().into_iter().map(|d| (d, None)).collect(),
        }
    }

    /// The manifest's digest: of its bytes, or for a signed schema 1 manifest of its signed
    /// payload (so that re-signing keeps the digest, as Docker and Quay compute it).
    pub fn digest(&self, algorithm: Algorithm, bytes: &[u8]) -> Digest {
        match &self.kind {
            ManifestKind::Schema1(Schema1 { payload: Some(payload), .. }) => Digest::of(algorithm, payload),
            _ => Digest::of(algorithm, bytes),
        }
    }

    /// Manifests that must exist in the repository before this index is accepted.
    pub fn child_manifests(&self) -> &[Descriptor] {
        match &self.kind {
            ManifestKind::Index { manifests } => manifests,
            ManifestKind::Image { .. } | ManifestKind::Schema1(_) => &[],
        }
    }

    pub fn config_media_type(&self) -> Option<&str> {
        match &self.kind {
            ManifestKind::Image { config, .. } => Some(&config.media_type),
            ManifestKind::Index { .. } | ManifestKind::Schema1(_) => None,
        }
    }

    pub fn layers_size(&self) -> Option<u64> {
        match &self.kind {
            ManifestKind::Image { layers, .. } => Some(layers.iter().map(|l| l.size).sum()),
            ManifestKind::Index { .. } | ManifestKind::Schema1(_) => None,
        }
    }

    /// The artifact type reported by the referrers API: `artifactType`, else the config media type.
    pub fn effective_artifact_type(&self) -> Option<&str> {
        self.artifact_type.as_deref().or(self.config_media_type())
    }
}

fn invalid(msg: impl Into<String>) -> OciError {
    OciError::ManifestInvalid(msg.into())
}

/// `type/subtype[+suffix]` with the characters the image spec allows.
fn valid_media_type(s: &str) -> bool {
    let ok_chars = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._+".contains(&c));
    match s.split_once('/') {
        Some((t, sub)) => ok_chars(t) && ok_chars(sub) && s.len() <= 255,
        None => false,
    }
}

fn descriptor(v: &Value, what: &str) -> Result<Descriptor, OciError> {
    let o = v.as_object().ok_or_else(|| invalid(format!("{what} is not an object")))?;
    let media_type = o
        .get("mediaType")
        .and_then(Value::as_str)
        .filter(|m| valid_media_type(m))
        .ok_or_else(|| invalid(format!("{what} has no valid mediaType")))?
        .to_owned();
    let digest_str = o.get("digest").and_then(Value::as_str).ok_or_else(|| invalid(format!("{what} has no digest")))?;
    let digest = Digest::parse(digest_str).map_err(|e| invalid(format!("{what}: {e}")))?;
    let size = o
        .get("size")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid(format!("{what} has no valid size (a non-negative integer)")))?;
    let artifact_type = match o.get("artifactType") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if valid_media_type(s) => Some(s.clone()),
        Some(_) => return Err(invalid(format!("{what} has an invalid artifactType"))),
    };
    let annotations = annotations(o, what)?;
    let urls = match o.get("urls") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|u| u.as_str().map(str::to_owned).ok_or_else(|| invalid(format!("{what} has a non-string url"))))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid(format!("{what}.urls is not an array"))),
    };
    let architecture = o.get("platform").and_then(|p| p.get("architecture")).and_then(Value::as_str).map(str::to_owned);
    Ok(Descriptor { media_type, digest, size, artifact_type, annotations, urls, architecture })
}

fn annotations(o: &Map<String, Value>, what: &str) -> Result<Option<Map<String, Value>>, OciError> {
    match o.get("annotations") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            if m.values().all(Value::is_string) {
                Ok(Some(m.clone()))
            } else {
                Err(invalid(format!("{what}.annotations values must be strings")))
            }
        }
        Some(_) => Err(invalid(format!("{what}.annotations is not an object"))),
    }
}

/// Strips parameters (`; charset=...`) and whitespace from a `Content-Type` value.
fn bare_media_type(ct: &str) -> &str {
    ct.split(';').next().unwrap_or("").trim()
}

/// Parses and validates manifest bytes. `content_type` is the request's `Content-Type`, if any; when
/// both it and the body's `mediaType` are present they must agree.
pub fn parse_manifest(content_type: Option<&str>, bytes: &[u8]) -> Result<ParsedManifest, OciError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| invalid(format!("not valid JSON: {e}")))?;
    let o = value.as_object().ok_or_else(|| invalid("a manifest is a JSON object"))?;
    let header = content_type.map(bare_media_type).filter(|c| !c.is_empty() && *c != "application/json");
    // Schema 1 names no mediaType; Quay takes it with its own types, `application/json` or none.
    if o.get("schemaVersion").and_then(Value::as_u64) == Some(1) && header.is_none_or(media_types::is_schema1) {
        let manifest = super::schema1::parse(bytes, o)?;
        let media_type =
            if manifest.payload.is_some() { media_types::DOCKER_SCHEMA1_SIGNED } else { media_types::DOCKER_SCHEMA1 };
        return Ok(ParsedManifest {
            media_type: media_type.to_owned(),
            kind: ManifestKind::Schema1(manifest),
            subject: None,
            artifact_type: None,
            annotations: None,
        });
    }
    let body = match o.get("mediaType") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(invalid("mediaType is not a string")),
    };
    let media_type = match (header, body) {
        (Some(h), Some(b)) if h != b => {
            return Err(invalid(format!("Content-Type `{h}` does not match the manifest's mediaType `{b}`")));
        }
        (Some(h), _) => h.to_owned(),
        (None, Some(b)) => b.to_owned(),
        // An OCI manifest may omit mediaType; its shape tells which kind it is.
        (None, None) if o.contains_key("manifests") => media_types::OCI_INDEX.to_owned(),
        (None, None) if o.contains_key("config") => media_types::OCI_MANIFEST.to_owned(),
        (None, None) => return Err(invalid("cannot tell the manifest's media type")),
    };
    if !media_types::SUPPORTED.contains(&media_type.as_str()) {
        return Err(OciError::ManifestUnsupported(media_type.chars().take(128).collect()));
    }
    if media_types::is_schema1(&media_type) {
        return Err(invalid(format!("a `{media_type}` manifest must have schemaVersion 1")));
    }
    if o.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
        return Err(invalid("schemaVersion must be 2"));
    }
    let is_oci = media_type == media_types::OCI_MANIFEST || media_type == media_types::OCI_INDEX;
    let kind = if media_types::is_index(&media_type) {
        if o.contains_key("config") || o.contains_key("layers") {
            return Err(invalid("an index has no config or layers"));
        }
        let list = o.get("manifests").and_then(Value::as_array).ok_or_else(|| invalid("manifests is not an array"))?;
        let manifests = list
            .iter()
            .enumerate()
            .map(|(i, d)| descriptor(d, &format!("manifests[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        ManifestKind::Index { manifests }
    } else {
        if o.contains_key("manifests") {
            return Err(invalid("an image manifest has no manifests list"));
        }
        let config = descriptor(o.get("config").ok_or_else(|| invalid("config is missing"))?, "config")?;
        let layers = match o.get("layers") {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, d)| descriptor(d, &format!("layers[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            // OCI artifacts may omit layers only if they are empty; Docker requires the field.
            None if is_oci => Vec::new(),
            _ => return Err(invalid("layers is not an array")),
        };
        ManifestKind::Image { config, layers }
    };
    let subject = match o.get("subject") {
        None | Some(Value::Null) => None,
        Some(s) if is_oci => Some(descriptor(s, "subject")?),
        Some(_) => return Err(invalid("only OCI manifests may have a subject")),
    };
    let artifact_type = match o.get("artifactType") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_oci && valid_media_type(s) => Some(s.clone()),
        Some(_) => return Err(invalid("artifactType must be a media type on an OCI manifest")),
    };
    let annotations = annotations(o, "manifest")?;
    Ok(ParsedManifest { media_type, kind, subject, artifact_type, annotations })
}

/// Quay's label for tags that expire: its value is a duration such as `2w`, `1d` or `12h`.
pub const EXPIRES_AFTER_LABEL: &str = "quay.expires-after";

/// The labels of an image configuration (`config.Labels`, in Docker's and OCI's config alike).
pub fn config_labels(config: &[u8]) -> Map<String, Value> {
    serde_json::from_slice::<Value>(config)
        .ok()
        .and_then(|v| v.get("config").and_then(|c| c.get("Labels")).and_then(Value::as_object).cloned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_from_docker_and_oci_configs() {
        let labels =
            config_labels(br#"{"architecture":"amd64","config":{"Labels":{"quay.expires-after":"2w","a":"b"}}}"#);
        assert_eq!(labels.get(EXPIRES_AFTER_LABEL).and_then(Value::as_str), Some("2w"));
        assert!(config_labels(br#"{"config":{}}"#).is_empty());
        assert!(config_labels(b"not json").is_empty());
    }

    const D1: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const D2: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    fn image(extra: &str) -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{D1}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{D2}","size":10}}]{extra}}}"#,
            media_types::OCI_MANIFEST
        )
    }

    #[test]
    fn parses_image_manifest() {
        let m = parse_manifest(Some(media_types::OCI_MANIFEST), image("").as_bytes()).unwrap();
        assert_eq!(m.required_blobs().len(), 2);
        assert_eq!(m.layers_size(), Some(10));
        assert_eq!(m.config_media_type(), Some("application/vnd.oci.image.config.v1+json"));
        assert!(m.subject.is_none());
    }

    #[test]
    fn parses_artifact_with_subject() {
        let extra = format!(
            r#","artifactType":"application/vnd.example+json","subject":{{"mediaType":"{}","digest":"{D2}","size":5}},"annotations":{{"a":"b"}}"#,
            media_types::OCI_MANIFEST
        );
        let m = parse_manifest(None, image(&extra).as_bytes()).unwrap();
        assert_eq!(m.subject.as_ref().unwrap().digest.to_string(), D2);
        assert_eq!(m.effective_artifact_type(), Some("application/vnd.example+json"));
    }

    #[test]
    fn parses_index() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[{{"mediaType":"{}","digest":"{D1}","size":3,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
            media_types::DOCKER_MANIFEST_LIST,
            media_types::DOCKER_MANIFEST
        );
        let m = parse_manifest(Some(media_types::DOCKER_MANIFEST_LIST), body.as_bytes()).unwrap();
        assert_eq!(m.child_manifests().len(), 1);
        assert!(m.required_blobs().is_empty());
    }

    #[test]
    fn rejects_malformed_manifests() {
        let cases: Vec<(Option<&str>, String)> = vec![
            (None, "".into()),
            (None, "[]".into()),
            (None, "{".into()),
            (None, r#"{"schemaVersion":2}"#.into()),
            (Some(media_types::OCI_INDEX), image("")),
            (None, image("").replace("\"size\":10", "\"size\":-1")),
            (None, image("").replace("\"size\":10", "\"size\":\"10\"")),
            (None, image("").replace(D2, "sha256:1234")),
            (None, image("").replace("\"schemaVersion\":2", "\"schemaVersion\":1")),
            (None, image(r#","subject":{"digest":"x"}"#)),
            (None, image(r#","annotations":{"a":1}"#)),
            (None, image("").replace("application/vnd.oci.image.layer.v1.tar+gzip", "no slash")),
        ];
        for (ct, body) in cases {
            assert!(matches!(parse_manifest(ct, body.as_bytes()), Err(OciError::ManifestInvalid(_))), "{body}");
        }
        assert!(matches!(
            parse_manifest(Some("application/x-foo"), br#"{"schemaVersion":2}"#),
            Err(OciError::ManifestUnsupported(_))
        ));
        // Schema 1 types with a schema 2 body.
        assert!(matches!(
            parse_manifest(Some(media_types::DOCKER_SCHEMA1_SIGNED), image("").as_bytes()),
            Err(OciError::ManifestInvalid(_))
        ));
    }
}
