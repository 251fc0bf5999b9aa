//! Unit tests of diagnose on constructed facts and recorded AWS responses:
//! every check's codes (`source`, `destinations`, `evidence`), the APIs the
//! sandbox lacks (`recorded`), and report snapshots (`snapshots`).

pub(super) mod build;
mod destinations;
mod evidence;
mod recorded;
mod snapshots;
mod source;
