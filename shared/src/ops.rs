//! The ops HTTP server every `tamis worker` runs (port named `ops`, default `0.0.0.0:9090`):
//! `GET /healthz` (liveness), `GET /readyz` (readiness), `GET /metrics` (Prometheus text).
//!
//! Liveness only says the process's async runtime still answers; readiness says the worker can
//! do its job right now: the broker connection is open and every consumer it should run is
//! running. Orchestrators restart on failed liveness and stop routing on failed readiness, so a
//! broker outage must fail readiness, never liveness.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Default listen address of the ops server of `tamis worker`.
pub const DEFAULT_ADDR: &str = "0.0.0.0:9090";

/// Whether this process can do its work now; cloned into the broker adapter, which sets it on
/// connect, consume and disconnect, and read by `GET /readyz`.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<Mutex<State>>);

#[derive(Debug, Default)]
struct State {
    broker_connected: bool,
    /// Queue name -> consumer running. A queue is listed as soon as it is expected.
    consumers: BTreeMap<String, bool>,
    stopping: bool,
}

impl Readiness {
    /// A process that is not ready yet (no broker, no consumer).
    pub fn new() -> Readiness {
        Readiness::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        // A panic while holding this lock cannot leave the flags half-written: recover the data.
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// The broker connection opened (or was recovered) or closed.
    pub fn set_broker_connected(&self, connected: bool) {
        self.with(|s| s.broker_connected = connected);
    }

    /// Declares the queues this process must consume; each counts as down until it runs.
    pub fn expect_consumers<S: AsRef<str>>(&self, queues: &[S]) {
        self.with(|s| {
            for q in queues {
                s.consumers.entry(q.as_ref().to_string()).or_insert(false);
            }
        });
    }

    /// The consumer of `queue` started (true) or stopped or lost its channel (false).
    pub fn set_consumer_running(&self, queue: &str, running: bool) {
        self.with(|s| {
            s.consumers.insert(queue.to_string(), running);
        });
    }

    /// Shutdown began: stop taking traffic even while in-flight work finishes.
    pub fn set_stopping(&self) {
        self.with(|s| s.stopping = true);
    }

    /// Ok when ready, else a short reason (no personal data: queue names and states only).
    pub fn check(&self) -> Result<(), String> {
        self.with(|s| {
            if s.stopping {
                return Err("shutting down".to_string());
            }
            if !s.broker_connected {
                return Err("broker connection is not open".to_string());
            }
            if s.consumers.is_empty() {
                return Err("no consumer started yet".to_string());
            }
            let down: Vec<&str> = s.consumers.iter().filter(|(_, up)| !**up).map(|(q, _)| q.as_str()).collect();
            if down.is_empty() {
                Ok(())
            } else {
                Err(format!("consumers not running: {}", down.join(", ")))
            }
        })
    }
}

/// The ops routes, for this process's readiness and the global metrics registry.
pub fn router(readiness: Readiness) -> Router {
    Router::new()
        .route("/healthz", get(|| async { Json(serde_json::json!({ "status": "ok" })) }))
        .route("/readyz", get(move || ready(readiness.clone())))
        .route("/metrics", get(metrics))
}

async fn ready(readiness: Readiness) -> Response {
    match readiness.check() {
        Ok(()) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(reason) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "not ready", "reason": reason })))
                .into_response()
        }
    }
}

async fn metrics() -> Response {
    match crate::metrics::global().encode() {
        Ok(text) => ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode metrics: {e}")).into_response(),
    }
}

/// The ops server could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("cannot listen on {addr} for the ops server (/healthz, /readyz, /metrics): {source}. Set workers.health_addr or TAMIS_HEALTH_ADDR to a free address")]
    Bind { addr: String, source: std::io::Error },
}

/// Binds `addr` now (so a taken port fails start-up) and serves the ops routes until `cancel`.
/// Returns the bound address (useful with port 0).
pub async fn serve(
    addr: &str,
    readiness: Readiness,
    cancel: CancellationToken,
) -> Result<std::net::SocketAddr, OpsError> {
    let bind_err = |source| OpsError::Bind { addr: addr.to_string(), source };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    tracing::info!(addr = %local, "ops server listening (/healthz, /readyz, /metrics)");
    let app = router(readiness);
    tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(async move { cancel.cancelled().await }).await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "ops server stopped");
        }
    });
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_with_broker_and_every_consumer_running() {
        let r = Readiness::new();
        assert!(r.check().unwrap_err().contains("broker"));
        r.set_broker_connected(true);
        assert!(r.check().unwrap_err().contains("no consumer"));
        r.expect_consumers(&["t.ocr", "t.route"]);
        r.set_consumer_running("t.ocr", true);
        assert_eq!(r.check().unwrap_err(), "consumers not running: t.route");
        r.set_consumer_running("t.route", true);
        assert_eq!(r.check(), Ok(()));
        let clone = r.clone();
        clone.set_broker_connected(false);
        assert!(r.check().is_err(), "clones share one state");
        r.set_broker_connected(true);
        r.set_stopping();
        assert_eq!(r.check().unwrap_err(), "shutting down");
    }
}
