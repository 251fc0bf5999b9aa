//! Splits a template into literal text and `${...}` expressions.
//!
//! An expression ends at the first `}` that is outside quotes and not closing
//! a `{` opened inside the expression, so `${get({'a': 1}, 'a')}` and
//! `${'}'}` are single expressions. A `$` not followed by `{` is literal text.
//! AWS documents no escape for a literal `${`, so there is none here.

use crate::rule::sql::{Expr, SqlErrorKind};
use std::fmt;
use std::str::FromStr;

/// Why a string is not a valid substitution template.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// A `${` with no matching `}`.
    #[error("unterminated `${{` at offset {offset} (hint: close the expression with `}}`)")]
    Unterminated {
        /// Byte offset of the `${`.
        offset: usize,
    },
    /// `${}` with nothing but spaces inside.
    #[error("empty `${{}}` at offset {offset} (hint: put an expression inside, such as `${{topic()}}`)")]
    Empty {
        /// Byte offset of the `${`.
        offset: usize,
    },
    /// The text inside `${...}` is not an IoT SQL expression.
    #[error("invalid template expression at offset {offset}: {kind}")]
    Expression {
        /// Byte offset into the template where the expression goes wrong.
        offset: usize,
        /// What was wrong there.
        kind: SqlErrorKind,
    },
}

/// One `${...}` part of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateExpr {
    source: String,
    offset: usize,
    expr: Expr,
}

impl TemplateExpr {
    /// The expression text between `${` and `}`, without surrounding spaces.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Byte offset of the `${` in the template.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The parsed expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// Text copied as is.
    Literal(String),
    /// A `${...}` expression.
    Expr(TemplateExpr),
}

/// A parsed substitution template such as `probes/${xprobe.id}.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    segments: Vec<Segment>,
}

impl Template {
    /// Parses `template`, checking that every `${...}` holds a valid expression.
    pub fn parse(template: &str) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = template.char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            if c != '$' || chars.peek().map(|&(_, next)| next) != Some('{') {
                literal.push(c);
                continue;
            }
            let inner_start = offset + 2;
            let close = find_close(template, inner_start).ok_or(TemplateError::Unterminated { offset })?;
            let inner = &template[inner_start..close];
            if inner.trim().is_empty() {
                return Err(TemplateError::Empty { offset });
            }
            let expr = Expr::parse(inner).map_err(|e| TemplateError::Expression {
                offset: inner_start + e.offset,
                kind: e.kind,
            })?;
            if !literal.is_empty() {
                segments.push(Segment::Literal(std::mem::take(&mut literal)));
            }
            segments.push(Segment::Expr(TemplateExpr {
                source: inner.trim().to_owned(),
                offset,
                expr,
            }));
            while chars.next_if(|&(i, _)| i <= close).is_some() {}
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Template {
            source: template.to_owned(),
            segments,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The literal and expression parts, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The `${...}` parts, in order.
    pub fn expressions(&self) -> impl Iterator<Item = &TemplateExpr> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Expr(expr) => Some(expr),
            Segment::Literal(_) => None,
        })
    }

    /// Whether the template has no `${...}` part, so every message gets the same text.
    pub fn is_literal(&self) -> bool {
        self.expressions().next().is_none()
    }

    /// Whether any expression reads the payload field `path`, e.g. `xprobe.id`.
    pub fn contains_field(&self, path: &str) -> bool {
        self.expressions()
            .any(|template_expr| references(&template_expr.expr, path))
    }
}

/// Whether `expr` reads the payload at exactly `path`; `${a.b}` reads `a.b`, not `a`.
fn references(expr: &Expr, path: &str) -> bool {
    match expr.field_path() {
        Some(own) => own == path,
        None => expr.children().into_iter().any(|child| references(child, path)),
    }
}

/// The offset of the `}` that closes an expression starting at `start`.
fn find_close(template: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in template[start..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '{' => depth += 1,
            '}' if depth == 0 => return Some(start + i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Template {
    type Err = TemplateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(template: &str) -> Vec<String> {
        Template::parse(template)
            .expect(template)
            .segments()
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => format!("lit:{text}"),
                Segment::Expr(expr) => format!("expr:{}@{}", expr.source(), expr.offset()),
            })
            .collect()
    }

    #[test]
    fn splits_literals_and_expressions() {
        let cases: [(&str, &[&str]); 9] = [
            ("raw/literal.json", &["lit:raw/literal.json"]),
            ("", &[]),
            (
                "${topic()}/${timestamp()}",
                &["expr:topic()@0", "lit:/", "expr:timestamp()@11"],
            ),
            (
                "probes/${xprobe.id}.json",
                &["lit:probes/", "expr:xprobe.id@7", "lit:.json"],
            ),
            ("${ topic(2) }", &["expr:topic(2)@0"]),
            ("cost$5{x}", &["lit:cost$5{x}"]),
            ("$${clientid()}$", &["lit:$", "expr:clientid()@1", "lit:$"]),
            ("${'}'}", &["expr:'}'@0"]),
            ("${get({'a': 1}, 'a')}!", &["expr:get({'a': 1}, 'a')@0", "lit:!"]),
        ];
        for (template, expected) in cases {
            assert_eq!(shape(template), expected, "{template}");
        }
    }

    #[test]
    fn rejects_bad_templates_with_messages() {
        let cases = [
            (
                "a/${topic()",
                "unterminated `${` at offset 2 (hint: close the expression with `}`)",
            ),
            (
                "${'}",
                "unterminated `${` at offset 0 (hint: close the expression with `}`)",
            ),
            (
                "x/${}",
                "empty `${}` at offset 2 (hint: put an expression inside, such as `${topic()}`)",
            ),
            (
                "${ }",
                "empty `${}` at offset 0 (hint: put an expression inside, such as `${topic()}`)",
            ),
            (
                "k/${topic(}",
                "invalid template expression at offset 10: expected an expression, found end of input",
            ),
            (
                "${a b}",
                "invalid template expression at offset 4: expected an operator or end of expression, found `b`",
            ),
            (
                "${a # b}",
                "invalid template expression at offset 4: unexpected character `#`",
            ),
        ];
        for (template, message) in cases {
            let err = Template::parse(template).expect_err(template);
            assert_eq!(err.to_string(), message, "{template}");
        }
    }

    #[test]
    fn contains_field_looks_inside_expressions() {
        let template = Template::parse("p/${lower(xprobe.id)}/${topic()}/${a.b[0]}").expect("valid");
        assert!(template.contains_field("xprobe.id"));
        assert!(template.contains_field("a.b[0]"));
        assert!(!template.contains_field("a.b"));
        assert!(!template.contains_field("a"));
        assert!(!template.contains_field("xprobe"));
        assert!(!template.contains_field("topic"));
        assert!(!Template::parse("xprobe.id").expect("valid").contains_field("xprobe.id"));
    }

    #[test]
    fn accessors_report_the_template() {
        let template: Template = "${topic()}/x".parse().expect("valid");
        assert_eq!(template.as_str(), "${topic()}/x");
        assert_eq!(template.to_string(), "${topic()}/x");
        assert!(!template.is_literal());
        assert!(Template::parse("x").expect("valid").is_literal());
        let sources: Vec<&str> = template.expressions().map(TemplateExpr::source).collect();
        assert_eq!(sources, ["topic()"]);
        let first = template.expressions().next().expect("one expression");
        assert_eq!(first.expr().to_string(), "topic()");
    }
}
