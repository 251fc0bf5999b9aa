//! Evaluates one policy: explicit deny beats allow beats implicit deny.

use super::decision::{Decision, NearMiss, StatementRef};
use super::document::{Effect, Policy};
use super::facts::Facts;
use super::principal_match::PrincipalVia;
use super::request::Request;
use super::set::{PolicyEntry, PolicyKind};
use super::statement_match::{match_statement, Outcome};

/// How many near misses an implicit deny reports.
const NEAR_MISSES: usize = 3;

/// The decision of one policy and the statements behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision of this policy alone.
    pub decision: Decision,
    /// The `Deny` statements that matched (explicit deny) or the `Allow`
    /// statements that matched (allow); empty for implicit deny.
    pub decided_by: Vec<StatementRef>,
    /// For implicit deny: the `Allow` statements that came closest, with the
    /// reason each did not apply.
    pub near_misses: Vec<NearMiss>,
    /// Every matching `Allow` statement with how its principal matched.
    pub grants: Vec<(StatementRef, PrincipalVia)>,
}

/// Evaluates one labelled policy against `request`.
pub fn evaluate(entry: &PolicyEntry, request: &Request) -> Evaluation {
    evaluate_with(Source::of(entry), &Facts::new(request))
}

/// A borrowed policy with its kind and label.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) kind: PolicyKind,
    pub(crate) label: &'a str,
    pub(crate) policy: &'a Policy,
}

impl<'a> Source<'a> {
    pub(crate) fn of(entry: &'a PolicyEntry) -> Self {
        Self {
            kind: entry.kind,
            label: &entry.label,
            policy: &entry.policy,
        }
    }
}

impl Policy {
    /// Evaluates this policy alone as an identity policy labelled `policy`
    /// (statements without `Principal` apply to the caller).
    pub fn evaluate(&self, request: &Request) -> Evaluation {
        let source = Source {
            kind: PolicyKind::Identity,
            label: "policy",
            policy: self,
        };
        evaluate_with(source, &Facts::new(request))
    }
}

pub(crate) fn evaluate_with(entry: Source<'_>, facts: &Facts<'_>) -> Evaluation {
    let needs_principal = entry.kind.is_resource_side();
    let mut denies = Vec::new();
    let mut grants = Vec::new();
    let mut misses: Vec<(usize, Outcome<'_>)> = Vec::new();
    for (index, statement) in entry.policy.statements.iter().enumerate() {
        let outcome = match_statement(statement, facts, needs_principal);
        match (statement.effect, outcome.applies()) {
            (Effect::Deny, true) => denies.push(statement_ref(entry, index)),
            (Effect::Allow, true) => grants.push((
                statement_ref(entry, index),
                outcome.via.unwrap_or(PrincipalVia::Implicit),
            )),
            (Effect::Allow, false) => misses.push((index, outcome)),
            (Effect::Deny, false) => {}
        }
    }
    if !denies.is_empty() {
        return Evaluation {
            decision: Decision::ExplicitDeny,
            decided_by: denies,
            near_misses: Vec::new(),
            grants,
        };
    }
    if !grants.is_empty() {
        return Evaluation {
            decision: Decision::Allow,
            decided_by: grants.iter().map(|(r, _)| r.clone()).collect(),
            near_misses: Vec::new(),
            grants,
        };
    }
    misses.sort_by_key(|(index, outcome)| (std::cmp::Reverse(outcome.closeness()), *index));
    let near_misses = misses
        .iter()
        .take(NEAR_MISSES)
        .map(|(index, outcome)| NearMiss {
            statement: statement_ref(entry, *index),
            reason: reason(outcome, facts),
        })
        .collect();
    Evaluation {
        decision: Decision::ImplicitDeny,
        decided_by: Vec::new(),
        near_misses,
        grants,
    }
}

fn statement_ref(entry: Source<'_>, index: usize) -> StatementRef {
    let statement = &entry.policy.statements[index];
    StatementRef {
        policy: entry.label.to_string(),
        kind: entry.kind,
        index,
        sid: statement.sid.clone(),
        effect: statement.effect,
    }
}

/// "principal and action match but resource `a` does not match `b`".
fn reason(outcome: &Outcome<'_>, facts: &Facts<'_>) -> String {
    let misses: Vec<String> = outcome.misses.iter().map(|m| m.describe(facts)).collect();
    let misses = misses.join("; and ");
    match outcome.hits.as_slice() {
        [] => misses,
        [one] => format!("{one} matches but {misses}"),
        [init @ .., last] => format!("{} and {last} match but {misses}", init.join(", ")),
    }
}
