//! Topic rule names.
//!
//! AWS IoT accepts rule names that match `^[a-zA-Z0-9_]+$` and are 1 to 128
//! characters long (API_CreateTopicRule). Hyphens are the usual mistake,
//! because most other AWS names allow them.

/// The longest rule name AWS IoT accepts.
const MAX_LEN: usize = 128;

/// Why a string is not a valid topic rule name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleNameError {
    /// The name is empty.
    #[error("rule name is empty (hint: AWS IoT rule names are 1 to 128 letters, digits or underscores)")]
    Empty,
    /// The name is longer than 128 characters.
    #[error("rule name is {len} characters long, but AWS IoT allows at most 128 (hint: use `{suggestion}`)")]
    TooLong {
        /// Length of the rejected name, in characters.
        len: usize,
        /// The name cut to 128 characters, with invalid characters replaced.
        suggestion: String,
    },
    /// The name holds a character other than a letter, digit or underscore.
    #[error(
        "rule name `{name}` contains `{character}`, but AWS IoT rule names may only contain \
         letters, digits and underscores (hint: use `{suggestion}`)"
    )]
    InvalidCharacter {
        /// The rejected name.
        name: String,
        /// The first character that is not allowed.
        character: char,
        /// The name with every invalid character replaced by `_`.
        suggestion: String,
    },
}

/// Checks `name` against the AWS IoT rule name pattern `^[a-zA-Z0-9_]+$` (1 to 128 characters).
pub fn validate_rule_name(name: &str) -> Result<(), RuleNameError> {
    if name.is_empty() {
        return Err(RuleNameError::Empty);
    }
    let suggestion: String = name
        .chars()
        .map(|c| if is_allowed(c) { c } else { '_' })
        .take(MAX_LEN)
        .collect();
    if let Some(character) = name.chars().find(|&c| !is_allowed(c)) {
        return Err(RuleNameError::InvalidCharacter {
            name: name.to_owned(),
            character,
            suggestion,
        });
    }
    let len = name.chars().count();
    if len > MAX_LEN {
        return Err(RuleNameError::TooLong { len, suggestion });
    }
    Ok(())
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_names() {
        let longest = "a".repeat(128);
        for name in ["my_rule", "R", "xprobe_route_1", "_", "123", longest.as_str()] {
            assert_eq!(validate_rule_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn rejects_invalid_names_with_messages() {
        let too_long = "a".repeat(129);
        let cases = [
            (
                "",
                "rule name is empty (hint: AWS IoT rule names are 1 to 128 letters, digits or underscores)".to_owned(),
            ),
            (
                "my-rule",
                "rule name `my-rule` contains `-`, but AWS IoT rule names may only contain letters, \
                 digits and underscores (hint: use `my_rule`)"
                    .to_owned(),
            ),
            (
                "probe rule.v2",
                "rule name `probe rule.v2` contains ` `, but AWS IoT rule names may only contain \
                 letters, digits and underscores (hint: use `probe_rule_v2`)"
                    .to_owned(),
            ),
            (
                "règle",
                "rule name `règle` contains `è`, but AWS IoT rule names may only contain letters, \
                 digits and underscores (hint: use `r_gle`)"
                    .to_owned(),
            ),
            (
                too_long.as_str(),
                format!(
                    "rule name is 129 characters long, but AWS IoT allows at most 128 (hint: use `{}`)",
                    "a".repeat(128)
                ),
            ),
        ];
        for (name, message) in cases {
            let err = validate_rule_name(name).expect_err(name);
            assert_eq!(err.to_string(), message, "{name}");
        }
    }
}
