//! Parsing: accepted shapes and located, actionable errors.

use super::super::{Effect, Policy, PolicyErrorKind, PrincipalEntry, Version};
use super::support::policy;

const BUCKET_POLICY_WALKTHROUGH: &str = include_str!("fixtures/s3-bucket-policy-walkthrough.json");

#[test]
fn walkthrough_bucket_policy_stray_quote_is_located() {
    let err = Policy::parse(BUCKET_POLICY_WALKTHROUGH).unwrap_err();
    assert_eq!(err.path(), "Statement[0].Principal");
    let PolicyErrorKind::Syntax { line, column, hint, .. } = err.kind() else {
        panic!("expected a syntax error, got {err}");
    };
    assert_eq!((*line, *column), (7, 65));
    assert!(
        hint.contains("remove the stray `\"` after the `Principal` value"),
        "{hint}"
    );
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn walkthrough_bucket_policy_parses_once_fixed() {
    let fixed = BUCKET_POLICY_WALKTHROUGH.replace("]}\",", "]},");
    let p = policy(&fixed);
    let s = &p.statements()[0];
    assert_eq!(s.sid(), Some("AddCannedAcl"));
    assert_eq!(
        s.principal().unwrap().entries,
        vec![PrincipalEntry::Account("1111-1111-1111".into())]
    );
}

#[test]
fn versions_and_statement_shapes() {
    let cases = [
        (r#"{"Version":"2012-10-17","Statement":[]}"#, Version::V2012_10_17, 0),
        (
            r#"{"Version":"2008-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#,
            Version::V2008_10_17,
            1,
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"]},{"Effect":"Allow","NotAction":"iam:*"}]}"#,
            Version::Missing,
            2,
        ),
    ];
    for (json, version, count) in cases {
        let p = policy(json);
        assert_eq!(p.version(), version, "{json}");
        assert_eq!(p.statements().len(), count, "{json}");
    }
    let p = policy(r#"{"Id":"x","Statement":{"Sid":"1","Effect":"Deny","NotAction":"s3:*","NotResource":["a","b"]}}"#);
    assert_eq!(p.id(), Some("x"));
    let s = &p.statements()[0];
    assert_eq!(s.effect(), Effect::Deny);
    assert!(s.action().negated());
    assert_eq!(s.resource().unwrap().values(), ["a", "b"]);
}

#[test]
fn principal_shapes() {
    let cases: [(&str, Vec<PrincipalEntry>); 7] = [
        (r#""*""#, vec![PrincipalEntry::Any]),
        (r#"{"AWS":"*"}"#, vec![PrincipalEntry::Any]),
        (
            r#"{"AWS":"123456789012"}"#,
            vec![PrincipalEntry::Account("123456789012".into())],
        ),
        (
            r#"{"AWS":"arn:aws:iam::123456789012:root"}"#,
            vec![PrincipalEntry::Account("123456789012".into())],
        ),
        (
            r#"{"AWS":["arn:aws:iam::123456789012:role/r","arn:aws:iam::123456789012:user/u"]}"#,
            vec![
                PrincipalEntry::Arn("arn:aws:iam::123456789012:role/r".into()),
                PrincipalEntry::Arn("arn:aws:iam::123456789012:user/u".into()),
            ],
        ),
        (
            r#"{"Service":["iot.amazonaws.com"]}"#,
            vec![PrincipalEntry::Service("iot.amazonaws.com".into())],
        ),
        (
            r#"{"Federated":"cognito-identity.amazonaws.com"}"#,
            vec![PrincipalEntry::Federated("cognito-identity.amazonaws.com".into())],
        ),
    ];
    for (principal, expected) in cases {
        let p = policy(&format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{principal},"Action":"s3:*","Resource":"*"}}}}"#
        ));
        assert_eq!(p.statements()[0].principal().unwrap().entries, expected, "{principal}");
    }
}

#[test]
fn semantic_errors_name_path_and_fix() {
    let cases = [
        (r#"[]"#, "$", "expected an object"),
        (r#"{"Version":"2012-10-17"}"#, "$", "missing `Statement`"),
        (
            r#"{"Version":"2012-10-18","Statement":[]}"#,
            "Version",
            "use \"2012-10-17\"",
        ),
        (r#"{"Statment":[]}"#, "Statment", "did you mean `Statement`?"),
        (
            r#"{"Statement":[{"Effect":"allow","Action":"s3:*"}]}"#,
            "Statement[0].Effect",
            "spelled exactly so",
        ),
        (
            r#"{"Statement":[{"Action":"s3:*"}]}"#,
            "Statement[0]",
            "missing `Effect`",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow"}]}"#,
            "Statement[0]",
            "missing `Action`",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*"}]}"#,
            "Statement[0]",
            "cannot both appear",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"PutObject"}]}"#,
            "Statement[0].Action",
            "`service:Name`",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":7}]}"#,
            "Statement[0].Resource",
            "a string or an array",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:*",1]}]}"#,
            "Statement[0].Action[1]",
            "expected a string",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Principals":"*"}]}"#,
            "Statement[0].Principals",
            "did you mean `Principal`?",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":"arn:aws:iam::1:root"}]}"#,
            "Statement[0].Principal",
            "{\"AWS\": \"arn:aws:iam::1:root\"}",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":{"Aws":"*"}}]}"#,
            "Statement[0].Principal.Aws",
            "did you mean `AWS`?",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"StringEqual":{"k":"v"}}}]}"#,
            "Statement[0].Condition.StringEqual",
            "did you mean `StringEquals`?",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"Bool":{"k":null}}}]}"#,
            "Statement[0].Condition.Bool.k",
            "expected a string, number or boolean",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceArn":{}}}}]}"#,
            "Statement[0].Condition.StringEquals[\"aws:SourceArn\"]",
            "expected a string",
        ),
    ];
    for (json, path, needle) in cases {
        let err = Policy::parse(json).expect_err(json);
        assert_eq!(err.path(), path, "{json}: {err}");
        assert!(err.to_string().contains(needle), "{json}: {err}");
    }
}

#[test]
fn syntax_errors_name_path_and_fix() {
    let cases = [
        (
            "{\"Statement\": [ {\"Effect\": \"Allow\",}]}",
            "Statement[0]",
            "remove the `,`",
        ),
        (
            "{\"Statement\": [ {\"Effect\": \"Allow\"",
            "Statement[0].Effect",
            "ends early",
        ),
        (
            "{\"Statement\": [ {\"Effect\" \"Allow\"}]}",
            "Statement[0].Effect",
            "expected `:`",
        ),
        (
            "{\"Statement\": [ {Effect: \"Allow\"}]}",
            "Statement[0]",
            "double quotes",
        ),
        (
            "{\"Statement\": [ {\"Effect\": \"Allow\" \"Action\": \"s3:*\"}]}",
            "Statement[0].Effect",
            "add a `,`",
        ),
        ("%7B%22Version%22", "$", "URL-encoded"),
    ];
    for (json, path, needle) in cases {
        let err = Policy::parse(json).expect_err(json);
        assert_eq!(err.path(), path, "{json}: {err}");
        assert!(err.to_string().contains(needle), "{json}: {err}");
    }
}

#[test]
fn numbers_and_booleans_are_condition_text() {
    let p = policy(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}}"#,
    );
    let mut values: Vec<&str> = p.statements()[0]
        .conditions()
        .iter()
        .flat_map(|c| c.values())
        .map(String::as_str)
        .collect();
    values.sort_unstable();
    assert_eq!(values, ["10", "true"]);
}
