//! The one table from domain errors to OCI error responses (`{"errors":[{code,message,detail}]}`).
//! Internal errors are logged here, once, and reach the client only as an opaque `UNKNOWN`.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::registry::RegistryError;

/// An error response of the `/v2` API.
pub struct V2Error {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub detail: Value,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl V2Error {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        V2Error { status, code, message: message.into(), detail: json!({}), headers: Vec::new() }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// 401 with the Bearer challenge that tells clients where to get a token.
    pub fn unauthorized(challenge: &str) -> Self {
        V2Error::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "access to the requested resource is not authorized")
            .with_header(header::WWW_AUTHENTICATE, challenge)
    }

    pub fn unsupported(message: &str) -> Self {
        V2Error::new(StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", message)
    }
}

impl From<RegistryError> for V2Error {
    fn from(e: RegistryError) -> Self {
        use RegistryError as E;
        let message = e.to_string();
        let (status, code, detail) = match &e {
            E::NameUnknown => (StatusCode::NOT_FOUND, "NAME_UNKNOWN", json!({})),
            E::NameInvalid(_) => (StatusCode::BAD_REQUEST, "NAME_INVALID", json!({})),
            E::BlobUnknown => (StatusCode::NOT_FOUND, "BLOB_UNKNOWN", json!({})),
            E::BlobUploadUnknown => (StatusCode::NOT_FOUND, "BLOB_UPLOAD_UNKNOWN", json!({})),
            E::BlobUploadInvalid(_) => (StatusCode::BAD_REQUEST, "BLOB_UPLOAD_INVALID", json!({})),
            E::DigestInvalid(_) => (StatusCode::BAD_REQUEST, "DIGEST_INVALID", json!({})),
            E::ManifestUnknown | E::TagUnknown(_) => (StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN", json!({})),
            E::Exists(_) => (StatusCode::CONFLICT, "DENIED", json!({})),
            E::ManifestInvalid(_) => (StatusCode::BAD_REQUEST, "MANIFEST_INVALID", json!({})),
            E::ManifestUnsupported(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "MANIFEST_INVALID", json!({})),
            E::ManifestBlobUnknown(d) => (StatusCode::BAD_REQUEST, "MANIFEST_BLOB_UNKNOWN", json!({"digest": d})),
            E::ManifestChildUnknown(d) => (StatusCode::BAD_REQUEST, "MANIFEST_UNKNOWN", json!({"digest": d})),
            E::SizeInvalid(_) => (StatusCode::BAD_REQUEST, "SIZE_INVALID", json!({})),
            E::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "SIZE_INVALID", json!({})),
            E::TagInvalid(_) => (StatusCode::BAD_REQUEST, "TAG_INVALID", json!({})),
            E::RangeInvalid(_) => (StatusCode::BAD_REQUEST, "BLOB_UPLOAD_INVALID", json!({})),
            E::UploadOutOfOrder(_) => (StatusCode::RANGE_NOT_SATISFIABLE, "BLOB_UPLOAD_INVALID", json!({})),
            E::RangeNotSatisfiable(_) => (StatusCode::RANGE_NOT_SATISFIABLE, "RANGE_INVALID", json!({})),
            E::Denied(_) => (StatusCode::FORBIDDEN, "DENIED", json!({})),
            E::Access(crate::auth::Denied::Unauthenticated) => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED", json!({})),
            E::Access(crate::auth::Denied::Forbidden) => (StatusCode::FORBIDDEN, "DENIED", json!({})),
            E::NotWritable(_) => (StatusCode::METHOD_NOT_ALLOWED, "DENIED", json!({})),
            E::TagImmutable(_) => (StatusCode::CONFLICT, "TAG_IMMUTABLE", json!({})),
            E::Conflict(_) => (StatusCode::CONFLICT, "DENIED", json!({})),
            E::Unsupported(_) => (StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", json!({})),
            E::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", json!({})),
            E::Internal(inner) => {
                tracing::error!(error = format!("{inner:#}"), "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN", json!({}))
            }
        };
        let message = if matches!(e, E::Internal(_)) { "internal server error".to_owned() } else { message };
        let mut err = V2Error { status, code, message, detail, headers: Vec::new() };
        match e {
            E::UploadOutOfOrder(size) => {
                err = err.with_header(header::RANGE, &upload_range(size));
            }
            E::RangeNotSatisfiable(size) => {
                err = err.with_header(header::CONTENT_RANGE, &format!("bytes */{size}"));
            }
            E::Unavailable => {
                err = err.with_header(header::RETRY_AFTER, "1");
            }
            _ => {}
        }
        err
    }
}

/// The `Range` header of upload responses: the inclusive range received, `0-0` when empty.
pub fn upload_range(size: u64) -> String {
    format!("0-{}", size.saturating_sub(1))
}

impl IntoResponse for V2Error {
    fn into_response(self) -> Response {
        let body = json!({"errors": [{"code": self.code, "message": self.message, "detail": self.detail}]});
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert("docker-distribution-api-version", HeaderValue::from_static("registry/2.0"));
        }
        response
    }
}
