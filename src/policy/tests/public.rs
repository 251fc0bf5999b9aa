//! S3 Block Public Access "is this policy public?" rules.

use super::support::policy;

fn star_with(condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}]}}"#
    )
}

#[test]
fn wildcard_principals_are_public_unless_fixed() {
    let cases = [
        (star_with("{}"), true),
        (
            star_with(r#"{"StringEquals":{"aws:SourceAccount":"111111111111"}}"#),
            false,
        ),
        (
            star_with(r#"{"StringEquals":{"AWS:SOURCEACCOUNT":"111111111111"}}"#),
            false,
        ),
        (
            star_with(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#),
            false,
        ),
        (
            star_with(r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:iot:us-east-1:111111111111:rule/r"}}"#),
            false,
        ),
        (
            star_with(r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iot:us-east-1:111111111111:rule/*"}}"#),
            true,
        ),
        (
            star_with(r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#),
            false,
        ),
        (
            star_with(r#"{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#),
            true,
        ),
        (
            star_with(r#"{"StringEqualsIfExists":{"aws:SourceAccount":"111111111111"}}"#),
            true,
        ),
        (
            star_with(r#"{"StringNotEquals":{"aws:SourceAccount":"111111111111"}}"#),
            true,
        ),
        (
            star_with(r#"{"ForAllValues:StringEquals":{"aws:SourceAccount":"111111111111"}}"#),
            true,
        ),
        (
            star_with(r#"{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#),
            true,
        ),
        (star_with(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#), false),
        (star_with(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/7"}}"#), true),
        (
            star_with(r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","0.0.0.0/0"]}}"#),
            true,
        ),
        (star_with(r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/48"}}"#), false),
        (star_with(r#"{"StringLike":{"aws:userid":"AROLEID:*"}}"#), true),
    ];
    for (json, public) in cases {
        assert_eq!(policy(&json).is_public(), public, "{json}");
    }
}

#[test]
fn named_principals_services_and_denies_are_not_public() {
    let cases = [
        (
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}}"#,
            false,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}}"#,
            false,
        ),
        (
            r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}"#,
            false,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            true,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            true,
        ),
    ];
    for (json, public) in cases {
        assert_eq!(policy(json).is_public(), public, "{json}");
    }
}

#[test]
fn one_public_statement_makes_the_whole_policy_public() {
    let p = policy(
        r#"{"Statement":[
        {"Sid":"AccountA","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
        {"Sid":"Website","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let grants = p.public_grants();
    assert!(p.is_public());
    assert_eq!(grants.len(), 1);
    assert_eq!((grants[0].index, grants[0].sid.as_deref()), (1, Some("Website")));
    assert!(grants[0].reason.contains("any principal (`*`)"), "{}", grants[0].reason);
}

#[test]
fn walkthrough_bucket_policy_is_not_public() {
    let text = include_str!("fixtures/s3-bucket-policy-walkthrough.json").replace("]}\",", "]},");
    assert!(!policy(&text).is_public());
}
