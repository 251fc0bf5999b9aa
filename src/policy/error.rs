//! Errors raised while reading an IAM policy document.
//!
//! Every error names where in the document it happened (a JSON path such as
//! `Statement[0].Principal`) and, where one exists, the fix.

use thiserror::Error;

/// A policy document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid IAM policy at `{path}`: {kind}")]
pub struct PolicyError {
    path: String,
    #[source]
    kind: PolicyErrorKind,
}

impl PolicyError {
    pub(crate) fn new(path: impl Into<String>, kind: PolicyErrorKind) -> Self {
        Self {
            path: path.into(),
            kind,
        }
    }

    /// The JSON path of the offending element, e.g. `Statement[0].Principal`.
    /// The document root is `$`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What went wrong.
    pub fn kind(&self) -> &PolicyErrorKind {
        &self.kind
    }
}

/// What was wrong with the document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not valid JSON.
    #[error("malformed JSON at line {line}, column {column}: {message} (hint: {hint})")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the JSON reader expected or found.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// A value has the wrong JSON type.
    #[error("expected {expected}, found {found}{}", hint_suffix(.hint))]
    WrongType {
        /// What the element must be.
        expected: &'static str,
        /// The JSON type that was found.
        found: &'static str,
        /// How to fix it, if there is an obvious fix.
        hint: Option<String>,
    },
    /// An element name IAM does not know.
    #[error("unknown element `{name}`{}", hint_suffix(.hint))]
    UnknownElement {
        /// The name as written.
        name: String,
        /// A suggestion, such as the correctly spelled name.
        hint: Option<String>,
    },
    /// A required element is absent.
    #[error("missing `{name}` (hint: {hint})")]
    MissingElement {
        /// The missing element.
        name: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
    /// Two elements that exclude each other are both present.
    #[error("`{first}` and `{second}` cannot both appear in one statement (hint: keep one of them)")]
    Conflicting {
        /// The first element.
        first: &'static str,
        /// The second element.
        second: &'static str,
    },
    /// A value that is not one of the allowed ones.
    #[error("`{found}` is not a valid {what} (hint: {hint})")]
    InvalidValue {
        /// The kind of value, e.g. "effect".
        what: &'static str,
        /// The value as written.
        found: String,
        /// The allowed values or the fix.
        hint: String,
    },
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(hint) => format!(" (hint: {hint})"),
        None => String::new(),
    }
}

/// The JSON type name of a value, for messages.
pub(crate) fn type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
