//! Combination rules: same account vs cross account, boundaries, KMS key
//! policies, trust policies, explicit deny anywhere.

use super::super::{authorize, Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};
use super::support::{policy, SESSION};

const OBJECT: &str = "arn:aws:s3:::b/k";
const KEY: &str = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const FOREIGN_KEY: &str = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn allow_all() -> Policy {
    policy(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
}

fn allow_to(principal: &str) -> Policy {
    policy(&format!(
        r#"{{"Statement":{{"Sid":"grant","Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"*","Resource":"*"}}}}"#
    ))
}

fn deny_all() -> Policy {
    policy(r#"{"Statement":{"Sid":"no","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#)
}

fn put(owner: &str) -> Request {
    Request::new(Principal::aws(SESSION), "s3:PutObject", OBJECT).with_resource_account(owner)
}

fn decision(request: &Request, set: PolicySet) -> Decision {
    authorize(request, &set).decision
}

#[test]
fn same_account_identity_or_resource() {
    let same = put("111111111111");
    let identity = || PolicySet::new().with(PolicyKind::Identity, "role", allow_all());
    assert_eq!(decision(&same, identity()), Decision::Allow);
    assert_eq!(
        decision(
            &same,
            identity().with(PolicyKind::Resource, "bucket", allow_to("222222222222"))
        ),
        Decision::Allow
    );
    let resource = |p: &str| PolicySet::new().with(PolicyKind::Resource, "bucket", allow_to(p));
    assert_eq!(decision(&same, resource(SESSION)), Decision::Allow);
    assert_eq!(
        decision(&same, resource("arn:aws:iam::111111111111:role/my-iot-role")),
        Decision::Allow
    );
    assert_eq!(decision(&same, resource("*")), Decision::Allow);
    assert_eq!(
        decision(&same, resource("111111111111")),
        Decision::ImplicitDeny,
        "account grant only delegates"
    );
    assert_eq!(
        decision(
            &same,
            resource("111111111111").with(PolicyKind::Identity, "role", allow_all())
        ),
        Decision::Allow
    );
    assert_eq!(decision(&same, PolicySet::new()), Decision::ImplicitDeny);
    let auth = authorize(
        &same,
        &identity().with(PolicyKind::Resource, "bucket", allow_to("222222222222")),
    );
    assert!(auth.near_misses.is_empty(), "{:#?}", auth.near_misses);
    assert!(auth.explanation.iter().any(|l| l.contains("fine in the same account")));
}

#[test]
fn cross_account_needs_both_sides() {
    let cross = put("222222222222");
    let identity = || PolicySet::new().with(PolicyKind::Identity, "role", allow_all());
    let resource = |p: &str| PolicySet::new().with(PolicyKind::Resource, "bucket", allow_to(p));
    assert_eq!(decision(&cross, identity()), Decision::ImplicitDeny);
    assert_eq!(
        decision(&cross, resource("arn:aws:iam::111111111111:role/my-iot-role")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(
            &cross,
            resource("111111111111").with(PolicyKind::Identity, "role", allow_all())
        ),
        Decision::Allow
    );
    assert_eq!(
        decision(&cross, resource("*").with(PolicyKind::Identity, "role", allow_all())),
        Decision::Allow
    );
    assert_eq!(
        decision(
            &cross,
            resource("333333333333").with(PolicyKind::Identity, "role", allow_all())
        ),
        Decision::ImplicitDeny
    );
    let auth = authorize(&cross, &identity());
    assert!(
        auth.explanation
            .iter()
            .any(|l| l.contains("no resource-side policy was supplied")),
        "{:#?}",
        auth.explanation
    );
}

#[test]
fn resource_account_is_read_from_the_arn_when_present() {
    let queue = Request::new(
        Principal::aws(SESSION),
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:222222222222:q",
    );
    let set = PolicySet::new().with(PolicyKind::Identity, "role", allow_all());
    assert_eq!(decision(&queue, set), Decision::ImplicitDeny);
}

#[test]
fn explicit_deny_anywhere_wins_and_is_named() {
    for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Boundary] {
        let set = PolicySet::new()
            .with(PolicyKind::Identity, "role", allow_all())
            .with(PolicyKind::Resource, "bucket", allow_to("*"))
            .with(kind, "guard", deny_all());
        let auth = authorize(&put("111111111111"), &set);
        assert_eq!(auth.decision, Decision::ExplicitDeny, "{kind}");
        assert_eq!(auth.decided_by[0].policy, "guard");
        assert_eq!(auth.decided_by[0].sid.as_deref(), Some("no"));
    }
}

#[test]
fn permissions_boundary_caps_identity_grants() {
    let same = put("111111111111");
    let boundary = |action: &str| {
        policy(&format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"{action}","Resource":"*"}}}}"#
        ))
    };
    let with_boundary = |action: &str| {
        PolicySet::new().with(PolicyKind::Identity, "role", allow_all()).with(
            PolicyKind::Boundary,
            "boundary",
            boundary(action),
        )
    };
    assert_eq!(decision(&same, with_boundary("s3:*")), Decision::Allow);
    assert_eq!(decision(&same, with_boundary("sqs:*")), Decision::ImplicitDeny);
    let session_grant = PolicySet::new()
        .with(PolicyKind::Boundary, "boundary", boundary("sqs:*"))
        .with(PolicyKind::Resource, "bucket", allow_to(SESSION));
    assert_eq!(
        decision(&same, session_grant),
        Decision::Allow,
        "a grant to the session ARN is not capped"
    );
    let role_grant = PolicySet::new()
        .with(PolicyKind::Boundary, "boundary", boundary("sqs:*"))
        .with(
            PolicyKind::Resource,
            "bucket",
            allow_to("arn:aws:iam::111111111111:role/my-iot-role"),
        );
    assert_eq!(
        decision(&same, role_grant),
        Decision::ImplicitDeny,
        "a grant to the role ARN is capped"
    );
}

