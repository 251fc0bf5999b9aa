//! Helpers for the `xprobe run` integration tests: the daemon as a child
//! process, a tiny HTTP client, the metrics text, and a real Prometheus.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How often conditions are polled.
const POLL: Duration = Duration::from_millis(200);

/// A free port on 127.0.0.1 (bound and released; good enough for tests).
pub fn free_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr")
}

/// Polls `f` until it returns `Some`, or panics after `within`.
pub fn wait_for<T>(within: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < until, "timed out after {within:?} waiting for {what}");
        std::thread::sleep(POLL);
    }
}

/// A plain HTTP/1.1 request; returns the status code and body, or `None`
/// when nothing answers.
pub fn http(addr: SocketAddr, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    Some((code, if chunked { dechunk(body) } else { body.to_string() }))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The value of the first sample of `name` whose labels include `labels`.
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (series, value) = l.rsplit_once(' ')?;
        let (n, rest) = series.split_once('{').unwrap_or((series, "}"));
        if n != name {
            return None;
        }
        let have: BTreeMap<&str, &str> = rest
            .trim_end_matches('}')
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.trim_matches('"')))
            .collect();
        labels
            .iter()
            .all(|(k, v)| have.get(k) == Some(v))
            .then(|| value.parse().ok())?
    })
}

/// The sum of every sample of `name` whose labels include `labels`.
pub fn sum(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter_map(|l| sample(l, name, labels))
        .sum()
}

/// Sends a signal to a process by pid.
pub fn kill(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status();
}

/// `xprobe run` as a child process, logging to a file.
pub struct Daemon {
    child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `xprobe run -c config` and waits until `/healthz` answers.
    pub fn start(config: &Path, dir: &Path) -> Daemon {
        let addr = free_addr();
        let log = dir.join(format!("xprobe-{}.log", addr.port()));
        let child = Command::new(env!("CARGO_BIN_EXE_xprobe"))
            .args(["run", "--config"])
            .arg(config)
            .args(["--listen", &addr.to_string(), "--shutdown-timeout", "10s"])
            .env_remove("AWS_ENDPOINT_URL")
            .env("RUST_LOG", "xprobe=info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("create log"))
            .spawn()
            .expect("start xprobe run");
        let mut d = Daemon { child, addr, log };
        wait_for(Duration::from_secs(20), "/healthz", || {
            if let Ok(Some(status)) = d.child.try_wait() {
                panic!("xprobe run exited with {status}:\n{}", d.logs());
            }
            d.get("/healthz").filter(|(c, _)| *c == 200)
        });
        d
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        http(self.addr, "GET", path)
    }

    pub fn post(&self, path: &str) -> (u16, String) {
        http(self.addr, "POST", path).expect("POST answered")
    }

    pub fn metrics(&self) -> String {
        let (code, body) = self.get("/metrics").expect("/metrics answered");
        assert_eq!(code, 200, "{body}");
        body
    }

    pub fn status(&self) -> serde_json::Value {
        let (code, body) = self.get("/status").expect("/status answered");
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).expect("status is JSON")
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn signal(&self, signal: &str) {
        kill(self.pid(), signal);
    }

    /// SIGTERM, then waits (bounded) for the exit.
    pub fn stop(mut self) -> ExitStatus {
        self.signal("TERM");
        wait_for(Duration::from_secs(30), "xprobe run to exit", || {
            self.child.try_wait().ok().flatten()
        })
    }

    /// Waits until `f` holds on the `/metrics` text; panics with the logs
    /// and the last metrics after `within`.
    pub fn wait_metrics(&self, within: Duration, what: &str, f: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + within;
        loop {
            let text = self.get("/metrics").map(|(_, b)| b).unwrap_or_default();
            if f(&text) {
                return text;
            }
            assert!(
                Instant::now() < until,
                "timed out after {within:?} waiting for {what}\nmetrics:\n{text}\nlogs:\n{}",
                self.logs()
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Debian's Prometheus, scraping one target every second.
pub struct Prometheus {
    child: Child,
    pub addr: SocketAddr,
}

impl Prometheus {
    pub fn start(target: SocketAddr, dir: &Path) -> Prometheus {
        let addr = free_addr();
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: xprobe\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .expect("write prometheus.yml");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("tsdb").display()))
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("prometheus.log")).expect("create prometheus log"))
            .spawn()
            .expect("start prometheus (Debian package `prometheus`)");
        let p = Prometheus { child, addr };
        wait_for(Duration::from_secs(30), "Prometheus to be ready", || {
            http(addr, "GET", "/-/ready").filter(|(c, _)| *c == 200)
        });
        p
    }

    /// An instant query's result vector.
    pub fn query(&self, q: &str) -> Vec<serde_json::Value> {
        let path = format!("/api/v1/query?query={}", urlencode(q));
        let Some((200, body)) = http(self.addr, "GET", &path) else {
            return Vec::new();
        };
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        v["data"]["result"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        kill(self.child.id(), "TERM");
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
