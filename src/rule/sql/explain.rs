//! Says whether a WHERE clause lets a probe through, and if not, why.
//!
//! The explanation names the smallest sub-expression that keeps the clause
//! from being true: the failing side of an `AND`, the missing field inside a
//! comparison, the function xprobe cannot evaluate. It feeds the diagnose
//! code `rule-where-excludes-probe`.

use super::ast::{BinaryOp, Expr, UnaryOp};
use super::eval::{eval, Scope};
use super::functions::is_supported;
use super::value::Value;

/// What a rule's WHERE clause does with a probe message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhereOutcome {
    /// The WHERE clause is true, so AWS IoT runs the rule's actions.
    Pass,
    /// The rule has no WHERE clause, so every message on a matching topic runs the actions.
    NoWhere,
    /// The WHERE clause is not true, so the actions do not run.
    Fails {
        /// The smallest part of the clause responsible, as IoT SQL.
        clause: String,
        /// Why, in plain words.
        reason: String,
    },
}

/// Evaluates `clause` and explains a result other than boolean true.
pub(super) fn explain_where(clause: &Expr, scope: &Scope<'_>, aliases: &[&str]) -> WhereOutcome {
    let explainer = Explainer { scope, aliases };
    if explainer.value(clause) == Value::Bool(true) {
        return WhereOutcome::Pass;
    }
    let (clause, reason) = explainer.why_not_true(clause);
    WhereOutcome::Fails { clause, reason }
}

struct Explainer<'a> {
    scope: &'a Scope<'a>,
    /// SELECT aliases, which WHERE cannot see but people often try to use.
    aliases: &'a [&'a str],
}

