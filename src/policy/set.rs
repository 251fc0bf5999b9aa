//! Labelled policies grouped by the role they play in a request.

use super::document::Policy;

/// The role a policy plays in authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// Attached to the calling user or role (inline or managed).
    Identity,
    /// The caller's permissions boundary: caps identity grants, grants nothing.
    Boundary,
    /// Attached to the resource (bucket, queue, topic, function policy).
    Resource,
    /// A KMS key policy: must allow, directly or by delegating to the account.
    KeyPolicy,
    /// A role trust policy: decides who may assume the role.
    Trust,
}

impl PolicyKind {
    /// Every kind, in explanation order.
    pub const ALL: [Self; 5] = [
        Self::Identity,
        Self::Boundary,
        Self::Resource,
        Self::KeyPolicy,
        Self::Trust,
    ];

    /// Whether the policy lives with the resource (and names principals).
    pub fn is_resource_side(self) -> bool {
        matches!(self, Self::Resource | Self::KeyPolicy | Self::Trust)
    }
}

impl std::fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Identity => "identity policy",
            Self::Boundary => "permissions boundary",
            Self::Resource => "resource policy",
            Self::KeyPolicy => "key policy",
            Self::Trust => "trust policy",
        })
    }
}

/// A policy with its kind and a label for explanations (e.g. its name).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyEntry {
    /// The role the policy plays.
    pub kind: PolicyKind,
    /// A name for messages, e.g. `my-iot-policy`.
    pub label: String,
    /// The policy.
    pub policy: Policy,
}

/// The policies that bear on one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    entries: Vec<PolicyEntry>,
}

impl PolicySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a policy.
    pub fn add(&mut self, kind: PolicyKind, label: impl Into<String>, policy: Policy) {
        self.entries.push(PolicyEntry {
            kind,
            label: label.into(),
            policy,
        });
    }

    /// Adds a policy, builder style.
    pub fn with(mut self, kind: PolicyKind, label: impl Into<String>, policy: Policy) -> Self {
        self.add(kind, label, policy);
        self
    }

    /// The policies, in insertion order.
    pub fn entries(&self) -> &[PolicyEntry] {
        &self.entries
    }

    /// Whether any policy of `kind` is present.
    pub fn has(&self, kind: PolicyKind) -> bool {
        self.entries.iter().any(|e| e.kind == kind)
    }
}
