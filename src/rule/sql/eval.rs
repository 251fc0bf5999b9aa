//! Evaluates expressions the way the AWS IoT rules engine does.
//!
//! Operator behaviour follows the tables in the AWS IoT SQL reference
//! (iot-sql-operators): a missing field is `Undefined`, operators given the
//! wrong types return `Undefined`, and `AND`, `OR` and `NOT` accept booleans
//! or the strings "true" and "false". The tables give `Undefined` for any
//! non-boolean operand of `AND`/`OR`, so unlike ANSI SQL, `Undefined AND
//! false` is `Undefined`, not `false`. Either way the WHERE clause is not
//! true, which is all xprobe needs.
//!
//! Besides `Undefined`, evaluation can end in [`Unknown`]: the value exists on
//! AWS, but the prober cannot know it in advance (`newuuid()` in a template,
//! say). Only substitution templates produce it.

use super::ast::{BinaryOp, Expr, IsCheck, Literal, UnaryOp};
use super::functions::{call, cast};
use super::value::Value;
use serde_json::Value as Json;
use std::cmp::Ordering;

/// A fact about the message, as far as the prober knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fact<T> {
    /// The prober knows the value AWS will use.
    Known(T),
    /// AWS will use `Undefined`.
    Undefined,
    /// AWS will use a value the prober cannot know.
    Unknown,
}

impl<T> Fact<T> {
    pub(crate) fn value(self, make: impl FnOnce(T) -> Value) -> Eval {
        match self {
            Fact::Known(t) => Ok(make(t)),
            Fact::Undefined => Ok(Value::Undefined),
            Fact::Unknown => Err(Unknown),
        }
    }
}

/// The prober cannot know what this expression evaluates to on AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unknown;

/// The result of evaluating an expression.
pub(crate) type Eval = Result<Value, Unknown>;

/// Everything an expression can read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub payload: &'a Json,
    /// The topic as `topic()` sees it, without any Basic Ingest prefix.
    pub topic: &'a str,
    pub client_id: Fact<&'a str>,
    pub timestamp_ms: Fact<i64>,
    pub trace_id: Fact<&'a str>,
    pub principal: Fact<&'a str>,
    /// Whether `newuuid()` may return a fresh random UUID (true when any UUID will do).
    pub new_uuid_known: bool,
    /// Whether functions xprobe does not implement are [`Unknown`] rather than `Undefined`.
    pub unsupported_is_unknown: bool,
}

/// Evaluates `expr` against `scope`.
pub(crate) fn eval(expr: &Expr, scope: &Scope<'_>) -> Eval {
    Ok(match expr {
        Expr::Literal(literal) => literal_value(literal),
        Expr::Field(name) => scope.payload.get(name).map_or(Value::Undefined, Value::from_json),
        Expr::Member { base, name } => match eval(base, scope)? {
            Value::Object(map) => map.get(name).map_or(Value::Undefined, Value::from_json),
            _ => Value::Undefined,
        },
        Expr::Index { base, index } => element(eval(base, scope)?, &eval(index, scope)?),
        Expr::Payload => Value::from_json(scope.payload),
        Expr::Call { name, args } => return call(name, args, scope),
        Expr::Cast { expr, ty } => cast(eval(expr, scope)?, ty),
        Expr::Unary { op, expr } => unary(*op, eval(expr, scope)?),
        Expr::Binary { op, left, right } => binary(*op, eval(left, scope)?, eval(right, scope)?),
        Expr::Is { expr, negated, check } => {
            let value = eval(expr, scope)?;
            let is = match check {
                IsCheck::Null => value == Value::Null,
                IsCheck::Undefined => value == Value::Undefined,
            };
            // `IS NOT NULL` also rejects `Undefined`: a missing field is not
            // "not null" in any useful sense. AWS does not document IS NULL,
            // so this is xprobe's reading of it.
            let missing = *check == IsCheck::Null && value == Value::Undefined;
            let not = !(is || missing);
            Value::Bool(if *negated { not } else { is })
        }
        Expr::In { expr, negated, list } => {
            let value = eval(expr, scope)?;
            if value == Value::Undefined {
                return Ok(Value::Undefined);
            }
            let mut found = false;
            for item in list {
                found |= equals(&value, &eval(item, scope)?) == Some(true);
            }
            Value::Bool(found != *negated)
        }
        Expr::Array(items) => {
            let mut array = Vec::with_capacity(items.len());
            for item in items {
                array.extend(eval(item, scope)?.to_json());
            }
            Value::Array(array)
        }
        Expr::Object(entries) => {
            let mut map = serde_json::Map::new();
            for (key, item) in entries {
                if let Some(json) = eval(item, scope)?.to_json() {
                    map.insert(key.clone(), json);
                }
            }
            Value::Object(map)
        }
    })
}

fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Decimal(d) => Value::Decimal(*d),
        Literal::Str(s) => Value::Str(s.clone()),
    }
}

/// `base[index]`: an array element, or an object member for a string index.
fn element(base: Value, index: &Value) -> Value {
    let json = match (&base, index) {
        (Value::Object(map), Value::Str(key)) => map.get(key),
        (Value::Array(items), index) => index
            .to_int()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| items.get(i)),
        _ => None,
    };
    json.map_or(Value::Undefined, Value::from_json)
}

fn unary(op: UnaryOp, value: Value) -> Value {
    match op {
        UnaryOp::Not => value.to_bool().map_or(Value::Undefined, |b| Value::Bool(!b)),
        UnaryOp::Neg => match value {
            Value::Int(i) => i.checked_neg().map_or(Value::Decimal(-(i as f64)), Value::Int),
            other => other.to_decimal().map_or(Value::Undefined, |d| Value::Decimal(-d)),
        },
    }
}

pub(crate) fn binary(op: BinaryOp, left: Value, right: Value) -> Value {
    let boolean = |b: Option<bool>| b.map_or(Value::Undefined, Value::Bool);
    match op {
        BinaryOp::And | BinaryOp::Or => match (left.to_bool(), right.to_bool()) {
            (Some(l), Some(r)) => Value::Bool(if op == BinaryOp::And { l && r } else { l || r }),
            _ => Value::Undefined,
        },
        BinaryOp::Eq => boolean(equals(&left, &right)),
        BinaryOp::Ne => boolean(equals(&left, &right).map(|eq| !eq)),
        BinaryOp::Lt => boolean(compare(&left, &right).map(Ordering::is_lt)),
        BinaryOp::Le => boolean(compare(&left, &right).map(Ordering::is_le)),
        BinaryOp::Gt => boolean(compare(&left, &right).map(Ordering::is_gt)),
        BinaryOp::Ge => boolean(compare(&left, &right).map(Ordering::is_ge)),
        BinaryOp::Add => match (&left, &right) {
            (Value::Str(_), _) | (_, Value::Str(_)) => match (left.to_iot_string(), right.to_iot_string()) {
                (Some(l), Some(r)) => Value::Str(l + &r),
                _ => Value::Undefined,
            },
            _ => arithmetic(op, &left, &right),
        },
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => arithmetic(op, &left, &right),
    }
}

/// `=`: `None` when either side is `Undefined`; values of different types are unequal.
pub(crate) fn equals(left: &Value, right: &Value) -> Option<bool> {
    Some(match (left, right) {
        (Value::Undefined, _) | (_, Value::Undefined) => return None,
        (Value::Int(l), Value::Int(r)) => l == r,
        (Value::Int(_) | Value::Decimal(_), Value::Int(_) | Value::Decimal(_)) => {
            left.to_decimal() == right.to_decimal()
        }
        (Value::Null, Value::Null) => true,
        (Value::Bool(l), Value::Bool(r)) => l == r,
        (Value::Str(l), Value::Str(r)) => l == r,
        (Value::Array(l), Value::Array(r)) => l == r,
        (Value::Object(l), Value::Object(r)) => l == r,
        _ => false,
    })
}

