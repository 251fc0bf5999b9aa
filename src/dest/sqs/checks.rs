//! Checks for an SQS destination, in the order a message meets them: the
//! queue exists, the role may send, the queue policy admits it, the key
//! lets it encrypt, and the queue is a kind rules can deliver to.

use super::facts::SqsFacts;
use crate::dest::kms::key_allows;
use crate::diagnose::access::{compact, resource_verdict, role_findings, ResourceVerdict};
use crate::diagnose::{CheckContext, Finding, Severity, Stage};
use crate::policy::Context;

/// Runs every SQS check.
pub fn check(ctx: &CheckContext<'_>, f: &SqsFacts, out: &mut Vec<Finding>) {
    let component = ctx.dest_component(f.queue_arn.clone());
    let attrs = match f.attributes.known() {
        Some(Some(a)) => a,
        Some(None) => {
            out.push(
                Finding::new("sqs-queue-not-found", Severity::Error, Stage::Destination, component, format!("queue {} does not exist in account {} ({})", f.queue_url, f.account_id, ctx.dest_account.region))
                    .evidence(format!("GetQueueAttributes on {}: queue does not exist", f.queue_url))
                    .fix(format!("create it in the destination account: aws sqs create-queue --queue-name {} --region {}, or point the rule at the right queue URL", f.queue_arn.rsplit(':').next().unwrap_or_default(), ctx.dest_account.region)),
            );
            return;
        }
        None => return,
    };
    if let (Some(role), Some(_)) = (ctx.role, ctx.action) {
        out.extend(role_findings(
            role,
            "sqs:SendMessage",
            &f.queue_arn,
            ctx.source_component(role.arn.clone()),
        ));
    }
    let cross_account = ctx.source_id().is_some_and(|s| s != f.account_id);
    if let Some(principal) = ctx.role_principal() {
        if cross_account {
            let ctx_keys = Context::new();
            match resource_verdict(
                attrs.policy.as_deref(),
                &principal,
                "sqs:SendMessage",
                &f.queue_arn,
                &f.account_id,
                ctx_keys,
            ) {
                ResourceVerdict::Allows => {}
                verdict => {
                    let source = ctx.source_id().unwrap_or("<SOURCE_ACCOUNT_ID>");
                    let why = verdict.reason("queue", "send to it", source);
                    let mut finding = Finding::new(
                        "sqs-policy-denies",
                        Severity::Error,
                        Stage::Destination,
                        component.clone(),
                        why,
                    );
                    if let Some(p) = &attrs.policy {
                        finding = finding.evidence(format!("queue policy: {}", compact(p)));
                    }
                    out.push(finding.fix(format!(
                        "aws sqs add-permission --queue-url {} --label xprobe-iot-rule --aws-account-ids {source} --actions SendMessage   # run in account {}",
                        f.queue_url, f.account_id
                    )));
                }
            }
        }
    }
    if attrs.fifo {
        out.push(
            Finding::new("sqs-fifo-unsupported", Severity::Error, Stage::Constraints, component.clone(), "the queue is a FIFO queue; the IoT SQS rule action cannot deliver to FIFO queues")
                .evidence("FifoQueue = true")
                .fix("deliver to a standard queue (aws sqs create-queue --queue-name <name>), or republish to a Lambda that forwards with a MessageGroupId"),
        );
    }
    if let Some(key) = &f.key {
        match key.known() {
            Some(k) if k.is_aws_managed() && cross_account => out.push(
                Finding::new("sqs-kms-aws-managed-key", Severity::Error, Stage::Kms, component.clone(), "the queue is encrypted with the AWS managed key aws/sqs, whose policy cannot be changed and covers only its own account, so the rule's role in another account cannot encrypt messages for it")
                    .evidence(format!("KmsMasterKeyId = {}", k.configured))
                    .fix(format!("use a customer managed key whose policy allows the role kms:GenerateDataKey and kms:Decrypt: aws sqs set-queue-attributes --queue-url {} --attributes KmsMasterKeyId=<customer key ARN>", f.queue_url)),
            ),
            Some(k) if !k.is_aws_managed() => {
                if let Some(principal) = ctx.role_principal() {
                    if let Some((false, why)) = key_allows(k, &principal, "kms:GenerateDataKey", &f.account_id) {
                        out.push(
                            Finding::new("sqs-kms-key-denies", Severity::Error, Stage::Kms, component.clone(), format!("the queue's KMS key does not let the rule's role use it: {why}"))
                                .evidence(format!("key {}: {}", k.arn.as_deref().unwrap_or(&k.configured), k.policy.as_deref().map(compact).unwrap_or_default()))
                                .fix(format!("add to the key policy a statement allowing {} kms:GenerateDataKey and kms:Decrypt", ctx.action.and_then(|a| a.role_arn()).unwrap_or("the rule's role"))),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}
