//! Every Prometheus metric xprobe exports, named in this one module and
//! registered on a [`prometheus::Registry`] the caller passes in (never the
//! process-wide default registry).
//!
//! Label values come only from bounded sets: route names and destination
//! labels from the config, result and severity from fixed enums, finding
//! codes from `&'static str` constants, AWS service/operation names from the
//! SDK. Never an error string, never a probe id.

mod families;
mod labels;

pub use families::{encode, encode_route_families, Metrics, DELIVERY_LATENCY_BUCKETS, PUBLISH_DURATION_BUCKETS};
pub use labels::{destination_labels, ProbeResult};

#[cfg(test)]
pub(crate) mod tests;
