//! Small helpers for walking `serde_json::Value` with a JSON path.

use serde_json::Value;

use super::super::condition::edit_distance;
use super::super::error::{type_name, PolicyError, PolicyErrorKind};

/// The path of `key` inside the object at `path`.
pub(crate) fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match (path, plain) {
        ("$", true) => key.to_string(),
        (_, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Value::String(key.to_string())),
    }
}

/// The path of element `index` of the array at `path`.
pub(crate) fn index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// A string, or a `WrongType` error at `path`.
pub(crate) fn string<'v>(value: &'v Value, path: &str, expected: &'static str) -> Result<&'v str, PolicyError> {
    value.as_str().ok_or_else(|| wrong_type(value, path, expected, None))
}

/// A string or an array of strings (IAM accepts both for most elements).
pub(crate) fn strings(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| string(item, &index(path, i), "a string").map(str::to_string))
            .collect(),
        other => Err(wrong_type(
            other,
            path,
            "a string or an array of strings",
            Some("wrap several values in `[...]`, each in double quotes".to_string()),
        )),
    }
}

/// A `WrongType` error.
pub(crate) fn wrong_type(value: &Value, path: &str, expected: &'static str, hint: Option<String>) -> PolicyError {
    PolicyError::new(
        path,
        PolicyErrorKind::WrongType {
            expected,
            found: type_name(value),
            hint,
        },
    )
}

/// An `UnknownElement` error, suggesting the nearest of `known`.
pub(crate) fn unknown(path: &str, name: &str, known: &[&str]) -> PolicyError {
    let nearest = known
        .iter()
        .map(|k| (edit_distance(&k.to_ascii_lowercase(), &name.to_ascii_lowercase()), *k))
        .min()
        .filter(|(distance, _)| *distance <= 3);
    let hint = match nearest {
        Some((_, k)) => format!("did you mean `{k}`? element names are case-sensitive"),
        None => format!("allowed here: {}", known.join(", ")),
    };
    PolicyError::new(
        child(path, name),
        PolicyErrorKind::UnknownElement {
            name: name.to_string(),
            hint: Some(hint),
        },
    )
}
