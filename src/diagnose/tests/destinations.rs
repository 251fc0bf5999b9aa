//! SQS, SNS, S3 and Lambda checks on recorded facts: one test per code.

use super::build::*;
use crate::dest::s3::{BucketEncryption, PublicAccessBlock};
use crate::diagnose::{diagnose, has_errors, Fact, RouteFacts, Severity, Stage};
use crate::rule::RuleAction;

// ---- SQS ----

#[test]
fn sqs_queue_not_found() {
    let mut facts = healthy_sqs();
    the_queue(&mut facts).attributes = Fact::Known(None);
    let f = complete(&facts, "sqs-queue-not-found", Severity::Error);
    assert!(f.fix.unwrap().contains("create-queue --queue-name ExampleQueue"));
}

#[test]
fn sqs_policy_denies() {
    // No policy at all: no other account may send.
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).policy = None;
    let f = with_fix(&facts, "sqs-policy-denies", Severity::Error);
    assert!(f.explanation.contains("no policy"), "{f:#?}");
    assert!(f.fix.unwrap().contains("--aws-account-ids 111111111111"));
    // A policy for another account: quoted as evidence.
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).policy = Some(allow(
        r#"{"AWS":"arn:aws:iam::333333333333:root"}"#,
        "sqs:SendMessage",
        QUEUE_ARN,
    ));
    let f = complete(&facts, "sqs-policy-denies", Severity::Error);
    assert!(f.evidence[0].contains("333333333333"), "{f:#?}");
    assert_eq!(f.stage, Stage::Destination);
}

#[test]
fn sqs_fifo_unsupported() {
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).fifo = true;
    let f = complete(&facts, "sqs-fifo-unsupported", Severity::Error);
    assert_eq!(f.evidence, vec!["FifoQueue = true".to_string()]);
}

#[test]
fn sqs_kms_aws_managed_key() {
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).kms_key_id = Some("alias/aws/sqs".into());
    the_queue(&mut facts).key = Some(Fact::Known(aws_managed_key("alias/aws/sqs")));
    let f = complete(&facts, "sqs-kms-aws-managed-key", Severity::Error);
    assert_eq!(f.stage, Stage::Kms);
    assert!(f.evidence[0].contains("alias/aws/sqs"), "{f:#?}");
}

