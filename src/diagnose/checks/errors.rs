//! Errors the rules engine reported (AWSIotLogsV2 entries, errorAction
//! documents), translated into the finding they point to and linked to it.
//! When a reported error contradicts the static analysis, the finding says so.

use crate::diagnose::facts::RouteFacts;
use crate::diagnose::rule_errors::RuleError;
use crate::diagnose::{Component, Finding, Severity, Stage};

/// The kind of policy an AWS access-denied message names, and whether it
/// denied explicitly. AWS's messages say so for requests within one account
/// or organization: "... because no identity-based policy allows the X
/// action" or "... with an explicit deny in a service control policy".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeniedBy {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
    VpcEndpoint,
}

fn denied_by(text: &str) -> Option<(DeniedBy, bool)> {
    const KINDS: &[(&str, DeniedBy)] = &[
        ("identity-based policy", DeniedBy::Identity),
        ("resource-based policy", DeniedBy::Resource),
        ("permissions boundary", DeniedBy::Boundary),
        ("session policy", DeniedBy::Session),
        ("service control policy", DeniedBy::Scp),
        ("resource control policy", DeniedBy::Rcp),
        ("VPC endpoint policy", DeniedBy::VpcEndpoint),
    ];
    KINDS.iter().find_map(|(phrase, kind)| {
        if text.contains(&format!("with an explicit deny in a {phrase}"))
            || text.contains(&format!("with an explicit deny in an {phrase}"))
        {
            Some((*kind, true))
        } else if text.contains(&format!("because no {phrase} allows")) {
            Some((*kind, false))
        } else {
            None
        }
    })
}

/// Codes for policies xprobe cannot read, named only by AWS's own message.
const UNSEEN_POLICY_CODES: [&str; 4] = [
    "scp-denies",
    "rcp-denies",
    "vpce-policy-denies",
    "session-policy-denies",
];

/// The finding code a raw rules-engine error points to.
pub fn translate(e: &RuleError) -> &'static str {
    let action = e.action.as_deref().unwrap_or_default().to_ascii_lowercase();
    let text = e.error.as_str();
    let has = |s: &str| text.contains(s);
    let kms = has("KMS") || has("Kms") || has("kms:");
    if let Some((kind, explicit)) = denied_by(text) {
        let resource_code = match () {
            _ if action.starts_with("sqs") && kms => "sqs-kms-key-denies",
            _ if action.starts_with("sns") && kms => "sns-kms-key-denies",
            _ if action.starts_with("s3") && kms => "s3-kms-key-denies",
            _ if action.starts_with("sqs") => "sqs-policy-denies",
            _ if action.starts_with("sns") => "sns-policy-denies",
            _ if action.starts_with("s3") => "s3-policy-denies",
            _ if action.starts_with("lambda") => "lambda-permission-missing",
            _ => "rule-action-failed",
        };
        return match kind {
            DeniedBy::Identity if explicit => "role-policy-explicit-deny",
            DeniedBy::Identity => "role-policy-missing-action",
            DeniedBy::Resource => resource_code,
            DeniedBy::Boundary => "role-boundary-denies",
            DeniedBy::Session => "session-policy-denies",
            DeniedBy::Scp => "scp-denies",
            DeniedBy::Rcp => "rcp-denies",
            DeniedBy::VpcEndpoint => "vpce-policy-denies",
        };
    }
    match () {
        _ if has("Throttl") => "rule-throttled",
        // SQS and SNS refuse a FIFO target without a MessageGroupId, which the rule action never sends.
        _ if action.starts_with("sqs") && has("MessageGroupId") => "sqs-fifo-unsupported",
        _ if action.starts_with("sns") && has("MessageGroupId") => "sns-fifo-unsupported",
        _ if action.starts_with("sqs") && (has("QueueDoesNotExist") || has("NonExistentQueue")) => {
            "sqs-queue-not-found"
        }
        _ if action.starts_with("sqs") && kms => "sqs-kms-key-denies",
        _ if action.starts_with("sqs") => "sqs-policy-denies",
        _ if action.starts_with("sns") && kms => "sns-kms-key-denies",
        _ if action.starts_with("sns") && (has("NotFound") || has("not found") || has("does not exist")) => {
            "sns-topic-not-found"
        }
        _ if action.starts_with("sns") => "sns-policy-denies",
        _ if action.starts_with("s3") && has("NoSuchBucket") => "s3-bucket-not-found",
        _ if action.starts_with("s3") && has("AccessControlListNotSupported") => "s3-acl-not-supported",
        _ if action.starts_with("s3") && kms => "s3-kms-key-denies",
        _ if action.starts_with("s3") => "s3-policy-denies",
        _ if action.starts_with("lambda") && (has("Function not found") || has("ResourceNotFoundException")) => {
            "lambda-function-not-found"
        }
        _ if action.starts_with("lambda") => "lambda-permission-missing",
        _ => "rule-action-failed",
    }
}

