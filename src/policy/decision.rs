//! Decisions and references to the statements behind them.

use super::document::Effect;
use super::set::PolicyKind;

/// The outcome of evaluating one or more policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// At least one statement allows and none denies.
    Allow,
    /// A `Deny` statement matches; nothing can override it.
    ExplicitDeny,
    /// Nothing allows (and nothing denies): the default.
    ImplicitDeny,
}

impl Decision {
    /// Whether access is granted.
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }

    /// Combines decisions of policies of one kind: deny beats allow beats
    /// the default.
    pub(crate) fn merge(self, other: Self) -> Self {
        match (self, other) {
            (Self::ExplicitDeny, _) | (_, Self::ExplicitDeny) => Self::ExplicitDeny,
            (Self::Allow, _) | (_, Self::Allow) => Self::Allow,
            _ => Self::ImplicitDeny,
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Allow => "allow",
            Self::ExplicitDeny => "explicit deny",
            Self::ImplicitDeny => "implicit deny",
        })
    }
}

/// Points at one statement of one labelled policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatementRef {
    /// The label the policy was added under.
    pub policy: String,
    /// What kind of policy it is.
    pub kind: PolicyKind,
    /// The 0-based position of the statement in the policy.
    pub index: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
}

impl std::fmt::Display for StatementRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}` statement {}", self.kind, self.policy, self.index)?;
        match &self.sid {
            Some(sid) => write!(f, " (`{sid}`)"),
            None => Ok(()),
        }
    }
}

/// A statement that almost applied, and why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    /// The statement.
    pub statement: StatementRef,
    /// Plain words, e.g. "action matches but resource `a` does not match `b`".
    pub reason: String,
}

/// The reasons of near misses, on one line (without the statements).
pub fn near_miss_reasons(misses: &[NearMiss]) -> String {
    misses.iter().map(|m| m.reason.as_str()).collect::<Vec<_>>().join("; ")
}

impl std::fmt::Display for NearMiss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.statement, self.reason)
    }
}
