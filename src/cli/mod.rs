//! The command line: arguments, dispatch, and rendering of results.

mod args;
mod can;
mod check;
mod diagnose;
mod dispatch;
mod init;
mod logging;
mod progress;
mod render;
mod run;
mod sns_tap;

pub use args::{CanArgs, CheckArgs, Cli, Command, DiagnoseArgs, OutputFormat, ReportFormat, RunArgs};
pub use dispatch::run;
