//! Property tests: explicit deny always wins, `NotAction` is the complement
//! of `Action`, adding an `Allow` never removes access, and nothing panics
//! on arbitrary input.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

use super::super::{authorize, Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};

const ACTIONS: &[&str] = &[
    "s3:PutObject",
    "S3:PUTOBJECT",
    "s3:GetObject",
    "sqs:SendMessage",
    "sns:Publish",
    "kms:Decrypt",
];
const ACTION_PATTERNS: &[&str] = &[
    "s3:PutObject",
    "S3:put*",
    "s3:*",
    "*",
    "sqs:Send?essage",
    "sns:Publish",
    "kms:*",
    "iot:*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::B/k",
    "arn:aws:sqs:us-east-1:111111111111:q",
    "arn:aws:kms:us-east-1:222222222222:key/k",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::B/*",
    "arn:aws:sqs:*:111111111111:*",
    "arn:aws:kms:*",
    "arn:aws:s3:::b/${aws:PrincipalAccount}*",
];
const PRINCIPALS: &[&str] = &[
    "arn:aws:sts::111111111111:assumed-role/r/s",
    "arn:aws:iam::222222222222:user/u",
    "111111111111",
];

fn principal_element() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(json!("*"))),
        Just(Some(json!({"AWS": "111111111111"}))),
        Just(Some(json!({"AWS": "arn:aws:iam::222222222222:root"}))),
        Just(Some(json!({"AWS": ["arn:aws:iam::111111111111:role/r"]}))),
        Just(Some(json!({"Service": "iot.amazonaws.com"}))),
    ]
}

fn condition_element() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(json!({"StringEquals": {"aws:SourceAccount": "111111111111"}}))),
        Just(Some(
            json!({"StringNotEquals": {"AWS:SourceAccount": ["111111111111", "3"]}})
        )),
        Just(Some(json!({"ForAllValues:StringLike": {"aws:TagKeys": "a*"}}))),
        Just(Some(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "ab"}}))),
        Just(Some(json!({"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}))),
    ]
}

/// A statement built from the small alphabets above.
fn statement(effect: &'static str) -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        vec(select(ACTION_PATTERNS), 1..3),
        proptest::option::of((any::<bool>(), vec(select(RESOURCE_PATTERNS), 1..3))),
        principal_element(),
        condition_element(),
    )
        .prop_map(move |(not_action, actions, resource, principal, condition)| {
            let mut s = Map::new();
            s.insert("Effect".into(), json!(effect));
            s.insert(if not_action { "NotAction" } else { "Action" }.into(), json!(actions));
            if let Some((not_resource, resources)) = resource {
                s.insert(
                    if not_resource { "NotResource" } else { "Resource" }.into(),
                    json!(resources),
                );
            }
            if let Some(p) = principal {
                s.insert("Principal".into(), p);
            }
            if let Some(c) = condition {
                s.insert("Condition".into(), c);
            }
            Value::Object(s)
        })
}

fn any_statement() -> impl Strategy<Value = Value> {
    prop_oneof![3 => statement("Allow"), 1 => statement("Deny")]
}

fn kind() -> impl Strategy<Value = PolicyKind> {
    select(&PolicyKind::ALL[..])
}

/// Policies as statement lists, so tests can append statements.
fn policies() -> impl Strategy<Value = Vec<(PolicyKind, Vec<Value>)>> {
    vec((kind(), vec(any_statement(), 0..4)), 0..4)
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop_oneof![
            select(PRINCIPALS).prop_map(Principal::aws),
            Just(Principal::service("iot.amazonaws.com"))
        ],
        select(ACTIONS),
        select(RESOURCES),
        proptest::option::of(select(&["111111111111", "222222222222"][..])),
        proptest::option::of(vec(select(&["ab", "b", "a"][..]), 0..3)),
        proptest::option::of(select(&["10.1.2.3", "192.0.2.1", "2001:db8::1"][..])),
    )
        .prop_map(|(principal, action, resource, account, tags, ip)| {
            let mut context = Context::new();
            if let Some(account) = account {
                context.insert("aws:SourceAccount", vec![account.to_string()]);
            }
            if let Some(tags) = tags {
                context.insert("aws:TagKeys", tags.into_iter().map(str::to_string).collect());
            }
            if let Some(ip) = ip {
                context.insert("aws:SourceIp", vec![ip.to_string()]);
            }
            Request::new(principal, action, resource).with_context(context)
        })
}

fn to_policy(statements: &[Value]) -> Policy {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    Policy::from_value(&doc).unwrap_or_else(|e| panic!("{e}: {doc}"))
}

fn to_set(policies: &[(PolicyKind, Vec<Value>)]) -> PolicySet {
    policies
        .iter()
        .enumerate()
        .fold(PolicySet::new(), |set, (i, (kind, statements))| {
            set.with(*kind, format!("p{i}"), to_policy(statements))
        })
}

/// Arbitrary JSON leaning towards policy-like names and values.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        select(
            &[
                "Allow",
                "Deny",
                "*",
                "2012-10-17",
                "2008-10-17",
                "s3:*",
                "arn:aws:s3:::b/*",
                "${aws:username}",
                "${*}",
                "${",
                "10.0.0.0/8",
                "::/0",
                "2024-01-01T00:00:00Z",
                "1e309",
                "-0",
                "arn:aws:iam::111111111111:root",
                "iot.amazonaws.com",
                "arn:aws:sts::1:assumed-role/r/s",
            ][..]
        )
        .prop_map(str::to_string),
        "\\PC{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text.prop_map(Value::String),
    ];
    let key = prop_oneof![
        select(
            &[
                "Version",
                "Id",
                "Statement",
                "Sid",
                "Effect",
                "Action",
                "NotAction",
                "Resource",
                "NotResource",
                "Principal",
                "NotPrincipal",
                "Condition",
                "AWS",
                "Service",
                "Federated",
                "CanonicalUser",
                "StringLike",
                "ForAllValues:StringEquals",
                "ForAnyValue:ArnLike",
                "NumericLessThanIfExists",
                "IpAddress",
                "DateEquals",
                "Null",
                "Bool",
                "aws:SourceIp",
                "aws:TagKeys",
                "aws:CurrentTime",
            ][..]
        )
        .prop_map(str::to_string),
        "\\PC{0,8}",
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            btree_map(key.clone(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn explicit_deny_always_wins(policies in policies(), request in request(), at in any::<prop::sample::Index>(), deny_kind in kind()) {
        let mut policies = policies;
        let deny = json!({"Sid": "deny", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"});
        if policies.is_empty() {
            policies.push((deny_kind, vec![]));
        }
        let i = at.index(policies.len());
        policies[i].1.push(deny);
        let auth = authorize(&request, &to_set(&policies));
        prop_assert_eq!(auth.decision, Decision::ExplicitDeny);
        prop_assert!(auth.decided_by.iter().any(|s| s.sid.as_deref() == Some("deny")));
    }

    #[test]
    fn any_matching_deny_decides(policies in policies(), request in request()) {
        let set = to_set(&policies);
        let denied = set.entries().iter().any(|e| super::super::evaluate(e, &request).decision == Decision::ExplicitDeny);
        prop_assert_eq!(authorize(&request, &set).decision == Decision::ExplicitDeny, denied);
    }

    #[test]
    fn not_action_is_the_complement_of_action(actions in vec(select(ACTION_PATTERNS), 0..4), request in request()) {
        let with = |key: &str| to_policy(&[json!({"Effect": "Allow", key: actions.clone(), "Resource": "*"})]);
        let allowed = with("Action").evaluate(&request).decision.is_allowed();
        let not_allowed = with("NotAction").evaluate(&request).decision.is_allowed();
        prop_assert_ne!(allowed, not_allowed);
    }

    #[test]
    fn adding_an_allow_never_removes_access(policies in policies(), request in request(), extra in statement("Allow"), at in any::<prop::sample::Index>()) {
        prop_assume!(!policies.is_empty());
        let before = authorize(&request, &to_set(&policies)).decision;
        let mut more = policies.clone();
        let i = at.index(more.len());
        more[i].1.push(extra);
        let after = authorize(&request, &to_set(&more)).decision;
        if before == Decision::Allow {
            prop_assert_eq!(after, Decision::Allow);
        }
    }

    #[test]
    fn never_panics_on_arbitrary_json(value in arbitrary_json(), request in request(), kind in kind()) {
        let wrapped = json!({"Version": "2012-10-17", "Statement": value.clone()});
        for doc in [&value, &wrapped] {
            if let Ok(policy) = Policy::from_value(doc) {
                let _ = policy.is_public();
                let _ = authorize(&request, &PolicySet::new().with(kind, "p", policy));
            }
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC{0,64}", insert in "\\PC{1,3}", at in any::<prop::sample::Index>()) {
        let _ = Policy::parse(&text);
        let valid = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"s3:*","Resource":"*"}]}"#;
        let mut cut = at.index(valid.len());
        while !valid.is_char_boundary(cut) {
            cut -= 1;
        }
        let mutated = format!("{}{}{}", &valid[..cut], insert, &valid[cut..]);
        if let Err(e) = Policy::parse(&mutated) {
            prop_assert!(!e.to_string().is_empty());
        }
        let truncated = &valid[..cut];
        prop_assert!(Policy::parse(truncated).is_err() || truncated.is_empty());
    }
}
