//! The expression grammar of IoT SQL.
//!
//! Precedence, loosest first: `OR`, `AND`, `NOT`, comparisons (`=`, `<>`,
//! `IS`, `IN`, ...), `+ -`, `* / %`, unary `-`, then member access and
//! indexing. AWS does not publish a grammar; this order is the ANSI SQL one,
//! which the examples in the AWS IoT SQL reference agree with.

use super::cursor::{is_keyword, is_reserved, Parser};
use crate::rule::sql::ast::{BinaryOp, Expr, IsCheck, Literal, UnaryOp};
use crate::rule::sql::error::{SqlError, SqlErrorKind};
use crate::rule::sql::lexer::Token;

impl Parser<'_> {
    /// A whole input that is one expression, as inside `${...}`.
    fn lone_expression(mut self) -> Result<Expr, SqlError> {
        let expr = self.expr()?;
        if self.peek() != &Token::End {
            return Err(self.unexpected("an operator or end of expression"));
        }
        Ok(expr)
    }

    /// A full expression, starting at the loosest level, `OR`.
    pub(super) fn expr(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.and_expr()?;
        while self.at_keyword("OR") {
            self.pos += 1;
            let right = self.and_expr()?;
            left = binary(BinaryOp::Or, left, right);
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.not_expr()?;
        while self.at_keyword("AND") {
            self.pos += 1;
            let right = self.not_expr()?;
            left = binary(BinaryOp::And, left, right);
        }
        Ok(left)
    }

    fn not_expr(&mut self) -> Result<Expr, SqlError> {
        if self.at_keyword("NOT") {
            self.pos += 1;
            let expr = self.not_expr()?;
            return Ok(Expr::Unary {
                op: UnaryOp::Not,
                expr: Box::new(expr),
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SqlError> {
        let left = self.additive()?;
        let op = match self.peek() {
            Token::Punct("=") => Some(BinaryOp::Eq),
            Token::Punct("<>" | "!=") => Some(BinaryOp::Ne),
            Token::Punct("<") => Some(BinaryOp::Lt),
            Token::Punct("<=") => Some(BinaryOp::Le),
            Token::Punct(">") => Some(BinaryOp::Gt),
            Token::Punct(">=") => Some(BinaryOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            let right = self.additive()?;
            return Ok(binary(op, left, right));
        }
        if self.at_keyword("IS") {
            self.pos += 1;
            let negated = self.at_keyword("NOT");
            if negated {
                self.pos += 1;
            }
            let check = if self.at_keyword("NULL") {
                IsCheck::Null
            } else if self.at_keyword("UNDEFINED") {
                IsCheck::Undefined
            } else {
                return Err(self.unexpected("`NULL` or `UNDEFINED`"));
            };
            self.pos += 1;
            return Ok(Expr::Is {
                expr: Box::new(left),
                negated,
                check,
            });
        }
        let negated = self.at_keyword("NOT") && is_keyword(self.peek_at(1), "IN");
        if negated {
            self.pos += 1;
        }
        if self.at_keyword("IN") {
            self.pos += 1;
            self.expect_punct("(")?;
            let list = self.list(")")?;
            return Ok(Expr::In {
                expr: Box::new(left),
                negated,
                list,
            });
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Token::Punct("+") => BinaryOp::Add,
                Token::Punct("-") => BinaryOp::Sub,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.multiplicative()?;
            left = binary(op, left, right);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Punct("*") => BinaryOp::Mul,
                Token::Punct("/") => BinaryOp::Div,
                Token::Punct("%") => BinaryOp::Mod,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.unary()?;
            left = binary(op, left, right);
        }
    }

    fn unary(&mut self) -> Result<Expr, SqlError> {
        if self.eat_punct("-") {
            let expr = self.unary()?;
            return Ok(match expr {
                // Fold `-5` into a literal so it prints and compares as one.
                Expr::Literal(Literal::Int(i)) => Expr::Literal(Literal::Int(-i)),
                Expr::Literal(Literal::Decimal(d)) => Expr::Literal(Literal::Decimal(-d)),
                other => Expr::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(other),
                },
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, SqlError> {
        let mut expr = self.primary()?;
        loop {
            if self.eat_punct(".") {
                let name = self.name("a field name after `.`")?;
                expr = Expr::Member {
                    base: Box::new(expr),
                    name,
                };
            } else if self.eat_punct("[") {
                let index = self.expr()?;
                self.expect_punct("]")?;
                expr = Expr::Index {
                    base: Box::new(expr),
                    index: Box::new(index),
                };
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, SqlError> {
        let offset = self.offset();
        match self.peek().clone() {
            Token::Number(text) => {
                self.pos += 1;
                number(&text, offset)
            }
            Token::Str { value, .. } => {
                self.pos += 1;
                Ok(Expr::Literal(Literal::Str(value)))
            }
            Token::Punct("(") => {
                self.pos += 1;
                let expr = self.expr()?;
                self.expect_punct(")")?;
                Ok(expr)
            }
            Token::Punct("[") => {
                self.pos += 1;
                Ok(Expr::Array(self.list("]")?))
            }
            Token::Punct("{") => {
                self.pos += 1;
                self.object()
            }
            Token::Punct("*") => {
                self.pos += 1;
                Ok(Expr::Payload)
            }
            Token::Ident(name) => self.named(name),
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// A keyword literal, a function call or a field name.
    fn named(&mut self, name: String) -> Result<Expr, SqlError> {
        if is_reserved(self.peek()) {
            return Err(self.unexpected("an expression"));
        }
        let upper = name.to_ascii_uppercase();
        self.pos += 1;
        let literal = match upper.as_str() {
            "NULL" => Some(Literal::Null),
            "TRUE" => Some(Literal::Bool(true)),
            "FALSE" => Some(Literal::Bool(false)),
            _ => None,
        };
        if let Some(literal) = literal {
            return Ok(Expr::Literal(literal));
        }
        if !self.eat_punct("(") {
            return Ok(Expr::Field(name));
        }
        if upper == "CAST" {
            let expr = self.expr()?;
            self.expect_keyword("AS")?;
            let ty = self.name("a type name such as `String` or `Int`")?;
            self.expect_punct(")")?;
            return Ok(Expr::Cast {
                expr: Box::new(expr),
                ty,
            });
        }
        let args = self.list(")")?;
        Ok(Expr::Call { name, args })
    }

    /// Comma-separated expressions up to and including `close`.
    fn list(&mut self, close: &str) -> Result<Vec<Expr>, SqlError> {
        let mut items = Vec::new();
        if self.eat_punct(close) {
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            if self.eat_punct(close) {
                return Ok(items);
            }
            if !self.eat_punct(",") {
                return Err(self.unexpected(&format!("`,` or `{close}`")));
            }
        }
    }

    fn object(&mut self) -> Result<Expr, SqlError> {
        let mut entries = Vec::new();
        if self.eat_punct("}") {
            return Ok(Expr::Object(entries));
        }
        loop {
            let key = match self.peek() {
                Token::Str { value, .. } | Token::Ident(value) => value.clone(),
                _ => return Err(self.unexpected("an object key")),
            };
            self.pos += 1;
            self.expect_punct(":")?;
            entries.push((key, self.expr()?));
            if self.eat_punct("}") {
                return Ok(Expr::Object(entries));
            }
            if !self.eat_punct(",") {
                return Err(self.unexpected("`,` or `}`"));
            }
        }
    }
}

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    }
}

fn number(text: &str, offset: usize) -> Result<Expr, SqlError> {
    let is_whole = text.bytes().all(|b| b.is_ascii_digit());
    if is_whole {
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Expr::Literal(Literal::Int(i)));
        }
    }
    match text.parse::<f64>() {
        Ok(d) if d.is_finite() => Ok(Expr::Literal(Literal::Decimal(d))),
        _ => Err(SqlError {
            offset,
            kind: SqlErrorKind::NumberOutOfRange(text.to_owned()),
        }),
    }
}

impl Expr {
    /// Parses a single IoT SQL expression, such as the inside of a `${...}` template.
    pub fn parse(src: &str) -> Result<Expr, SqlError> {
        Parser::new(src)?.lone_expression()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Expr {
        Expr::Field(name.into())
    }

    fn int(i: i64) -> Expr {
        Expr::Literal(Literal::Int(i))
    }

    #[test]
    fn precedence_puts_and_above_or() {
        let expected = binary(
            BinaryOp::Or,
            binary(BinaryOp::Eq, field("a"), int(1)),
            binary(
                BinaryOp::And,
                binary(BinaryOp::Eq, field("b"), int(2)),
                Expr::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(field("c")),
                },
            ),
        );
        assert_eq!(Expr::parse("a = 1 OR b = 2 AND NOT c"), Ok(expected));
        assert_eq!(
            Expr::parse("1 + 2 * 3"),
            Ok(binary(BinaryOp::Add, int(1), binary(BinaryOp::Mul, int(2), int(3))))
        );
    }

    #[test]
    fn parses_in_and_is() {
        assert_eq!(
            Expr::parse("x NOT IN ('a', 1)"),
            Ok(Expr::In {
                expr: Box::new(field("x")),
                negated: true,
                list: vec![Expr::Literal(Literal::Str("a".into())), int(1)],
            })
        );
        assert_eq!(
            Expr::parse("x is not undefined"),
            Ok(Expr::Is {
                expr: Box::new(field("x")),
                negated: true,
                check: IsCheck::Undefined,
            })
        );
        assert_eq!(Expr::parse("x IN ()").map(|e| e.to_string()), Ok("x IN ()".into()));
    }

    #[test]
    fn folds_negative_literals() {
        assert_eq!(Expr::parse("-5"), Ok(int(-5)));
        assert_eq!(Expr::parse("-2.5"), Ok(Expr::Literal(Literal::Decimal(-2.5))));
        assert_eq!(
            Expr::parse("-a"),
            Ok(Expr::Unary {
                op: UnaryOp::Neg,
                expr: Box::new(field("a"))
            })
        );
    }

    #[test]
    fn rejects_bad_expressions_with_position_and_expectation() {
        let cases = [
            (
                "a b",
                "at offset 2: expected an operator or end of expression, found `b`",
            ),
            ("", "at offset 0: expected an expression, found end of input"),
            (
                "a IS 5",
                "at offset 5: expected `NULL` or `UNDEFINED`, found number `5`",
            ),
            ("a IN 1", "at offset 5: expected `(`, found number `1`"),
            ("a IN (1 2)", "at offset 8: expected `,` or `)`, found number `2`"),
            ("f(1,)", "at offset 4: expected an expression, found `)`"),
            (
                "a.1 = 2",
                "at offset 2: expected a field name after `.`, found number `1`",
            ),
            ("a[0 = 1", "at offset 7: expected `]`, found end of input"),
            (
                "cast(a AS) = 1",
                "at offset 9: expected a type name such as `String` or `Int`, found `)`",
            ),
            ("cast(a) = 1", "at offset 6: expected `AS`, found `)`"),
            ("{1: 2}", "at offset 1: expected an object key, found number `1`"),
            ("{'k' 2}", "at offset 5: expected `:`, found number `2`"),
            ("{'k': 2 'j': 3}", "at offset 8: expected `,` or `}`, found string 'j'"),
            ("1e999 > 1", "at offset 0: number `1e999` is out of range"),
            ("(a = 1", "at offset 6: expected `)`, found end of input"),
            ("a AND OR b", "at offset 6: expected an expression, found `OR`"),
        ];
        for (src, message) in cases {
            let err = Expr::parse(src).expect_err(src);
            assert_eq!(err.to_string(), format!("invalid rule SQL {message}"), "{src}");
        }
    }
}
