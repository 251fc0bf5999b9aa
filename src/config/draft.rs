//! A config drafted from what exists (`xprobe init`): accounts, routes and
//! destinations, rendered as commented TOML that [`super::parse_str`]
//! accepts. Pure: the AWS reading is in `cli/init.rs`.

use std::fmt::Write as _;

/// How the draft's accounts get credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftCredentials {
    Profile(String),
    Role(String),
    DefaultChain,
}

/// One `[accounts.<name>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftAccount {
    pub name: String,
    /// The 12-digit id, for the comment.
    pub id: Option<String>,
    pub region: String,
    pub credentials: DraftCredentials,
    pub profile_file: Option<String>,
    pub endpoint_url: Option<String>,
    /// Why this account is here, or what to fill in.
    pub note: Option<String>,
}

/// One destination, or one the draft could not make probeable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftDestination {
    Sqs {
        account: String,
        queue_url: String,
    },
    Sns {
        account: String,
        topic_arn: String,
        tap_queue_url: Option<String>,
    },
    S3 {
        account: String,
        bucket: String,
    },
    Lambda {
        account: String,
        function_arn: String,
    },
    /// An action xprobe does not probe; kept as a comment.
    Skipped {
        kind: String,
        why: String,
    },
}

/// One `[[routes]]`, drafted from a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRoute {
    pub name: String,
    pub account: String,
    pub rule: String,
    pub sql: String,
    /// Set when the rule's FROM topic has wildcards (a concrete topic that matches it).
    pub topic: Option<String>,
    pub disabled: bool,
    pub destinations: Vec<DraftDestination>,
}

/// The whole draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub accounts: Vec<DraftAccount>,
    /// `https` (no certificate needed) or `mqtt` with these files.
    pub mqtt_files: Option<MqttFiles>,
    pub routes: Vec<DraftRoute>,
}

/// Certificate files for `publish = "mqtt"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttFiles {
    pub endpoint: Option<String>,
    pub port: Option<u16>,
    pub client_cert: String,
    pub client_key: String,
    pub ca: Option<String>,
}

/// A TOML basic string, escaped.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The config text.
pub fn render(d: &Draft) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Drafted by `xprobe init` from the rules and their actions as they are now.\n\
         # Check it with `xprobe check --dry-run -c <this file>`, then probe with `xprobe check`.\n"
    );
    for a in &d.accounts {
        if let Some(id) = &a.id {
            let _ = writeln!(out, "# account {id}");
        }
        if let Some(note) = &a.note {
            let _ = writeln!(out, "# {note}");
        }
        let _ = writeln!(out, "[accounts.{}]", a.name);
        let _ = writeln!(out, "region = {}", q(&a.region));
        match &a.credentials {
            DraftCredentials::Profile(p) => {
                let _ = writeln!(out, "profile = {}", q(p));
            }
            DraftCredentials::Role(r) => {
                let _ = writeln!(out, "role_arn = {}", q(r));
            }
            DraftCredentials::DefaultChain => {
                let _ = writeln!(out, "# no profile or role_arn: the default credential chain");
            }
        }
        if let Some(f) = &a.profile_file {
            let _ = writeln!(out, "profile_file = {}", q(f));
        }
        if let Some(u) = &a.endpoint_url {
            let _ = writeln!(out, "endpoint_url = {}", q(u));
        }
        out.push('\n');
    }
    out.push_str("[mqtt]\n");
    match &d.mqtt_files {
        None => out.push_str(
            "# The iot-data Publish API with the source account's credentials: no device certificate.\n\
             # For MQTT over TLS, as devices publish: publish = \"mqtt\" with client_cert and client_key.\n\
             publish = \"https\"\n",
        ),
        Some(m) => {
            if let Some(e) = &m.endpoint {
                let _ = writeln!(out, "endpoint = {}", q(e));
            }
            if let Some(p) = m.port {
                let _ = writeln!(out, "port = {p}");
            }
            let _ = writeln!(out, "client_cert = {}", q(&m.client_cert));
            let _ = writeln!(out, "client_key = {}", q(&m.client_key));
            if let Some(ca) = &m.ca {
                let _ = writeln!(out, "ca = {}", q(ca));
            }
        }
    }
    for r in &d.routes {
        out.push('\n');
        let _ = writeln!(out, "# rule {}: {}", r.rule, r.sql.replace('\n', " "));
        if r.disabled {
            let _ = writeln!(
                out,
                "# The rule is DISABLED: every probe will be missing until it is enabled."
            );
        }
        let _ = writeln!(out, "[[routes]]");
        let _ = writeln!(out, "name = {}", q(&r.name));
        let _ = writeln!(out, "account = {}", q(&r.account));
        let _ = writeln!(out, "rule = {}", q(&r.rule));
        if let Some(t) = &r.topic {
            let _ = writeln!(
                out,
                "topic = {}   # the rule's FROM filter has wildcards; this topic matches it",
                q(t)
            );
        }
        out.push_str("basic_ingest = true   # probes reach this rule only, never device subscribers\n");
        for dest in &r.destinations {
            out.push('\n');
            render_destination(&mut out, &r.name, dest);
        }
    }
    out
}

