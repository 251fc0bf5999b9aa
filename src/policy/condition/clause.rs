//! One condition clause: an operator, a key and the values to compare.

use super::super::pattern::Glob;
use super::date::parse_date;
use super::ip::Cidr;
use super::operator::{Comparison, Operator};

/// `"Operator": {"key": [values]}`: true if the request satisfies the
/// operator for any of the values (values are ORed; clauses are ANDed).
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub(crate) operator: Operator,
    pub(crate) key: String,
    pub(crate) values: Vec<String>,
    pub(crate) compiled: Vec<Compiled>,
}

/// A policy value prepared for its operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Compiled {
    /// String operators; wildcards only for `StringLike`.
    Text(Glob),
    /// ARN operators: one pattern per ARN field, or one for the whole text
    /// when the policy value is not shaped like an ARN.
    Arn(Vec<Glob>),
    /// Numeric operators; `None` when the policy value is not a number.
    Number(Option<f64>),
    /// Date operators, as epoch seconds.
    Date(Option<f64>),
    /// `IpAddress`.
    Cidr(Option<Cidr>),
    /// `Bool` and `Null`: the lower-cased text.
    Flag(String),
    /// `BinaryEquals`.
    Raw(String),
}

impl Clause {
    /// Builds a clause, compiling each value for the operator.
    pub(crate) fn new(operator: Operator, key: String, values: Vec<String>, variables: bool) -> Self {
        let compiled = values
            .iter()
            .map(|value| compile(operator.comparison, value, variables))
            .collect();
        Self {
            operator,
            key,
            values,
            compiled,
        }
    }

    /// The operator.
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// The condition key as written (matched case-insensitively).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The policy values as written.
    pub fn values(&self) -> &[String] {
        &self.values
    }
}

fn compile(comparison: Comparison, value: &str, variables: bool) -> Compiled {
    match comparison {
        Comparison::StringEquals | Comparison::StringEqualsIgnoreCase => {
            Compiled::Text(Glob::compile(value, false, variables))
        }
        Comparison::StringLike => Compiled::Text(Glob::compile(value, true, variables)),
        Comparison::ArnLike => {
            let fields = split_arn_fields(value);
            if fields.len() == 6 && fields[0] == "arn" {
                Compiled::Arn(fields[1..].iter().map(|f| Glob::compile(f, true, variables)).collect())
            } else {
                Compiled::Arn(vec![Glob::compile(value, true, variables)])
            }
        }
        Comparison::Bool | Comparison::Null => Compiled::Flag(value.trim().to_ascii_lowercase()),
        Comparison::NumericEquals
        | Comparison::NumericLessThan
        | Comparison::NumericLessThanEquals
        | Comparison::NumericGreaterThan
        | Comparison::NumericGreaterThanEquals => Compiled::Number(parse_number(value)),
        Comparison::DateEquals
        | Comparison::DateLessThan
        | Comparison::DateLessThanEquals
        | Comparison::DateGreaterThan
        | Comparison::DateGreaterThanEquals => Compiled::Date(parse_date(value)),
        Comparison::IpAddress => Compiled::Cidr(Cidr::parse(value)),
        Comparison::BinaryEquals => Compiled::Raw(value.to_string()),
    }
}

/// Splits an ARN pattern into at most six `:` fields, leaving `:` inside
/// `${...}` variables alone.
fn split_arn_fields(value: &str) -> Vec<&str> {
    let mut fields = Vec::with_capacity(6);
    let (mut start, mut depth) = (0, false);
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'$' if bytes.get(i + 1) == Some(&b'{') => depth = true,
            b'}' if depth => depth = false,
            b':' if !depth && fields.len() < 5 => {
                fields.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&value[start..]);
    fields
}

/// Parses a plain decimal number (no `inf`/`NaN`).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    plain.then(|| text.parse::<f64>().ok()).flatten()
}