#[test]
fn sqs_kms_key_denies() {
    let mut facts = healthy_sqs();
    the_queue_attributes(&mut facts).kms_key_id = Some("alias/queue-key".into());
    the_queue(&mut facts).key = Some(Fact::Known(key_only_for_b("alias/queue-key")));
    let f = complete(&facts, "sqs-kms-key-denies", Severity::Error);
    assert!(f.fix.unwrap().contains(ROLE));
    // A key policy naming the role lets it through.
    let mut facts = healthy_sqs();
    let mut key = key_only_for_b("alias/queue-key");
    key.policy = Some(allow(&format!(r#"{{"AWS":"{ROLE}"}}"#), "kms:*", "*"));
    the_queue(&mut facts).key = Some(Fact::Known(key));
    assert!(!has_errors(&diagnose(&facts)), "{:?}", codes(&diagnose(&facts)));
}

// ---- SNS ----

#[test]
fn sns_topic_not_found() {
    let mut facts = healthy_sns();
    the_topic(&mut facts).attributes = Fact::Known(None);
    let f = complete(&facts, "sns-topic-not-found", Severity::Error);
    assert!(f.fix.unwrap().contains("create-topic --name ExampleTopic"));
}

#[test]
fn sns_policy_denies() {
    let mut facts = healthy_sns();
    the_topic_attributes(&mut facts).policy = Some(allow(
        &format!(r#"{{"AWS":"arn:aws:iam::{B}:root"}}"#),
        "sns:Publish",
        TOPIC_ARN,
    ));
    let f = complete(&facts, "sns-policy-denies", Severity::Error);
    assert_eq!(f.component.account.as_deref(), Some(B));
}

#[test]
fn sns_fifo_unsupported() {
    let mut facts = healthy_sns();
    the_topic_attributes(&mut facts).fifo = true;
    complete(&facts, "sns-fifo-unsupported", Severity::Error);
}

#[test]
fn sns_kms_aws_managed_key() {
    let mut facts = healthy_sns();
    the_topic_attributes(&mut facts).kms_key_id = Some("alias/aws/sns".into());
    the_topic(&mut facts).key = Some(Fact::Known(aws_managed_key("alias/aws/sns")));
    let f = complete(&facts, "sns-kms-aws-managed-key", Severity::Error);
    assert_eq!(f.stage, Stage::Kms);
}

#[test]
fn sns_kms_key_denies() {
    let mut facts = healthy_sns();
    the_topic_attributes(&mut facts).kms_key_id = Some("alias/topic-key".into());
    the_topic(&mut facts).key = Some(Fact::Known(key_only_for_b("alias/topic-key")));
    let f = complete(&facts, "sns-kms-key-denies", Severity::Error);
    assert!(
        f.evidence[0].contains("arn:aws:kms:us-east-1:222222222222:key/"),
        "{f:#?}"
    );
}

#[test]
fn sns_region_mismatch() {
    let mut facts = healthy_sns();
    the_topic(&mut facts).region = "eu-west-1".into();
    let f = complete(&facts, "sns-region-mismatch", Severity::Error);
    assert!(f.evidence[0].contains("eu-west-1"), "{f:#?}");
}

#[test]
fn sns_tap_missing() {
    // None configured.
    let mut facts = healthy_sns();
    the_topic(&mut facts).tap_queue_url = None;
    let f = with_fix(&facts, "sns-tap-missing", Severity::Warning);
    assert!(f.fix.unwrap().contains("sns-tap create --route sns"));
    // Configured but not subscribed.
    let mut facts = healthy_sns();
    the_topic(&mut facts).subscriptions = Fact::Known(Vec::new());
    let f = complete(&facts, "sns-tap-missing", Severity::Warning);
    assert!(f.explanation.contains("not subscribed"), "{f:#?}");
}

// ---- S3 ----

#[test]
fn s3_bucket_not_found() {
    let mut facts = healthy_s3();
    the_bucket(&mut facts).exists = Fact::Known(false);
    let f = with_fix(&facts, "s3-bucket-not-found", Severity::Error);
    assert!(f.fix.unwrap().contains("create-bucket --bucket examplebucket"));
}

#[test]
fn s3_policy_denies() {
    let mut facts = healthy_s3();
    the_bucket(&mut facts).policy = Fact::Known(Some(allow(
        r#"{"AWS":"arn:aws:iam::333333333333:root"}"#,
        "s3:PutObject",
        "arn:aws:s3:::examplebucket/*",
    )));
    let f = complete(&facts, "s3-policy-denies", Severity::Error);
    assert!(f.fix.unwrap().contains("put-bucket-policy --bucket examplebucket"));
}

#[test]
fn s3_public_policy_blocked() {
    let facts = public_policy_blocked_s3();
    let f = complete(&facts, "s3-public-policy-blocked", Severity::Error);
    assert!(
        f.evidence.iter().any(|e| e == "RestrictPublicBuckets = true (account)"),
        "{f:#?}"
    );
    assert!(!codes(&diagnose(&facts)).contains(&("s3-block-public-access-not-the-cause", Severity::Info)));
}

/// The healthy S3 route with a public bucket policy that the account's
/// RestrictPublicBuckets cuts off.
pub fn public_policy_blocked_s3() -> RouteFacts {
    let mut facts = healthy_s3();
    let b = the_bucket(&mut facts);
    b.policy = Fact::Known(Some(public_bucket_policy()));
    b.public_access_block = Fact::Known(None);
    b.account_public_access_block = Fact::Known(Some(PublicAccessBlock {
        restrict_public_buckets: true,
        ..PublicAccessBlock::default()
    }));
    facts
}

/// A bucket policy granting account A and, publicly, reads to everyone.
pub fn public_bucket_policy() -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AllowA","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{BUCKET}/*"}},{{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{BUCKET}/*"}}]}}"#
    )
}

#[test]
fn s3_block_public_access_not_the_cause() {
    let f = finding(&healthy_s3(), "s3-block-public-access-not-the-cause", Severity::Info);
    assert!(f.evidence[0].contains("restrict_public_buckets: true"), "{f:#?}");
}

#[test]
fn s3_acl_not_supported() {
    let mut facts = healthy_s3();
    if let RuleAction::S3 { canned_acl, .. } = &mut the_rule(&mut facts).actions[0] {
        *canned_acl = Some("public-read".into());
    }
    let f = complete(&facts, "s3-acl-not-supported", Severity::Error);
    assert!(f.evidence[0].contains("BucketOwnerEnforced"), "{f:#?}");
    // bucket-owner-full-control is accepted under BucketOwnerEnforced.
    if let RuleAction::S3 { canned_acl, .. } = &mut the_rule(&mut facts).actions[0] {
        *canned_acl = Some("bucket-owner-full-control".into());
    }
    assert!(!has_errors(&diagnose(&facts)));
}

#[test]
fn s3_kms_key_denies() {
    let mut facts = healthy_s3();
    let b = the_bucket(&mut facts);
    b.encryption = Fact::Known(Some(BucketEncryption {
        algorithm: "aws:kms".into(),
        kms_key_id: Some("alias/aws/s3".into()),
    }));
    b.key = Some(Fact::Known(aws_managed_key("alias/aws/s3")));
    let f = complete(&facts, "s3-kms-key-denies", Severity::Error);
    assert_eq!(f.stage, Stage::Kms);
}

#[test]
fn s3_region_mismatch() {
    let mut facts = healthy_s3();
    the_bucket(&mut facts).region = Fact::Known("eu-west-1".into());
    let f = with_fix(&facts, "s3-region-mismatch", Severity::Error);
    assert!(f.explanation.contains("eu-west-1"), "{f:#?}");
}

// ---- Lambda ----

#[test]
fn lambda_function_not_found() {
    let mut facts = healthy_lambda();
    the_function(&mut facts).config = Fact::Known(None);
    let f = with_fix(&facts, "lambda-function-not-found", Severity::Error);
    assert!(f.explanation.contains(FUNCTION_ARN), "{f:#?}");
}

#[test]
fn lambda_function_not_found_names_the_account_mismatch() {
    // The walkthrough's mistake: the rule's functionArn names account A.
    let mut facts = healthy_lambda();
    the_rule(&mut facts).actions = vec![RuleAction::Lambda {
        function_arn: FUNCTION_ARN.replace(B, A),
    }];
    let f = complete(&facts, "lambda-function-not-found", Severity::Error);
    assert!(f.explanation.contains("account mismatch"), "{f:#?}");
    assert_eq!(top(&facts), "lambda-function-not-found");
    // It is not also reported as a missing action.
    assert!(!diagnose(&facts).iter().any(|f| f.code == "rule-action-missing"));
}

#[test]
fn lambda_permission_missing() {
    let mut facts = healthy_lambda();
    the_function(&mut facts).policy = Fact::Known(None);
    let f = with_fix(&facts, "lambda-permission-missing", Severity::Error);
    assert!(f.fix.unwrap().contains("add-permission"));
    // A policy without an IoT statement: quoted.
    let mut facts = healthy_lambda();
    the_function(&mut facts).policy = Fact::Known(Some(allow(
        r#"{"Service":"events.amazonaws.com"}"#,
        "lambda:InvokeFunction",
        FUNCTION_ARN,
    )));
    complete(&facts, "lambda-permission-missing", Severity::Error);
}

#[test]
fn lambda_permission_source_arn_mismatch() {
    let mut facts = healthy_lambda();
    the_function(&mut facts).policy = Fact::Known(Some(lambda_permission(&rule_arn("example_rule"), A)));
    let f = complete(&facts, "lambda-permission-source-arn-mismatch", Severity::Error);
    assert!(f
        .fix
        .unwrap()
        .contains(&format!("--source-arn {}", rule_arn("lambda_rule"))));
}

#[test]
fn lambda_permission_source_account_mismatch() {
    let mut facts = healthy_lambda();
    the_function(&mut facts).policy = Fact::Known(Some(lambda_permission(&rule_arn("lambda_rule"), B)));
    let f = complete(&facts, "lambda-permission-source-account-mismatch", Severity::Error);
    assert!(f.fix.unwrap().contains(&format!("--source-account {A}")));
}

#[test]
fn lambda_region_mismatch() {
    let mut facts = healthy_lambda();
    the_function(&mut facts).region = "eu-west-1".into();
    let f = with_fix(&facts, "lambda-region-mismatch", Severity::Error);
    assert_eq!(f.stage, Stage::Constraints);
}

#[test]
fn lambda_not_logging_probe() {
    let mut facts = healthy_lambda();
    assert!(!diagnose(&facts).iter().any(|f| f.code == "lambda-not-logging-probe"));
    facts.probe.unverified = vec![FUNCTION_ARN.to_string()];
    let f = with_fix(&facts, "lambda-not-logging-probe", Severity::Warning);
    assert!(f.explanation.contains("/aws/lambda/example-function"), "{f:#?}");
    assert!(f.fix.unwrap().contains("print(json.dumps(event))"));
    // Only a warning: nothing is broken, the function just doesn't log.
    assert!(!has_errors(&diagnose(&facts)));
}
