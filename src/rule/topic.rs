//! MQTT topic filters as AWS IoT uses them in a rule's `FROM` clause.
//!
//! A filter is split on `/` into levels. `+` stands for exactly one level and
//! `#` for any number of trailing levels, including none, so `a/#` matches `a`
//! itself (MQTT 3.1.1, section 4.7.1.2). Filters that start with a wildcard do
//! not match topics that start with `$`, which keeps `#` from catching the
//! reserved `$aws/...` topics (section 4.7.2).

use std::fmt;
use std::str::FromStr;

/// Why a string is not a valid topic filter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicFilterError {
    /// The filter is the empty string.
    #[error("topic filter is empty (hint: use a topic such as `xprobe/probe` or `#` for every topic)")]
    Empty,
    /// A `#` appears somewhere other than the last level.
    #[error(
        "`#` must be the last level of a topic filter, but `{filter}` has it at offset {offset} \
         (hint: `#` already matches every level below it, so end the filter there)"
    )]
    MultiLevelNotLast {
        /// The rejected filter.
        filter: String,
        /// Byte offset of the offending `#`.
        offset: usize,
    },
    /// A `+` or `#` shares its level with other characters.
    #[error(
        "`{wildcard}` must fill a whole level, but `{filter}` has it at offset {offset} next to \
         other characters (hint: put it between slashes, as in `a/{wildcard}`)"
    )]
    WildcardNotWholeLevel {
        /// The rejected filter.
        filter: String,
        /// The wildcard character, `+` or `#`.
        wildcard: char,
        /// Byte offset of the offending wildcard.
        offset: usize,
    },
    /// The filter contains U+0000, which MQTT forbids in topics.
    #[error("topic filter `{}` contains a NUL character, which MQTT forbids", filter.escape_debug())]
    NulCharacter {
        /// The rejected filter.
        filter: String,
    },
}

/// A validated MQTT topic filter such as `devices/+/telemetry` or `xprobe/#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicFilter(String);

impl TopicFilter {
    /// Validates `filter` with the MQTT rules for wildcards.
    pub fn parse(filter: &str) -> Result<TopicFilter, TopicFilterError> {
        if filter.is_empty() {
            return Err(TopicFilterError::Empty);
        }
        if filter.contains('\0') {
            return Err(TopicFilterError::NulCharacter {
                filter: filter.to_owned(),
            });
        }
        let mut offset = 0;
        let mut levels = filter.split('/').peekable();
        while let Some(level) = levels.next() {
            let is_last = levels.peek().is_none();
            for (i, c) in level.char_indices() {
                if c != '+' && c != '#' {
                    continue;
                }
                if level.len() != 1 {
                    return Err(TopicFilterError::WildcardNotWholeLevel {
                        filter: filter.to_owned(),
                        wildcard: c,
                        offset: offset + i,
                    });
                }
                if c == '#' && !is_last {
                    return Err(TopicFilterError::MultiLevelNotLast {
                        filter: filter.to_owned(),
                        offset,
                    });
                }
            }
            // The `/` that ended this level.
            offset += level.len() + 1;
        }
        Ok(TopicFilter(filter.to_owned()))
    }

