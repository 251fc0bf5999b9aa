//! The state `/status` shows: each route's last result, latency and active
//! findings.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::config::RouteConfig;
use crate::diagnose::Finding;
use crate::metrics::{destination_labels, ProbeResult};
use crate::probe::{now_ms, RouteResult, Status};

/// One destination of a route, as last probed.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationStatus {
    /// The `destination` metric label.
    pub label: String,
    pub kind: &'static str,
    pub target: String,
    /// delivered, missing, error or timeout; none before the first probe.
    pub result: Option<&'static str>,
    pub latency_ms: Option<u64>,
    pub last_success_at_ms: Option<i64>,
}

/// One route, as last probed.
#[derive(Debug, Clone, Serialize)]
pub struct RouteStatus {
    pub name: String,
    pub interval_seconds: f64,
    pub deadline_seconds: f64,
    /// delivered when every destination delivered, otherwise the first
    /// failing destination's result.
    pub last_outcome: Option<&'static str>,
    pub last_probe_at_ms: Option<i64>,
    pub destinations: Vec<DestinationStatus>,
    /// The last complete probe result (also one that finished after its
    /// interval had run out).
    pub last_result: Option<RouteResult>,
    /// Findings of the last diagnosis, while the route keeps failing.
    pub findings: Vec<Finding>,
    pub last_diagnosis_at_ms: Option<i64>,
    #[serde(skip)]
    config: RouteConfig,
}

impl RouteStatus {
    fn new(route: &RouteConfig) -> Self {
        RouteStatus {
            name: route.name.clone(),
            interval_seconds: route.interval.as_secs_f64(),
            deadline_seconds: route.deadline.as_secs_f64(),
            last_outcome: None,
            last_probe_at_ms: None,
            destinations: destination_labels(route)
                .into_iter()
                .zip(&route.destinations)
                .map(|(label, d)| DestinationStatus {
                    label,
                    kind: d.spec.kind(),
                    target: d.spec.target().to_string(),
                    result: None,
                    latency_ms: None,
                    last_success_at_ms: None,
                })
                .collect(),
            last_result: None,
            findings: Vec::new(),
            last_diagnosis_at_ms: None,
            config: route.clone(),
        }
    }

    /// Whether the last probe failed at some destination.
    pub fn failing(&self) -> bool {
        self.last_outcome.is_some_and(|o| o != ProbeResult::Delivered.as_str())
    }
}

/// Every route's status. Routes are kept in name order.
#[derive(Debug, Default)]
pub struct StatusBoard {
    routes: Mutex<BTreeMap<String, RouteStatus>>,
}

impl StatusBoard {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, RouteStatus>) -> T) -> T {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut routes)
    }

    /// Starts showing `route`; a changed route starts afresh.
    pub fn track(&self, route: &RouteConfig) {
        self.with(|routes| {
            if routes.get(&route.name).is_none_or(|s| s.config != *route) {
                routes.insert(route.name.clone(), RouteStatus::new(route));
            }
        });
    }

    pub fn forget(&self, name: &str) {
        self.with(|routes| routes.remove(name));
    }

    /// Whether `route` is, as configured, still one of the daemon's routes
    /// (a probe that finishes after a reload must not resurrect a route).
    pub fn is_current(&self, route: &RouteConfig) -> bool {
        self.with(|routes| routes.get(&route.name).is_some_and(|s| s.config == *route))
    }

    /// Records a finished probe; `timed_out` when it outlived its interval
    /// (its timeout was already recorded).
    pub fn record(&self, route: &RouteConfig, result: &RouteResult, timed_out: bool) {
        self.with(|routes| {
            let Some(s) = routes.get_mut(&route.name) else {
                return;
            };
            let now = now_ms();
            s.last_result = Some(result.clone());
            if timed_out {
                return;
            }
            s.last_probe_at_ms = Some(now);
            for (d, r) in s.destinations.iter_mut().zip(&result.destinations) {
                d.result = Some(ProbeResult::from(r.status).as_str());
                d.latency_ms = r.latency_ms.or(r.detect_ms);
                if r.status == Status::Delivered {
                    d.last_success_at_ms = Some(now);
                }
            }
            s.last_outcome = Some(
                result
                    .destinations
                    .iter()
                    .find(|d| d.status != Status::Delivered)
                    .map_or(ProbeResult::Delivered, |d| ProbeResult::from(d.status))
                    .as_str(),
            );
        });
    }

    /// Records a probe that outlived its interval.
    pub fn record_timeout(&self, route: &RouteConfig) {
        self.with(|routes| {
            if let Some(s) = routes.get_mut(&route.name) {
                s.last_probe_at_ms = Some(now_ms());
                s.last_outcome = Some(ProbeResult::Timeout.as_str());
                for d in &mut s.destinations {
                    d.result = Some(ProbeResult::Timeout.as_str());
                    d.latency_ms = None;
                }
            }
        });
    }

    /// Replaces the route's findings; `diagnosed` when a diagnosis produced them.
    pub fn set_findings(&self, name: &str, findings: Vec<Finding>, diagnosed: bool) {
        self.with(|routes| {
            if let Some(s) = routes.get_mut(name) {
                s.findings = findings;
                if diagnosed {
                    s.last_diagnosis_at_ms = Some(now_ms());
                }
            }
        });
    }

    /// Whether the route's last probe failed.
    pub fn failing(&self, name: &str) -> bool {
        self.with(|routes| routes.get(name).is_some_and(RouteStatus::failing))
    }

    pub fn snapshot(&self) -> Vec<RouteStatus> {
        self.with(|routes| routes.values().cloned().collect())
    }
}
