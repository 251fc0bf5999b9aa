//! The metric families and how a probe result, a finding or a reload moves them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use super::labels::{destination_labels, ProbeResult};
use crate::aws::ApiCallKey;
use crate::config::RouteConfig;
use crate::diagnose::Finding;
use crate::probe::{RouteResult, Status};

/// Publish-to-arrival latency buckets, 10 ms to 60 s.
pub const DELIVERY_LATENCY_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// Publish (PUBACK or HTTPS response) duration buckets, 5 ms to 10 s.
pub const PUBLISH_DURATION_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

const NO_LABELS: &[&str] = &[];

/// The series that exist for one route, so they can be removed with it.
#[derive(Debug, Default)]
struct RouteSeries {
    destinations: Vec<String>,
    findings: BTreeSet<(&'static str, &'static str)>,
    published: bool,
}

/// xprobe's metrics, registered on one registry.
pub struct Metrics {
    probe_success: IntGaugeVec,
    probes_total: IntCounterVec,
    delivery_latency: HistogramVec,
    publish_duration: HistogramVec,
    last_success: GaugeVec,
    finding: IntGaugeVec,
    mqtt_connected: IntGaugeVec,
    mqtt_reconnects: IntCounterVec,
    aws_api_calls: IntCounterVec,
    reload_successful: IntGauge,
    reload_failures: IntCounter,
    late_probes: IntCounter,
    routes: Mutex<HashMap<String, RouteSeries>>,
}

impl Metrics {
    /// Creates every family and registers it on `registry`.
    pub fn new(registry: &Registry) -> prometheus::Result<Metrics> {
        let m = Metrics {
            probe_success: IntGaugeVec::new(
                Opts::new(
                    "xprobe_probe_success",
                    "Whether the last probe of the route reached the destination (1) or not (0).",
                ),
                &["route", "destination"],
            )?,
            probes_total: IntCounterVec::new(
                Opts::new(
                    "xprobe_probes_total",
                    "Probes by how they ended: delivered, missing, error or timeout.",
                ),
                &["route", "destination", "result"],
            )?,
            delivery_latency: HistogramVec::new(
                HistogramOpts::new(
                    "xprobe_delivery_latency_seconds",
                    "Time from publishing a probe to its arrival at the destination.",
                )
                .buckets(DELIVERY_LATENCY_BUCKETS.to_vec()),
                &["route", "destination"],
            )?,
            publish_duration: HistogramVec::new(
                HistogramOpts::new(
                    "xprobe_publish_duration_seconds",
                    "Time to publish a probe (MQTT PUBACK or HTTPS response).",
                )
                .buckets(PUBLISH_DURATION_BUCKETS.to_vec()),
                &["route"],
            )?,
            last_success: GaugeVec::new(
                Opts::new(
                    "xprobe_last_success_timestamp_seconds",
                    "Unix time of the last probe that reached the destination.",
                ),
                &["route", "destination"],
            )?,
            finding: IntGaugeVec::new(
                Opts::new(
                    "xprobe_finding",
                    "1 while a diagnosis finding is active on the route; the series goes away when it is resolved.",
                ),
                &["route", "code", "severity"],
            )?,
            mqtt_connected: IntGaugeVec::new(
                Opts::new(
                    "xprobe_mqtt_connected",
                    "Whether the MQTT publisher session is connected (only when publishing over MQTT).",
                ),
                NO_LABELS,
            )?,
            mqtt_reconnects: IntCounterVec::new(
                Opts::new(
                    "xprobe_mqtt_reconnects_total",
                    "MQTT sessions re-established after a lost connection (only when publishing over MQTT).",
                ),
                NO_LABELS,
            )?,
            aws_api_calls: IntCounterVec::new(
                Opts::new(
                    "xprobe_aws_api_calls_total",
                    "AWS API calls made, by service, operation and outcome (ok, error, throttled).",
                ),
                &["service", "operation", "outcome"],
            )?,
            reload_successful: IntGauge::new(
                "xprobe_config_last_reload_successful",
                "Whether the last config load or reload succeeded.",
            )?,
            reload_failures: IntCounter::new(
                "xprobe_config_reload_failures_total",
                "Config reloads that failed; the previous config stayed in force.",
            )?,
            late_probes: IntCounter::new(
                "xprobe_late_probes_total",
                "Probes of this process that arrived after their probe had ended (deleted when read; \
                 a rising rate means deadlines are too short).",
            )?,
            routes: Mutex::new(HashMap::new()),
        };
        let build_info = IntGaugeVec::new(
            Opts::new("xprobe_build_info", "Always 1; the version of xprobe."),
            &["version"],
        )?;
        build_info.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        registry.register(Box::new(build_info))?;
        registry.register(Box::new(m.probe_success.clone()))?;
        registry.register(Box::new(m.probes_total.clone()))?;
        registry.register(Box::new(m.delivery_latency.clone()))?;
        registry.register(Box::new(m.publish_duration.clone()))?;
        registry.register(Box::new(m.last_success.clone()))?;
        registry.register(Box::new(m.finding.clone()))?;
        registry.register(Box::new(m.mqtt_connected.clone()))?;
        registry.register(Box::new(m.mqtt_reconnects.clone()))?;
        registry.register(Box::new(m.aws_api_calls.clone()))?;
        registry.register(Box::new(m.reload_successful.clone()))?;
        registry.register(Box::new(m.reload_failures.clone()))?;
        registry.register(Box::new(m.late_probes.clone()))?;
        Ok(m)
    }

