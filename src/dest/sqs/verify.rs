//! The SQS verifier: read the queue's redrive policy (for the dead-letter
//! warning), then wait for the probe.

use aws_sdk_sqs::types::QueueAttributeName;

use super::reader::{QueueReader, ReadStats};
use super::redrive::redrive_warning;
use crate::aws::{AccountClients, ApiCallCounter, AwsError};
use crate::dest::VerifyContext;
use crate::probe::{DestinationResult, Status};

/// Verifies an SQS destination.
pub async fn verify(clients: &AccountClients, queue_url: &str, ctx: &VerifyContext) -> DestinationResult {
    verify_queue(clients, "sqs", queue_url, queue_url, ctx).await
}

/// Waits for the probe in `queue_url`; `kind` and `target` describe the
/// destination being proven (an SNS topic read through its tap queue
/// reports as `sns`).
pub async fn verify_queue(
    clients: &AccountClients,
    kind: &str,
    target: &str,
    queue_url: &str,
    ctx: &VerifyContext,
) -> DestinationResult {
    let calls = ApiCallCounter::new();
    let client = clients.scoped(&calls).sqs();
    let mut result = DestinationResult::pending(kind, target, &ctx.tag.id);
    match client
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
    {
        Ok(out) => {
            if let Some(w) = out
                .attributes()
                .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
                .and_then(|p| redrive_warning(p))
            {
                result.warnings.push(w);
            }
        }
        Err(e) => {
            let e = AwsError::from_sdk("sqs", "GetQueueAttributes", e);
            result.api_calls = count(&calls);
            return fail(result, &e, clients.name(), queue_url);
        }
    }
    let reader = QueueReader {
        client: &client,
        queue_url,
        ledger: &ctx.ledger,
    };
    let mut stats = ReadStats::default();
    let outcome = reader.wait_for(&ctx.tag.id, ctx.deadline, &mut stats).await;
    result.api_calls = count(&calls);
    result.foreign_seen = stats.foreign_seen;
    match outcome {
        Ok(Some(a)) => {
            result.status = Status::Delivered;
            result.latency_ms = a.stamped_ms.map(|s| u64::try_from(s - ctx.tag.sent_at_ms).unwrap_or(0));
            result.detect_ms = Some(u64::try_from(a.seen_ms - ctx.tag.sent_at_ms).unwrap_or(0));
        }
        Ok(None) => {
            result.status = Status::Missing;
            result.error = Some(format!("no probe arrived in {queue_url} before the deadline"));
            result.hint = Some(format!(
                "run `xprobe diagnose --route {}` to find the broken part",
                ctx.tag.route
            ));
        }
        Err(e) => return fail(result, &e, clients.name(), queue_url),
    }
    result
}

fn fail(mut result: DestinationResult, e: &AwsError, account: &str, queue_url: &str) -> DestinationResult {
    result.status = Status::Error;
    result.error = Some(e.to_string());
    result.hint = Some(if e.is_not_found() {
        format!("queue {queue_url} does not exist as seen from account `{account}`: check the URL, account and region")
    } else {
        e.hint()
            .unwrap_or_else(|| format!("account `{account}` could not read {queue_url}"))
    });
    result
}

fn count(calls: &ApiCallCounter) -> u32 {
    u32::try_from(calls.total()).unwrap_or(u32::MAX)
}
