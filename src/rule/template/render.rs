//! Renders a template for a probe message, as far as the prober can.
//!
//! Some values exist only once AWS handles the message: `newuuid()`,
//! `traceid()`, and `timestamp()` unless the caller knows it. Rendering
//! stops at the first such part and returns the text before it, which is
//! still useful: the S3 verifier lists objects under that prefix.
//!
//! Values print with the IoT SQL "to String" conversion: strings without
//! quotes, integers without `.0`, arrays and objects as JSON. `Undefined`
//! (a missing field) and `null` print as the empty string. AWS says so for
//! `Undefined` (iot-sql-data-types: "Undefined is converted to an empty
//! string when serialized by itself"); for `null` it is inferred from the
//! table that converts `Null` to `Undefined`, and has not been checked live.

use super::parse::{Segment, Template};
use crate::rule::ingest::strip_basic_ingest;
use crate::rule::sql::{eval, Fact, Scope};

/// What the prober knows about a message when rendering a template for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TemplateContext<'a> {
    /// The topic the message is published to; a Basic Ingest prefix is removed first, as AWS does.
    pub topic: &'a str,
    /// The MQTT client id, or `None` if the prober does not know it.
    /// (For a message not sent over MQTT, pass `Some("n/a")`, which is what AWS uses.)
    pub client_id: Option<&'a str>,
    /// What `timestamp()` will return, or `None` if the prober does not know it.
    pub timestamp_ms: Option<i64>,
    /// The message payload.
    pub payload: &'a serde_json::Value,
    /// What `principal()` will return, or `None` if the prober does not know it.
    pub principal: Option<&'a str>,
}

impl<'a> TemplateContext<'a> {
    /// A context that knows only the topic and the payload.
    pub fn new(topic: &'a str, payload: &'a serde_json::Value) -> Self {
        TemplateContext {
            topic,
            client_id: None,
            timestamp_ms: None,
            payload,
            principal: None,
        }
    }

    fn scope(&self) -> Scope<'a> {
        let known = |value: Option<&'a str>| value.map_or(Fact::Unknown, Fact::Known);
        Scope {
            payload: self.payload,
            topic: strip_basic_ingest(self.topic).map_or(self.topic, |(_, topic)| topic),
            client_id: known(self.client_id),
            timestamp_ms: self.timestamp_ms.map_or(Fact::Unknown, Fact::Known),
            // A trace id is assigned by AWS when the message arrives.
            trace_id: Fact::Unknown,
            principal: known(self.principal),
            new_uuid_known: false,
            unsupported_is_unknown: true,
        }
    }
}

/// A rendered template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// The whole text, exactly as AWS IoT will produce it.
    Exact(String),
    /// Only the text before the first part the prober cannot know.
    Partial {
        /// Everything before that part.
        known_prefix: String,
        /// The expression that could not be rendered, as written inside `${...}`.
        first_unknown: String,
    },
}

impl Rendered {
    /// The text the prober is sure of: all of it when exact, else the known prefix.
    pub fn known_prefix(&self) -> &str {
        match self {
            Rendered::Exact(text) => text,
            Rendered::Partial { known_prefix, .. } => known_prefix,
        }
    }
}

impl Template {
    /// Renders the template for the message described by `ctx`.
    pub fn render(&self, ctx: &TemplateContext<'_>) -> Rendered {
        let scope = ctx.scope();
        let mut out = String::new();
        for segment in self.segments() {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Expr(template_expr) => match eval(template_expr.expr(), &scope) {
                    Ok(value) => out.push_str(&value.to_iot_string().unwrap_or_default()),
                    Err(_) => {
                        return Rendered::Partial {
                            known_prefix: out,
                            first_unknown: template_expr.source().to_owned(),
                        }
                    }
                },
            }
        }
        Rendered::Exact(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value as Json};

    const TIMESTAMP: i64 = 1_700_000_000_123;

