//! Reading a topic rule into xprobe's own [`TopicRule`].

use super::{AccountClients, AwsError};
use crate::rule::{RuleAction, TopicRule};

/// GetTopicRule, converted. AWS answers UnauthorizedException for a rule
/// that does not exist as well as for a caller without permission.
pub async fn fetch_rule(clients: &AccountClients, name: &str) -> Result<TopicRule, AwsError> {
    let out = clients
        .iot()
        .get_topic_rule()
        .rule_name(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("iot", "GetTopicRule", e))?;
    let rule = out.rule();
    Ok(TopicRule {
        name: name.to_string(),
        arn: out.rule_arn().map(str::to_string),
        sql: rule.and_then(|r| r.sql()).unwrap_or_default().to_string(),
        disabled: rule.and_then(|r| r.rule_disabled()).unwrap_or(false),
        sql_version: rule.and_then(|r| r.aws_iot_sql_version()).map(str::to_string),
        actions: rule
            .map(|r| r.actions().iter().map(convert).collect())
            .unwrap_or_default(),
        error_action: rule.and_then(|r| r.error_action()).map(convert),
    })
}

fn convert(a: &aws_sdk_iot::types::Action) -> RuleAction {
    if let Some(s) = a.sqs() {
        RuleAction::Sqs {
            queue_url: s.queue_url().to_string(),
            role_arn: s.role_arn().to_string(),
            use_base64: s.use_base64().unwrap_or(false),
        }
    } else if let Some(s) = a.sns() {
        RuleAction::Sns {
            target_arn: s.target_arn().to_string(),
            role_arn: s.role_arn().to_string(),
            message_format: s.message_format().map(|m| m.as_str().to_string()),
        }
    } else if let Some(s) = a.s3() {
        RuleAction::S3 {
            bucket: s.bucket_name().to_string(),
            key: s.key().to_string(),
            role_arn: s.role_arn().to_string(),
            canned_acl: s.canned_acl().map(|c| c.as_str().to_string()),
        }
    } else if let Some(l) = a.lambda() {
        RuleAction::Lambda {
            function_arn: l.function_arn().to_string(),
        }
    } else {
        let name = [
            ("republish", a.republish().is_some()),
            ("dynamoDB", a.dynamo_db().is_some()),
            ("dynamoDBv2", a.dynamo_dbv2().is_some()),
            ("kinesis", a.kinesis().is_some()),
            ("firehose", a.firehose().is_some()),
            ("cloudwatchLogs", a.cloudwatch_logs().is_some()),
            ("cloudwatchMetric", a.cloudwatch_metric().is_some()),
            ("http", a.http().is_some()),
            ("stepFunctions", a.step_functions().is_some()),
        ]
        .into_iter()
        .find_map(|(n, present)| present.then_some(n))
        .unwrap_or("other");
        RuleAction::Other { name: name.to_string() }
    }
}
