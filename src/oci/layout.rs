//! The files of a disconnected transfer (`quay export`, `quay import`): an OCI image layout
//! (`oci-layout`, `index.json`, `blobs/<algorithm>/<hex>`) and its catalog (`quay-catalog.json`),
//! which says what the export holds and what the registry it describes holds, so that the next
//! export carries only what is new. Pure: types, names and checks; the commands do the I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Digest, OciError, RepositoryName, validate_tag};

/// The annotation naming an image in `index.json` (`NS/REPO:TAG` here, which skopeo's
/// `oci:DIR:NS/REPO:TAG` finds).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The catalog's file name, written last: its presence marks a finished export.
pub const CATALOG_FILE: &str = "quay-catalog.json";
/// This catalog format's version.
pub const CATALOG_VERSION: u32 = 1;
/// A split export's volume folders: `volume-001`, `volume-002`, ...
pub const VOLUME_PREFIX: &str = "volume-";

/// `oci-layout`'s content.
pub fn layout_marker() -> Value {
    json!({"imageLayoutVersion": "1.0.0"})
}

/// Where a blob lives inside a layout: `blobs/sha256/<hex>`.
pub fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm().name(), digest.hex())
}

/// A split export's volume folder name (numbered from 1).
pub fn volume_name(number: usize) -> String {
    format!("{VOLUME_PREFIX}{number:03}")
}

/// A manifest the catalog lists: enough to put it back without reading it first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogManifest {
    pub digest: String,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub size: u64,
}

/// One repository: its tags and every manifest it holds that travels (tagged ones, an index's
/// children, referrers), children before the manifests that list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRepository {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub manifests: Vec<CatalogManifest>,
}

/// A blob (image configuration or layer) with its size.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CatalogBlob {
    pub digest: String,
    pub size: u64,
}

/// Where a blob's bytes are in a split export: the volume and, for a blob cut across volumes,
/// each part's volume in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumePart {
    pub volume: usize,
    pub size: u64,
}

/// `quay-catalog.json`: written by `quay export` (what it holds, and what the registry it was made
/// from holds) and by `quay import --catalog-out` (what the importing registry holds now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    #[serde(rename = "quayCatalogVersion")]
    pub version: u32,
    /// This catalog's id.
    pub id: String,
    /// The export chain: the first export's id, kept by every export made `--since` a catalog of
    /// the chain and by the catalogs imports write.
    pub chain: String,
    /// `export` or `registry` (written by an import: what that registry holds).
    pub kind: String,
    /// The catalog an incremental export was made since: blobs listed there were left out.
    pub since: Option<String>,
    pub created: String,
    /// The registry described.
    pub source: String,
    pub repositories: Vec<CatalogRepository>,
    /// Every blob the repositories use, with its size (the full set, written or not).
    pub blobs: Vec<CatalogBlob>,
    /// An export's volumes (1 unless `--split`), and where each cut blob's parts are.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub volumes: usize,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parts: BTreeMap<String, Vec<VolumePart>>,
    /// Blob digests this export's folders hold (the others the far side has).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<String>,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

impl Catalog {
    /// Parses a catalog, refusing what is not one (with the reason, in one line).
    pub fn parse(bytes: &[u8]) -> Result<Catalog, String> {
        let catalog: Catalog = serde_json::from_slice(bytes).map_err(|e| format!("not a quay catalog ({e})"))?;
        if catalog.version != CATALOG_VERSION {
            return Err(format!(
                "catalog version {} is not the one this quay reads ({CATALOG_VERSION})",
                catalog.version
            ));
        }
        for repository in &catalog.repositories {
            RepositoryName::parse(&repository.name, None)
                .map_err(|e| format!("repository `{}`: {e}", repository.name))?;
            for (tag, digest) in &repository.tags {
                validate_tag(tag).map_err(|e| format!("{}: {e}", repository.name))?;
                Digest::parse(digest).map_err(|e| format!("{}:{tag}: {e}", repository.name))?;
            }
            for manifest in &repository.manifests {
                Digest::parse(&manifest.digest).map_err(|e| format!("{}: {e}", repository.name))?;
            }
        }
        for blob in &catalog.blobs {
            Digest::parse(&blob.digest).map_err(|e| e.to_string())?;
        }
        if catalog.volumes == 0 {
            return Err("a catalog with no volume".into());
        }
        Ok(catalog)
    }

