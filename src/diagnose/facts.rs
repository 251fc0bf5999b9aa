//! Everything diagnose reads for one route, as one serialisable bundle:
//! `--save-facts` writes it (no credentials, no message bodies) and
//! `--facts` diagnoses from it offline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fact::Fact;
use super::metrics::RuleMetrics;
use super::rule_errors::RuleError;
use super::source_facts::{LoggingFacts, RoleFacts};
use crate::dest::{lambda::LambdaFacts, s3::S3Facts, sns::SnsFacts, sqs::SqsFacts};
use crate::rule::TopicRule;

/// One account as xprobe sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// The config name.
    pub name: String,
    /// The 12-digit id (STS GetCallerIdentity).
    pub id: Fact<String>,
    pub region: String,
}

/// What the probe did, when diagnose follows a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProbeFacts {
    /// The topic published to (with any Basic Ingest prefix).
    pub topic: Option<String>,
    /// The payload published (the route's template plus the tag).
    pub payload: Option<serde_json::Value>,
    /// The probe id, to match rule errors to it.
    pub probe_id: Option<String>,
    pub sent_at_ms: Option<i64>,
    /// The publish failure's code (`mqtt-…`) and text, if publishing failed.
    pub publish_error: Option<(String, String)>,
    /// Destinations (targets) the probe reached but could not be proven at:
    /// a Lambda function that ran but never logged the probe.
    #[serde(default)]
    pub unverified: Vec<String>,
}

impl ProbeFacts {
    /// What a probe of `route` did, from its result.
    pub fn from_result(route: &crate::config::RouteConfig, result: &crate::probe::RouteResult) -> Self {
        let tag = crate::probe::ProbeTag {
            id: result.probe_id.clone(),
            sent_at_ms: result.sent_at_ms,
            route: route.name.clone(),
        };
        ProbeFacts {
            topic: Some(result.publish.topic.clone()).filter(|t| !t.is_empty()),
            payload: serde_json::from_slice(&crate::probe::build_payload(&route.payload, &tag)).ok(),
            probe_id: Some(result.probe_id.clone()),
            sent_at_ms: Some(result.sent_at_ms),
            publish_error: result.publish.error_code.clone().zip(result.publish.error.clone()),
            unverified: result
                .destinations
                .iter()
                .filter(|d| d.status == crate::probe::Status::Unverified)
                .map(|d| d.target.clone())
                .collect(),
        }
    }
}

/// Facts about one destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DestinationFacts {
    Sqs(SqsFacts),
    Sns(SnsFacts),
    S3(S3Facts),
    Lambda(LambdaFacts),
}

/// A destination and its account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    pub account: AccountInfo,
    pub facts: DestinationFacts,
}

/// Everything read for one route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteFacts {
    pub route: String,
    pub rule_name: String,
    /// The topic the route publishes to (config), before any Basic Ingest prefix.
    pub topic: Option<String>,
    pub basic_ingest: bool,
    pub source: AccountInfo,
    /// `None` inside means the rule does not exist.
    pub rule: Fact<Option<TopicRule>>,
    pub logging: Fact<LoggingFacts>,
    /// Every role the rule's actions use, by ARN.
    pub roles: BTreeMap<String, Fact<RoleFacts>>,
    pub destinations: Vec<Destination>,
    /// AWSIotLogsV2 failures of this rule.
    pub log_errors: Fact<Vec<RuleError>>,
    /// errorAction documents of this rule found in its SQS error queue.
    pub error_action_errors: Option<Fact<Vec<RuleError>>>,
    /// The rule's AWS/IoT metrics over the last hour. A facts file written
    /// before xprobe read them loads with this unknown.
    #[serde(default = "metrics_not_recorded")]
    pub metrics: Fact<RuleMetrics>,
    pub probe: ProbeFacts,
    /// API calls made to read the facts, and the longest chain of sequential calls.
    pub api_calls: u64,
}

fn metrics_not_recorded() -> Fact<RuleMetrics> {
    Fact::unknown_because("not in this facts file (written by an xprobe that did not read rule metrics)")
}
