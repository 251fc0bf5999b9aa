//! Counting AWS API calls with an SDK interceptor, by service, operation and
//! outcome. The counts feed `xprobe_aws_api_calls_total` and the per-probe
//! `api_calls` figure; they are measured, never estimated.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// How a call ended. A small fixed set, so it can be a metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Ok,
    Error,
    Throttled,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Throttled => "throttled",
        }
    }
}

/// One counted series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiCallKey {
    pub service: String,
    pub operation: String,
    pub outcome: Outcome,
}

/// Shared call counts. Cloning shares the counts.
#[derive(Debug, Clone, Default)]
pub struct ApiCallCounter {
    counts: Arc<Mutex<BTreeMap<ApiCallKey, u64>>>,
}

impl ApiCallCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one call.
    pub fn record(&self, service: &str, operation: &str, outcome: Outcome) {
        if let Ok(mut c) = self.counts.lock() {
            *c.entry(ApiCallKey {
                service: service.to_ascii_lowercase(),
                operation: operation.to_string(),
                outcome,
            })
            .or_insert(0) += 1;
        }
    }

    /// A copy of every count so far.
    pub fn snapshot(&self) -> BTreeMap<ApiCallKey, u64> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Total calls so far.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }
}

impl fmt::Display for ApiCallCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in self.snapshot() {
            writeln!(f, "{} {} {} {}", k.service, k.operation, k.outcome.as_str(), v)?;
        }
        Ok(())
    }
}

impl Intercept for ApiCallCounter {
    fn name(&self) -> &'static str {
        "xprobe::ApiCallCounter"
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("unknown", "unknown"), |m| (m.service(), m.name()));
        let outcome = match context.output_or_error() {
            Some(Ok(_)) => Outcome::Ok,
            _ if context.response().is_some_and(|r| r.status().as_u16() == 429) => Outcome::Throttled,
            _ => Outcome::Error,
        };
        self.record(service, operation, outcome);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_service_operation_and_outcome() {
        let c = ApiCallCounter::new();
        c.record("SQS", "ReceiveMessage", Outcome::Ok);
        c.record("sqs", "ReceiveMessage", Outcome::Ok);
        c.record("sqs", "DeleteMessage", Outcome::Error);
        let s = c.snapshot();
        assert_eq!(s.len(), 2);
        assert_eq!(c.total(), 3);
        let k = ApiCallKey {
            service: "sqs".into(),
            operation: "ReceiveMessage".into(),
            outcome: Outcome::Ok,
        };
        assert_eq!(s[&k], 2);
    }
}
