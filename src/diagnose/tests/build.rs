//! Builders of recorded facts: the walkthrough's healthy routes (A owns the
//! rule and its role, B the destination), which tests break one part of.

use std::collections::BTreeMap;

use crate::dest::kms::KeyFacts;
use crate::dest::lambda::{FunctionConfig, LambdaFacts};
use crate::dest::s3::{BucketEncryption, PublicAccessBlock, S3Facts};
use crate::dest::sns::{SnsFacts, Subscription, TopicAttributes};
use crate::dest::sqs::{QueueAttributes, SqsFacts};
use crate::diagnose::facts::{AccountInfo, Destination, DestinationFacts, ProbeFacts, RouteFacts};
use crate::diagnose::metrics::{ActionMetrics, RuleMetrics};
use crate::diagnose::rule_errors::RuleError;
use crate::diagnose::source_facts::{LoggingFacts, NamedPolicy, RoleFacts};
use crate::diagnose::{diagnose, Fact, Finding, Severity};
use crate::rule::{RuleAction, TopicRule};

pub const A: &str = "111111111111";
pub const B: &str = "222222222222";
pub const REGION: &str = "us-east-1";
pub const ROLE: &str = "arn:aws:iam::111111111111:role/iot-rule-role";
pub const QUEUE_URL: &str = "https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue";
pub const QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:222222222222:ExampleQueue";
pub const ERROR_QUEUE_URL: &str = "https://sqs.us-east-1.amazonaws.com/111111111111/rule-errors";
pub const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:222222222222:ExampleTopic";
pub const TAP_URL: &str = "https://sqs.us-east-1.amazonaws.com/222222222222/xprobe-tap-sns";
pub const BUCKET: &str = "examplebucket";
pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:222222222222:function:example-function";

pub fn rule_arn(name: &str) -> String {
    format!("arn:aws:iot:{REGION}:{A}:rule/{name}")
}

fn account(name: &str, id: &str) -> AccountInfo {
    AccountInfo {
        name: name.into(),
        id: Fact::Known(id.into()),
        region: REGION.into(),
    }
}

/// One Allow statement as a policy document.
pub fn allow(principal: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

/// An identity policy allowing `action` on `resource`.
pub fn identity_allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

/// The role the rule's actions use: trusted by IoT for account A's rules,
/// allowed `action` on `resource`.
pub fn role(action: &str, resource: &str) -> RoleFacts {
    RoleFacts {
        arn: ROLE.into(),
        exists: true,
        trust_policy: Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"iot.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{A}"}}}}}}]}}"#
        )),
        inline_policies: vec![NamedPolicy {
            name: "deliver".into(),
            document: identity_allow(action, resource),
        }],
        attached_policies: Vec::new(),
        boundary: None,
    }
}

fn rule(name: &str, actions: Vec<RuleAction>) -> TopicRule {
    TopicRule {
        name: name.into(),
        arn: Some(rule_arn(name)),
        sql: "SELECT * FROM 'iot/test'".into(),
        disabled: false,
        sql_version: Some("2016-03-23".into()),
        actions,
        error_action: Some(RuleAction::Sqs {
            queue_url: ERROR_QUEUE_URL.into(),
            role_arn: ROLE.into(),
            use_base64: false,
        }),
    }
}

fn route(name: &str, rule: TopicRule, role: Option<RoleFacts>, facts: DestinationFacts) -> RouteFacts {
    let action_type = match &facts {
        DestinationFacts::Sqs(_) => "Sqs",
        DestinationFacts::Sns(_) => "Sns",
        DestinationFacts::S3(_) => "S3",
        DestinationFacts::Lambda(_) => "Lambda",
    };
    RouteFacts {
        route: name.into(),
        rule_name: rule.name.clone(),
        topic: Some("iot/test".into()),
        basic_ingest: false,
        source: account("source", A),
        rule: Fact::Known(Some(rule)),
        logging: Fact::Known(LoggingFacts {
            default_log_level: Some("ERROR".into()),
            disable_all_logs: false,
            role_arn: Some(format!("arn:aws:iam::{A}:role/IoTLoggingRole")),
        }),
        roles: role
            .map(|r| (r.arn.clone(), Fact::Known(r)))
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        destinations: vec![Destination {
            account: account("dest", B),
            facts,
        }],
        log_errors: Fact::Known(Vec::new()),
        error_action_errors: Some(Fact::Known(Vec::new())),
        metrics: Fact::Known(RuleMetrics {
            window_minutes: 60,
            topic_match: Some(12),
            actions: vec![ActionMetrics {
                action_type: action_type.into(),
                success: 12,
                failure: 0,
            }],
        }),
        probe: ProbeFacts::default(),
        api_calls: 14,
    }
}

