//! HTTP: the only module that knows axum. Routes, middleware (metrics, request logs) and the
//! server loop with TLS and graceful shutdown.

mod api;
mod error;
mod token;
mod v2;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use tokio::net::TcpListener;

use crate::app::AppState;

/// The address of the client at the other end of the connection (a request extension).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub std::net::IpAddr);

/// The process-wide metrics recorder (installed once; tests run several servers in one process).
fn metrics_handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0])
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

pub fn router(app: AppState) -> Router {
    metrics_handle();
    let routes = Router::new()
        .route("/v2/", get(v2::base))
        .route("/v2", get(v2::base))
        .route("/v2/auth", get(token::token).post(token::oauth_token))
        .route("/v2/_catalog", get(v2::catalog))
        .route("/v2/{*path}", any(v2::dispatch))
        .nest("/api/v1", api::router())
        .route("/health/instance", get(health))
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn(observe))
        .with_state(app);
    // Paths are rewritten before routing: middleware inside the router runs after it.
    Router::new().fallback_service(tower::ServiceExt::map_request(routes, api::route_nested_repositories))
}

/// Counts requests by route and status, bytes in and out, and request durations; logs each request
/// at debug level and failures at info.
async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
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
    // Logged here, once: handlers hand the cause of a server error over in the response.
    if let Some(error::Failure(cause)) = response.extensions().get::<error::Failure>() {
        tracing::error!(%method, path, status, error = %cause, "internal error");
    } else if status >= 500 {
        tracing::warn!(%method, path, status, elapsed_ms = elapsed.as_millis() as u64, "request failed");
    } else {
        tracing::debug!(%method, path, status, elapsed_ms = elapsed.as_millis() as u64, "request");
    }
    response
}

/// Quay's health document; 503 when the database does not answer.
async fn health(State(app): State<AppState>) -> Response {
    let db_ok = app.database_ok().await;
    let status = if db_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "data": {"services": {"database": db_ok, "storage": true, "auth": true}},
        "status_code": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

async fn metrics() -> Response {
    match metrics_handle() {
        Some(h) => {
            h.run_upkeep();
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response()
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder unavailable").into_response(),
    }
}

/// Serves `router` on `listener` (over TLS when `tls` is given) until `shutdown` completes, then
/// waits for requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    use hyper::server::conn::http1;
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let peer_ip = PeerAddr(peer.ip().to_canonical());
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(peer_ip);
                request
            },
        ));
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            let mut builder = http1::Builder::new();
            builder.keep_alive(true);
            let result = match tls {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(tls_stream) => {
                        let conn = builder.serve_connection(TokioIo::new(tls_stream), service);
                        watcher.watch(conn).await
                    }
                    Err(e) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
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
        () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("requests still running 30 s after shutdown began; stopping anyway");
        }
    }
    Ok(())
}
