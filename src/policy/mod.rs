//! A pure IAM policy evaluator: parses policy JSON, decides requests the way
//! IAM does (including across accounts), and explains denials in plain
//! words so `diagnose` can name the statement and element that failed.
//!
//! No AWS SDK types: callers fetch policies and hand over JSON text.
//!
//! ```
//! # use xprobe::policy::*;
//! let role = Policy::parse(r#"{"Version":"2012-10-17","Statement":{
//!     "Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::ExampleBucket"}}"#).unwrap();
//! let request = Request::new(
//!     Principal::assumed_role("111111111111", "my-iot-role", "rule"),
//!     "s3:PutObject",
//!     "arn:aws:s3:::ExampleBucket/iot/test/123",
//! );
//! let eval = role.evaluate(&request);
//! assert_eq!(eval.decision, Decision::ImplicitDeny);
//! assert!(eval.near_misses[0].reason.contains("use `arn:aws:s3:::ExampleBucket/*`"));
//! ```
//!
//! # Why not an existing crate
//!
//! Both candidates were tried in a scratch crate (2026, latest releases):
//!
//! - `scratchstack-aspen` 0.3.1 rejects `ForAnyValue:`/`ForAllValues:`
//!   operators at parse time ("Invalid condition operator"); matches an
//!   account-root principal only against identities of the same ARN service
//!   (`iam`), so `arn:aws:iam::A:root` does not match an
//!   `arn:aws:sts::A:assumed-role/...` session; matches role ARNs only by
//!   exact ARN equality; panics (`expect`) on AWS identities without an ARN;
//!   has a flat policy set with no cross-account AND, no key-policy
//!   delegation, and reports a boundary's implicit deny as an explicit deny.
//! - `iam-rs` 0.8.0 evaluates one flat list of policies (no identity AND
//!   resource across accounts, no boundary, key-policy or trust semantics);
//!   its account principal (`"111111111111"` or `...:root`) and role-ARN
//!   principal both fail to match an assumed-role session of that account,
//!   which is exactly the IoT rule's caller; it returns match details but no
//!   near-miss explanations; syntax errors carry only serde's line/column.
//!
//! Both would need the same wrapper logic this module has, so it is written
//! here with only `serde_json` and `thiserror`.
//!
//! # Layout
//!
//! - reading: `parse/` (JSON to [`Policy`], with located errors), `error`;
//! - the document: `document`, `principal`, `condition/`, `pattern`;
//! - matching: `identity`, `principal_match`, `statement_match`, `miss`,
//!   `facts`, `context`, `request`;
//! - deciding: `evaluate` (one policy), `authorize` (all kinds combined),
//!   `set`, `decision`;
//! - S3 Block Public Access: `public`.

mod arn;
mod authorize;
mod condition;
mod context;
mod decision;
mod document;
mod error;
mod evaluate;
mod facts;
mod identity;
mod miss;
mod parse;
mod pattern;
mod principal;
mod principal_match;
mod public;
mod request;
mod set;
mod statement_match;

#[cfg(test)]
mod tests;

pub use authorize::{authorize, Authorization};
pub use condition::{Clause, Comparison, Operator, SetQualifier};
pub use context::Context;
pub use decision::{near_miss_reasons, Decision, NearMiss, StatementRef};
pub use document::{Effect, Patterns, Policy, Statement, Version};
pub use error::{PolicyError, PolicyErrorKind};
pub use evaluate::{evaluate, Evaluation};
pub use principal::{PrincipalEntry, PrincipalSpec};
pub use principal_match::PrincipalVia;
pub use public::PublicGrant;
pub use request::{Principal, Request};
pub use set::{PolicyEntry, PolicyKind, PolicySet};
