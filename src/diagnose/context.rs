//! What a destination's checks get to look at.

use super::facts::{AccountInfo, RouteFacts};
use super::finding::Component;
use super::source_facts::RoleFacts;
use crate::policy::Principal;
use crate::rule::{RuleAction, TopicRule};

/// The rule, its action for one destination, and that action's role.
pub struct CheckContext<'a> {
    pub facts: &'a RouteFacts,
    pub rule: Option<&'a TopicRule>,
    /// The rule action that targets this destination, if the rule has one.
    pub action: Option<&'a RuleAction>,
    /// The role of that action, when known and existing.
    pub role: Option<&'a RoleFacts>,
    pub dest_account: &'a AccountInfo,
}

impl CheckContext<'_> {
    /// The source account id, if known.
    pub fn source_id(&self) -> Option<&str> {
        self.facts.source.id.known().map(String::as_str).or_else(|| {
            self.rule
                .and_then(|r| r.arn.as_deref())
                .and_then(|a| a.split(':').nth(4))
                .filter(|a| !a.is_empty())
        })
    }

    /// The destination account id, if known.
    pub fn dest_id(&self) -> Option<&str> {
        self.dest_account.id.known().map(String::as_str)
    }

    pub fn region(&self) -> &str {
        &self.facts.source.region
    }

    /// The rule's ARN (known or built from the source account id).
    pub fn rule_arn(&self) -> String {
        self.rule.and_then(|r| r.arn.clone()).unwrap_or_else(|| {
            format!(
                "arn:aws:iot:{}:{}:rule/{}",
                self.region(),
                self.source_id().unwrap_or("<SOURCE_ACCOUNT_ID>"),
                self.facts.rule_name
            )
        })
    }

    /// The principal the rule's action calls as: a session of its role.
    pub fn role_principal(&self) -> Option<Principal> {
        let arn = self.action?.role_arn()?;
        let account = arn.split(':').nth(4)?;
        let name = arn.rsplit('/').next()?;
        Some(Principal::assumed_role(account, name, "xprobe-diagnose"))
    }

    /// A component in the destination account.
    pub fn dest_component(&self, resource: impl Into<String>) -> Component {
        Component::new(self.dest_id(), Some(&self.dest_account.region), resource)
    }

    /// A component in the source account.
    pub fn source_component(&self, resource: impl Into<String>) -> Component {
        Component::new(self.source_id(), Some(self.region()), resource)
    }
}
