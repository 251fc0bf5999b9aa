//! One client factory per account: loads each account's SDK config once
//! (region, credentials, endpoint override, retry and timeout policy) and
//! builds service clients that count their calls.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_runtime::env_config::file::{EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles};
use tokio::sync::OnceCell;

use super::calls::ApiCallCounter;
use super::credentials::ExplainedCredentials;
use super::host_prefix::LocalHostPrefix;
use super::retry::{retry_config, timeout_config};
use crate::config::{AccountConfig, CredentialSource};

/// Builds and caches per-account SDK configs.
#[derive(Debug, Clone)]
pub struct ClientFactory {
    accounts: Arc<BTreeMap<String, AccountConfig>>,
    cache: Arc<Mutex<HashMap<String, Arc<OnceCell<SdkConfig>>>>>,
    counter: ApiCallCounter,
}

impl ClientFactory {
    pub fn new(accounts: BTreeMap<String, AccountConfig>, counter: ApiCallCounter) -> Self {
        ClientFactory {
            accounts: Arc::new(accounts),
            cache: Arc::default(),
            counter,
        }
    }

    /// The call counter every client reports to.
    pub fn counter(&self) -> &ApiCallCounter {
        &self.counter
    }

    /// Clients for the account with this config name. Credentials are
    /// resolved lazily by the SDK, so a bad credential source surfaces as an
    /// error on the first call, with the SDK's explanation.
    pub async fn account(&self, name: &str) -> Option<AccountClients> {
        let account = self.accounts.get(name)?.clone();
        let cell = {
            let mut cache = self.cache.lock().ok()?;
            cache.entry(name.to_string()).or_default().clone()
        };
        let sdk = cell.get_or_init(|| load(&account)).await.clone();
        Some(AccountClients {
            account,
            sdk,
            counters: vec![self.counter.clone()],
        })
    }
}

async fn load(account: &AccountConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(account.region.clone()))
        .retry_config(retry_config())
        .timeout_config(timeout_config());
    if let Some(url) = &account.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    match &account.credentials {
        CredentialSource::DefaultChain => {}
        CredentialSource::Profile { name, file } => {
            loader = with_profile(loader, name, file.as_deref());
        }
        CredentialSource::AssumeRole {
            role_arn,
            external_id,
            session_name,
            source_profile,
            source_file,
        } => {
            let mut base = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(account.region.clone()))
                .retry_config(retry_config())
                .timeout_config(timeout_config());
            if let Some(url) = &account.endpoint_url {
                base = base.endpoint_url(url);
            }
            if let Some(p) = source_profile {
                base = with_profile(base, p, source_file.as_deref());
            }
            let base = base.load().await;
            let mut b = AssumeRoleProvider::builder(role_arn.clone())
                .session_name(session_name.clone())
                .configure(&base);
            if let Some(id) = external_id {
                b = b.external_id(id.clone());
            }
            loader = loader.credentials_provider(b.build().await);
        }
    }
    let sdk = loader.load().await;
    match sdk.credentials_provider() {
        Some(inner) => sdk
            .into_builder()
            .credentials_provider(ExplainedCredentials::wrap(inner, account))
            .build(),
        None => sdk,
    }
}

fn with_profile(
    loader: aws_config::ConfigLoader,
    name: &str,
    file: Option<&std::path::Path>,
) -> aws_config::ConfigLoader {
    let loader = loader.profile_name(name);
    match file {
        Some(f) => loader.profile_files(ProfileFiles::builder().with_file(ProfileFileKind::Config, f).build()),
        None => loader,
    }
}

/// A method that builds one service's client, counting its calls.
macro_rules! client {
    ($name:ident, $krate:ident) => {
        pub fn $name(&self) -> $krate::Client {
            let mut b = $krate::config::Builder::from(&self.sdk);
            for c in &self.counters {
                b = b.interceptor(c.clone());
            }
            $krate::Client::from_conf(b.build())
        }
    };
}

/// The SDK config of one account, and its service clients.
#[derive(Debug, Clone)]
pub struct AccountClients {
    pub account: AccountConfig,
    sdk: SdkConfig,
    counters: Vec<ApiCallCounter>,
}

impl AccountClients {
    /// Clients for `account` built on a ready SDK config, without the
    /// factory (tests plug recorded responses in through the config's HTTP
    /// client). Calls are counted only in counters added with [`Self::scoped`].
    pub fn from_sdk_config(account: AccountConfig, sdk: SdkConfig) -> AccountClients {
        AccountClients {
            account,
            sdk,
            counters: Vec::new(),
        }
    }

    /// The config name of this account.
    pub fn name(&self) -> &str {
        &self.account.name
    }

    pub fn region(&self) -> &str {
        &self.account.region
    }

    pub fn sdk_config(&self) -> &SdkConfig {
        &self.sdk
    }

    /// The same clients, also counting their calls in `local` (so one probe
    /// can report the calls it made, measured by the interceptor).
    pub fn scoped(&self, local: &ApiCallCounter) -> AccountClients {
        let mut c = self.clone();
        c.counters.push(local.clone());
        c
    }

    client!(sqs, aws_sdk_sqs);
    client!(sns, aws_sdk_sns);
    client!(iot, aws_sdk_iot);
    client!(sts, aws_sdk_sts);
    client!(lambda, aws_sdk_lambda);
    client!(logs, aws_sdk_cloudwatchlogs);
    client!(cloudwatch, aws_sdk_cloudwatch);
    client!(iam, aws_sdk_iam);
    client!(kms, aws_sdk_kms);

    /// The S3 Control client; on a local `endpoint_url` without the account
    /// host prefix (see `host_prefix.rs`).
    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let mut b = aws_sdk_s3control::config::Builder::from(&self.sdk);
        for c in &self.counters {
            b = b.interceptor(c.clone());
        }
        if let Some(p) = self.sdk.endpoint_url().and_then(LocalHostPrefix::for_endpoint) {
            b = b.interceptor(p);
        }
        aws_sdk_s3control::Client::from_conf(b.build())
    }

    /// The S3 client; path-style addressing when the endpoint is overridden
    /// (a local emulator has no per-bucket host names).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let mut b = aws_sdk_s3::config::Builder::from(&self.sdk).force_path_style(self.account.endpoint_url.is_some());
        for c in &self.counters {
            b = b.interceptor(c.clone());
        }
        aws_sdk_s3::Client::from_conf(b.build())
    }

    /// The iot-data client. Without an endpoint override on the account, it
    /// talks to the account's data endpoint host (`https://<host>`).
    pub fn iot_data(&self, data_endpoint: Option<&str>) -> aws_sdk_iotdataplane::Client {
        let mut b = aws_sdk_iotdataplane::config::Builder::from(&self.sdk);
        for c in &self.counters {
            b = b.interceptor(c.clone());
        }
        if self.account.endpoint_url.is_none() {
            if let Some(host) = data_endpoint {
                b = b.endpoint_url(format!("https://{host}"));
            }
        }
        aws_sdk_iotdataplane::Client::from_conf(b.build())
    }
}
