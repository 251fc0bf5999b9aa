//! Basic Ingest topics: `$aws/rules/<rule>/<topic>`.
//!
//! Publishing to a Basic Ingest topic hands the message to one rule without
//! going through the message broker. The rule sees the topic without the
//! `$aws/rules/<rule>/` prefix, so `topic()` and `topic(n)` ignore it
//! (iot-basic-ingest; the `topic()` entry of iot-sql-functions).

/// The prefix every Basic Ingest topic starts with.
const PREFIX: &str = "$aws/rules/";

/// The topic that sends `topic` straight to the rule named `rule`.
pub fn basic_ingest_topic(rule: &str, topic: &str) -> String {
    format!("{PREFIX}{rule}/{topic}")
}

/// Splits a Basic Ingest topic into the rule name and the topic the rule sees.
///
/// Returns `None` for topics that are not Basic Ingest topics, including
/// `$aws/rules/` with no rule name. `$aws/rules/<rule>` with nothing after the
/// rule name gives an empty topic.
pub fn strip_basic_ingest(topic: &str) -> Option<(&str, &str)> {
    let rest = topic.strip_prefix(PREFIX)?;
    let (rule, inner) = rest.split_once('/').unwrap_or((rest, ""));
    if rule.is_empty() {
        return None;
    }
    Some((rule, inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_ingest_topic_adds_the_prefix() {
        let cases = [
            ("xprobe_rule", "probe/1", "$aws/rules/xprobe_rule/probe/1"),
            ("r", "a", "$aws/rules/r/a"),
            ("r", "", "$aws/rules/r/"),
        ];
        for (rule, topic, expected) in cases {
            assert_eq!(basic_ingest_topic(rule, topic), expected);
        }
    }

    #[test]
    fn strip_basic_ingest_splits_rule_and_topic() {
        let cases = [
            ("$aws/rules/xprobe_rule/probe/1", Some(("xprobe_rule", "probe/1"))),
            ("$aws/rules/r/a", Some(("r", "a"))),
            ("$aws/rules/r", Some(("r", ""))),
            ("$aws/rules/r/", Some(("r", ""))),
            ("$aws/rules/", None),
            ("$aws/rules//a", None),
            ("$aws/things/x/shadow/update", None),
            ("probe/1", None),
            ("", None),
        ];
        for (topic, expected) in cases {
            assert_eq!(strip_basic_ingest(topic), expected, "{topic}");
        }
    }

    #[test]
    fn strip_undoes_basic_ingest_topic() {
        let topic = basic_ingest_topic("my_rule", "devices/d1/telemetry");
        assert_eq!(strip_basic_ingest(&topic), Some(("my_rule", "devices/d1/telemetry")));
    }
}
