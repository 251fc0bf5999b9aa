//! The HTTP endpoints: `/metrics`, `/healthz`, `/readyz`, `/status`,
//! `/probe?route=NAME` and `POST /-/reload`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use prometheus::Registry;
use serde::Deserialize;
use serde_json::json;

use super::scheduler::LATE_GRACE;
use super::state::Daemon;
use crate::config::closest;
use crate::metrics::{encode, encode_route_families, Metrics};

/// The daemon's routes.
pub fn router(daemon: Arc<Daemon>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/status", get(status))
        .route("/probe", get(probe))
        .route("/-/reload", post(reload))
        .with_state(daemon)
}

fn text(code: StatusCode, body: String) -> Response {
    (code, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn prometheus_text(body: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], body).into_response()
}

async fn metrics(State(d): State<Arc<Daemon>>) -> Response {
    d.refresh_metrics();
    match encode(&d.registry) {
        Ok(body) => prometheus_text(body),
        Err(e) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode metrics: {e}\n"),
        ),
    }
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".to_string())
}

async fn readyz(State(d): State<Arc<Daemon>>) -> Response {
    match d.not_ready() {
        None => text(StatusCode::OK, "ready\n".to_string()),
        Some(why) => text(StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}\n")),
    }
}

async fn status(State(d): State<Arc<Daemon>>) -> Response {
    let config = d.config();
    let body = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "ready": d.not_ready().is_none(),
        "not_ready_reason": d.not_ready(),
        "config": {
            "path": config.path,
            "routes": config.routes.len(),
            "last_reload": d.reload_state(),
        },
        "publisher": d.env.publisher().health(),
        "routes": d.status.snapshot(),
    });
    Json(body).into_response()
}

#[derive(Debug, Deserialize)]
struct ProbeQuery {
    route: Option<String>,
    /// `prometheus` for the metrics text alone (to scrape `/probe` as
    /// blackbox_exporter's); JSON with the result and the metrics otherwise.
    format: Option<String>,
}

/// Probes one route now, waiting for a scheduled probe of it to finish
/// first. The metrics in the answer are this probe's alone; the daemon's
/// own counters are not touched.
async fn probe(State(d): State<Arc<Daemon>>, Query(q): Query<ProbeQuery>) -> Response {
    let Some(name) = q.route else {
        return text(StatusCode::BAD_REQUEST, "missing ?route=NAME\n".to_string());
    };
    let Some((route, busy)) = d.scheduler.route(&name) else {
        let names = d.scheduler.route_names();
        let hint = match closest(&name, names.iter().map(String::as_str)) {
            Some(s) => format!(" (hint: did you mean `{s}`?)"),
            None => format!(" (routes: {})", names.join(", ")),
        };
        return text(StatusCode::NOT_FOUND, format!("no route named `{name}`{hint}\n"));
    };
    let _busy = busy.lock().await;
    let started = Instant::now();
    let cap = route.interval.max(route.deadline) + LATE_GRACE;
    let Ok(result) = tokio::time::timeout(cap, d.prober.probe(&route)).await else {
        return text(
            StatusCode::GATEWAY_TIMEOUT,
            format!("the probe of `{name}` did not finish within {cap:?}\n"),
        );
    };
    let elapsed = started.elapsed();
    let timed_out = elapsed > route.interval;
    let registry = Registry::new();
    let body = Metrics::new(&registry).map(|m| {
        if timed_out {
            m.observe_timeout(&route);
        } else {
            m.observe(&route, &result);
        }
        encode_route_families(&registry)
    });
    let metrics = match body {
        Ok(Ok(s)) => s,
        Ok(Err(e)) | Err(e) => {
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot encode metrics: {e}\n"),
            )
        }
    };
    if q.format.as_deref() == Some("prometheus") {
        return prometheus_text(metrics);
    }
    Json(json!({
        "result": result,
        "duration_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        "timed_out": timed_out,
        "metrics": metrics,
    }))
    .into_response()
}

async fn reload(State(d): State<Arc<Daemon>>) -> Response {
    match d.reload().await {
        Ok(()) => Json(json!({"status": "success"})).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"status": "error", "error": e})),
        )
            .into_response(),
    }
}
