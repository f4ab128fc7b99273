//! Assembling a chunked upload inside S3 without downloading it again: the chunks become the parts
//! of one multipart upload, copied server-side (`UploadPartCopy`). opendal has no part copy, so
//! this is the one place the AWS SDK is used.
//!
//! S3 wants every part but the last to hold at least 5 MiB and at most 5 GiB. Chunks that size
//! are copied (in ranges when larger); smaller chunks, and the head of a large chunk needed to top a
//! run of small ones up to 5 MiB, are read and uploaded. At most 5 MiB per run of small chunks is
//! read back; chunks clients send as one PATCH (skopeo, podman, docker) are never read.

use std::io;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use futures_util::{StreamExt as _, TryStreamExt as _};

use super::Storage;
use crate::oci::ByteRange;

/// S3's smallest part (except the last) and largest copied part.
pub const MIN_PART: u64 = 5 << 20;
pub const MAX_COPY_PART: u64 = 5 << 30;
const MAX_PARTS: usize = 10_000;
/// Parts in flight at once: copies are server-side, reads hold at most a part each.
const CONCURRENT_PARTS: usize = 4;

/// Where one part's bytes come from: a range `[start, end)` of a chunk, copied or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Copy { chunk: usize, start: u64, end: u64 },
    Read(Vec<(usize, u64, u64)>),
}

/// The parts for chunks of these sizes, or `None` when S3 could not take them (too many parts).
pub fn plan(sizes: &[u64]) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut pending: Vec<(usize, u64, u64)> = Vec::new();
    let mut pending_len = 0;
    for (chunk, &size) in sizes.iter().enumerate() {
        let mut pos = 0;
        if pending_len > 0 {
            // Top the run of small pieces up to a full part with the head of this chunk.
            let take = (MIN_PART - pending_len).min(size);
            if take > 0 {
                pending.push((chunk, 0, take));
                pending_len += take;
                pos = take;
            }
            if pending_len >= MIN_PART {
                parts.push(Part::Read(std::mem::take(&mut pending)));
                pending_len = 0;
            }
        }
        let rest = size - pos;
        if rest == 0 {
            continue;
        }
        if rest >= MIN_PART {
            let pieces = rest.div_ceil(MAX_COPY_PART);
            let step = rest.div_ceil(pieces);
            let mut start = pos;
            while start < size {
                let end = (start + step).min(size);
                parts.push(Part::Copy { chunk, start, end });
                start = end;
            }
        } else {
            pending.push((chunk, pos, size));
            pending_len += rest;
            if pending_len >= MIN_PART {
                parts.push(Part::Read(std::mem::take(&mut pending)));
                pending_len = 0;
            }
        }
    }
    if !pending.is_empty() {
        // The last part may be any size.
        parts.push(Part::Read(pending));
    }
    (parts.len() <= MAX_PARTS).then_some(parts)
}

/// An S3 client for part copies, on the same bucket, prefix and credentials as the operator.
#[derive(Clone)]
pub struct MultipartAssembler {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
}

impl MultipartAssembler {
    pub fn new(
        bucket: &str,
        storage_path: &str,
        endpoint: Option<&str>,
        region: &str,
        access_key: &str,
        secret_key: &str,
    ) -> Self {
        let credentials = aws_sdk_s3::config::Credentials::new(access_key, secret_key, None, None, "quay-config");
        let mut config = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(region.to_owned()))
            .credentials_provider(credentials);
        if let Some(endpoint) = endpoint {
            // Custom endpoints (MinIO, Ceph, emulators) address buckets by path, as opendal does.
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        let root = storage_path.trim_matches('/');
        let prefix = if root.is_empty() { String::new() } else { format!("{root}/") };
        MultipartAssembler { client: aws_sdk_s3::Client::from_conf(config.build()), bucket: bucket.to_owned(), prefix }
    }

