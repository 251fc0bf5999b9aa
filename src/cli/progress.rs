//! A live progress line on stderr, shown only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(200);

/// The progress of a check; does nothing when stderr is not a TTY.
pub struct Progress {
    done: Arc<AtomicUsize>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    pub fn start(routes: usize, destinations: usize) -> Self {
        let done = Arc::new(AtomicUsize::new(0));
        let ticker = std::io::stderr().is_terminal().then(|| {
            let done = done.clone();
            let started = Instant::now();
            tokio::spawn(async move {
                loop {
                    let d = done.load(Ordering::Relaxed);
                    let mut err = std::io::stderr();
                    let _ = write!(
                        err,
                        "\r\x1b[2Kprobing {routes} route{}: {d}/{destinations} destinations done ({:.1}s)",
                        if routes == 1 { "" } else { "s" },
                        started.elapsed().as_secs_f64()
                    );
                    let _ = err.flush();
                    tokio::time::sleep(TICK).await;
                }
            })
        });
        Progress { done, ticker }
    }

    pub fn done(&self, destinations: usize) {
        self.done.fetch_add(destinations, Ordering::Relaxed);
    }

    /// Stops the ticker and clears the line.
    pub fn finish(&self) {
        if let Some(t) = &self.ticker {
            t.abort();
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
