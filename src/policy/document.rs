//! The parsed shape of an IAM policy document.
//!
//! These types hold exactly what the JSON said, normalised only where IAM
//! itself treats two spellings as one (a single string and a one-element
//! array, a single statement object and a one-element statement array).

use super::condition::Clause;
use super::pattern::Glob;
use super::principal::PrincipalSpec;

/// A parsed IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub(crate) version: Version,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
}

impl Policy {
    /// The policy language version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The optional `Id` element.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

/// The `Version` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables such as `${aws:username}` are expanded.
    V2012_10_17,
    /// `2008-10-17`: `${...}` is literal text.
    V2008_10_17,
    /// No `Version` element; IAM treats this as 2008-10-17.
    Missing,
}

impl Version {
    /// Whether `${...}` policy variables are expanded under this version.
    pub fn expands_variables(self) -> bool {
        matches!(self, Self::V2012_10_17)
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// The statement grants access.
    Allow,
    /// The statement denies access; an explicit deny beats any allow.
    Deny,
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        })
    }
}

/// A list element that may be negated: `Action`/`NotAction` or
/// `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    negated: bool,
    values: Vec<String>,
    globs: Vec<Glob>,
}

impl Patterns {
    /// Compiles the patterns of one element. Policy variables are expanded
    /// only when `variables` is true (resources under 2012-10-17).
    pub(crate) fn new(negated: bool, values: Vec<String>, variables: bool) -> Self {
        let globs = values.iter().map(|v| Glob::compile(v, true, variables)).collect();
        Self { negated, values, globs }
    }

    /// True for `NotAction`/`NotResource`.
    pub fn negated(&self) -> bool {
        self.negated
    }

    /// The patterns as written.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The compiled patterns, in the order of [`Patterns::values`].
    pub(crate) fn globs(&self) -> &[Glob] {
        &self.globs
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalSpec>,
    pub(crate) action: Patterns,
    pub(crate) resource: Option<Patterns>,
    pub(crate) condition: Vec<Clause>,
}

impl Statement {
    /// The optional `Sid`.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// `Allow` or `Deny`.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// `Principal` or `NotPrincipal`, absent in identity policies.
    pub fn principal(&self) -> Option<&PrincipalSpec> {
        self.principal.as_ref()
    }

    /// `Action` or `NotAction`.
    pub fn action(&self) -> &Patterns {
        &self.action
    }

    /// `Resource` or `NotResource`; absent in role trust policies.
    pub fn resource(&self) -> Option<&Patterns> {
        self.resource.as_ref()
    }

    /// The condition clauses; all must hold.
    pub fn conditions(&self) -> &[Clause] {
        &self.condition
    }
}