    /// `index.json`: one entry per tag, named `NS/REPO:TAG`.
    pub fn index(&self) -> Value {
        let mut manifests = Vec::new();
        for repository in &self.repositories {
            for (tag, digest) in &repository.tags {
                let Some(m) = repository.manifests.iter().find(|m| &m.digest == digest) else { continue };
                manifests.push(json!({
                    "mediaType": m.media_type,
                    "digest": m.digest,
                    "size": m.size,
                    "annotations": {REF_NAME: format!("{}:{tag}", repository.name)},
                }));
            }
        }
        json!({
            "schemaVersion": 2,
            "mediaType": super::media_types::OCI_INDEX,
            "manifests": manifests,
        })
    }
}

/// `--namespace-map OLD=NEW`: a repository's name on the importing side.
pub fn map_namespace(name: &str, map: &[(String, String)]) -> String {
    match name.split_once('/') {
        Some((namespace, rest)) => match map.iter().find(|(old, _)| old == namespace) {
            Some((_, new)) => format!("{new}/{rest}"),
            None => name.to_owned(),
        },
        None => name.to_owned(),
    }
}

/// Parses `OLD=NEW`, both valid namespace names.
pub fn parse_namespace_mapping(s: &str) -> Result<(String, String), OciError> {
    let (old, new) =
        s.split_once('=').ok_or_else(|| OciError::NameInvalid(format!("`{s}`: a namespace mapping is OLD=NEW")))?;
    for side in [old, new] {
        RepositoryName::parse(&format!("{side}/x"), None)?;
        if side.contains('/') {
            return Err(OciError::NameInvalid(format!("`{side}`: a namespace has no `/`")));
        }
    }
    Ok((old.to_owned(), new.to_owned()))
}

/// `NS/REPO[:TAG_GLOB]` as `--repo` takes it: the repository and the glob (all tags when none).
pub fn parse_selection(s: &str) -> Result<(String, String), OciError> {
    let (name, glob) = match s.rsplit_once(':') {
        Some((name, glob)) if !glob.contains('/') => (name, glob),
        _ => (s, "*"),
    };
    RepositoryName::parse(name, None)?;
    if glob.is_empty() {
        return Err(OciError::TagInvalid(format!("`{s}`: an empty tag glob")));
    }
    Ok((name.to_owned(), glob.to_owned()))
}

/// Parses `--split`'s SIZE: bytes, or a number with `K`, `M`, `G`, `T` (powers of 1000, as media
/// are sold; `KB`, `MB`... too) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("`{s}` is not a size (4.7G, 700MiB, 1000000)"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (K, M, G, T, KiB, MiB, GiB, TiB)")),
    };
    let bytes = (number * factor).floor();
    if !(1.0..1e18).contains(&bytes) {
        return Err(format!("`{s}` is not a usable size"));
    }
    Ok(bytes as u64)
}

/// One piece of a blob in a split export: its volume, and how many bytes (from where the previous
/// piece ended).
pub type Piece = VolumePart;

/// Places blobs (in order) into volumes: the first has `first` bytes free (the rest of it holds
/// the export's metadata), the others `each`. A blob that does not fit where the previous one
/// ended is cut there and continues in the next volume, so that every volume but the last is full.
/// Returns each blob's pieces and the number of volumes.
pub fn place(blobs: &[(String, u64)], first: u64, each: u64) -> (Vec<(String, Vec<Piece>)>, usize) {
    let mut volume = 1;
    let mut free = first;
    let mut placed = Vec::with_capacity(blobs.len());
    for (digest, size) in blobs {
        let mut left = *size;
        let mut pieces = Vec::new();
        loop {
            if free == 0 && left > 0 {
                volume += 1;
                free = each;
            }
            let n = left.min(free);
            pieces.push(Piece { volume, size: n });
            free -= n;
            left -= n;
            if left == 0 {
                break;
            }
        }
        placed.push((digest.clone(), pieces));
    }
    (placed, volume)
}