impl Explainer<'_> {
    fn value(&self, expr: &Expr) -> Value {
        // WHERE is evaluated with a scope where every fact is known or
        // undefined, so evaluation never ends in `Unknown`.
        eval(expr, self.scope).unwrap_or(Value::Undefined)
    }

    /// The responsible sub-expression and the reason, for an `expr` that is not true.
    fn why_not_true(&self, expr: &Expr) -> (String, String) {
        match expr {
            Expr::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => {
                let culprit = if self.value(left).to_bool() == Some(true) {
                    right
                } else {
                    left
                };
                self.why_not_true(culprit)
            }
            Expr::Binary {
                op: BinaryOp::Or,
                left,
                right,
            } => {
                let (_, left_reason) = self.why_not_true(left);
                let (_, right_reason) = self.why_not_true(right);
                (
                    expr.to_string(),
                    format!("neither side is true: {left_reason}; and {right_reason}"),
                )
            }
            Expr::Unary {
                op: UnaryOp::Not,
                expr: inner,
            } if self.value(inner).to_bool() == Some(true) => {
                (expr.to_string(), format!("`{inner}` is true, so `{expr}` is false"))
            }
            _ => self.leaf(expr),
        }
    }

    fn leaf(&self, expr: &Expr) -> (String, String) {
        let clause = expr.to_string();
        let reason = match self.value(expr) {
            Value::Bool(false) => match self.facts(expr) {
                Some(facts) => format!("{facts}, so `{clause}` is false"),
                None => format!("`{clause}` is false"),
            },
            Value::Bool(true) => format!("`{clause}` is true"),
            Value::Undefined => {
                format!("{}, so `{clause}` is not true", self.undefined_cause(expr))
            }
            other => format!(
                "`{clause}` is {}, which is {} rather than a boolean, so it is not true",
                other.describe(),
                other.type_name()
            ),
        };
        (clause, reason)
    }

    /// What the non-literal operands of `expr` evaluate to, e.g. "`temperature` is 40 in the probe payload".
    fn facts(&self, expr: &Expr) -> Option<String> {
        let facts: Vec<String> = expr
            .children()
            .into_iter()
            .filter(|child| !matches!(child, Expr::Literal(_)))
            .map(|child| {
                let value = self.value(child).describe();
                if child.field_path().is_some() {
                    format!("`{child}` is {value} in the probe payload")
                } else {
                    format!("`{child}` is {value}")
                }
            })
            .collect();
        (!facts.is_empty()).then(|| facts.join(" and "))
    }

    /// Why `expr`, which evaluates to `Undefined`, does so.
    fn undefined_cause(&self, expr: &Expr) -> String {
        if let Some(path) = expr.field_path() {
            return self.missing_field(expr, &path);
        }
        if let Expr::Call { name, .. } = expr {
            if !is_supported(name) {
                return format!("xprobe does not evaluate `{name}()` and treats `{expr}` as undefined");
            }
        }
        if let Some(child) = expr
            .children()
            .into_iter()
            .find(|child| self.value(child) == Value::Undefined)
        {
            return self.undefined_cause(child);
        }
        // Every operand is defined, so the operation itself rejected them.
        let facts = self.facts(expr);
        match (expr, facts) {
            (Expr::Call { name, .. }, _) if name.eq_ignore_ascii_case("topic") => {
                let levels = self.scope.topic.split('/').count();
                format!(
                    "`{expr}` is undefined because the topic `{}` has {levels} level{}",
                    self.scope.topic,
                    if levels == 1 { "" } else { "s" }
                )
            }
            (Expr::Binary { op, .. }, Some(facts)) => {
                let needs = match op {
                    BinaryOp::And | BinaryOp::Or => "needs booleans or the strings \"true\" and \"false\"",
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                        "only compares numbers or strings that hold numbers"
                    }
                    _ => "only works on numbers here",
                };
                format!("{facts}, and `{}` {needs}", op.symbol())
            }
            (Expr::Unary { op: UnaryOp::Not, .. }, Some(facts)) => {
                format!("{facts}, and `NOT` needs a boolean or the string \"true\" or \"false\"")
            }
            (Expr::Call { args, .. }, _) if !args.is_empty() => {
                let values: Vec<String> = args.iter().map(|a| self.value(a).describe()).collect();
                let noun = if args.len() == 1 { "argument" } else { "arguments" };
                format!("`{expr}` is undefined for the {noun} {}", values.join(" and "))
            }
            (Expr::Cast { expr: inner, ty }, _) => format!(
                "`{expr}` is undefined because {} cannot be converted to {ty}",
                self.value(inner).describe()
            ),
            (_, Some(facts)) => format!("`{expr}` is undefined because {facts}"),
            (_, None) => format!("`{expr}` is undefined"),
        }
    }

    /// Why the payload reference `expr` (written `path`) is undefined.
    fn missing_field(&self, expr: &Expr, path: &str) -> String {
        let hint = if self.aliases.contains(&path) {
            format!(" (hint: `{path}` is a SELECT alias, and WHERE cannot use aliases)")
        } else {
            String::new()
        };
        // Walk down to the shortest prefix of the path that is already missing.
        let mut missing = expr;
        let mut parent = None;
        while let Expr::Member { base, .. } | Expr::Index { base, .. } = missing {
            if self.value(base) != Value::Undefined {
                parent = Some(base);
                break;
            }
            missing = base;
        }
        let detail = match parent {
            Some(parent) => match self.value(parent) {
                Value::Object(_) | Value::Array(_) => " in the probe payload".to_owned(),
                other => format!(" because `{parent}` is {}, not an object", other.describe()),
            },
            None if !self.scope.payload.is_object() => " because the probe payload is not a JSON object".to_owned(),
            None if std::ptr::eq(missing, expr) => " in the probe payload".to_owned(),
            None => format!(" in the probe payload, which has no `{missing}`"),
        };
        format!("`{path}` is undefined{detail}{hint}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::eval::Fact;
    use super::*;
    use serde_json::{json, Value as Json};

    fn outcome(where_clause: &str, payload: &Json, aliases: &[&str]) -> WhereOutcome {
        let scope = Scope {
            payload,
            topic: "devices/d1",
            client_id: Fact::Known("probe-1"),
            timestamp_ms: Fact::Known(1_000),
            trace_id: Fact::Undefined,
            principal: Fact::Undefined,
            new_uuid_known: true,
            unsupported_is_unknown: false,
        };
        let expr = Expr::parse(where_clause).expect(where_clause);
        explain_where(&expr, &scope, aliases)
    }

    fn fails(clause: &str, reason: &str) -> WhereOutcome {
        WhereOutcome::Fails {
            clause: clause.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn passes_when_true() {
        let payload = json!({"temperature": 60, "xprobe": {"id": "01J"}});
        for clause in [
            "temperature > 50",
            "xprobe.id = '01J' AND startswith(topic(), 'devices/')",
            "isUndefined(missing) OR FALSE",
            "NOT (temperature < 50)",
        ] {
            assert_eq!(outcome(clause, &payload, &[]), WhereOutcome::Pass, "{clause}");
        }
    }

    #[test]
    fn explains_each_way_of_not_being_true() {
        let payload = json!({
            "temperature": 40,
            "color": "red",
            "reading": "hot",
            "xprobe": {"id": "01J", "n": 3},
            "enabled": 1,
        });
        let cases = [
            (
                "temperature > 50",
                fails("temperature > 50", "`temperature` is 40 in the probe payload, so `temperature > 50` is false"),
            ),
            (
                "temperature > 50 AND color <> 'red'",
                fails("temperature > 50", "`temperature` is 40 in the probe payload, so `temperature > 50` is false"),
            ),
            (
                "color = 'red' AND humidity > 50",
                fails("humidity > 50", "`humidity` is undefined in the probe payload, so `humidity > 50` is not true"),
            ),
            (
                "probe.id = '01J'",
                fails(
                    "probe.id = '01J'",
                    "`probe.id` is undefined in the probe payload, which has no `probe`, so `probe.id = '01J'` is not true",
                ),
            ),
            (
                "xprobe.id.part = 'x'",
                fails(
                    "xprobe.id.part = 'x'",
                    "`xprobe.id.part` is undefined because `xprobe.id` is \"01J\", not an object, so `xprobe.id.part = 'x'` is not true",
                ),
            ),
            (
                "xprobe.missing = 1",
                fails(
                    "xprobe.missing = 1",
                    "`xprobe.missing` is undefined in the probe payload, so `xprobe.missing = 1` is not true",
                ),
            ),
            (
                "reading > 50",
                fails(
                    "reading > 50",
                    "`reading` is \"hot\" in the probe payload, and `>` only compares numbers or strings that hold numbers, so `reading > 50` is not true",
                ),
            ),
            (
                "color = 'blue' OR temperature > 50",
                fails(
                    "color = 'blue' OR temperature > 50",
                    "neither side is true: `color` is \"red\" in the probe payload, so `color = 'blue'` is false; and `temperature` is 40 in the probe payload, so `temperature > 50` is false",
                ),
            ),
            (
                "NOT (color = 'red')",
                fails("NOT color = 'red'", "`color = 'red'` is true, so `NOT color = 'red'` is false"),
            ),
            (
                "NOT enabled",
                fails(
                    "NOT enabled",
                    "`enabled` is 1 in the probe payload, and `NOT` needs a boolean or the string \"true\" or \"false\", so `NOT enabled` is not true",
                ),
            ),
            (
                "enabled AND TRUE",
                fails("enabled", "`enabled` is 1, which is a number rather than a boolean, so it is not true"),
            ),
            (
                "startswith(topic(), 'other/')",
                fails(
                    "startswith(topic(), 'other/')",
                    "`topic()` is \"devices/d1\", so `startswith(topic(), 'other/')` is false",
                ),
            ),
            (
                "topic(3) = 'x'",
                fails(
                    "topic(3) = 'x'",
                    "`topic(3)` is undefined because the topic `devices/d1` has 2 levels, so `topic(3) = 'x'` is not true",
                ),
            ),
            (
                "lower(nothing) = 'x'",
                fails(
                    "lower(nothing) = 'x'",
                    "`nothing` is undefined in the probe payload, so `lower(nothing) = 'x'` is not true",
                ),
            ),
            (
                "parse_time('yyyy', timestamp()) = '2024'",
                fails(
                    "parse_time('yyyy', timestamp()) = '2024'",
                    "xprobe does not evaluate `parse_time()` and treats `parse_time('yyyy', timestamp())` as undefined, so `parse_time('yyyy', timestamp()) = '2024'` is not true",
                ),
            ),
            (
                "color IN ('blue', 'green')",
                fails(
                    "color IN ('blue', 'green')",
                    "`color` is \"red\" in the probe payload, so `color IN ('blue', 'green')` is false",
                ),
            ),
            ("FALSE", fails("FALSE", "`FALSE` is false")),
            ("lower(1)", fails("lower(1)", "`lower(1)` is \"1\", which is a string rather than a boolean, so it is not true")),
            (
                "cast('x' AS Int) = 1",
                fails(
                    "cast('x' AS Int) = 1",
                    "`cast('x' AS Int)` is undefined because \"x\" cannot be converted to Int, so `cast('x' AS Int) = 1` is not true",
                ),
            ),
            (
                "concat(color, NULL) = 'x'",
                fails(
                    "concat(color, NULL) = 'x'",
                    "`concat(color, NULL)` is undefined for the arguments \"red\" and null, so `concat(color, NULL) = 'x'` is not true",
                ),
            ),
        ];
        for (clause, expected) in cases {
            assert_eq!(outcome(clause, &payload, &[]), expected, "{clause}");
        }
    }

    #[test]
    fn hints_at_select_aliases() {
        assert_eq!(
            outcome("temp > 50", &json!({"temperature": 60}), &["temp"]),
            fails(
                "temp > 50",
                "`temp` is undefined in the probe payload (hint: `temp` is a SELECT alias, and WHERE cannot use aliases), so `temp > 50` is not true",
            )
        );
    }

    #[test]
    fn explains_non_object_payloads() {
        assert_eq!(
            outcome("temperature > 50", &json!("80"), &[]),
            fails(
                "temperature > 50",
                "`temperature` is undefined because the probe payload is not a JSON object, so `temperature > 50` is not true",
            )
        );
    }
}