fn render_destination(out: &mut String, route: &str, d: &DraftDestination) {
    match d {
        DraftDestination::Sqs { account, queue_url } => {
            let _ = writeln!(
                out,
                "[[routes.destinations]]\nkind = \"sqs\"\naccount = {}\nqueue_url = {}",
                q(account),
                q(queue_url)
            );
        }
        DraftDestination::Sns {
            account,
            topic_arn,
            tap_queue_url,
        } => {
            let _ = writeln!(
                out,
                "[[routes.destinations]]\nkind = \"sns\"\naccount = {}\ntopic_arn = {}",
                q(account),
                q(topic_arn)
            );
            match tap_queue_url {
                Some(u) => {
                    let _ = writeln!(out, "tap_queue_url = {}", q(u));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# No tap found on the topic: run `xprobe sns-tap create --route {route}` and add the line it prints."
                    );
                }
            }
        }
        DraftDestination::S3 { account, bucket } => {
            let _ = writeln!(
                out,
                "[[routes.destinations]]\nkind = \"s3\"\naccount = {}\nbucket = {}\n# cleanup = true   # delete the probe's own object once found",
                q(account),
                q(bucket)
            );
        }
        DraftDestination::Lambda { account, function_arn } => {
            let _ = writeln!(
                out,
                "[[routes.destinations]]\nkind = \"lambda\"\naccount = {}\nfunction_arn = {}",
                q(account),
                q(function_arn)
            );
        }
        DraftDestination::Skipped { kind, why } => {
            let _ = writeln!(out, "# action `{kind}` is not probed: {why}");
        }
    }
}

/// A concrete topic matching an MQTT topic filter: each `+` and `#` becomes
/// `xprobe`.
pub fn topic_for_filter(filter: &str) -> String {
    filter
        .split('/')
        .map(|level| if level == "+" || level == "#" { "xprobe" } else { level })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{parse_str, DestinationSpec, PublishMode};

    fn draft() -> Draft {
        Draft {
            accounts: vec![
                DraftAccount {
                    name: "source".into(),
                    id: Some("111111111111".into()),
                    region: "us-east-1".into(),
                    credentials: DraftCredentials::Profile("prod-a".into()),
                    profile_file: None,
                    endpoint_url: None,
                    note: None,
                },
                DraftAccount {
                    name: "dest".into(),
                    id: Some("222222222222".into()),
                    region: "us-east-1".into(),
                    credentials: DraftCredentials::Role("arn:aws:iam::222222222222:role/xprobe-reader".into()),
                    profile_file: None,
                    endpoint_url: Some("http://127.0.0.1:4610".into()),
                    note: Some("the destinations' account".into()),
                },
            ],
            mqtt_files: None,
            routes: vec![DraftRoute {
                name: "sqs_rule".into(),
                account: "source".into(),
                rule: "sqs_rule".into(),
                sql: "SELECT * FROM 'iot/+/data'".into(),
                topic: Some(topic_for_filter("iot/+/data")),
                disabled: true,
                destinations: vec![
                    DraftDestination::Sqs {
                        account: "dest".into(),
                        queue_url: "https://sqs.us-east-1.amazonaws.com/222222222222/q \"odd\"".into(),
                    },
                    DraftDestination::Sns {
                        account: "dest".into(),
                        topic_arn: "arn:aws:sns:us-east-1:222222222222:t".into(),
                        tap_queue_url: None,
                    },
                    DraftDestination::Skipped {
                        kind: "dynamoDBv2".into(),
                        why: "xprobe probes sqs, sns, s3 and lambda".into(),
                    },
                ],
            }],
        }
    }

    #[test]
    fn a_draft_is_a_valid_config() {
        let text = render(&draft());
        let c = parse_str(&text, Path::new("drafted.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(c.mqtt.publish, PublishMode::Https);
        assert_eq!(c.routes[0].topic.as_deref(), Some("iot/xprobe/data"));
        assert!(c.routes[0].basic_ingest);
        match &c.routes[0].destinations[0].spec {
            DestinationSpec::Sqs { queue_url } => assert!(queue_url.ends_with("q \"odd\"")),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.routes[0].destinations.len(), 2, "the skipped action is a comment");
        assert!(text.contains("xprobe sns-tap create --route sqs_rule"), "{text}");
        assert!(text.contains("DISABLED"), "{text}");
    }

    #[test]
    fn mqtt_files_make_an_mqtt_config() {
        let mut d = draft();
        d.mqtt_files = Some(MqttFiles {
            endpoint: Some("abc-ats.iot.us-east-1.amazonaws.com".into()),
            port: Some(8883),
            client_cert: "device.pem.crt".into(),
            client_key: "private.pem.key".into(),
            ca: None,
        });
        let c = parse_str(&render(&d), Path::new("drafted.toml")).unwrap();
        assert_eq!(c.mqtt.publish, PublishMode::Mqtt);
        assert_eq!(c.mqtt.endpoint.as_deref(), Some("abc-ats.iot.us-east-1.amazonaws.com"));
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(q("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
    }

    #[test]
    fn wildcard_levels_become_a_matching_topic() {
        assert_eq!(topic_for_filter("a/+/b/#"), "a/xprobe/b/xprobe");
        assert_eq!(topic_for_filter("iot/test"), "iot/test");
    }
}
