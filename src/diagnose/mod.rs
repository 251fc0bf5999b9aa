//! Diagnosis: read the rule, the role and the policies in both accounts and
//! name the broken part of a route with evidence and the exact fix.

mod fact;
mod finding;
mod rule_errors;
mod source_facts;

pub use fact::{iam_action, Fact, Unknown};
pub use finding::{Component, Finding, Severity};