    fn key(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// Writes `to` from the chunks following `parts`; `to` appears only when all parts are in.
    pub async fn assemble(
        &self,
        storage: &Storage,
        chunks: &[(String, u64)],
        to: &str,
        parts: Vec<Part>,
    ) -> io::Result<()> {
        let key = self.key(to);
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/octet-stream")
            .send()
            .await
            .map_err(sdk_error)?;
        let upload_id = created.upload_id().ok_or_else(|| io::Error::other("S3 returned no upload id"))?.to_owned();
        let uploaded = futures_util::stream::iter(parts.into_iter().enumerate())
            .map(|(n, part)| self.part(storage, chunks, &key, &upload_id, n as i32 + 1, part))
            .buffered(CONCURRENT_PARTS)
            .try_collect::<Vec<CompletedPart>>()
            .await;
        let completed = match uploaded {
            Ok(completed) => completed,
            Err(e) => {
                self.abort(&key, &upload_id).await;
                return Err(e);
            }
        };
        let done = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&key)
            .upload_id(&upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(completed)).build())
            .send()
            .await;
        if let Err(e) = done {
            // Some S3-compatible services answer a successful completion with a body the SDK
            // cannot parse (moto names the root element differently); S3 itself may answer 200 with
            // an error inside. The object, complete and of the right size, is what counts.
            let total: u64 = chunks.iter().map(|(_, size)| size).sum();
            let head = self.client.head_object().bucket(&self.bucket).key(&key).send().await;
            if head.is_ok_and(|h| h.content_length() == Some(total as i64)) {
                tracing::debug!(key, error = %sdk_error(e), "multipart completion answer unreadable; the object is complete");
                return Ok(());
            }
            self.abort(&key, &upload_id).await;
            return Err(sdk_error(e));
        }
        Ok(())
    }

    async fn part(
        &self,
        storage: &Storage,
        chunks: &[(String, u64)],
        key: &str,
        upload_id: &str,
        number: i32,
        part: Part,
    ) -> io::Result<CompletedPart> {
        let etag = match part {
            Part::Copy { chunk, start, end } => {
                let source = format!("{}/{}", self.bucket, self.key(&chunks[chunk].0));
                let copied = self
                    .client
                    .upload_part_copy()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(number)
                    .copy_source(source)
                    .copy_source_range(format!("bytes={start}-{}", end - 1))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                copied.copy_part_result().and_then(|r| r.e_tag()).map(str::to_owned)
            }
            Part::Read(pieces) => {
                let len: u64 = pieces.iter().map(|(_, s, e)| e - s).sum();
                let mut body = Vec::with_capacity(len as usize);
                for (chunk, start, end) in pieces {
                    let range = ByteRange { start, end: end - 1 };
                    let mut stream = std::pin::pin!(storage.read(&chunks[chunk].0, Some(range)).await?);
                    while let Some(bytes) = stream.next().await {
                        body.extend_from_slice(&bytes?);
                    }
                }
                let uploaded = self
                    .client
                    .upload_part()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(number)
                    .content_length(body.len() as i64)
                    .body(ByteStream::from(body))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                uploaded.e_tag().map(str::to_owned)
            }
        };
        let etag = etag.ok_or_else(|| io::Error::other(format!("S3 returned no ETag for part {number}")))?;
        Ok(CompletedPart::builder().part_number(number).e_tag(etag).build())
    }

    async fn abort(&self, key: &str, upload_id: &str) {
        let aborted =
            self.client.abort_multipart_upload().bucket(&self.bucket).key(key).upload_id(upload_id).send().await;
        if let Err(e) = aborted {
            tracing::warn!(key, error = %sdk_error(e), "cannot abort an S3 multipart upload; a bucket lifecycle rule removes it");
        }
    }
}

