//! Reads one statement.

use serde_json::{Map, Value};

use super::super::document::{Effect, Patterns, Statement};
use super::super::error::{PolicyError, PolicyErrorKind};
use super::condition::parse_condition;
use super::json::{child, string, strings, unknown, wrong_type};
use super::principal::parse_principal;

const KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

pub(crate) fn parse_statement(value: &Value, path: &str, variables: bool) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(wrong_type(
            value,
            path,
            "a statement object",
            Some("each statement is an object with `Effect`, `Action` and usually `Resource`".to_string()),
        ));
    };
    if let Some(key) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(unknown(path, key, KEYS));
    }
    let sid = map
        .get("Sid")
        .map(|v| string(v, &child(path, "Sid"), "a string").map(str::to_string))
        .transpose()?;
    let effect = parse_effect(map, path)?;
    let principal = match pair(map, path, "Principal", "NotPrincipal")? {
        Some((value, negated, name)) => Some(parse_principal(value, &child(path, name), negated)?),
        None => None,
    };
    let action = match pair(map, path, "Action", "NotAction")? {
        Some((value, negated, name)) => parse_actions(value, &child(path, name), negated)?,
        None => {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::MissingElement {
                    name: "Action",
                    hint: "add \"Action\": \"service:Name\" (or `NotAction`)",
                },
            ))
        }
    };
    let resource = match pair(map, path, "Resource", "NotResource")? {
        Some((value, negated, name)) => Some(Patterns::new(negated, strings(value, &child(path, name))?, variables)),
        None => None,
    };
    let condition = match map.get("Condition") {
        Some(value) => parse_condition(value, &child(path, "Condition"), variables)?,
        None => Vec::new(),
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        condition,
    })
}

fn parse_effect(map: &Map<String, Value>, path: &str) -> Result<Effect, PolicyError> {
    let Some(value) = map.get("Effect") else {
        return Err(PolicyError::new(
            path,
            PolicyErrorKind::MissingElement {
                name: "Effect",
                hint: "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
            },
        ));
    };
    let effect_path = child(path, "Effect");
    match string(value, &effect_path, "\"Allow\" or \"Deny\"")? {
        "Allow" => Ok(Effect::Allow),
        "Deny" => Ok(Effect::Deny),
        other => Err(PolicyError::new(
            effect_path,
            PolicyErrorKind::InvalidValue {
                what: "effect",
                found: other.to_string(),
                hint: "use \"Allow\" or \"Deny\", spelled exactly so".to_string(),
            },
        )),
    }
}

/// Finds `base` or `negated`; both present is an error.
fn pair<'v>(
    map: &'v Map<String, Value>,
    path: &str,
    base: &'static str,
    negated: &'static str,
) -> Result<Option<(&'v Value, bool, &'static str)>, PolicyError> {
    match (map.get(base), map.get(negated)) {
        (Some(_), Some(_)) => Err(PolicyError::new(
            path,
            PolicyErrorKind::Conflicting {
                first: base,
                second: negated,
            },
        )),
        (Some(v), None) => Ok(Some((v, false, base))),
        (None, Some(v)) => Ok(Some((v, true, negated))),
        (None, None) => Ok(None),
    }
}

fn parse_actions(value: &Value, path: &str, negated: bool) -> Result<Patterns, PolicyError> {
    let actions = strings(value, path)?;
    if let Some(bad) = actions.iter().find(|a| a.as_str() != "*" && !a.contains(':')) {
        return Err(PolicyError::new(
            path,
            PolicyErrorKind::InvalidValue {
                what: "action",
                found: bad.clone(),
                hint: "actions are written `service:Name`, e.g. `s3:PutObject`".to_string(),
            },
        ));
    }
    Ok(Patterns::new(negated, actions, false))
}