pub fn healthy_sqs() -> RouteFacts {
    let r = rule(
        "sqs_rule",
        vec![RuleAction::Sqs {
            queue_url: QUEUE_URL.into(),
            role_arn: ROLE.into(),
            use_base64: false,
        }],
    );
    let queue = SqsFacts {
        queue_url: QUEUE_URL.into(),
        queue_arn: QUEUE_ARN.into(),
        account_id: B.into(),
        attributes: Fact::Known(Some(QueueAttributes {
            policy: Some(allow(&format!(r#"{{"AWS":"{ROLE}"}}"#), "sqs:SendMessage", QUEUE_ARN)),
            kms_key_id: None,
            fifo: false,
            redrive_policy: None,
        })),
        key: None,
    };
    route(
        "sqs",
        r,
        Some(role("sqs:SendMessage", QUEUE_ARN)),
        DestinationFacts::Sqs(queue),
    )
}

pub fn healthy_sns() -> RouteFacts {
    let r = rule(
        "sns_rule",
        vec![RuleAction::Sns {
            target_arn: TOPIC_ARN.into(),
            role_arn: ROLE.into(),
            message_format: Some("RAW".into()),
        }],
    );
    let topic = SnsFacts {
        topic_arn: TOPIC_ARN.into(),
        account_id: B.into(),
        region: REGION.into(),
        attributes: Fact::Known(Some(TopicAttributes {
            policy: Some(allow(&format!(r#"{{"AWS":"{ROLE}"}}"#), "sns:Publish", TOPIC_ARN)),
            kms_key_id: None,
            fifo: false,
        })),
        subscriptions: Fact::Known(vec![Subscription {
            arn: format!("{TOPIC_ARN}:0f1e2d3c"),
            protocol: "sqs".into(),
            endpoint: format!("arn:aws:sqs:{REGION}:{B}:xprobe-tap-sns"),
        }]),
        key: None,
        tap_queue_url: Some(TAP_URL.into()),
    };
    route(
        "sns",
        r,
        Some(role("sns:Publish", TOPIC_ARN)),
        DestinationFacts::Sns(topic),
    )
}

pub fn healthy_s3() -> RouteFacts {
    let r = rule(
        "s3_rule",
        vec![RuleAction::S3 {
            bucket: BUCKET.into(),
            key: "${topic()}/${timestamp()}".into(),
            role_arn: ROLE.into(),
            canned_acl: None,
        }],
    );
    let all = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
    let bucket = S3Facts {
        bucket: BUCKET.into(),
        exists: Fact::Known(true),
        region: Fact::Known(REGION.into()),
        policy: Fact::Known(Some(allow(
            &format!(r#"{{"AWS":"arn:aws:iam::{A}:root"}}"#),
            "s3:PutObject",
            &format!("arn:aws:s3:::{BUCKET}/*"),
        ))),
        public_access_block: Fact::Known(Some(all)),
        account_public_access_block: Fact::Known(None),
        object_ownership: Fact::Known("BucketOwnerEnforced".into()),
        encryption: Fact::Known(Some(BucketEncryption {
            algorithm: "AES256".into(),
            kms_key_id: None,
        })),
        key: None,
    };
    route(
        "s3",
        r,
        Some(role("s3:PutObject", &format!("arn:aws:s3:::{BUCKET}/*"))),
        DestinationFacts::S3(bucket),
    )
}

/// The function's resource policy for `rule_arn` and `source_account`.
pub fn lambda_permission(rule_arn: &str, source_account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Id":"default","Statement":[{{"Sid":"iot-rule","Effect":"Allow","Principal":{{"Service":"iot.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{FUNCTION_ARN}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"{source_account}"}},"ArnLike":{{"AWS:SourceArn":"{rule_arn}"}}}}}}]}}"#
    )
}

pub fn healthy_lambda() -> RouteFacts {
    let r = rule(
        "lambda_rule",
        vec![RuleAction::Lambda {
            function_arn: FUNCTION_ARN.into(),
        }],
    );
    let function = LambdaFacts {
        function_arn: FUNCTION_ARN.into(),
        account_id: B.into(),
        region: REGION.into(),
        config: Fact::Known(Some(FunctionConfig {
            arn: FUNCTION_ARN.into(),
            log_group: Some("/aws/lambda/example-function".into()),
        })),
        policy: Fact::Known(Some(lambda_permission(&rule_arn("lambda_rule"), A))),
    };
    // The error action's role is the only role; Lambda actions have none.
    route(
        "lambda",
        r,
        Some(role("sqs:SendMessage", "*")),
        DestinationFacts::Lambda(function),
    )
}