fn sdk_error<E: std::error::Error + Send + Sync + 'static>(e: aws_sdk_s3::error::SdkError<E>) -> io::Error {
    io::Error::other(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn bytes_read(parts: &[Part]) -> u64 {
        parts
            .iter()
            .map(|p| if let Part::Read(pieces) = p { pieces.iter().map(|(_, s, e)| e - s).sum() } else { 0 })
            .sum()
    }

    /// Every byte of every chunk lands in exactly one part, in order.
    fn covers(parts: &[Part], sizes: &[u64]) -> bool {
        let mut flat = Vec::new();
        for p in parts {
            match p {
                Part::Copy { chunk, start, end } => flat.push((*chunk, *start, *end)),
                Part::Read(pieces) => flat.extend(pieces.iter().copied()),
            }
        }
        let mut expected = (0usize, 0u64);
        for (chunk, start, end) in flat {
            while expected.0 < chunk && expected.1 == sizes[expected.0] {
                expected = (expected.0 + 1, 0);
            }
            if (chunk, start) != expected || end <= start {
                return false;
            }
            expected = (chunk, end);
        }
        expected.1 == sizes[expected.0] && sizes[expected.0 + 1..].iter().all(|&s| s == 0)
    }

    fn sizes_ok(parts: &[Part]) -> bool {
        let len = |p: &Part| match p {
            Part::Copy { start, end, .. } => end - start,
            Part::Read(pieces) => pieces.iter().map(|(_, s, e)| e - s).sum(),
        };
        let (last, rest) = parts.split_last().unwrap();
        rest.iter().all(|p| (MIN_PART..=MAX_COPY_PART).contains(&len(p))) && len(last) <= MAX_COPY_PART
    }

    #[test]
    fn large_chunks_are_copied_and_never_read() {
        let sizes = [64 * MIB, 20 * MIB, 7 * MIB];
        let parts = plan(&sizes).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(bytes_read(&parts), 0);
        assert!(covers(&parts, &sizes) && sizes_ok(&parts));
    }

    #[test]
    fn small_chunks_are_read_and_top_up_with_the_head_of_the_next() {
        let sizes = [MIB, 2 * MIB, 30 * MIB, MIB];
        let parts = plan(&sizes).unwrap();
        assert_eq!(
            parts,
            vec![
                Part::Read(vec![(0, 0, MIB), (1, 0, 2 * MIB), (2, 0, 2 * MIB)]),
                Part::Copy { chunk: 2, start: 2 * MIB, end: 30 * MIB },
                Part::Read(vec![(3, 0, MIB)]),
            ]
        );
        // What is read back: the small chunks and the 2 MiB that made them a full part.
        assert_eq!(bytes_read(&parts), 6 * MIB);
        assert!(covers(&parts, &sizes) && sizes_ok(&parts));
    }

    #[test]
    fn one_chunk_over_five_gib_is_copied_in_ranges() {
        let sizes = [12 * 1024 * MIB];
        let parts = plan(&sizes).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(bytes_read(&parts), 0);
        assert!(covers(&parts, &sizes) && sizes_ok(&parts));
    }

    #[test]
    fn any_mix_is_covered_with_valid_part_sizes() {
        let mut seed = 0x9e37_79b9_u64;
        for _ in 0..500 {
            let n = (seed % 12 + 1) as usize;
            let sizes: Vec<u64> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    match seed >> 60 {
                        0..=5 => (seed >> 20) % (3 * MIB) + 1,
                        6..=11 => (seed >> 20) % (40 * MIB) + 1,
                        _ => MIN_PART - 1 + (seed >> 40) % 3,
                    }
                })
                .collect();
            let parts = plan(&sizes).unwrap();
            assert!(covers(&parts, &sizes), "{sizes:?} -> {parts:?}");
            assert!(sizes_ok(&parts), "{sizes:?} -> {parts:?}");
            // Reads stay bounded: the small chunks plus at most one part's top-up per run.
            let small: u64 = sizes.iter().filter(|&&s| s < MIN_PART).sum();
            assert!(bytes_read(&parts) <= small + MIN_PART * sizes.len() as u64);
        }
    }
}
