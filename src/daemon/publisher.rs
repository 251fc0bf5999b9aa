//! The one shared publisher and the task that keeps it open.
//!
//! The MQTT session reconnects by itself after a drop, but with the TLS
//! settings it was opened with. So the supervisor reopens the publisher (and
//! re-reads the certificate, key and CA files) when those files change, or
//! when the session has stayed disconnected for a while. Opening is retried
//! with capped exponential backoff; the daemon keeps running meanwhile and
//! `/readyz` says why it is not ready.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::aws::ClientFactory;
use crate::config::{MqttConfig, PublishMode};
use crate::mqtt::{PublishError, PublishErrorKind, Publisher};

const OPEN_BACKOFF_MIN: Duration = Duration::from_millis(250);
const OPEN_BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How often the supervisor looks at the session and the certificate files.
const WATCH_EVERY: Duration = Duration::from_millis(500);
/// A session disconnected this long is reopened instead of left to its own
/// reconnect loop (which reuses the old TLS settings).
const REOPEN_AFTER_DISCONNECTED: Duration = Duration::from_secs(20);
/// How long a retired publisher may stay in use by in-flight probes before
/// it is dropped without a clean close.
const RETIRE_WAIT: Duration = Duration::from_secs(15);

enum SlotState {
    Starting,
    Down(Arc<PublishError>),
    Up(Arc<Publisher>),
}

/// The current publisher, or why there is none. Shared by every probe.
pub struct PublisherSlot {
    mode: PublishMode,
    state: RwLock<SlotState>,
    /// Reconnects of sessions already retired, plus reopens.
    reconnects_before: AtomicU64,
}

/// What `/readyz`, `/status` and the metrics say about the publisher.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublisherHealth {
    /// mqtt or https.
    pub mode: &'static str,
    /// Open and (for MQTT) connected.
    pub up: bool,
    /// Process-lifetime MQTT reconnects.
    pub reconnects: u64,
    /// Why it is not up, when it is not.
    pub error: Option<String>,
    /// Why the MQTT connection last dropped (or a reconnect last failed),
    /// even if it is up again, and that reason's diagnose code.
    pub last_drop: Option<String>,
    pub last_drop_code: Option<&'static str>,
}

impl PublisherSlot {
    /// An empty slot; `reconnects` carries the count over from a slot this
    /// one replaces.
    pub fn new(mode: PublishMode, reconnects: u64) -> Self {
        PublisherSlot {
            mode,
            state: RwLock::new(SlotState::Starting),
            reconnects_before: AtomicU64::new(reconnects),
        }
    }

    /// The publisher to probe with, or why there is none. An MQTT session
    /// that is open but reconnecting counts as none, so probes fail fast
    /// instead of waiting for a PUBACK timeout each.
    pub fn get(&self) -> Result<Arc<Publisher>, Arc<PublishError>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        match &*state {
            SlotState::Up(p) if connected(p).unwrap_or(true) => Ok(p.clone()),
            // A drop the classifier recognised (client id taken over,
            // endpoint unreachable, ...) says more than "reconnecting".
            SlotState::Up(p) => Err(Arc::new(
                last_drop(p)
                    .filter(|e| !matches!(e.kind, PublishErrorKind::Other(_)))
                    .unwrap_or_else(|| not_connected("the MQTT session is reconnecting")),
            )),
            SlotState::Down(e) => Err(e.clone()),
            SlotState::Starting => Err(Arc::new(not_connected("the publisher has not been opened yet"))),
        }
    }

    pub fn health(&self) -> PublisherHealth {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let before = self.reconnects_before.load(Ordering::Relaxed);
        let (up, current, error, drop) = match &*state {
            SlotState::Up(p) => {
                let stats = p.session_stats();
                let up = connected(p).unwrap_or(true);
                let drop = last_drop(p);
                let error = (!up).then(|| match &drop {
                    Some(d) => format!("the MQTT session is reconnecting; it dropped: {d}"),
                    None => "the MQTT session is reconnecting".to_string(),
                });
                (
                    up,
                    stats.map_or(0, |s| s.reconnects.load(Ordering::Relaxed)),
                    error,
                    drop,
                )
            }
            SlotState::Down(e) => (false, 0, Some(e.to_string()), Some((**e).clone())),
            SlotState::Starting => (false, 0, Some("not opened yet".to_string()), None),
        };
        PublisherHealth {
            mode: self.mode.as_str(),
            up,
            reconnects: before + current,
            error,
            last_drop_code: drop.as_ref().map(PublishError::code),
            last_drop: drop.map(|d| d.to_string()),
        }
    }

    pub fn mode(&self) -> PublishMode {
        self.mode
    }

    fn set(&self, s: SlotState) {
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = s;
    }

    fn take(&self, reason: PublishError) -> Option<Arc<Publisher>> {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *state, SlotState::Down(Arc::new(reason))) {
            SlotState::Up(p) => Some(p),
            _ => None,
        }
    }
}

fn connected(p: &Publisher) -> Option<bool> {
    p.session_stats().map(|s| s.connected.load(Ordering::SeqCst))
}

fn last_drop(p: &Publisher) -> Option<PublishError> {
    p.session_stats().and_then(|s| s.last_drop())
}