    fn payload() -> Json {
        json!({
            "xprobe": {"id": "01HZX3", "seq": 7},
            "deviceId": "d-1",
            "ratio": 2.5,
            "whole": 10.0,
            "ok": true,
            "nothing": null,
            "tags": ["a", "b"],
        })
    }

    fn full<'a>(payload: &'a Json) -> TemplateContext<'a> {
        TemplateContext {
            topic: "devices/d1/telemetry",
            client_id: Some("probe-1"),
            timestamp_ms: Some(TIMESTAMP),
            payload,
            principal: Some("abc123"),
        }
    }

    fn render(template: &str, ctx: &TemplateContext<'_>) -> Rendered {
        Template::parse(template).expect(template).render(ctx)
    }

    fn exact(text: &str) -> Rendered {
        Rendered::Exact(text.into())
    }

    fn partial(prefix: &str, unknown: &str) -> Rendered {
        Rendered::Partial {
            known_prefix: prefix.into(),
            first_unknown: unknown.into(),
        }
    }

    #[test]
    fn renders_key_templates_with_everything_known() {
        let payload = payload();
        let ctx = full(&payload);
        let cases = [
            ("${topic()}/${timestamp()}", exact("devices/d1/telemetry/1700000000123")),
            ("probes/${xprobe.id}.json", exact("probes/01HZX3.json")),
            ("${topic(2)}/${newuuid()}", partial("d1/", "newuuid()")),
            ("${clientid()}-${timestamp()}", exact("probe-1-1700000000123")),
            ("raw/literal.json", exact("raw/literal.json")),
            ("probes/${missing.field}.json", exact("probes/.json")),
            ("n/${xprobe.seq}/${ratio}/${whole}/${ok}", exact("n/7/2.5/10.0/true")),
            ("${nothing}|${tags}|${deviceId}", exact(r#"|["a","b"]|d-1"#)),
            ("${'lit'}/${upper(deviceId)}", exact("lit/D-1")),
            ("${principal()}/${traceid()}/x", partial("abc123/", "traceid()")),
            ("${topic(9)}x", exact("x")),
            (
                "y/${parse_time('yyyy', timestamp())}/z",
                partial("y/", "parse_time('yyyy', timestamp())"),
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template, &ctx), expected, "{template}");
        }
    }

    #[test]
    fn stops_at_facts_the_prober_does_not_know() {
        let payload = payload();
        let ctx = TemplateContext::new("devices/d1/telemetry", &payload);
        let cases = [
            (
                "${topic()}/${timestamp()}",
                partial("devices/d1/telemetry/", "timestamp()"),
            ),
            ("${clientid()}-${timestamp()}", partial("", "clientid()")),
            ("${ principal() }", partial("", "principal()")),
            ("probes/${xprobe.id}.json", exact("probes/01HZX3.json")),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template, &ctx), expected, "{template}");
        }
    }

    #[test]
    fn topic_functions_ignore_the_basic_ingest_prefix() {
        let payload = payload();
        let ctx = TemplateContext::new("$aws/rules/xprobe_rule/devices/d1", &payload);
        assert_eq!(render("${topic()}|${topic(1)}", &ctx), exact("devices/d1|devices"));
    }

    #[test]
    fn known_prefix_covers_both_cases() {
        assert_eq!(exact("a/b").known_prefix(), "a/b");
        assert_eq!(partial("a/", "newuuid()").known_prefix(), "a/");
    }

    proptest! {
        #[test]
        fn a_template_without_expressions_renders_as_written(
            text in "[a-zA-Z0-9/._ ${}-]{0,40}".prop_filter("no expression", |s| !s.contains("${"))
        ) {
            let template = Template::parse(&text).expect("text without `${` is a valid template");
            let payload = json!({});
            prop_assert!(template.is_literal());
            prop_assert_eq!(template.render(&TemplateContext::new("t", &payload)), Rendered::Exact(text));
        }
    }
}
