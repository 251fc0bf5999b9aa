//! Counting AWS API calls with an SDK interceptor, by service, operation and
//! outcome. The counts feed `xprobe_aws_api_calls_total` and the per-probe
//! `api_calls` figure; they are measured, never estimated. Each call's start
//! and end are kept too, so diagnose can report its critical path: the
//! longest chain of calls that ran one after another.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

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
    /// When each call started and ended (retries included).
    spans: Arc<Mutex<Vec<(Instant, Instant)>>>,
}

/// When the current call started, kept in the call's config bag.
#[derive(Debug, Clone, Copy)]
struct CallStart(Instant);

impl Storable for CallStart {
    type Storer = StoreReplace<Self>;
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

    /// Adds the time span of one call.
    pub fn record_span(&self, start: Instant, end: Instant) {
        if let Ok(mut s) = self.spans.lock() {
            s.push((start, end));
        }
    }

    /// The critical path in sequential round trips, as measured: the longest
    /// chain of calls where each started after the previous one had ended.
    /// Calls that overlap in time count once, so a fully parallel read is 1.
    pub fn sequential_calls(&self) -> usize {
        let spans = self.spans.lock().map(|s| s.clone()).unwrap_or_default();
        longest_chain(&spans)
    }
}

/// The longest chain of non-overlapping intervals (each starts at or after
/// the previous one's end).
fn longest_chain(spans: &[(Instant, Instant)]) -> usize {
    let mut by_end = spans.to_vec();
    by_end.sort_by_key(|s| s.1);
    let mut depth = vec![0usize; by_end.len()];
    for i in 0..by_end.len() {
        let before = (0..i).filter(|&j| by_end[j].1 <= by_end[i].0).map(|j| depth[j]).max();
        depth[i] = 1 + before.unwrap_or(0);
    }
    depth.into_iter().max().unwrap_or(0)
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

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Several counters see the same call; the first one's clock wins.
        if cfg.load::<CallStart>().is_none() {
            cfg.interceptor_state().store_put(CallStart(Instant::now()));
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(start) = cfg.load::<CallStart>() {
            self.record_span(start.0, Instant::now());
        }
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

    #[test]
    fn critical_path_is_the_longest_chain_of_non_overlapping_calls() {
        use std::time::Duration;
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let c = ApiCallCounter::new();
        assert_eq!(c.sequential_calls(), 0);
        // Round 1: three calls at once; round 2 starts when the first ends;
        // round 3 after round 2.
        c.record_span(at(0), at(10));
        c.record_span(at(0), at(30));
        c.record_span(at(1), at(12));
        c.record_span(at(10), at(20));
        c.record_span(at(20), at(25));
        assert_eq!(c.sequential_calls(), 3);
        // A clone shares the spans.
        c.clone().record_span(at(25), at(26));
        assert_eq!(c.sequential_calls(), 4);
    }
}
