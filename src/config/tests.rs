//! Config parsing and every validation error, with snapshots of the messages.

use std::path::Path;
use std::time::Duration;

use super::*;

const GOOD: &str = r#"
[accounts.source]
region = "us-east-1"
profile = "a"

[accounts.dest]
region = "us-east-1"
role_arn = "arn:aws:iam::222222222222:role/xprobe-reader"
external_id = "xyz"

[mqtt]
endpoint = "abc-ats.iot.us-east-1.amazonaws.com"
client_cert = "certs/device.pem.crt"
client_key = "certs/private.pem.key"

[[routes]]
name = "sqs"
account = "source"
rule = "sqs_rule"
payload = '{"temperature": 21}'

[[routes.destinations]]
kind = "sqs"
account = "dest"
queue_url = "https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue"

[[routes]]
name = "sns"
account = "source"
rule = "sns_rule"
topic = "iot/test"
basic_ingest = true
deadline = "5s"
payload = { temperature = 21, nested = { ok = true } }

[[routes.destinations]]
kind = "sns"
account = "dest"
topic_arn = "arn:aws:sns:us-east-1:222222222222:ExampleTopic"
"#;

fn parse(src: &str) -> Result<Config, ConfigError> {
    parse_str(src, Path::new("probes/test.toml"))
}

fn problems(src: &str) -> String {
    match parse(src) {
        Ok(_) => panic!("expected problems"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_good_config_parses_with_defaults() {
    let c = parse(GOOD).unwrap();
    assert_eq!(c.accounts.len(), 2);
    assert_eq!(c.mqtt.port, 8883);
    assert_eq!(c.mqtt.publish, PublishMode::Mqtt);
    assert_eq!(
        c.mqtt.client_cert.as_deref(),
        Some(Path::new("probes/certs/device.pem.crt"))
    );
    assert!(c.mqtt.client_id.starts_with("xprobe-"));
    let sqs = c.route("sqs").unwrap();
    assert_eq!(sqs.deadline, Duration::from_secs(30));
    assert_eq!(sqs.interval, Duration::from_secs(60));
    assert!(!sqs.basic_ingest);
    assert_eq!(sqs.topic, None);
    assert_eq!(sqs.payload["temperature"], 21);
    let sns = c.route("sns").unwrap();
    assert!(sns.basic_ingest);
    assert_eq!(sns.deadline, Duration::from_secs(5));
    assert_eq!(sns.payload["nested"]["ok"], true);
    assert!(matches!(
        &sns.destinations[0].spec,
        DestinationSpec::Sns {
            tap_queue_url: None,
            ..
        }
    ));
    assert!(matches!(
        &c.account("dest").unwrap().credentials,
        CredentialSource::AssumeRole { external_id: Some(x), session_name, .. } if x == "xyz" && session_name == "xprobe"
    ));
    assert!(
        matches!(&c.account("source").unwrap().credentials, CredentialSource::Profile { name, file: None } if name == "a")
    );
}

#[test]
fn https_publishing_needs_no_certificate() {
    let src = GOOD.replace(
        "client_cert = \"certs/device.pem.crt\"\nclient_key = \"certs/private.pem.key\"",
        "publish = \"https\"",
    );
    let c = parse(&src).unwrap();
    assert_eq!(c.mqtt.publish, PublishMode::Https);
    assert_eq!(c.mqtt.client_cert, None);
}

#[test]
fn unknown_keys_are_reported_with_line_and_suggestion() {
    let src = GOOD.replace("queue_url =", "queue_ulr =").replace(
        "region = \"us-east-1\"\nprofile",
        "regoin = \"x\"\nregion = \"us-east-1\"\nprofile",
    );
    insta::assert_snapshot!(problems(&src));
}

#[test]
fn all_problems_are_reported_at_once() {
    let src = r#"
[accounts.source]
region = "useast1"
role_arn = "arn:aws:iam::1111-1111-1111:role/x"

[mqtt]
publish = "websocket"
port = 99999

[[routes]]
name = "sqs route"
account = "sorce"
rule = "my-rule"
topic = "iot/#"
deadline = "soon"
payload = '{"xprobe": 1}'

[[routes.destinations]]
kind = "sqs"
account = "source"
queue_url = "https://sqs.region.amazonaws.com/2222-2222-2222/ExampleQueue"

[[routes.destinations]]
kind = "s4"
account = "source"

[[routes]]
name = "sns"
account = "source"
rule = "sns_rule"
basic_ingest = "yes"

[[routes.destinations]]
kind = "sns"
account = "source"
topic_arn = "arn:aws:sqs:us-east-1:222222222222:NotATopic"
"#;
    let e = parse(src).unwrap_err();
    assert!(e.problems().len() >= 12, "{e}");
    insta::assert_snapshot!(e.to_string());
}

#[test]
fn missing_sections_are_named() {
    insta::assert_snapshot!(problems(""));
}

#[test]
fn mqtt_mode_requires_certificate_files() {
    let src = GOOD.replace(
        "client_cert = \"certs/device.pem.crt\"\nclient_key = \"certs/private.pem.key\"\n",
        "",
    );
    let msg = problems(&src);
    assert!(
        msg.contains("`mqtt.client_cert`: is required when publish = \"mqtt\""),
        "{msg}"
    );
    assert!(msg.contains("`mqtt.client_key`: is required"), "{msg}");
}

#[test]
fn duplicate_route_names_and_empty_destinations() {
    let src = format!("{GOOD}\n[[routes]]\nname = \"sqs\"\naccount = \"source\"\nrule = \"r\"\n");
    let msg = problems(&src);
    assert!(msg.contains("route `sqs` is defined twice"), "{msg}");
    assert!(msg.contains("the route has no destinations"), "{msg}");
}

#[test]
fn credential_keys_that_do_not_apply_are_flagged() {
    let src = GOOD.replace("profile = \"a\"", "external_id = \"x\"\nprofile_file = \"f\"");
    let msg = problems(&src);
    assert!(
        msg.contains("`accounts.source.external_id`: only applies with role_arn"),
        "{msg}"
    );
    assert!(
        msg.contains("`accounts.source.profile_file`: only applies with profile"),
        "{msg}"
    );
}

#[test]
fn syntax_errors_give_the_line() {
    let e = parse("[accounts.source\nregion = 1").unwrap_err();
    assert!(matches!(e, ConfigError::Syntax { line: 1, .. }), "{e:?}");
    assert!(
        e.to_string().starts_with("probes/test.toml is not valid TOML: line 1"),
        "{e}"
    );
}

#[test]
fn a_missing_file_is_a_read_error() {
    let e = load(Path::new("/nonexistent/xprobe.toml")).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with("cannot read config file /nonexistent/xprobe.toml: No such file or directory"),
        "{shown}"
    );
    assert!(
        shown.contains("hint: pass --config FILE") && shown.contains("xprobe init"),
        "{shown}"
    );
    let p = &e.problems()[0];
    assert!(
        p.hint.as_deref().is_some_and(|h| h.starts_with("pass --config FILE")),
        "{p:?}"
    );
}

#[test]
fn the_shipped_example_configs_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("probes");
    let mut n = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            load(&path).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 1);
}
