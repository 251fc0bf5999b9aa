//! Matches one statement against a request, recording what did not match.

use super::condition::{holds, Clause};
use super::document::{Patterns, Statement};
use super::facts::Facts;
use super::miss::Miss;
use super::principal_match::{principal_applies, PrincipalVia};

/// The result of matching one statement.
#[derive(Debug)]
pub(crate) struct Outcome<'p> {
    /// How the principal element matched, or `None` if it did not.
    pub(crate) via: Option<PrincipalVia>,
    /// The elements that matched, in check order (for explanations).
    pub(crate) hits: Vec<&'static str>,
    /// Why the statement does not apply; empty when it applies.
    pub(crate) misses: Vec<Miss<'p>>,
}

impl Outcome<'_> {
    /// Whether the statement applies to the request.
    pub(crate) fn applies(&self) -> bool {
        self.misses.is_empty()
    }

    /// How close a non-matching statement came, for ranking near misses:
    /// an action match counts most.
    pub(crate) fn closeness(&self) -> (bool, usize) {
        (self.hits.contains(&"action"), self.hits.len())
    }
}

/// Matches `statement`. `needs_principal` is true for resource-based
/// policies, where a statement without `Principal` never applies.
pub(crate) fn match_statement<'p>(statement: &'p Statement, facts: &Facts<'_>, needs_principal: bool) -> Outcome<'p> {
    let mut out = Outcome {
        via: None,
        hits: Vec::new(),
        misses: Vec::new(),
    };
    match &statement.principal {
        Some(spec) => match principal_applies(spec, &facts.identity) {
            Some(via) => {
                out.via = Some(via);
                out.hits.push("principal");
            }
            None => out.misses.push(Miss::Principal(spec)),
        },
        None if needs_principal => out.misses.push(Miss::NoPrincipal),
        None => out.via = Some(PrincipalVia::Implicit),
    }
    if patterns_match(&statement.action, &facts.request.action, true, facts) {
        out.hits.push("action");
    } else {
        out.misses.push(Miss::Action(&statement.action));
    }
    if let Some(resource) = &statement.resource {
        if patterns_match(resource, &facts.request.resource, false, facts) {
            out.hits.push("resource");
        } else {
            out.misses.push(Miss::Resource(resource));
        }
    }
    if !statement.condition.is_empty() {
        let failed: Vec<&Clause> = statement
            .condition
            .iter()
            .filter(|clause| !holds(clause, facts))
            .collect();
        if failed.is_empty() {
            out.hits.push("condition");
        } else {
            out.misses.extend(failed.into_iter().map(Miss::Condition));
        }
    }
    out
}

fn patterns_match(patterns: &Patterns, text: &str, ignore_case: bool, facts: &Facts<'_>) -> bool {
    let any = patterns
        .globs()
        .iter()
        .any(|glob| glob.matches(text, ignore_case, facts));
    any != patterns.negated()
}
