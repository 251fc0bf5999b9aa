//! The IoT SQL functions xprobe evaluates.
//!
//! Names match case-insensitively. A call with the wrong number or types of
//! arguments returns `Undefined`, as the AWS data-type page says of all
//! functions. Functions not listed in [`SUPPORTED`] are parsed but not
//! evaluated; see [`Scope::unsupported_is_unknown`].

use super::ast::Expr;
use super::eval::{eval, Eval, Scope, Unknown};
use super::value::Value;

/// Lower-case names of the functions [`call`] evaluates.
const SUPPORTED: [&str; 15] = [
    "topic",
    "clientid",
    "timestamp",
    "newuuid",
    "traceid",
    "principal",
    "isundefined",
    "isnull",
    "startswith",
    "endswith",
    "lower",
    "upper",
    "concat",
    "get",
    "length",
];

/// Whether xprobe evaluates the function `name`.
pub(crate) fn is_supported(name: &str) -> bool {
    SUPPORTED.contains(&name.to_ascii_lowercase().as_str())
}

/// Evaluates the call `name(args)`.
pub(super) fn call(name: &str, args: &[Expr], scope: &Scope<'_>) -> Eval {
    let lower = name.to_ascii_lowercase();
    if !is_supported(&lower) {
        return if scope.unsupported_is_unknown {
            Err(Unknown)
        } else {
            Ok(Value::Undefined)
        };
    }
    let values = args.iter().map(|arg| eval(arg, scope)).collect::<Result<Vec<_>, _>>()?;
    let text = |s: &str| Value::Str(s.to_owned());
    Ok(match (lower.as_str(), values.as_slice()) {
        ("topic", []) => text(scope.topic),
        ("topic", [level]) => topic_level(scope.topic, level),
        ("clientid", []) => return scope.client_id.value(text),
        ("timestamp", []) => return scope.timestamp_ms.value(Value::Int),
        ("traceid", []) => return scope.trace_id.value(text),
        ("principal", []) => return scope.principal.value(text),
        ("newuuid", []) if scope.new_uuid_known => Value::Str(random_uuid()),
        ("newuuid", []) => return Err(Unknown),
        ("isundefined", [v]) => Value::Bool(*v == Value::Undefined),
        ("isnull", [v]) => Value::Bool(*v == Value::Null),
        ("startswith", [s, prefix]) => affix(s, prefix, |s, p| s.starts_with(p)),
        ("endswith", [s, suffix]) => affix(s, suffix, |s, p| s.ends_with(p)),
        ("lower", [v]) => v
            .to_iot_string()
            .map_or(Value::Undefined, |s| Value::Str(s.to_lowercase())),
        ("upper", [v]) => v
            .to_iot_string()
            .map_or(Value::Undefined, |s| Value::Str(s.to_uppercase())),
        ("length", [v]) => v.to_iot_string().map_or(Value::Undefined, |s| {
            Value::Int(i64::try_from(s.chars().count()).unwrap_or(i64::MAX))
        }),
        ("concat", values) => concat(values),
        ("get", [collection, key]) => get(collection, key),
        _ => Value::Undefined,
    })
}

/// `topic(n)`: the n-th level, counting from 1; `Undefined` past the last level.
fn topic_level(topic: &str, level: &Value) -> Value {
    level
        .to_int()
        .and_then(|n| usize::try_from(n).ok())
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| topic.split('/').nth(i))
        .map_or(Value::Undefined, |s| Value::Str(s.to_owned()))
}

/// `startswith`/`endswith`: both sides converted to strings; `Undefined` if either is null or undefined.
fn affix(s: &Value, part: &Value, test: fn(&str, &str) -> bool) -> Value {
    match (s.to_iot_string(), part.to_iot_string()) {
        (Some(s), Some(part)) => Value::Bool(test(&s, &part)),
        _ => Value::Undefined,
    }
}

/// `concat`: arrays if any argument is an array, otherwise strings if any argument is a string.
fn concat(values: &[Value]) -> Value {
    match values {
        [] => Value::Undefined,
        [one] => one.clone(),
        _ if values.iter().any(|v| matches!(v, Value::Array(_))) => {
            let mut items = Vec::new();
            for value in values {
                match value {
                    Value::Array(inner) => items.extend(inner.iter().cloned()),
                    other => items.extend(other.to_json()),
                }
            }
            Value::Array(items)
        }
        _ if values.iter().any(|v| matches!(v, Value::Str(_))) => values
            .iter()
            .map(Value::to_iot_string)
            .collect::<Option<String>>()
            .map_or(Value::Undefined, Value::Str),
        _ => Value::Undefined,
    }
}

/// `get(collection, key)`: an array element, a character, or an object member.
fn get(collection: &Value, key: &Value) -> Value {
    let index = || key.to_int().and_then(|i| usize::try_from(i).ok());
    match collection {
        Value::Array(items) => index()
            .and_then(|i| items.get(i))
            .map_or(Value::Undefined, Value::from_json),
        Value::Str(s) => index()
            .and_then(|i| s.chars().nth(i))
            .map_or(Value::Undefined, |c| Value::Str(c.to_string())),
        Value::Object(map) => match key {
            Value::Str(k) => map.get(k).map_or(Value::Undefined, Value::from_json),
            _ => Value::Undefined,
        },
        _ => Value::Undefined,
    }
}