    /// Whether a message published on `topic` is selected by this filter.
    ///
    /// `topic` must be a topic name: an empty topic, or one holding `+`, `#`
    /// or NUL, is never matched because no client can publish to it.
    pub fn matches(&self, topic: &str) -> bool {
        if topic.is_empty() || topic.contains(['+', '#', '\0']) {
            return false;
        }
        let mut filter_levels = self.0.split('/');
        let mut topic_levels = topic.split('/');
        if topic.starts_with('$') && (self.0.starts_with('+') || self.0.starts_with('#')) {
            return false;
        }
        loop {
            match (filter_levels.next(), topic_levels.next()) {
                (Some("#"), _) => return true,
                (Some("+"), Some(_)) => {}
                (Some(f), Some(t)) if f == t => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }

    /// Whether the filter contains `+` or `#`, that is, names more than one topic.
    pub fn has_wildcards(&self) -> bool {
        self.0.split('/').any(|level| level == "+" || level == "#")
    }

    /// The filter as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TopicFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TopicFilter {
    type Err = TopicFilterError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TopicFilter::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_accepts_valid_filters() {
        for filter in [
            "a",
            "a/b",
            "#",
            "+",
            "a/#",
            "a/+/c",
            "+/+",
            "/",
            "a//b",
            "/a",
            "$aws/rules/x",
            "+/#",
        ] {
            let parsed = TopicFilter::parse(filter).expect(filter);
            assert_eq!(parsed.as_str(), filter);
            assert_eq!(parsed.to_string(), filter);
        }
    }

    #[test]
    fn parse_rejects_invalid_filters_with_messages() {
        let cases = [
            (
                "",
                "topic filter is empty (hint: use a topic such as `xprobe/probe` or `#` for every topic)",
            ),
            (
                "a/#/b",
                "`#` must be the last level of a topic filter, but `a/#/b` has it at offset 2 \
                 (hint: `#` already matches every level below it, so end the filter there)",
            ),
            (
                "a+/b",
                "`+` must fill a whole level, but `a+/b` has it at offset 1 next to other \
                 characters (hint: put it between slashes, as in `a/+`)",
            ),
            (
                "a/b#",
                "`#` must fill a whole level, but `a/b#` has it at offset 3 next to other \
                 characters (hint: put it between slashes, as in `a/#`)",
            ),
            (
                "a\0b",
                "topic filter `a\\0b` contains a NUL character, which MQTT forbids",
            ),
        ];
        for (filter, message) in cases {
            let err = TopicFilter::parse(filter).expect_err(filter);
            assert_eq!(err.to_string(), message, "filter {filter:?}");
        }
    }

    #[test]
    fn from_str_matches_parse() {
        assert_eq!("a/+".parse::<TopicFilter>(), TopicFilter::parse("a/+"));
        assert_eq!("".parse::<TopicFilter>(), Err(TopicFilterError::Empty));
    }

    #[test]
    fn matches_follows_mqtt_rules() {
        let cases = [
            ("a/b", "a/b", true),
            ("a/b", "a/c", false),
            ("a/b", "a/b/c", false),
            ("a/+", "a/b", true),
            ("a/+", "a/b/c", false),
            ("a/+", "a", false),
            ("a/+", "a/", true),
            ("a/#", "a", true),
            ("a/#", "a/b", true),
            ("a/#", "a/b/c", true),
            ("a/#", "ab", false),
            ("#", "a/b", true),
            ("#", "/", true),
            ("+/+", "/x", true),
            ("+", "a/b", false),
            ("#", "$aws/things/x", false),
            ("+/things/x", "$aws/things/x", false),
            ("$aws/#", "$aws/things/x", true),
            ("a/b", "", false),
            ("#", "a/+", false),
            ("a/#", "a/#", false),
        ];
        for (filter, topic, expected) in cases {
            let f = TopicFilter::parse(filter).expect(filter);
            assert_eq!(f.matches(topic), expected, "{filter} vs {topic}");
        }
    }

    #[test]
    fn has_wildcards_finds_either_wildcard() {
        for (filter, expected) in [("a/b", false), ("a/+", true), ("#", true), ("a/b/#", true)] {
            let f = TopicFilter::parse(filter).expect(filter);
            assert_eq!(f.has_wildcards(), expected, "{filter}");
        }
    }

    fn level() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9_ .$-]{0,6}"
    }

    fn literal_topic() -> impl Strategy<Value = String> {
        prop::collection::vec(level(), 1..6)
            .prop_map(|levels| levels.join("/"))
            .prop_filter("a topic is never empty", |t| !t.is_empty())
    }

    proptest! {
        #[test]
        fn a_literal_filter_matches_its_own_topic(topic in literal_topic()) {
            let filter = TopicFilter::parse(&topic).expect("literal topics are valid filters");
            prop_assert!(filter.matches(&topic));
            prop_assert!(!filter.has_wildcards());
        }

        #[test]
        fn hash_matches_every_topic_under_its_prefix(
            prefix in literal_topic(),
            rest in prop::collection::vec(level(), 0..4),
        ) {
            let filter = TopicFilter::parse(&format!("{prefix}/#")).expect("valid filter");
            let mut topic = prefix.clone();
            for level in &rest {
                topic.push('/');
                topic.push_str(level);
            }
            prop_assert!(filter.matches(&topic), "{} should match {}", filter, topic);
        }

        #[test]
        fn plus_matches_exactly_one_level(prefix in literal_topic(), one in level(), extra in level()) {
            let filter = TopicFilter::parse(&format!("{prefix}/+")).expect("valid filter");
            let one_level = format!("{prefix}/{one}");
            let two_levels = format!("{one_level}/{extra}");
            prop_assert!(filter.matches(&one_level));
            prop_assert!(!filter.matches(&two_levels));
        }
    }
}
