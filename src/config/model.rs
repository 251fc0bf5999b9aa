//! The validated config: what the rest of xprobe works with.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A whole, validated config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where the config came from (for messages and for relative paths).
    pub path: PathBuf,
    pub accounts: BTreeMap<String, AccountConfig>,
    pub mqtt: MqttConfig,
    pub routes: Vec<RouteConfig>,
}

impl Config {
    /// The route with this name, if any.
    pub fn route(&self, name: &str) -> Option<&RouteConfig> {
        self.routes.iter().find(|r| r.name == name)
    }

    /// The account with this config name. Validation guarantees that every
    /// account a route or destination names exists.
    pub fn account(&self, name: &str) -> Option<&AccountConfig> {
        self.accounts.get(name)
    }
}

/// One AWS account xprobe talks to, and how to get credentials for it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountConfig {
    pub name: String,
    pub region: String,
    pub credentials: CredentialSource,
    /// Overrides the service endpoint (a local emulator). `AWS_ENDPOINT_URL`
    /// works too, as aws-config reads it.
    pub endpoint_url: Option<String>,
}

/// Where an account's credentials come from.
#[derive(Debug, Clone, PartialEq)]
pub enum CredentialSource {
    /// The default provider chain (environment, profile, IMDS, ...).
    DefaultChain,
    /// A named profile, optionally from a specific shared config file.
    Profile { name: String, file: Option<PathBuf> },
    /// A role assumed with credentials from the default chain or a profile.
    AssumeRole {
        role_arn: String,
        external_id: Option<String>,
        session_name: String,
        /// The profile whose credentials assume the role; default chain if unset.
        source_profile: Option<String>,
        source_file: Option<PathBuf>,
    },
}

/// How probes are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishMode {
    /// MQTT 5 over TLS with a device certificate (what devices do).
    Mqtt,
    /// The iot-data Publish API with IAM credentials; no certificate needed.
    Https,
}

impl PublishMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishMode::Mqtt => "mqtt",
            PublishMode::Https => "https",
        }
    }
}

/// The MQTT publisher's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct MqttConfig {
    /// Host name of the IoT data endpoint; discovered with DescribeEndpoint
    /// (`iot:Data-ATS`) in the first route's account when unset.
    pub endpoint: Option<String>,
    pub port: u16,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// CA bundle to trust; the public web roots (which include Amazon's) when unset.
    pub ca: Option<PathBuf>,
    pub client_id: String,
    pub publish: PublishMode,
    pub connect_timeout: Duration,
}

/// One route: a rule in a source account and where it should deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteConfig {
    pub name: String,
    /// Config name of the source account (where the rule lives).
    pub account: String,
    pub rule: String,
    /// The topic to publish to; the rule's FROM topic when unset.
    pub topic: Option<String>,
    pub basic_ingest: bool,
    /// The JSON object the probe tag is merged into.
    pub payload: serde_json::Map<String, serde_json::Value>,
    /// How long to wait for arrival at each destination.
    pub deadline: Duration,
    pub destinations: Vec<DestinationConfig>,
    /// How often `xprobe run` probes this route.
    pub interval: Duration,
}

/// One destination of a route.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationConfig {
    /// Config name of the account that owns the destination.
    pub account: String,
    pub spec: DestinationSpec,
}

/// What a destination is and how to read it back.
#[derive(Debug, Clone, PartialEq)]
pub enum DestinationSpec {
    Sqs {
        queue_url: String,
    },
    Sns {
        topic_arn: String,
        /// An SQS queue subscribed to the topic; `xprobe sns-tap create` makes one.
        tap_queue_url: Option<String>,
    },
    S3 {
        bucket: String,
        /// The rule action's key template; read from the rule when unset.
        key: Option<String>,
        /// Delete the probe's object once found (only that object).
        cleanup: bool,
    },
    Lambda {
        function_arn: String,
        /// The function's log group; read from its LoggingConfig when unset.
        log_group: Option<String>,
    },
}

impl DestinationSpec {
    /// The destination kind as used in output and metric labels.
    pub fn kind(&self) -> &'static str {
        match self {
            DestinationSpec::Sqs { .. } => "sqs",
            DestinationSpec::Sns { .. } => "sns",
            DestinationSpec::S3 { .. } => "s3",
            DestinationSpec::Lambda { .. } => "lambda",
        }
    }

    /// The resource the rule delivers to, for humans.
    pub fn target(&self) -> &str {
        match self {
            DestinationSpec::Sqs { queue_url } => queue_url,
            DestinationSpec::Sns { topic_arn, .. } => topic_arn,
            DestinationSpec::S3 { bucket, .. } => bucket,
            DestinationSpec::Lambda { function_arn, .. } => function_arn,
        }
    }
}
