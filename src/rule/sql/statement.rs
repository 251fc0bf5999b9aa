//! A parsed rule SQL statement and what xprobe asks of it.

use super::ast::{Expr, Projection};
use super::context::EvalContext;
use super::error::SqlError;
use super::explain::{explain_where, WhereOutcome};
use super::functions::is_supported;
use super::parse::Parser;
use crate::rule::topic::TopicFilter;
use std::fmt;

/// `SELECT <projection> FROM '<topic filter>' [WHERE <expr>]`, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSql {
    /// Whether the statement is `SELECT VALUE ...`, which sends the bare value instead of an object.
    pub select_value: bool,
    /// The SELECT list.
    pub select: Vec<Projection>,
    /// The topic filter that triggers the rule.
    pub from: TopicFilter,
    /// The WHERE condition, if any.
    pub where_clause: Option<Expr>,
}

impl RuleSql {
    /// Parses rule SQL. Errors give the byte offset and what was expected there.
    pub fn parse(sql: &str) -> Result<RuleSql, SqlError> {
        Parser::new(sql)?.statement()
    }

    /// The FROM topic when it names exactly one topic, i.e. has no wildcard.
    pub fn from_topic_literal(&self) -> Option<&str> {
        (!self.from.has_wildcards()).then(|| self.from.as_str())
    }

    /// Names of called functions that xprobe does not evaluate, in order of first use.
    ///
    /// They evaluate to `Undefined`, so a WHERE outcome that depends on them
    /// may differ from what AWS IoT decides; callers should warn. The list
    /// includes real AWS functions such as `parse_time` or `get_dynamodb`.
    pub fn unknown_functions(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut note = |expr: &Expr| {
            if let Expr::Call { name, .. } = expr {
                if !is_supported(name) && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    names.push(name.clone());
                }
            }
        };
        for projection in &self.select {
            if let Projection::Expr { expr, .. } = projection {
                expr.walk(&mut note);
            }
        }
        if let Some(clause) = &self.where_clause {
            clause.walk(&mut note);
        }
        names
    }

    /// Whether AWS IoT would run the rule's actions for `payload`, and if not, why.
    pub fn where_outcome(&self, payload: &serde_json::Value, ctx: &EvalContext) -> WhereOutcome {
        let Some(clause) = &self.where_clause else {
            return WhereOutcome::NoWhere;
        };
        let aliases: Vec<&str> = self
            .select
            .iter()
            .filter_map(|p| match p {
                Projection::Expr { alias: Some(alias), .. } => Some(alias.as_str()),
                _ => None,
            })
            .collect();
        explain_where(clause, &ctx.scope(payload), &aliases)
    }
}

impl fmt::Display for RuleSql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.select_value { "SELECT VALUE " } else { "SELECT " })?;
        for (i, projection) in self.select.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{projection}")?;
        }
        write!(f, " FROM '{}'", self.from)?;
        if let Some(clause) = &self.where_clause {
            write!(f, " WHERE {clause}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(sql: &str) -> RuleSql {
        RuleSql::parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    #[test]
    fn from_topic_literal_needs_a_filter_without_wildcards() {
        let cases = [
            ("SELECT * FROM 'xprobe/probe'", Some("xprobe/probe")),
            ("SELECT * FROM 'xprobe/+'", None),
            ("SELECT * FROM '#'", None),
        ];
        for (sql, expected) in cases {
            assert_eq!(parse(sql).from_topic_literal(), expected, "{sql}");
        }
    }

    #[test]
    fn unknown_functions_lists_each_once_in_order() {
        let sql = parse(
            "SELECT parse_time('yyyy', timestamp()) AS y, Encode(*, 'base64') FROM 'a' \
             WHERE get_dynamodb(1) = 1 AND PARSE_TIME('x', 1) = 2 AND lower(x) = 'a'",
        );
        assert_eq!(sql.unknown_functions(), ["parse_time", "Encode", "get_dynamodb"]);
        assert!(parse("SELECT topic() FROM 'a' WHERE isUndefined(x)")
            .unknown_functions()
            .is_empty());
    }

    #[test]
    fn where_outcome_covers_each_variant() {
        let ctx = EvalContext::new("topic/subtopic", 1_000);
        let payload = json!({"color": "red", "temperature": 40});
        let cases = [
            ("SELECT * FROM 'topic/subtopic'", WhereOutcome::NoWhere),
            ("SELECT * FROM 'topic/subtopic' WHERE color = 'red'", WhereOutcome::Pass),
            (
                "SELECT color AS my_color FROM 'topic/subtopic' WHERE temperature > 50 AND color <> 'red'",
                WhereOutcome::Fails {
                    clause: "temperature > 50".into(),
                    reason: "`temperature` is 40 in the probe payload, so `temperature > 50` is false".into(),
                },
            ),
            (
                "SELECT temperature AS temp FROM 'topic/subtopic' WHERE temp > 30",
                WhereOutcome::Fails {
                    clause: "temp > 30".into(),
                    reason: "`temp` is undefined in the probe payload (hint: `temp` is a SELECT alias, \
                             and WHERE cannot use aliases), so `temp > 30` is not true"
                        .into(),
                },
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(parse(sql).where_outcome(&payload, &ctx), expected, "{sql}");
        }
    }

    #[test]
    fn where_outcome_reads_the_context() {
        let payload = json!({});
        let basic_ingest = EvalContext::new("$aws/rules/xprobe_rule/probes/p1", 1_000);
        let sql = parse("SELECT * FROM 'probes/+' WHERE topic(1) = 'probes' AND clientid() = 'n/a'");
        assert_eq!(sql.where_outcome(&payload, &basic_ingest), WhereOutcome::Pass);

        let mqtt = EvalContext::new("probes/p1", 1_000).with_client_id("xprobe-1");
        let sql = parse("SELECT * FROM 'probes/+' WHERE startswith(clientid(), 'xprobe-') AND timestamp() = 1000");
        assert_eq!(sql.where_outcome(&payload, &mqtt), WhereOutcome::Pass);

        let sql = parse("SELECT * FROM 'probes/+' WHERE traceid() <> ''");
        assert_eq!(
            sql.where_outcome(&payload, &mqtt),
            WhereOutcome::Fails {
                clause: "traceid() <> ''".into(),
                reason: "`traceid()` is undefined, so `traceid() <> ''` is not true".into(),
            }
        );
    }

    #[test]
    fn display_prints_canonical_sql() {
        let sql = parse("select value xprobe.id from 'a/#' where x>1");
        assert_eq!(sql.to_string(), "SELECT VALUE xprobe.id FROM 'a/#' WHERE x > 1");
    }
}
