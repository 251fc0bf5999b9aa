//! The probe tag: a reserved JSON field carrying a unique id, the send time
//! and the route, merged into the route's payload template.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The reserved top-level payload field that holds the tag.
pub const TAG_FIELD: &str = "xprobe";

/// What identifies one probe. Verifiers match on `id` alone, so several
/// xprobe instances can probe the same route at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeTag {
    /// A ULID: unique, and sortable by creation time.
    pub id: String,
    /// Wall-clock send time, milliseconds since the Unix epoch.
    pub sent_at_ms: i64,
    pub route: String,
}

impl ProbeTag {
    /// A fresh tag for `route`, stamped now.
    pub fn new(route: &str) -> Self {
        ProbeTag {
            id: ulid::Ulid::new().to_string(),
            sent_at_ms: now_ms(),
            route: route.to_string(),
        }
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The payload to publish: the route's template with the tag merged in.
pub fn build_payload(template: &Map<String, Value>, tag: &ProbeTag) -> Vec<u8> {
    let mut body = template.clone();
    body.insert(
        TAG_FIELD.to_string(),
        serde_json::json!({ "id": tag.id, "sent_at_ms": tag.sent_at_ms, "route": tag.route }),
    );
    // Serialising a map of JSON values cannot fail.
    serde_json::to_vec(&Value::Object(body)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_keeps_template_fields_and_adds_the_tag() {
        let mut t = Map::new();
        t.insert("temperature".into(), Value::from(21));
        let tag = ProbeTag {
            id: "01J0".into(),
            sent_at_ms: 5,
            route: "sqs".into(),
        };
        let v: Value = serde_json::from_slice(&build_payload(&t, &tag)).unwrap();
        assert_eq!(v["temperature"], 21);
        assert_eq!(v["xprobe"]["id"], "01J0");
        assert_eq!(v["xprobe"]["sent_at_ms"], 5);
        assert_eq!(v["xprobe"]["route"], "sqs");
    }

    #[test]
    fn ids_are_unique() {
        let a = ProbeTag::new("r");
        let b = ProbeTag::new("r");
        assert_ne!(a.id, b.id);
        assert!(a.sent_at_ms > 1_600_000_000_000);
    }
}
