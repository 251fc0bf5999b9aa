//! Diagnosis: read the rule, the role and the policies in both accounts and
//! name the broken part of a route with evidence and the exact fix.

pub mod access;
mod checks;
mod context;
mod fact;
mod facts;
mod finding;
mod gather;
mod metrics;
mod render;
mod rule_errors;
mod run;
mod source_facts;
#[cfg(test)]
mod tests;

pub use checks::translate;
pub use context::CheckContext;
pub use fact::{iam_action, Fact, Unknown};
pub use facts::{AccountInfo, Destination, DestinationFacts, ProbeFacts, RouteFacts};
pub use finding::{Component, Finding, Severity, Stage};
pub use gather::gather_route;
pub use metrics::{ActionMetrics, RuleMetrics};
pub use render::{render_json, render_markdown, render_text, RouteDiagnosis};
pub use rule_errors::{parse_error_document, parse_log_entry, RuleError, IOT_LOG_GROUP};
pub use run::{diagnose, has_errors, unknown_facts};
pub use source_facts::{decode_document, role as gather_role, LoggingFacts, NamedPolicy, RoleFacts};