/// A customer managed key in B whose policy trusts only B's root.
pub fn key_only_for_b(configured: &str) -> KeyFacts {
    let arn = format!("arn:aws:kms:{REGION}:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    KeyFacts {
        configured: configured.into(),
        arn: Some(arn.clone()),
        manager: Some("CUSTOMER".into()),
        policy: Some(allow(&format!(r#"{{"AWS":"arn:aws:iam::{B}:root"}}"#), "kms:*", "*")),
    }
}

/// The AWS managed key of a service (`alias/aws/sqs` ...).
pub fn aws_managed_key(alias: &str) -> KeyFacts {
    KeyFacts {
        configured: alias.into(),
        arn: Some(format!(
            "arn:aws:kms:{REGION}:{B}:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
        )),
        manager: Some("AWS".into()),
        policy: None,
    }
}

/// A rules-engine failure as AWSIotLogsV2 records it.
pub fn log_error(action: &str, text: &str) -> RuleError {
    RuleError {
        source: "AWSIotLogsV2".into(),
        rule: "r".into(),
        action: Some(action.into()),
        resource: None,
        error: text.into(),
        trace_id: Some("2f6e5f1c-4c59-2b1f-8d0d-5f1e6b6f0a11".into()),
        timestamp: Some("2025-06-01 10:00:00.000".into()),
        probe_id: None,
    }
}

// ---- accessors to break one part of a healthy route ----

pub fn the_rule(f: &mut RouteFacts) -> &mut TopicRule {
    match &mut f.rule {
        Fact::Known(Some(r)) => r,
        _ => panic!("no rule"),
    }
}

pub fn the_role(f: &mut RouteFacts) -> &mut RoleFacts {
    match f.roles.get_mut(ROLE) {
        Some(Fact::Known(r)) => r,
        _ => panic!("no role"),
    }
}

pub fn the_queue(f: &mut RouteFacts) -> &mut SqsFacts {
    match &mut f.destinations[0].facts {
        DestinationFacts::Sqs(q) => q,
        _ => panic!("not an SQS route"),
    }
}

pub fn the_queue_attributes(f: &mut RouteFacts) -> &mut QueueAttributes {
    match &mut the_queue(f).attributes {
        Fact::Known(Some(a)) => a,
        _ => panic!("no queue attributes"),
    }
}

pub fn the_topic(f: &mut RouteFacts) -> &mut SnsFacts {
    match &mut f.destinations[0].facts {
        DestinationFacts::Sns(t) => t,
        _ => panic!("not an SNS route"),
    }
}

pub fn the_topic_attributes(f: &mut RouteFacts) -> &mut TopicAttributes {
    match &mut the_topic(f).attributes {
        Fact::Known(Some(a)) => a,
        _ => panic!("no topic attributes"),
    }
}

pub fn the_bucket(f: &mut RouteFacts) -> &mut S3Facts {
    match &mut f.destinations[0].facts {
        DestinationFacts::S3(b) => b,
        _ => panic!("not an S3 route"),
    }
}

pub fn the_function(f: &mut RouteFacts) -> &mut LambdaFacts {
    match &mut f.destinations[0].facts {
        DestinationFacts::Lambda(l) => l,
        _ => panic!("not a Lambda route"),
    }
}

// ---- assertions ----

/// The finding with `code` among `facts`' findings, checked for severity and
/// a non-empty explanation and component. Panics with every finding listed.
pub fn finding(facts: &RouteFacts, code: &str, severity: Severity) -> Finding {
    let all = diagnose(facts);
    let f = all
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no `{code}` among {:#?}", codes(&all)))
        .clone();
    assert_eq!(f.severity, severity, "{f:#?}");
    assert!(!f.explanation.trim().is_empty(), "{f:#?}");
    assert!(!f.component.resource.is_empty(), "{f:#?}");
    f
}

/// As [`finding`], and it carries evidence and a fix.
pub fn complete(facts: &RouteFacts, code: &str, severity: Severity) -> Finding {
    let f = finding(facts, code, severity);
    assert!(f.evidence.iter().any(|e| !e.trim().is_empty()), "no evidence: {f:#?}");
    assert!(f.fix.as_deref().is_some_and(|x| !x.trim().is_empty()), "no fix: {f:#?}");
    f
}

/// As [`finding`], with a fix; for codes whose checks quote no evidence yet.
pub fn with_fix(facts: &RouteFacts, code: &str, severity: Severity) -> Finding {
    let f = finding(facts, code, severity);
    assert!(f.fix.as_deref().is_some_and(|x| !x.trim().is_empty()), "no fix: {f:#?}");
    f
}

/// The code and severity of every finding.
pub fn codes(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings.iter().map(|f| (f.code, f.severity)).collect()
}

/// The top finding's code.
pub fn top(facts: &RouteFacts) -> &'static str {
    diagnose(facts).first().map_or("none", |f| f.code)
}