/// `<` and friends compare numbers, or strings that convert to numbers; anything else is `None`.
fn compare(left: &Value, right: &Value) -> Option<Ordering> {
    if let (Value::Int(l), Value::Int(r)) = (left, right) {
        return Some(l.cmp(r));
    }
    left.to_decimal()?.partial_cmp(&right.to_decimal()?)
}

/// `+ - * / %` on numbers: `Int` when both sides are and the result fits, `Decimal` otherwise.
fn arithmetic(op: BinaryOp, left: &Value, right: &Value) -> Value {
    if let (Value::Int(l), Value::Int(r)) = (left, right) {
        if matches!(op, BinaryOp::Div | BinaryOp::Mod) && *r == 0 {
            return Value::Undefined;
        }
        let exact = match op {
            BinaryOp::Add => l.checked_add(*r),
            BinaryOp::Sub => l.checked_sub(*r),
            BinaryOp::Mul => l.checked_mul(*r),
            BinaryOp::Div => l.checked_div(*r),
            _ => l.checked_rem(*r),
        };
        if let Some(i) = exact {
            return Value::Int(i);
        }
    }
    // `+` does not convert strings to numbers: with a string it concatenates.
    let numeric = |v: &Value| match v {
        Value::Str(_) if op == BinaryOp::Add => None,
        other => other.to_decimal(),
    };
    let (Some(l), Some(r)) = (numeric(left), numeric(right)) else {
        return Value::Undefined;
    };
    let result = match op {
        BinaryOp::Add => l + r,
        BinaryOp::Sub => l - r,
        BinaryOp::Mul => l * r,
        BinaryOp::Div => l / r,
        _ => l % r,
    };
    if result.is_finite() {
        Value::Decimal(result)
    } else {
        Value::Undefined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope(payload: &Json) -> Scope<'_> {
        Scope {
            payload,
            topic: "devices/d1/telemetry",
            client_id: Fact::Known("probe-1"),
            timestamp_ms: Fact::Known(1_700_000_000_000),
            trace_id: Fact::Undefined,
            principal: Fact::Unknown,
            new_uuid_known: true,
            unsupported_is_unknown: false,
        }
    }

    fn run(src: &str, payload: &Json) -> Eval {
        let expr = Expr::parse(src).expect(src);
        eval(&expr, &scope(payload))
    }

    #[test]
    fn evaluates_the_operator_tables() {
        let payload = json!({
            "temperature": 40,
            "ratio": 0.5,
            "color": "red",
            "flag": "TRUE",
            "n": null,
            "xprobe": {"id": "01J", "tags": ["a", "b"]},
            "numeric": "12.5",
        });
        let cases = [
            ("temperature > 30", Value::Bool(true)),
            ("temperature > 50", Value::Bool(false)),
            ("temperature >= 40", Value::Bool(true)),
            ("temperature < 40.5", Value::Bool(true)),
            ("temperature <= 39", Value::Bool(false)),
            ("numeric > 12", Value::Bool(true)),
            ("color > 1", Value::Undefined),
            ("missing > 1", Value::Undefined),
            ("temperature = 40.0", Value::Bool(true)),
            ("color = 'red'", Value::Bool(true)),
            ("color <> 'red'", Value::Bool(false)),
            ("color != 'blue'", Value::Bool(true)),
            ("color = 1", Value::Bool(false)),
            ("color <> 1", Value::Bool(true)),
            ("missing = 1", Value::Undefined),
            ("missing <> 1", Value::Undefined),
            ("n = NULL", Value::Bool(true)),
            ("xprobe.tags = ['a', 'b']", Value::Bool(true)),
            ("xprobe = {'tags': ['a', 'b'], 'id': '01J'}", Value::Bool(true)),
            ("TRUE AND flag", Value::Bool(true)),
            ("TRUE AND 'yes'", Value::Undefined),
            ("missing AND FALSE", Value::Undefined),
            ("FALSE OR flag", Value::Bool(true)),
            ("NOT flag", Value::Bool(false)),
            ("NOT missing", Value::Undefined),
            ("NOT 1", Value::Undefined),
            ("xprobe.id = '01J'", Value::Bool(true)),
            ("xprobe.tags[1]", Value::Str("b".into())),
            ("xprobe.tags[2]", Value::Undefined),
            ("xprobe.tags[-1]", Value::Undefined),
            ("xprobe['id']", Value::Str("01J".into())),
            ("color.sub", Value::Undefined),
            ("n IS NULL", Value::Bool(true)),
            ("n IS NOT NULL", Value::Bool(false)),
            ("missing IS NULL", Value::Bool(false)),
            ("missing IS NOT NULL", Value::Bool(false)),
            ("color IS NOT NULL", Value::Bool(true)),
            ("missing IS UNDEFINED", Value::Bool(true)),
            ("n IS UNDEFINED", Value::Bool(false)),
            ("n IS NOT UNDEFINED", Value::Bool(true)),
            ("color IN ('blue', 'red')", Value::Bool(true)),
            ("color NOT IN ('blue', 'red')", Value::Bool(false)),
            ("temperature IN (1, 2)", Value::Bool(false)),
            ("missing IN (1, 2)", Value::Undefined),
            ("1 + 2", Value::Int(3)),
            ("1 + 0.5", Value::Decimal(1.5)),
            ("'a' + 1", Value::Str("a1".into())),
            ("1 + 'a'", Value::Str("1a".into())),
            ("'a' + missing", Value::Undefined),
            ("numeric + 1", Value::Str("12.51".into())),
            ("numeric - 0.5", Value::Decimal(12.0)),
            ("7 / 2", Value::Int(3)),
            ("7.0 / 2", Value::Decimal(3.5)),
            ("7 % 3", Value::Int(1)),
            ("7 / 0", Value::Undefined),
            ("7 % 0", Value::Undefined),
            ("7.5 / 0", Value::Undefined),
            ("2 * 3", Value::Int(6)),
            ("9223372036854775807 + 1", Value::Decimal(9_223_372_036_854_775_808.0)),
            ("TRUE + 1", Value::Undefined),
            ("-temperature", Value::Int(-40)),
            ("-numeric", Value::Decimal(-12.5)),
            ("-color", Value::Undefined),
            ("(temperature - 32) * 5 / 9", Value::Int(4)),
            ("[1, missing, 'x']", Value::Array(vec![json!(1), json!("x")])),
        ];
        for (src, expected) in cases {
            assert_eq!(run(src, &payload), Ok(expected), "{src}");
        }
    }

    #[test]
    fn payload_star_is_the_whole_payload() {
        let payload = json!({"a": 1});
        assert_eq!(
            run("*", &payload),
            Ok(Value::Object(payload.as_object().cloned().unwrap_or_default()))
        );
    }

    #[test]
    fn fields_of_a_non_object_payload_are_undefined() {
        assert_eq!(run("a", &json!("raw text")), Ok(Value::Undefined));
        assert_eq!(run("a.b", &json!([1])), Ok(Value::Undefined));
    }

    #[test]
    fn unknown_facts_propagate() {
        let payload = json!({});
        assert_eq!(run("principal()", &payload), Err(Unknown));
        assert_eq!(run("lower(principal()) = 'x'", &payload), Err(Unknown));
        assert_eq!(run("traceid()", &payload), Ok(Value::Undefined));
    }

    #[test]
    fn fact_value_maps_each_state() {
        assert_eq!(Fact::Known(3).value(Value::Int), Ok(Value::Int(3)));
        assert_eq!(Fact::<i64>::Undefined.value(Value::Int), Ok(Value::Undefined));
        assert_eq!(Fact::<i64>::Unknown.value(Value::Int), Err(Unknown));
    }
}
