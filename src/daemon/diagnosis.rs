//! Diagnosis after a failed probe: the [`Diagnoser`] seam, the interim
//! diagnoser that reads findings off the probe result itself, and the
//! per-route rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::config::RouteConfig;
use crate::diagnose::{Component, Finding, Severity, Stage};
use crate::probe::{RouteResult, Status};

/// Explains a failed probe. The daemon calls it at most once per route per
/// rate-limit period; the full `diagnose` plugs in through this trait.
pub trait Diagnoser: Send + Sync {
    fn diagnose<'a>(&'a self, route: &'a RouteConfig, result: &'a RouteResult) -> BoxFuture<'a, Vec<Finding>>;
}

/// The full diagnosis: reads the route's facts from both accounts with the
/// accounts of the config file as it is now, and adds the findings the
/// probe result itself shows when the facts explain nothing.
#[derive(Debug, Clone)]
pub struct FactsDiagnoser {
    pub config_path: std::path::PathBuf,
}

impl Diagnoser for FactsDiagnoser {
    fn diagnose<'a>(&'a self, route: &'a RouteConfig, result: &'a RouteResult) -> BoxFuture<'a, Vec<Finding>> {
        Box::pin(async move {
            let fallback = findings_from_result(route, result);
            let Ok(config) = crate::config::load(&self.config_path) else {
                return fallback;
            };
            let factory = crate::aws::ClientFactory::new(config.accounts.clone(), crate::aws::ApiCallCounter::new());
            let facts =
                crate::diagnose::gather_route(&factory, route, crate::diagnose::ProbeFacts::from_result(route, result))
                    .await;
            let mut findings = crate::diagnose::diagnose(&facts);
            if !crate::diagnose::has_errors(&findings) {
                findings.extend(fallback);
            }
            findings
        })
    }
}

/// Findings from the probe result alone: a publish failure becomes its
/// `mqtt-*` code, a destination nothing arrived at becomes `probe-missing`,
/// a destination that could not be read becomes `probe-error`, one whose
/// arrival cannot be proven `probe-unverified` (a warning).
#[derive(Debug, Default, Clone, Copy)]
pub struct ResultDiagnoser;

impl Diagnoser for ResultDiagnoser {
    fn diagnose<'a>(&'a self, route: &'a RouteConfig, result: &'a RouteResult) -> BoxFuture<'a, Vec<Finding>> {
        Box::pin(async move { findings_from_result(route, result) })
    }
}

/// The interim findings for one probe result.
pub fn findings_from_result(route: &RouteConfig, result: &RouteResult) -> Vec<Finding> {
    if let Some(error) = &result.publish.error {
        let resource = if result.publish.topic.is_empty() {
            format!("rule/{}", route.rule)
        } else {
            format!("topic/{}", result.publish.topic)
        };
        let code = result
            .publish
            .error_code
            .as_deref()
            .and_then(known_publish_code)
            .unwrap_or_else(|| publish_error_code(error));
        let mut f = Finding::new(
            code,
            Severity::Error,
            Stage::Publish,
            Component::new(Some(&route.account), None, resource),
            format!("the probe could not be published: {error}"),
        );
        f.fix = result.publish.hint.clone();
        return vec![f];
    }
    route
        .destinations
        .iter()
        .zip(&result.destinations)
        .filter_map(|(cfg, d)| {
            let (code, severity, what) = match d.status {
                Status::Delivered => return None,
                Status::Missing => ("probe-missing", Severity::Error, "nothing arrived at"),
                Status::Error => ("probe-error", Severity::Error, "xprobe could not read"),
                Status::Unverified => (
                    "probe-unverified",
                    Severity::Warning,
                    "xprobe cannot prove the probe reached",
                ),
            };
            let mut explanation = format!("{what} {} {}", d.kind, d.target);
            if let Some(e) = &d.error {
                explanation.push_str(": ");
                explanation.push_str(e);
            }
            let mut f = Finding::new(
                code,
                severity,
                Stage::Destination,
                Component::new(Some(&cfg.account), None, d.target.clone()),
                explanation,
            );
            f.fix = d.hint.clone();
            Some(f)
        })
        .collect()
}

/// Every code `PublishError::code()` gives.
const PUBLISH_CODES: &[&str] = &[
    "mqtt-endpoint-unreachable",
    "mqtt-server-untrusted",
    "mqtt-client-cert-rejected",
    "mqtt-publish-not-authorized",
    "mqtt-publish-rejected",
    "mqtt-client-id-in-use",
    "mqtt-local-tls-config",
    "https-publish-failed",
    "mqtt-error",
];

/// The static form of a publish failure code the probe reported (metric
/// labels need `&'static str`, and only known codes may become labels).
fn known_publish_code(code: &str) -> Option<&'static str> {
    PUBLISH_CODES.iter().copied().find(|c| *c == code)
}

