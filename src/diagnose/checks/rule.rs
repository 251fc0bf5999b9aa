//! Rule-stage findings: the rule exists, is enabled, matches the probe's
//! topic, lets the probe through its WHERE clause, has an action for each
//! destination, has an error action, and IoT logging is on.

use crate::aws::names::QueueUrl;
use crate::diagnose::facts::{Destination, DestinationFacts, RouteFacts};
use crate::diagnose::{Component, Finding, Severity, Stage};
use crate::probe::{build_payload, ProbeTag};
use crate::rule::{EvalContext, RuleAction, RuleSql, TopicRule, WhereOutcome};

/// The rule action that delivers to this destination.
pub fn action_for<'r>(rule: &'r TopicRule, dest: &Destination) -> Option<&'r RuleAction> {
    rule.actions.iter().find(|a| match (a, &dest.facts) {
        (RuleAction::Sqs { queue_url, .. }, DestinationFacts::Sqs(f)) => same_queue(queue_url, &f.queue_url),
        (RuleAction::Sns { target_arn, .. }, DestinationFacts::Sns(f)) => target_arn == &f.topic_arn,
        (RuleAction::S3 { bucket, .. }, DestinationFacts::S3(f)) => bucket == &f.bucket,
        (RuleAction::Lambda { function_arn }, DestinationFacts::Lambda(f)) => {
            same_function(function_arn, &f.function_arn)
        }
        _ => false,
    })
}

/// The rule's action of the destination's kind, when none targets it exactly.
pub fn action_of_kind<'r>(rule: &'r TopicRule, dest: &Destination) -> Option<&'r RuleAction> {
    let kind = match &dest.facts {
        DestinationFacts::Sqs(_) => "sqs",
        DestinationFacts::Sns(_) => "sns",
        DestinationFacts::S3(_) => "s3",
        DestinationFacts::Lambda(_) => "lambda",
    };
    rule.actions.iter().find(|a| a.kind() == kind)
}

fn same_queue(a: &str, b: &str) -> bool {
    match (QueueUrl::parse(a), QueueUrl::parse(b)) {
        (Ok(x), Ok(y)) => x.account == y.account && x.name == y.name,
        _ => a == b,
    }
}

fn same_function(a: &str, b: &str) -> bool {
    // A qualifier (":prod") on either side still names the same function.
    let base = |s: &str| s.splitn(8, ':').take(7).collect::<Vec<_>>().join(":");
    base(a) == base(b)
}

