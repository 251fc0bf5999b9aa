//! Dispatch: verify one destination with the right verifier.

use super::context::VerifyContext;
use super::{lambda, s3, sns, sqs};
use crate::aws::AccountClients;
use crate::config::{DestinationConfig, DestinationSpec};
use crate::probe::DestinationResult;

/// Waits for the probe at one destination and reports how it ended.
pub async fn verify_destination(
    dest: &DestinationConfig,
    clients: &AccountClients,
    ctx: &VerifyContext,
) -> DestinationResult {
    match &dest.spec {
        DestinationSpec::Sqs { queue_url } => sqs::verify(clients, queue_url, ctx).await,
        DestinationSpec::Sns {
            topic_arn,
            tap_queue_url,
        } => sns::verify(clients, topic_arn, tap_queue_url.as_deref(), ctx).await,
        DestinationSpec::S3 { bucket, key, cleanup } => {
            s3::verify(clients, bucket, key.as_deref(), *cleanup, ctx).await
        }
        DestinationSpec::Lambda {
            function_arn,
            log_group,
        } => lambda::verify(clients, function_arn, log_group.as_deref(), ctx).await,
    }
}