/// A piece's file inside its volume: the blob's own path when it is whole, else `.part-N`.
pub fn piece_path(digest: &Digest, pieces: usize, number: usize) -> String {
    if pieces <= 1 { blob_path(digest) } else { format!("{}.part-{number}", blob_path(digest)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_media_are_sold() {
        assert_eq!(parse_size("4.7G").unwrap(), 4_700_000_000);
        assert_eq!(parse_size("700MiB").unwrap(), 700 << 20);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
    }

    #[test]
    fn blobs_fill_volumes_in_order_and_are_cut_at_their_ends() {
        let blobs = vec![("a".to_owned(), 60), ("b".to_owned(), 100), ("c".to_owned(), 0), ("d".to_owned(), 40)];
        let (placed, volumes) = place(&blobs, 50, 100);
        let pieces = |i: usize| placed[i].1.iter().map(|p| (p.volume, p.size)).collect::<Vec<_>>();
        assert_eq!(pieces(0), vec![(1, 50), (2, 10)]);
        assert_eq!(pieces(1), vec![(2, 90), (3, 10)]);
        assert_eq!(pieces(2), vec![(3, 0)]);
        assert_eq!(pieces(3), vec![(3, 40)]);
        assert_eq!(volumes, 3);
        let (placed, volumes) = place(&[("a".to_owned(), 50)], 50, 100);
        assert_eq!((placed[0].1.len(), volumes), (1, 1));
    }

    #[test]
    fn selections_name_a_repository_and_a_tag_glob() {
        assert_eq!(parse_selection("ns/repo").unwrap(), ("ns/repo".into(), "*".into()));
        assert_eq!(parse_selection("ns/repo:v1.*").unwrap(), ("ns/repo".into(), "v1.*".into()));
        assert!(parse_selection("ns/repo:").is_err());
        assert!(parse_selection("NS/Repo").is_err());
    }

    #[test]
    fn namespace_maps_rename_only_the_namespace() {
        let map = vec![parse_namespace_mapping("ocp=mirror").unwrap()];
        assert_eq!(map_namespace("ocp/release", &map), "mirror/release");
        assert_eq!(map_namespace("ocpx/release", &map), "ocpx/release");
        assert!(parse_namespace_mapping("ocp").is_err());
        assert!(parse_namespace_mapping("a/b=c").is_err());
    }

    #[test]
    fn a_catalog_round_trips_and_names_its_tags_in_the_index() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let catalog = Catalog {
            version: CATALOG_VERSION,
            id: "x".into(),
            chain: "x".into(),
            kind: "export".into(),
            since: None,
            created: "2026-12-01T00:00:00Z".into(),
            source: "registry.example".into(),
            repositories: vec![CatalogRepository {
                name: "ns/repo".into(),
                tags: BTreeMap::from([("v1".to_owned(), digest.clone())]),
                manifests: vec![CatalogManifest {
                    digest: digest.clone(),
                    media_type: super::super::media_types::OCI_MANIFEST.into(),
                    size: 10,
                }],
            }],
            blobs: vec![],
            volumes: 1,
            parts: BTreeMap::new(),
            written: vec![],
        };
        let bytes = serde_json::to_vec(&catalog).unwrap();
        assert_eq!(Catalog::parse(&bytes).unwrap(), catalog);
        let index = catalog.index();
        assert_eq!(index["manifests"][0]["annotations"][REF_NAME], "ns/repo:v1");
        assert_eq!(index["manifests"][0]["digest"], digest.as_str());
        assert!(Catalog::parse(b"{}").is_err());
        let mut other = serde_json::to_value(&catalog).unwrap();
        other["quayCatalogVersion"] = json!(9);
        assert!(Catalog::parse(other.to_string().as_bytes()).unwrap_err().contains("version 9"));
    }
}
