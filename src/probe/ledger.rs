//! The probes this process created, and a mailbox for their arrivals.
//!
//! Only a message carrying an id recorded here may ever be deleted: xprobe
//! never deletes what it did not create. When one verifier reads another
//! verifier's probe from a shared queue, it deletes it (the process created
//! it) and leaves the arrival here for the verifier that waits for it.
//!
//! A finished probe's id is retired, not dropped: a probe that arrives after
//! its deadline is still this process's own, so the next probe of the daemon
//! deletes it instead of leaving it in the queue for ever (and counts it as
//! late). Retired ids are kept for [`RETIRED_FOR`], at most [`RETIRED_MAX`].
//! Ids are ULIDs, kept as their 128 bits (a daemon of 1,000 routes retires
//! 2,000 ids a minute at a 30 s interval); an id that is not a ULID was not
//! made by xprobe.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::matcher::BodyShape;

/// How long a finished probe's id still counts as ours.
pub const RETIRED_FOR: Duration = Duration::from_secs(15 * 60);
/// The most retired ids kept (the oldest go first).
pub const RETIRED_MAX: usize = 20_000;

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
    /// The probe is over; a copy arriving now is late.
    Retired,
}

#[derive(Debug, Default)]
struct Entries {
    by_id: HashMap<u128, Entry>,
    /// Retired ids, oldest first, with when they retired.
    retired: VecDeque<(Instant, u128)>,
}

/// The id's 128 bits, if it is a ULID (every id xprobe makes is).
fn key(id: &str) -> Option<u128> {
    ulid::Ulid::from_string(id).ok().map(u128::from)
}

impl Entries {
    fn prune(&mut self, now: Instant) {
        while let Some((at, _)) = self.retired.front() {
            if now.duration_since(*at) < RETIRED_FOR && self.retired.len() <= RETIRED_MAX {
                break;
            }
            if let Some((_, id)) = self.retired.pop_front() {
                if matches!(self.by_id.get(&id), Some(Entry::Retired)) {
                    self.by_id.remove(&id);
                }
            }
        }
    }
}

/// Probe ids created by this process. Cloning shares the ledger.
#[derive(Debug, Clone, Default)]
pub struct ProbeLedger {
    entries: Arc<Mutex<Entries>>,
    late: Arc<AtomicU64>,
}

