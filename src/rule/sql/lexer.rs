//! Splits rule SQL into tokens.
//!
//! Keywords are not recognised here: IoT SQL keywords are case-insensitive
//! and most of them are also valid field names, so the parser decides from
//! context whether an identifier is a keyword.

use super::error::{SqlError, SqlErrorKind};
use std::fmt;

/// Operators and punctuation, longest first so that `<=` wins over `<`.
const PUNCTUATION: [&str; 21] = [
    "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", ",", ".", "*", "[", "]", "{", "}", ":", "+", "-", "/", "%",
];

/// One token of rule SQL.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A name: a field, a function or a keyword.
    Ident(String),
    /// A quoted string, with the quote character it was written with.
    Str { value: String, quote: char },
    /// A numeric literal as written.
    Number(String),
    /// An operator or punctuation mark.
    Punct(&'static str),
    /// A character that starts no token; the parser reports it where it matters.
    Unknown(char),
    /// The end of the text.
    End,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Ident(name) => write!(f, "`{name}`"),
            Token::Str { value, quote } => write!(f, "string {quote}{value}{quote}"),
            Token::Number(text) => write!(f, "number `{text}`"),
            Token::Punct(p) => write!(f, "`{p}`"),
            Token::Unknown(c) => write!(f, "`{c}`"),
            Token::End => f.write_str("end of input"),
        }
    }
}

/// A token and the byte offset it starts at.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spanned {
    pub token: Token,
    pub offset: usize,
}

/// Tokenizes `src`, ending with [`Token::End`].
pub(super) fn tokenize(src: &str) -> Result<Vec<Spanned>, SqlError> {
    let mut tokens = Vec::new();
    let mut rest = src.char_indices().peekable();
    while let Some(&(offset, c)) = rest.peek() {
        if c.is_whitespace() {
            rest.next();
            continue;
        }
        let token = if c.is_ascii_alphabetic() || c == '_' {
            let end = scan_while(src, offset, |c| c.is_ascii_alphanumeric() || c == '_');
            Token::Ident(src[offset..end].to_owned())
        } else if c.is_ascii_digit() {
            Token::Number(src[offset..scan_number(src, offset)].to_owned())
        } else if c == '\'' || c == '"' {
            let (value, end) = scan_string(src, offset, c)?;
            tokens.push(Spanned {
                token: Token::Str { value, quote: c },
                offset,
            });
            advance_to(&mut rest, end);
            continue;
        } else if let Some(p) = PUNCTUATION.iter().find(|p| src[offset..].starts_with(**p)) {
            Token::Punct(p)
        } else {
            Token::Unknown(c)
        };
        let len = match &token {
            Token::Ident(s) | Token::Number(s) => s.len(),
            Token::Punct(p) => p.len(),
            _ => c.len_utf8(),
        };
        tokens.push(Spanned { token, offset });
        advance_to(&mut rest, offset + len);
    }
    tokens.push(Spanned {
        token: Token::End,
        offset: src.len(),
    });
    Ok(tokens)
}

fn advance_to(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize) {
    while chars.next_if(|&(i, _)| i < end).is_some() {}
}

/// The end of the run of characters from `start` that satisfy `keep`.
fn scan_while(src: &str, start: usize, keep: impl Fn(char) -> bool) -> usize {
    src[start..]
        .find(|c: char| !keep(c))
        .map_or(src.len(), |len| start + len)
}

/// The end of a number: digits, an optional fraction and an optional exponent.
fn scan_number(src: &str, start: usize) -> usize {
    let is_digit = |c: char| c.is_ascii_digit();
    let mut end = scan_while(src, start, is_digit);
    // A `.` only belongs to the number when digits follow it; otherwise it is
    // member access on whatever comes next.
    if src[end..].starts_with('.') && src[end + 1..].starts_with(is_digit) {
        end = scan_while(src, end + 1, is_digit);
    }
    if src[end..].starts_with(['e', 'E']) {
        let sign = usize::from(src[end + 1..].starts_with(['-', '+']));
        if src[end + 1 + sign..].starts_with(is_digit) {
            end = scan_while(src, end + 1 + sign, is_digit);
        }
    }
    end
}

