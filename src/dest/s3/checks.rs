//! Checks for an S3 destination: the bucket exists in the rule's region,
//! the role may put objects (on `bucket/*`), the bucket policy admits it,
//! Block Public Access and Object Ownership don't get in the way, and the
//! bucket's KMS key lets the role encrypt.

use super::facts::S3Facts;
use crate::dest::kms::key_allows;
use crate::diagnose::access::{compact, resource_verdict, role_findings, ResourceVerdict};
use crate::diagnose::{CheckContext, Finding, Severity, Stage};
use crate::policy::{Context, Policy};
use crate::rule::RuleAction;

/// Runs every S3 check.
pub fn check(ctx: &CheckContext<'_>, f: &S3Facts, out: &mut Vec<Finding>) {
    let component = ctx.dest_component(format!("arn:aws:s3:::{}", f.bucket));
    // A bucket in another region answers HeadBucket with a bare 301, which
    // reads as "not found"; GetBucketLocation still names its region.
    let region = f.region.known();
    if f.exists.known() == Some(&false) && region.is_none_or(|r| r == ctx.region()) {
        out.push(
            Finding::new(
                "s3-bucket-not-found",
                Severity::Error,
                Stage::Destination,
                component,
                format!("bucket {} does not exist (bucket names are lowercase)", f.bucket),
            )
            .fix(format!(
                "aws s3api create-bucket --bucket {} --region {}   # in account {}",
                f.bucket.to_ascii_lowercase(),
                ctx.region(),
                ctx.dest_id().unwrap_or("B")
            )),
        );
        return;
    }
    if let Some(r) = region {
        if r != ctx.region() {
            out.push(
                Finding::new("s3-region-mismatch", Severity::Error, Stage::Constraints, component.clone(), format!("the bucket is in {r}, but the rule runs in {}; the S3 action writes only to buckets in the rule's region", ctx.region()))
                    .evidence(format!("GetBucketLocation {}: {r}", f.bucket))
                    .fix(format!("use a bucket in {} (aws s3api create-bucket --bucket <name> --region {}) and point the rule's s3 action at it", ctx.region(), ctx.region())),
            );
        }
    }
    let object_arn = format!("arn:aws:s3:::{}/xprobe-probe-object", f.bucket);
    if let (Some(role), Some(_)) = (ctx.role, ctx.action) {
        out.extend(role_findings(
            role,
            "s3:PutObject",
            &object_arn,
            ctx.source_component(role.arn.clone()),
        ));
    }
    let dest_id = ctx.dest_id().unwrap_or_default().to_string();
    let cross_account = ctx.source_id().is_some_and(|s| s != dest_id);
    // An unreadable policy is not a missing one: judge only a known policy.
    let policy_known = f.policy.known().is_some();
    let policy = f.policy.known().cloned().flatten();
    let parsed = policy.as_deref().and_then(|p| Policy::parse(p).ok());
    let public = parsed.as_ref().is_some_and(Policy::is_public);
    let pab = f.public_access_block.known().copied().flatten().unwrap_or_default();
    let account_pab = f
        .account_public_access_block
        .known()
        .copied()
        .flatten()
        .unwrap_or_default();
    let restrict = pab.restrict_public_buckets || account_pab.restrict_public_buckets;
    let any_bpa = restrict
        || pab.block_public_policy
        || pab.block_public_acls
        || pab.ignore_public_acls
        || account_pab.block_public_policy;
    if let (true, true, Some(principal)) = (cross_account, policy_known, ctx.role_principal()) {
        if public && restrict {
            out.push(
                Finding::new("s3-public-policy-blocked", Severity::Error, Stage::Destination, component.clone(), "the bucket policy is public, so RestrictPublicBuckets cuts off all cross-account access to the bucket, including account A's grant in the same policy")
                    .evidence(format!("bucket policy: {}", policy.as_deref().map(compact).unwrap_or_default()))
                    .evidence(format!("RestrictPublicBuckets = true ({})", if pab.restrict_public_buckets { "bucket" } else { "account" }))
                    .fix("remove the public statement (Principal \"*\" without a fixing condition such as aws:SourceAccount) from the bucket policy; keep Block Public Access on"),
            );
        } else {
            match resource_verdict(
                policy.as_deref(),
                &principal,
                "s3:PutObject",
                &object_arn,
                &dest_id,
                Context::new(),
            ) {
                ResourceVerdict::Allows => {}
                verdict => {
                    let source = ctx.source_id().unwrap_or("<SOURCE_ACCOUNT_ID>");
                    let why = verdict.reason("bucket", "put objects in it", source);
                    let mut finding = Finding::new(
                        "s3-policy-denies",
                        Severity::Error,
                        Stage::Destination,
                        component.clone(),
                        why,
                    );
                    if let Some(p) = &policy {
                        finding = finding.evidence(format!("bucket policy: {}", compact(p)));
                    }
                    out.push(finding.fix(format!(
                        "aws s3api put-bucket-policy --bucket {b} --policy '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Sid\":\"AllowIotRuleFromAccountA\",\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"arn:aws:iam::{source}:root\"}},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::{b}/*\"}}]}}'",
                        b = f.bucket
                    )));
                }
            }
        }
    }
    if any_bpa && !public {
        out.push(
            Finding::new("s3-block-public-access-not-the-cause", Severity::Info, Stage::Constraints, component.clone(), "Block Public Access is on, but the bucket policy is not public (it names specific accounts), so Block Public Access does not block the rule: leave it on. The walkthrough's advice to turn it off is not needed.")
                .evidence(format!("bucket BPA: {pab:?}; account BPA: {account_pab:?}")),
        );
    }
    if let Some(RuleAction::S3 {
        canned_acl: Some(acl), ..
    }) = ctx.action
    {
        if f.object_ownership.known().map(String::as_str) == Some("BucketOwnerEnforced")
            && acl != "bucket-owner-full-control"
        {
            out.push(
                Finding::new("s3-acl-not-supported", Severity::Error, Stage::Constraints, component.clone(), format!("the rule's S3 action sets cannedAcl `{acl}`, but the bucket's Object Ownership is BucketOwnerEnforced (ACLs disabled), so every PutObject fails with AccessControlListNotSupported"))
                    .evidence(format!("cannedAcl = {acl}; ObjectOwnership = BucketOwnerEnforced"))
                    .fix("remove cannedAcl from the rule's S3 action (or set it to bucket-owner-full-control) and aws iot replace-topic-rule"),
            );
        }
    }
    if let (Some(k), Some(principal)) = (f.key.as_ref().and_then(|k| k.known()), ctx.role_principal()) {
        let denied = k.is_aws_managed() && cross_account
            || matches!(
                key_allows(k, &principal, "kms:GenerateDataKey", &dest_id),
                Some((false, _))
            );
        if denied {
            out.push(
                Finding::new("s3-kms-key-denies", Severity::Error, Stage::Kms, component, "the bucket's default encryption key does not let the rule's role use it (the AWS managed aws/s3 key works only inside its own account)")
                    .evidence(format!("key {}: {}", k.arn.as_deref().unwrap_or(&k.configured), k.policy.as_deref().map(compact).unwrap_or_default()))
                    .fix("use a customer managed key whose policy allows the rule's role kms:GenerateDataKey and kms:Decrypt, referenced by full key ARN"),
            );
        }
    }
}
