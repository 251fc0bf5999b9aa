//! Tests for the policy evaluator: table tests per element and operator, the
//! cross-account walkthrough's own policies, combination rules, S3 Block
//! Public Access, and property tests.

mod combine;
mod conditions;
mod elements;
mod parsing;
mod properties;
mod public;
mod support;
mod walkthrough;
