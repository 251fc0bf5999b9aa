//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Proves that AWS IoT Core rules deliver across accounts, and explains why they don't.
#[derive(Debug, Parser)]
#[command(name = "xprobe", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "XPROBE_LOG_FORMAT")]
    pub log_format: LogFormat,
}

const EXIT_CODES: &str = "Exit codes: 0 all delivered, 1 something missing or in error, 2 config or usage error, 3 no probe could be sent.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Publish a tagged probe on each route and confirm it arrived at every destination.
    #[command(
        after_help = "Examples:\n  xprobe check --config probes/sandbox.toml\n  xprobe check --route sqs --output json\n  xprobe check --dry-run   # validate the config offline"
    )]
    Check(CheckArgs),

    /// Create or delete the SQS tap queue that lets xprobe read an SNS topic.
    #[command(subcommand, name = "sns-tap")]
    SnsTap(SnsTapCommand),
}

/// Arguments of `xprobe check`.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArg,

    /// Probe only this route (repeatable).
    #[arg(long, value_name = "NAME")]
    pub route: Vec<String>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Validate the config offline and exit; nothing is sent.
    #[arg(long)]
    pub dry_run: bool,
}

/// The config file argument shared by subcommands.
#[derive(Debug, Args, Clone)]
pub struct ConfigArg {
    /// Config file (TOML).
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "xprobe.toml",
        env = "XPROBE_CONFIG"
    )]
    pub config: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SnsTapCommand {
    /// Create the tap queue, its policy and a filtered raw subscription; print the config line to add.
    #[command(
        after_help = "Example:\n  xprobe sns-tap create --route sns --config probes/sandbox.toml"
    )]
    Create(SnsTapArgs),
    /// Remove the tap's subscription and queue.
    #[command(
        after_help = "Example:\n  xprobe sns-tap delete --route sns --config probes/sandbox.toml"
    )]
    Delete(SnsTapArgs),
}

/// Arguments of `xprobe sns-tap`.
#[derive(Debug, Args, Clone)]
pub struct SnsTapArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The route whose SNS destination gets the tap.
    #[arg(long, value_name = "NAME")]
    pub route: String,
    /// For delete: the tap queue URL, when it is not in the config.
    #[arg(long, value_name = "URL")]
    pub queue_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_parses_routes_and_output() {
        let cli = Cli::try_parse_from([
            "xprobe", "check", "--config", "x.toml", "--route", "a", "--route", "b", "-o", "json",
        ])
        .unwrap();
        let Command::Check(a) = cli.command else {
            panic!("not check")
        };
        assert_eq!(a.route, ["a", "b"]);
        assert_eq!(a.output, OutputFormat::Json);
        assert_eq!(a.config.config, PathBuf::from("x.toml"));
    }
}