/// The diagnose code of a publish failure, from its message, for results
/// that carry no `error_code`. The messages
/// come from `PublishError`'s `Display`; a unit test keeps the two in step
/// with `PublishError::code()`.
pub fn publish_error_code(message: &str) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("is unreachable", "mqtt-endpoint-unreachable"),
        ("timed out", "mqtt-endpoint-unreachable"),
        ("is not trusted", "mqtt-server-untrusted"),
        ("refused the client certificate", "mqtt-client-cert-rejected"),
        ("refused the MQTT connection", "mqtt-client-cert-rejected"),
        ("not authorized to publish", "mqtt-publish-not-authorized"),
        ("when publishing is not authorized", "mqtt-publish-not-authorized"),
        ("rejected the publish", "mqtt-publish-rejected"),
        ("with the same client id", "mqtt-client-id-in-use"),
        ("cannot set up TLS", "mqtt-local-tls-config"),
        ("MQTT error with", "mqtt-error"),
        ("not connected", "mqtt-error"),
        ("cannot read rule", "rule-unreadable"),
        ("has no SQL", "route-topic-unknown"),
        ("SQL does not parse", "route-topic-unknown"),
        ("which has wildcards", "route-topic-unknown"),
    ];
    // The phrase that comes first wins: the low-level detail is appended
    // after it and may contain any words.
    TABLE
        .iter()
        .filter_map(|(needle, code)| message.find(needle).map(|at| (at, *code)))
        .min_by_key(|(at, _)| *at)
        .map_or("publish-failed", |(_, code)| code)
}

/// What a failure looked like, so a different failure is diagnosed at once
/// instead of waiting out the rate limit.
pub fn failure_signature(result: &RouteResult) -> String {
    let mut s = match (&result.publish.error_code, &result.publish.error) {
        (Some(code), _) => code.clone(),
        (None, Some(e)) => publish_error_code(e).to_string(),
        (None, None) => "published".to_string(),
    };
    for d in &result.destinations {
        s.push(' ');
        s.push_str(d.status.as_str());
    }
    s
}

/// At most one diagnosis per route per `every`, unless the failure changes.
#[derive(Debug)]
pub struct DiagnosisGate {
    every: Duration,
    last: Mutex<HashMap<String, Gate>>,
}

#[derive(Debug)]
struct Gate {
    at: Instant,
    signature: String,
    running: bool,
}

impl DiagnosisGate {
    pub fn new(every: Duration) -> Self {
        DiagnosisGate {
            every,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Whether to diagnose `route` now; if so, marks it running.
    pub fn try_start(&self, route: &str, signature: &str) -> bool {
        let Ok(mut last) = self.last.lock() else {
            return false;
        };
        let now = Instant::now();
        match last.get_mut(route) {
            Some(g) if g.running => false,
            Some(g) if g.signature == signature && now.duration_since(g.at) < self.every => false,
            _ => {
                last.insert(
                    route.to_string(),
                    Gate {
                        at: now,
                        signature: signature.to_string(),
                        running: true,
                    },
                );
                true
            }
        }
    }

    /// Marks the diagnosis of `route` finished.
    pub fn finish(&self, route: &str) {
        if let Ok(mut last) = self.last.lock() {
            if let Some(g) = last.get_mut(route) {
                g.running = false;
            }
        }
    }

    /// Forgets `route`, so its next failure is diagnosed at once.
    pub fn reset(&self, route: &str) {
        if let Ok(mut last) = self.last.lock() {
            if last.get(route).is_some_and(|g| !g.running) {
                last.remove(route);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mqtt::{PublishError, PublishErrorKind};

    #[test]
    fn publish_messages_map_to_the_same_code_as_the_error() {
        let kinds = [
            PublishErrorKind::EndpointUnreachable,
            PublishErrorKind::ServerUntrusted,
            PublishErrorKind::ClientCertRejected,
            PublishErrorKind::ConnectRefused("Banned".into()),
            PublishErrorKind::PublishNotAuthorized,
            PublishErrorKind::PublishRejected("QuotaExceeded".into()),
            PublishErrorKind::DisconnectedDuringPublish,
            PublishErrorKind::ClientIdTakenOver,
            PublishErrorKind::Timeout("connecting to"),
            PublishErrorKind::LocalTls("no file".into()),
            PublishErrorKind::Other("boom".into()),
        ];
        for kind in kinds {
            let e = PublishError::new(kind, "127.0.0.1:8883", "connection timed out, not trusted");
            assert_eq!(publish_error_code(&e.to_string()), e.code(), "{e}");
            assert_eq!(known_publish_code(e.code()), Some(e.code()));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_gate_limits_each_route_unless_the_failure_changes() {
        let g = DiagnosisGate::new(Duration::from_secs(300));
        assert!(g.try_start("a", "published missing"));
        assert!(!g.try_start("a", "published missing"), "still running");
        g.finish("a");
        assert!(!g.try_start("a", "published missing"), "rate-limited");
        assert!(g.try_start("b", "published missing"), "per route");
        g.finish("b");
        assert!(g.try_start("a", "mqtt-endpoint-unreachable error"));
        g.finish("a");
        tokio::time::advance(Duration::from_secs(301)).await;
        assert!(g.try_start("a", "mqtt-endpoint-unreachable error"));
        g.finish("a");
        g.reset("a");
        assert!(g.try_start("a", "mqtt-endpoint-unreachable error"));
    }
}
