//! Reads a whole policy document from a JSON value.

use serde_json::Value;

use super::super::document::{Policy, Version};
use super::super::error::{PolicyError, PolicyErrorKind};
use super::json::{child, index, string, unknown, wrong_type};
use super::statement::parse_statement;

const KEYS: &[&str] = &["Version", "Id", "Statement"];

pub(crate) fn parse_document(value: &Value) -> Result<Policy, PolicyError> {
    let root = "$";
    let Value::Object(map) = value else {
        return Err(wrong_type(
            value,
            root,
            "an object",
            Some("a policy looks like {\"Version\": \"2012-10-17\", \"Statement\": [...]}".to_string()),
        ));
    };
    if let Some(key) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(unknown(root, key, KEYS));
    }
    let version = match map.get("Version") {
        None => Version::Missing,
        Some(v) => match string(v, "Version", "a version string")? {
            "2012-10-17" => Version::V2012_10_17,
            "2008-10-17" => Version::V2008_10_17,
            other => {
                return Err(PolicyError::new(
                    "Version",
                    PolicyErrorKind::InvalidValue {
                        what: "policy version",
                        found: other.to_string(),
                        hint: "use \"2012-10-17\" (the only other valid value is \"2008-10-17\")".to_string(),
                    },
                ))
            }
        },
    };
    let id = map
        .get("Id")
        .map(|v| string(v, "Id", "a string").map(str::to_string))
        .transpose()?;
    let variables = version.expands_variables();
    let path = child(root, "Statement");
    let statements = match map.get("Statement") {
        None => {
            return Err(PolicyError::new(
                root,
                PolicyErrorKind::MissingElement {
                    name: "Statement",
                    hint: "add \"Statement\": [ ... ] with at least one statement",
                },
            ))
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_statement(item, &index(&path, i), variables))
            .collect::<Result<Vec<_>, _>>()?,
        Some(single) => vec![parse_statement(single, &path, variables)?],
    };
    Ok(Policy {
        version,
        id,
        statements,
    })
}
