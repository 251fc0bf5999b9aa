//! Finding the account's IoT data endpoint with DescribeEndpoint.

use crate::aws::{AccountClients, AwsError};

/// The `iot:Data-ATS` endpoint host of the account.
pub async fn discover_endpoint(clients: &AccountClients) -> Result<String, AwsError> {
    let out = clients
        .iot()
        .describe_endpoint()
        .endpoint_type("iot:Data-ATS")
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("iot", "DescribeEndpoint", e))?;
    Ok(out.endpoint_address().unwrap_or_default().to_string())
}
