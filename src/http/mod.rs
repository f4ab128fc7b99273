//! HTTP: the only module that knows axum. Routes, middleware (metrics, request logs) and the
//! server loop with TLS and graceful shutdown.

mod api;
mod error;
pub mod exposition;
mod token;
mod v2;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::json;
use tokio::net::TcpListener;

use crate::app::AppState;

/// The address of the client: the peer, or what a trusted proxy says (a request extension).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub IpAddr);

pub fn router(app: AppState) -> Router {
    exposition::handle();
    let routes = Router::new()
        .route("/v2/", get(v2::base))
        .route("/v2", get(v2::base))
        .route("/v2/auth", get(token::token).post(token::oauth_token))
        .route("/v2/_catalog", get(v2::catalog))
        .route("/v2/{*path}", any(v2::dispatch))
        .nest(
            "/api/v1",
            api::router().layer(axum::middleware::from_fn_with_state(app.clone(), api::absolute_error_types)),
        )
        .route("/health/instance", get(health))
        .route("/healthz", get(health))
        .route("/metrics", get(exposition::on_registry_port))
        .layer(axum::middleware::from_fn(read_refused_bodies))
        .layer(axum::middleware::from_fn(observe))
        .with_state(app);
    // Paths are rewritten before routing: middleware inside the router runs after it.
    Router::new().fallback_service(tower::ServiceExt::map_request(routes, api::route_nested_repositories))
}

/// Who made a request, for the access log: set by `/v2` from the token it verified.
#[derive(Debug, Clone)]
pub struct Subject(pub String);

/// Who a request says it is: the subject `/v2` verified, or the user name of Basic credentials
/// (as given: the status says whether it held). Nothing is hashed or verified again here.
fn caller_name(response: &Response, authorization: Option<&header::HeaderValue>) -> Option<String> {
    if let Some(Subject(sub)) = response.extensions().get::<Subject>() {
        return Some(sub.clone());
    }
    let (kind, credentials) = authorization?.to_str().ok()?.split_once(' ')?;
    if !kind.eq_ignore_ascii_case("basic") {
        return None;
    }
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD.decode(credentials.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.split_once(':').map(|(user, _)| user.chars().take(256).collect())
}

/// Counts requests by route and status, bytes in and out, and request durations; writes one
/// access-log line per request (method, path, status, bytes, duration, client, user), as nginx in
/// front of Quay and distribution do.
async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let client = request.extensions().get::<PeerAddr>().map(|p| p.0);
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    let fallback_route = v2::route_label(request.uri().path());
    let bytes_in = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    // `/v2/<name>/...` routes say what they were where their path was parsed.
    let route = response.extensions().get::<v2::RouteLabel>().map_or(fallback_route, |l| l.0);
    let status = response.status().as_u16();
    let bytes_out = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let elapsed = started.elapsed();
    let method_label = method.as_str().to_owned();
    metrics::counter!("quay_http_requests_total", "route" => route, "method" => method_label.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("quay_http_request_duration_seconds", "route" => route, "method" => method_label)
        .record(elapsed.as_secs_f64());
    metrics::counter!("quay_http_request_bytes_total", "route" => route).increment(bytes_in);
    if method != axum::http::Method::HEAD {
        metrics::counter!("quay_http_response_bytes_total", "route" => route).increment(bytes_out);
    }
    let ms = format!("{:.1}", elapsed.as_secs_f64() * 1000.0);
    let client = client.map(|ip| ip.to_string()).unwrap_or_default();
    let user = caller_name(&response, authorization.as_ref()).unwrap_or_default();
    // Logged here, once: handlers hand the cause of a server error over in the response.
    if let Some(error::Failure(cause)) = response.extensions().get::<error::Failure>() {
        tracing::error!(%method, path, status, client, user, error = %cause, "internal error");
    } else if status >= 500 {
        tracing::warn!(target: "quay::access", %method, %path, status, bytes_in, bytes_out, %ms, %client, %user, "request");
    } else {
        tracing::info!(target: "quay::access", %method, %path, status, bytes_in, bytes_out, %ms, %client, %user, "request");
    }
    response
}

/// What is read of a refused request's body so that its client sees the answer: a client still
/// sending when the server answers and closes gets "broken pipe" instead of the error.
const REFUSED_BODY_READ_BYTES: u64 = 64 << 20;
const REFUSED_BODY_READ_TIME: Duration = Duration::from_secs(10);

/// A request body that the middleware can take back once the handler is done with it.
struct SharedBody(Arc<std::sync::Mutex<(Option<Body>, bool)>>);

impl axum::body::HttpBody for SharedBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, axum::Error>>> {
        let Ok(mut shared) = self.0.lock() else { return std::task::Poll::Ready(None) };
        let (body, ended) = &mut *shared;
        let Some(body) = body.as_mut() else { return std::task::Poll::Ready(None) };
        let frame = std::pin::Pin::new(body).poll_frame(cx);
        if matches!(frame, std::task::Poll::Ready(None)) {
            *ended = true;
        }
        frame
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.0.lock().ok().and_then(|s| s.0.as_ref().map(axum::body::HttpBody::size_hint)).unwrap_or_default()
    }
}

