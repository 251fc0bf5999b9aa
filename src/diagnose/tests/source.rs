//! Publish, rule and role checks on recorded facts: one test per code.

use super::build::*;
use crate::diagnose::facts::ProbeFacts;
use crate::diagnose::source_facts::NamedPolicy;
use crate::diagnose::{diagnose, has_errors, Fact, Severity, Stage};
use crate::rule::RuleAction;

#[test]
fn healthy_routes_have_no_errors_or_warnings() {
    for facts in [healthy_sqs(), healthy_sns(), healthy_s3(), healthy_lambda()] {
        let findings = diagnose(&facts);
        assert!(!has_errors(&findings), "{}: {:#?}", facts.route, codes(&findings));
        let not_info: Vec<_> = codes(&findings)
            .into_iter()
            .filter(|(_, s)| *s != Severity::Info)
            .collect();
        assert!(not_info.is_empty(), "{}: {not_info:?}", facts.route);
    }
    // The one info finding: S3 with Block Public Access on and a non-public policy.
    assert_eq!(
        codes(&diagnose(&healthy_s3())),
        vec![("s3-block-public-access-not-the-cause", Severity::Info)]
    );
}

fn publish_failed(code: &str) -> crate::diagnose::RouteFacts {
    let mut f = healthy_sqs();
    f.probe = ProbeFacts {
        topic: Some("$aws/rules/sqs_rule/iot/test".into()),
        publish_error: Some((code.into(), "the broker said no".into())),
        ..ProbeFacts::default()
    };
    f
}

#[test]
fn publish_failures_keep_their_code_and_come_first() {
    for code in [
        "mqtt-endpoint-unreachable",
        "mqtt-server-untrusted",
        "mqtt-client-cert-rejected",
        "mqtt-publish-not-authorized",
        "mqtt-client-id-in-use",
    ] {
        let facts = publish_failed(code);
        let f = with_fix(&facts, code, Severity::Error);
        assert_eq!(f.stage, Stage::Publish);
        assert!(f.explanation.contains("the broker said no"), "{f:#?}");
        assert_eq!(top(&facts), code);
    }
    let in_use = with_fix(
        &publish_failed("mqtt-client-id-in-use"),
        "mqtt-client-id-in-use",
        Severity::Error,
    );
    assert!(in_use.fix.unwrap().contains("remove client_id from [mqtt]"));
    // An unknown publish code is not passed through as a code.
    with_fix(&publish_failed("mqtt-weird"), "mqtt-publish-failed", Severity::Error);
}

#[test]
fn rule_not_found_stops_the_checks() {
    let mut facts = healthy_sqs();
    facts.rule = Fact::Known(None);
    facts.roles.clear();
    let f = complete(&facts, "rule-not-found", Severity::Error);
    assert!(f.explanation.contains("sqs_rule"), "{f:#?}");
    // Nothing downstream is judged without the rule.
    assert!(diagnose(&facts)
        .iter()
        .all(|f| f.stage <= Stage::Rule || f.stage == Stage::Evidence));
}

#[test]
fn rule_disabled() {
    let mut facts = healthy_sqs();
    the_rule(&mut facts).disabled = true;
    let f = complete(&facts, "rule-disabled", Severity::Error);
    assert!(f.fix.unwrap().contains("enable-topic-rule --rule-name sqs_rule"));
    assert_eq!(top(&facts), "rule-disabled");
}

#[test]
fn rule_topic_mismatch() {
    let mut facts = healthy_sqs();
    facts.topic = Some("iot/other".into());
    let f = complete(&facts, "rule-topic-mismatch", Severity::Error);
    assert!(
        f.explanation.contains("iot/other") && f.explanation.contains("iot/test"),
        "{f:#?}"
    );
    // Basic Ingest bypasses the FROM filter.
    facts.basic_ingest = true;
    assert!(!codes(&diagnose(&facts)).contains(&("rule-topic-mismatch", Severity::Error)));
}

#[test]
fn rule_where_excludes_probe() {
    let mut facts = healthy_sqs();
    the_rule(&mut facts).sql = "SELECT * FROM 'iot/test' WHERE temperature > 50".into();
    facts.probe.payload = Some(serde_json::json!({"temperature": 21}));
    let f = complete(&facts, "rule-where-excludes-probe", Severity::Error);
    assert!(f.evidence.iter().any(|e| e.contains("temperature > 50")), "{f:#?}");
    // A probe that passes the clause is not excluded.
    facts.probe.payload = Some(serde_json::json!({"temperature": 60}));
    assert_eq!(top(&facts), "none");
}

#[test]
fn rule_action_missing() {
    let mut facts = healthy_sqs();
    the_rule(&mut facts).actions = vec![RuleAction::Sqs {
        queue_url: "https://sqs.us-east-1.amazonaws.com/222222222222/OtherQueue".into(),
        role_arn: ROLE.into(),
        use_base64: false,
    }];
    let f = complete(&facts, "rule-action-missing", Severity::Error);
    assert!(f.evidence.iter().any(|e| e.contains("OtherQueue")), "{f:#?}");
}

