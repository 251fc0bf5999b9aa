//! Combines the decisions of every policy kind into one answer.
//!
//! The rules (IAM "policy evaluation logic" and its cross-account page):
//! - an explicit deny in any policy wins;
//! - a service principal (e.g. `iot.amazonaws.com` assuming a role or
//!   invoking a function) is decided by the resource-side policies alone;
//! - same account: an identity policy allow is enough, or a resource policy
//!   that names the caller (or `*`) directly; a resource grant to the whole
//!   account only delegates to the identity policies;
//! - across accounts: the identity policy in the caller's account AND the
//!   resource-side policy in the resource's account must both allow;
//! - a permissions boundary caps identity grants (and resource grants that
//!   do not name the exact caller ARN);
//! - a key policy or trust policy must always allow, directly or by
//!   delegating to the caller's account when an identity policy then allows.
//!
//! With several resource-side kinds in one set, each present kind must be
//! satisfied.

use super::decision::{Decision, NearMiss, StatementRef};
use super::evaluate::{evaluate_with, Evaluation, Source};
use super::facts::Facts;
use super::identity::Identity;
use super::principal_match::PrincipalVia;
use super::request::Request;
use super::set::{PolicyKind, PolicySet};

/// The combined answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The final decision.
    pub decision: Decision,
    /// The statements that decided it: the matching denies for an explicit
    /// deny, the allows that were needed for an allow, none otherwise.
    pub decided_by: Vec<StatementRef>,
    /// The decision of each kind of policy present, in [`PolicyKind::ALL`]
    /// order.
    pub per_kind: Vec<(PolicyKind, Decision)>,
    /// The reasoning, one plain sentence per line.
    pub explanation: Vec<String>,
    /// For a deny: the allow statements that came closest on the side that
    /// failed, with why they did not apply.
    pub near_misses: Vec<NearMiss>,
}

/// Where the request sits relative to account boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Service,
    SameAccount,
    CrossAccount,
}

/// Decides `request` against every policy in `set`.
pub fn authorize(request: &Request, set: &PolicySet) -> Authorization {
    let facts = Facts::new(request);
    let evals: Vec<(PolicyKind, Evaluation)> = set
        .entries()
        .iter()
        .map(|entry| (entry.kind, evaluate_with(Source::of(entry), &facts)))
        .collect();
    let per_kind: Vec<(PolicyKind, Decision)> = PolicyKind::ALL
        .iter()
        .filter_map(|kind| {
            evals
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, e)| e.decision)
                .reduce(Decision::merge)
                .map(|d| (*kind, d))
        })
        .collect();
    let mut out = Authorization {
        decision: Decision::ImplicitDeny,
        decided_by: Vec::new(),
        per_kind,
        explanation: vec![describe_request(request)],
        near_misses: Vec::new(),
    };
    let denies: Vec<StatementRef> = evals
        .iter()
        .filter(|(_, e)| e.decision == Decision::ExplicitDeny)
        .flat_map(|(_, e)| e.decided_by.iter().cloned())
        .collect();
    if !denies.is_empty() {
        for deny in &denies {
            out.explanation.push(format!("{deny} explicitly denies it"));
        }
        out.explanation
            .push("explicit deny: a matching Deny overrides every Allow".to_string());
        out.decision = Decision::ExplicitDeny;
        out.decided_by = denies;
        return out;
    }
    let scope = scope(&facts, request, &mut out.explanation);
    combine(scope, &evals, set, &mut out);
    out
}

fn describe_request(request: &Request) -> String {
    format!(
        "request: `{}` calls `{}` on `{}`",
        request.principal, request.action, request.resource
    )
}

fn scope(facts: &Facts<'_>, request: &Request, lines: &mut Vec<String>) -> Scope {
    if let Identity::Service(name) = facts.identity {
        lines.push(format!(
            "the caller is the service principal `{name}`, so only the resource-side policies decide"
        ));
        return Scope::Service;
    }
    match (facts.identity.account(), request.owning_account()) {
        (Some(caller), Some(owner)) if caller != owner => {
            lines.push(format!(
                "cross-account: the caller is in account {caller} and the resource in account {owner}, so an identity policy in {caller} and a resource-side policy in {owner} must both allow it"
            ));
            Scope::CrossAccount
        }
        (_, None) => {
            lines.push("the resource's account is unknown, so the request is treated as same-account".to_string());
            Scope::SameAccount
        }
        _ => {
            lines.push(
                "same account: an identity policy allow is enough unless a key or trust policy is involved".to_string(),
            );
            Scope::SameAccount
        }
    }
}

/// The identity side: any identity allow, capped by the boundary.
struct IdentitySide {
    grants: Vec<StatementRef>,
    boundary_present: bool,
    boundary_allows: bool,
}

impl IdentitySide {
    fn ok(&self) -> bool {
        !self.grants.is_empty() && (!self.boundary_present || self.boundary_allows)
    }
}

