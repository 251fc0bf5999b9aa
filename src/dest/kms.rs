//! KMS keys behind encrypted queues, topics and buckets: who manages the key
//! and its key policy, and whether the rule's role may use it.

use serde::{Deserialize, Serialize};

use crate::aws::{AccountClients, AwsError};
use crate::diagnose::Fact;
use crate::policy::{Decision, Policy, PolicyKind, PolicySet, Principal, Request};

/// A KMS key as diagnose needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFacts {
    /// As configured on the resource (id, ARN or alias).
    pub configured: String,
    pub arn: Option<String>,
    /// AWS or CUSTOMER.
    pub manager: Option<String>,
    pub policy: Option<String>,
}

impl KeyFacts {
    /// Whether this is an AWS managed key (`alias/aws/...`), which cannot be
    /// shared across accounts.
    pub fn is_aws_managed(&self) -> bool {
        self.manager.as_deref() == Some("AWS") || self.configured.starts_with("alias/aws/")
    }
}

/// Reads the key's manager and default key policy.
pub async fn gather(clients: &AccountClients, key: &str) -> Fact<KeyFacts> {
    let kms = clients.kms();
    let described = kms.describe_key().key_id(key).send().await;
    let meta = match described {
        Ok(d) => d.key_metadata().cloned(),
        Err(e) => {
            let e = AwsError::from_sdk("kms", "DescribeKey", e);
            if key.starts_with("alias/aws/") {
                // The AWS managed key may not exist until first use; its kind is known from the alias.
                return Fact::Known(KeyFacts {
                    configured: key.to_string(),
                    arn: None,
                    manager: Some("AWS".into()),
                    policy: None,
                });
            }
            return Fact::from_error(&e);
        }
    };
    let arn = meta.as_ref().and_then(|m| m.arn()).map(str::to_string);
    let policy = match kms
        .get_key_policy()
        .key_id(arn.as_deref().unwrap_or(key))
        .policy_name("default")
        .send()
        .await
    {
        Ok(p) => p.policy().map(str::to_string),
        Err(e) => return Fact::from_error(&AwsError::from_sdk("kms", "GetKeyPolicy", e)),
    };
    Fact::Known(KeyFacts {
        configured: key.to_string(),
        arn,
        manager: meta
            .as_ref()
            .and_then(|m| m.key_manager())
            .map(|m| m.as_str().to_string()),
        policy,
    })
}

/// A resource setting that may name a KMS key (queue or topic attributes,
/// bucket default encryption).
pub trait EncryptedBy {
    fn kms_key_id(&self) -> Option<&str>;
}

/// The key's facts when the resource's setting (if it could be read) names one.
pub async fn gather_for<T: EncryptedBy>(clients: &AccountClients, setting: &Fact<Option<T>>) -> Option<Fact<KeyFacts>> {
    match setting.known().and_then(Option::as_ref).and_then(T::kms_key_id) {
        Some(k) => Some(gather(clients, k).await),
        None => None,
    }
}

/// Whether the key policy lets `principal` use the key for `action`
/// (directly; delegation to the key's account root counts only for callers
/// in that account, which the rule's role in another account is not).
pub fn key_allows(key: &KeyFacts, principal: &Principal, action: &str, key_account: &str) -> Option<(bool, String)> {
    let policy = Policy::parse(key.policy.as_deref()?).ok()?;
    let resource = key.arn.clone().unwrap_or_else(|| key.configured.clone());
    let req = Request::new(principal.clone(), action, resource).with_resource_account(key_account);
    let set = PolicySet::new().with(PolicyKind::KeyPolicy, "key policy", policy);
    let auth = crate::policy::authorize(&req, &set);
    let allowed = auth
        .per_kind
        .iter()
        .any(|(k, d)| *k == PolicyKind::KeyPolicy && *d == Decision::Allow);
    Some((allowed, auth.explanation.join(" ")))
}