#[test]
fn rule_no_error_action() {
    let mut facts = healthy_sqs();
    the_rule(&mut facts).error_action = None;
    facts.error_action_errors = None;
    let f = with_fix(&facts, "rule-no-error-action", Severity::Warning);
    assert_eq!(f.stage, Stage::Rule);
}

#[test]
fn iot_logging_disabled() {
    let mut facts = healthy_sqs();
    if let Fact::Known(l) = &mut facts.logging {
        l.default_log_level = Some("DISABLED".into());
    }
    let f = complete(&facts, "iot-logging-disabled", Severity::Warning);
    assert!(f.evidence[0].contains("defaultLogLevel = DISABLED"), "{f:#?}");
    assert!(f.fix.unwrap().contains("set-v2-logging-options"));
    // disableAllLogs wins over a level.
    let mut facts = healthy_sqs();
    if let Fact::Known(l) = &mut facts.logging {
        l.disable_all_logs = true;
    }
    complete(&facts, "iot-logging-disabled", Severity::Warning);
}

#[test]
fn role_not_found() {
    let mut facts = healthy_sqs();
    let role = the_role(&mut facts);
    role.exists = false;
    role.trust_policy = None;
    role.inline_policies.clear();
    let f = complete(&facts, "role-not-found", Severity::Error);
    assert!(f.fix.unwrap().contains("create-role --role-name iot-rule-role"));
}

#[test]
fn role_trust_missing_iot() {
    let mut facts = healthy_sqs();
    the_role(&mut facts).trust_policy = Some(allow(r#"{"Service":"lambda.amazonaws.com"}"#, "sts:AssumeRole", "*"));
    let f = complete(&facts, "role-trust-missing-iot", Severity::Error);
    assert!(f.evidence[0].contains("lambda.amazonaws.com"), "{f:#?}");
    assert!(f.fix.unwrap().contains("update-assume-role-policy"));
}

#[test]
fn role_trust_condition_mismatch() {
    let mut facts = healthy_sqs();
    the_role(&mut facts).trust_policy = Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"iot.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"333333333333"}}}]}"#.into());
    let f = complete(&facts, "role-trust-condition-mismatch", Severity::Error);
    assert!(f.evidence[0].contains("333333333333"), "{f:#?}");
}

#[test]
fn role_policy_missing_action() {
    let mut facts = healthy_sqs();
    the_role(&mut facts).inline_policies[0].document = identity_allow("sqs:ReceiveMessage", QUEUE_ARN);
    let f = complete(&facts, "role-policy-missing-action", Severity::Error);
    assert!(f.fix.unwrap().contains(r#""Action":"sqs:SendMessage""#));
}

#[test]
fn role_policy_resource_mismatch() {
    // The walkthrough's S3 mistake: the bucket ARN without `/*`.
    let mut facts = healthy_s3();
    the_role(&mut facts).inline_policies[0].document = identity_allow("s3:PutObject", "arn:aws:s3:::examplebucket");
    let f = complete(&facts, "role-policy-resource-mismatch", Severity::Error);
    assert!(f.explanation.contains("not on arn:aws:s3:::examplebucket/"), "{f:#?}");
}

#[test]
fn role_policy_explicit_deny() {
    let mut facts = healthy_sqs();
    the_role(&mut facts).inline_policies.push(NamedPolicy {
        name: "guardrail".into(),
        document: r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoCrossAccount","Effect":"Deny","Action":"sqs:*","Resource":"arn:aws:sqs:*:222222222222:*"}]}"#.into(),
    });
    let f = complete(&facts, "role-policy-explicit-deny", Severity::Error);
    assert!(f.evidence.iter().any(|e| e.contains("NoCrossAccount")), "{f:#?}");
}

#[test]
fn role_boundary_denies() {
    // The boundary does not allow it (implicit deny) ...
    let mut facts = healthy_sqs();
    the_role(&mut facts).boundary = Some(NamedPolicy {
        name: "arn:aws:iam::111111111111:policy/boundary".into(),
        document: identity_allow("s3:*", "*"),
    });
    let f = complete(&facts, "role-boundary-denies", Severity::Error);
    assert!(f.explanation.contains("permissions boundary"), "{f:#?}");
    // ... or denies it outright.
    let mut facts = healthy_sqs();
    the_role(&mut facts).boundary = Some(NamedPolicy {
        name: "arn:aws:iam::111111111111:policy/boundary".into(),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"sqs:SendMessage","Resource":"*"}]}"#.into(),
    });
    complete(&facts, "role-boundary-denies", Severity::Error);
}

#[test]
fn role_policy_unparsable() {
    let mut facts = healthy_sqs();
    the_role(&mut facts).attached_policies.push(NamedPolicy {
        name: "arn:aws:iam::111111111111:policy/broken".into(),
        document: "{not json".into(),
    });
    let f = finding(&facts, "role-policy-unparsable", Severity::Warning);
    assert!(f.explanation.contains("policy/broken"), "{f:#?}");
    // The parsable policy still allows the send.
    assert!(!has_errors(&diagnose(&facts)));
}
