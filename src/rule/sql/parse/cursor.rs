//! The token cursor the IoT SQL parser moves along.
//!
//! IoT SQL keywords are case-insensitive and most of them are valid field
//! names too, so keywords are recognised here, from context, rather than by
//! the lexer.

use crate::rule::sql::error::{SqlError, SqlErrorKind};
use crate::rule::sql::lexer::{tokenize, Spanned, Token};

/// Words that end an expression, so they can never be field names.
const RESERVED: [&str; 9] = ["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IS", "IN", "AS"];

/// A position in the token list of one SQL text.
pub(in crate::rule::sql) struct Parser<'a> {
    pub(super) src: &'a str,
    pub(super) tokens: Vec<Spanned>,
    pub(super) pos: usize,
}

impl<'a> Parser<'a> {
    pub(in crate::rule::sql) fn new(src: &'a str) -> Result<Self, SqlError> {
        Ok(Parser {
            src,
            tokens: tokenize(src)?,
            pos: 0,
        })
    }

    pub(super) fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    pub(super) fn peek_at(&self, ahead: usize) -> &Token {
        // The token list always ends with `End`, so clamping stays on it.
        let last = self.tokens.len().saturating_sub(1);
        self.tokens
            .get((self.pos + ahead).min(last))
            .map_or(&Token::End, |s| &s.token)
    }

    pub(super) fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.src.len(), |s| s.offset)
    }

    pub(super) fn at_keyword(&self, keyword: &str) -> bool {
        is_keyword(self.peek(), keyword)
    }

    pub(super) fn at_punct(&self, punct: &str) -> bool {
        matches!(self.peek(), Token::Punct(p) if *p == punct)
    }

    pub(super) fn eat_punct(&mut self, punct: &str) -> bool {
        let found = self.at_punct(punct);
        if found {
            self.pos += 1;
        }
        found
    }

    pub(super) fn expect_keyword(&mut self, keyword: &str) -> Result<(), SqlError> {
        if !self.at_keyword(keyword) {
            return Err(self.unexpected(&format!("`{keyword}`")));
        }
        self.pos += 1;
        Ok(())
    }

    pub(super) fn expect_punct(&mut self, punct: &str) -> Result<(), SqlError> {
        if !self.eat_punct(punct) {
            return Err(self.unexpected(&format!("`{punct}`")));
        }
        Ok(())
    }

    pub(super) fn unexpected(&self, expected: &str) -> SqlError {
        let kind = match self.peek() {
            Token::Unknown(c) => SqlErrorKind::UnexpectedCharacter(*c),
            found => SqlErrorKind::Unexpected {
                expected: expected.to_owned(),
                found: found.to_string(),
            },
        };
        SqlError {
            offset: self.offset(),
            kind,
        }
    }

    pub(super) fn name(&mut self, expected: &str) -> Result<String, SqlError> {
        match self.peek() {
            Token::Ident(name) => {
                let name = name.clone();
                self.pos += 1;
                Ok(name)
            }
            _ => Err(self.unexpected(expected)),
        }
    }
}

/// Whether `token` is the keyword `keyword`, in any case.
pub(super) fn is_keyword(token: &Token, keyword: &str) -> bool {
    matches!(token, Token::Ident(name) if name.eq_ignore_ascii_case(keyword))
}

/// Whether `token` is a word that can never name a field or an alias.
pub(super) fn is_reserved(token: &Token) -> bool {
    RESERVED.iter().any(|keyword| is_keyword(token, keyword))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_in_any_case() {
        let from = Token::Ident("From".into());
        assert!(is_keyword(&from, "FROM"));
        assert!(!is_keyword(
            &Token::Str {
                value: "FROM".into(),
                quote: '\''
            },
            "FROM"
        ));
        assert!(is_reserved(&from));
        assert!(!is_reserved(&Token::Ident("value".into())));
    }

    #[test]
    fn lookahead_stops_at_the_end_token() {
        let mut parser = Parser::new("a = 1").expect("valid");
        assert_eq!(parser.peek(), &Token::Ident("a".into()));
        assert_eq!(parser.peek_at(1), &Token::Punct("="));
        assert_eq!(parser.peek_at(9), &Token::End);
        assert!(!parser.eat_punct(","));
        parser.pos = 3;
        assert_eq!(parser.peek(), &Token::End);
        assert_eq!(parser.offset(), 5);
    }
}
