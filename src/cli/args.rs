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

const EXIT_CODES: &str =
    "Exit codes: 0 all delivered, 1 something missing or in error, 2 config or usage error, 3 no probe could be sent.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Publish a tagged probe on each route and confirm it arrived at every destination.
    #[command(
        after_help = "Examples:\n  xprobe check --config probes/sandbox.toml\n  xprobe check --route sqs --output json\n  xprobe check --dry-run   # validate the config offline"
    )]
    Check(CheckArgs),

    /// Probe every route on its interval and serve Prometheus metrics (a daemon).
    #[command(
        after_help = "Endpoints: /metrics /healthz /readyz /status /probe?route=NAME, POST /-/reload. SIGHUP reloads the config; SIGTERM finishes in-flight probes and exits 0.\n\nExamples:\n  xprobe run --config /etc/xprobe/xprobe.toml\n  xprobe run --config probes/sandbox.toml --listen 0.0.0.0:9464 --log-format json"
    )]
    Run(RunArgs),

    /// Name the broken part of each route, with evidence and the exact fix.
    #[command(
        after_help = "Examples:\n  xprobe diagnose --config probes/sandbox.toml --route s3\n  xprobe diagnose --output markdown > ticket.md\n  xprobe diagnose --save-facts facts.json   # a support bundle: no credentials, no message bodies\n  xprobe diagnose --facts facts.json        # offline, from a bundle\n\nExit codes: 0 no error findings, 1 error findings, 2 config or usage error."
    )]
    Diagnose(DiagnoseArgs),

    /// Evaluate one request across accounts with the live policies (or files).
    #[command(
        after_help = "Examples:\n  xprobe can --principal arn:aws:iam::111111111111:role/my-iot-role --action s3:PutObject \\\n      --resource arn:aws:s3:::examplebucket/iot/test/1 --config probes/sandbox.toml\n  xprobe can --principal arn:aws:iam::111111111111:role/r --action sqs:SendMessage \\\n      --resource arn:aws:sqs:us-east-1:222222222222:q --identity-policy role.json --resource-policy queue.json\n\nExit codes: 0 allowed, 1 denied, 2 usage error."
    )]
    Can(CanArgs),

    /// Create or delete the SQS tap queue that lets xprobe read an SNS topic.
    #[command(subcommand, name = "sns-tap")]
    SnsTap(SnsTapCommand),

    /// Draft a config from existing rules: follows their actions to the destinations (reads only).
    #[command(
        after_help = "Examples:\n  xprobe init --rule sqs_rule --rule s3_rule --region us-east-1 --profile prod-a --dest-profile prod-b > xprobe.toml\n  xprobe init --rule sqs_rule --region eu-west-1 --role-arn arn:aws:iam::111111111111:role/xprobe \\\n      --dest-role-arn arn:aws:iam::222222222222:role/xprobe-reader --write xprobe.toml\n\nThe draft publishes with the iot-data HTTPS API (no certificate); give --client-cert and --client-key to publish over MQTT.\nExit codes: 0 drafted, 1 a rule could not be read, 2 usage error, 3 the credentials do not work."
    )]
    Init(InitArgs),
}

/// Arguments of `xprobe init`.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// A rule in the source account (repeatable); each becomes a route.
    #[arg(long, value_name = "NAME", required = true)]
    pub rule: Vec<String>,
    /// The region of the rules (and of the destinations).
    #[arg(long, value_name = "REGION", env = "AWS_REGION")]
    pub region: String,
    /// The source account's profile (default: the default credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// A role to assume in the source account (from --profile, or the default chain).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// The destination accounts' profile.
    #[arg(long, value_name = "NAME")]
    pub dest_profile: Option<String>,
    /// A role to assume in the destination account.
    #[arg(long, value_name = "ARN")]
    pub dest_role_arn: Option<String>,
    /// A shared-config-format file the profiles come from.
    #[arg(long, value_name = "FILE")]
    pub profile_file: Option<PathBuf>,
    /// An endpoint for every AWS call (a local emulator).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Publish over MQTT with this device certificate (with --client-key).
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The device certificate's private key.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// The CA that signs the MQTT server's certificate.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub ca: Option<PathBuf>,
    /// The MQTT endpoint (default: DescribeEndpoint iot:Data-ATS at probe time).
    #[arg(long, value_name = "HOST", requires = "client_cert")]
    pub mqtt_endpoint: Option<String>,
    /// The MQTT port (default 8883).
    #[arg(long, value_name = "PORT", requires = "client_cert")]
    pub mqtt_port: Option<u16>,
    /// Write the config to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// With --write, overwrite FILE if it exists.
    #[arg(long, requires = "write")]
    pub force: bool,
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

    /// Do not diagnose destinations that were not delivered.
    #[arg(long)]
    pub no_diagnose: bool,

    /// Override every route's deadline, e.g. 5s.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

/// Arguments of `xprobe run`.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArg,

    /// Address of the metrics and status server.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464", env = "XPROBE_LISTEN")]
    pub listen: std::net::SocketAddr,

    /// On SIGTERM, how long in-flight probes may take to finish.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = humantime::parse_duration)]
    pub shutdown_timeout: std::time::Duration,

    /// Diagnose a failing route at most this often (sooner when the failure changes).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = humantime::parse_duration)]
    pub diagnose_interval: std::time::Duration,
}

/// Arguments of `xprobe diagnose`.
#[derive(Debug, Args, Clone)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub config: ConfigArg,

    /// Diagnose only this route (repeatable).
    #[arg(long, value_name = "NAME")]
    pub route: Vec<String>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Text)]
    pub output: ReportFormat,

    /// Write every fact read to FILE as JSON (no credentials, no message bodies).
    #[arg(long, value_name = "FILE")]
    pub save_facts: Option<PathBuf>,

    /// Diagnose offline from a file written by --save-facts; nothing is read from AWS.
    #[arg(long, value_name = "FILE", conflicts_with = "save_facts")]
    pub facts: Option<PathBuf>,
}

/// Arguments of `xprobe can`.
#[derive(Debug, Args, Clone)]
pub struct CanArgs {
    /// Who asks: a role, user or assumed-role ARN, an account id, or a service (iot.amazonaws.com).
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// The action, e.g. s3:PutObject.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource ARN.
    #[arg(long, value_name = "ARN")]
    pub resource: String,
    /// A condition key, e.g. aws:SourceAccount=111111111111 (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// An identity policy file (repeatable); with none, the principal's live policies are read.
    #[arg(long, value_name = "FILE")]
    pub identity_policy: Vec<PathBuf>,
    /// The resource policy file; without it, the resource's live policy is read.
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// A permissions boundary file.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// The config whose accounts are used to read live policies.
    #[arg(long, short, value_name = "FILE", env = "XPROBE_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Diagnose output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
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
    #[command(after_help = "Example:\n  xprobe sns-tap create --route sns --config probes/sandbox.toml")]
    Create(SnsTapArgs),
    /// Remove the tap's subscription and queue.
    #[command(after_help = "Example:\n  xprobe sns-tap delete --route sns --config probes/sandbox.toml")]
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
