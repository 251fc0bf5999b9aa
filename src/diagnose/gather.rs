//! Reading every fact of a route from both accounts, as much in parallel as
//! the dependencies allow: round 1 reads the rule, logging, recent failures
//! and every destination at once; round 2 reads the roles the rule names
//! and its error queue.

use std::collections::BTreeMap;

use futures::future::join_all;

use super::fact::Fact;
use super::facts::{AccountInfo, Destination, DestinationFacts, ProbeFacts, RouteFacts};
use super::metrics;
use super::rule_errors::{self, IOT_LOG_GROUP};
use super::source_facts;
use crate::aws::{fetch_rule, AccountClients, ApiCallCounter, AwsError, ClientFactory};
use crate::config::{DestinationSpec, RouteConfig};
use crate::dest;
use crate::rule::RuleAction;

/// Reads all facts of `route`. Never fails: what can't be read is `Unknown`.
pub async fn gather_route(factory: &ClientFactory, route: &RouteConfig, mut probe: ProbeFacts) -> RouteFacts {
    if probe.payload.is_none() {
        // Without a probe, judge the WHERE clause against what a probe of this route would carry.
        let tag = crate::probe::ProbeTag::new(&route.name);
        probe.payload = serde_json::from_slice(&crate::probe::build_payload(&route.payload, &tag)).ok();
    }
    let calls = ApiCallCounter::new();
    let started = std::time::Instant::now();
    let clients = |name: String| {
        let calls = calls.clone();
        async move { factory.account(&name).await.map(|c| c.scoped(&calls)) }
    };
    let Some(source) = clients(route.account.clone()).await else {
        return empty(route, probe);
    };
    let since = probe.sent_at_ms.map(|t| t - 5_000);
    let round1_source = async {
        tokio::join!(
            account_info(&source),
            fetch_rule(&source, &route.rule),
            source_facts::logging(&source),
            rule_errors::from_logs(&source, IOT_LOG_GROUP, &route.rule, since),
            metrics::rule_metrics(&source, &route.rule),
        )
    };
    let round1_dest = join_all(route.destinations.iter().map(|d| async move {
        let c = clients(d.account.clone()).await?;
        let info = account_info(&c).await;
        let facts = match &d.spec {
            DestinationSpec::Sqs { queue_url } => DestinationFacts::Sqs(dest::sqs::gather(&c, queue_url).await),
            DestinationSpec::Sns {
                topic_arn,
                tap_queue_url,
            } => DestinationFacts::Sns(dest::sns::gather(&c, topic_arn, tap_queue_url.as_deref()).await),
            DestinationSpec::S3 { bucket, .. } => {
                DestinationFacts::S3(dest::s3::gather(&c, bucket, info.id.known().map(String::as_str)).await)
            }
            DestinationSpec::Lambda { function_arn, .. } => {
                DestinationFacts::Lambda(dest::lambda::gather(&c, function_arn).await)
            }
        };
        Some(Destination { account: info, facts })
    }));
    let ((source_info, rule, logging, log_errors, metrics), destinations) = tokio::join!(round1_source, round1_dest);
    let rule = match rule {
        Ok(r) => Fact::Known(Some(r)),
        Err(e) if rule_absent(&e) => Fact::Known(None),
        Err(e) => Fact::from_error(&e),
    };
    // Round 2: the roles the rule's actions use, and its error queue.
    let role_arns: Vec<String> = rule
        .known()
        .and_then(|r| r.as_ref())
        .map(|r| {
            let mut arns: Vec<String> = r
                .actions
                .iter()
                .chain(r.error_action.iter())
                .filter_map(|a| a.role_arn().map(str::to_string))
                .collect();
            arns.sort();
            arns.dedup();
            arns
        })
        .unwrap_or_default();
    let error_queue = rule
        .known()
        .and_then(|r| r.as_ref())
        .and_then(|r| match &r.error_action {
            Some(RuleAction::Sqs { queue_url, .. }) => Some(queue_url.clone()),
            _ => None,
        });
    let roles = join_all(role_arns.iter().map(|arn| source_facts::role(&source, arn)));
    let errors = async {
        match &error_queue {
            Some(q) => Some(rule_errors::from_error_queue(&source, q, &route.rule).await),
            None => None,
        }
    };
    let (roles, error_action_errors) = tokio::join!(roles, errors);
    tracing::debug!(
        route = %route.name,
        api_calls = calls.total(),
        sequential_calls = calls.sequential_calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "diagnose facts gathered"
    );
    RouteFacts {
        route: route.name.clone(),
        rule_name: route.rule.clone(),
        topic: route.topic.clone(),
        basic_ingest: route.basic_ingest,
        source: source_info,
        rule,
        logging,
        roles: role_arns.into_iter().zip(roles).collect::<BTreeMap<_, _>>(),
        destinations: destinations.into_iter().flatten().collect(),
        log_errors,
        error_action_errors,
        metrics,
        probe,
        api_calls: calls.total(),
    }
}

/// GetTopicRule answers UnauthorizedException for a rule that does not exist.
fn rule_absent(e: &AwsError) -> bool {
    e.is_not_found() || e.code() == Some("UnauthorizedException")
}

async fn account_info(c: &AccountClients) -> AccountInfo {
    let id = match c.sts().get_caller_identity().send().await {
        Ok(o) => o.account().map_or_else(
            || Fact::unknown_because("GetCallerIdentity returned no account"),
            |a| Fact::Known(a.to_string()),
        ),
        Err(e) => Fact::from_error(&AwsError::from_sdk("sts", "GetCallerIdentity", e)),
    };
    AccountInfo {
        name: c.name().to_string(),
        id,
        region: c.region().to_string(),
    }
}

fn empty(route: &RouteConfig, probe: ProbeFacts) -> RouteFacts {
    fn unknown<T>(route: &RouteConfig) -> Fact<T> {
        Fact::unknown_because(format!("account `{}` is not configured", route.account))
    }
    RouteFacts {
        route: route.name.clone(),
        rule_name: route.rule.clone(),
        topic: route.topic.clone(),
        basic_ingest: route.basic_ingest,
        source: AccountInfo {
            name: route.account.clone(),
            id: unknown(route),
            region: String::new(),
        },
        rule: unknown(route),
        logging: unknown(route),
        roles: BTreeMap::new(),
        destinations: Vec::new(),
        log_errors: unknown(route),
        error_action_errors: None,
        metrics: unknown(route),
        probe,
        api_calls: 0,
    }
}
