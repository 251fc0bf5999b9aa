//! The public entry points for reading a policy.

use std::str::FromStr;

use serde_json::Value;

use super::super::document::Policy;
use super::super::error::PolicyError;

impl Policy {
    /// Parses a policy document from JSON text. Syntax errors name the JSON
    /// path they occur in and suggest a fix.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match serde_json::from_str::<Value>(text) {
            Ok(value) => Self::from_value(&value),
            Err(err) => Err(super::syntax::syntax_error(text, &err)),
        }
    }

    /// Reads a policy document from an already-parsed JSON value.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        super::document::parse_document(value)
    }
}

impl FromStr for Policy {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}
