//! The scheduler and recorder with a fake prober, on tokio's paused clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use prometheus::Registry;
use tokio::sync::Notify;

use super::diagnosis::{Diagnoser, ResultDiagnoser};
use super::prober::Prober;
use super::recorder::Recorder;
use super::scheduler::Scheduler;
use super::status::StatusBoard;
use crate::config::RouteConfig;
use crate::diagnose::Finding;
use crate::metrics::tests::sqs;
use crate::metrics::{encode, Metrics};
use crate::probe::{DestinationResult, PublishReport, RouteResult, Status};

fn route(name: &str, interval_s: u64) -> RouteConfig {
    RouteConfig {
        deadline: Duration::from_secs(2),
        interval: Duration::from_secs(interval_s),
        ..crate::metrics::tests::route(name, vec![sqs("https://sqs.us-east-1.amazonaws.com/222222222222/Q")])
    }
}

fn result(route: &RouteConfig, status: Status) -> RouteResult {
    let mut d = DestinationResult::not_checked("sqs", "Q", "01ID", "no probe arrived");
    d.status = status;
    d.latency_ms = (status == Status::Delivered).then_some(150);
    RouteResult {
        name: route.name.clone(),
        rule: route.rule.clone(),
        probe_id: "01ID".into(),
        sent_at_ms: 1,
        publish: PublishReport {
            mode: "mqtt".into(),
            topic: "t".into(),
            connect_ms: None,
            publish_ms: Some(20),
            error: None,
            error_code: None,
            hint: None,
        },
        destinations: vec![d],
    }
}

/// Takes `delay` per probe, tracks concurrency per route, and delivers
/// unless told to fail.
#[derive(Default)]
struct FakeProber {
    delay: Duration,
    fail: AtomicBool,
    running: Mutex<HashMap<String, usize>>,
    max_running: AtomicUsize,
    started: AtomicUsize,
    finished: AtomicUsize,
    start: Notify,
}

impl FakeProber {
    fn new(delay: Duration) -> Arc<Self> {
        Arc::new(FakeProber {
            delay,
            ..FakeProber::default()
        })
    }
}

impl Prober for FakeProber {
    fn probe<'a>(&'a self, route: &'a RouteConfig) -> BoxFuture<'a, RouteResult> {
        Box::pin(async move {
            {
                let mut running = self.running.lock().unwrap();
                let n = running.entry(route.name.clone()).or_default();
                *n += 1;
                self.max_running.fetch_max(*n, Ordering::SeqCst);
            }
            self.started.fetch_add(1, Ordering::SeqCst);
            self.start.notify_one();
            tokio::time::sleep(self.delay).await;
            *self.running.lock().unwrap().get_mut(&route.name).unwrap() -= 1;
            self.finished.fetch_add(1, Ordering::SeqCst);
            let status = if self.fail.load(Ordering::SeqCst) {
                Status::Missing
            } else {
                Status::Delivered
            };
            result(route, status)
        })
    }
}

/// Counts its calls and otherwise diagnoses like [`ResultDiagnoser`].
#[derive(Default)]
struct CountingDiagnoser {
    calls: AtomicUsize,
}

impl Diagnoser for CountingDiagnoser {
    fn diagnose<'a>(&'a self, route: &'a RouteConfig, result: &'a RouteResult) -> BoxFuture<'a, Vec<Finding>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        ResultDiagnoser.diagnose(route, result)
    }
}

struct Rig {
    registry: Registry,
    status: Arc<StatusBoard>,
    scheduler: Scheduler,
}

impl Rig {
    fn new(prober: Arc<dyn Prober>, diagnoser: Arc<dyn Diagnoser>) -> Rig {
        let registry = Registry::new();
        let metrics = Arc::new(Metrics::new(&registry).unwrap());
        let status = Arc::new(StatusBoard::new());
        let recorder = Arc::new(Recorder::new(
            metrics,
            status.clone(),
            diagnoser,
            Duration::from_secs(60),
        ));
        Rig {
            registry,
            status,
            scheduler: Scheduler::new(prober, recorder),
        }
    }

    fn metrics(&self) -> String {
        encode(&self.registry).unwrap()
    }

    fn counter(&self, route: &str, result: &str) -> u64 {
        let prefix = format!(r#"xprobe_probes_total{{destination="sqs",result="{result}",route="{route}"}} "#);
        self.metrics()
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0, |v| v.parse().unwrap())
    }
}

