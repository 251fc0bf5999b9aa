//! Publishing through the iot-data HTTPS Publish API with IAM credentials.

use std::time::{Duration, Instant};

use aws_smithy_types::Blob;

use super::error::{PublishError, PublishErrorKind};
use crate::aws::AwsError;

/// Publishes at QoS 1 with the iot-data Publish API.
pub async fn publish(
    client: &aws_sdk_iotdataplane::Client,
    topic: &str,
    payload: Vec<u8>,
) -> Result<Duration, PublishError> {
    let started = Instant::now();
    client
        .publish()
        .topic(topic)
        .qos(1)
        .payload(Blob::new(payload))
        .send()
        .await
        .map_err(|e| {
            let e = AwsError::from_sdk("iotdata", "Publish", e);
            PublishError::new(PublishErrorKind::Https(Box::new(e)), topic, "")
        })?;
    Ok(started.elapsed())
}
