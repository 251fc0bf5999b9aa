//! A finding: one broken (or notable) part of a route, with its evidence
//! and fix. Serialises to the documented `diagnose --output json` schema.

use serde::Serialize;

/// How bad a finding is. Also a metric label, so the set is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Where along the message's path a finding sits, in travel order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Publish,
    Rule,
    Role,
    Destination,
    Kms,
    Constraints,
    Evidence,
}

/// One finding about a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `sqs-policy-denies`. Also a metric label.
    pub code: &'static str,
    pub severity: Severity,
    pub stage: Stage,
    /// The part concerned: account, region and ARN or name.
    pub component: Component,
    /// What is wrong, in plain words.
    pub explanation: String,
    /// The statement or setting that shows it, quoted.
    pub evidence: Vec<String>,
    /// A ready-to-run command or policy JSON that fixes it.
    pub fix: Option<String>,
    /// For evidence findings: the code of the finding this evidence confirms.
    pub confirms: Option<&'static str>,
}

impl Finding {
    /// A finding with no evidence or fix yet.
    pub fn new(
        code: &'static str,
        severity: Severity,
        stage: Stage,
        component: Component,
        explanation: impl Into<String>,
    ) -> Self {
        Finding {
            code,
            severity,
            stage,
            component,
            explanation: explanation.into(),
            evidence: Vec::new(),
            fix: None,
            confirms: None,
        }
    }

    pub fn evidence(mut self, e: impl Into<String>) -> Self {
        self.evidence.push(e.into());
        self
    }

    pub fn fix(mut self, f: impl Into<String>) -> Self {
        self.fix = Some(f.into());
        self
    }
}

impl Component {
    pub fn new(account: Option<&str>, region: Option<&str>, resource: impl Into<String>) -> Self {
        Component {
            account: account.map(str::to_string),
            region: region.map(str::to_string),
            resource: resource.into(),
        }
    }
}

/// Where a finding applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Component {
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource: String,
}
