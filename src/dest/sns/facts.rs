//! What diagnose reads about an SNS destination.

use serde::{Deserialize, Serialize};

use crate::aws::names::Arn;
use crate::aws::{AccountClients, AwsError};
use crate::dest::kms::{self, KeyFacts};
use crate::diagnose::Fact;

/// The topic's attributes that matter to a rule's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicAttributes {
    pub policy: Option<String>,
    pub kms_key_id: Option<String>,
    pub fifo: bool,
}

impl kms::EncryptedBy for TopicAttributes {
    fn kms_key_id(&self) -> Option<&str> {
        self.kms_key_id.as_deref()
    }
}

/// One subscription of the topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
}

/// Facts about one topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnsFacts {
    pub topic_arn: String,
    pub account_id: String,
    /// The topic's region (from its ARN).
    pub region: String,
    /// `None` inside: the topic does not exist.
    pub attributes: Fact<Option<TopicAttributes>>,
    pub subscriptions: Fact<Vec<Subscription>>,
    pub key: Option<Fact<KeyFacts>>,
    /// The tap queue configured for xprobe, if any.
    pub tap_queue_url: Option<String>,
}

/// Reads the topic's attributes, subscriptions and key.
pub async fn gather(clients: &AccountClients, topic_arn: &str, tap_queue_url: Option<&str>) -> SnsFacts {
    let arn = Arn::parse(topic_arn).ok();
    let sns = clients.sns();
    let (attrs, subs) = tokio::join!(
        sns.get_topic_attributes().topic_arn(topic_arn).send(),
        sns.list_subscriptions_by_topic().topic_arn(topic_arn).send(),
    );
    let attributes = match attrs {
        Ok(o) => {
            let a = o.attributes();
            let get = |k: &str| a.and_then(|m| m.get(k)).cloned();
            Fact::Known(Some(TopicAttributes {
                policy: get("Policy").filter(|p| !p.is_empty()),
                kms_key_id: get("KmsMasterKeyId").filter(|k| !k.is_empty()),
                fifo: get("FifoTopic").as_deref() == Some("true") || topic_arn.ends_with(".fifo"),
            }))
        }
        Err(e) => Fact::absent_or_unknown(&AwsError::from_sdk("sns", "GetTopicAttributes", e)),
    };
    let subscriptions = match subs {
        Ok(o) => Fact::Known(
            o.subscriptions()
                .iter()
                .map(|s| Subscription {
                    arn: s.subscription_arn().unwrap_or_default().to_string(),
                    protocol: s.protocol().unwrap_or_default().to_string(),
                    endpoint: s.endpoint().unwrap_or_default().to_string(),
                })
                .collect(),
        ),
        Err(e) => Fact::from_error(&AwsError::from_sdk("sns", "ListSubscriptionsByTopic", e)),
    };
    let key = kms::gather_for(clients, &attributes).await;
    SnsFacts {
        topic_arn: topic_arn.to_string(),
        account_id: arn.as_ref().map(|a| a.account.clone()).unwrap_or_default(),
        region: arn.map(|a| a.region).unwrap_or_default(),
        attributes,
        subscriptions,
        key,
        tap_queue_url: tap_queue_url.map(str::to_string),
    }
}
