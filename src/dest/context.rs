//! What a verifier needs to know about the probe it waits for.

use std::sync::Arc;
use std::time::Instant;

use crate::probe::{ProbeLedger, ProbeTag};
use crate::rule::TopicRule;

/// The probe being verified and the limits of the wait.
#[derive(Debug, Clone)]
pub struct VerifyContext {
    pub tag: ProbeTag,
    /// Give up waiting at this instant.
    pub deadline: Instant,
    pub ledger: ProbeLedger,
    /// The topic the probe was published to, without a Basic Ingest prefix.
    pub topic: String,
    /// The MQTT client id, or `None` when published over HTTPS (`clientid()` is "n/a").
    pub client_id: Option<String>,
    /// The payload as published.
    pub payload: serde_json::Value,
    /// The rule, when xprobe read it.
    pub rule: Option<Arc<TopicRule>>,
}
