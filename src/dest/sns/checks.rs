//! Checks for an SNS destination: the topic exists in the rule's region,
//! the role may publish, the topic policy admits it, the key lets it
//! encrypt, it is not FIFO, and xprobe has a tap to read it through.

use super::facts::SnsFacts;
use crate::dest::kms::key_allows;
use crate::diagnose::access::{compact, resource_verdict, role_findings, ResourceVerdict};
use crate::diagnose::{CheckContext, Finding, Severity, Stage};
use crate::policy::Context;

/// Runs every SNS check.
pub fn check(ctx: &CheckContext<'_>, f: &SnsFacts, out: &mut Vec<Finding>) {
    let component = ctx.dest_component(f.topic_arn.clone());
    if !f.region.is_empty() && f.region != ctx.region() {
        out.push(
            Finding::new("sns-region-mismatch", Severity::Error, Stage::Constraints, component.clone(), format!("the topic is in {}, but the rule runs in {}; the SNS action can only publish to topics in the rule's region", f.region, ctx.region()))
                .evidence(format!("topic ARN region {} vs rule region {}", f.region, ctx.region()))
                .fix(format!("create the topic in {} (aws sns create-topic --name <name> --region {}) and point the rule at it", ctx.region(), ctx.region())),
        );
    }
    let attrs = match f.attributes.known() {
        Some(Some(a)) => a,
        Some(None) => {
            out.push(
                Finding::new(
                    "sns-topic-not-found",
                    Severity::Error,
                    Stage::Destination,
                    component,
                    format!("topic {} does not exist in account {}", f.topic_arn, f.account_id),
                )
                .evidence(format!("GetTopicAttributes {}: NotFound", f.topic_arn))
                .fix(format!(
                    "aws sns create-topic --name {} --region {}   # in account {}",
                    f.topic_arn.rsplit(':').next().unwrap_or_default(),
                    f.region,
                    f.account_id
                )),
            );
            return;
        }
        None => return,
    };
    if let (Some(role), Some(_)) = (ctx.role, ctx.action) {
        out.extend(role_findings(
            role,
            "sns:Publish",
            &f.topic_arn,
            ctx.source_component(role.arn.clone()),
        ));
    }
    let cross_account = ctx.source_id().is_some_and(|s| s != f.account_id);
    if let (true, Some(principal)) = (cross_account, ctx.role_principal()) {
        match resource_verdict(
            attrs.policy.as_deref(),
            &principal,
            "sns:Publish",
            &f.topic_arn,
            &f.account_id,
            Context::new(),
        ) {
            ResourceVerdict::Allows => {}
            verdict => {
                let source = ctx.source_id().unwrap_or("<SOURCE_ACCOUNT_ID>");
                let why = verdict.reason("topic", "publish to it", source);
                let mut finding = Finding::new(
                    "sns-policy-denies",
                    Severity::Error,
                    Stage::Destination,
                    component.clone(),
                    why,
                );
                if let Some(p) = &attrs.policy {
                    finding = finding.evidence(format!("topic policy: {}", compact(p)));
                }
                out.push(finding.fix(format!("aws sns add-permission --topic-arn {} --label xprobe-iot-rule --aws-account-id {source} --action-name Publish   # run in account {}", f.topic_arn, f.account_id)));
            }
        }
    }
    if attrs.fifo {
        out.push(
            Finding::new(
                "sns-fifo-unsupported",
                Severity::Error,
                Stage::Constraints,
                component.clone(),
                "the topic is a FIFO topic; the IoT SNS rule action cannot publish to FIFO topics",
            )
            .evidence("FifoTopic = true")
            .fix("publish to a standard topic"),
        );
    }
    if let Some(k) = f.key.as_ref().and_then(|k| k.known()) {
        if k.is_aws_managed() && cross_account {
            out.push(
                Finding::new("sns-kms-aws-managed-key", Severity::Error, Stage::Kms, component.clone(), "the topic is encrypted with the AWS managed key aws/sns, which only its own account can use, so the rule's role in another account cannot publish")
                    .evidence(format!("KmsMasterKeyId = {}", k.configured))
                    .fix(format!("aws sns set-topic-attributes --topic-arn {} --attribute-name KmsMasterKeyId --attribute-value <customer key ARN whose policy allows the rule's role>", f.topic_arn)),
            );
        } else if !k.is_aws_managed() {
            if let Some(principal) = ctx.role_principal() {
                if let Some((false, why)) = key_allows(k, &principal, "kms:GenerateDataKey", &f.account_id) {
                    out.push(
                        Finding::new("sns-kms-key-denies", Severity::Error, Stage::Kms, component.clone(), format!("the topic's KMS key does not let the rule's role use it (SNS needs the role, not the service, in the key policy): {why}"))
                            .evidence(format!("key {}: {}", k.arn.as_deref().unwrap_or(&k.configured), k.policy.as_deref().map(compact).unwrap_or_default()))
                            .fix(format!("add to the key policy a statement allowing {} kms:GenerateDataKey and kms:Decrypt", ctx.action.and_then(|a| a.role_arn()).unwrap_or("the rule's role"))),
                    );
                }
            }
        }
    }
    check_tap(ctx, f, out);
}

/// xprobe reads SNS through a tap: a subscribed SQS queue.
fn check_tap(ctx: &CheckContext<'_>, f: &SnsFacts, out: &mut Vec<Finding>) {
    let route = &ctx.facts.route;
    let Some(subs) = f.subscriptions.known() else { return };
    let fix = format!("xprobe sns-tap create --route {route}   # and add the tap_queue_url line it prints");
    let component = ctx.dest_component(f.topic_arn.clone());
    match &f.tap_queue_url {
        None => out.push(
            Finding::new(
                "sns-tap-missing",
                Severity::Warning,
                Stage::Destination,
                component,
                "no tap queue is configured, so xprobe cannot see what the topic delivers",
            )
            .fix(fix),
        ),
        Some(url) => {
            let name = url.rsplit('/').next().unwrap_or_default();
            let subscribed = subs
                .iter()
                .any(|s| s.protocol == "sqs" && s.endpoint.rsplit(':').next() == Some(name));
            if !subscribed {
                out.push(
                    Finding::new("sns-tap-missing", Severity::Warning, Stage::Destination, component, format!("the tap queue {url} is not subscribed to the topic, so probes that reach the topic never reach xprobe"))
                        .evidence(format!("subscriptions: {}", subs.iter().map(|s| format!("{} {}", s.protocol, s.endpoint)).collect::<Vec<_>>().join(", ")))
                        .fix(fix),
                );
            }
        }
    }
}
