//! The running daemon's shared state: the config in force, reload, and
//! readiness.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use prometheus::Registry;
use serde::Serialize;
use tracing::{error, info};

use super::prober::{ProbeEnv, Prober};
use super::publisher::{PublisherSlot, Supervisor};
use super::scheduler::Scheduler;
use super::status::StatusBoard;
use crate::aws::{ApiCallCounter, ClientFactory};
use crate::config::{self, Config, MqttConfig, PublishMode};
use crate::metrics::Metrics;
use crate::probe::now_ms;

/// The outcome of the last config load or reload.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadState {
    pub successful: bool,
    pub at_ms: i64,
    /// Why the last reload failed (the previous config stays in force).
    pub error: Option<String>,
}

/// Everything the HTTP handlers and the signal loop share.
pub struct Daemon {
    pub registry: Registry,
    pub metrics: Arc<Metrics>,
    pub status: Arc<StatusBoard>,
    pub env: Arc<ProbeEnv>,
    pub prober: Arc<dyn Prober>,
    pub scheduler: Scheduler,
    pub counter: ApiCallCounter,
    config: RwLock<Arc<Config>>,
    reload_state: RwLock<ReloadState>,
    /// Held for a whole reload, so reloads never interleave.
    supervisor: tokio::sync::Mutex<Option<Supervisor>>,
    stopping: AtomicBool,
}

/// The account whose clients open the publisher: the first route's, as
/// `xprobe check` does, or the first account when there are no routes.
pub fn source_account(config: &Config) -> String {
    config
        .routes
        .first()
        .map(|r| r.account.clone())
        .or_else(|| config.accounts.keys().next().cloned())
        .unwrap_or_default()
}

/// Whether two MQTT settings describe the same publisher. A client id
/// that xprobe generated (none in the file) differs on every load and does
/// not count.
fn same_publisher(old: &MqttConfig, new: &MqttConfig) -> bool {
    let generated = |id: &str| {
        id.strip_prefix("xprobe-")
            .is_some_and(|u| ulid::Ulid::from_string(u).is_ok())
    };
    let ids_match = old.client_id == new.client_id || (generated(&old.client_id) && generated(&new.client_id));
    ids_match
        && MqttConfig {
            client_id: old.client_id.clone(),
            ..new.clone()
        } == *old
}

