//! What the rules engine knows about a message besides its payload.

use super::eval::{Fact, Scope};
use crate::rule::ingest::strip_basic_ingest;

/// The message facts that IoT SQL functions read, for evaluating a WHERE clause.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EvalContext {
    /// The topic the message is published to. A Basic Ingest prefix
    /// (`$aws/rules/<rule>/`) is removed before `topic()` sees it, as AWS IoT does.
    pub topic: String,
    /// The MQTT client id; `None` when the message is not sent over MQTT,
    /// in which case `clientid()` returns `"n/a"` as on AWS.
    pub client_id: Option<String>,
    /// What `timestamp()` returns: epoch milliseconds when the rules engine sees the message.
    pub timestamp_ms: i64,
    /// What `traceid()` returns; `None` makes it `Undefined`, as for non-MQTT messages on AWS.
    pub trace_id: Option<String>,
    /// What `principal()` returns; `None` makes it `Undefined`.
    pub principal: Option<String>,
}

impl EvalContext {
    /// A context for a message published on `topic` at `timestamp_ms`, over something other than MQTT.
    pub fn new(topic: impl Into<String>, timestamp_ms: i64) -> Self {
        EvalContext {
            topic: topic.into(),
            timestamp_ms,
            ..EvalContext::default()
        }
    }

    /// The same context for a message from MQTT client `client_id`.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    pub(super) fn scope<'a>(&'a self, payload: &'a serde_json::Value) -> Scope<'a> {
        let known_or_undefined = |v: &'a Option<String>| match v {
            Some(s) => Fact::Known(s.as_str()),
            None => Fact::Undefined,
        };
        Scope {
            payload,
            topic: strip_basic_ingest(&self.topic).map_or(self.topic.as_str(), |(_, t)| t),
            client_id: Fact::Known(self.client_id.as_deref().unwrap_or("n/a")),
            timestamp_ms: Fact::Known(self.timestamp_ms),
            trace_id: known_or_undefined(&self.trace_id),
            principal: known_or_undefined(&self.principal),
            new_uuid_known: true,
            unsupported_is_unknown: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn new_and_with_client_id_fill_the_fields() {
        let ctx = EvalContext::new("a/b", 5).with_client_id("probe-1");
        assert_eq!(ctx.topic, "a/b");
        assert_eq!(ctx.timestamp_ms, 5);
        assert_eq!(ctx.client_id.as_deref(), Some("probe-1"));
        assert_eq!(ctx.trace_id, None);
    }

    #[test]
    fn scope_strips_basic_ingest_and_defaults_client_id() {
        let payload = json!({});
        let ctx = EvalContext::new("$aws/rules/r/a/b", 1);
        let scope = ctx.scope(&payload);
        assert_eq!(scope.topic, "a/b");
        assert_eq!(scope.client_id, Fact::Known("n/a"));
        assert_eq!(scope.trace_id, Fact::Undefined);
        assert_eq!(scope.timestamp_ms, Fact::Known(1));
    }
}
