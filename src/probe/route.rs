//! Probing one route: resolve the topic, publish a tagged probe, and wait
//! for it at every destination at once.

use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;

use super::ledger::ProbeLedger;
use super::outcome::{DestinationResult, PublishReport, RouteResult};
use super::tag::{build_payload, ProbeTag};
use crate::aws::{fetch_rule, AwsError, ClientFactory};
use crate::config::{DestinationSpec, RouteConfig};
use crate::dest::{verify_destination, VerifyContext};
use crate::mqtt::{PublishError, Publisher};
use crate::rule::{basic_ingest_topic, RuleSql, TopicRule};

/// Why the topic to publish to could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    #[error("cannot read rule `{rule}` to find its topic")]
    Rule {
        rule: String,
        #[source]
        source: AwsError,
    },
    #[error("rule `{rule}` SQL does not parse: {detail}")]
    BadSql { rule: String, detail: String },
    #[error("rule `{rule}` selects from `{filter}`, which has wildcards, so xprobe cannot pick a topic (hint: set `topic` on the route to a topic the filter matches)")]
    Wildcard { rule: String, filter: String },
}

/// Whether probing the route needs the rule itself (for its topic or an S3 key template).
pub fn needs_rule(route: &RouteConfig) -> bool {
    route.topic.is_none()
        || route
            .destinations
            .iter()
            .any(|d| matches!(d.spec, DestinationSpec::S3 { key: None, .. }))
}

/// The topic a route publishes to, before any Basic Ingest prefix: the
/// route's `topic`, or the rule's FROM topic when that has no wildcard.
pub fn resolve_topic(route: &RouteConfig, rule: Option<&TopicRule>) -> Result<String, TopicError> {
    if let Some(t) = &route.topic {
        return Ok(t.clone());
    }
    let sql = rule.map(|r| r.sql.as_str()).unwrap_or_default();
    let parsed = RuleSql::parse(sql).map_err(|e| TopicError::BadSql {
        rule: route.rule.clone(),
        detail: e.to_string(),
    })?;
    match parsed.from_topic_literal() {
        Some(t) => Ok(t.to_string()),
        None => Err(TopicError::Wildcard {
            rule: route.rule.clone(),
            filter: parsed.from.as_str().to_string(),
        }),
    }
}

/// Everything a probe of one route needs.
pub struct RouteProbe<'a> {
    pub factory: &'a ClientFactory,
    /// The shared publisher, or why there is none.
    pub publisher: Result<&'a Publisher, &'a PublishError>,
    pub ledger: &'a ProbeLedger,
}

impl RouteProbe<'_> {
    /// Probes `route` once.
    pub async fn run(&self, route: &RouteConfig) -> RouteResult {
        let tag = ProbeTag::new(&route.name);
        // Retires the id however the probe ends, also when the daemon drops
        // this future at the route's hard limit.
        let _retire = self.ledger.retire_on_drop(&tag.id);
        let mut result = RouteResult {
            name: route.name.clone(),
            rule: route.rule.clone(),
            probe_id: tag.id.clone(),
            sent_at_ms: tag.sent_at_ms,
            publish: PublishReport {
                mode: match self.publisher {
                    Ok(p) => p.mode().to_string(),
                    Err(_) => "none".to_string(),
                },
                topic: String::new(),
                connect_ms: None,
                publish_ms: None,
                error: None,
                error_code: None,
                hint: None,
            },
            destinations: Vec::new(),
        };
        match self.publish(route, &tag, &mut result).await {
            Ok(published) => {
                let ctx = VerifyContext {
                    tag: tag.clone(),
                    deadline: published.deadline,
                    ledger: self.ledger.clone(),
                    topic: published.topic,
                    client_id: self.publisher.ok().and_then(|p| p.client_id().map(str::to_string)),
                    payload: published.payload,
                    rule: published.rule,
                };
                result.destinations = join_all(route.destinations.iter().map(|d| async {
                    match self.factory.account(&d.account).await {
                        Some(clients) => verify_destination(d, &clients, &ctx).await,
                        None => DestinationResult::not_checked(
                            d.spec.kind(),
                            d.spec.target(),
                            &tag.id,
                            "account not configured",
                        ),
                    }
                }))
                .await;
            }
            Err((error, hint, code)) => {
                result.publish.error_code = code;
                result.destinations = route
                    .destinations
                    .iter()
                    .map(|d| {
                        let mut r = DestinationResult::not_checked(
                            d.spec.kind(),
                            d.spec.target(),
                            &tag.id,
                            &format!("not checked: {error}"),
                        );
                        r.hint = Some(hint.clone());
                        r
                    })
                    .collect();
                result.publish.error = Some(error);
                result.publish.hint = Some(hint);
            }
        }
        result
    }

    /// Publishes the probe; returns what verifiers need to know about it.
    async fn publish(
        &self,
        route: &RouteConfig,
        tag: &ProbeTag,
        result: &mut RouteResult,
    ) -> Result<Published, PublishFailure> {
        let publisher = self
            .publisher
            .map_err(|e| (e.to_string(), e.hint(), Some(e.code().to_string())))?;
        let source = self.factory.account(&route.account).await.ok_or_else(|| {
            (
                format!("account `{}` is not configured", route.account),
                "add it under [accounts]".to_string(),
                None,
            )
        })?;
        let rule = if needs_rule(route) {
            let r = fetch_rule(&source, &route.rule).await.map_err(|e| {
                let hint = e
                    .hint()
                    .unwrap_or_else(|| "check the rule name and the source account's region".to_string());
                (
                    error_chain(&TopicError::Rule {
                        rule: route.rule.clone(),
                        source: e,
                    }),
                    hint,
                    None,
                )
            })?;
            Some(Arc::new(r))
        } else {
            None
        };
        let topic = resolve_topic(route, rule.as_deref())
            .map_err(|e| (error_chain(&e), "set `topic` on the route".to_string(), None))?;
        let publish_topic = if route.basic_ingest {
            basic_ingest_topic(&route.rule, &topic)
        } else {
            topic.clone()
        };
        result.publish.topic = publish_topic.clone();
        self.ledger.record(&tag.id);
        let payload = build_payload(&route.payload, tag);
        let json = serde_json::from_slice(&payload).unwrap_or_default();
        let timing = publisher
            .publish(&publish_topic, payload)
            .await
            .map_err(|e| (e.to_string(), e.hint(), Some(e.code().to_string())))?;
        result.publish.connect_ms = timing.connect.map(|d| millis(d.as_millis()));
        result.publish.publish_ms = Some(millis(timing.publish.as_millis()));
        Ok(Published {
            deadline: Instant::now() + route.deadline,
            topic,
            payload: json,
            rule,
        })
    }
}

/// Why publishing failed: the error, the hint and the stable code, if any.
type PublishFailure = (String, String, Option<String>);

/// What a successful publish hands to the verifiers.
struct Published {
    deadline: Instant,
    topic: String,
    payload: serde_json::Value,
    rule: Option<Arc<TopicRule>>,
}

fn millis(ms: u128) -> u64 {
    u64::try_from(ms).unwrap_or(u64::MAX)
}

/// An error and its sources, on one line.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(src) = cur {
        s.push_str(": ");
        s.push_str(&src.to_string());
        cur = src.source();
    }
    s
}
