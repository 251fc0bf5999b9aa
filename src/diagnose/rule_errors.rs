//! Recent rule failures: AWSIotLogsV2 entries and errorAction documents,
//! parsed into evidence and matched to the probe where possible.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fact::Fact;
use crate::aws::{AccountClients, AwsError};

/// The default log group of the rules engine.
pub const IOT_LOG_GROUP: &str = "AWSIotLogsV2";
/// How far back to look for failures when no probe time is given.
const LOOKBACK_MS: i64 = 60 * 60 * 1000;

/// One reported rule failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleError {
    /// `AWSIotLogsV2` or `errorAction`.
    pub source: String,
    pub rule: String,
    /// e.g. S3Action, SqsAction.
    pub action: Option<String>,
    /// The failed resource (queue URL, bucket, function ARN), if stated.
    pub resource: Option<String>,
    /// The raw AWS error text.
    pub error: String,
    pub trace_id: Option<String>,
    pub timestamp: Option<String>,
    /// The probe id this failure carried, if the payload was available.
    pub probe_id: Option<String>,
}

/// Parses one AWSIotLogsV2 message; only failed RuleExecution entries of `rule`.
pub fn parse_log_entry(message: &str, rule: &str) -> Option<RuleError> {
    let v: Value = serde_json::from_str(message).ok()?;
    if v.get("ruleName")?.as_str()? != rule || v.get("status").and_then(Value::as_str) != Some("Failure") {
        return None;
    }
    let resources = v.get("resources").and_then(Value::as_object);
    let resource = resources
        .and_then(|r| r.values().find_map(Value::as_str))
        .map(str::to_string);
    Some(RuleError {
        source: IOT_LOG_GROUP.to_string(),
        rule: rule.to_string(),
        action: v.get("ruleAction").and_then(Value::as_str).map(str::to_string),
        resource,
        error: v
            .get("details")
            .or_else(|| v.get("reason"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        trace_id: v.get("traceId").and_then(Value::as_str).map(str::to_string),
        timestamp: v.get("timestamp").and_then(Value::as_str).map(str::to_string),
        probe_id: None,
    })
}

/// Parses an errorAction document; one entry per failed action of `rule`.
pub fn parse_error_document(body: &str, rule: &str) -> Vec<RuleError> {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    if v.get("ruleName").and_then(Value::as_str) != Some(rule) {
        return Vec::new();
    }
    let probe_id = v
        .get("base64OriginalPayload")
        .and_then(Value::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        .and_then(|p| p.get("xprobe")?.get("id")?.as_str().map(str::to_string));
    v.get("failures")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .map(|f| RuleError {
                    source: "errorAction".to_string(),
                    rule: rule.to_string(),
                    action: f.get("failedAction").and_then(Value::as_str).map(str::to_string),
                    resource: f.get("failedResource").and_then(Value::as_str).map(str::to_string),
                    error: f
                        .get("errorMessage")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    trace_id: v.get("cloudwatchTraceId").and_then(Value::as_str).map(str::to_string),
                    timestamp: None,
                    probe_id: probe_id.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Failed RuleExecution entries for `rule` in the source account's log group since `since_ms`.
pub async fn from_logs(
    clients: &AccountClients,
    group: &str,
    rule: &str,
    since_ms: Option<i64>,
) -> Fact<Vec<RuleError>> {
    let since = since_ms.unwrap_or_else(|| crate::probe::now_ms() - LOOKBACK_MS);
    let out = clients
        .logs()
        .filter_log_events()
        .log_group_name(group)
        .start_time(since)
        .filter_pattern(format!("\"{rule}\""))
        .send()
        .await;
    match out {
        Ok(o) => Fact::Known(
            o.events()
                .iter()
                .filter_map(|e| parse_log_entry(e.message()?, rule))
                .collect(),
        ),
        Err(e) => {
            let e = AwsError::from_sdk("logs", "FilterLogEvents", e);
            if e.is_not_found() {
                Fact::Known(Vec::new())
            } else {
                Fact::from_error(&e)
            }
        }
    }
}

/// errorAction documents for `rule` waiting in an SQS error queue. Reads
/// with VisibilityTimeout 0 and never deletes: the queue is not ours.
pub async fn from_error_queue(clients: &AccountClients, queue_url: &str, rule: &str) -> Fact<Vec<RuleError>> {
    let out = clients
        .sqs()
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .visibility_timeout(0)
        .wait_time_seconds(0)
        .send()
        .await;
    match out {
        Ok(o) => Fact::Known(
            o.messages()
                .iter()
                .filter_map(|m| m.body())
                .flat_map(|b| parse_error_document(b, rule))
                .collect(),
        ),
        Err(e) => Fact::from_error(&AwsError::from_sdk("sqs", "ReceiveMessage", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_failed_rule_execution_entry() {
        let m = r#"{"timestamp":"2026-12-04 20:00:00.070","logLevel":"ERROR","traceId":"t-1","accountId":"111111111111","status":"Failure","eventType":"RuleExecution","clientId":"xprobe-1","topicName":"iot/test","ruleName":"s3_rule","ruleAction":"S3Action","resources":{"BucketName":"examplebucket","Key":"iot/test/1"},"principalId":"p","details":"Failed to put S3 object. The error received was Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: r)"}"#;
        let e = parse_log_entry(m, "s3_rule").unwrap();
        assert_eq!(e.action.as_deref(), Some("S3Action"));
        assert_eq!(e.trace_id.as_deref(), Some("t-1"));
        assert!(e.error.contains("Error Code: AccessDenied"));
        assert_eq!(parse_log_entry(m, "other_rule"), None);
        assert_eq!(parse_log_entry(&m.replace("Failure", "Success"), "s3_rule"), None);
    }

    #[test]
    fn parses_an_error_action_document_and_finds_the_probe() {
        let payload = base64::engine::general_purpose::STANDARD
            .encode(r#"{"xprobe":{"id":"01PROBE","sent_at_ms":1,"route":"sqs"}}"#);
        let doc = serde_json::json!({
            "ruleName": "sqs_rule", "topic": "iot/test", "cloudwatchTraceId": "t-2", "clientId": "N/A",
            "base64OriginalPayload": payload,
            "failures": [{"failedAction": "SqsAction", "failedResource": "https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue",
                          "errorMessage": "RuntimeError: SQS SendMessage to … failed: AccessDenied: Access to the resource is denied."}]
        });
        let es = parse_error_document(&doc.to_string(), "sqs_rule");
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].probe_id.as_deref(), Some("01PROBE"));
        assert_eq!(es[0].action.as_deref(), Some("SqsAction"));
        assert!(parse_error_document(&doc.to_string(), "sns_rule").is_empty());
        assert!(parse_error_document("not json", "sqs_rule").is_empty());
    }
}
