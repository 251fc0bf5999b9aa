//! Shared helpers for the policy tests.

use super::super::{Context, Decision, Policy, Principal, Request};

pub(super) const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/my-iot-role/rule-session";

/// Parses a policy or fails the test with the error.
pub(super) fn policy(json: &str) -> Policy {
    Policy::parse(json).unwrap_or_else(|e| panic!("{e}"))
}

/// A one-statement identity policy with the given statement body.
pub(super) fn stmt(body: &str) -> Policy {
    policy(&format!(r#"{{"Version":"2012-10-17","Statement":{{{body}}}}}"#))
}

/// A request from the IoT role session.
pub(super) fn req(action: &str, resource: &str) -> Request {
    Request::new(Principal::aws(SESSION), action, resource)
}

/// The single-policy decision for a request with `context`.
pub(super) fn decide(policy: &Policy, action: &str, resource: &str, context: Context) -> Decision {
    policy.evaluate(&req(action, resource).with_context(context)).decision
}
