//! What diagnose reads about a Lambda destination.

use serde::{Deserialize, Serialize};

use crate::aws::names::Arn;
use crate::aws::{AccountClients, AwsError};
use crate::diagnose::Fact;

/// The function's configuration that matters here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionConfig {
    pub arn: String,
    pub log_group: Option<String>,
}

/// Facts about one function (the one the route names, in its account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LambdaFacts {
    pub function_arn: String,
    pub account_id: String,
    pub region: String,
    /// `None` inside: the function does not exist.
    pub config: Fact<Option<FunctionConfig>>,
    /// `None` inside: the function has no resource policy.
    pub policy: Fact<Option<String>>,
}

/// Reads the function's configuration and resource policy.
pub async fn gather(clients: &AccountClients, function_arn: &str) -> LambdaFacts {
    let arn = Arn::parse(function_arn).ok();
    let lambda = clients.lambda();
    let (config, policy) = tokio::join!(
        lambda.get_function_configuration().function_name(function_arn).send(),
        lambda.get_policy().function_name(function_arn).send(),
    );
    let config = match config {
        Ok(c) => Fact::Known(Some(FunctionConfig {
            arn: c.function_arn().unwrap_or(function_arn).to_string(),
            log_group: c.logging_config().and_then(|l| l.log_group()).map(str::to_string),
        })),
        Err(e) => Fact::absent_or_unknown(&AwsError::from_sdk("lambda", "GetFunctionConfiguration", e)),
    };
    let policy = match policy {
        Ok(p) => Fact::Known(p.policy().map(str::to_string)),
        Err(e) => Fact::absent_or_unknown(&AwsError::from_sdk("lambda", "GetPolicy", e)),
    };
    LambdaFacts {
        function_arn: function_arn.to_string(),
        account_id: arn.as_ref().map(|a| a.account.clone()).unwrap_or_default(),
        region: arn.map(|a| a.region).unwrap_or_default(),
        config,
        policy,
    }
}
