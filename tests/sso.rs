//! IAM Identity Center (SSO) profiles, end to end: the profile's role
//! credentials come from a local stand-in for the SSO portal (the one AWS
//! API here that no emulator answers; it hands out the sandbox accounts'
//! keys), and the probe then runs against the real sandbox with them.

#![cfg(feature = "integration")]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::{ctl, destinations, root, sandbox_config, Run};

const START_URL: &str = "https://xprobe-test.awsapps.com/start";
const TOKEN: &str = "cached-sso-access-token";
/// What the portal hands out; ministack ignores the secret and the token
/// (the access key id is the account), so they can be anything.
const SECRET_KEY: &str = "portal-secret-key-7f3a";
const SESSION_TOKEN: &str = "portal-session-token-9c2e";

/// One GetRoleCredentials request as the portal saw it.
#[derive(Debug, Clone)]
struct Seen {
    target: String,
    bearer: Option<String>,
}

/// A stand-in for portal.sso.<region>.amazonaws.com on 127.0.0.1: answers
/// GetRoleCredentials for the bearer token [`TOKEN`] with the account id as
/// access key id (how the sandbox names its accounts), refuses any other
/// token as the portal does (401 UnauthorizedException), and records every
/// request.
struct Portal {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Portal {
    fn start() -> Portal {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the portal");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let target = line.split_whitespace().nth(1).unwrap_or_default().to_string();
                let mut bearer = None;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = h.split_once(':') {
                        if name.eq_ignore_ascii_case("x-amz-sso_bearer_token") {
                            bearer = Some(value.trim().to_string());
                        }
                    }
                }
                let account = target
                    .split(['?', '&'])
                    .find_map(|kv| kv.strip_prefix("account_id="))
                    .unwrap_or("000000000000")
                    .to_string();
                let valid = bearer.as_deref() == Some(TOKEN);
                log.lock().unwrap().push(Seen { target, bearer });
                let (status, extra, body) = if valid {
                    (
                        "200 OK",
                        "",
                        format!(
                            r#"{{"roleCredentials":{{"accessKeyId":"{account}","secretAccessKey":"{SECRET_KEY}","sessionToken":"{SESSION_TOKEN}","expiration":4102444800000}}}}"#
                        ),
                    )
                } else {
                    (
                        "401 Unauthorized",
                        "x-amzn-ErrorType: UnauthorizedException\r\n",
                        r#"{"message":"Session token not found or invalid"}"#.to_string(),
                    )
                };
                let mut out = stream;
                let _ = write!(
                    out,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Portal { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A home directory with an SSO token cache, and a shared config file with
/// one SSO profile per sandbox account.
fn sso_home(dir: &Path, token: &str, expires_at: &str) -> std::path::PathBuf {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("printf %s '{START_URL}' | sha1sum"))
        .output()
        .expect("sha1sum");
    let key = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let cache = dir.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join(format!("{key}.json")),
        format!(
            r#"{{"startUrl":"{START_URL}","region":"us-east-1","accessToken":"{token}","expiresAt":"{expires_at}"}}"#
        ),
    )
    .unwrap();
    let config = dir.join("aws-config");
    let mut text = String::new();
    for (profile, account) in [("sso-a", "111111111111"), ("sso-b", "222222222222")] {
        text.push_str(&format!(
            "[profile {profile}]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n\
             sso_account_id = {account}\nsso_role_name = ProbeReader\nregion = us-east-1\n\n"
        ));
    }
    std::fs::write(&config, text).unwrap();
    config
}

/// `xprobe check --route sqs` with the sandbox config switched to the SSO profiles.
fn check_with_sso(dir: &Path, portal: &Portal, aws_config: &Path) -> Run {
    check_with_sso_logging(dir, portal, aws_config, "warn")
}

fn check_with_sso_logging(dir: &Path, portal: &Portal, aws_config: &Path, rust_log: &str) -> Run {
    let sandbox_files = root().join(".sandbox/aws-config").display().to_string();
    let config = sandbox_config(dir, |t| {
        t.replace("xprobe-sandbox-a", "sso-a")
            .replace("xprobe-sandbox-b", "sso-b")
            .replace(&sandbox_files, &aws_config.display().to_string())
    });
    common::run(
        Command::new(env!("CARGO_BIN_EXE_xprobe"))
            .args(["check", "-c", config.to_str().unwrap(), "--route", "sqs", "-o", "json"])
            .env("HOME", dir)
            .env("AWS_ENDPOINT_URL_SSO", &portal.url)
            .env("RUST_LOG", rust_log)
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_CONFIG_FILE"),
    )
}

#[test]
fn sso_profiles_get_their_role_credentials_and_the_probe_is_delivered() {
    ctl(&["reset"]);
    let dir = tempfile::tempdir().unwrap();
    let portal = Portal::start();
    let aws_config = sso_home(dir.path(), TOKEN, "2099-01-01T00:00:00Z");
    let run = check_with_sso(dir.path(), &portal, &aws_config);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    let d = &destinations(&report, "sqs")[0];
    assert_eq!(d["status"], "delivered", "{d}");

    let seen = portal.seen();
    for account in ["111111111111", "222222222222"] {
        let asked = seen
            .iter()
            .find(|s| s.target.contains(&format!("account_id={account}")))
            .unwrap_or_else(|| panic!("no GetRoleCredentials for {account}: {seen:?}"));
        assert!(asked.target.starts_with("/federation/credentials?"), "{asked:?}");
        assert!(asked.target.contains("role_name=ProbeReader"), "{asked:?}");
        assert_eq!(asked.bearer.as_deref(), Some(TOKEN), "{asked:?}");
    }
}

#[test]
fn a_stale_sso_session_says_to_log_in_again() {
    let dir = tempfile::tempdir().unwrap();
    let portal = Portal::start();
    let aws_config = sso_home(dir.path(), "token-of-a-session-that-ended", "2001-01-01T00:00:00Z");
    let run = check_with_sso(dir.path(), &portal, &aws_config);
    assert_eq!(run.code, 3, "no probe could be sent:\n{}\n{}", run.stdout, run.stderr);
    assert!(!portal.seen().is_empty(), "the portal was asked");
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(shown.contains("aws sso login --profile sso-a"), "{shown}");
}

/// With every log level on, no credential, token, key or message body
/// reaches the log: not the SSO bearer token, not the role credentials the
/// portal hands out, not the device's private key, not a foreign message
/// read from the queue.
#[test]
fn trace_logs_hold_no_credentials_keys_or_message_bodies() {
    ctl(&["reset"]);
    let foreign = "foreign-body-marker-41d8";
    let url = common::aws("b", &["sqs", "get-queue-url", "--queue-name", "ExampleQueue"]);
    common::aws(
        "b",
        &[
            "sqs",
            "send-message",
            "--queue-url",
            url["QueueUrl"].as_str().unwrap(),
            "--message-body",
            &format!("{{\"note\":\"{foreign}\"}}"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let portal = Portal::start();
    let aws_config = sso_home(dir.path(), TOKEN, "2099-01-01T00:00:00Z");
    let run = check_with_sso_logging(dir.path(), &portal, &aws_config, "trace");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.json();
    let d = &destinations(&report, "sqs")[0];
    assert!(
        d["foreign_seen"].as_u64().unwrap() >= 1,
        "the foreign messages were read: {d}"
    );
    assert!(
        run.stderr.lines().count() > 100,
        "trace logging is on: {} lines",
        run.stderr.lines().count()
    );
    assert!(
        !run.stderr.contains('\u{1b}'),
        "no colour codes when stderr is not a terminal"
    );

    let key = std::fs::read_to_string(root().join(".sandbox/certs/private.pem.key")).unwrap();
    let key_line = key.lines().nth(1).expect("a base64 line of the key");
    for (what, secret) in [
        ("the SSO bearer token", TOKEN),
        ("the role's secret key", SECRET_KEY),
        ("the role's session token", SESSION_TOKEN),
        ("the device's private key", key_line),
        ("a foreign message body", foreign),
    ] {
        let leaks: Vec<String> = run
            .stderr
            .lines()
            .filter(|l| l.contains(secret))
            .map(|l| l.chars().take(300).collect())
            .collect();
        assert!(
            leaks.is_empty(),
            "{what} is in the log, {} times:\n{}",
            leaks.len(),
            leaks.join("\n")
        );
    }
}

/// A profile name that is not in the profile file (a typo) is named, with
/// the profiles that are there.
#[test]
fn an_undefined_profile_names_the_profiles_that_are_defined() {
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox_config(dir.path(), |t| t.replace("xprobe-sandbox-a", "xprobe-sandbox-typo"));
    let run = common::run(
        Command::new(env!("CARGO_BIN_EXE_xprobe"))
            .args(["check", "-c", config.to_str().unwrap(), "--route", "sqs", "-o", "json"])
            .env("HOME", dir.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_CONFIG_FILE"),
    );
    assert_eq!(run.code, 3, "no probe could be sent:\n{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    let hint = report["routes"][0]["publish"]["hint"].as_str().unwrap_or_default();
    assert!(
        hint.starts_with("profile `xprobe-sandbox-typo` is not defined in ")
            && hint.ends_with("defined there: xprobe-sandbox-a, xprobe-sandbox-b"),
        "{hint}"
    );
    assert!(
        !run.stderr.contains("WARN"),
        "no SDK warnings by default: {}",
        run.stderr
    );
}