/// Refused uploads (a manifest over `MAXIMUM_MANIFEST_SIZE`, a blob over quota) are answered
/// after the rest of their body is read, up to a bound, so that the client reads the error; past
/// the bound the connection closes with the answer.
async fn read_refused_bodies(request: Request, next: Next) -> Response {
    let has_body = request.headers().contains_key(header::TRANSFER_ENCODING)
        || request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|v| v != "0");
    if !has_body {
        return next.run(request).await;
    }
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = request.into_parts();
    let shared = Arc::new(std::sync::Mutex::new((Some(body), false)));
    let request = Request::from_parts(parts, Body::new(SharedBody(shared.clone())));
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status().is_redirection() {
        return response;
    }
    let rest = shared.lock().ok().and_then(|mut s| if s.1 { None } else { s.0.take() });
    let Some(rest) = rest else { return response };
    let drained = if declared.is_some_and(|n| n > REFUSED_BODY_READ_BYTES) {
        false
    } else {
        let mut stream = rest.into_data_stream();
        let read = async {
            let mut total: u64 = 0;
            while let Some(Ok(frame)) = futures_util::StreamExt::next(&mut stream).await {
                total += frame.len() as u64;
                if total > REFUSED_BODY_READ_BYTES {
                    return false;
                }
            }
            true
        };
        tokio::time::timeout(REFUSED_BODY_READ_TIME, read).await.unwrap_or(false)
    };
    if !drained {
        response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    }
    response
}

/// Quay's health document; 503 when the database does not answer. A disk at its kept free space
/// shows as `disk_space: false` (pulls and deletes still work, so the instance stays up).
async fn health(State(app): State<AppState>) -> Response {
    let db_ok = app.database_ok().await;
    let status = if db_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let filesystems = crate::registry::disk::filesystems(&app.config);
    let disk_ok = filesystems.iter().all(|fs| fs.room() > 0);
    let disk: Vec<serde_json::Value> = filesystems
        .iter()
        .map(|fs| json!({"path": fs.path.display().to_string(), "free_bytes": fs.free, "keep_free_bytes": fs.keep}))
        .collect();
    let body = json!({
        "data": {"services": {"database": db_ok, "storage": true, "auth": true, "disk_space": disk_ok}, "disk": disk},
        "status_code": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

/// How long a connection may take to send a request's headers, and how long it may stay idle
/// between requests: idle and half-sent connections cannot pile up.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a TLS client may take to finish its handshake.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Request headers larger than this are refused with 431 (a registry token of the most scopes
/// granted at once is a small fraction of it).
const MAX_HEADER_BYTES: usize = 64 << 10;
/// Open files kept back from connections for the database, storage and logs.
const FILES_RESERVED: u64 = 256;
/// Connections served at once when the open-files limit allows more.
const MAX_CONNECTIONS: u64 = 16_384;

/// How many connections may be open at once: what the open-files limit leaves after the files the
/// registry itself needs. Past it, new connections wait in the listen queue until one closes.
pub fn connection_limit() -> usize {
    let files = rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(MAX_CONNECTIONS);
    files.saturating_sub(FILES_RESERVED).clamp(16, MAX_CONNECTIONS) as usize
}

/// The client of a request: the peer, or, when the peer is a trusted proxy, the last address of
/// `X-Forwarded-For` that is not one of the trusted proxies.
fn client_address(peer: IpAddr, headers: &header::HeaderMap, trusted: &[crate::config::Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    hops.into_iter().rev().find(|ip| !is_trusted(*ip)).unwrap_or(peer)
}

/// Serves the registry on `listener` (over TLS when `tls` is given) until `shutdown` completes,
/// then waits for requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    app: AppState,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    use hyper::server::conn::http1;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    // Before the first request: staged blobs an unclean stop may have lost are rewritten.
    crate::registry::staging::start(&app).await?;
    let router = router(app.clone());
    let trusted: Arc<[crate::config::Network]> = app.config.trusted_proxies.clone().into();
    let limit = connection_limit();
    let slots = Arc::new(tokio::sync::Semaphore::new(limit));
    let mut last_full_warning: Option<Instant> = None;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if last_full_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    tracing::warn!(limit, "connection limit reached; new connections wait until one closes");
                    last_full_warning = Some(Instant::now());
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let peer_ip = peer.ip().to_canonical();
        let trusted = trusted.clone();
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                let client = client_address(peer_ip, request.headers(), &trusted);
                request.extensions_mut().insert(PeerAddr(client));
                request
            },
        ));
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut builder = http1::Builder::new();
            builder
                .keep_alive(true)
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_header_size(MAX_HEADER_BYTES);
            let result = match tls {
                Some(acceptor) => match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls_stream)) => {
                        let conn = builder.serve_connection(TokioIo::new(tls_stream), service);
                        watcher.watch(conn).await
                    }
                    Ok(Err(e)) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                },
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(conn).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("requests still running 30 s after shutdown began; stopping anyway");
        }
    }
    crate::registry::staging::stop(&app).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<crate::config::Network> =
            vec!["10.0.0.0/8".to_owned().try_into().unwrap(), "::1".to_owned().try_into().unwrap()];
        let mut headers = header::HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.1.2.3".parse().unwrap());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // From anyone else the header is ignored.
        assert_eq!(client_address(ip("192.0.2.1"), &headers, &trusted), ip("192.0.2.1"));
        // From a proxy: the nearest hop that is not a proxy (earlier hops are the client's word).
        assert_eq!(client_address(ip("10.9.9.9"), &headers, &trusted), ip("198.51.100.7"));
        assert_eq!(client_address(ip("::1"), &headers, &trusted), ip("198.51.100.7"));
        headers.insert("x-forwarded-for", "not-an-address".parse().unwrap());
        assert_eq!(client_address(ip("10.9.9.9"), &headers, &trusted), ip("10.9.9.9"));
    }
}