/// Codes that explain the same failure as `code` from another angle (the
/// role's side of an access denial, a Lambda permission's conditions).
fn related(code: &str) -> &'static [&'static str] {
    match code {
        "sqs-policy-denies" | "sns-policy-denies" | "s3-policy-denies" => &[
            "role-policy-missing-action",
            "role-policy-resource-mismatch",
            "role-policy-explicit-deny",
            "role-boundary-denies",
            "role-not-found",
            "role-trust-missing-iot",
            "role-trust-condition-mismatch",
            "s3-public-policy-blocked",
            "s3-acl-not-supported",
        ],
        "lambda-permission-missing" => &[
            "lambda-permission-source-arn-mismatch",
            "lambda-permission-source-account-mismatch",
        ],
        "lambda-function-not-found" => &["rule-action-missing", "lambda-region-mismatch"],
        // A topic or bucket in another region is "not found" from the rule's region.
        "sns-topic-not-found" => &["sns-region-mismatch", "rule-action-missing"],
        "s3-bucket-not-found" => &["s3-region-mismatch", "rule-action-missing"],
        "sqs-queue-not-found" => &["rule-action-missing"],
        "sqs-kms-key-denies" => &["sqs-kms-aws-managed-key"],
        "sns-kms-key-denies" => &["sns-kms-aws-managed-key"],
        _ => &[],
    }
}

/// One evidence finding per reported error, linked to the finding it
/// confirms (or flagged when static analysis found nothing to confirm).
pub fn rule_error_findings(facts: &RouteFacts, static_findings: &[Finding], out: &mut Vec<Finding>) {
    let mut errors: Vec<&RuleError> = facts.log_errors.known().into_iter().flatten().collect();
    if let Some(Some(e)) = facts.error_action_errors.as_ref().map(|f| f.known()) {
        errors.extend(e.iter());
    }
    // Prefer the failures this very probe caused, then the most recent.
    if let Some(id) = &facts.probe.probe_id {
        if errors.iter().any(|e| e.probe_id.as_deref() == Some(id)) {
            errors.retain(|e| e.probe_id.as_deref() == Some(id) || e.source != "errorAction");
        }
    }
    let mut seen = std::collections::HashSet::new();
    for e in errors.into_iter().rev().take(5) {
        if !seen.insert((e.action.clone(), e.error.clone())) {
            continue;
        }
        let code = translate(e);
        let mut confirmed = static_findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .find(|f| f.code == code || related(code).contains(&f.code))
            .map(|f| f.code);
        if confirmed.is_none() && UNSEEN_POLICY_CODES.contains(&code) {
            out.push(unseen_policy_finding(facts, e, code));
            confirmed = Some(code);
        }
        let explanation = match confirmed {
            Some(c) => format!("the rules engine reported this failure ({}), which confirms `{c}`", e.source),
            None => format!(
                "the rules engine reported a failure ({}) pointing to `{code}`, but the static analysis of the policies found nothing wrong there: the reported error is the stronger evidence; check what xprobe could not read (unknown facts) and policies it does not model (SCPs, VPC endpoints)",
                e.source
            ),
        };
        let mut f = Finding::new(
            "rule-error-reported",
            if confirmed.is_some() {
                Severity::Info
            } else {
                Severity::Error
            },
            Stage::Evidence,
            Component::new(
                facts.source.id.known().map(String::as_str),
                Some(&facts.source.region),
                e.resource.clone().unwrap_or_else(|| format!("rule/{}", e.rule)),
            ),
            explanation,
        )
        .evidence(format!(
            "{}{}: {}",
            e.action.as_deref().unwrap_or("action"),
            e.trace_id
                .as_deref()
                .map(|t| format!(" (trace {t})"))
                .unwrap_or_default(),
            e.error
        ));
        if let Some(p) = &e.probe_id {
            f = f.evidence(format!("carried probe {p}"));
        }
        f.confirms = Some(confirmed.unwrap_or(code));
        out.push(f);
    }
}

