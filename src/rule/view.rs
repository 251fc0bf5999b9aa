//! A topic rule as xprobe reads it (GetTopicRule), without SDK types, so
//! verifiers, diagnose and saved facts can all use it.

use serde::{Deserialize, Serialize};

/// A topic rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRule {
    pub name: String,
    pub arn: Option<String>,
    pub sql: String,
    pub disabled: bool,
    /// `awsIotSqlVersion`; AWS uses 2015-10-08 when it is unset.
    pub sql_version: Option<String>,
    pub actions: Vec<RuleAction>,
    pub error_action: Option<RuleAction>,
}

/// One rule action (the kinds xprobe follows; others are kept by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleAction {
    Sqs {
        queue_url: String,
        role_arn: String,
        use_base64: bool,
    },
    Sns {
        target_arn: String,
        role_arn: String,
        message_format: Option<String>,
    },
    S3 {
        bucket: String,
        key: String,
        role_arn: String,
        canned_acl: Option<String>,
    },
    Lambda {
        function_arn: String,
    },
    Other {
        name: String,
    },
}

impl RuleAction {
    /// The action's kind as AWS's API names it.
    pub fn kind(&self) -> &str {
        match self {
            RuleAction::Sqs { .. } => "sqs",
            RuleAction::Sns { .. } => "sns",
            RuleAction::S3 { .. } => "s3",
            RuleAction::Lambda { .. } => "lambda",
            RuleAction::Other { name } => name,
        }
    }

    /// The role the action assumes, if it has one (Lambda has none).
    pub fn role_arn(&self) -> Option<&str> {
        match self {
            RuleAction::Sqs { role_arn, .. } | RuleAction::Sns { role_arn, .. } | RuleAction::S3 { role_arn, .. } => {
                Some(role_arn)
            }
            _ => None,
        }
    }

    /// The resource the action writes to.
    pub fn target(&self) -> &str {
        match self {
            RuleAction::Sqs { queue_url, .. } => queue_url,
            RuleAction::Sns { target_arn, .. } => target_arn,
            RuleAction::S3 { bucket, .. } => bucket,
            RuleAction::Lambda { function_arn } => function_arn,
            RuleAction::Other { name } => name,
        }
    }
}

impl TopicRule {
    /// The S3 action writing to `bucket`, if any.
    pub fn s3_action(&self, bucket: &str) -> Option<&RuleAction> {
        self.actions
            .iter()
            .find(|a| matches!(a, RuleAction::S3 { bucket: b, .. } if b == bucket))
    }
}
