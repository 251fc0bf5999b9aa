//! Table tests for Action, Resource, Principal and their `Not` forms, case
//! rules, wildcards and policy variables.

use super::super::{evaluate, Context, Decision, PolicyEntry, PolicyKind, Principal, PrincipalVia, Request};
use super::support::{decide, policy, stmt, SESSION};

#[test]
fn actions_are_case_insensitive_with_wildcards() {
    let cases = [
        ("s3:PutObject", "s3:PutObject", true),
        ("S3:putobject", "s3:PutObject", true),
        ("s3:PutObject", "S3:PUTOBJECT", true),
        ("s3:Put*", "s3:PutObject", true),
        ("s3:?utObject", "s3:PutObject", true),
        ("s3:?utObject", "s3:PPutObject", false),
        ("*", "sqs:SendMessage", true),
        ("s3:*", "sqs:SendMessage", false),
        ("sqs:SendMessage", "sqs:SendMessageBatch", false),
        ("sqs:SendMessage*", "sqs:SendMessageBatch", true),
    ];
    for (pattern, action, allowed) in cases {
        let p = stmt(&format!(r#""Effect":"Allow","Action":"{pattern}","Resource":"*""#));
        let got = decide(&p, action, "arn:aws:s3:::b/k", Context::new());
        assert_eq!(got.is_allowed(), allowed, "{pattern} vs {action}");
        let n = stmt(&format!(r#""Effect":"Allow","NotAction":"{pattern}","Resource":"*""#));
        let got = decide(&n, action, "arn:aws:s3:::b/k", Context::new());
        assert_eq!(got.is_allowed(), !allowed, "NotAction {pattern} vs {action}");
    }
}

#[test]
fn resources_are_case_sensitive_with_wildcards() {
    let cases = [
        (
            "arn:aws:s3:::ExampleBucket/*",
            "arn:aws:s3:::ExampleBucket/iot/test/123",
            true,
        ),
        (
            "arn:aws:s3:::ExampleBucket/*",
            "arn:aws:s3:::examplebucket/iot/test/123",
            false,
        ),
        (
            "arn:aws:s3:::ExampleBucket",
            "arn:aws:s3:::ExampleBucket/iot/test/123",
            false,
        ),
        ("arn:aws:s3:::ExampleBucket*", "arn:aws:s3:::ExampleBucket/iot", true),
        (
            "arn:aws:sqs:*:111111111111:Example?ueue",
            "arn:aws:sqs:us-east-1:111111111111:ExampleQueue",
            true,
        ),
        (
            "arn:aws:sqs:*:111111111111:Example?ueue",
            "arn:aws:sqs:us-east-1:111111111111:Examplequeue",
            true,
        ),
        (
            "arn:aws:sqs:*:111111111111:ExampleQueue",
            "arn:aws:sqs:us-east-1:111111111111:examplequeue",
            false,
        ),
        ("*", "anything", true),
    ];
    for (pattern, resource, allowed) in cases {
        let p = stmt(&format!(r#""Effect":"Allow","Action":"*","Resource":"{pattern}""#));
        assert_eq!(
            decide(&p, "s3:PutObject", resource, Context::new()).is_allowed(),
            allowed,
            "{pattern} vs {resource}"
        );
        let n = stmt(&format!(r#""Effect":"Allow","Action":"*","NotResource":"{pattern}""#));
        assert_eq!(
            decide(&n, "s3:PutObject", resource, Context::new()).is_allowed(),
            !allowed,
            "NotResource {pattern}"
        );
    }
}

fn resource_policy_via(principal_json: &str, caller: Principal) -> Option<PrincipalVia> {
    let entry = PolicyEntry {
        kind: PolicyKind::Resource,
        label: "bucket".into(),
        policy: policy(&format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{principal_json},"Action":"*","Resource":"*"}}}}"#
        )),
    };
    let eval = evaluate(&entry, &Request::new(caller, "s3:PutObject", "arn:aws:s3:::b/k"));
    eval.grants.first().map(|(_, via)| *via)
}

#[test]
fn principals_match_by_account_role_session_and_service() {
    let session = || Principal::aws(SESSION);
    let user = || Principal::aws("arn:aws:iam::111111111111:user/alice");
    let iot = || Principal::service("iot.amazonaws.com");
    let exact_session = format!(r#"{{"AWS":"{SESSION}"}}"#);
    let cases: Vec<(&str, Principal, Option<PrincipalVia>)> = vec![
        (r#""*""#, session(), Some(PrincipalVia::Wildcard)),
        (r#"{"AWS":"*"}"#, iot(), Some(PrincipalVia::Wildcard)),
        (r#"{"AWS":"111111111111"}"#, session(), Some(PrincipalVia::Account)),
        (
            r#"{"AWS":"arn:aws:iam::111111111111:root"}"#,
            session(),
            Some(PrincipalVia::Account),
        ),
        (
            r#"{"AWS":"arn:aws:iam::111111111111:root"}"#,
            Principal::aws("111111111111"),
            Some(PrincipalVia::Exact),
        ),
        (r#"{"AWS":"arn:aws:iam::222222222222:root"}"#, session(), None),
        (
            r#"{"AWS":"arn:aws:iam::111111111111:role/my-iot-role"}"#,
            session(),
            Some(PrincipalVia::Role),
        ),
        (
            r#"{"AWS":"arn:aws:iam::111111111111:role/service-role/my-iot-role"}"#,
            session(),
            Some(PrincipalVia::Role),
        ),
        (
            r#"{"AWS":"arn:aws:iam::111111111111:role/other-role"}"#,
            session(),
            None,
        ),
        (
            r#"{"AWS":"arn:aws:iam::222222222222:role/my-iot-role"}"#,
            session(),
            None,
        ),
        (&exact_session, session(), Some(PrincipalVia::Exact)),
        (
            r#"{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::111111111111:role/my-iot-role"]}"#,
            session(),
            Some(PrincipalVia::Role),
        ),
        (
            r#"{"AWS":"arn:aws:iam::111111111111:user/alice"}"#,
            user(),
            Some(PrincipalVia::Exact),
        ),
        (r#"{"AWS":"arn:aws:iam::111111111111:user/alice"}"#, session(), None),
        (r#"{"Service":"iot.amazonaws.com"}"#, iot(), Some(PrincipalVia::Service)),
        (r#"{"Service":"iot.amazonaws.com"}"#, session(), None),
        (r#"{"Service":"lambda.amazonaws.com"}"#, iot(), None),
        (r#"{"AWS":"111111111111"}"#, iot(), None),
        (
            r#"{"Federated":"cognito-identity.amazonaws.com"}"#,
            Principal::Federated("cognito-identity.amazonaws.com".into()),
            Some(PrincipalVia::Federated),
        ),
    ];
    for (principal_json, caller, expected) in cases {
        assert_eq!(
            resource_policy_via(principal_json, caller.clone()),
            expected,
            "{principal_json} vs {caller}"
        );
    }
}

#[test]
fn resource_policy_statement_without_principal_never_applies() {
    let entry = PolicyEntry {
        kind: PolicyKind::Resource,
        label: "bucket".into(),
        policy: stmt(r#""Effect":"Allow","Action":"*","Resource":"*""#),
    };
    let eval = evaluate(&entry, &super::support::req("s3:PutObject", "arn:aws:s3:::b/k"));
    assert_eq!(eval.decision, Decision::ImplicitDeny);
    assert!(eval.near_misses[0].reason.contains("has no `Principal`"));
}

#[test]
fn not_principal_must_list_session_role_and_account() {
    let role = "arn:aws:iam::111111111111:role/my-iot-role";
    let root = "arn:aws:iam::111111111111:root";
    let cases: [(String, bool); 6] = [
        (format!(r#"{{"AWS":"{role}"}}"#), true),
        (format!(r#"{{"AWS":"{root}"}}"#), true),
        (format!(r#"{{"AWS":["{role}","{root}"]}}"#), true),
        (format!(r#"{{"AWS":["{role}","{SESSION}"]}}"#), true),
        (format!(r#"{{"AWS":["{role}","{SESSION}","{root}"]}}"#), false),
        (r#"{"AWS":"*"}"#.to_string(), false),
    ];
    for (not_principal, denied) in cases {
        let p = policy(&format!(
            r#"{{"Statement":[{{"Effect":"Deny","NotPrincipal":{not_principal},"Action":"*","Resource":"*"}}]}}"#
        ));
        let entry = PolicyEntry {
            kind: PolicyKind::Resource,
            label: "bucket".into(),
            policy: p,
        };
        let eval = evaluate(&entry, &super::support::req("s3:PutObject", "arn:aws:s3:::b/k"));
        assert_eq!(eval.decision == Decision::ExplicitDeny, denied, "{not_principal}");
    }
    let p = policy(
        r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"Service":"iot.amazonaws.com"},"Action":"*","Resource":"*"}}"#,
    );
    let entry = PolicyEntry {
        kind: PolicyKind::Resource,
        label: "fn".into(),
        policy: p,
    };
    let iot = Request::new(
        Principal::service("iot.amazonaws.com"),
        "lambda:InvokeFunction",
        "arn:aws:lambda:us-east-1:2:function:f",
    );
    assert_eq!(evaluate(&entry, &iot).decision, Decision::ImplicitDeny);
}

#[test]
fn policy_variables_in_resources() {
    let alice = Principal::aws("arn:aws:iam::111111111111:user/alice");
    let v2012 = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}"#,
    );
    let v2008 = policy(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}"#,
    );
    let ask = |p: &super::super::Policy, resource: &str| {
        p.evaluate(&Request::new(alice.clone(), "s3:GetObject", resource))
            .decision
    };
    assert_eq!(ask(&v2012, "arn:aws:s3:::b/alice/x"), Decision::Allow);
    assert_eq!(ask(&v2012, "arn:aws:s3:::b/bob/x"), Decision::ImplicitDeny);
    assert_eq!(ask(&v2008, "arn:aws:s3:::b/alice/x"), Decision::ImplicitDeny);
    assert_eq!(ask(&v2008, "arn:aws:s3:::b/${aws:username}/x"), Decision::Allow);

    let by_account = stmt(r#""Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:${aws:PrincipalAccount}:*""#);
    assert!(decide(
        &by_account,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111111111111:q",
        Context::new()
    )
    .is_allowed());
    assert!(!decide(
        &by_account,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:222222222222:q",
        Context::new()
    )
    .is_allowed());

    let by_source = stmt(r#""Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:SourceAccount}/*""#);
    let ctx = Context::new().with("aws:SourceAccount", "111111111111");
    assert!(decide(&by_source, "s3:PutObject", "arn:aws:s3:::b/111111111111/k", ctx).is_allowed());
    assert!(
        !decide(
            &by_source,
            "s3:PutObject",
            "arn:aws:s3:::b/111111111111/k",
            Context::new()
        )
        .is_allowed(),
        "missing variable matches nothing"
    );

    let escaped = stmt(r#""Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${*}${?}${$}""#);
    assert!(decide(&escaped, "s3:PutObject", "arn:aws:s3:::b/*?$", Context::new()).is_allowed());
    assert!(!decide(&escaped, "s3:PutObject", "arn:aws:s3:::b/xy$", Context::new()).is_allowed());

    let star_in_value = stmt(r#""Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:SourceAccount}""#);
    let ctx = Context::new().with("aws:SourceAccount", "*");
    assert!(
        !decide(&star_in_value, "s3:PutObject", "arn:aws:s3:::b/x", ctx).is_allowed(),
        "substituted text is literal"
    );
}

#[test]
fn explicit_deny_beats_allow_within_a_policy() {
    let p = policy(
        r#"{"Statement":[
        {"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Sid":"D","Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let eval = p.evaluate(&super::support::req("s3:PutObject", "arn:aws:s3:::b/k"));
    assert_eq!(eval.decision, Decision::ExplicitDeny);
    assert_eq!(eval.decided_by[0].sid.as_deref(), Some("D"));
    assert_eq!(eval.decided_by[0].index, 1);
    let eval = p.evaluate(&super::support::req("s3:GetObject", "arn:aws:s3:::b/k"));
    assert_eq!(eval.decision, Decision::Allow);
    assert_eq!(eval.decided_by[0].sid.as_deref(), Some("A"));
}
