//! `xprobe run` against the sandbox: scraped by a real Prometheus, through a
//! sandbox restart, a reload, promtool's metrics lint, and a broken route.
//! Run with `scripts/test` (or `deploy/sandbox/up` then
//! `cargo nextest run --features integration -E 'binary(daemon)'`).

#![cfg(feature = "integration")]

mod common;
mod daemon_util;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{ctl, root, sandbox_config};
use daemon_util::{sample, sum, wait_for, Daemon, Prometheus};

/// The probe interval of every test config.
const INTERVAL: Duration = Duration::from_secs(2);

/// probes/sandbox.toml with a short interval and deadline.
fn fast_config(dir: &Path) -> PathBuf {
    sandbox_config(dir, |t| {
        t.replace("deadline = \"10s\"", "deadline = \"1500ms\"\ninterval = \"2s\"")
    })
}

fn success(text: &str, route: &str) -> Option<f64> {
    sample(text, "xprobe_probe_success", &[("route", route)])
}

/// The routes of the daemon's config, from `/status`.
fn routes(daemon: &Daemon) -> Vec<String> {
    daemon.status()["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// A predicate on the metrics text: every route's last probe delivered.
fn all_succeed(routes: &[String]) -> impl Fn(&str) -> bool + '_ {
    move |text| routes.iter().all(|r| success(text, r) == Some(1.0))
}

/// One route's entry in `/status`.
fn route_status(daemon: &Daemon, name: &str) -> serde_json::Value {
    daemon.status()["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("route {name} not in /status"))
}

/// Non-delivered probes so far, over every route.
fn failures(text: &str) -> f64 {
    ["missing", "error", "timeout"]
        .iter()
        .map(|r| sum(text, "xprobe_probes_total", &[("result", r)]))
        .sum()
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

fn sandbox(script: &str) {
    let out = Command::new(root().join("deploy/sandbox").join(script))
        .output()
        .expect("run the sandbox script");
    assert!(
        out.status.success(),
        "deploy/sandbox/{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn prometheus_scrapes_success_for_every_sandbox_route() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(&fast_config(dir.path()), dir.path());
    let prom = Prometheus::start(daemon.addr, dir.path());
    let names = routes(&daemon);
    assert!(names.len() >= 2, "{names:?}");

    let seen = wait_for(
        Duration::from_secs(60),
        "Prometheus to see xprobe_probe_success == 1 for every route",
        || {
            let found: BTreeSet<String> = prom
                .query("xprobe_probe_success == 1")
                .iter()
                .filter_map(|s| s["metric"]["route"].as_str().map(String::from))
                .collect();
            (found.len() == names.len()).then_some(found)
        },
    );
    assert_eq!(seen, names.iter().cloned().collect());
    let build = prom.query("xprobe_build_info");
    assert_eq!(build[0]["metric"]["version"], env!("CARGO_PKG_VERSION"));

    assert_eq!(daemon.get("/readyz").unwrap().0, 200);
    let status = daemon.status();
    assert_eq!(status["ready"], true, "{status}");
    for r in status["routes"].as_array().unwrap() {
        assert_eq!(r["last_outcome"], "delivered", "{r}");
        assert!(r["destinations"][0]["latency_ms"].as_u64().is_some(), "{r}");
    }

    let (code, body) = daemon.get("/probe?route=sqs").unwrap();
    assert_eq!(code, 200, "{body}");
    let probe: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(probe["result"]["destinations"][0]["status"], "delivered");
    let text = probe["metrics"].as_str().unwrap();
    assert_eq!(success(text, "sqs"), Some(1.0), "{text}");
    assert_eq!(success(text, "sns"), None, "only the probed route: {text}");
    let (code, body) = daemon.get("/probe?route=sqsx").unwrap();
    assert_eq!(code, 404);
    assert!(body.contains("did you mean `sqs`"), "{body}");

    let exit = daemon.stop();
    assert_eq!(exit.code(), Some(0), "SIGTERM is a graceful stop");
}

#[test]
fn the_daemon_rides_out_a_sandbox_restart() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(&fast_config(dir.path()), dir.path());
    let names = routes(&daemon);
    let before = daemon.wait_metrics(Duration::from_secs(30), "first deliveries", all_succeed(&names));
    let reconnects = sample(&before, "xprobe_mqtt_reconnects_total", &[]).unwrap();

    sandbox("down");
    let down_failures = failures(&daemon.metrics());
    let text = daemon.wait_metrics(
        Duration::from_secs(30),
        "failures to be counted while the sandbox is down",
        |t| failures(t) >= down_failures + 2.0 && names.iter().all(|r| success(t, r) == Some(0.0)),
    );
    assert_eq!(sample(&text, "xprobe_mqtt_connected", &[]), Some(0.0));
    let (code, body) = daemon.get("/readyz").unwrap();
    assert_eq!(code, 503, "{body}");
    assert!(daemon.alive());

    sandbox("up");
    let back = Instant::now();
    let back_unix = unix_now();
    daemon.wait_metrics(
        Duration::from_secs(30),
        "fresh deliveries on every route after the sandbox is back",
        |t| {
            names.iter().all(|r| {
                sample(t, "xprobe_last_success_timestamp_seconds", &[("route", r)]).is_some_and(|ts| ts >= back_unix)
            })
        },
    );
    let recovered = back.elapsed();
    assert!(
        recovered <= 2 * INTERVAL + Duration::from_secs(1),
        "recovered {recovered:?} after the sandbox came back (interval {INTERVAL:?})\n{}",
        daemon.logs()
    );
    let text = daemon.metrics();
    assert!(
        sample(&text, "xprobe_mqtt_reconnects_total", &[]).unwrap() > reconnects,
        "{text}"
    );
    assert_eq!(sample(&text, "xprobe_mqtt_connected", &[]), Some(1.0));
    assert_eq!(daemon.get("/readyz").unwrap().0, 200);
    assert!(daemon.alive());
    assert_eq!(daemon.stop().code(), Some(0));
}

#[test]
fn a_broken_reload_keeps_the_old_config_and_a_good_one_applies() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(dir.path());
    let good = std::fs::read_to_string(&config).unwrap();
    let mut daemon = Daemon::start(&config, dir.path());
    let names = routes(&daemon);
    daemon.wait_metrics(Duration::from_secs(30), "first deliveries", all_succeed(&names));
    let pid = daemon.pid();

    std::fs::write(&config, good.replace("[mqtt]", "[mqtt\n")).unwrap();
    daemon.signal("HUP");
    let text = daemon.wait_metrics(Duration::from_secs(10), "the failed reload", |t| {
        sample(t, "xprobe_config_last_reload_successful", &[]) == Some(0.0)
    });
    assert_eq!(sample(&text, "xprobe_config_reload_failures_total", &[]), Some(1.0));
    let status = daemon.status();
    let error = status["config"]["last_reload"]["error"].as_str().unwrap();
    assert!(error.contains("not valid TOML"), "{status}");
    assert!(daemon.logs().contains("Config reload failed"), "{}", daemon.logs());
    let delivered = |t: &str| sum(t, "xprobe_probes_total", &[("route", "sqs"), ("result", "delivered")]);
    let after_failure = delivered(&text);
    daemon.wait_metrics(Duration::from_secs(10), "the old config to keep probing", |t| {
        delivered(t) >= after_failure + 1.0
    });

    let (code, body) = daemon.post("/-/reload");
    assert_eq!(code, 500, "{body}");
    assert!(body.contains("not valid TOML"), "{body}");

    std::fs::write(&config, good.replace("name = \"sns\"", "name = \"sns2\"")).unwrap();
    daemon.signal("HUP");
    let text = daemon.wait_metrics(Duration::from_secs(20), "the new route to deliver", |t| {
        success(t, "sns2") == Some(1.0)
    });
    assert_eq!(sample(&text, "xprobe_config_last_reload_successful", &[]), Some(1.0));
    assert_eq!(success(&text, "sns"), None, "the removed route's series are gone");
    assert_eq!(success(&text, "sqs"), Some(1.0));

    std::fs::write(&config, &good).unwrap();
    let (code, body) = daemon.post("/-/reload");
    assert_eq!(code, 200, "{body}");
    daemon.wait_metrics(Duration::from_secs(20), "sns back after POST /-/reload", |t| {
        success(t, "sns") == Some(1.0) && success(t, "sns2").is_none()
    });
    assert!(daemon.alive());
    assert_eq!(daemon.pid(), pid, "applied without a restart");
}

#[test]
fn metrics_pass_promtool_check_metrics() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(&fast_config(dir.path()), dir.path());
    let names = routes(&daemon);
    let text = daemon.wait_metrics(Duration::from_secs(30), "deliveries", |t| {
        all_succeed(&names)(t) && t.contains("xprobe_aws_api_calls_total{")
    });
    for family in [
        "xprobe_probe_success",
        "xprobe_probes_total",
        "xprobe_delivery_latency_seconds",
        "xprobe_publish_duration_seconds",
        "xprobe_last_success_timestamp_seconds",
        "xprobe_mqtt_connected",
        "xprobe_mqtt_reconnects_total",
        "xprobe_aws_api_calls_total",
        "xprobe_config_last_reload_successful",
        "xprobe_build_info",
    ] {
        assert!(text.contains(&format!("# TYPE {family} ")), "{family} in\n{text}");
    }
    let mut lint = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool (Debian package `prometheus`)");
    lint.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = lint.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_broken_route_gets_an_error_finding() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(&fast_config(dir.path()), dir.path());
    let names = routes(&daemon);
    daemon.wait_metrics(Duration::from_secs(30), "first deliveries", all_succeed(&names));

    ctl(&["break", "sqs-policy-removed"]);
    let text = daemon.wait_metrics(Duration::from_secs(30), "the sqs-policy-denies finding on sqs", |t| {
        sample(
            t,
            "xprobe_finding",
            &[("route", "sqs"), ("code", "sqs-policy-denies"), ("severity", "error")],
        ) == Some(1.0)
    });
    let code = "sqs-policy-denies".to_string();
    assert_eq!(success(&text, "sqs"), Some(0.0));
    assert_eq!(success(&text, "sns"), Some(1.0), "the other route is unaffected");

    let sqs = route_status(&daemon, "sqs");
    let findings = sqs["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == code.as_str() && f["severity"] == "error"),
        "{sqs}"
    );
    assert_ne!(sqs["last_outcome"], "delivered", "{sqs}");

    ctl(&["reset"]);
    daemon.wait_metrics(Duration::from_secs(30), "the finding to resolve", |t| {
        success(t, "sqs") == Some(1.0) && !t.contains("xprobe_finding{")
    });
    assert!(daemon.status()["routes"][1]["findings"].as_array().unwrap().is_empty());
}

/// Two connections with one client id knock each other off (AWS IoT allows
/// one connection per client id; ministack, like AWS, sends the old one
/// DISCONNECT 0x8E Session taken over). The daemon names that as the cause.
#[test]
fn another_login_with_the_client_id_is_named_as_the_cause() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox_config(dir.path(), |t| {
        t.replace(
            "connect_timeout = \"5s\"",
            "connect_timeout = \"5s\"\nclient_id = \"xprobe-shared-id\"",
        )
    });
    let daemon = Daemon::start(&config, dir.path());
    wait_for(Duration::from_secs(20), "the publisher to connect", || {
        (daemon.status()["publisher"]["up"] == true).then_some(())
    });

    let certs = root().join(".sandbox/certs");
    let other = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            "18883",
            "-V",
            "mqttv5",
            "-q",
            "1",
            "-i",
            "xprobe-shared-id",
        ])
        .arg("--cafile")
        .arg(certs.join("ca.pem"))
        .arg("--cert")
        .arg(certs.join("device.pem.crt"))
        .arg("--key")
        .arg(certs.join("private.pem.key"))
        .args(["-t", "devices/other", "-m", "a device with xprobe's client id"])
        .output()
        .expect("run mosquitto_pub");
    assert!(other.status.success(), "{}", String::from_utf8_lossy(&other.stderr));

    let status = wait_for(Duration::from_secs(20), "the takeover in /status", || {
        let s = daemon.status();
        (s["publisher"]["last_drop_code"] == "mqtt-client-id-in-use").then_some(s)
    });
    let drop = status["publisher"]["last_drop"].as_str().unwrap_or_default();
    assert!(
        drop.contains("another connection logged in with the same client id"),
        "{status}\n{}",
        daemon.logs()
    );
    wait_for(Duration::from_secs(20), "the daemon to reconnect", || {
        let s = daemon.status();
        (s["publisher"]["up"] == true && s["publisher"]["reconnects"].as_u64() >= Some(1)).then_some(())
    });
    assert!(daemon.logs().contains("SessionTakenOver"), "{}", daemon.logs());
}
