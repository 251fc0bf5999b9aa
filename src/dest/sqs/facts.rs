//! What diagnose reads about an SQS destination.

use aws_sdk_sqs::types::QueueAttributeName;
use serde::{Deserialize, Serialize};

use crate::aws::names::QueueUrl;
use crate::aws::{AccountClients, AwsError};
use crate::dest::kms::{self, KeyFacts};
use crate::diagnose::Fact;

/// The queue's attributes that matter to a rule's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueAttributes {
    pub policy: Option<String>,
    pub kms_key_id: Option<String>,
    pub fifo: bool,
    pub redrive_policy: Option<String>,
}

impl kms::EncryptedBy for QueueAttributes {
    fn kms_key_id(&self) -> Option<&str> {
        self.kms_key_id.as_deref()
    }
}

/// Facts about one queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SqsFacts {
    pub queue_url: String,
    pub queue_arn: String,
    pub account_id: String,
    /// `None` inside: the queue does not exist.
    pub attributes: Fact<Option<QueueAttributes>>,
    pub key: Option<Fact<KeyFacts>>,
}

/// Reads the queue's attributes and, if encrypted, its key.
pub async fn gather(clients: &AccountClients, queue_url: &str) -> SqsFacts {
    let parsed = QueueUrl::parse(queue_url).ok();
    let queue_arn = parsed.as_ref().map(|q| q.arn(clients.region())).unwrap_or_default();
    let account_id = parsed.map(|q| q.account).unwrap_or_default();
    let out = clients
        .sqs()
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await;
    let attributes = match out {
        Ok(o) => {
            let a = o.attributes();
            let get = |n: QueueAttributeName| a.and_then(|m| m.get(&n)).cloned();
            Fact::Known(Some(QueueAttributes {
                policy: get(QueueAttributeName::Policy).filter(|p| !p.is_empty()),
                kms_key_id: get(QueueAttributeName::KmsMasterKeyId).filter(|k| !k.is_empty()),
                fifo: get(QueueAttributeName::FifoQueue).as_deref() == Some("true") || queue_url.ends_with(".fifo"),
                redrive_policy: get(QueueAttributeName::RedrivePolicy),
            }))
        }
        Err(e) => Fact::absent_or_unknown(&AwsError::from_sdk("sqs", "GetQueueAttributes", e)),
    };
    let key = kms::gather_for(clients, &attributes).await;
    SqsFacts {
        queue_url: queue_url.to_string(),
        queue_arn,
        account_id,
        attributes,
        key,
    }
}
