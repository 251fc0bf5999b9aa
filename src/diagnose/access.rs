//! Evaluating the two halves of a cross-account call with the policy
//! evaluator: the role's identity side (in the source account) and the
//! resource policy (in the destination account).

use super::finding::{Component, Finding, Severity, Stage};
use super::source_facts::RoleFacts;
use crate::policy::{authorize, Decision, Policy, PolicyKind, PolicySet, Principal, Request};

/// How the resource policy answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceVerdict {
    Allows,
    /// Denied: the explanation, and an explicit-deny statement if one decided it.
    Denies {
        explanation: String,
        explicit: bool,
    },
    /// There is no resource policy at all.
    NoPolicy,
    /// The policy does not parse.
    Unparsable(String),
}

impl ResourceVerdict {
    /// Why a denial happened, in plain words: `what` is the resource
    /// ("queue"), `verb` what the role tried ("send to it").
    pub fn reason(&self, what: &str, verb: &str, source_account: &str) -> String {
        match self {
            ResourceVerdict::Allows => format!("the {what} policy allows account {source_account}'s role to {verb}"),
            ResourceVerdict::NoPolicy => format!("the {what} has no policy, so no other account may {verb}"),
            ResourceVerdict::Unparsable(e) => format!("the {what} policy does not parse: {e}"),
            ResourceVerdict::Denies { explanation, .. } => {
                format!("the {what} policy does not allow account {source_account}'s role to {verb}: {explanation}")
            }
        }
    }
}

/// Decides `action` on `resource` by `principal` against a resource policy alone.
pub fn resource_verdict(
    policy: Option<&str>,
    principal: &Principal,
    action: &str,
    resource: &str,
    resource_account: &str,
    context: crate::policy::Context,
) -> ResourceVerdict {
    let Some(text) = policy else {
        return ResourceVerdict::NoPolicy;
    };
    let policy = match Policy::parse(text) {
        Ok(p) => p,
        Err(e) => return ResourceVerdict::Unparsable(e.to_string()),
    };
    let req = Request::new(principal.clone(), action, resource)
        .with_resource_account(resource_account)
        .with_context(context);
    let eval = policy.evaluate(&req);
    match eval.decision {
        Decision::Allow => ResourceVerdict::Allows,
        Decision::ExplicitDeny => ResourceVerdict::Denies {
            explanation: eval
                .decided_by
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            explicit: true,
        },
        Decision::ImplicitDeny => ResourceVerdict::Denies {
            explanation: if eval.near_misses.is_empty() {
                format!("no statement allows {action} by the rule's role")
            } else {
                eval.near_misses
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            explicit: false,
        },
    }
}

/// The role's identity side of `action` on `resource`: findings for a
/// missing action, a resource mismatch, an explicit deny or a boundary.
pub fn role_findings(role: &RoleFacts, action: &str, resource: &str, component: Component) -> Vec<Finding> {
    let account = role.arn.split(':').nth(4).unwrap_or_default().to_string();
    let name = role.arn.rsplit('/').next().unwrap_or_default();
    let principal = Principal::assumed_role(&account, name, "xprobe-diagnose");
    let mut identity = PolicySet::new();
    let mut unparsable = Vec::new();
    for p in role.inline_policies.iter().chain(&role.attached_policies) {
        match Policy::parse(&p.document) {
            Ok(doc) => identity.add(PolicyKind::Identity, p.name.clone(), doc),
            Err(e) => unparsable.push(format!("{}: {e}", p.name)),
        }
    }
    // The identity side is judged as if the resource were in the role's own
    // account: the resource policy is checked separately.
    let req = Request::new(principal, action, resource).with_resource_account(account.clone());
    let without_boundary = authorize(&req, &identity);
    let mut with_boundary = identity.clone();
    if let Some(b) = &role.boundary {
        if let Ok(doc) = Policy::parse(&b.document) {
            with_boundary.add(PolicyKind::Boundary, b.name.clone(), doc);
        }
    }
    let auth = authorize(&req, &with_boundary);
    let policies = || {
        role.inline_policies
            .iter()
            .chain(&role.attached_policies)
            .map(|p| format!("{}: {}", p.name, compact(&p.document)))
            .collect::<Vec<_>>()
    };
    let allow_fix = format!(
        "aws iam put-role-policy --role-name {name} --policy-name xprobe-fix-{} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"{action}\",\"Resource\":\"{resource}\"}}]}}'",
        action.replace(':', "-")
    );
    let mut out = Vec::new();
    match auth.decision {
        Decision::Allow => {}
        Decision::ExplicitDeny => {
            let by: Vec<String> = auth.decided_by.iter().map(|s| s.to_string()).collect();
            let in_boundary = auth.decided_by.iter().any(|s| s.kind == PolicyKind::Boundary);
            let code = if in_boundary {
                "role-boundary-denies"
            } else {
                "role-policy-explicit-deny"
            };
            let mut f = Finding::new(
                code,
                Severity::Error,
                Stage::Role,
                component,
                format!(
                    "the rule's role {} is explicitly denied {action} on {resource}",
                    role.arn
                ),
            );
            for b in by {
                f = f.evidence(format!("deny statement: {b}"));
            }
            out.push(f.fix(format!(
                "remove or narrow the Deny statement so it does not match {action} on {resource}"
            )));
        }
        Decision::ImplicitDeny if without_boundary.decision == Decision::Allow => {
            let b = role.boundary.as_ref().map(|b| b.name.clone()).unwrap_or_default();
            out.push(
                Finding::new("role-boundary-denies", Severity::Error, Stage::Role, component, format!("the role's permissions allow {action} on {resource}, but its permissions boundary {b} does not, so the rule's role cannot call it"))
                    .evidence(format!("boundary {b}: {}", role.boundary.as_ref().map(|b| compact(&b.document)).unwrap_or_default()))
                    .fix(format!("add {action} on {resource} to the boundary policy {b}, or remove the boundary: aws iam delete-role-permissions-boundary --role-name {name}")),
            );
        }
        Decision::ImplicitDeny => {
            let action_miss = auth.near_misses.iter().find(|m| m.reason.contains("action matches"));
            let mut f = match action_miss {
                Some(m) => Finding::new(
                    "role-policy-resource-mismatch",
                    Severity::Error,
                    Stage::Role,
                    component,
                    format!(
                        "the rule's role {} allows {action}, but not on {resource}: {}",
                        role.arn, m.reason
                    ),
                )
                .evidence(format!("statement {}", m.statement)),
                None => Finding::new(
                    "role-policy-missing-action",
                    Severity::Error,
                    Stage::Role,
                    component,
                    format!(
                        "no policy of the rule's role {} allows {action}, so the rules engine's call is denied",
                        role.arn
                    ),
                ),
            };
            for p in policies() {
                f = f.evidence(p);
            }
            out.push(f.fix(allow_fix));
        }
    }
    for u in unparsable {
        out.push(Finding::new(
            "role-policy-unparsable",
            Severity::Warning,
            Stage::Role,
            Component::new(Some(&account), None, role.arn.clone()),
            format!("a policy of the role does not parse, so xprobe ignored it: {u}"),
        ));
    }
    out
}

/// A policy document on one line.
pub fn compact(doc: &str) -> String {
    serde_json::from_str::<serde_json::Value>(doc).map_or_else(|_| doc.replace('\n', " "), |v| v.to_string())
}
