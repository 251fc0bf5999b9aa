//! Reads `Principal` and `NotPrincipal`.

use serde_json::Value;

use super::super::error::{PolicyError, PolicyErrorKind};
use super::super::principal::{PrincipalEntry, PrincipalSpec};
use super::json::{child, strings, unknown, wrong_type};

const KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

pub(crate) fn parse_principal(value: &Value, path: &str, negated: bool) -> Result<PrincipalSpec, PolicyError> {
    let entries = match value {
        Value::String(s) if s == "*" => vec![PrincipalEntry::Any],
        Value::String(s) => {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::InvalidValue {
                    what: "principal",
                    found: s.clone(),
                    hint: format!(
                        "a principal string can only be \"*\"; name principals in an object, e.g. {{\"AWS\": \"{s}\"}}"
                    ),
                },
            ))
        }
        Value::Object(map) => {
            let mut entries = Vec::new();
            for (key, item) in map {
                let item_path = child(path, key);
                let values = strings(item, &item_path)?;
                let make: fn(&str) -> PrincipalEntry = match key.as_str() {
                    "AWS" => PrincipalEntry::from_aws,
                    "Service" => |v| PrincipalEntry::Service(v.to_string()),
                    "Federated" => |v| PrincipalEntry::Federated(v.to_string()),
                    "CanonicalUser" => |v| PrincipalEntry::CanonicalUser(v.to_string()),
                    _ => return Err(unknown(path, key, KEYS)),
                };
                entries.extend(values.iter().map(|v| make(v)));
            }
            entries
        }
        other => {
            return Err(wrong_type(
                other,
                path,
                "\"*\" or an object such as {\"AWS\": ...}",
                None,
            ))
        }
    };
    Ok(PrincipalSpec { negated, entries })
}