    /// Starts exporting a route: every `xprobe_probes_total` result series at
    /// zero, so `increase()` sees the first failure. A route whose
    /// destinations changed loses its old series first.
    pub fn track_route(&self, route: &RouteConfig) {
        let labels = destination_labels(route);
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        if let Some(old) = routes.get(&route.name) {
            if old.destinations == labels {
                return;
            }
            let old = routes.remove(&route.name).unwrap_or_default();
            self.remove_series(&route.name, &old);
        }
        for d in &labels {
            for r in ProbeResult::ALL {
                self.probes_total
                    .with_label_values(&[route.name.as_str(), d, r.as_str()]);
            }
        }
        routes.insert(
            route.name.clone(),
            RouteSeries {
                destinations: labels,
                ..RouteSeries::default()
            },
        );
    }

    /// Stops exporting a route that left the config: removes all its series.
    pub fn forget_route(&self, name: &str) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        if let Some(old) = routes.remove(name) {
            self.remove_series(name, &old);
        }
    }

    fn remove_series(&self, route: &str, s: &RouteSeries) {
        for d in &s.destinations {
            for r in ProbeResult::ALL {
                let _ = self.probes_total.remove_label_values(&[route, d, r.as_str()]);
            }
            let _ = self.probe_success.remove_label_values(&[route, d]);
            let _ = self.delivery_latency.remove_label_values(&[route, d]);
            let _ = self.last_success.remove_label_values(&[route, d]);
        }
        for (code, severity) in &s.findings {
            let _ = self.finding.remove_label_values(&[route, code, severity]);
        }
        if s.published {
            let _ = self.publish_duration.remove_label_values(&[route]);
        }
    }

    /// Records a finished probe of `route` (the config it ran with).
    pub fn observe(&self, route: &RouteConfig, result: &RouteResult) {
        self.track_route(route);
        let labels = destination_labels(route);
        let now = unix_seconds();
        for (label, d) in labels.iter().zip(&result.destinations) {
            let l = [route.name.as_str(), label.as_str()];
            let outcome = ProbeResult::from(d.status);
            self.probes_total
                .with_label_values(&[l[0], l[1], outcome.as_str()])
                .inc();
            let delivered = d.status == Status::Delivered;
            self.probe_success.with_label_values(&l).set(i64::from(delivered));
            if delivered {
                if let Some(ms) = d.latency_ms.or(d.detect_ms) {
                    self.delivery_latency.with_label_values(&l).observe(ms as f64 / 1000.0);
                }
                self.last_success.with_label_values(&l).set(now);
            }
        }
        if let Some(ms) = result.publish.publish_ms {
            self.publish_duration
                .with_label_values(&[route.name.as_str()])
                .observe(ms as f64 / 1000.0);
            if let Ok(mut routes) = self.routes.lock() {
                if let Some(s) = routes.get_mut(&route.name) {
                    s.published = true;
                }
            }
        }
    }

    /// Records a probe of `route` that outlived its interval: a `timeout`
    /// for every destination.
    pub fn observe_timeout(&self, route: &RouteConfig) {
        self.track_route(route);
        for label in destination_labels(route) {
            let l = [route.name.as_str(), label.as_str()];
            self.probes_total
                .with_label_values(&[l[0], l[1], ProbeResult::Timeout.as_str()])
                .inc();
            self.probe_success.with_label_values(&l).set(0);
        }
    }

    /// Makes `findings` the active findings of `route`: their series are 1,
    /// and series of findings no longer present are removed.
    pub fn set_findings(&self, route: &str, findings: &[Finding]) {
        let new: BTreeSet<(&'static str, &'static str)> =
            findings.iter().map(|f| (f.code, f.severity.as_str())).collect();
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let Some(s) = routes.get_mut(route) else {
            return;
        };
        for (code, severity) in s.findings.difference(&new) {
            let _ = self.finding.remove_label_values(&[route, code, severity]);
        }
        for (code, severity) in &new {
            self.finding.with_label_values(&[route, code, severity]).set(1);
        }
        s.findings = new;
    }

    /// The MQTT session's health, or `None` when publishing over HTTPS (the
    /// MQTT series are then not exported at all). `reconnects` is the
    /// process-lifetime total.
    pub fn set_mqtt(&self, health: Option<(bool, u64)>) {
        match health {
            Some((connected, reconnects)) => {
                self.mqtt_connected
                    .with_label_values(NO_LABELS)
                    .set(i64::from(connected));
                catch_up(&self.mqtt_reconnects.with_label_values(NO_LABELS), reconnects);
            }
            None => {
                self.mqtt_connected.reset();
                self.mqtt_reconnects.reset();
            }
        }
    }

    /// Brings `xprobe_aws_api_calls_total` up to the counter's snapshot.
    pub fn sync_api_calls(&self, snapshot: &BTreeMap<ApiCallKey, u64>) {
        for (k, v) in snapshot {
            let c =
                self.aws_api_calls
                    .with_label_values(&[k.service.as_str(), k.operation.as_str(), k.outcome.as_str()]);
            catch_up(&c, *v);
        }
    }

    /// Brings `xprobe_late_probes_total` up to the ledger's count.
    pub fn sync_late_probes(&self, total: u64) {
        catch_up(&self.late_probes, total);
    }

    /// Records the outcome of loading or reloading the config.
    pub fn config_loaded(&self, ok: bool) {
        self.reload_successful.set(i64::from(ok));
        if !ok {
            self.reload_failures.inc();
        }
    }
}

