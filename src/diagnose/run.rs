//! Turning a route's facts into ordered findings.

use super::checks::{
    action_for, metrics_findings, publish_findings, rule_error_findings, rule_findings, trust_findings,
};
use super::context::CheckContext;
use super::facts::{DestinationFacts, RouteFacts};
use super::finding::{Finding, Severity};
use crate::dest;

/// Every finding for a route, most important first: errors before
/// warnings before info, and within a severity in the order a message
/// travels (publish, rule, role, destination, KMS, constraints, evidence).
pub fn diagnose(facts: &RouteFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    publish_findings(facts, &mut out);
    if rule_findings(facts, &mut out) {
        let rule = facts.rule.known().and_then(|r| r.as_ref());
        let source_id = facts.source.id.known().map(String::as_str);
        if let Some(rule) = rule {
            let rule_arn = rule.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:aws:iot:{}:{}:rule/{}",
                    facts.source.region,
                    source_id.unwrap_or("?"),
                    rule.name
                )
            });
            for role in facts.roles.values().filter_map(|r| r.known()) {
                trust_findings(role, &rule_arn, source_id, &mut out);
            }
        }
        for d in &facts.destinations {
            let action = rule.and_then(|r| action_for(r, d));
            let role = action
                .and_then(|a| a.role_arn())
                .and_then(|arn| facts.roles.get(arn))
                .and_then(|f| f.known())
                .filter(|r| r.exists);
            let ctx = CheckContext {
                facts,
                rule,
                action,
                role,
                dest_account: &d.account,
            };
            match &d.facts {
                DestinationFacts::Sqs(f) => dest::sqs::check(&ctx, f, &mut out),
                DestinationFacts::Sns(f) => dest::sns::check(&ctx, f, &mut out),
                DestinationFacts::S3(f) => dest::s3::check(&ctx, f, &mut out),
                DestinationFacts::Lambda(f) => dest::lambda::check(&ctx, f, &mut out),
            }
        }
    }
    let static_findings = out.clone();
    rule_error_findings(facts, &static_findings, &mut out);
    metrics_findings(facts, &static_findings, &mut out);
    dedup(&mut out);
    out.sort_by_key(|f| (f.severity, f.stage));
    out
}

/// The same code on the same resource once (a role shared by actions).
fn dedup(out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert((f.code, f.component.resource.clone(), f.explanation.clone())));
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// The facts xprobe could not read, with the permission that would reveal each.
pub fn unknown_facts(facts: &RouteFacts) -> Vec<(String, super::fact::Unknown)> {
    let mut out = Vec::new();
    let mut push = |name: String, u: Option<&super::fact::Unknown>| {
        if let Some(u) = u {
            out.push((name, u.clone()));
        }
    };
    push("source account id".into(), facts.source.id.unknown());
    push(format!("rule {}", facts.rule_name), facts.rule.unknown());
    push("IoT logging options".into(), facts.logging.unknown());
    push("AWSIotLogsV2 failures".into(), facts.log_errors.unknown());
    push("AWS/IoT rule metrics".into(), facts.metrics.unknown());
    if let Some(e) = &facts.error_action_errors {
        push("error action queue".into(), e.unknown());
    }
    for (arn, r) in &facts.roles {
        push(format!("role {arn}"), r.unknown());
    }
    for d in &facts.destinations {
        match &d.facts {
            DestinationFacts::Sqs(f) => {
                push(format!("queue {} attributes", f.queue_url), f.attributes.unknown());
                push(
                    format!("queue {} KMS key", f.queue_url),
                    f.key.as_ref().and_then(|k| k.unknown()),
                );
            }
            DestinationFacts::Sns(f) => {
                push(format!("topic {} attributes", f.topic_arn), f.attributes.unknown());
                push(
                    format!("topic {} subscriptions", f.topic_arn),
                    f.subscriptions.unknown(),
                );
                push(
                    format!("topic {} KMS key", f.topic_arn),
                    f.key.as_ref().and_then(|k| k.unknown()),
                );
            }
            DestinationFacts::S3(f) => {
                push(format!("bucket {} policy", f.bucket), f.policy.unknown());
                push(
                    format!("bucket {} Block Public Access", f.bucket),
                    f.public_access_block.unknown(),
                );
                push(
                    format!("account Block Public Access ({})", d.account.name),
                    f.account_public_access_block.unknown(),
                );
                push(
                    format!("bucket {} object ownership", f.bucket),
                    f.object_ownership.unknown(),
                );
                push(format!("bucket {} encryption", f.bucket), f.encryption.unknown());
                push(format!("bucket {} region", f.bucket), f.region.unknown());
            }
            DestinationFacts::Lambda(f) => {
                push(format!("function {} configuration", f.function_arn), f.config.unknown());
                push(format!("function {} policy", f.function_arn), f.policy.unknown());
            }
        }
    }
    out
}
