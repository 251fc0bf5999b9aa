//! Probing each route on its interval.
//!
//! Each route has one task, so two probes of one route never run at once:
//! a tick that comes while the previous probe still runs is skipped. A probe
//! still running when its interval is up is counted as a `timeout` right
//! then; it may finish later (up to a hard cap), and its late result is only
//! shown, not counted. The first probe of each route waits a random part of
//! its interval, so routes spread out instead of probing in bursts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, warn};

use super::prober::Prober;
use super::recorder::Recorder;
use crate::config::RouteConfig;

/// Past its interval, a probe may run this much longer (on top of its
/// deadline) before it is abandoned.
pub(crate) const LATE_GRACE: Duration = Duration::from_secs(30);

struct RouteTask {
    config: RouteConfig,
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
    /// Held while a probe of the route runs (scheduled or on demand).
    busy: Arc<tokio::sync::Mutex<()>>,
}

/// The per-route probe tasks.
pub struct Scheduler {
    prober: Arc<dyn Prober>,
    recorder: Arc<Recorder>,
    routes: Mutex<HashMap<String, RouteTask>>,
    /// Tasks of routes that were removed or changed, finishing their probe.
    retired: Mutex<Vec<JoinHandle<()>>>,
}

impl Scheduler {
    pub fn new(prober: Arc<dyn Prober>, recorder: Arc<Recorder>) -> Self {
        Scheduler {
            prober,
            recorder,
            routes: Mutex::new(HashMap::new()),
            retired: Mutex::new(Vec::new()),
        }
    }

    /// Makes `routes` the probed set: starts new routes, restarts changed
    /// ones and stops removed ones (an in-flight probe of those finishes, but
    /// its result is dropped).
    pub fn apply(&self, routes: &[RouteConfig]) {
        let mut current = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        retired.retain(|h| !h.is_finished());
        let wanted: HashMap<&str, &RouteConfig> = routes.iter().map(|r| (r.name.as_str(), r)).collect();
        let names: Vec<String> = current.keys().cloned().collect();
        for name in names {
            let keep = wanted.get(name.as_str()).is_some_and(|r| **r == current[&name].config);
            if !keep {
                if let Some(t) = current.remove(&name) {
                    let _ = t.stop.send(true);
                    retired.push(t.handle);
                }
                if !wanted.contains_key(name.as_str()) {
                    self.recorder.forget(&name);
                }
            }
        }
        for route in routes {
            if current.contains_key(&route.name) {
                continue;
            }
            if route.deadline >= route.interval {
                warn!(route = %route.name, "The route's deadline is not shorter than its interval: a probe that waits the full deadline counts as a timeout.");
            }
            self.recorder.track(route);
            let (stop, stop_rx) = watch::channel(false);
            let busy = Arc::new(tokio::sync::Mutex::new(()));
            let handle = tokio::spawn(route_loop(
                route.clone(),
                self.prober.clone(),
                self.recorder.clone(),
                busy.clone(),
                stop_rx,
                start_offset(route.interval),
            ));
            current.insert(
                route.name.clone(),
                RouteTask {
                    config: route.clone(),
                    stop,
                    handle,
                    busy,
                },
            );
        }
    }

    /// The route's config and the lock that keeps its probes apart, for an
    /// on-demand probe.
    pub fn route(&self, name: &str) -> Option<(RouteConfig, Arc<tokio::sync::Mutex<()>>)> {
        let current = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        current.get(name).map(|t| (t.config.clone(), t.busy.clone()))
    }

    pub fn route_names(&self) -> Vec<String> {
        let current = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<_> = current.keys().cloned().collect();
        names.sort();
        names
    }

    /// Stops scheduling, lets in-flight probes finish for up to `bound`, then
    /// aborts what is left. Returns how many probes were aborted.
    pub async fn shutdown(&self, bound: Duration) -> usize {
        let mut handles: Vec<JoinHandle<()>> = {
            let mut current = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            current
                .drain()
                .map(|(_, t)| {
                    let _ = t.stop.send(true);
                    t.handle
                })
                .collect()
        };
        handles.append(&mut self.retired.lock().unwrap_or_else(|e| e.into_inner()));
        let deadline = Instant::now() + bound;
        let mut aborted = 0;
        for mut h in handles {
            if tokio::time::timeout_at(deadline, &mut h).await.is_err() {
                h.abort();
                aborted += 1;
            }
        }
        aborted
    }
}

/// A random delay in `[0, interval)` before a route's first probe.
fn start_offset(interval: Duration) -> Duration {
    interval.mul_f64(rand::random::<f64>())
}

async fn route_loop(
    route: RouteConfig,
    prober: Arc<dyn Prober>,
    recorder: Arc<Recorder>,
    busy: Arc<tokio::sync::Mutex<()>>,
    mut stop: watch::Receiver<bool>,
    offset: Duration,
) {
    let mut next = Instant::now() + offset;
    loop {
        tokio::select! {
            biased;
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
            () = tokio::time::sleep_until(next) => {}
        }
        {
            let _busy = busy.lock().await;
            probe_once(&route, prober.as_ref(), &recorder).await;
        }
        // Ticks that passed while the probe ran are skipped, not made up.
        let now = Instant::now();
        next += route.interval;
        while next <= now {
            next += route.interval;
        }
    }
}

/// Runs one probe; past the interval it counts as a timeout and gets a
/// bounded grace to finish.
pub(crate) async fn probe_once(route: &RouteConfig, prober: &dyn Prober, recorder: &Arc<Recorder>) {
    let mut probe = prober.probe(route);
    match tokio::time::timeout(route.interval, &mut probe).await {
        Ok(result) => recorder.finished(route, result),
        Err(_) => {
            recorder.timed_out(route);
            match tokio::time::timeout(route.deadline + LATE_GRACE, probe).await {
                Ok(result) => recorder.late(route, result),
                Err(_) => {
                    debug!(route = %route.name, "Abandoned a probe that did not finish.");
                }
            }
        }
    }
}
