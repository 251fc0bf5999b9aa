//! Reads the `Condition` element.

use serde_json::Value;

use super::super::condition::{Clause, Operator};
use super::super::error::{PolicyError, PolicyErrorKind};
use super::json::{child, index, wrong_type};

pub(crate) fn parse_condition(value: &Value, path: &str, variables: bool) -> Result<Vec<Clause>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(wrong_type(
            value,
            path,
            "an object of operators",
            Some("write {\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\"}}".to_string()),
        ));
    };
    let mut clauses = Vec::new();
    for (name, block) in operators {
        let op_path = child(path, name);
        let operator = Operator::parse(name).map_err(|nearest| {
            PolicyError::new(
                op_path.clone(),
                PolicyErrorKind::InvalidValue {
                    what: "condition operator",
                    found: name.clone(),
                    hint: match nearest {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => "see the IAM condition operator reference".to_string(),
                    },
                },
            )
        })?;
        let Value::Object(keys) = block else {
            return Err(wrong_type(
                block,
                &op_path,
                "an object of condition keys",
                Some(format!("write {{\"{name}\": {{\"aws:SourceAccount\": \"...\"}}}}")),
            ));
        };
        for (key, values) in keys {
            let key_path = child(&op_path, key);
            let values = condition_values(values, &key_path)?;
            clauses.push(Clause::new(operator.clone(), key.clone(), values, variables));
        }
    }
    Ok(clauses)
}

/// A scalar or an array of scalars; numbers and booleans become text.
fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| scalar(item, &index(path, i)))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}

fn scalar(value: &Value, path: &str) -> Result<String, PolicyError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(wrong_type(other, path, "a string, number or boolean", None)),
    }
}
