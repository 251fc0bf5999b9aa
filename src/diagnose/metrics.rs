//! The rule's AWS/IoT CloudWatch metrics over the last hour: `TopicMatch`
//! (messages the rule's FROM and WHERE let through) and, for each action,
//! `Success` and `Failure`. AWS does not document the `ActionType` values,
//! so ListMetrics finds the ones this rule has, then one GetMetricData call
//! sums them all.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat, RecentlyActive};
use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

use super::fact::Fact;
use crate::aws::{AccountClients, AwsError};

/// The window the sums cover.
pub const WINDOW_MINUTES: u32 = 60;
const NAMESPACE: &str = "AWS/IoT";
/// Datapoint length; the sums add the window's datapoints up.
const PERIOD_SECONDS: i32 = 300;
/// GetMetricData takes at most 500 queries.
const MAX_QUERIES: usize = 500;

/// One action type's outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionMetrics {
    /// The `ActionType` dimension as AWS reports it (e.g. `Sqs`).
    pub action_type: String,
    pub success: u64,
    pub failure: u64,
}

/// The rule's metrics over the last [`WINDOW_MINUTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMetrics {
    pub window_minutes: u32,
    /// `TopicMatch` summed; `None` when AWS has no such metric for the rule
    /// (no message matched it recently).
    pub topic_match: Option<u64>,
    /// `Success` and `Failure` by action type, sorted by action type.
    pub actions: Vec<ActionMetrics>,
}

impl RuleMetrics {
    /// Failures of every action in the window.
    pub fn failures(&self) -> u64 {
        self.actions.iter().map(|a| a.failure).sum()
    }
}

/// Reads the rule's metrics with the account's CloudWatch client.
pub async fn rule_metrics(clients: &AccountClients, rule: &str) -> Fact<RuleMetrics> {
    gather(&clients.cloudwatch(), rule, SystemTime::now()).await
}

/// ListMetrics (namespace AWS/IoT, RuleName = `rule`), then one
/// GetMetricData for the metrics found, summed over the hour before `now`.
/// No metrics found means no traffic: known, with nothing in it, and no
/// second call.
pub async fn gather(cw: &aws_sdk_cloudwatch::Client, rule: &str, now: SystemTime) -> Fact<RuleMetrics> {
    let mut metrics = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cw
            .list_metrics()
            .namespace(NAMESPACE)
            .dimensions(DimensionFilter::builder().name("RuleName").value(rule).build())
            .recently_active(RecentlyActive::Pt3H)
            .set_next_token(token.take())
            .send()
            .await;
        match out {
            Ok(o) => {
                metrics.extend(o.metrics().iter().filter(|m| wanted(m, rule)).cloned());
                match o.next_token() {
                    Some(t) if !t.is_empty() && metrics.len() < MAX_QUERIES => token = Some(t.to_string()),
                    _ => break,
                }
            }
            Err(e) => return Fact::from_error(&AwsError::from_sdk("cloudwatch", "ListMetrics", e)),
        }
    }
    metrics.truncate(MAX_QUERIES);
    let mut result = RuleMetrics {
        window_minutes: WINDOW_MINUTES,
        topic_match: None,
        actions: Vec::new(),
    };
    if metrics.is_empty() {
        return Fact::Known(result);
    }
    let queries = metrics.iter().enumerate().map(|(i, m)| {
        MetricDataQuery::builder()
            .id(format!("m{i}"))
            .metric_stat(
                MetricStat::builder()
                    .metric(m.clone())
                    .period(PERIOD_SECONDS)
                    .stat("Sum")
                    .build(),
            )
            .return_data(true)
            .build()
    });
    let start = now - Duration::from_secs(u64::from(WINDOW_MINUTES) * 60);
    let out = cw
        .get_metric_data()
        .set_metric_data_queries(Some(queries.collect()))
        .start_time(DateTime::from(start))
        .end_time(DateTime::from(now))
        .send()
        .await;
    let out = match out {
        Ok(o) => o,
        Err(e) => return Fact::from_error(&AwsError::from_sdk("cloudwatch", "GetMetricData", e)),
    };
    let sums: BTreeMap<&str, u64> = out
        .metric_data_results()
        .iter()
        .filter_map(|r| Some((r.id()?, r.values().iter().sum::<f64>().round().max(0.0) as u64)))
        .collect();
    let mut actions: BTreeMap<String, ActionMetrics> = BTreeMap::new();
    for (i, m) in metrics.iter().enumerate() {
        let sum = sums.get(format!("m{i}").as_str()).copied().unwrap_or(0);
        match (m.metric_name(), dimension(m, "ActionType")) {
            (Some("TopicMatch"), None) => *result.topic_match.get_or_insert(0) += sum,
            (Some(name @ ("Success" | "Failure")), Some(action)) => {
                let a = actions.entry(action.to_string()).or_insert_with(|| ActionMetrics {
                    action_type: action.to_string(),
                    success: 0,
                    failure: 0,
                });
                if name == "Success" {
                    a.success += sum;
                } else {
                    a.failure += sum;
                }
            }
            _ => {}
        }
    }
    result.actions = actions.into_values().collect();
    Fact::Known(result)
}

/// The metrics read: TopicMatch of the rule itself, Success and Failure of its actions.
fn wanted(m: &Metric, rule: &str) -> bool {
    if dimension(m, "RuleName") != Some(rule) {
        return false;
    }
    match m.metric_name() {
        Some("TopicMatch") => dimension(m, "ActionType").is_none(),
        Some("Success" | "Failure") => dimension(m, "ActionType").is_some(),
        _ => false,
    }
}

fn dimension<'m>(m: &'m Metric, name: &str) -> Option<&'m str> {
    m.dimensions()
        .iter()
        .find(|d: &&Dimension| d.name() == Some(name))
        .and_then(|d| d.value())
}