impl Daemon {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        registry: Registry,
        metrics: Arc<Metrics>,
        status: Arc<StatusBoard>,
        env: Arc<ProbeEnv>,
        prober: Arc<dyn Prober>,
        scheduler: Scheduler,
        counter: ApiCallCounter,
        config: Config,
    ) -> Self {
        Daemon {
            registry,
            metrics,
            status,
            env,
            prober,
            scheduler,
            counter,
            config: RwLock::new(Arc::new(config)),
            reload_state: RwLock::new(ReloadState {
                successful: true,
                at_ms: now_ms(),
                error: None,
            }),
            supervisor: tokio::sync::Mutex::new(None),
            stopping: AtomicBool::new(false),
        }
    }

    pub fn config(&self) -> Arc<Config> {
        self.config.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn reload_state(&self) -> ReloadState {
        self.reload_state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts probing with the config the daemon was started with.
    pub async fn start(&self) {
        let config = self.config();
        self.metrics.config_loaded(true);
        let mut sup = self.supervisor.lock().await;
        self.start_publisher(&mut sup, &config, 0).await;
        self.scheduler.apply(&config.routes);
    }

    /// Replaces the publisher: the old session is closed before the new one
    /// opens, as both would use the same MQTT client id.
    async fn start_publisher(&self, sup: &mut Option<Supervisor>, config: &Config, reconnects: u64) {
        if let Some(old) = sup.take() {
            old.stop().await;
        }
        let slot = Arc::new(PublisherSlot::new(config.mqtt.publish, reconnects));
        self.env.set_publisher(slot.clone());
        *sup = Some(Supervisor::start(
            config.mqtt.clone(),
            self.env.factory(),
            source_account(config),
            slot,
        ));
    }

    /// Reads the config file again and applies it. A config that does not
    /// load leaves the one in force untouched; the error is logged, kept for
    /// `/status` and returned.
    pub async fn reload(&self) -> Result<(), String> {
        let mut sup = self.supervisor.lock().await;
        let old = self.config();
        let new = match config::load(&old.path) {
            Ok(c) => c,
            Err(e) => {
                let msg = e.to_string();
                error!(path = %old.path.display(), error = %msg, "Config reload failed; keeping the previous config.");
                self.metrics.config_loaded(false);
                *self.reload_state.write().unwrap_or_else(|e| e.into_inner()) = ReloadState {
                    successful: false,
                    at_ms: now_ms(),
                    error: Some(msg.clone()),
                };
                return Err(msg);
            }
        };
        let mut new = new;
        if same_publisher(&old.mqtt, &new.mqtt) {
            // Keep the generated client id, so the session is not reopened.
            new.mqtt.client_id = old.mqtt.client_id.clone();
        }
        if new.accounts != old.accounts {
            self.env
                .set_factory(ClientFactory::new(new.accounts.clone(), self.counter.clone()));
        }
        let publisher_changed = !same_publisher(&old.mqtt, &new.mqtt)
            || new.accounts != old.accounts
            || source_account(&new) != source_account(&old);
        if publisher_changed {
            let reconnects = self.env.publisher().health().reconnects;
            self.start_publisher(&mut sup, &new, reconnects).await;
        }
        self.scheduler.apply(&new.routes);
        info!(path = %new.path.display(), routes = new.routes.len(), publisher_reopened = publisher_changed, "Config reloaded.");
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(new);
        self.metrics.config_loaded(true);
        *self.reload_state.write().unwrap_or_else(|e| e.into_inner()) = ReloadState {
            successful: true,
            at_ms: now_ms(),
            error: None,
        };
        Ok(())
    }

    /// Why the daemon is not ready, or `None` when it is: the config is
    /// loaded and the publisher is up.
    pub fn not_ready(&self) -> Option<String> {
        if self.stopping.load(Ordering::SeqCst) {
            return Some("shutting down".to_string());
        }
        let h = self.env.publisher().health();
        if h.up {
            None
        } else {
            Some(format!(
                "the {} publisher is not up: {}",
                h.mode,
                h.error.unwrap_or_default()
            ))
        }
    }

    /// Brings the pulled metrics (MQTT health, AWS API calls) up to date.
    pub fn refresh_metrics(&self) {
        let slot = self.env.publisher();
        let h = slot.health();
        self.metrics.set_mqtt(match slot.mode() {
            PublishMode::Mqtt => Some((h.up, h.reconnects)),
            PublishMode::Https => None,
        });
        self.metrics.sync_api_calls(&self.counter.snapshot());
        self.metrics.sync_late_probes(self.env.ledger().late_arrivals());
    }

    /// Stops probing (in-flight probes get `bound` to finish) and closes the
    /// publisher. Returns how many probes were cut short.
    pub async fn stop(&self, bound: std::time::Duration) -> usize {
        self.stopping.store(true, Ordering::SeqCst);
        let aborted = self.scheduler.shutdown(bound).await;
        if let Some(s) = self.supervisor.lock().await.take() {
            s.stop().await;
        }
        aborted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mqtt(client_id: &str) -> MqttConfig {
        MqttConfig {
            endpoint: Some("127.0.0.1".into()),
            port: 8883,
            client_cert: None,
            client_key: None,
            ca: None,
            client_id: client_id.into(),
            publish: PublishMode::Mqtt,
            connect_timeout: std::time::Duration::from_secs(5),
        }
    }

    #[test]
    fn a_generated_client_id_does_not_reopen_the_publisher() {
        let a = mqtt(&format!("xprobe-{}", ulid::Ulid::new()));
        let b = mqtt(&format!("xprobe-{}", ulid::Ulid::new()));
        assert!(same_publisher(&a, &b));
        assert!(!same_publisher(&mqtt("probe-1"), &mqtt("probe-2")));
        assert!(same_publisher(&mqtt("probe-1"), &mqtt("probe-1")));
        let mut moved = b.clone();
        moved.port = 443;
        assert!(!same_publisher(&a, &moved));
    }
}
