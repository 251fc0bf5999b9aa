//! Table tests for every condition operator, `...IfExists`, the set
//! operators, key case-insensitivity, AND/OR rules and variables.

use super::super::Context;
use super::support::{decide, stmt};

/// Whether an allow-everything statement with `condition` allows a request
/// carrying `context`.
fn holds(condition: &str, context: &Context) -> bool {
    let p = stmt(&format!(
        r#""Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}"#
    ));
    decide(&p, "s3:PutObject", "arn:aws:s3:::b/k", context.clone()).is_allowed()
}

fn one(key: &str, value: &str) -> Context {
    Context::new().with(key, value)
}

fn none() -> Context {
    Context::new()
}

fn check(table: &[(&str, Context, bool)]) {
    for (condition, context, expected) in table {
        assert_eq!(holds(condition, context), *expected, "{condition} with {context:?}");
    }
}

#[test]
fn string_operators() {
    let k = "aws:SourceAccount";
    check(&[
        (r#"{"StringEquals":{"aws:SourceAccount":"111"}}"#, one(k, "111"), true),
        (r#"{"StringEquals":{"aws:SourceAccount":"111"}}"#, one(k, "222"), false),
        (r#"{"StringEquals":{"aws:SourceAccount":"111"}}"#, none(), false),
        (
            r#"{"StringEquals":{"aws:SourceAccount":["1","111"]}}"#,
            one(k, "111"),
            true,
        ),
        (
            r#"{"StringEquals":{"AWS:SOURCEACCOUNT":"111"}}"#,
            one("aws:sourceaccount", "111"),
            true,
        ),
        (r#"{"StringEquals":{"aws:SourceAccount":"Abc"}}"#, one(k, "abc"), false),
        (r#"{"StringEquals":{"aws:SourceAccount":"1*"}}"#, one(k, "111"), false),
        (
            r#"{"StringNotEquals":{"aws:SourceAccount":"111"}}"#,
            one(k, "222"),
            true,
        ),
        (
            r#"{"StringNotEquals":{"aws:SourceAccount":"111"}}"#,
            one(k, "111"),
            false,
        ),
        (r#"{"StringNotEquals":{"aws:SourceAccount":"111"}}"#, none(), true),
        (
            r#"{"StringNotEquals":{"aws:SourceAccount":["1","2"]}}"#,
            one(k, "2"),
            false,
        ),
        (
            r#"{"StringEqualsIgnoreCase":{"aws:SourceAccount":"ABC"}}"#,
            one(k, "abc"),
            true,
        ),
        (
            r#"{"StringEqualsIgnoreCase":{"aws:SourceAccount":"ABC"}}"#,
            one(k, "abd"),
            false,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase":{"aws:SourceAccount":"ABC"}}"#,
            one(k, "abc"),
            false,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase":{"aws:SourceAccount":"ABC"}}"#,
            none(),
            true,
        ),
        (r#"{"StringLike":{"aws:SourceAccount":"1*1"}}"#, one(k, "12341"), true),
        (r#"{"StringLike":{"aws:SourceAccount":"1?1"}}"#, one(k, "1221"), false),
        (r#"{"StringLike":{"aws:SourceAccount":"1?1"}}"#, none(), false),
        (r#"{"StringNotLike":{"aws:SourceAccount":"1*"}}"#, one(k, "111"), false),
        (r#"{"StringNotLike":{"aws:SourceAccount":"1*"}}"#, one(k, "211"), true),
        (r#"{"StringNotLike":{"aws:SourceAccount":"1*"}}"#, none(), true),
    ]);
}

#[test]
fn arn_operators() {
    let k = "aws:SourceArn";
    let rule = "arn:aws:iot:us-east-1:111111111111:rule/example-rule";
    check(&[
        (
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:iot:us-east-1:111111111111:rule/example-rule"}}"#,
            one(k, rule),
            true,
        ),
        (
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:iot:*:111111111111:rule/example-rule"}}"#,
            one(k, rule),
            true,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:111111111111:rule/*"}}"#,
            one(k, rule),
            true,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:111111111111:rule/example-rule"}}"#,
            one(k, "arn:aws:iot:us-east-1:111111111111:rule/my_rule"),
            false,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:111111111111:*"}}"#,
            one(k, "arn:aws:iot:us-east-1:222222222222:rule/r"),
            false,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:111:rule/x"}}"#,
            one(k, "arn:aws:iot:a:b:111:rule/x"),
            false,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:*:*"}}"#,
            one(k, "not-an-arn"),
            false,
        ),
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:*:*"}}"#, none(), false),
        (
            r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:iot:*:111111111111:rule/example-rule"}}"#,
            one(k, rule),
            false,
        ),
        (
            r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:iot:*:222222222222:*"}}"#,
            one(k, rule),
            true,
        ),
        (
            r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:iot:*:222222222222:*"}}"#,
            none(),
            true,
        ),
    ]);
}

#[test]
fn bool_and_null() {
    let k = "aws:SecureTransport";
    check(&[
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, one(k, "true"), true),
        (r#"{"Bool":{"aws:SecureTransport":true}}"#, one(k, "TRUE"), true),
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, one(k, "false"), false),
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, none(), false),
        (r#"{"BoolIfExists":{"aws:SecureTransport":"true"}}"#, none(), true),
        (
            r#"{"BoolIfExists":{"aws:SecureTransport":"true"}}"#,
            one(k, "false"),
            false,
        ),
        (r#"{"Null":{"aws:SecureTransport":"true"}}"#, none(), true),
        (r#"{"Null":{"aws:SecureTransport":"true"}}"#, one(k, "false"), false),
        (r#"{"Null":{"aws:SecureTransport":"false"}}"#, one(k, "false"), true),
        (r#"{"Null":{"aws:SecureTransport":false}}"#, none(), false),
    ]);
}

#[test]
fn numeric_operators() {
    let k = "s3:max-keys";
    check(&[
        (r#"{"NumericEquals":{"s3:max-keys":10}}"#, one(k, "10"), true),
        (r#"{"NumericEquals":{"s3:max-keys":"10"}}"#, one(k, "10.0"), true),
        (r#"{"NumericEquals":{"s3:max-keys":10}}"#, one(k, "11"), false),
        (r#"{"NumericEquals":{"s3:max-keys":10}}"#, one(k, "ten"), false),
        (r#"{"NumericEquals":{"s3:max-keys":10}}"#, none(), false),
        (r#"{"NumericNotEquals":{"s3:max-keys":10}}"#, one(k, "11"), true),
        (r#"{"NumericNotEquals":{"s3:max-keys":10}}"#, one(k, "10"), false),
        (r#"{"NumericNotEquals":{"s3:max-keys":10}}"#, none(), true),
        (r#"{"NumericLessThan":{"s3:max-keys":10}}"#, one(k, "9"), true),
        (r#"{"NumericLessThan":{"s3:max-keys":10}}"#, one(k, "10"), false),
        (r#"{"NumericLessThanEquals":{"s3:max-keys":10}}"#, one(k, "10"), true),
        (r#"{"NumericLessThanEquals":{"s3:max-keys":10}}"#, one(k, "11"), false),
        (r#"{"NumericGreaterThan":{"s3:max-keys":10}}"#, one(k, "11"), true),
        (r#"{"NumericGreaterThan":{"s3:max-keys":10}}"#, one(k, "10"), false),
        (r#"{"NumericGreaterThanEquals":{"s3:max-keys":10}}"#, one(k, "10"), true),
        (
            r#"{"NumericGreaterThanEquals":{"s3:max-keys":10}}"#,
            one(k, "-1"),
            false,
        ),
        (r#"{"NumericLessThanIfExists":{"s3:max-keys":10}}"#, none(), true),
        (r#"{"NumericLessThanIfExists":{"s3:max-keys":10}}"#, one(k, "11"), false),
    ]);
}

#[test]
fn date_operators_accept_iso_and_epoch() {
    let k = "aws:CurrentTime";
    let before = "2023-12-31T23:59:59Z";
    let at = "1704067200"; // 2024-01-01T00:00:00Z
    check(&[
        (
            r#"{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
            one(k, before),
            true,
        ),
        (
            r#"{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
            one(k, at),
            false,
        ),
        (
            r#"{"DateLessThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
            one(k, at),
            true,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"1704067199"}}"#,
            one(k, "2024-01-01T00:00:00Z"),
            true,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01"}}"#,
            one(k, before),
            false,
        ),
        (
            r#"{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01"}}"#,
            one(k, at),
            true,
        ),
        (
            r#"{"DateEquals":{"aws:CurrentTime":"2024-01-01"}}"#,
            one(k, "2024-01-01T01:00:00+01:00"),
            true,
        ),
        (
            r#"{"DateEquals":{"aws:CurrentTime":"2024-01-01"}}"#,
            one(k, "not a date"),
            false,
        ),
        (
            r#"{"DateNotEquals":{"aws:CurrentTime":"2024-01-01"}}"#,
            one(k, before),
            true,
        ),
        (r#"{"DateNotEquals":{"aws:CurrentTime":"2024-01-01"}}"#, none(), true),
        (r#"{"DateLessThan":{"aws:CurrentTime":"2024-01-01"}}"#, none(), false),
        (
            r#"{"DateLessThanIfExists":{"aws:CurrentTime":"2024-01-01"}}"#,
            none(),
            true,
        ),
    ]);
}

#[test]
fn ip_operators_v4_and_v6() {
    let k = "aws:SourceIp";
    check(&[
        (
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            one(k, "203.0.113.5"),
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            one(k, "198.51.100.1"),
            false,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":["198.51.100.0/24","203.0.113.0/24"]}}"#,
            one(k, "203.0.113.5"),
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#,
            one(k, "2001:db8::1"),
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#,
            one(k, "203.0.113.5"),
            false,
        ),
        (r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, none(), false),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            one(k, "203.0.113.5"),
            false,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            one(k, "198.51.100.1"),
            true,
        ),
        (r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, none(), true),
        (
            r#"{"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            none(),
            true,
        ),
    ]);
}

#[test]
fn if_exists_variants() {
    let k = "aws:SourceAccount";
    check(&[
        (r#"{"StringEqualsIfExists":{"aws:SourceAccount":"111"}}"#, none(), true),
        (
            r#"{"StringEqualsIfExists":{"aws:SourceAccount":"111"}}"#,
            one(k, "111"),
            true,
        ),
        (
            r#"{"StringEqualsIfExists":{"aws:SourceAccount":"111"}}"#,
            one(k, "222"),
            false,
        ),
        (
            r#"{"StringNotEqualsIfExists":{"aws:SourceAccount":"111"}}"#,
            one(k, "111"),
            false,
        ),
        (
            r#"{"ArnLikeIfExists":{"aws:SourceAccount":"arn:*:*:*:*:*"}}"#,
            none(),
            true,
        ),
        (
            r#"{"DateEqualsIfExists":{"aws:SourceAccount":"2024-01-01"}}"#,
            none(),
            true,
        ),
    ]);
}

#[test]
fn set_operators() {
    let tags = |values: &[&str]| Context::new().with_values("aws:TagKeys", values.iter().copied());
    check(&[
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            tags(&["b", "c"]),
            true,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            tags(&["c"]),
            false,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            none(),
            false,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            tags(&[]),
            false,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            tags(&["a"]),
            true,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            tags(&["a", "c"]),
            false,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            none(),
            true,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            tags(&[]),
            true,
        ),
        (
            r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"a"}}"#,
            tags(&["a", "b"]),
            true,
        ),
        (
            r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"a"}}"#,
            tags(&["a"]),
            false,
        ),
        (
            r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":"a"}}"#,
            tags(&["b", "c"]),
            true,
        ),
        (
            r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":"a"}}"#,
            tags(&["a", "b"]),
            false,
        ),
        (
            r#"{"ForAllValues:StringLike":{"aws:TagKeys":"env-*"}}"#,
            tags(&["env-a", "env-b"]),
            true,
        ),
        (
            r#"{"forallvalues:stringlike":{"aws:TagKeys":"env-*"}}"#,
            tags(&["env-a", "x"]),
            false,
        ),
        (
            r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}"#,
            none(),
            true,
        ),
        (r#"{"StringEquals":{"aws:TagKeys":"a"}}"#, tags(&["b", "a"]), true),
        (r#"{"StringNotEquals":{"aws:TagKeys":"a"}}"#, tags(&["b", "a"]), false),
    ]);
}

#[test]
fn keys_and_operators_are_anded_values_ored() {
    let both = Context::new()
        .with("aws:SourceAccount", "111")
        .with("aws:SourceArn", "arn:aws:iot:us-east-1:111:rule/r");
    let wrong_arn = both
        .clone()
        .with("aws:SourceArn", "arn:aws:iot:us-east-1:111:rule/other");
    let same_op = r#"{"StringEquals":{"aws:SourceAccount":"111","aws:SourceArn":"arn:aws:iot:us-east-1:111:rule/r"}}"#;
    let two_ops = r#"{"StringEquals":{"aws:SourceAccount":["999","111"]},"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:111:rule/r"}}"#;
    check(&[
        (same_op, both.clone(), true),
        (same_op, wrong_arn.clone(), false),
        (two_ops, both, true),
        (two_ops, wrong_arn, false),
    ]);
}

#[test]
fn variables_in_condition_values() {
    let own = Context::new().with("aws:SourceAccount", "111111111111");
    let other = Context::new().with("aws:SourceAccount", "222222222222");
    let same_account = r#"{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#;
    let arn = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:*:${aws:SourceAccount}:rule/*"}}"#;
    let rule = |account: &str| {
        Context::new()
            .with("aws:SourceAccount", "111111111111")
            .with("aws:SourceArn", format!("arn:aws:iot:us-east-1:{account}:rule/r"))
    };
    check(&[
        (same_account, own, true),
        (same_account, other, false),
        (arn, rule("111111111111"), true),
        (arn, rule("222222222222"), false),
        (r#"{"StringLike":{"k":"a${*}"}}"#, one("k", "a*"), true),
        (r#"{"StringLike":{"k":"a${*}"}}"#, one("k", "ab"), false),
        (r#"{"BinaryEquals":{"k":"QmluYXJ5"}}"#, one("k", "QmluYXJ5"), true),
    ]);
}