fn combine(scope: Scope, evals: &[(PolicyKind, Evaluation)], set: &PolicySet, out: &mut Authorization) {
    let of = |kind: PolicyKind| evals.iter().filter(move |(k, _)| *k == kind).map(|(_, e)| e);
    let identity = IdentitySide {
        grants: of(PolicyKind::Identity)
            .flat_map(|e| e.decided_by.iter().cloned())
            .collect(),
        boundary_present: set.has(PolicyKind::Boundary),
        boundary_allows: of(PolicyKind::Boundary).any(|e| e.decision == Decision::Allow),
    };
    let mut allowed = true;
    let mut used: Vec<StatementRef> = Vec::new();
    let mut identity_used = false;

    if scope != Scope::Service {
        explain_identity(&identity, evals, out);
    }
    let resource_kinds: Vec<PolicyKind> = PolicyKind::ALL
        .into_iter()
        .filter(|k| k.is_resource_side() && set.has(*k))
        .collect();
    if resource_kinds.is_empty() {
        match scope {
            Scope::SameAccount => {
                allowed = identity.ok();
                identity_used = true;
            }
            Scope::CrossAccount | Scope::Service => {
                out.explanation
                    .push("no resource-side policy was supplied, and this request needs one to allow it".to_string());
                allowed = false;
            }
        }
    }
    for kind in resource_kinds {
        let grants: Vec<&(StatementRef, PrincipalVia)> = of(kind).flat_map(|e| e.grants.iter()).collect();
        let bypasses_boundary =
            |via: PrincipalVia| via == PrincipalVia::Exact || !identity.boundary_present || identity.boundary_allows;
        let direct = grants.iter().find(|(_, via)| match scope {
            Scope::Service => !via.is_delegation(),
            _ => !via.is_delegation() && bypasses_boundary(*via),
        });
        let delegated = grants.iter().find(|(_, via)| via.is_delegation());
        let kind_ok = match scope {
            Scope::Service => direct.is_some(),
            Scope::CrossAccount => {
                identity_used = true;
                identity.ok() && !grants.is_empty()
            }
            Scope::SameAccount => match (direct, delegated) {
                (Some(_), _) => true,
                (None, Some(_)) => {
                    identity_used = true;
                    identity.ok()
                }
                (None, None) if kind == PolicyKind::Resource => {
                    identity_used = true;
                    identity.ok()
                }
                (None, None) => false,
            },
        };
        explain_resource_kind(kind, scope, &grants, kind_ok, evals, out);
        if kind_ok {
            used.extend(direct.or(delegated).map(|(r, _)| r.clone()));
        }
        allowed &= kind_ok;
    }
    if allowed {
        if identity_used {
            used.splice(0..0, identity.grants.iter().cloned());
        }
        out.decision = Decision::Allow;
        out.decided_by = used;
        out.explanation.push("allow".to_string());
    } else {
        out.explanation
            .push("implicit deny: nothing that is required allows the request".to_string());
    }
}

fn explain_identity(identity: &IdentitySide, evals: &[(PolicyKind, Evaluation)], out: &mut Authorization) {
    let mut misses = near_misses_of(PolicyKind::Identity, evals);
    match identity.grants.first() {
        Some(grant) => out.explanation.push(format!("{grant} allows it")),
        None if misses.is_empty() => out
            .explanation
            .push("no identity policy allows it (none has a matching statement)".to_string()),
        None => {
            out.explanation.push("no identity policy allows it".to_string());
            for miss in &misses {
                out.explanation.push(format!("closest: {miss}"));
            }
            out.near_misses.append(&mut misses);
        }
    }
    if identity.boundary_present && !identity.boundary_allows {
        out.explanation
            .push("the permissions boundary does not allow it, so identity-policy grants do not count".to_string());
        out.near_misses.extend(near_misses_of(PolicyKind::Boundary, evals));
    }
}

fn explain_resource_kind(
    kind: PolicyKind,
    scope: Scope,
    grants: &[&(StatementRef, PrincipalVia)],
    kind_ok: bool,
    evals: &[(PolicyKind, Evaluation)],
    out: &mut Authorization,
) {
    match grants.first() {
        Some((grant, via)) if via.is_delegation() => out.explanation.push(format!(
            "{grant} allows it by naming the caller's whole account, which delegates the decision to that account's identity policies"
        )),
        Some((grant, _)) => out.explanation.push(format!("{grant} allows it")),
        None if kind_ok => out.explanation.push(format!(
            "no {kind} grants it, which is fine in the same account because an identity policy does"
        )),
        None => {
            let mut misses = near_misses_of(kind, evals);
            out.explanation.push(format!("no {kind} allows it"));
            for miss in &misses {
                out.explanation.push(format!("closest: {miss}"));
            }
            out.near_misses.append(&mut misses);
        }
    }
    if !kind_ok && !grants.is_empty() && scope == Scope::CrossAccount {
        out.explanation.push(format!(
            "the {kind} allows it, but across accounts the caller's identity policy must allow it too"
        ));
    }
}

fn near_misses_of(kind: PolicyKind, evals: &[(PolicyKind, Evaluation)]) -> Vec<NearMiss> {
    evals
        .iter()
        .filter(|(k, e)| *k == kind && e.decision == Decision::ImplicitDeny)
        .flat_map(|(_, e)| e.near_misses.iter().cloned())
        .collect()
}
