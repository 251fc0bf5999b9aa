//! The statement level of IoT SQL: `SELECT [VALUE] ... FROM '...' [WHERE ...]`.

use super::cursor::{is_keyword, is_reserved, Parser};
use crate::rule::sql::ast::Projection;
use crate::rule::sql::error::{SqlError, SqlErrorKind};
use crate::rule::sql::lexer::Token;
use crate::rule::sql::statement::RuleSql;
use crate::rule::topic::TopicFilter;

impl Parser<'_> {
    /// `SELECT [VALUE] items FROM 'filter' [WHERE expr]`.
    pub(in crate::rule::sql) fn statement(mut self) -> Result<RuleSql, SqlError> {
        self.expect_keyword("SELECT")?;
        let select_value = self.at_keyword("VALUE") && !self.value_is_a_field();
        if select_value {
            self.pos += 1;
        }
        let mut select = vec![self.projection()?];
        while self.eat_punct(",") {
            select.push(self.projection()?);
        }
        if !self.at_keyword("FROM") {
            return Err(self.unexpected("`,` or `FROM`"));
        }
        self.pos += 1;
        let from = self.topic_filter()?;
        let where_clause = if self.at_keyword("WHERE") {
            self.pos += 1;
            Some(self.expr()?)
        } else {
            None
        };
        if self.peek() != &Token::End {
            let expected = if where_clause.is_some() {
                "an operator or end of input"
            } else {
                "`WHERE` or end of input"
            };
            return Err(self.unexpected(expected));
        }
        Ok(RuleSql {
            select_value,
            select,
            from,
            where_clause,
        })
    }

    /// `VALUE` right after `SELECT` is a keyword unless it is used as a field name.
    fn value_is_a_field(&self) -> bool {
        match self.peek_at(1) {
            Token::Punct(p) => matches!(*p, "," | "." | "[" | "("),
            next => is_keyword(next, "FROM") || is_keyword(next, "AS"),
        }
    }

    fn projection(&mut self) -> Result<Projection, SqlError> {
        if self.at_punct("*") && (matches!(self.peek_at(1), Token::Punct(",")) || is_keyword(self.peek_at(1), "FROM")) {
            self.pos += 1;
            return Ok(Projection::All);
        }
        let expr = self.expr()?;
        let alias = if self.at_keyword("AS") {
            self.pos += 1;
            Some(self.dotted_name()?)
        } else {
            None
        };
        Ok(Projection::Expr { expr, alias })
    }

    fn dotted_name(&mut self) -> Result<String, SqlError> {
        let mut name = self.alias_part("a name after `AS`")?;
        while self.eat_punct(".") {
            name.push('.');
            name.push_str(&self.alias_part("a name after `.`")?);
        }
        Ok(name)
    }

    /// One part of an `AS` name; reserved words are refused so `AS FROM` reads as a mistake.
    fn alias_part(&mut self, expected: &str) -> Result<String, SqlError> {
        if is_reserved(self.peek()) {
            return Err(self.unexpected(expected));
        }
        self.name(expected)
    }

    fn topic_filter(&mut self) -> Result<TopicFilter, SqlError> {
        let offset = self.offset();
        if let Token::Str { value, quote: '\'' } = self.peek() {
            let filter = TopicFilter::parse(value).map_err(|e| SqlError {
                offset,
                kind: SqlErrorKind::Topic(e),
            })?;
            self.pos += 1;
            return Ok(filter);
        }
        if self.peek() == &Token::End {
            return Err(self.unexpected("a single-quoted topic filter"));
        }
        // Anything else is a topic written without single quotes; take the
        // raw text up to WHERE so the hint can show it quoted.
        let end = self
            .tokens
            .iter()
            .skip(self.pos)
            .find(|s| s.token == Token::End || is_keyword(&s.token, "WHERE"))
            .map_or(self.src.len(), |s| s.offset);
        let raw = self.src[offset..end].trim();
        let (found, suggestion) = match self.peek() {
            Token::Str { value, .. } => (format!("double-quoted \"{value}\""), value.clone()),
            _ => (format!("unquoted `{raw}`"), raw.to_owned()),
        };
        Err(SqlError {
            offset,
            kind: SqlErrorKind::FromNotSingleQuoted { found, suggestion },
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rule::sql::ast::{BinaryOp, Expr, Literal, Projection};
    use crate::rule::sql::statement::RuleSql;

    fn parse(sql: &str) -> RuleSql {
        RuleSql::parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn field(name: &str) -> Expr {
        Expr::Field(name.into())
    }

    #[test]
    fn parses_select_star() {
        let sql = parse("SELECT * FROM 'xprobe/probe'");
        assert!(!sql.select_value);
        assert_eq!(sql.select, vec![Projection::All]);
        assert_eq!(sql.from.as_str(), "xprobe/probe");
        assert_eq!(sql.where_clause, None);
    }

    #[test]
    fn parses_projections_case_insensitively() {
        let sql = parse("select *, timestamp() as ts, xprobe.id AS probe.id from 'a/+' where temperature > 50");
        assert_eq!(
            sql.select,
            vec![
                Projection::All,
                Projection::Expr {
                    expr: Expr::Call {
                        name: "timestamp".into(),
                        args: vec![]
                    },
                    alias: Some("ts".into()),
                },
                Projection::Expr {
                    expr: Expr::Member {
                        base: Box::new(field("xprobe")),
                        name: "id".into()
                    },
                    alias: Some("probe.id".into()),
                },
            ]
        );
        assert_eq!(
            sql.where_clause,
            Some(Expr::Binary {
                op: BinaryOp::Gt,
                left: Box::new(field("temperature")),
                right: Box::new(Expr::Literal(Literal::Int(50))),
            })
        );
    }

    #[test]
    fn value_is_a_keyword_only_before_a_selected_item() {
        let sql = parse("SELECT VALUE color FROM 'a/b'");
        assert!(sql.select_value);
        assert_eq!(
            sql.select,
            vec![Projection::Expr {
                expr: field("color"),
                alias: None
            }]
        );
        for text in [
            "SELECT value FROM 'a'",
            "SELECT value, x FROM 'a'",
            "SELECT value AS v FROM 'a'",
            "SELECT value.x FROM 'a'",
        ] {
            assert!(!parse(text).select_value, "{text}");
        }
    }

    #[test]
    fn parses_the_aws_reference_examples() {
        let cases = [
            (
                "SELECT encode(*, 'base64') AS data FROM 'a/b'",
                "SELECT encode(*, 'base64') AS data FROM 'a/b'",
            ),
            (
                "SELECT (temperature - 32) * 5 / 9 AS celsius, upper(color) as my_color FROM 'a/b'",
                "SELECT (temperature - 32) * 5 / 9 AS celsius, upper(color) AS my_color FROM 'a/b'",
            ),
            (
                "SELECT {'latitude': get(lat_long, 0),'longitude':get(lat_long, 1)} as lat_long FROM 'topic/subtopic'",
                "SELECT {'latitude': get(lat_long, 0), 'longitude': get(lat_long, 1)} AS lat_long FROM 'topic/subtopic'",
            ),
            (
                "SELECT [lat,long] as lat_long FROM 'topic/subtopic'",
                "SELECT [lat, long] AS lat_long FROM 'topic/subtopic'",
            ),
            (
                "SELECT decode(encoded_temp,\"base64\").temperature AS temp from 'topic/subtopic'",
                "SELECT decode(encoded_temp, 'base64').temperature AS temp FROM 'topic/subtopic'",
            ),
            (
                "SELECT * FROM 'a/b' WHERE timestamp() % 12 = 0",
                "SELECT * FROM 'a/b' WHERE timestamp() % 12 = 0",
            ),
            (
                "SELECT color AS my_color FROM 'topic/subtopic' WHERE temperature > 50 AND color <> 'red'",
                "SELECT color AS my_color FROM 'topic/subtopic' WHERE temperature > 50 AND color <> 'red'",
            ),
            (
                "SELECT cast(true as Int) AS n FROM 'a'",
                "SELECT cast(TRUE AS Int) AS n FROM 'a'",
            ),
            (
                "SELECT * FROM 'a' WHERE a.b[0].c != -1.5 OR NOT x IS NOT NULL",
                "SELECT * FROM 'a' WHERE a.b[0].c <> -1.5 OR NOT x IS NOT NULL",
            ),
            (
                "SELECT * FROM 'a' WHERE NOT (a AND b) OR c = -(d + 1) AND e NOT IN (1, 'x')",
                "SELECT * FROM 'a' WHERE NOT (a AND b) OR c = -(d + 1) AND e NOT IN (1, 'x')",
            ),
            (
                "SELECT * FROM 'a' WHERE a - (b - c) = (a - b) - c AND x IS UNDEFINED",
                "SELECT * FROM 'a' WHERE a - (b - c) = a - b - c AND x IS UNDEFINED",
            ),
            (
                "SELECT * FROM 'a' WHERE s = 'it\\'s' AND n = 99999999999999999999",
                "SELECT * FROM 'a' WHERE s = 'it\\'s' AND n = 1e+20",
            ),
        ];
        for (text, canonical) in cases {
            let sql = parse(text);
            assert_eq!(sql.to_string(), canonical, "{text}");
            assert_eq!(parse(canonical), sql, "round trip of {text}");
        }
    }

    #[test]
    fn rejects_bad_sql_with_position_and_expectation() {
        let cases = [
            ("", "at offset 0: expected `SELECT`, found end of input"),
            ("SELECT", "at offset 6: expected an expression, found end of input"),
            ("SELECT FROM 'a'", "at offset 7: expected an expression, found `FROM`"),
            ("SELECT * 'a'", "at offset 9: expected `,` or `FROM`, found string 'a'"),
            ("SELECT * FROM", "at offset 13: expected a single-quoted topic filter, found end of input"),
            (
                "SELECT * FROM \"test\"",
                "at offset 14: FROM needs a single-quoted topic filter, found double-quoted \"test\" (hint: write FROM 'test')",
            ),
            (
                "SELECT * FROM topic/# WHERE a = 1",
                "at offset 14: FROM needs a single-quoted topic filter, found unquoted `topic/#` (hint: write FROM 'topic/#')",
            ),
            (
                "SELECT * FROM 'a/#/b'",
                "at offset 14: invalid topic filter in FROM: `#` must be the last level of a topic filter, but `a/#/b` has it at offset 2 (hint: `#` already matches every level below it, so end the filter there)",
            ),
            ("SELECT * FROM 'a' WHERE", "at offset 23: expected an expression, found end of input"),
            ("SELECT * FROM 'a' WHERE a =", "at offset 27: expected an expression, found end of input"),
            ("SELECT * FROM 'a' WHERE a = 1 b", "at offset 30: expected an operator or end of input, found `b`"),
            ("SELECT * FROM 'a' b", "at offset 18: expected `WHERE` or end of input, found `b`"),
            ("SELECT a AS FROM 'x'", "at offset 12: expected a name after `AS`, found `FROM`"),
            ("SELECT a AS b. FROM 'x'", "at offset 15: expected a name after `.`, found `FROM`"),
            (
                "SELECT * FROM 'a' WHERE a = 'x",
                "at offset 28: unterminated string (hint: close it with the same quote it opens with)",
            ),
            ("SELECT * FROM 'a' WHERE a ;", "at offset 26: unexpected character `;`"),
        ];
        for (sql, message) in cases {
            let err = RuleSql::parse(sql).expect_err(sql);
            assert_eq!(err.to_string(), format!("invalid rule SQL {message}"), "{sql}");
        }
    }
}
