//! Prints the syntax tree back as IoT SQL.
//!
//! Parentheses appear only where precedence needs them, and keywords are
//! upper case. Explanations quote expressions this way, so what a user reads
//! is normalised IoT SQL rather than their exact spelling.

use super::ast::{Expr, IsCheck, Literal, Projection, UnaryOp};
use serde_json::Number;
use std::fmt;

/// Writes `expr`, in parentheses when it binds looser than `min` requires.
fn write_operand(f: &mut fmt::Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if expr.precedence() < min {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Bool(true) => f.write_str("TRUE"),
            Literal::Bool(false) => f.write_str("FALSE"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Decimal(d) => match Number::from_f64(*d) {
                Some(n) => write!(f, "{n}"),
                None => write!(f, "{d}"),
            },
            Literal::Str(s) => write_string(f, s),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let own = self.precedence();
        match self {
            Expr::Literal(literal) => write!(f, "{literal}"),
            Expr::Field(name) => f.write_str(name),
            Expr::Member { base, name } => {
                write_operand(f, base, 8)?;
                write!(f, ".{name}")
            }
            Expr::Index { base, index } => {
                write_operand(f, base, 8)?;
                write!(f, "[{index}]")
            }
            Expr::Payload => f.write_str("*"),
            Expr::Call { name, args } => {
                write!(f, "{name}(")?;
                write_list(f, args)?;
                f.write_str(")")
            }
            Expr::Cast { expr, ty } => write!(f, "cast({expr} AS {ty})"),
            Expr::Unary { op: UnaryOp::Not, expr } => {
                f.write_str("NOT ")?;
                write_operand(f, expr, own)
            }
            Expr::Unary { op: UnaryOp::Neg, expr } => {
                f.write_str("-")?;
                write_operand(f, expr, own)
            }
            Expr::Binary { op, left, right } => {
                write_operand(f, left, own)?;
                write!(f, " {} ", op.symbol())?;
                // Operators associate to the left, so an equal-precedence
                // right operand needs parentheses: `a - (b - c)`.
                write_operand(f, right, own + 1)
            }
            Expr::Is { expr, negated, check } => {
                write_operand(f, expr, own + 1)?;
                f.write_str(if *negated { " IS NOT " } else { " IS " })?;
                f.write_str(match check {
                    IsCheck::Null => "NULL",
                    IsCheck::Undefined => "UNDEFINED",
                })
            }
            Expr::In { expr, negated, list } => {
                write_operand(f, expr, own + 1)?;
                f.write_str(if *negated { " NOT IN (" } else { " IN (" })?;
                write_list(f, list)?;
                f.write_str(")")
            }
            Expr::Array(items) => {
                f.write_str("[")?;
                write_list(f, items)?;
                f.write_str("]")
            }
            Expr::Object(entries) => {
                f.write_str("{")?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_string(f, key)?;
                    write!(f, ": {value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Projection::All => f.write_str("*"),
            Projection::Expr { expr, alias: None } => write!(f, "{expr}"),
            Projection::Expr {
                expr,
                alias: Some(alias),
            } => write!(f, "{expr} AS {alias}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::sql::ast::BinaryOp;

    fn field(name: &str) -> Box<Expr> {
        Box::new(Expr::Field(name.into()))
    }

    #[test]
    fn display_adds_only_needed_parentheses() {
        let sum = Expr::Binary {
            op: BinaryOp::Add,
            left: field("a"),
            right: field("b"),
        };
        let cases = [
            (
                Expr::Binary {
                    op: BinaryOp::Mul,
                    left: Box::new(sum.clone()),
                    right: field("c"),
                },
                "(a + b) * c",
            ),
            (
                Expr::Binary {
                    op: BinaryOp::Add,
                    left: Box::new(sum.clone()),
                    right: field("c"),
                },
                "a + b + c",
            ),
            (
                Expr::Binary {
                    op: BinaryOp::Sub,
                    left: field("c"),
                    right: Box::new(sum.clone()),
                },
                "c - (a + b)",
            ),
            (
                Expr::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(sum.clone()),
                },
                "-(a + b)",
            ),
            (
                Expr::Member {
                    base: Box::new(sum.clone()),
                    name: "x".into(),
                },
                "(a + b).x",
            ),
            (
                Expr::Is {
                    expr: Box::new(Expr::Binary {
                        op: BinaryOp::Eq,
                        left: field("a"),
                        right: field("b"),
                    }),
                    negated: false,
                    check: IsCheck::Null,
                },
                "(a = b) IS NULL",
            ),
            (
                Expr::Cast {
                    expr: field("a"),
                    ty: "Int".into(),
                },
                "cast(a AS Int)",
            ),
            (Expr::Payload, "*"),
        ];
        for (expr, text) in cases {
            assert_eq!(expr.to_string(), text);
        }
    }

    #[test]
    fn literals_print_as_sql() {
        let cases = [
            (Literal::Null, "NULL"),
            (Literal::Bool(true), "TRUE"),
            (Literal::Bool(false), "FALSE"),
            (Literal::Int(-3), "-3"),
            (Literal::Decimal(2.5), "2.5"),
            (Literal::Decimal(10.0), "10.0"),
            (Literal::Str(r"it's a \ test".into()), r"'it\'s a \\ test'"),
        ];
        for (literal, text) in cases {
            assert_eq!(literal.to_string(), text);
        }
    }

    #[test]
    fn projections_print_with_aliases() {
        assert_eq!(Projection::All.to_string(), "*");
        let aliased = Projection::Expr {
            expr: Expr::Field("a".into()),
            alias: Some("b.c".into()),
        };
        assert_eq!(aliased.to_string(), "a AS b.c");
        assert_eq!(BinaryOp::Ne.symbol(), "<>");
    }
}