fn not_connected(why: &str) -> PublishError {
    PublishError::new(PublishErrorKind::Other(format!("not connected: {why}")), "", "")
}

/// A fingerprint of the certificate, key and CA files, to notice rotation.
fn tls_files_fingerprint(cfg: &MqttConfig) -> u64 {
    let mut h = DefaultHasher::new();
    let files: [&Option<PathBuf>; 3] = [&cfg.client_cert, &cfg.client_key, &cfg.ca];
    for f in files.into_iter().flatten() {
        std::fs::read(f).ok().hash(&mut h);
    }
    h.finish()
}

/// The supervisor task's handle.
pub struct Supervisor {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Supervisor {
    /// Starts keeping `slot` filled with a publisher for `cfg`, opened with
    /// the clients of account `source` (endpoint discovery, HTTPS publish).
    pub fn start(cfg: MqttConfig, factory: ClientFactory, source: String, slot: Arc<PublisherSlot>) -> Supervisor {
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(supervise(cfg, factory, source, slot, rx));
        Supervisor { stop, task }
    }

    /// Stops the task and closes the publisher.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

enum Wake {
    Stop,
    FilesChanged,
    Elapsed,
    Disconnected,
}

async fn supervise(
    cfg: MqttConfig,
    factory: ClientFactory,
    source: String,
    slot: Arc<PublisherSlot>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = OPEN_BACKOFF_MIN;
    let mut opened_before = false;
    loop {
        let files = tls_files_fingerprint(&cfg);
        let opened = match factory.account(&source).await {
            Some(clients) => Publisher::open(&cfg, &clients, true).await,
            None => Err(PublishError::new(
                PublishErrorKind::Other(format!("account `{source}` is not configured")),
                "",
                "",
            )),
        };
        match opened {
            Ok(p) => {
                if opened_before {
                    slot.reconnects_before.fetch_add(1, Ordering::Relaxed);
                }
                opened_before = true;
                backoff = OPEN_BACKOFF_MIN;
                info!(mode = p.mode(), "Publisher open.");
                let p = Arc::new(p);
                slot.set(SlotState::Up(p.clone()));
                let wake = watch_session(&p, &cfg, files, &mut stop).await;
                drop(p);
                let why = match wake {
                    Wake::FilesChanged => "the certificate files changed; reopening",
                    Wake::Disconnected => "the MQTT session stayed disconnected; reopening",
                    _ => "the publisher is closing",
                };
                if !matches!(wake, Wake::Stop) {
                    info!(reason = why, "Reopening the publisher.");
                }
                if let Some(old) = slot.take(not_connected(why)) {
                    retire(old, &slot).await;
                }
                if matches!(wake, Wake::Stop) {
                    return;
                }
            }
            Err(e) => {
                warn!(error = %e, code = e.code(), retry_in_ms = backoff.as_millis() as u64, "Cannot open the publisher; retrying.");
                slot.set(SlotState::Down(Arc::new(e)));
                match wait(backoff, &cfg, files, &mut stop).await {
                    Wake::Stop => return,
                    Wake::FilesChanged => backoff = OPEN_BACKOFF_MIN,
                    _ => backoff = (backoff * 2).min(OPEN_BACKOFF_MAX),
                }
            }
        }
    }
}

/// Waits until the session should be reopened or the daemon stops.
async fn watch_session(p: &Publisher, cfg: &MqttConfig, files: u64, stop: &mut watch::Receiver<bool>) -> Wake {
    let mut down_since: Option<Instant> = None;
    loop {
        match wait(WATCH_EVERY, cfg, files, stop).await {
            Wake::Elapsed => {}
            other => return other,
        }
        match connected(p) {
            Some(false) => {
                let since = *down_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= REOPEN_AFTER_DISCONNECTED {
                    return Wake::Disconnected;
                }
            }
            _ => down_since = None,
        }
    }
}

/// Sleeps `d`, waking early on stop or when the TLS files change.
async fn wait(d: Duration, cfg: &MqttConfig, files: u64, stop: &mut watch::Receiver<bool>) -> Wake {
    let until = Instant::now() + d;
    loop {
        if *stop.borrow() {
            return Wake::Stop;
        }
        let step = until.saturating_duration_since(Instant::now()).min(WATCH_EVERY);
        if step.is_zero() {
            return Wake::Elapsed;
        }
        tokio::select! {
            r = stop.changed() => if r.is_err() { return Wake::Stop },
            _ = tokio::time::sleep(step) => {}
        }
        if tls_files_fingerprint(cfg) != files {
            return Wake::FilesChanged;
        }
    }
}

/// Closes a publisher once no probe uses it any more (bounded).
async fn retire(mut p: Arc<Publisher>, slot: &PublisherSlot) {
    let reconnects = p.session_stats().map_or(0, |s| s.reconnects.load(Ordering::Relaxed));
    slot.reconnects_before.fetch_add(reconnects, Ordering::Relaxed);
    let deadline = Instant::now() + RETIRE_WAIT;
    loop {
        match Arc::try_unwrap(p) {
            Ok(owned) => {
                owned.close().await;
                return;
            }
            Err(shared) if Instant::now() < deadline => {
                p = shared;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(_) => {
                warn!("A probe still holds the old publisher; dropping it without a clean close.");
                return;
            }
        }
    }
}
