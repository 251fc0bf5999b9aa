//! Starting the daemon, reacting to signals, and shutting down.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use prometheus::Registry;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;
use tracing::{info, warn};

use super::diagnosis::Diagnoser;
use super::http::router;
use super::prober::{LiveProber, ProbeEnv, Prober};
use super::publisher::PublisherSlot;
use super::recorder::Recorder;
use super::scheduler::Scheduler;
use super::state::Daemon;
use super::status::StatusBoard;
use crate::aws::{ApiCallCounter, ClientFactory};
use crate::config::{self, ConfigError};
use crate::metrics::Metrics;

/// How long the HTTP server may take to close its connections on shutdown.
const HTTP_CLOSE_WAIT: Duration = Duration::from_secs(5);

/// What `xprobe run` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: PathBuf,
    pub listen: SocketAddr,
    /// How long in-flight probes may take to finish on SIGTERM.
    pub shutdown_timeout: Duration,
    /// At most one diagnosis per route per this period (unless the failure changes).
    pub diagnose_every: Duration,
}

/// Why the daemon could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot listen on {addr} (hint: another process may hold the port; pick one with --listen)")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up the metrics registry")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot install the signal handlers")]
    Signals(#[source] std::io::Error),
    #[error("the HTTP server stopped")]
    Server(#[source] std::io::Error),
}

/// Runs the daemon until SIGTERM or SIGINT; returns `Ok` after a graceful stop.
pub async fn run(opts: Options, diagnoser: Arc<dyn Diagnoser>) -> Result<(), DaemonError> {
    // Handlers first: SIGHUP's default action would end the process.
    let mut hup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;

    let config = config::load(&opts.config)?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| DaemonError::Listen {
            addr: opts.listen,
            source,
        })?;

    let registry = Registry::new();
    let metrics = Arc::new(Metrics::new(&registry)?);
    let status = Arc::new(StatusBoard::new());
    let counter = ApiCallCounter::new();
    let env = Arc::new(ProbeEnv::new(
        ClientFactory::new(config.accounts.clone(), counter.clone()),
        Arc::new(PublisherSlot::new(config.mqtt.publish, 0)),
    ));
    let prober: Arc<dyn Prober> = Arc::new(LiveProber { env: env.clone() });
    let recorder = Arc::new(Recorder::new(
        metrics.clone(),
        status.clone(),
        diagnoser,
        opts.diagnose_every,
    ));
    let scheduler = Scheduler::new(prober.clone(), recorder);
    let daemon = Arc::new(Daemon::new(
        registry, metrics, status, env, prober, scheduler, counter, config,
    ));
    daemon.start().await;

    let (http_stop, mut http_stop_rx) = watch::channel(false);
    let app = router(daemon.clone());
    let mut server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = http_stop_rx.wait_for(|stop| *stop).await;
            })
            .await
    });
    info!(listen = %opts.listen, config = %opts.config.display(), routes = daemon.config().routes.len(), "xprobe run started.");

    let served = loop {
        tokio::select! {
            _ = hup.recv() => {
                info!("SIGHUP: reloading the config.");
                let _ = daemon.reload().await;
            }
            _ = term.recv() => {
                info!("SIGTERM: stopping.");
                break Ok(());
            }
            _ = int.recv() => {
                info!("SIGINT: stopping.");
                break Ok(());
            }
            r = &mut server => {
                break match r {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(DaemonError::Server(e)),
                    Err(e) => Err(DaemonError::Server(std::io::Error::other(e))),
                };
            }
        }
    };

    let aborted = daemon.stop(opts.shutdown_timeout).await;
    if aborted > 0 {
        warn!(
            aborted,
            "Probes still running after the shutdown timeout were cut short."
        );
    }
    let _ = http_stop.send(true);
    if !server.is_finished() && tokio::time::timeout(HTTP_CLOSE_WAIT, &mut server).await.is_err() {
        server.abort();
    }
    info!("xprobe run stopped.");
    served
}
