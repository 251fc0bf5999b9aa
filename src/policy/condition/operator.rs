//! Condition operator names: `[ForAnyValue:|ForAllValues:]Base[IfExists]`.

/// The set qualifier for multi-valued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    /// `ForAnyValue:`: at least one request value must satisfy the operator;
    /// a missing or empty key is false.
    ForAnyValue,
    /// `ForAllValues:`: every request value must satisfy the operator; a
    /// missing or empty key is true.
    ForAllValues,
}

/// The comparison an operator performs, before negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Exact, case-sensitive string equality.
    StringEquals,
    /// String equality ignoring case.
    StringEqualsIgnoreCase,
    /// Case-sensitive match with `*` and `?`.
    StringLike,
    /// Component-wise ARN match with `*` and `?` (`ArnEquals` behaves the
    /// same as `ArnLike` in IAM).
    ArnLike,
    /// `true`/`false`, case-insensitive.
    Bool,
    /// Key presence: `"true"` means the key must be absent.
    Null,
    /// Numeric equality.
    NumericEquals,
    /// Request value `<` policy value.
    NumericLessThan,
    /// Request value `<=` policy value.
    NumericLessThanEquals,
    /// Request value `>` policy value.
    NumericGreaterThan,
    /// Request value `>=` policy value.
    NumericGreaterThanEquals,
    /// Same instant (ISO 8601 or epoch seconds).
    DateEquals,
    /// Request date before the policy date.
    DateLessThan,
    /// Request date at or before the policy date.
    DateLessThanEquals,
    /// Request date after the policy date.
    DateGreaterThan,
    /// Request date at or after the policy date.
    DateGreaterThanEquals,
    /// Request address inside the policy CIDR.
    IpAddress,
    /// Byte-for-byte equality of base64 text.
    BinaryEquals,
}

/// A parsed condition operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// The name as written in the policy.
    pub name: String,
    /// `ForAnyValue:`/`ForAllValues:`, if given.
    pub set: Option<SetQualifier>,
    /// What is compared.
    pub comparison: Comparison,
    /// True for the `Not` forms (`StringNotEquals`, `NotIpAddress`, ...).
    pub negated: bool,
    /// True for the `...IfExists` forms: a missing key satisfies the clause.
    pub if_exists: bool,
}

const BASES: &[(&str, Comparison, bool)] = &[
    ("StringEquals", Comparison::StringEquals, false),
    ("StringNotEquals", Comparison::StringEquals, true),
    ("StringEqualsIgnoreCase", Comparison::StringEqualsIgnoreCase, false),
    ("StringNotEqualsIgnoreCase", Comparison::StringEqualsIgnoreCase, true),
    ("StringLike", Comparison::StringLike, false),
    ("StringNotLike", Comparison::StringLike, true),
    ("ArnEquals", Comparison::ArnLike, false),
    ("ArnLike", Comparison::ArnLike, false),
    ("ArnNotEquals", Comparison::ArnLike, true),
    ("ArnNotLike", Comparison::ArnLike, true),
    ("Bool", Comparison::Bool, false),
    ("Null", Comparison::Null, false),
    ("NumericEquals", Comparison::NumericEquals, false),
    ("NumericNotEquals", Comparison::NumericEquals, true),
    ("NumericLessThan", Comparison::NumericLessThan, false),
    ("NumericLessThanEquals", Comparison::NumericLessThanEquals, false),
    ("NumericGreaterThan", Comparison::NumericGreaterThan, false),
    ("NumericGreaterThanEquals", Comparison::NumericGreaterThanEquals, false),
    ("DateEquals", Comparison::DateEquals, false),
    ("DateNotEquals", Comparison::DateEquals, true),
    ("DateLessThan", Comparison::DateLessThan, false),
    ("DateLessThanEquals", Comparison::DateLessThanEquals, false),
    ("DateGreaterThan", Comparison::DateGreaterThan, false),
    ("DateGreaterThanEquals", Comparison::DateGreaterThanEquals, false),
    ("IpAddress", Comparison::IpAddress, false),
    ("NotIpAddress", Comparison::IpAddress, true),
    ("BinaryEquals", Comparison::BinaryEquals, false),
];

impl Operator {
    /// Parses an operator name, or returns the closest known name as a hint.
    pub(crate) fn parse(name: &str) -> Result<Self, Option<&'static str>> {
        let (set, rest) = strip_prefix_ci(name, "ForAnyValue:")
            .map(|rest| (Some(SetQualifier::ForAnyValue), rest))
            .or_else(|| strip_prefix_ci(name, "ForAllValues:").map(|rest| (Some(SetQualifier::ForAllValues), rest)))
            .unwrap_or((None, name));
        let (base, if_exists) = match strip_suffix_ci(rest, "IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        match BASES.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(base)) {
            Some(&(_, comparison, negated)) => Ok(Self {
                name: name.to_string(),
                set,
                comparison,
                negated,
                if_exists,
            }),
            None => Err(closest(base)),
        }
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn strip_suffix_ci<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let tail = text.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..cut])
}

/// The known operator nearest to `base` by edit distance, if reasonably near.
fn closest(base: &str) -> Option<&'static str> {
    BASES
        .iter()
        .map(|(name, _, _)| {
            (
                edit_distance(&base.to_ascii_lowercase(), &name.to_ascii_lowercase()),
                *name,
            )
        })
        .min()
        .filter(|(distance, _)| *distance <= 4)
        .map(|(_, name)| name)
}

/// Levenshtein distance over bytes, bounded to short inputs.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (prev + cost).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
