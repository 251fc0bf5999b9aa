//! The probes this process created, and a mailbox for their arrivals.
//!
//! Only a message carrying an id recorded here may ever be deleted: xprobe
//! never deletes what it did not create. When one verifier reads another
//! verifier's probe from a shared queue, it deletes it (the process created
//! it) and leaves the arrival here for the verifier that waits for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::matcher::BodyShape;

/// Where and when a probe was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// When the destination stamped it (e.g. SQS SentTimestamp), epoch ms.
    pub stamped_ms: Option<i64>,
    /// When xprobe saw it, epoch ms.
    pub seen_ms: i64,
    pub shape: BodyShape,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Waiting,
    Arrived(Arrival),
}

/// Probe ids created by this process. Cloning shares the ledger.
#[derive(Debug, Clone, Default)]
pub struct ProbeLedger {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl ProbeLedger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an id this process is about to publish.
    pub fn record(&self, id: &str) {
        if let Ok(mut e) = self.entries.lock() {
            e.insert(id.to_string(), Entry::Waiting);
        }
    }

    /// Whether this process created the probe with this id.
    pub fn created(&self, id: &str) -> bool {
        self.entries.lock().map(|e| e.contains_key(id)).unwrap_or(false)
    }

    /// Leaves an arrival for the verifier waiting for `id`. Returns false
    /// (and stores nothing) if this process did not create `id`.
    pub fn deliver(&self, id: &str, arrival: Arrival) -> bool {
        let Ok(mut e) = self.entries.lock() else {
            return false;
        };
        match e.get_mut(id) {
            Some(entry @ Entry::Waiting) => {
                *entry = Entry::Arrived(arrival);
                true
            }
            Some(Entry::Arrived(_)) => true,
            None => false,
        }
    }

    /// The arrival left for `id`, if any.
    pub fn arrival(&self, id: &str) -> Option<Arrival> {
        match self.entries.lock().ok()?.get(id) {
            Some(Entry::Arrived(a)) => Some(*a),
            _ => None,
        }
    }

    /// Forgets an id once its probe is done, so the ledger stays small in the daemon.
    pub fn forget(&self, id: &str) {
        if let Ok(mut e) = self.entries.lock() {
            e.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival() -> Arrival {
        Arrival {
            stamped_ms: Some(1),
            seen_ms: 2,
            shape: BodyShape::RawJson,
        }
    }

    #[test]
    fn only_recorded_ids_are_ours() {
        let l = ProbeLedger::new();
        l.record("a");
        assert!(l.created("a"));
        assert!(!l.created("b"));
        assert!(!l.deliver("b", arrival()));
        assert_eq!(l.arrival("b"), None);
    }

    #[test]
    fn arrivals_wait_in_the_mailbox_until_forgotten() {
        let l = ProbeLedger::new();
        l.record("a");
        assert_eq!(l.arrival("a"), None);
        assert!(l.deliver("a", arrival()));
        assert_eq!(l.arrival("a"), Some(arrival()));
        l.forget("a");
        assert!(!l.created("a"));
    }
}
