//! Recognising a probe in a delivered message body. A rule may deliver the
//! payload as raw JSON, as base64 (`useBase64`), or wrapped in an SNS JSON
//! envelope (a tap subscription without raw delivery).

use base64::Engine;
use serde_json::Value;

use super::tag::{ProbeTag, TAG_FIELD};

/// How the probe was wrapped in the message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    RawJson,
    Base64,
    SnsEnvelope,
    SnsEnvelopeBase64,
}

/// A probe tag found in a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTag {
    pub tag: ProbeTag,
    pub shape: BodyShape,
}

/// Finds an xprobe tag in a message body, whatever its id. Returns `None`
/// for anything that is not a probe.
pub fn find_tag(body: &str) -> Option<FoundTag> {
    let trimmed = body.trim();
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        if let Some(tag) = tag_of(&v) {
            return Some(FoundTag {
                tag,
                shape: BodyShape::RawJson,
            });
        }
        // An SNS notification envelope: the payload is the Message string.
        if v.get("Type").and_then(Value::as_str) == Some("Notification") {
            let msg = v.get("Message").and_then(Value::as_str)?;
            return find_tag(msg).map(|f| FoundTag {
                shape: match f.shape {
                    BodyShape::Base64 => BodyShape::SnsEnvelopeBase64,
                    _ => BodyShape::SnsEnvelope,
                },
                tag: f.tag,
            });
        }
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(trimmed).ok()?;
    let v: Value = serde_json::from_slice(&decoded).ok()?;
    tag_of(&v).map(|tag| FoundTag {
        tag,
        shape: BodyShape::Base64,
    })
}

fn tag_of(v: &Value) -> Option<ProbeTag> {
    let t = v.get(TAG_FIELD)?;
    Some(ProbeTag {
        id: t.get("id")?.as_str()?.to_string(),
        sent_at_ms: t.get("sent_at_ms")?.as_i64()?,
        route: t.get("route").and_then(Value::as_str).unwrap_or_default().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &str = r#"{"temperature":21,"xprobe":{"id":"01HX","sent_at_ms":1700000000000,"route":"sqs"}}"#;

    #[test]
    fn finds_a_raw_json_probe() {
        let f = find_tag(RAW).unwrap();
        assert_eq!(f.shape, BodyShape::RawJson);
        assert_eq!(f.tag.id, "01HX");
        assert_eq!(f.tag.sent_at_ms, 1_700_000_000_000);
        assert_eq!(f.tag.route, "sqs");
    }

    #[test]
    fn finds_a_base64_probe() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(RAW);
        let f = find_tag(&b64).unwrap();
        assert_eq!(f.shape, BodyShape::Base64);
        assert_eq!(f.tag.id, "01HX");
    }

    #[test]
    fn finds_a_probe_in_an_sns_envelope() {
        let env = serde_json::json!({"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:222222222222:T", "Message": RAW});
        let f = find_tag(&env.to_string()).unwrap();
        assert_eq!(f.shape, BodyShape::SnsEnvelope);
        assert_eq!(f.tag.id, "01HX");
        let b64 = base64::engine::general_purpose::STANDARD.encode(RAW);
        let env = serde_json::json!({"Type": "Notification", "Message": b64});
        assert_eq!(find_tag(&env.to_string()).unwrap().shape, BodyShape::SnsEnvelopeBase64);
    }

    #[test]
    fn ignores_foreign_messages() {
        for body in [
            r#"{"foreign":true}"#,
            "plain text",
            "",
            r#"{"xprobe":"not an object"}"#,
            r#"{"xprobe":{"id":7,"sent_at_ms":1}}"#,
            r#"{"Type":"Notification","Message":"{\"a\":1}"}"#,
            "aGVsbG8=",
        ] {
            assert_eq!(find_tag(body), None, "{body}");
        }
    }
}
