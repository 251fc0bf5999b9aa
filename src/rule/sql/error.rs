//! Errors from parsing rule SQL.

use crate::rule::topic::TopicFilterError;

/// A rule SQL statement (or template expression) that could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid rule SQL at offset {offset}: {kind}")]
pub struct SqlError {
    /// Byte offset into the SQL text where the problem was found.
    pub offset: usize,
    /// What was wrong there.
    pub kind: SqlErrorKind,
}

/// What was wrong at [`SqlError::offset`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SqlErrorKind {
    /// A token other than the one the grammar needs.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the grammar allows here, e.g. "`FROM`".
        expected: String,
        /// What the text has instead, e.g. "`WHERE`" or "end of input".
        found: String,
    },
    /// A quote that is never closed.
    #[error("unterminated string (hint: close it with the same quote it opens with)")]
    UnterminatedString,
    /// A character that starts no IoT SQL token.
    #[error("unexpected character `{0}`")]
    UnexpectedCharacter(char),
    /// A numeric literal outside the range xprobe evaluates.
    #[error("number `{0}` is out of range")]
    NumberOutOfRange(String),
    /// `FROM` followed by something other than a single-quoted topic filter.
    #[error(
        "FROM needs a single-quoted topic filter, found {found} \
         (hint: write FROM '{suggestion}')"
    )]
    FromNotSingleQuoted {
        /// What follows `FROM`.
        found: String,
        /// The same topic, to be put in single quotes.
        suggestion: String,
    },
    /// The `FROM` topic filter breaks the MQTT wildcard rules.
    #[error("invalid topic filter in FROM: {0}")]
    Topic(TopicFilterError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lead_with_the_offset() {
        let cases = [
            (
                SqlErrorKind::Unexpected {
                    expected: "`FROM`".into(),
                    found: "`WHERE`".into(),
                },
                "invalid rule SQL at offset 3: expected `FROM`, found `WHERE`",
            ),
            (
                SqlErrorKind::UnexpectedCharacter('#'),
                "invalid rule SQL at offset 3: unexpected character `#`",
            ),
            (
                SqlErrorKind::NumberOutOfRange("1e999".into()),
                "invalid rule SQL at offset 3: number `1e999` is out of range",
            ),
            (
                SqlErrorKind::Topic(TopicFilterError::Empty),
                "invalid rule SQL at offset 3: invalid topic filter in FROM: topic filter is empty \
                 (hint: use a topic such as `xprobe/probe` or `#` for every topic)",
            ),
        ];
        for (kind, message) in cases {
            assert_eq!(SqlError { offset: 3, kind }.to_string(), message);
        }
    }
}