impl ProbeLedger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an id this process is about to publish.
    pub fn record(&self, id: &str) {
        let Some(k) = key(id) else {
            return;
        };
        if let Ok(mut e) = self.entries.lock() {
            e.by_id.insert(k, Entry::Waiting);
        }
    }

    /// Whether this process created the probe with this id (still running
    /// or retired).
    pub fn created(&self, id: &str) -> bool {
        let Some(k) = key(id) else {
            return false;
        };
        self.entries.lock().map(|e| e.by_id.contains_key(&k)).unwrap_or(false)
    }

    /// Leaves an arrival for the verifier waiting for `id`. Returns false
    /// (and stores nothing) if this process did not create `id`. An arrival
    /// for a retired id is counted as late and not stored.
    pub fn deliver(&self, id: &str, arrival: Arrival) -> bool {
        let Some(k) = key(id) else {
            return false;
        };
        let Ok(mut e) = self.entries.lock() else {
            return false;
        };
        match e.by_id.get_mut(&k) {
            Some(entry @ Entry::Waiting) => {
                *entry = Entry::Arrived(arrival);
                true
            }
            Some(Entry::Arrived(_)) => true,
            Some(Entry::Retired) => {
                self.late.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// The arrival left for `id`, if any.
    pub fn arrival(&self, id: &str) -> Option<Arrival> {
        match self.entries.lock().ok()?.by_id.get(&key(id)?) {
            Some(Entry::Arrived(a)) => Some(*a),
            _ => None,
        }
    }

    /// Retires an id once its probe is done: it stays ours (a late copy may
    /// be deleted) but no longer waits for anything.
    pub fn forget(&self, id: &str) {
        self.forget_at(id, Instant::now());
    }

    fn forget_at(&self, id: &str, now: Instant) {
        let Some(k) = key(id) else {
            return;
        };
        if let Ok(mut e) = self.entries.lock() {
            if let Some(entry) = e.by_id.get_mut(&k) {
                if !matches!(entry, Entry::Retired) {
                    *entry = Entry::Retired;
                    e.retired.push_back((now, k));
                }
            }
            e.prune(now);
        }
    }

    /// Probes of this process that arrived after their probe had ended.
    pub fn late_arrivals(&self) -> u64 {
        self.late.load(Ordering::Relaxed)
    }

    /// Ids still remembered (waiting, arrived or retired).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.by_id.len()).unwrap_or(0)
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A guard that retires `id` when dropped, so a probe cancelled at its
    /// hard limit (its future dropped) does not leave the id waiting.
    pub fn retire_on_drop(&self, id: &str) -> RetireOnDrop {
        RetireOnDrop {
            ledger: self.clone(),
            id: id.to_string(),
        }
    }
}

/// Retires its id when dropped; see [`ProbeLedger::retire_on_drop`].
#[derive(Debug)]
pub struct RetireOnDrop {
    ledger: ProbeLedger,
    id: String,
}

impl Drop for RetireOnDrop {
    fn drop(&mut self) {
        self.ledger.forget(&self.id);
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

    /// A probe id, as xprobe makes them (a ULID).
    fn id(n: u128) -> String {
        ulid::Ulid::from(n).to_string()
    }

    #[test]
    fn only_recorded_ids_are_ours() {
        let l = ProbeLedger::new();
        let (a, b) = (id(1), id(2));
        l.record(&a);
        assert!(l.created(&a));
        assert!(!l.created(&b));
        assert!(!l.deliver(&b, arrival()));
        assert_eq!(l.arrival(&b), None);
    }

    #[test]
    fn an_id_that_is_not_a_ulid_is_never_ours() {
        let l = ProbeLedger::new();
        l.record("not-a-ulid");
        assert!(!l.created("not-a-ulid"));
        assert!(!l.deliver("not-a-ulid", arrival()));
        assert!(l.is_empty());
    }

    #[test]
    fn arrivals_wait_in_the_mailbox_until_forgotten() {
        let l = ProbeLedger::new();
        let a = id(1);
        l.record(&a);
        assert_eq!(l.arrival(&a), None);
        assert!(l.deliver(&a, arrival()));
        assert_eq!(l.arrival(&a), Some(arrival()));
        l.forget(&a);
        assert_eq!(l.arrival(&a), None);
    }

    #[test]
    fn a_retired_id_stays_ours_and_its_arrival_counts_as_late() {
        let l = ProbeLedger::new();
        let (a, b) = (id(1), id(2));
        l.record(&a);
        l.forget(&a);
        assert!(l.created(&a), "a late copy may still be deleted");
        assert!(l.deliver(&a, arrival()));
        assert_eq!(l.arrival(&a), None, "nobody waits for it any more");
        assert_eq!(l.late_arrivals(), 1);
        assert!(!l.deliver(&b, arrival()));
        assert_eq!(l.late_arrivals(), 1);
    }

    #[test]
    fn retired_ids_expire() {
        let l = ProbeLedger::new();
        let t0 = Instant::now();
        let (old, new) = (id(1), id(2));
        l.record(&old);
        l.forget_at(&old, t0);
        l.record(&new);
        l.forget_at(&new, t0 + RETIRED_FOR);
        assert!(!l.created(&old));
        assert!(l.created(&new));
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn retiring_twice_keeps_one_entry() {
        let l = ProbeLedger::new();
        let a = id(1);
        l.record(&a);
        l.forget(&a);
        l.forget(&a);
        assert_eq!(l.entries.lock().unwrap().retired.len(), 1);
    }

    #[test]
    fn the_retired_set_is_capped() {
        let l = ProbeLedger::new();
        let t0 = Instant::now();
        for i in 0..=RETIRED_MAX as u128 {
            l.record(&id(i));
            l.forget_at(&id(i), t0);
        }
        assert_eq!(l.len(), RETIRED_MAX);
        assert!(!l.created(&id(0)), "the oldest went first");
        assert!(l.created(&id(RETIRED_MAX as u128)));
    }

    #[test]
    fn a_dropped_probe_retires_its_id() {
        let l = ProbeLedger::new();
        let a = id(1);
        l.record(&a);
        let guard = l.retire_on_drop(&a);
        assert!(l.deliver(&a, arrival()));
        assert!(l.arrival(&a).is_some());
        drop(guard);
        assert_eq!(l.arrival(&a), None);
        assert!(l.deliver(&a, arrival()));
        assert_eq!(l.late_arrivals(), 1);
    }

    #[test]
    fn an_unknown_id_is_never_retired_into_ours() {
        let l = ProbeLedger::new();
        l.forget(&id(9));
        assert!(!l.created(&id(9)));
        assert!(l.is_empty());
    }
}
