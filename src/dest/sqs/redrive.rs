//! The dead-letter risk of reading a shared queue: every receive of another
//! consumer's message raises its receive count, and at `maxReceiveCount` SQS
//! moves it to the dead-letter queue.

use serde_json::Value;

/// maxReceiveCount at or below which xprobe warns.
const WARN_AT_OR_BELOW: u64 = 10;

/// How risky reading the queue is for other consumers' messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedriveRisk {
    pub max_receive_count: u64,
}

/// Parses a RedrivePolicy attribute and returns the risk worth warning about.
pub fn redrive_risk(policy: &str) -> Option<RedriveRisk> {
    let v: Value = serde_json::from_str(policy).ok()?;
    let n = match v.get("maxReceiveCount")? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    (n <= WARN_AT_OR_BELOW).then_some(RedriveRisk { max_receive_count: n })
}

/// The warning to show for a RedrivePolicy, if any.
pub fn redrive_warning(policy: &str) -> Option<String> {
    let r = redrive_risk(policy)?;
    Some(format!(
        "the queue sends a message to its dead-letter queue after {} receives; each time xprobe reads another consumer's message its receive count rises by one, so probing this shared queue can push their messages to the DLQ (probe a dedicated queue, or use basic_ingest with a probe-only rule)",
        r.max_receive_count
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_for_low_max_receive_count() {
        let p = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:222222222222:dlq","maxReceiveCount":3}"#;
        assert_eq!(redrive_risk(p), Some(RedriveRisk { max_receive_count: 3 }));
        assert!(redrive_warning(p).unwrap().contains("after 3 receives"));
        let s = r#"{"deadLetterTargetArn":"x","maxReceiveCount":"1"}"#;
        assert_eq!(redrive_risk(s), Some(RedriveRisk { max_receive_count: 1 }));
    }

    #[test]
    fn quiet_for_high_count_or_garbage() {
        assert_eq!(redrive_risk(r#"{"maxReceiveCount":100}"#), None);
        assert_eq!(redrive_risk("not json"), None);
        assert_eq!(redrive_risk("{}"), None);
    }
}
