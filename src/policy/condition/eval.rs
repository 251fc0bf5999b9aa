//! Evaluates one clause against the request facts.
//!
//! Semantics follow the IAM condition-operator reference:
//! - values in one clause are ORed;
//! - a missing key fails a positive operator, satisfies a negated one
//!   (`StringNotEquals`, `NotIpAddress`, ...) and satisfies any `...IfExists`;
//! - `Null: true` holds when the key is absent;
//! - a negated operator holds when no policy value matches;
//! - `ForAnyValue:` needs one request value to satisfy the operator (false
//!   when the key is missing or empty), `ForAllValues:` needs every request
//!   value to (true when missing or empty).

use super::super::arn::Arn;
use super::super::facts::Facts;
use super::clause::{parse_number, Clause, Compiled};
use super::date::parse_date;
use super::ip::parse_addr;
use super::operator::{Comparison, SetQualifier};

/// Whether the request satisfies `clause`.
pub(crate) fn holds(clause: &Clause, facts: &Facts<'_>) -> bool {
    let op = &clause.operator;
    let values = facts.values(&clause.key);
    if op.comparison == Comparison::Null {
        let absent = values.is_none_or(<[String]>::is_empty);
        return clause.compiled.iter().any(|c| match c {
            Compiled::Flag(flag) => (flag == "true") == absent,
            _ => false,
        });
    }
    let single = |value: &str| matches_any(clause, value, facts) != op.negated;
    match (op.set, values) {
        (Some(SetQualifier::ForAllValues), None) => true,
        (Some(SetQualifier::ForAllValues), Some(values)) => values.iter().all(|v| single(v)),
        (Some(SetQualifier::ForAnyValue), None) => op.if_exists,
        (Some(SetQualifier::ForAnyValue), Some(values)) => {
            values.iter().any(|v| single(v)) || (values.is_empty() && op.if_exists)
        }
        (None, None) => op.if_exists || op.negated,
        (None, Some([])) => op.if_exists || op.negated,
        (None, Some(values)) => values.iter().any(|v| matches_any(clause, v, facts)) != op.negated,
    }
}

/// Whether `value` satisfies the un-negated comparison for any policy value.
fn matches_any(clause: &Clause, value: &str, facts: &Facts<'_>) -> bool {
    let comparison = clause.operator.comparison;
    clause
        .compiled
        .iter()
        .any(|policy| compare(comparison, policy, value, facts))
}

fn compare(comparison: Comparison, policy: &Compiled, value: &str, facts: &Facts<'_>) -> bool {
    match policy {
        Compiled::Text(glob) => glob.matches(value, comparison == Comparison::StringEqualsIgnoreCase, facts),
        Compiled::Arn(fields) => match fields.as_slice() {
            [whole] => whole.matches(value, false, facts),
            fields => Arn::parse(value).is_some_and(|arn| {
                fields
                    .iter()
                    .zip(arn.fields())
                    .all(|(glob, field)| glob.matches(field, false, facts))
            }),
        },
        Compiled::Flag(flag) => value.trim().eq_ignore_ascii_case(flag),
        Compiled::Number(Some(limit)) => parse_number(value).is_some_and(|v| ordered(comparison, v, *limit)),
        Compiled::Date(Some(limit)) => parse_date(value).is_some_and(|v| ordered(comparison, v, *limit)),
        Compiled::Cidr(Some(cidr)) => parse_addr(value).is_some_and(|addr| cidr.contains(addr)),
        Compiled::Raw(raw) => raw == value,
        Compiled::Number(None) | Compiled::Date(None) | Compiled::Cidr(None) => false,
    }
}

fn ordered(comparison: Comparison, request: f64, policy: f64) -> bool {
    match comparison {
        Comparison::NumericEquals | Comparison::DateEquals => request == policy,
        Comparison::NumericLessThan | Comparison::DateLessThan => request < policy,
        Comparison::NumericLessThanEquals | Comparison::DateLessThanEquals => request <= policy,
        Comparison::NumericGreaterThan | Comparison::DateGreaterThan => request > policy,
        Comparison::NumericGreaterThanEquals | Comparison::DateGreaterThanEquals => request >= policy,
        _ => false,
    }
}