/// Reads a string opened by `quote` at `start`, returning its value and the offset after it.
///
/// A backslash escapes the quote character and itself. Other backslashes are
/// kept, so regular expressions such as `'\d+'` read as written. AWS does not
/// document IoT SQL string escapes, so this is xprobe's choice.
fn scan_string(src: &str, start: usize, quote: char) -> Result<(String, usize), SqlError> {
    let mut value = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Ok((value, start + 1 + i + 1));
        }
        if c == '\\' {
            match chars.next() {
                Some((_, next)) if next == quote || next == '\\' => value.push(next),
                Some((_, next)) => {
                    value.push('\\');
                    value.push(next);
                }
                None => break,
            }
            continue;
        }
        value.push(c);
    }
    Err(SqlError {
        offset: start,
        kind: SqlErrorKind::UnterminatedString,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Token> {
        tokenize(src)
            .expect("valid tokens")
            .into_iter()
            .map(|s| s.token)
            .collect()
    }

    fn ident(s: &str) -> Token {
        Token::Ident(s.into())
    }

    #[test]
    fn splits_a_statement() {
        assert_eq!(
            tokens("SELECT a.b FROM 'x/#' WHERE n>=1.5e3"),
            vec![
                ident("SELECT"),
                ident("a"),
                Token::Punct("."),
                ident("b"),
                ident("FROM"),
                Token::Str {
                    value: "x/#".into(),
                    quote: '\''
                },
                ident("WHERE"),
                ident("n"),
                Token::Punct(">="),
                Token::Number("1.5e3".into()),
                Token::End,
            ]
        );
    }

    #[test]
    fn records_offsets() {
        let spans = tokenize("a <> 'b'").expect("valid");
        let offsets: Vec<usize> = spans.iter().map(|s| s.offset).collect();
        assert_eq!(offsets, vec![0, 2, 5, 8]);
    }

    #[test]
    fn numbers_stop_before_member_access() {
        assert_eq!(
            tokens("a[0].b 1e 2E-3"),
            vec![
                ident("a"),
                Token::Punct("["),
                Token::Number("0".into()),
                Token::Punct("]"),
                Token::Punct("."),
                ident("b"),
                Token::Number("1".into()),
                ident("e"),
                Token::Number("2E-3".into()),
                Token::End,
            ]
        );
    }

    #[test]
    fn strings_keep_unknown_escapes() {
        assert_eq!(
            tokens(r#"'it\'s' "a\"b" '\d+' 'é'"#),
            vec![
                Token::Str {
                    value: "it's".into(),
                    quote: '\''
                },
                Token::Str {
                    value: "a\"b".into(),
                    quote: '"'
                },
                Token::Str {
                    value: r"\d+".into(),
                    quote: '\''
                },
                Token::Str {
                    value: "é".into(),
                    quote: '\''
                },
                Token::End,
            ]
        );
    }

    #[test]
    fn unknown_characters_become_tokens() {
        assert_eq!(
            tokens("a # ;"),
            vec![ident("a"), Token::Unknown('#'), Token::Unknown(';'), Token::End]
        );
    }

    #[test]
    fn unterminated_strings_are_errors() {
        for (src, offset) in [("SELECT 'abc", 7), (r"'a\'", 0), ("x = \"y", 4), ("'a\\", 0)] {
            let err = tokenize(src).expect_err(src);
            assert_eq!(err.offset, offset, "{src}");
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid rule SQL at offset {offset}: unterminated string \
                     (hint: close it with the same quote it opens with)"
                )
            );
        }
    }

    #[test]
    fn tokens_display_for_errors() {
        assert_eq!(ident("FROM").to_string(), "`FROM`");
        assert_eq!(
            Token::Str {
                value: "a".into(),
                quote: '"'
            }
            .to_string(),
            "string \"a\""
        );
        assert_eq!(Token::Number("1".into()).to_string(), "number `1`");
        assert_eq!(Token::Punct("(").to_string(), "`(`");
        assert_eq!(Token::Unknown('#').to_string(), "`#`");
        assert_eq!(Token::End.to_string(), "end of input");
    }
}
