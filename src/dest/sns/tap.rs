//! Creating and removing an SNS tap: a queue in the topic's account, a
//! queue policy that admits only that topic, and a raw-delivery subscription
//! filtered on the probe field so the tap receives probes only.

use aws_sdk_sqs::types::QueueAttributeName;

use crate::aws::names::Arn;
use crate::aws::{AccountClients, AwsError};

/// The subscription filter: only messages whose body has `xprobe.id`.
pub const TAP_FILTER_POLICY: &str = r#"{"xprobe":{"id":[{"exists":true}]}}"#;
/// The queue tag that marks a queue as an xprobe tap, naming its topic.
pub const TAP_TAG: &str = "xprobe:tap-for";
/// Probes left in a tap expire after an hour.
const TAP_RETENTION_SECONDS: &str = "3600";

/// Why creating or deleting a tap failed.
#[derive(Debug, thiserror::Error)]
pub enum TapError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("`{0}` is not an SNS topic ARN")]
    BadTopic(String),
    #[error("refusing to delete {url}: it has no `{TAP_TAG}` tag naming {topic}, so xprobe did not create it as this topic's tap")]
    NotOurQueue { url: String, topic: String },
}

/// What `create_tap` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapCreated {
    pub queue_url: String,
    pub queue_arn: String,
    pub subscription_arn: String,
}

/// What `delete_tap` removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapDeleted {
    pub subscriptions_removed: usize,
    pub queue_deleted: bool,
}

/// The tap queue's name for a route: `xprobe-tap-<route>`, within SQS's
/// 80-character limit and alphabet.
pub fn tap_queue_name(route: &str) -> String {
    let clean: String = route
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = format!("xprobe-tap-{clean}");
    name.truncate(80);
    name
}

/// Creates (or completes) the tap for `topic_arn` in the topic's account.
pub async fn create_tap(clients: &AccountClients, topic_arn: &str, route: &str) -> Result<TapCreated, TapError> {
    Arn::parse(topic_arn).map_err(|_| TapError::BadTopic(topic_arn.to_string()))?;
    let sqs = clients.sqs();
    let sns = clients.sns();
    let created = sqs
        .create_queue()
        .queue_name(tap_queue_name(route))
        .attributes(QueueAttributeName::MessageRetentionPeriod, TAP_RETENTION_SECONDS)
        .tags(TAP_TAG, topic_arn)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sqs", "CreateQueue", e))?;
    let queue_url = created.queue_url().unwrap_or_default().to_string();
    let queue_arn = queue_arn(&sqs, &queue_url).await?;
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "XprobeTapAllowOnlyThisTopic",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}
        }]
    });
    sqs.set_queue_attributes()
        .queue_url(&queue_url)
        .attributes(QueueAttributeName::Policy, policy.to_string())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sqs", "SetQueueAttributes", e))?;
    let sub = sns
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .attributes("RawMessageDelivery", "true")
        .attributes("FilterPolicyScope", "MessageBody")
        .attributes("FilterPolicy", TAP_FILTER_POLICY)
        .return_subscription_arn(true)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sns", "Subscribe", e))?;
    Ok(TapCreated {
        queue_url,
        queue_arn,
        subscription_arn: sub.subscription_arn().unwrap_or_default().to_string(),
    })
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<String, AwsError> {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sqs", "GetQueueAttributes", e))?;
    Ok(attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .unwrap_or_default())
}

/// Removes the tap's subscriptions and, if xprobe created it, its queue.
pub async fn delete_tap(clients: &AccountClients, topic_arn: &str, queue_url: &str) -> Result<TapDeleted, TapError> {
    let sqs = clients.sqs();
    let sns = clients.sns();
    let tags = sqs
        .list_queue_tags()
        .queue_url(queue_url)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sqs", "ListQueueTags", e))?;
    if tags.tags().and_then(|t| t.get(TAP_TAG)).map(String::as_str) != Some(topic_arn) {
        return Err(TapError::NotOurQueue {
            url: queue_url.to_string(),
            topic: topic_arn.to_string(),
        });
    }
    let arn = queue_arn(&sqs, queue_url).await?;
    let mut removed = 0;
    let mut next: Option<String> = None;
    loop {
        let page = sns
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("sns", "ListSubscriptionsByTopic", e))?;
        for s in page.subscriptions() {
            if s.protocol() == Some("sqs") && s.endpoint() == Some(arn.as_str()) {
                if let Some(sub) = s.subscription_arn() {
                    sns.unsubscribe()
                        .subscription_arn(sub)
                        .send()
                        .await
                        .map_err(|e| AwsError::from_sdk("sns", "Unsubscribe", e))?;
                    removed += 1;
                }
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => break,
        }
    }
    sqs.delete_queue()
        .queue_url(queue_url)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sqs", "DeleteQueue", e))?;
    Ok(TapDeleted {
        subscriptions_removed: removed,
        queue_deleted: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::TAG_FIELD;

    #[test]
    fn queue_names_are_valid_sqs_names() {
        assert_eq!(tap_queue_name("sns"), "xprobe-tap-sns");
        assert_eq!(tap_queue_name("a.b c"), "xprobe-tap-a-b-c");
        assert_eq!(tap_queue_name(&"x".repeat(200)).len(), 80);
    }

    #[test]
    fn filter_policy_is_json_on_the_probe_field() {
        let v: serde_json::Value = serde_json::from_str(TAP_FILTER_POLICY).unwrap();
        assert_eq!(v[TAG_FIELD]["id"][0]["exists"], true);
    }
}