/// Rule-stage findings. Returns false when the rule is missing (nothing
/// further along can be checked).
pub fn rule_findings(facts: &RouteFacts, out: &mut Vec<Finding>) -> bool {
    let source_id = facts.source.id.known().map(String::as_str);
    let component = Component::new(
        source_id,
        Some(&facts.source.region),
        format!("rule/{}", facts.rule_name),
    );
    let rule = match facts.rule.known() {
        Some(Some(r)) => r,
        Some(None) => {
            out.push(
                Finding::new("rule-not-found", Severity::Error, Stage::Rule, component, format!("topic rule `{}` does not exist in account {} ({}), or xprobe may not read it (AWS answers the same for both)", facts.rule_name, source_id.unwrap_or("?"), facts.source.region))
                    .evidence(format!("iot GetTopicRule {}: UnauthorizedException / not found", facts.rule_name))
                    .fix(format!("aws iot list-topic-rules --region {}   # check the name (letters, digits and underscores only) and region", facts.source.region)),
            );
            return false;
        }
        None => return true,
    };
    if rule.disabled {
        out.push(
            Finding::new(
                "rule-disabled",
                Severity::Error,
                Stage::Rule,
                component.clone(),
                format!("topic rule `{}` is disabled, so it runs no actions", rule.name),
            )
            .evidence("ruleDisabled = true")
            .fix(format!(
                "aws iot enable-topic-rule --rule-name {} --region {}",
                rule.name, facts.source.region
            )),
        );
    }
    if let Ok(sql) = RuleSql::parse(&rule.sql) {
        let topic = facts
            .topic
            .clone()
            .or_else(|| sql.from_topic_literal().map(str::to_string));
        if let Some(topic) = &topic {
            if !facts.basic_ingest && !sql.from.matches(topic) {
                out.push(
                    Finding::new("rule-topic-mismatch", Severity::Error, Stage::Rule, component.clone(), format!("the probe is published to `{topic}`, which the rule's FROM filter `{}` does not match", sql.from.as_str()))
                        .evidence(format!("sql: {}", rule.sql))
                        .fix(format!("publish to a topic the filter matches (set `topic` on the route), or fix the rule's FROM clause: aws iot replace-topic-rule --rule-name {} ...", rule.name)),
                );
            }
            let payload = facts.probe.payload.clone().unwrap_or_else(|| serde_json::Value::Null);
            let payload = if payload.is_null() {
                serde_json::from_slice(&build_payload(&serde_json::Map::new(), &ProbeTag::new(&facts.route)))
                    .unwrap_or_default()
            } else {
                payload
            };
            let ctx = EvalContext::new(topic.clone(), crate::probe::now_ms());
            if let WhereOutcome::Fails { clause, reason } = sql.where_outcome(&payload, &ctx) {
                out.push(
                    Finding::new("rule-where-excludes-probe", Severity::Error, Stage::Rule, component.clone(), format!("the rule's WHERE clause excludes the probe: {reason}"))
                        .evidence(format!("WHERE {clause}"))
                        .evidence(format!("probe payload: {payload}"))
                        .fix("add the fields the WHERE clause needs to the route's `payload` so probes pass it, e.g. payload = '{\"temperature\": 60}'"),
                );
            }
        }
    }
    for d in &facts.destinations {
        if action_for(rule, d).is_none() && !lambda_in_other_account(rule, d) {
            let (kind, target) = describe(d);
            let mut f = Finding::new(
                "rule-action-missing",
                Severity::Error,
                Stage::Rule,
                component.clone(),
                format!("the rule has no {kind} action delivering to {target}"),
            );
            if let Some(other) = action_of_kind(rule, d) {
                f = f.evidence(format!("the rule's {kind} action targets {} instead", other.target()));
                if let (RuleAction::Lambda { function_arn }, DestinationFacts::Lambda(l)) = (other, &d.facts) {
                    let acct = function_arn.split(':').nth(4).unwrap_or_default();
                    if acct != l.account_id {
                        f.explanation = format!("the rule's lambda action names {function_arn}, in account {acct}, but the function is {target} in account {}: the rule invokes a function that is not there", l.account_id);
                    }
                }
            }
            for a in &rule.actions {
                f = f.evidence(format!("action {}: {}", a.kind(), a.target()));
            }
            out.push(f.fix(format!("aws iot replace-topic-rule --rule-name {} --topic-rule-payload file://rule.json   # with an action for {target}", rule.name)));
        }
    }
    if rule.error_action.is_none() {
        out.push(
            Finding::new("rule-no-error-action", Severity::Warning, Stage::Rule, component.clone(), "the rule has no error action, so failed deliveries leave no message anywhere you can read")
                .fix("add an errorAction (e.g. an SQS queue in the source account) to the rule's payload and aws iot replace-topic-rule"),
        );
    }
    if let Some(l) = facts.logging.known() {
        if l.disable_all_logs || l.default_log_level.as_deref().is_none_or(|lv| lv == "DISABLED") {
            out.push(
                Finding::new(
                    "iot-logging-disabled",
                    Severity::Warning,
                    Stage::Rule,
                    Component::new(source_id, Some(&facts.source.region), "iot logging"),
                    "AWS IoT logging is off, so rule failures are not written to AWSIotLogsV2",
                )
                .evidence(format!(
                    "GetV2LoggingOptions: defaultLogLevel = {}, disableAllLogs = {}",
                    l.default_log_level.as_deref().unwrap_or("unset"),
                    l.disable_all_logs
                ))
                .fix("aws iot set-v2-logging-options --role-arn <logging role ARN> --default-log-level ERROR"),
            );
        }
    }
    true
}

/// The kind and target of a destination, for messages.
pub fn describe(d: &Destination) -> (&'static str, String) {
    match &d.facts {
        DestinationFacts::Sqs(f) => ("sqs", f.queue_url.clone()),
        DestinationFacts::Sns(f) => ("sns", f.topic_arn.clone()),
        DestinationFacts::S3(f) => ("s3", f.bucket.clone()),
        DestinationFacts::Lambda(f) => ("lambda", f.function_arn.clone()),
    }
}

/// A Lambda action naming the same function in another account: the Lambda
/// check reports it as `lambda-function-not-found` (the walkthrough's mistake).
fn lambda_in_other_account(rule: &TopicRule, d: &Destination) -> bool {
    let DestinationFacts::Lambda(l) = &d.facts else {
        return false;
    };
    rule.actions.iter().any(|a| match a {
        RuleAction::Lambda { function_arn } => {
            let name = |arn: &str| arn.split(':').nth(6).map(str::to_string);
            function_arn.split(':').nth(4) != Some(l.account_id.as_str()) && name(function_arn) == name(&l.function_arn)
        }
        _ => false,
    })
}