/// Raises a counter to `total` (counters only go up).
fn catch_up(c: &prometheus::IntCounter, total: u64) {
    let now = c.get();
    if total > now {
        c.inc_by(total - now);
    }
}

fn unix_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The families with a `route` label that a single probe moves.
const ROUTE_FAMILIES: &[&str] = &[
    "xprobe_probe_success",
    "xprobe_probes_total",
    "xprobe_delivery_latency_seconds",
    "xprobe_publish_duration_seconds",
    "xprobe_last_success_timestamp_seconds",
];

/// The registry's metrics in the Prometheus text format.
pub fn encode(registry: &Registry) -> prometheus::Result<String> {
    encode_families(registry, |_| true)
}

/// Only the per-route probe families, in the text format (what an
/// on-demand probe answers with).
pub fn encode_route_families(registry: &Registry) -> prometheus::Result<String> {
    encode_families(registry, |name| ROUTE_FAMILIES.contains(&name))
}

fn encode_families(registry: &Registry, keep: impl Fn(&str) -> bool) -> prometheus::Result<String> {
    let families: Vec<_> = registry.gather().into_iter().filter(|f| keep(f.name())).collect();
    let mut buf = Vec::new();
    TextEncoder::new().encode(&families, &mut buf)?;
    String::from_utf8(buf).map_err(|e| prometheus::Error::Msg(e.to_string()))
}
