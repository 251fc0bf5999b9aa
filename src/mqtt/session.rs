//! One MQTT 5 session over TLS, driven by a background task. Each PUBACK is
//! matched to its publish by packet id: publishes are queued in order, the
//! event loop reports the packet id it gave each one (`Outgoing::Publish`),
//! and the PUBACK carrying that id resolves the waiting caller.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rumqttc::v5::mqttbytes::v5::{ConnectReturnCode, Packet};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::{AsyncClient, Event, EventLoop, MqttOptions};
use rumqttc::{Outgoing, TlsConfiguration, Transport};
use tokio::sync::oneshot;
use tracing::{debug, warn};

use super::classify::{classify_connack, classify_connection_error, classify_puback};
use super::error::{PublishError, PublishErrorKind};

const KEEP_ALIVE: Duration = Duration::from_secs(30);
/// Publishes awaiting their PUBACK at once; more wait in the client's queue.
/// AWS IoT Core allows 100 unacknowledged QoS 1 publishes per connection.
/// rumqttc allocates a table of this many entries up front (u16::MAX, a few
/// MB per session, when it is unset).
const MAX_INFLIGHT: u16 = 100;
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);
const RECONNECT_BACKOFF_MIN: Duration = Duration::from_millis(250);
const RECONNECT_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What a session needs to connect.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub host: String,
    pub port: u16,
    pub client_id: String,
    pub tls: Arc<rustls::ClientConfig>,
    pub connect_timeout: Duration,
}

/// Connection health, for metrics and `/readyz`.
#[derive(Debug, Default)]
pub struct SessionStats {
    pub connected: AtomicBool,
    pub reconnects: AtomicU64,
    /// Why the connection last dropped or a reconnect last failed.
    pub last_drop: Mutex<Option<PublishError>>,
}

impl SessionStats {
    /// Why the connection last dropped, if it ever did.
    pub fn last_drop(&self) -> Option<PublishError> {
        self.last_drop.lock().ok().and_then(|d| d.clone())
    }
}

type AckResult = Result<(), PublishError>;

#[derive(Default)]
struct Pending {
    /// Publishes handed to the client, waiting for their packet id.
    queued: VecDeque<(String, oneshot::Sender<AckResult>)>,
    /// Publishes on the wire, by packet id.
    inflight: HashMap<u16, (String, oneshot::Sender<AckResult>)>,
}

impl Pending {
    fn fail_all(&mut self, kind: &PublishErrorKind, detail: &str) {
        for (topic, tx) in self.queued.drain(..).chain(self.inflight.drain().map(|(_, v)| v)) {
            let _ = tx.send(Err(PublishError::new(kind.clone(), topic, detail)));
        }
    }
}

/// A connected MQTT session.
pub struct MqttSession {
    client: AsyncClient,
    pending: Arc<Mutex<Pending>>,
    /// Serialises "queue the waiter, hand the publish to the client" so the
    /// waiter queue is in the same order as the event loop's packet ids.
    order: tokio::sync::Mutex<()>,
    stats: Arc<SessionStats>,
    driver: tokio::task::JoinHandle<()>,
    target: String,
}

impl MqttSession {
    /// Connects and waits for a successful CONNACK. With `reconnect`, the
    /// session reconnects with capped exponential backoff after it drops;
    /// without, the first connection error ends it.
    pub async fn connect(s: &SessionSettings, reconnect: bool) -> Result<(Self, Duration), PublishError> {
        let target = format!("{}:{}", s.host, s.port);
        let mut opts = MqttOptions::new(s.client_id.clone(), s.host.clone(), s.port);
        opts.set_keep_alive(KEEP_ALIVE);
        opts.set_outgoing_inflight_upper_limit(MAX_INFLIGHT);
        opts.set_clean_start(true);
        opts.set_connection_timeout(s.connect_timeout.as_secs().max(1));
        opts.set_transport(Transport::Tls(TlsConfiguration::Rustls(s.tls.clone())));
        let (client, eventloop) = AsyncClient::new(opts, 64);
        let pending = Arc::new(Mutex::new(Pending::default()));
        let stats = Arc::new(SessionStats::default());
        let (ready_tx, ready_rx) = oneshot::channel();
        let started = Instant::now();
        let driver = tokio::spawn(drive(
            eventloop,
            pending.clone(),
            stats.clone(),
            ready_tx,
            reconnect,
            target.clone(),
        ));
        let outcome = tokio::time::timeout(s.connect_timeout + Duration::from_secs(1), ready_rx).await;
        let connected = match outcome {
            Ok(Ok(Ok(()))) => Ok(started.elapsed()),
            Ok(Ok(Err(e))) => Err(e),
            Ok(Err(_)) => Err(PublishError::new(
                PublishErrorKind::Other("the MQTT task ended".into()),
                &target,
                "",
            )),
            Err(_) => Err(PublishError::new(
                PublishErrorKind::Timeout("connecting to"),
                &target,
                format!("no CONNACK within {:?}", s.connect_timeout),
            )),
        };
        match connected {
            Ok(d) => Ok((
                MqttSession {
                    client,
                    pending,
                    order: tokio::sync::Mutex::new(()),
                    stats,
                    driver,
                    target,
                },
                d,
            )),
            Err(e) => {
                driver.abort();
                Err(e)
            }
        }
    }

