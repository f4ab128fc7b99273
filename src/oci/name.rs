use std::fmt;

use super::{Digest, OciError};

/// The longest repository path (`namespace/repo`) accepted, as in the distribution spec and Quay.
const MAX_NAME_LEN: usize = 255;

/// A repository path from a `/v2/<name>/...` URL, split the way Quay stores it: the first component
/// is the namespace (a user or organization), the rest (which may contain `/`) the repository name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepositoryName {
    namespace: String,
    repository: String,
}

impl RepositoryName {
    /// Validates `path` against the OCI distribution grammar
    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
    /// A single-component path lives in `library_namespace` when given (Quay's library support),
    /// and is invalid otherwise.
    pub fn parse(path: &str, library_namespace: Option<&str>) -> Result<Self, OciError> {
        if path.is_empty() || path.len() > MAX_NAME_LEN {
            return Err(OciError::NameInvalid(format!("repository names must be 1 to {MAX_NAME_LEN} characters")));
        }
        for component in path.split('/') {
            if !valid_component(component) {
                return Err(OciError::NameInvalid(format!(
                    "`{}` is not a valid path component (lowercase letters, digits and separators . _ __ -)",
                    component.chars().take(64).collect::<String>()
                )));
            }
        }
        match path.split_once('/') {
            Some((ns, repo)) => Ok(RepositoryName { namespace: ns.to_owned(), repository: repo.to_owned() }),
            None => match library_namespace {
                Some(lib) => Ok(RepositoryName { namespace: lib.to_owned(), repository: path.to_owned() }),
                None => Err(OciError::NameInvalid("repository names need a namespace: `namespace/name`".into())),
            },
        }
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }
}

impl fmt::Display for RepositoryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.repository)
    }
}

/// One path component: alphanumeric runs joined by `.`, `_`, `__` or one or more `-`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// A tag matches `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
pub fn validate_tag(tag: &str) -> Result<(), OciError> {
    let b = tag.as_bytes();
    let first_ok = b.first().is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_');
    let rest_ok = b.iter().skip(1).all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'));
    if first_ok && rest_ok && b.len() <= 128 {
        Ok(())
    } else {
        Err(OciError::TagInvalid(format!("`{}` is not a valid tag", tag.chars().take(140).collect::<String>())))
    }
}

/// The `<reference>` of a manifest URL: a tag or a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Tag(String),
    Digest(Digest),
}

impl Reference {
    pub fn parse(s: &str) -> Result<Self, OciError> {
        if s.contains(':') {
            Digest::parse(s).map(Reference::Digest)
        } else {
            validate_tag(s)?;
            Ok(Reference::Tag(s.to_owned()))
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Tag(t) => f.write_str(t),
            Reference::Digest(d) => d.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_spec_names() {
        for ok in ["a/b", "org/team/app", "a0/b-c", "a/b--c", "a/b__c", "a/b.c", "ns/x_y", "library/busybox"] {
            let n = RepositoryName::parse(ok, None).unwrap();
            assert_eq!(n.to_string(), ok);
        }
        let n = RepositoryName::parse("org/team/app", None).unwrap();
        assert_eq!((n.namespace(), n.repository()), ("org", "team/app"));
        let lib = RepositoryName::parse("busybox", Some("library")).unwrap();
        assert_eq!(lib.to_string(), "library/busybox");
    }

    #[test]
    fn rejects_bad_names() {
        let long = format!("a/{}", "b".repeat(300));
        for bad in [
            "", "A/b", "a/B", "a//b", "/a", "a/", "a/-b", "a/b-", "a/b___c", "a/b..c", "a/b.-c", "a/b c", "a/../b",
            "a/.b", "a/b%2fc", "ü/b", "a/b\0", &long,
        ] {
            assert!(RepositoryName::parse(bad, Some("library")).is_err(), "{bad:?}");
        }
        assert!(RepositoryName::parse("single", None).is_err());
    }

    #[test]
    fn tags_and_references() {
        for ok in ["latest", "v1.0", "_x", "A-b_c.d", &"a".repeat(128)] {
            assert!(validate_tag(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".a", "-a", "a/b", "a:b", "ä", &"a".repeat(129)] {
            assert!(validate_tag(bad).is_err(), "{bad}");
        }
        assert!(matches!(Reference::parse("latest"), Ok(Reference::Tag(_))));
        assert!(matches!(Reference::parse("sha256:abc"), Err(OciError::DigestInvalid(_))));
    }
}
