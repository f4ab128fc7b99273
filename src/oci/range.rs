use super::OciError;

/// An inclusive byte range `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

fn parse_pair(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.split_once('-')?;
    let digits = |x: &str| !x.is_empty() && x.len() <= 19 && x.bytes().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The `Content-Range` of an upload PATCH: `<start>-<end>` (inclusive), optionally prefixed with
/// `bytes ` as some clients send it.
pub fn parse_content_range(value: &str) -> Result<ByteRange, OciError> {
    let v = value.trim();
    let v = v.strip_prefix("bytes ").or_else(|| v.strip_prefix("bytes=")).unwrap_or(v);
    let v = v.split('/').next().unwrap_or(v);
    match parse_pair(v) {
        Some((start, end)) if end >= start => Ok(ByteRange { start, end }),
        _ => Err(OciError::RangeInvalid(format!(
            "`{}` is not `<start>-<end>`",
            value.chars().take(64).collect::<String>()
        ))),
    }
}

/// A `Range: bytes=...` request header resolved against an object of `size` bytes.
/// `Ok(None)` means "serve the whole object" (no header, or a form we ignore as HTTP allows, such as
/// several ranges); `Err` means unsatisfiable (416).
pub fn parse_range_header(value: &str, size: u64) -> Result<Option<ByteRange>, OciError> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let unsatisfiable = || {
        OciError::RangeInvalid(format!(
            "range `{}` not satisfiable for {size} bytes",
            spec.chars().take(64).collect::<String>()
        ))
    };
    let (a, b) = spec.split_once('-').ok_or_else(unsatisfiable)?;
    let num = |x: &str| -> Result<u64, OciError> {
        if x.is_empty() || x.len() > 19 || !x.bytes().all(|c| c.is_ascii_digit()) {
            return Err(unsatisfiable());
        }
        x.parse().map_err(|_| unsatisfiable())
    };
    let range = if a.is_empty() {
        // Suffix range: the last N bytes.
        let n = num(b)?;
        if n == 0 || size == 0 {
            return Err(unsatisfiable());
        }
        ByteRange { start: size.saturating_sub(n), end: size - 1 }
    } else {
        let start = num(a)?;
        let end = if b.is_empty() { size.saturating_sub(1) } else { num(b)?.min(size.saturating_sub(1)) };
        if start >= size || end < start {
            return Err(unsatisfiable());
        }
        ByteRange { start, end }
    };
    Ok(Some(range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(parse_content_range("0-9").unwrap(), ByteRange { start: 0, end: 9 });
        assert_eq!(parse_content_range("bytes 10-19/*").unwrap(), ByteRange { start: 10, end: 19 });
        for bad in ["", "-", "5", "9-0", "a-b", "1-2-3", "99999999999999999999-1", " - "] {
            assert!(parse_content_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn range_headers() {
        let r = |v| parse_range_header(v, 100);
        assert_eq!(r("bytes=0-9").unwrap(), Some(ByteRange { start: 0, end: 9 }));
        assert_eq!(r("bytes=90-").unwrap(), Some(ByteRange { start: 90, end: 99 }));
        assert_eq!(r("bytes=-10").unwrap(), Some(ByteRange { start: 90, end: 99 }));
        assert_eq!(r("bytes=50-1000").unwrap(), Some(ByteRange { start: 50, end: 99 }));
        assert_eq!(r("items=0-1").unwrap(), None);
        assert_eq!(r("bytes=0-1,5-6").unwrap(), None);
        for bad in ["bytes=100-", "bytes=5-1", "bytes=-0", "bytes=x-1", "bytes=", "bytes=-"] {
            assert!(r(bad).is_err(), "{bad}");
        }
        assert!(parse_range_header("bytes=0-0", 0).is_err());
    }
}
