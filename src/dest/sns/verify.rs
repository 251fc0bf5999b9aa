//! The SNS verifier: read the topic's tap queue as the SQS verifier does.

use crate::aws::AccountClients;
use crate::dest::sqs::verify_queue;
use crate::dest::VerifyContext;
use crate::probe::DestinationResult;

/// Verifies an SNS destination through its tap queue.
pub async fn verify(
    clients: &AccountClients,
    topic_arn: &str,
    tap_queue_url: Option<&str>,
    ctx: &VerifyContext,
) -> DestinationResult {
    let Some(tap) = tap_queue_url else {
        let mut r = DestinationResult::not_checked(
            "sns",
            topic_arn,
            &ctx.tag.id,
            "no tap queue is configured, and SNS messages cannot be read back",
        );
        r.hint = Some(format!(
            "run `xprobe sns-tap create --route {}` and add the tap_queue_url line it prints",
            ctx.tag.route
        ));
        return r;
    };
    let mut r = verify_queue(clients, "sns", topic_arn, tap, ctx).await;
    if r.error.as_deref().is_some_and(|e| e.contains("before the deadline")) {
        r.error = Some(format!(
            "no probe reached the tap queue {tap} of {topic_arn} before the deadline"
        ));
    }
    r
}
