//! Helpers for integration tests that run the real `xprobe` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The result of running the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

/// Runs `xprobe` with `args`.
pub fn xprobe(args: &[&str]) -> Run {
    run(Command::new(env!("CARGO_BIN_EXE_xprobe"))
        .args(args)
        .current_dir(root())
        .env_remove("AWS_ENDPOINT_URL"))
}

/// Runs a prepared command and collects what it printed.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run the command");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `deploy/sandbox/ctl` and returns its JSON output.
pub fn ctl(args: &[&str]) -> serde_json::Value {
    let out = Command::new(root().join("deploy/sandbox/ctl"))
        .args(args)
        .output()
        .expect("run ctl");
    assert!(
        out.status.success(),
        "ctl {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Runs the sandbox venv's aws CLI as account `a` or `b`; returns JSON.
pub fn aws(account: &str, args: &[&str]) -> serde_json::Value {
    let key = if account == "a" { "111111111111" } else { "222222222222" };
    let out = Command::new(root().join(".sandbox/venv/bin/aws"))
        .args([
            "--endpoint-url",
            "http://127.0.0.1:4610",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .expect("run aws");
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Copies a config into `dir`, with its `../.sandbox` paths made absolute,
/// applying `edit` to the text. Returns the new path.
pub fn sandbox_config(dir: &Path, edit: impl FnOnce(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(root().join("probes/sandbox.toml")).expect("read sandbox.toml");
    let text = text.replace("../.sandbox", &root().join(".sandbox").display().to_string());
    let path = dir.join("xprobe.toml");
    std::fs::write(&path, edit(text)).expect("write config");
    path
}

/// The destinations of route `name` in a JSON report.
pub fn destinations<'a>(report: &'a serde_json::Value, name: &str) -> &'a Vec<serde_json::Value> {
    report["routes"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["name"] == name))
        .and_then(|r| r["destinations"].as_array())
        .unwrap_or_else(|| panic!("route {name} not in {report}"))
}

/// The findings of one route of a `diagnose -o json` report.
pub fn findings(route: &serde_json::Value) -> &Vec<serde_json::Value> {
    route["findings"].as_array().expect("findings")
}

/// Each finding of a route as `severity:code`, in report order.
pub fn finding_codes(route: &serde_json::Value) -> Vec<String> {
    findings(route)
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["severity"].as_str().unwrap_or("?"),
                f["code"].as_str().unwrap_or("?")
            )
        })
        .collect()
}
