//! The values IoT SQL computes with, and the conversions between them.
//!
//! This follows the data-type and conversion tables of the AWS IoT SQL
//! reference (iot-sql-data-types). Two simplifications are deliberate:
//! `Decimal` is an `f64` here, where AWS keeps 34 significant digits, and
//! `Int` is an `i64`, where AWS allows 34 digits. Probe payloads carry ids,
//! small counters and epoch milliseconds, all of which fit.

use serde_json::{Map, Number, Value as Json};

/// One IoT SQL value, including `Undefined`, which JSON cannot represent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A missing field, or the result of an operation on the wrong types.
    Undefined,
    /// JSON `null`.
    Null,
    Bool(bool),
    Int(i64),
    Decimal(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Map<String, Json>),
}

impl Value {
    /// Converts a payload value. Integers that do not fit an `i64` become decimals.
    pub(crate) fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                // `as_f64` only fails with serde_json's arbitrary_precision
                // feature, for numbers outside f64's range.
                None => n.as_f64().map_or(Value::Undefined, Value::Decimal),
            },
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(items) => Value::Array(items.clone()),
            Json::Object(map) => Value::Object(map.clone()),
        }
    }

    /// The JSON form of the value; `None` for `Undefined` and for non-finite decimals.
    pub(crate) fn to_json(&self) -> Option<Json> {
        Some(match self {
            Value::Undefined => return None,
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Decimal(d) => Json::Number(Number::from_f64(*d)?),
            Value::Str(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(items.clone()),
            Value::Object(map) => Json::Object(map.clone()),
        })
    }

    /// The "to Decimal" conversion: numbers, and strings that look like numbers.
    pub(crate) fn to_decimal(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Decimal(d) => Some(*d),
            Value::Str(s) => parse_decimal(s),
            _ => None,
        }
    }

    /// The "to Int" conversion, rounding decimals down as the AWS functions that take an `Int` do.
    pub(crate) fn to_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            // `as` saturates at the i64 bounds and maps NaN to 0; a NaN
            // cannot come from a payload or a literal.
            other => other.to_decimal().map(|d| d.floor() as i64),
        }
    }

    /// The "to Boolean" conversion: booleans, and the strings "true" and "false" in any case.
    pub(crate) fn to_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The "to String" conversion; `None` where AWS gives `Undefined` (for `Null` and `Undefined`).
    ///
    /// Numbers are printed the way serde_json prints them: integers without a
    /// fraction, decimals in their shortest round-trip form (`54.98`, `10.0`).
    /// AWS documents only that a decimal is printed "possibly in scientific
    /// notation", so very large or very small decimals may differ.
    pub(crate) fn to_iot_string(&self) -> Option<String> {
        match self {
            Value::Undefined | Value::Null => None,
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            other => other.to_json().map(|json| json.to_string()),
        }
    }

    /// How the value reads in an explanation: `undefined`, `null`, `40`, `"hot"`.
    pub(crate) fn describe(&self) -> String {
        const LIMIT: usize = 80;
        let text = match self.to_json() {
            Some(json) => json.to_string(),
            None => return "undefined".to_owned(),
        };
        if text.chars().count() <= LIMIT {
            return text;
        }
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    }

    /// The IoT SQL type name, used in explanations.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Decimal(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Parses strings matching `^-?\d+(\.\d+)?((?i)E-?\d+)?$`, the only strings AWS converts to decimals.
fn parse_decimal(s: &str) -> Option<f64> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix('-').unwrap_or(e)));
    if !digits(whole) || !fraction.is_none_or(digits) || !exponent_ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|d| d.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn from_json_maps_each_type() {
        let cases = [
            (json!(null), Value::Null),
            (json!(true), Value::Bool(true)),
            (json!(42), Value::Int(42)),
            (json!(-7), Value::Int(-7)),
            (json!(2.5), Value::Decimal(2.5)),
            (json!(u64::MAX), Value::Decimal(u64::MAX as f64)),
            (json!("x"), Value::Str("x".into())),
            (json!([1, "a"]), Value::Array(vec![json!(1), json!("a")])),
        ];
        for (json, expected) in cases {
            assert_eq!(Value::from_json(&json), expected, "{json}");
        }
        let object = json!({"a": 1});
        assert!(matches!(Value::from_json(&object), Value::Object(m) if m["a"] == json!(1)));
    }

    #[test]
    fn to_json_drops_undefined_and_non_finite() {
        assert_eq!(Value::Undefined.to_json(), None);
        assert_eq!(Value::Decimal(f64::NAN).to_json(), None);
        assert_eq!(Value::Int(3).to_json(), Some(json!(3)));
        assert_eq!(Value::Decimal(1.5).to_json(), Some(json!(1.5)));
    }

    #[test]
    fn to_decimal_follows_the_aws_string_pattern() {
        let cases = [
            ("0", Some(0.0)),
            ("-1.2", Some(-1.2)),
            ("5E-12", Some(5e-12)),
            ("5e3", Some(5000.0)),
            ("1.", None),
            (".5", None),
            ("+1", None),
            ("1e", None),
            ("abc", None),
            ("", None),
            (" 1", None),
            ("1e999", None),
        ];
        for (s, expected) in cases {
            assert_eq!(Value::Str(s.into()).to_decimal(), expected, "{s:?}");
        }
        assert_eq!(Value::Int(4).to_decimal(), Some(4.0));
        assert_eq!(Value::Bool(true).to_decimal(), None);
        assert_eq!(Value::Null.to_decimal(), None);
    }

    #[test]
    fn to_int_rounds_down() {
        assert_eq!(Value::Decimal(2.7).to_int(), Some(2));
        assert_eq!(Value::Decimal(-1.2).to_int(), Some(-2));
        assert_eq!(Value::Str("3".into()).to_int(), Some(3));
        assert_eq!(Value::Bool(true).to_int(), None);
    }

    #[test]
    fn to_bool_accepts_true_and_false_strings() {
        assert_eq!(Value::Bool(false).to_bool(), Some(false));
        assert_eq!(Value::Str("TRUE".into()).to_bool(), Some(true));
        assert_eq!(Value::Str("False".into()).to_bool(), Some(false));
        assert_eq!(Value::Str("yes".into()).to_bool(), None);
        assert_eq!(Value::Int(1).to_bool(), None);
    }

    #[test]
    fn to_iot_string_prints_like_aws() {
        let cases = [
            (Value::Int(42), Some("42")),
            (Value::Decimal(54.98), Some("54.98")),
            (Value::Decimal(10.0), Some("10.0")),
            (Value::Bool(true), Some("true")),
            (Value::Str("a/b".into()), Some("a/b")),
            (Value::Array(vec![json!("a"), json!(1)]), Some(r#"["a",1]"#)),
            (Value::Null, None),
            (Value::Undefined, None),
        ];
        for (value, expected) in cases {
            assert_eq!(value.to_iot_string().as_deref(), expected, "{value:?}");
        }
    }

    #[test]
    fn describe_quotes_strings_and_truncates() {
        assert_eq!(Value::Str("hot".into()).describe(), r#""hot""#);
        assert_eq!(Value::Undefined.describe(), "undefined");
        assert_eq!(Value::Null.describe(), "null");
        let long = Value::Str("x".repeat(200)).describe();
        assert_eq!(long.chars().count(), 81);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn type_names_read_as_phrases() {
        assert_eq!(Value::Str(String::new()).type_name(), "a string");
        assert_eq!(Value::Decimal(1.0).type_name(), "a number");
        assert_eq!(Value::Undefined.type_name(), "undefined");
        assert_eq!(Value::Array(vec![]).type_name(), "an array");
    }
}
