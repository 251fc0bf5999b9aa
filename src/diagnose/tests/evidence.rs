//! Evidence findings: errors the rules engine reported and the AWS/IoT
//! Failure metric, linked to the static finding they confirm, or flagged
//! when the static analysis found nothing.

use super::build::*;
use crate::diagnose::metrics::{ActionMetrics, RuleMetrics};
use crate::diagnose::{diagnose, unknown_facts, Fact, RouteFacts, Severity, Stage};

fn failing(facts: &mut RouteFacts, action_type: &str, failure: u64) {
    facts.metrics = Fact::Known(RuleMetrics {
        window_minutes: 60,
        topic_match: Some(failure + 1),
        actions: vec![ActionMetrics {
            action_type: action_type.into(),
            success: 1,
            failure,
        }],
    });
}

#[test]
fn rule_error_reported_confirms_the_static_finding() {
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).policy = None;
    facts.log_errors = Fact::Known(vec![log_error(
        "SqsAction",
        "AccessDenied: Access to the resource https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue is denied.",
    )]);
    let f = finding(&facts, "rule-error-reported", Severity::Info);
    assert_eq!(f.confirms, Some("sqs-policy-denies"));
    assert!(
        f.evidence[0].contains("AccessDenied") && f.evidence[0].contains("trace 2f6e5f1c"),
        "{f:#?}"
    );
    assert_eq!(top(&facts), "sqs-policy-denies");
}

#[test]
fn rule_error_reported_contradicting_the_static_analysis_is_an_error() {
    let mut facts = healthy_sqs();
    facts.log_errors = Fact::Known(vec![log_error("SqsAction", "AccessDenied: denied by an SCP")]);
    let f = finding(&facts, "rule-error-reported", Severity::Error);
    assert_eq!(f.confirms, Some("sqs-policy-denies"));
    assert!(f.explanation.contains("found nothing wrong"), "{f:#?}");
    assert!(!f.evidence.is_empty());
}

#[test]
fn a_denial_by_a_policy_xprobe_cannot_read_is_named_from_the_message() {
    let mut facts = healthy_sqs();
    facts.log_errors = Fact::Known(vec![log_error(
        "SqsAction",
        "AccessDenied: User: arn:aws:sts::111111111111:assumed-role/iot-sqs-role/x is not authorized to perform: \
         sqs:SendMessage on resource: arn:aws:sqs:us-east-1:222222222222:ExampleQueue with an explicit deny in a \
         service control policy",
    )]);
    let scp = complete(&facts, "scp-denies", Severity::Error);
    assert_eq!(scp.stage, Stage::Role);
    assert!(scp.explanation.contains("service control policy"), "{scp:#?}");
    assert!(
        scp.evidence[0].contains("explicit deny in a service control policy"),
        "{scp:#?}"
    );
    assert!(scp.fix.unwrap().contains("--filter SERVICE_CONTROL_POLICY"));
    let evidence = finding(&facts, "rule-error-reported", Severity::Info);
    assert_eq!(evidence.confirms, Some("scp-denies"));
    assert_eq!(top(&facts), "scp-denies");

    // A static finding of the same kind is confirmed instead of duplicated.
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).policy = None;
    facts.log_errors = Fact::Known(vec![log_error(
        "SqsAction",
        "AccessDenied: ... because no resource-based policy allows the sqs:SendMessage action",
    )]);
    assert_eq!(
        finding(&facts, "rule-error-reported", Severity::Info).confirms,
        Some("sqs-policy-denies")
    );
    assert!(diagnose(&facts).iter().all(|f| f.code != "scp-denies"));
}

#[test]
fn rule_action_failures_confirms_the_static_finding() {
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).policy = None;
    failing(&mut facts, "Sqs", 7);
    let f = complete(&facts, "rule-action-failures", Severity::Warning);
    assert_eq!(f.stage, Stage::Evidence);
    assert_eq!(f.confirms, Some("sqs-policy-denies"));
    assert!(f.explanation.contains("confirms `sqs-policy-denies`"), "{f:#?}");
    assert!(
        f.evidence
            .iter()
            .any(|e| e == "AWS/IoT RuleName=sqs_rule ActionType=Sqs: Failure = 7, Success = 1 (last 60 minutes)"),
        "{f:#?}"
    );
    assert!(f.evidence.iter().any(|e| e.ends_with("TopicMatch = 8")), "{f:#?}");
    assert!(f.fix.unwrap().contains(r#"$.ruleName = "sqs_rule""#));
    // The error comes first; the metric is evidence after it.
    assert_eq!(top(&facts), "sqs-policy-denies");
}

#[test]
fn rule_action_failures_confirm_a_role_finding_for_role_using_actions() {
    let mut facts = healthy_s3();
    the_role(&mut facts).inline_policies[0].document = identity_allow("s3:PutObject", "arn:aws:s3:::examplebucket");
    failing(&mut facts, "S3", 2);
    let f = finding(&facts, "rule-action-failures", Severity::Warning);
    assert_eq!(f.confirms, Some("role-policy-resource-mismatch"));
}

#[test]
fn rule_action_failures_without_a_static_cause_say_so() {
    let mut facts = healthy_lambda();
    failing(&mut facts, "Lambda", 3);
    let f = complete(&facts, "rule-action-failures", Severity::Warning);
    assert_eq!(f.confirms, None);
    assert!(f.explanation.contains("found nothing wrong"), "{f:#?}");
    // A Lambda failure is not explained by an SQS finding.
    let mut facts = healthy_lambda();
    failing(&mut facts, "Lambda", 3);
    the_rule(&mut facts).error_action = None;
    assert_eq!(
        finding(&facts, "rule-action-failures", Severity::Warning).confirms,
        None
    );
}

#[test]
fn no_failures_no_metric_finding() {
    for facts in [healthy_sqs(), healthy_sns(), healthy_s3(), healthy_lambda()] {
        assert!(!diagnose(&facts).iter().any(|f| f.code == "rule-action-failures"));
    }
    // Unknown metrics are listed with the permission that would reveal them.
    let mut facts = healthy_sqs();
    facts.metrics = Fact::Unknown(crate::diagnose::Unknown {
        reason: "cloudwatch ListMetrics failed: AccessDenied".into(),
        permission: Some("cloudwatch:ListMetrics".into()),
    });
    assert!(!diagnose(&facts).iter().any(|f| f.code == "rule-action-failures"));
    let unknown = unknown_facts(&facts);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].0, "AWS/IoT rule metrics");
    assert_eq!(unknown[0].1.permission.as_deref(), Some("cloudwatch:ListMetrics"));
}

#[test]
fn facts_files_without_metrics_still_load() {
    let facts = healthy_sqs();
    let mut json = serde_json::to_value(&facts).unwrap();
    // Round trip with metrics.
    let back: RouteFacts = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, facts);
    // A file written before metrics were read.
    json.as_object_mut().unwrap().remove("metrics");
    let old: RouteFacts = serde_json::from_value(json).unwrap();
    assert!(old.metrics.unknown().unwrap().reason.contains("not in this facts file"));
    assert_eq!(old.rule, facts.rule);
    assert!(unknown_facts(&old)
        .iter()
        .any(|(name, _)| name == "AWS/IoT rule metrics"));
}
