//! Bounded label values: the probe result set and destination labels.

use std::collections::HashMap;

use crate::config::RouteConfig;
use crate::probe::Status;

/// How one probe of one destination ended, as the `result` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeResult {
    Delivered,
    Missing,
    Error,
    /// The probe outlived its route's interval.
    Timeout,
}

impl ProbeResult {
    /// Every value, so counters can start at zero for each.
    pub const ALL: [ProbeResult; 4] = [
        ProbeResult::Delivered,
        ProbeResult::Missing,
        ProbeResult::Error,
        ProbeResult::Timeout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProbeResult::Delivered => "delivered",
            ProbeResult::Missing => "missing",
            ProbeResult::Error => "error",
            ProbeResult::Timeout => "timeout",
        }
    }
}

impl From<Status> for ProbeResult {
    /// `unverified` (activity seen, arrival not provable) is not a delivery;
    /// it counts as `error`, "xprobe could not tell", so the label set stays
    /// the four values the dashboards and alerts know.
    fn from(s: Status) -> Self {
        match s {
            Status::Delivered => ProbeResult::Delivered,
            Status::Missing => ProbeResult::Missing,
            Status::Error | Status::Unverified => ProbeResult::Error,
        }
    }
}

/// The `destination` label of each of a route's destinations, in config
/// order: the kind (`sqs`, `sns`, ...), or the kind and its 1-based position
/// among destinations of that kind (`sqs-1`, `sqs-2`) when the route has
/// more than one of a kind. Bounded by the config, stable across restarts.
pub fn destination_labels(route: &RouteConfig) -> Vec<String> {
    let mut totals: HashMap<&str, usize> = HashMap::new();
    for d in &route.destinations {
        *totals.entry(d.spec.kind()).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    route
        .destinations
        .iter()
        .map(|d| {
            let kind = d.spec.kind();
            let n = seen.entry(kind).or_default();
            *n += 1;
            if totals[kind] == 1 {
                kind.to_string()
            } else {
                format!("{kind}-{n}")
            }
        })
        .collect()
}