#[tokio::test(start_paused = true)]
async fn the_scheduler_never_overlaps_a_route_and_counts_timeouts() {
    let prober = FakeProber::new(Duration::from_secs(25));
    let rig = Rig::new(prober.clone(), Arc::new(ResultDiagnoser));
    rig.scheduler.apply(&[route("slow", 10), route("other", 10)]);
    tokio::time::sleep(Duration::from_secs(300)).await;
    assert_eq!(prober.max_running.load(Ordering::SeqCst), 1);
    // A 25 s probe every 10 s: each probe takes 3 ticks, so about 10 per route.
    let started = prober.started.load(Ordering::SeqCst);
    assert!((18..=22).contains(&started), "{started} probes");
    let timeouts = rig.counter("slow", "timeout");
    assert!((9..=11).contains(&timeouts), "{timeouts} timeouts");
    assert_eq!(rig.counter("slow", "delivered"), 0, "late results are not counted");
    let s = rig.status.snapshot();
    assert_eq!(s[1].name, "slow");
    assert_eq!(s[1].last_outcome, Some("timeout"));
    assert!(s[1].last_result.is_some(), "the late result is shown");
    assert!(rig
        .metrics()
        .contains(r#"xprobe_probe_success{destination="sqs",route="slow"} 0"#));
}

#[tokio::test(start_paused = true)]
async fn a_fast_route_is_probed_once_per_interval() {
    let prober = FakeProber::new(Duration::from_secs(1));
    let rig = Rig::new(prober.clone(), Arc::new(ResultDiagnoser));
    rig.scheduler.apply(&[route("fast", 10)]);
    tokio::time::sleep(Duration::from_secs(100)).await;
    let delivered = rig.counter("fast", "delivered");
    assert!((9..=10).contains(&delivered), "{delivered}");
    assert_eq!(rig.counter("fast", "timeout"), 0);
    assert!(rig
        .metrics()
        .contains(r#"xprobe_probe_success{destination="sqs",route="fast"} 1"#));
    assert!(rig
        .metrics()
        .contains(r#"xprobe_delivery_latency_seconds_bucket{destination="sqs",route="fast",le="0.25"} "#));
}

#[tokio::test(start_paused = true)]
async fn failures_are_diagnosed_at_most_once_per_period_and_resolve_on_delivery() {
    let prober = FakeProber::new(Duration::from_secs(1));
    prober.fail.store(true, Ordering::SeqCst);
    let diagnoser = Arc::new(CountingDiagnoser::default());
    let rig = Rig::new(prober.clone(), diagnoser.clone());
    rig.scheduler.apply(&[route("broken", 10)]);
    tokio::time::sleep(Duration::from_secs(125)).await;
    let missing = rig.counter("broken", "missing");
    assert!(missing >= 11, "{missing}");
    let calls = diagnoser.calls.load(Ordering::SeqCst);
    assert!((2..=3).contains(&calls), "{calls} diagnoses in 125 s, limit 1/60 s");
    let finding = r#"xprobe_finding{code="probe-missing",route="broken",severity="error"} 1"#;
    assert!(rig.metrics().contains(finding), "{}", rig.metrics());
    assert_eq!(rig.status.snapshot()[0].findings[0].code, "probe-missing");

    prober.fail.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert!(!rig.metrics().contains("xprobe_finding{"), "resolved");
    assert!(rig.status.snapshot()[0].findings.is_empty());
}

#[tokio::test(start_paused = true)]
async fn reapplying_the_config_drops_removed_routes() {
    let prober = FakeProber::new(Duration::from_millis(10));
    let rig = Rig::new(prober.clone(), Arc::new(ResultDiagnoser));
    rig.scheduler.apply(&[route("keep", 10), route("drop", 10)]);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(rig.metrics().contains(r#"route="drop""#));
    rig.scheduler.apply(&[route("keep", 10)]);
    assert!(!rig.metrics().contains(r#"route="drop""#));
    assert_eq!(rig.scheduler.route_names(), ["keep"]);
    let before = rig.counter("keep", "delivered");
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        rig.counter("keep", "delivered") >= before + 2,
        "unchanged routes keep running"
    );
    assert!(!rig.metrics().contains(r#"route="drop""#));
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_in_flight_probes_finish_within_the_bound() {
    let prober = FakeProber::new(Duration::from_secs(5));
    let rig = Rig::new(prober.clone(), Arc::new(ResultDiagnoser));
    rig.scheduler.apply(&[route("a", 60)]);
    prober.start.notified().await;
    assert_eq!(rig.scheduler.shutdown(Duration::from_secs(10)).await, 0);
    assert_eq!(prober.finished.load(Ordering::SeqCst), 1);
    assert_eq!(rig.counter("a", "delivered"), 1);
}

#[tokio::test(start_paused = true)]
async fn shutdown_cuts_probes_short_past_the_bound() {
    let prober = FakeProber::new(Duration::from_secs(50));
    let rig = Rig::new(prober.clone(), Arc::new(ResultDiagnoser));
    rig.scheduler.apply(&[route("a", 60)]);
    prober.start.notified().await;
    assert_eq!(rig.scheduler.shutdown(Duration::from_secs(1)).await, 1);
    assert_eq!(prober.finished.load(Ordering::SeqCst), 0);
}
