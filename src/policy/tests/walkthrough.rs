//! The AWS cross-account IoT rules walkthrough, policy by policy. The JSON
//! is copied verbatim from the walkthrough (its dashed account ids
//! included); the resource policies are what its `add-permission` commands
//! produce.

use super::super::{authorize, Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};
use super::support::policy;

const A: &str = "1111-1111-1111";
const B: &str = "2222-2222-2222";
const TRUST: &str = include_str!("fixtures/iot-role-trust.json");
const SQS_ROLE: &str = include_str!("fixtures/sqs-role-policy.json");
const SNS_ROLE: &str = include_str!("fixtures/sns-role-policy.json");
const S3_ROLE: &str = include_str!("fixtures/s3-role-policy.json");
const BUCKET: &str = include_str!("fixtures/s3-bucket-policy-walkthrough.json");

fn session() -> Principal {
    Principal::assumed_role(A, "my-iot-role", "9f1c2e")
}

fn lambda_permission() -> Policy {
    policy(&format!(
        r#"{{"Version":"2012-10-17","Id":"default","Statement":[{{
            "Sid":"unique_id","Effect":"Allow",
            "Principal":{{"Service":"iot.amazonaws.com"}},
            "Action":"lambda:InvokeFunction",
            "Resource":"arn:aws:lambda:us-east-1:{B}:function:example-function",
            "Condition":{{
                "StringEquals":{{"AWS:SourceAccount":"{A}"}},
                "ArnLike":{{"AWS:SourceArn":"arn:aws:iot:region:{A}:rule/example-rule"}}}}}}]}}"#
    ))
}

fn invoke_from(rule: &str) -> Request {
    Request::new(
        Principal::service("iot.amazonaws.com"),
        "lambda:InvokeFunction",
        format!("arn:aws:lambda:us-east-1:{B}:function:example-function"),
    )
    .with_context(
        Context::new()
            .with("aws:SourceAccount", A)
            .with("aws:SourceArn", format!("arn:aws:iot:region:{A}:rule/{rule}")),
    )
}

#[test]
fn iot_may_assume_the_role() {
    let set = PolicySet::new().with(PolicyKind::Trust, "my-iot-role trust", policy(TRUST));
    let role = format!("arn:aws:iam::{A}:role/my-iot-role");
    let iot = Request::new(Principal::service("iot.amazonaws.com"), "sts:AssumeRole", &role);
    assert_eq!(authorize(&iot, &set).decision, Decision::Allow);
    let lambda = Request::new(Principal::service("lambda.amazonaws.com"), "sts:AssumeRole", &role);
    assert_eq!(authorize(&lambda, &set).decision, Decision::ImplicitDeny);
}

#[test]
fn sqs_and_sns_deliver_with_add_permission() {
    let queue = format!("arn:aws:sqs:region:{B}:ExampleQueue");
    let queue_policy = policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"SendMessagesToMyQueue","Effect":"Allow",
            "Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"SQS:SendMessage","Resource":"{queue}"}}]}}"#
    ));
    let set = PolicySet::new()
        .with(PolicyKind::Identity, "my-iot-policy", policy(SQS_ROLE))
        .with(PolicyKind::Resource, "ExampleQueue", queue_policy);
    let auth = authorize(&Request::new(session(), "sqs:SendMessage", &queue), &set);
    assert_eq!(auth.decision, Decision::Allow, "{:#?}", auth.explanation);
    assert_eq!(auth.decided_by.len(), 2);

    let topic = format!("arn:aws:sns:region:{B}:ExampleTopic");
    let topic_policy = policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Publish-Permission","Effect":"Allow",
            "Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":["SNS:Publish"],"Resource":"{topic}"}}]}}"#
    ));
    let set = PolicySet::new()
        .with(PolicyKind::Identity, "my-iot-policy", policy(SNS_ROLE))
        .with(PolicyKind::Resource, "ExampleTopic", topic_policy.clone());
    assert_eq!(
        authorize(&Request::new(session(), "sns:Publish", &topic), &set).decision,
        Decision::Allow
    );

    let without_role_policy = PolicySet::new().with(PolicyKind::Resource, "ExampleTopic", topic_policy);
    let auth = authorize(&Request::new(session(), "sns:Publish", &topic), &without_role_policy);
    assert_eq!(
        auth.decision,
        Decision::ImplicitDeny,
        "cross-account needs the identity side too"
    );
}

#[test]
fn s3_bucket_arn_without_slash_star_is_an_implicit_deny_with_a_near_miss() {
    let bucket_policy = policy(&BUCKET.replace("]}\",", "]},"));
    let set = PolicySet::new()
        .with(PolicyKind::Identity, "my-iot-policy", policy(S3_ROLE))
        .with(PolicyKind::Resource, "ExampleBucket policy", bucket_policy);
    let request =
        Request::new(session(), "s3:PutObject", "arn:aws:s3:::ExampleBucket/iot/test/123").with_resource_account(B);
    let auth = authorize(&request, &set);
    assert_eq!(auth.decision, Decision::ImplicitDeny);
    assert!(auth.decided_by.is_empty());
    assert_eq!(
        auth.per_kind,
        vec![
            (PolicyKind::Identity, Decision::ImplicitDeny),
            (PolicyKind::Resource, Decision::Allow)
        ]
    );
    let miss = &auth.near_misses[0];
    assert_eq!(miss.statement.policy, "my-iot-policy");
    assert_eq!(miss.statement.index, 0);
    assert!(
        miss.reason.starts_with(
            "action matches but resource `arn:aws:s3:::ExampleBucket` does not match `arn:aws:s3:::ExampleBucket/iot/test/123`"
        ),
        "{}",
        miss.reason
    );
    insta::assert_snapshot!(auth.explanation.join("\n"));

    let fixed_role = policy(&S3_ROLE.replace("arn:aws:s3:::ExampleBucket\"", "arn:aws:s3:::ExampleBucket/*\""));
    let set = PolicySet::new()
        .with(PolicyKind::Identity, "my-iot-policy", fixed_role)
        .with(
            PolicyKind::Resource,
            "ExampleBucket policy",
            policy(&BUCKET.replace("]}\",", "]},")),
        );
    assert_eq!(authorize(&request, &set).decision, Decision::Allow);
}

#[test]
fn lambda_permission_for_example_rule_denies_my_rule() {
    let set = PolicySet::new().with(PolicyKind::Resource, "example-function policy", lambda_permission());
    assert_eq!(authorize(&invoke_from("example-rule"), &set).decision, Decision::Allow);
    let auth = authorize(&invoke_from("my_rule"), &set);
    assert_eq!(auth.decision, Decision::ImplicitDeny);
    assert!(
        auth.near_misses[0].reason.contains("`AWS:SourceArn`"),
        "{}",
        auth.near_misses[0].reason
    );
    insta::assert_snapshot!(auth.explanation.join("\n"));
}