/// A finding for a denial by a policy xprobe cannot read (an SCP, an RCP, a
/// VPC endpoint policy or a session policy), on AWS's word.
fn unseen_policy_finding(facts: &RouteFacts, e: &RuleError, code: &'static str) -> Finding {
    let (stage, what, fix) = match code {
        "scp-denies" => (
            Stage::Role,
            "a service control policy of the organization denies the rule's role this action; SCPs override \
             every allow in the account and xprobe cannot read them from a member account",
            "aws organizations list-policies-for-target --target-id <account A id> --filter SERVICE_CONTROL_POLICY   \
             # from the management account; then allow the action for the rule's role (or exempt it)",
        ),
        "rcp-denies" => (
            Stage::Destination,
            "a resource control policy of the organization denies access to the destination; RCPs override \
             the destination's own policy and xprobe cannot read them from a member account",
            "aws organizations list-policies-for-target --target-id <account B id> --filter RESOURCE_CONTROL_POLICY   \
             # from the management account; allow principals of account A (aws:PrincipalAccount) to reach it",
        ),
        "vpce-policy-denies" => (
            Stage::Destination,
            "a VPC endpoint policy denies the request; the destination's policy may restrict access to a VPC \
             endpoint (aws:SourceVpce) that the rules engine, which does not run in your VPC, never uses",
            "aws ec2 describe-vpc-endpoints --query 'VpcEndpoints[].PolicyDocument'   # and look for \
             aws:SourceVpce or aws:SourceVpc conditions in the destination's policy that exclude the rules engine",
        ),
        _ => (
            Stage::Role,
            "a session policy denies the action",
            "check the session policy passed when the role is assumed",
        ),
    };
    Finding::new(
        code,
        Severity::Error,
        stage,
        Component::new(
            facts.source.id.known().map(String::as_str),
            Some(&facts.source.region),
            e.resource.clone().unwrap_or_else(|| format!("rule/{}", e.rule)),
        ),
        format!("AWS says {what}"),
    )
    .evidence(format!("{}: {}", e.action.as_deref().unwrap_or("action"), e.error))
    .fix(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::tests::build::log_error as err;

    #[test]
    fn translates_raw_errors() {
        assert_eq!(
            translate(&err(
                "SqsAction",
                "RuntimeError: SQS SendMessage to q failed: QueueDoesNotExist: x"
            )),
            "sqs-queue-not-found"
        );
        assert_eq!(
            translate(&err("SqsAction", "AccessDenied: Access to the resource is denied.")),
            "sqs-policy-denies"
        );
        assert_eq!(
            translate(&err("SqsAction", "KmsAccessDenied: ...")),
            "sqs-kms-key-denies"
        );
        assert_eq!(
            translate(&err("SnsAction", "topic arn:... not found")),
            "sns-topic-not-found"
        );
        assert_eq!(translate(&err("S3Action", "Failed to put S3 object. The error received was The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket)")), "s3-bucket-not-found");
        assert_eq!(
            translate(&err("S3Action", "Error Code: AccessControlListNotSupported")),
            "s3-acl-not-supported"
        );
        assert_eq!(
            translate(&err(
                "S3Action",
                "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)"
            )),
            "s3-policy-denies"
        );
        assert_eq!(
            translate(&err(
                "LambdaAction",
                "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:111111111111:function:f"
            )),
            "lambda-function-not-found"
        );
        assert_eq!(
            translate(&err(
                "LambdaAction",
                "AccessDeniedException: User: iot.amazonaws.com is not authorized"
            )),
            "lambda-permission-missing"
        );
        assert_eq!(
            translate(&err(
                "SnsAction",
                "SnsPublishError: Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
            )),
            "sns-fifo-unsupported"
        );
        assert_eq!(
            translate(&err(
                "SqsAction",
                "MissingParameter: The request must contain the parameter MessageGroupId."
            )),
            "sqs-fifo-unsupported"
        );
        assert_eq!(
            translate(&err("DynamoAction", "ProvisionedThroughputExceeded Throttling")),
            "rule-throttled"
        );
    }

    /// AWS's access-denied messages name the kind of policy that decided.
    #[test]
    fn the_policy_kind_in_an_access_denied_message_decides_the_code() {
        let denied = |tail: &str| {
            format!(
                "Failed to send message. AccessDenied: User: arn:aws:sts::111111111111:assumed-role/iot-role/x is \
                 not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:222222222222:q {tail}"
            )
        };
        for (tail, code) in [
            (
                "because no identity-based policy allows the sqs:SendMessage action",
                "role-policy-missing-action",
            ),
            (
                "with an explicit deny in an identity-based policy",
                "role-policy-explicit-deny",
            ),
            (
                "because no resource-based policy allows the sqs:SendMessage action",
                "sqs-policy-denies",
            ),
            (
                "with an explicit deny in a permissions boundary",
                "role-boundary-denies",
            ),
            (
                "because no permissions boundary allows the sqs:SendMessage action",
                "role-boundary-denies",
            ),
            ("with an explicit deny in a service control policy", "scp-denies"),
            (
                "because no service control policy allows the sqs:SendMessage action",
                "scp-denies",
            ),
            ("with an explicit deny in a resource control policy", "rcp-denies"),
            ("with an explicit deny in a VPC endpoint policy", "vpce-policy-denies"),
            (
                "because no session policy allows the sqs:SendMessage action",
                "session-policy-denies",
            ),
        ] {
            assert_eq!(translate(&err("SqsAction", &denied(tail))), code, "{tail}");
        }
        assert_eq!(
            translate(&err(
                "S3Action",
                "User: arn:aws:sts::1:assumed-role/r/x is not authorized to perform: kms:GenerateDataKey on \
                 resource: arn:aws:kms:us-east-1:2:key/k because no resource-based policy allows the \
                 kms:GenerateDataKey action"
            )),
            "s3-kms-key-denies"
        );
    }
}