/// `cast(value AS type)`, with the type keywords of SQL versions 2015-10-08 and 2016-03-23.
pub(super) fn cast(value: Value, ty: &str) -> Value {
    let as_number = |v: &Value| match v {
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        other => other.to_decimal(),
    };
    match ty.to_ascii_lowercase().as_str() {
        "string" | "nvarchar" | "text" | "ntext" | "varchar" => {
            value.to_iot_string().map_or(Value::Undefined, Value::Str)
        }
        "int" | "integer" => match value {
            Value::Int(i) => Value::Int(i),
            other => as_number(&other).map_or(Value::Undefined, |d| Value::Int(d.floor() as i64)),
        },
        "double" | "decimal" => as_number(&value).map_or(Value::Undefined, Value::Decimal),
        "bool" | "boolean" => match value {
            Value::Int(i) => Value::Bool(i != 0),
            Value::Decimal(d) => Value::Bool(d != 0.0),
            other => other.to_bool().map_or(Value::Undefined, Value::Bool),
        },
        _ => Value::Undefined,
    }
}

/// A random version-4 UUID in the canonical 8-4-4-4-12 form.
fn random_uuid() -> String {
    let mut bytes = rand::random::<u128>().to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::super::eval::Fact;
    use super::*;
    use serde_json::{json, Value as Json};

    fn scope(payload: &Json, unknown: bool) -> Scope<'_> {
        Scope {
            payload,
            topic: "devices/d1/telemetry",
            client_id: Fact::Known("probe-1"),
            timestamp_ms: Fact::Known(1_700_000_000_000),
            trace_id: Fact::Known("trace"),
            principal: Fact::Undefined,
            new_uuid_known: !unknown,
            unsupported_is_unknown: unknown,
        }
    }

    fn run(src: &str) -> Eval {
        let payload = json!({"s": "Hello", "list": [1, 2], "obj": {"k": "v"}, "n": null});
        eval(&Expr::parse(src).expect(src), &scope(&payload, false))
    }

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

    #[test]
    fn evaluates_supported_functions() {
        let cases = [
            ("topic()", s("devices/d1/telemetry")),
            ("topic(1)", s("devices")),
            ("topic(3)", s("telemetry")),
            ("topic('2')", s("d1")),
            ("topic(2.9)", s("d1")),
            ("topic(0)", Value::Undefined),
            ("topic(4)", Value::Undefined),
            ("topic(-1)", Value::Undefined),
            ("TOPIC(1)", s("devices")),
            ("clientid()", s("probe-1")),
            ("timestamp()", Value::Int(1_700_000_000_000)),
            ("traceid()", s("trace")),
            ("principal()", Value::Undefined),
            ("isUndefined(missing)", Value::Bool(true)),
            ("isundefined(n)", Value::Bool(false)),
            ("isNull(n)", Value::Bool(true)),
            ("isNull(missing)", Value::Bool(false)),
            ("startswith(topic(), 'devices/')", Value::Bool(true)),
            ("startswith(s, 'x')", Value::Bool(false)),
            ("startswith(123, 12)", Value::Bool(true)),
            ("startswith(missing, 'x')", Value::Undefined),
            ("startswith(n, 'x')", Value::Undefined),
            ("endswith('cat', 'at')", Value::Bool(true)),
            ("lower(s)", s("hello")),
            ("upper(s)", s("HELLO")),
            ("lower(missing)", Value::Undefined),
            ("upper(['hello'])", s(r#"["HELLO"]"#)),
            ("length(s)", Value::Int(5)),
            ("length(FALSE)", Value::Int(5)),
            ("concat()", Value::Undefined),
            ("concat(1)", Value::Int(1)),
            ("concat('con', 'cat')", s("concat")),
            ("concat(1, 'hello')", s("1hello")),
            ("concat(list, 3)", Value::Array(vec![json!(1), json!(2), json!(3)])),
            ("concat(1, 2)", Value::Undefined),
            ("get(list, 1)", Value::Int(2)),
            ("get(list, 2)", Value::Undefined),
            ("get('abc', 1)", s("b")),
            ("get(obj, 'k')", s("v")),
            ("get(obj, 1)", Value::Undefined),
            ("get(1, 1)", Value::Undefined),
            ("lower()", Value::Undefined),
            ("topic(1, 2)", Value::Undefined),
            ("cast(TRUE AS Int)", Value::Int(1)),
            ("cast('2.7' AS Integer)", Value::Int(2)),
            ("cast(2 AS Double)", Value::Decimal(2.0)),
            ("cast(12 AS String)", s("12")),
            ("cast(0 AS Boolean)", Value::Bool(false)),
            ("cast(0.5 AS Bool)", Value::Bool(true)),
            ("cast('TRUE' AS Bool)", Value::Bool(true)),
            ("cast(n AS String)", Value::Undefined),
            ("cast(1 AS Blob)", Value::Undefined),
            ("parse_time('yyyy', timestamp())", Value::Undefined),
        ];
        for (src, expected) in cases {
            assert_eq!(run(src), Ok(expected), "{src}");
        }
    }

    #[test]
    fn newuuid_is_a_random_v4_uuid_or_unknown() {
        let payload = json!({});
        let expr = Expr::parse("newuuid()").expect("valid");
        let Ok(Value::Str(uuid)) = eval(&expr, &scope(&payload, false)) else {
            panic!("newuuid() should be a string");
        };
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        assert!(matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(eval(&expr, &scope(&payload, false)), Ok(Value::Str(uuid)));
        assert_eq!(eval(&expr, &scope(&payload, true)), Err(Unknown));
    }

    #[test]
    fn unsupported_functions_follow_the_scope() {
        let payload = json!({});
        let expr = Expr::parse("get_dynamodb('t', 'k', 1, 'arn')").expect("valid");
        assert_eq!(eval(&expr, &scope(&payload, false)), Ok(Value::Undefined));
        assert_eq!(eval(&expr, &scope(&payload, true)), Err(Unknown));
    }

    #[test]
    fn is_supported_ignores_case() {
        assert!(is_supported("isUndefined"));
        assert!(is_supported("TOPIC"));
        assert!(!is_supported("parse_time"));
    }
}
