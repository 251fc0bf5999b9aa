//! Reading every fact of a route from both accounts, as much in parallel as
//! the dependencies allow. Everything that needs nothing else starts at
//! once: the rule, logging, recent failures, metrics, both account ids and
//! every destination. The roles the rule names and its error queue start as
//! soon as the rule is read, without waiting for the rest. The critical path
//! is GetTopicRule, then the role's listings, then its policy documents:
//! three round trips (`bench/diagnose.py` measures it). Four when a managed
//! policy's default version is not v1, or for an S3 bucket with a KMS key
//! (account id, bucket, then the key's DescribeKey and GetKeyPolicy).

use std::collections::BTreeMap;

use futures::future::join_all;

use super::fact::Fact;
use super::facts::{AccountInfo, Destination, DestinationFacts, ProbeFacts, RouteFacts};
use super::metrics;
use super::rule_errors::{self, RuleError, IOT_LOG_GROUP};
use super::source_facts::{self, RoleFacts};
use crate::aws::{fetch_rule, AccountClients, ApiCallCounter, AwsError, ClientFactory};
use crate::config::{DestinationSpec, RouteConfig};
use crate::dest;
use crate::rule::{RuleAction, TopicRule};

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
    let source_facts = async {
        tokio::join!(
            account_info(&source),
            rule_and_dependents(&source, &route.rule),
            source_facts::logging(&source),
            rule_errors::from_logs(&source, IOT_LOG_GROUP, &route.rule, since),
            metrics::rule_metrics(&source, &route.rule),
        )
    };
    let destinations = join_all(route.destinations.iter().map(|d| async move {
        let c = clients(d.account.clone()).await?;
        let (account, facts) = if let DestinationSpec::S3 { .. } = &d.spec {
            // S3 reads account-level Block Public Access by account id.
            let info = account_info(&c).await;
            let facts = destination(&c, &d.spec, info.id.known().map(String::as_str)).await;
            (info, facts)
        } else {
            tokio::join!(account_info(&c), destination(&c, &d.spec, None))
        };
        Some(Destination { account, facts })
    }));
    let ((source_info, (rule, roles, error_action_errors), logging, log_errors, metrics), destinations) =
        tokio::join!(source_facts, destinations);
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
        roles,
        destinations: destinations.into_iter().flatten().collect(),
        log_errors,
        error_action_errors,
        metrics,
        probe,
        api_calls: calls.total(),
    }
}

/// One destination's facts; `account_id` is the destination account's (S3 needs it).
async fn destination(c: &AccountClients, spec: &DestinationSpec, account_id: Option<&str>) -> DestinationFacts {
    match spec {
        DestinationSpec::Sqs { queue_url } => DestinationFacts::Sqs(dest::sqs::gather(c, queue_url).await),
        DestinationSpec::Sns {
            topic_arn,
            tap_queue_url,
        } => DestinationFacts::Sns(dest::sns::gather(c, topic_arn, tap_queue_url.as_deref()).await),
        DestinationSpec::S3 { bucket, .. } => DestinationFacts::S3(dest::s3::gather(c, bucket, account_id).await),
        DestinationSpec::Lambda { function_arn, .. } => {
            DestinationFacts::Lambda(dest::lambda::gather(c, function_arn).await)
        }
    }
}

type RoleMap = BTreeMap<String, Fact<RoleFacts>>;

/// The rule, then at once every role its actions use and its SQS error queue.
async fn rule_and_dependents(
    source: &AccountClients,
    name: &str,
) -> (Fact<Option<TopicRule>>, RoleMap, Option<Fact<Vec<RuleError>>>) {
    let rule = match fetch_rule(source, name).await {
        Ok(r) => Fact::Known(Some(r)),
        Err(e) if rule_absent(&e) => Fact::Known(None),
        Err(e) => Fact::from_error(&e),
    };
    let known = rule.known().and_then(|r| r.as_ref());
    let mut role_arns: Vec<String> = known
        .map(|r| {
            r.actions
                .iter()
                .chain(r.error_action.iter())
                .filter_map(|a| a.role_arn().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    role_arns.sort();
    role_arns.dedup();
    let error_queue = known.and_then(|r| match &r.error_action {
        Some(RuleAction::Sqs { queue_url, .. }) => Some(queue_url.clone()),
        _ => None,
    });
    let roles = join_all(role_arns.iter().map(|arn| source_facts::role(source, arn)));
    let errors = async {
        match &error_queue {
            Some(q) => Some(rule_errors::from_error_queue(source, q, name).await),
            None => None,
        }
    };
    let (roles, errors) = tokio::join!(roles, errors);
    (rule, role_arns.into_iter().zip(roles).collect(), errors)
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