#[test]
fn kms_key_policy_must_allow_directly_or_by_delegation() {
    let generate = |key: &str| Request::new(Principal::aws(SESSION), "kms:GenerateDataKey", key);
    let identity = || PolicySet::new().with(PolicyKind::Identity, "role", allow_all());
    let key_policy = |p: &str| PolicySet::new().with(PolicyKind::KeyPolicy, "key", allow_to(p));
    let root = "arn:aws:iam::111111111111:root";
    assert_eq!(
        decision(&generate(KEY), identity()),
        Decision::Allow,
        "no key policy supplied: identity decides"
    );
    assert_eq!(
        decision(
            &generate(KEY),
            identity().with(PolicyKind::KeyPolicy, "key", allow_to("arn:aws:iam::999999999999:root"))
        ),
        Decision::ImplicitDeny,
        "identity alone is not enough when the key policy does not allow"
    );
    assert_eq!(
        decision(&generate(KEY), key_policy(root)),
        Decision::ImplicitDeny,
        "delegation needs an identity allow"
    );
    assert_eq!(
        decision(
            &generate(KEY),
            key_policy(root).with(PolicyKind::Identity, "role", allow_all())
        ),
        Decision::Allow
    );
    assert_eq!(
        decision(&generate(KEY), key_policy("arn:aws:iam::111111111111:role/my-iot-role")),
        Decision::Allow
    );
    assert_eq!(
        decision(&generate(FOREIGN_KEY), key_policy(root)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(
            &generate(FOREIGN_KEY),
            key_policy(root).with(PolicyKind::Identity, "role", allow_all())
        ),
        Decision::Allow
    );
    assert_eq!(
        decision(
            &generate(FOREIGN_KEY),
            key_policy("arn:aws:iam::111111111111:role/my-iot-role")
        ),
        Decision::ImplicitDeny,
        "across accounts the identity side must allow too"
    );
}

#[test]
fn trust_policy_with_confused_deputy_conditions() {
    let trust = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"iot.amazonaws.com"},
        "Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},
        "ArnLike":{"aws:SourceArn":"arn:aws:iot:us-east-1:111111111111:rule/*"}}}}"#,
    );
    let set = PolicySet::new().with(PolicyKind::Trust, "trust", trust);
    let assume = |account: &str, context: Context| {
        Request::new(
            Principal::service("iot.amazonaws.com"),
            "sts:AssumeRole",
            "arn:aws:iam::111111111111:role/my-iot-role",
        )
        .with_context(context)
        .with_resource_account(account)
    };
    let from = |account: &str| {
        Context::new()
            .with("aws:SourceAccount", account)
            .with("aws:SourceArn", format!("arn:aws:iot:us-east-1:{account}:rule/r"))
    };
    assert_eq!(
        decision(&assume("111111111111", from("111111111111")), set.clone()),
        Decision::Allow
    );
    assert_eq!(
        decision(&assume("111111111111", from("999999999999")), set.clone()),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(&assume("111111111111", Context::new()), set.clone()),
        Decision::ImplicitDeny
    );
    let with_identity = set.with(PolicyKind::Identity, "ignored", allow_all());
    let auth = authorize(&assume("111111111111", from("111111111111")), &with_identity);
    assert_eq!(auth.decision, Decision::Allow);
    assert_eq!(
        auth.decided_by.len(),
        1,
        "only the trust statement decides for a service"
    );
    assert_eq!(
        auth.per_kind,
        vec![
            (PolicyKind::Identity, Decision::Allow),
            (PolicyKind::Trust, Decision::Allow)
        ]
    );
}
