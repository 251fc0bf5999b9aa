//! xprobe's S3 key rendering against a second implementation: the sandbox
//! rules companion's `render_key.py` (written from the AWS docs, standard
//! library only). Same inputs, same keys, or the same known prefix.

use std::process::Command;

use serde_json::{json, Value};
use xprobe::rule::{Rendered, Template, TemplateContext};

struct Case {
    template: &'static str,
    topic: &'static str,
    payload: Value,
    client_id: Option<&'static str>,
    timestamp: Option<i64>,
}

fn companion(c: &Case) -> Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cmd = Command::new("python3");
    cmd.arg(format!("{root}/deploy/sandbox/companion/render_key.py")).args([
        "--template",
        c.template,
        "--topic",
        c.topic,
        "--payload",
        &c.payload.to_string(),
    ]);
    if let Some(id) = c.client_id {
        cmd.args(["--clientid", id]);
    }
    if let Some(ts) = c.timestamp {
        cmd.args(["--timestamp", &ts.to_string()]);
    }
    let out = cmd.output().expect("python3 render_key.py");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn ours(c: &Case) -> Value {
    let t = Template::parse(c.template).unwrap();
    let ctx = TemplateContext {
        topic: c.topic,
        client_id: Some(c.client_id.unwrap_or("n/a")),
        timestamp_ms: c.timestamp,
        payload: &c.payload,
        principal: None,
    };
    match t.render(&ctx) {
        Rendered::Exact(key) => json!({"exact": true, "key": key}),
        Rendered::Partial { known_prefix, .. } => json!({"exact": false, "known_prefix": known_prefix}),
    }
}

#[test]
fn key_rendering_matches_the_companion() {
    let probe = json!({"temperature": 21, "xprobe": {"id": "01KBNPROBE", "sent_at_ms": 1, "route": "s3"}, "device": {"id": 7, "name": "th-1"}});
    let cases = [
        Case {
            template: "${topic()}/${timestamp()}",
            topic: "iot/test",
            payload: probe.clone(),
            client_id: None,
            timestamp: Some(1_764_879_000_123),
        },
        Case {
            template: "${topic()}/${timestamp()}",
            topic: "$aws/rules/s3_rule/iot/test",
            payload: probe.clone(),
            client_id: Some("xprobe-1"),
            timestamp: None,
        },
        Case {
            template: "probes/${xprobe.id}.json",
            topic: "iot/test",
            payload: probe.clone(),
            client_id: None,
            timestamp: None,
        },
        Case {
            template: "${topic(2)}/${newuuid()}",
            topic: "iot/test/deep",
            payload: probe.clone(),
            client_id: None,
            timestamp: None,
        },
        Case {
            template: "${clientid()}-${timestamp()}",
            topic: "iot/test",
            payload: probe.clone(),
            client_id: Some("dev-9"),
            timestamp: Some(42),
        },
        Case {
            template: "${clientid()}/x",
            topic: "iot/test",
            payload: probe.clone(),
            client_id: None,
            timestamp: None,
        },
        Case {
            template: "raw/literal.json",
            topic: "iot/test",
            payload: probe.clone(),
            client_id: None,
            timestamp: None,
        },
        Case {
            template: "d/${device.id}/${device.name}/${missing.field}end",
            topic: "a/b",
            payload: probe.clone(),
            client_id: None,
            timestamp: None,
        },
        Case {
            template: "t/${topic(1)}/${topic(3)}/${temperature}",
            topic: "$aws/rules/r/one/two/three",
            payload: probe.clone(),
            client_id: None,
            timestamp: None,
        },
    ];
    for c in &cases {
        assert_eq!(ours(c), companion(c), "template {} on topic {}", c.template, c.topic);
    }
}
