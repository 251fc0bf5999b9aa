//! What the scheduler runs for each probe: the [`Prober`] seam, and the live
//! prober that publishes through the shared publisher and reads the
//! destinations with the shared AWS clients.

use std::sync::{Arc, RwLock};

use futures::future::BoxFuture;

use super::publisher::PublisherSlot;
use crate::aws::ClientFactory;
use crate::config::RouteConfig;
use crate::probe::{ProbeLedger, RouteProbe, RouteResult};

/// Probes one route once.
pub trait Prober: Send + Sync {
    fn probe<'a>(&'a self, route: &'a RouteConfig) -> BoxFuture<'a, RouteResult>;
}

/// What every probe of the process shares: AWS clients (replaced when the
/// accounts change on reload), the publisher slot and the probe ledger.
pub struct ProbeEnv {
    factory: RwLock<ClientFactory>,
    publisher: RwLock<Arc<PublisherSlot>>,
    ledger: ProbeLedger,
}

impl ProbeEnv {
    pub fn new(factory: ClientFactory, publisher: Arc<PublisherSlot>) -> Self {
        ProbeEnv {
            factory: RwLock::new(factory),
            publisher: RwLock::new(publisher),
            ledger: ProbeLedger::new(),
        }
    }

    pub fn publisher(&self) -> Arc<PublisherSlot> {
        self.publisher.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_publisher(&self, slot: Arc<PublisherSlot>) {
        *self.publisher.write().unwrap_or_else(|e| e.into_inner()) = slot;
    }

    /// The ids of this process's probes (shared by every probe).
    pub fn ledger(&self) -> &ProbeLedger {
        &self.ledger
    }

    pub fn factory(&self) -> ClientFactory {
        self.factory.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_factory(&self, factory: ClientFactory) {
        *self.factory.write().unwrap_or_else(|e| e.into_inner()) = factory;
    }
}

/// Probes for real.
pub struct LiveProber {
    pub env: Arc<ProbeEnv>,
}

impl Prober for LiveProber {
    fn probe<'a>(&'a self, route: &'a RouteConfig) -> BoxFuture<'a, RouteResult> {
        Box::pin(async move {
            let factory = self.env.factory();
            let publisher = self.env.publisher().get();
            let probe = RouteProbe {
                factory: &factory,
                publisher: match &publisher {
                    Ok(p) => Ok(p.as_ref()),
                    Err(e) => Err(e.as_ref()),
                },
                ledger: &self.env.ledger,
            };
            probe.run(route).await
        })
    }
}
