//! Credential failures that say which account they belong to and what to
//! run about them.
//!
//! The SDK's own message ("an error occurred while loading credentials:
//! service error: UnauthorizedException ...") names neither the config's
//! account nor the fix. Each account's provider is wrapped so that a failure
//! carries both; [`super::AwsError`] finds it in the error's source chain and
//! shows the fix as the hint.

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};

use super::error::chain;
use crate::config::{AccountConfig, CredentialSource};

/// Why an account's credentials could not be loaded, and the fix.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the credentials of account `{account}` ({source_desc})")]
pub struct CredentialsUnavailable {
    pub account: String,
    pub source_desc: String,
    pub fix: String,
    #[source]
    pub cause: CredentialsError,
}

/// An account's credentials provider whose failures explain themselves.
#[derive(Debug)]
pub struct ExplainedCredentials {
    inner: SharedCredentialsProvider,
    account: AccountConfig,
}

impl ExplainedCredentials {
    pub fn wrap(inner: SharedCredentialsProvider, account: &AccountConfig) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(ExplainedCredentials {
            inner,
            account: account.clone(),
        })
    }
}

impl ProvideCredentials for ExplainedCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.inner.provide_credentials().await.map_err(|cause| {
                let detail = chain(&cause);
                CredentialsError::provider_error(CredentialsUnavailable {
                    account: self.account.name.clone(),
                    source_desc: describe(&self.account.credentials),
                    fix: fix(&self.account, &detail),
                    cause,
                })
            })
        })
    }
}

/// Where the credentials come from, in words.
pub fn describe(source: &CredentialSource) -> String {
    match source {
        CredentialSource::DefaultChain => "the default credential chain".to_string(),
        CredentialSource::Profile { name, file: None } => format!("profile `{name}`"),
        CredentialSource::Profile { name, file: Some(f) } => format!("profile `{name}` in {}", f.display()),
        CredentialSource::AssumeRole { role_arn, .. } => format!("role {role_arn}"),
    }
}

/// What to run, given where the credentials come from and how loading failed.
fn fix(account: &AccountConfig, detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    // Words, not substrings: "processor" must not read as SSO.
    let sso = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.starts_with("sso") || w == "unauthorizedexception");
    let config_file = |file: &Option<std::path::PathBuf>| match file {
        Some(f) => format!("AWS_CONFIG_FILE={} ", f.display()),
        None => String::new(),
    };
    match &account.credentials {
        CredentialSource::Profile { name, file } if sso => format!(
            "the SSO session behind profile `{name}` has ended or never started: run `{}aws sso login --profile {name}` and try again",
            config_file(file)
        ),
        CredentialSource::Profile { name, file } => match defined_profiles(file.as_deref()) {
            Some((files, names)) if !names.contains(name) => format!(
                "profile `{name}` is not defined in {files}; defined there: {}",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
            _ => format!(
                "check profile `{name}`: `{}aws sts get-caller-identity --profile {name}` shows what fails",
                config_file(file)
            ),
        },
        CredentialSource::AssumeRole {
            role_arn,
            source_profile,
            ..
        } => {
            let from = source_profile
                .as_ref()
                .map_or_else(|| "the default chain".to_string(), |p| format!("profile `{p}`"));
            format!(
                "the credentials of {from} must be allowed sts:AssumeRole on {role_arn}, and the role's trust \
                 policy must name them (with the external id, if set); `aws sts assume-role --role-arn {role_arn} \
                 --role-session-name test` shows what fails"
            )
        }
        CredentialSource::DefaultChain if sso => {
            "the SSO session of the default profile has ended: run `aws sso login` and try again".to_string()
        }
        CredentialSource::DefaultChain => format!(
            "no credentials in the default chain (environment, ~/.aws, SSO, container or instance role): set \
             `profile` or `role_arn` under [accounts.{}], or export AWS_PROFILE",
            account.name
        ),
    }
}

/// The profiles defined in the shared config and credentials files (or in
/// `file` alone), and those files in words; `None` when none can be read.
fn defined_profiles(file: Option<&std::path::Path>) -> Option<(String, Vec<String>)> {
    let paths: Vec<std::path::PathBuf> = match file {
        Some(f) => vec![f.to_path_buf()],
        None => {
            let home = std::env::var_os("HOME").map(std::path::PathBuf::from)?;
            let config = std::env::var_os("AWS_CONFIG_FILE").map_or_else(|| home.join(".aws/config"), Into::into);
            let creds = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
                .map_or_else(|| home.join(".aws/credentials"), Into::into);
            vec![config, creds]
        }
    };
    let mut names = Vec::new();
    let mut read = Vec::new();
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        read.push(path.display().to_string());
        names.extend(profile_names(&text));
    }
    names.sort();
    names.dedup();
    (!read.is_empty()).then(|| (read.join(" and "), names))
}

