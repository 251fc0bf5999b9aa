//! Runs a parsed command and returns the process exit code.

use super::args::{Cli, Command, SnsTapCommand};
use super::{can, check, diagnose, init, logging, run as run_cmd, sns_tap};
use crate::exit;

/// Runs the command line and returns the exit code.
pub fn run(cli: Cli) -> i32 {
    logging::init(cli.log_format);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::NO_PROBE_SENT;
        }
    };
    rt.block_on(async {
        match cli.command {
            Command::Check(args) => check::run(args).await,
            Command::Run(args) => run_cmd::run(args).await,
            Command::Diagnose(args) => diagnose::run(args).await,
            Command::Can(args) => can::run(args).await,
            Command::SnsTap(SnsTapCommand::Create(a)) => sns_tap::create(a).await,
            Command::SnsTap(SnsTapCommand::Delete(a)) => sns_tap::delete(a).await,
            Command::Init(args) => init::run(args).await,
        }
    })
}
