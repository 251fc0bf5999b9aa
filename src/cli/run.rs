//! `xprobe run`: the daemon. Maps its outcome to an exit code.

use std::sync::Arc;

use super::args::{OutputFormat, RunArgs};
use super::check::load_config;
use crate::daemon::{self, DaemonError, FactsDiagnoser, Options};
use crate::exit;
use crate::probe::error_chain;

/// Runs the daemon until SIGTERM; 0 after a graceful stop, 2 when the
/// config or the listen address is unusable.
pub async fn run(args: RunArgs) -> i32 {
    // Load once up front to print every config problem the way `check` does.
    if let Err(code) = load_config(&args.config.config, OutputFormat::Text) {
        return code;
    }
    let diagnoser = Arc::new(FactsDiagnoser {
        config_path: args.config.config.clone(),
    });
    let opts = Options {
        config: args.config.config,
        listen: args.listen,
        shutdown_timeout: args.shutdown_timeout,
        diagnose_every: args.diagnose_interval,
    };
    match daemon::run(opts, diagnoser).await {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            match e {
                DaemonError::Config(_) | DaemonError::Listen { .. } => exit::USAGE,
                _ => exit::NO_PROBE_SENT,
            }
        }
    }
}
