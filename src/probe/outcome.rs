//! What a probe ends in. These types serialise to the documented, stable
//! `--output json` schema: add fields, never rename or remove them.

use serde::Serialize;

/// How one destination ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The probe arrived.
    Delivered,
    /// Nothing arrived by the deadline.
    Missing,
    /// xprobe could not tell: publishing or reading failed.
    Error,
    /// The destination shows activity but cannot prove the probe arrived
    /// (a Lambda function that does not log its event).
    Unverified,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Delivered => "delivered",
            Status::Missing => "missing",
            Status::Error => "error",
            Status::Unverified => "unverified",
        }
    }
}

/// The result for one destination of one route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DestinationResult {
    /// sqs, sns, s3 or lambda.
    pub kind: String,
    /// The queue URL, topic ARN, bucket or function the rule delivers to.
    pub target: String,
    pub status: Status,
    /// Publish to arrival at the destination, as the destination stamped it.
    pub latency_ms: Option<u64>,
    /// Publish to xprobe seeing the probe.
    pub detect_ms: Option<u64>,
    pub probe_id: String,
    /// The cause, for `error`; what was waited for, for `missing`.
    pub error: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// Things worth knowing even when delivered (e.g. a low maxReceiveCount).
    pub warnings: Vec<String>,
    /// For a destination not delivered: the most important diagnose finding.
    pub diagnosis: Option<crate::diagnose::Finding>,
    /// AWS API calls this verification made, counted by an SDK interceptor.
    pub api_calls: u32,
    /// Where the probe was found (an S3 key, a log stream), when found.
    pub found_at: Option<String>,
    /// Messages that were not ours, seen and made visible again.
    pub foreign_seen: u32,
}

impl DestinationResult {
    /// A result for a destination that was never checked because publishing failed.
    pub fn not_checked(kind: &str, target: &str, probe_id: &str, error: &str) -> Self {
        let error = (!error.is_empty()).then(|| error.to_string());
        DestinationResult {
            kind: kind.to_string(),
            target: target.to_string(),
            status: Status::Error,
            latency_ms: None,
            detect_ms: None,
            probe_id: probe_id.to_string(),
            error,
            hint: None,
            warnings: Vec::new(),
            diagnosis: None,
            api_calls: 0,
            found_at: None,
            foreign_seen: 0,
        }
    }

    /// A result being filled in by a verifier: `error` until it says otherwise.
    pub fn pending(kind: &str, target: &str, probe_id: &str) -> Self {
        Self::not_checked(kind, target, probe_id, "")
    }
}

/// How the probe was published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishReport {
    /// mqtt or https.
    pub mode: String,
    /// The topic actually published to (with the Basic Ingest prefix if used).
    pub topic: String,
    pub connect_ms: Option<u64>,
    pub publish_ms: Option<u64>,
    /// Why publishing failed, if it did.
    pub error: Option<String>,
    /// The stable code of that failure (`mqtt-…`), for diagnose.
    pub error_code: Option<String>,
    pub hint: Option<String>,
}

/// The result for one route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteResult {
    pub name: String,
    pub rule: String,
    pub probe_id: String,
    pub sent_at_ms: i64,
    pub publish: PublishReport,
    pub destinations: Vec<DestinationResult>,
}

impl RouteResult {
    /// Whether every destination delivered.
    pub fn all_delivered(&self) -> bool {
        self.destinations.iter().all(|d| d.status == Status::Delivered)
    }

    /// Whether the probe left xprobe at all.
    pub fn was_sent(&self) -> bool {
        self.publish.error.is_none()
    }
}