    /// Publishes at QoS 1 and waits for the matching PUBACK.
    pub async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<Duration, PublishError> {
        let started = Instant::now();
        let (tx, rx) = oneshot::channel();
        {
            let _order = self.order.lock().await;
            if let Ok(mut p) = self.pending.lock() {
                p.queued.push_back((topic.to_string(), tx));
            }
            if let Err(e) = self.client.publish(topic, QoS::AtLeastOnce, false, payload).await {
                if let Ok(mut p) = self.pending.lock() {
                    p.queued.pop_back();
                }
                return Err(PublishError::new(PublishErrorKind::Other(e.to_string()), topic, ""));
            }
        }
        match tokio::time::timeout(PUBLISH_TIMEOUT, rx).await {
            Ok(Ok(Ok(()))) => Ok(started.elapsed()),
            Ok(Ok(Err(e))) => Err(e),
            Ok(Err(_)) => Err(PublishError::new(
                PublishErrorKind::DisconnectedDuringPublish,
                topic,
                "",
            )),
            Err(_) => Err(PublishError::new(
                PublishErrorKind::Timeout("waiting for the PUBACK from"),
                &self.target,
                format!("topic `{topic}`"),
            )),
        }
    }

    pub fn stats(&self) -> Arc<SessionStats> {
        self.stats.clone()
    }

    /// Sends DISCONNECT and stops the background task.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.client.disconnect()).await;
        self.driver.abort();
    }
}

async fn drive(
    mut eventloop: EventLoop,
    pending: Arc<Mutex<Pending>>,
    stats: Arc<SessionStats>,
    ready: oneshot::Sender<Result<(), PublishError>>,
    reconnect: bool,
    target: String,
) {
    let mut ready = Some(ready);
    let mut backoff = RECONNECT_BACKOFF_MIN;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                if ack.code == ConnectReturnCode::Success {
                    if stats.connected.swap(true, Ordering::SeqCst) || ready.is_none() {
                        stats.reconnects.fetch_add(1, Ordering::Relaxed);
                    }
                    backoff = RECONNECT_BACKOFF_MIN;
                    if let Some(r) = ready.take() {
                        let _ = r.send(Ok(()));
                    }
                } else if let Some(kind) = classify_connack(ack.code) {
                    if let Some(r) = ready.take() {
                        let _ = r.send(Err(PublishError::new(kind, &target, "")));
                        return;
                    }
                }
            }
            Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                if let Ok(mut p) = pending.lock() {
                    if let Some(w) = p.queued.pop_front() {
                        p.inflight.insert(pkid, w);
                    }
                }
            }
            Ok(Event::Incoming(Packet::PubAck(ack))) => {
                let waiter = pending.lock().ok().and_then(|mut p| p.inflight.remove(&ack.pkid));
                match waiter {
                    Some((topic, tx)) => {
                        let res = match classify_puback(ack.reason) {
                            None => Ok(()),
                            Some(kind) => Err(PublishError::new(kind, topic, "")),
                        };
                        let _ = tx.send(res);
                    }
                    None => debug!(pkid = ack.pkid, "PUBACK for a publish nobody waits for."),
                }
            }
            Ok(_) => {}
            Err(e) => {
                let kind = classify_connection_error(&e);
                let detail = e.to_string();
                stats.connected.store(false, Ordering::SeqCst);
                if let Ok(mut last) = stats.last_drop.lock() {
                    *last = Some(PublishError::new(kind.clone(), &target, detail.clone()));
                }
                if let Ok(mut p) = pending.lock() {
                    let publish_kind =
                        if matches!(kind, PublishErrorKind::Other(_) | PublishErrorKind::ClientCertRejected)
                            && ready.is_none()
                        {
                            PublishErrorKind::DisconnectedDuringPublish
                        } else {
                            kind.clone()
                        };
                    p.fail_all(&publish_kind, &detail);
                }
                if let Some(r) = ready.take() {
                    let _ = r.send(Err(PublishError::new(kind, &target, detail)));
                    return;
                }
                if !reconnect {
                    return;
                }
                warn!(target = %target, error = %detail, backoff_ms = backoff.as_millis() as u64, "MQTT connection lost; reconnecting.");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(RECONNECT_BACKOFF_MAX);
            }
        }
    }
}