/// Profile names in shared config text: `[profile NAME]` and `[NAME]`
/// sections (not `[sso-session …]` or `[services …]`).
fn profile_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .filter_map(|section| {
            let section = section.trim();
            match section.split_once(char::is_whitespace) {
                Some(("profile", name)) => Some(name.trim().to_string()),
                Some(_) => None,
                None => Some(section.to_string()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(credentials: CredentialSource) -> AccountConfig {
        AccountConfig {
            name: "dest".into(),
            region: "us-east-1".into(),
            credentials,
            endpoint_url: None,
        }
    }

    async fn failure(credentials: CredentialSource, why: &str) -> CredentialsUnavailable {
        let failing = SharedCredentialsProvider::new(Failing(why.to_string()));
        let wrapped = ExplainedCredentials::wrap(failing, &account(credentials));
        let err = wrapped.provide_credentials().await.unwrap_err();
        let source = std::error::Error::source(&err).expect("a source");
        let ours = source.downcast_ref::<CredentialsUnavailable>().expect("ours");
        CredentialsUnavailable {
            account: ours.account.clone(),
            source_desc: ours.source_desc.clone(),
            fix: ours.fix.clone(),
            cause: CredentialsError::not_loaded("copied"),
        }
    }

    #[derive(Debug)]
    struct Failing(String);

    impl ProvideCredentials for Failing {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::ready(Err(CredentialsError::provider_error(self.0.clone())))
        }
    }

    #[tokio::test]
    async fn an_sso_profile_says_to_log_in() {
        let f = failure(
            CredentialSource::Profile {
                name: "prod-b".into(),
                file: None,
            },
            "service error: UnauthorizedException: Session token not found or invalid",
        )
        .await;
        assert_eq!(f.account, "dest");
        assert_eq!(f.source_desc, "profile `prod-b`");
        assert!(f.fix.contains("run `aws sso login --profile prod-b`"), "{}", f.fix);
    }

    #[test]
    fn profile_sections_are_read_from_both_kinds_of_file() {
        let text =
            "[default]\nregion = x\n[profile prod-a]\n[ profile  prod-b ]\n[sso-session corp]\n[services local]\n";
        assert_eq!(profile_names(text), ["default", "prod-a", "prod-b"]);
    }

    #[tokio::test]
    async fn a_profile_that_is_not_defined_says_which_are() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("aws-config");
        std::fs::write(&file, "[profile prod-a]\n[profile prod-b]\n").unwrap();
        let f = failure(
            CredentialSource::Profile {
                name: "prod-c".into(),
                file: Some(file.clone()),
            },
            "no providers in chain provided credentials",
        )
        .await;
        assert_eq!(
            f.fix,
            format!(
                "profile `prod-c` is not defined in {}; defined there: prod-a, prod-b",
                file.display()
            )
        );
    }

    #[tokio::test]
    async fn other_sources_get_their_own_fix() {
        let plain = failure(
            CredentialSource::Profile {
                name: "p".into(),
                file: Some("/etc/xprobe/aws-config".into()),
            },
            "profile has no keys",
        )
        .await;
        assert!(
            plain
                .fix
                .contains("AWS_CONFIG_FILE=/etc/xprobe/aws-config aws sts get-caller-identity --profile p"),
            "{}",
            plain.fix
        );
        let role = failure(
            CredentialSource::AssumeRole {
                role_arn: "arn:aws:iam::222222222222:role/xprobe-reader".into(),
                external_id: None,
                session_name: "xprobe".into(),
                source_profile: None,
                source_file: None,
            },
            "AccessDenied",
        )
        .await;
        assert!(
            role.fix
                .contains("sts:AssumeRole on arn:aws:iam::222222222222:role/xprobe-reader"),
            "{}",
            role.fix
        );
        let chain = failure(
            CredentialSource::DefaultChain,
            "no providers in chain provided credentials",
        )
        .await;
        assert!(chain.fix.contains("under [accounts.dest]"), "{}", chain.fix);
    }
}
