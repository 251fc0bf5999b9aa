//! Where probe outcomes go: the metrics, the status board, and a diagnosis
//! after a failure (rate-limited per route, run in the background).

use std::sync::Arc;
use std::time::Duration;

use tracing::{debug, info, warn};

use super::diagnosis::{failure_signature, Diagnoser, DiagnosisGate};
use super::status::StatusBoard;
use crate::config::RouteConfig;
use crate::metrics::Metrics;
use crate::probe::RouteResult;

/// Records outcomes. Shared by the scheduler's route tasks.
pub struct Recorder {
    pub metrics: Arc<Metrics>,
    pub status: Arc<StatusBoard>,
    diagnoser: Arc<dyn Diagnoser>,
    gate: DiagnosisGate,
}

impl Recorder {
    pub fn new(
        metrics: Arc<Metrics>,
        status: Arc<StatusBoard>,
        diagnoser: Arc<dyn Diagnoser>,
        diagnose_every: Duration,
    ) -> Self {
        Recorder {
            metrics,
            status,
            diagnoser,
            gate: DiagnosisGate::new(diagnose_every),
        }
    }

    /// Starts exporting `route`.
    pub fn track(&self, route: &RouteConfig) {
        self.metrics.track_route(route);
        self.status.track(route);
    }

    /// Stops exporting a route that left the config.
    pub fn forget(&self, name: &str) {
        self.metrics.forget_route(name);
        self.status.forget(name);
        self.gate.reset(name);
    }

    /// A probe that finished within its interval.
    pub fn finished(self: &Arc<Self>, route: &RouteConfig, result: RouteResult) {
        if !self.status.is_current(route) {
            debug!(route = %route.name, "Dropping the result of a route that changed or left the config.");
            return;
        }
        self.metrics.observe(route, &result);
        self.status.record(route, &result, false);
        if result.all_delivered() {
            self.resolve(route);
        } else {
            info!(route = %route.name, signature = %failure_signature(&result), "Probe failed.");
            self.maybe_diagnose(route, result);
        }
    }

    /// A probe that outlived its interval: counted as a timeout now.
    pub fn timed_out(&self, route: &RouteConfig) {
        if !self.status.is_current(route) {
            return;
        }
        warn!(route = %route.name, interval_ms = route.interval.as_millis() as u64, "Probe outlived its interval; counted as a timeout.");
        self.metrics.observe_timeout(route);
        self.status.record_timeout(route);
    }

    /// The result of a probe that had already timed out: shown in `/status`
    /// and diagnosed if it failed, but not counted again.
    pub fn late(self: &Arc<Self>, route: &RouteConfig, result: RouteResult) {
        if !self.status.is_current(route) {
            return;
        }
        self.status.record(route, &result, true);
        if !result.all_delivered() {
            self.maybe_diagnose(route, result);
        }
    }

    /// The route delivers again: its findings are resolved.
    fn resolve(&self, route: &RouteConfig) {
        self.metrics.set_findings(&route.name, &[]);
        self.status.set_findings(&route.name, Vec::new(), false);
        self.gate.reset(&route.name);
    }

    fn maybe_diagnose(self: &Arc<Self>, route: &RouteConfig, result: RouteResult) {
        if !self.gate.try_start(&route.name, &failure_signature(&result)) {
            return;
        }
        let this = self.clone();
        let route = route.clone();
        tokio::spawn(async move {
            let findings = this.diagnoser.diagnose(&route, &result).await;
            // A probe may have delivered (or the route left the config)
            // while diagnosis ran; then these findings are stale.
            if this.status.is_current(&route) && this.status.failing(&route.name) {
                let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
                info!(route = %route.name, codes = ?codes, "Diagnosed the failure.");
                this.metrics.set_findings(&route.name, &findings);
                this.status.set_findings(&route.name, findings, true);
            }
            this.gate.finish(&route.name);
        });
    }
}
