//! Why a statement did not apply, in plain words.

use super::condition::{Clause, SetQualifier};
use super::document::Patterns;
use super::facts::Facts;
use super::principal::PrincipalSpec;

/// One element of a statement that did not match the request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Miss<'p> {
    /// A resource-based policy statement without `Principal`.
    NoPrincipal,
    /// `Principal` does not name the caller, or `NotPrincipal` excludes it.
    Principal(&'p PrincipalSpec),
    /// `Action` does not list the action, or `NotAction` excludes it.
    Action(&'p Patterns),
    /// `Resource` does not list the resource, or `NotResource` excludes it.
    Resource(&'p Patterns),
    /// A condition clause that does not hold.
    Condition(&'p Clause),
}

impl Miss<'_> {
    /// A sentence fragment such as "resource `a` does not match `b`".
    pub(crate) fn describe(&self, facts: &Facts<'_>) -> String {
        let request = facts.request;
        match self {
            Self::NoPrincipal => "the statement has no `Principal`, which a resource-based policy needs".to_string(),
            Self::Principal(spec) if spec.negated => {
                format!("`NotPrincipal` excludes the caller `{}`", request.principal)
            }
            Self::Principal(spec) => format!(
                "principal {} does not include the caller `{}`",
                list(spec.entries.iter().map(ToString::to_string)),
                request.principal
            ),
            Self::Action(p) if p.negated() => format!(
                "`NotAction` {} excludes action `{}`",
                list(p.values().iter()),
                request.action
            ),
            Self::Action(p) => format!("action {} does not match `{}`", list(p.values().iter()), request.action),
            Self::Resource(p) if p.negated() => format!(
                "`NotResource` {} excludes resource `{}`",
                list(p.values().iter()),
                request.resource
            ),
            Self::Resource(p) => format!(
                "resource {} does not match `{}`{}",
                list(p.values().iter()),
                request.resource,
                resource_hint(p.values(), &request.resource)
            ),
            Self::Condition(clause) => condition_text(clause, facts),
        }
    }
}

fn list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|i| format!("`{i}`")).collect();
    match items.len() {
        0 => "(empty list)".to_string(),
        _ => items.join(", "),
    }
}

fn resource_hint(patterns: &[String], resource: &str) -> String {
    for pattern in patterns {
        if !pattern.contains(['*', '?'])
            && resource.len() > pattern.len()
            && resource.starts_with(pattern.as_str())
            && resource[pattern.len()..].starts_with('/')
        {
            return format!(
                " (hint: `{pattern}` names only the container itself; use `{pattern}/*` to cover what is inside it)"
            );
        }
        if pattern.eq_ignore_ascii_case(resource) {
            return " (hint: they differ only in letter case, and resource ARNs are case-sensitive)".to_string();
        }
    }
    String::new()
}

fn condition_text(clause: &Clause, facts: &Facts<'_>) -> String {
    let key = &clause.key;
    let op = &clause.operator;
    let wanted = list(clause.values.iter());
    let actual = match facts.values(key) {
        None => format!("the request has no `{key}`"),
        Some([]) => format!("the request's `{key}` is empty"),
        Some(values) => format!("the request has {}", list(values.iter())),
    };
    let quantifier = match op.set {
        Some(SetQualifier::ForAllValues) => "every value of ",
        Some(SetQualifier::ForAnyValue) => "some value of ",
        None => "",
    };
    format!(
        "condition `{}` needs {quantifier}`{key}` to fit {wanted} but {actual}",
        op.name
    )
}
