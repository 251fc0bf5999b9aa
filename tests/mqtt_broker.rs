//! MQTT failures ministack cannot produce, against a real Debian mosquitto
//! with TLS and an ACL (tests/fixtures/mosquitto). No AWS calls happen: the
//! routes name their topic, and publishing fails before any verification.

#![cfg(feature = "integration")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{root, xprobe, Run};

/// A running mosquitto, stopped by PID on drop.
struct Broker {
    dir: tempfile::TempDir,
    info: serde_json::Value,
}

impl Broker {
    fn start() -> Broker {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(root().join("tests/fixtures/mosquitto/start"))
            .arg(dir.path())
            .output()
            .expect("start mosquitto");
        assert!(
            out.status.success(),
            "mosquitto start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let info = serde_json::from_slice(&out.stdout).expect("broker.json");
        Broker { dir, info }
    }

    fn path(&self, key: &str) -> PathBuf {
        PathBuf::from(self.info[key].as_str().unwrap())
    }

    fn port(&self) -> u64 {
        self.info["port"].as_u64().unwrap()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = Command::new(root().join("tests/fixtures/mosquitto/stop"))
            .arg(self.dir.path())
            .status();
    }
}

fn config(dir: &Path, port: u64, ca: &Path, cert: &Path, key: &Path, topic: &str) -> PathBuf {
    let text = format!(
        r#"
[accounts.source]
region = "us-east-1"
endpoint_url = "http://127.0.0.1:9"

[mqtt]
endpoint = "127.0.0.1"
port = {port}
ca = "{ca}"
client_cert = "{cert}"
client_key = "{key}"
client_id = "xprobe-test"
connect_timeout = "2s"

[[routes]]
name = "r"
account = "source"
rule = "sqs_rule"
topic = "{topic}"
deadline = "1s"

[[routes.destinations]]
kind = "sqs"
account = "source"
queue_url = "https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue"
"#,
        ca = ca.display(),
        cert = cert.display(),
        key = key.display()
    );
    let path = dir.join("xprobe.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn check(config: &Path) -> Run {
    xprobe(&["check", "-c", config.to_str().unwrap(), "-o", "json"])
}

/// Starts a broker and runs `check` against it, presenting these files
/// (keys of broker.json) and publishing to `topic`.
fn probe(ca: &str, cert: &str, key: &str, topic: &str) -> Run {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), b.port(), &b.path(ca), &b.path(cert), &b.path(key), topic);
    check(&cfg)
}

fn publish_error(run: &Run) -> String {
    run.json()["routes"][0]["publish"]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_allowed_topic_publishes_and_gets_its_puback() {
    let run = probe("ca", "cert", "key", "allowed/probe");
    let r = run.json();
    let p = &r["routes"][0]["publish"];
    assert!(p["error"].is_null(), "{p}");
    assert!(p["publish_ms"].as_u64().is_some(), "{p}");
    // The queue is not reachable here, so the destination is an error, not "delivered".
    assert_eq!(r["routes"][0]["destinations"][0]["status"], "error");
    assert_eq!(run.code, 1);
}

#[test]
fn a_wrong_ca_is_reported_as_untrusted() {
    let run = probe("wrong_ca", "cert", "key", "allowed/probe");
    assert_eq!(run.code, 3, "{}", run.stdout);
    let e = publish_error(&run);
    assert!(e.contains("is not trusted"), "{e}");
    assert!(run.json()["routes"][0]["publish"]["hint"]
        .as_str()
        .unwrap()
        .contains("AmazonRootCA1"));
}

#[test]
fn a_topic_denied_by_the_acl_is_not_authorized() {
    let run = probe("ca", "cert", "key", "denied/probe");
    assert_eq!(run.code, 3, "{}", run.stdout);
    let e = publish_error(&run);
    assert!(e.contains("not authorized to publish to `denied/probe`"), "{e}");
    assert!(e.contains("0x87"), "{e}");
}

#[test]
fn a_client_certificate_from_another_ca_is_rejected() {
    let run = probe("ca", "wrong_ca", "wrong_ca_key", "allowed/probe");
    assert_eq!(run.code, 3, "{}", run.stdout);
    let e = publish_error(&run);
    assert!(e.contains("refused the client certificate"), "{e}");
}

#[test]
fn a_closed_port_fails_clearly_within_the_connect_timeout() {
    let b = Broker::start();
    // A port that was free a moment ago: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        u64::from(port),
        &b.path("ca"),
        &b.path("cert"),
        &b.path("key"),
        "allowed/probe",
    );
    let started = Instant::now();
    let run = check(&cfg);
    let took = started.elapsed();
    assert_eq!(run.code, 3, "{}", run.stdout);
    let e = publish_error(&run);
    assert!(
        e.contains(&format!("MQTT endpoint 127.0.0.1:{port} is unreachable")),
        "{e}"
    );
    assert!(
        took < Duration::from_secs(2 + 3),
        "took {took:?}, connect_timeout is 2s"
    );
}
