//! The command line: arguments, dispatch, and rendering of results.

mod args;
mod check;
mod dispatch;
mod logging;
mod progress;
mod render;
mod sns_tap;

pub use args::{CheckArgs, Cli, Command, OutputFormat};
pub use dispatch::run;
