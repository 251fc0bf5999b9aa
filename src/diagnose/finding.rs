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

/// One finding about a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `sqs-policy-denies`. Also a metric label.
    pub code: &'static str,
    pub severity: Severity,
    /// The part concerned: account, region and ARN or name.
    pub component: Component,
    /// What is wrong, in plain words.
    pub explanation: String,
    /// The statement or setting that shows it, quoted.
    pub evidence: Vec<String>,
    /// A ready-to-run command or policy JSON that fixes it.
    pub fix: Option<String>,
}

/// Where a finding applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Component {
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource: String,
}
