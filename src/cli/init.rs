//! `xprobe init`: drafts a config from the rules as they are. It reads each
//! rule (GetTopicRule), follows its SQS, SNS, S3 and Lambda actions to their
//! accounts, finds an SNS topic's tap (an SQS subscription filtered on the
//! probe field), and writes TOML that `xprobe check` accepts. It reads only;
//! nothing is created.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::args::InitArgs;
use crate::aws::names::{Arn, QueueUrl};
use crate::aws::{fetch_rule, AccountClients, ApiCallCounter, AwsError, ClientFactory};
use crate::config::{
    parse_str, render_draft, topic_for_filter, AccountConfig, CredentialSource, Draft, DraftAccount, DraftCredentials,
    DraftDestination, DraftRoute, MqttFiles,
};
use crate::exit;
use crate::probe::TAG_FIELD;
use crate::rule::{RuleAction, RuleSql, TopicRule};

const SOURCE: &str = "source";
const DEST: &str = "dest";

/// Runs `xprobe init`.
pub async fn run(args: InitArgs) -> i32 {
    if let Some(path) = &args.write {
        if path.exists() && !args.force {
            eprintln!(
                "error: {} exists; pass --force to overwrite it, or --write another file",
                path.display()
            );
            return exit::USAGE;
        }
    }
    let accounts = account_configs(&args);
    let factory = ClientFactory::new(accounts, ApiCallCounter::new());
    let (Some(source), dest) = (factory.account(SOURCE).await, factory.account(DEST).await) else {
        eprintln!("error: the source account could not be set up");
        return exit::USAGE;
    };
    let source_id = match caller_account(&source).await {
        Ok(id) => id,
        Err(e) => {
            eprintln!("error: cannot tell which account the source credentials belong to: {e}");
            if let Some(h) = e.hint() {
                eprintln!("  hint: {h}");
            }
            return exit::NO_PROBE_SENT;
        }
    };
    let dest = match dest {
        Some(clients) => match caller_account(&clients).await {
            Ok(id) => Some((clients, id)),
            Err(e) => {
                eprintln!("error: cannot tell which account the destination credentials belong to: {e}");
                if let Some(h) = e.hint() {
                    eprintln!("  hint: {h}");
                }
                return exit::NO_PROBE_SENT;
            }
        },
        None => None,
    };
    let reader = Reader {
        source: &source,
        source_id: &source_id,
        dest: dest.as_ref().map(|(c, id)| (c, id.as_str())),
    };
    let mut foreign = Foreign::default();
    let mut routes = Vec::new();
    let mut failed = false;
    for name in &args.rule {
        match fetch_rule(&source, name).await {
            Ok(rule) => routes.push(draft_route(&rule, &reader, &mut foreign).await),
            Err(e) => {
                failed = true;
                eprintln!(
                    "error: cannot read rule `{name}` in account {source_id} ({}): {e}",
                    args.region
                );
                if let Some(h) = e.hint() {
                    eprintln!("  hint: {h}");
                }
            }
        }
    }
    if routes.is_empty() {
        return exit::PROBE_FAILED;
    }
    let draft = Draft {
        accounts: draft_accounts(&args, &source_id, &foreign),
        mqtt_files: mqtt_files(&args),
        routes,
    };
    let text = render_draft(&draft);
    let as_path = args.write.clone().unwrap_or_else(|| PathBuf::from("xprobe.toml"));
    if let Err(e) = parse_str(&text, &as_path) {
        eprintln!("error: the drafted config does not validate (a bug in xprobe init):\n{e}\n---\n{text}");
        return exit::PROBE_FAILED;
    }
    let written = match &args.write {
        Some(path) => std::fs::write(path, &text).map(|()| eprintln!("wrote {}", path.display())),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the config: {e}");
        return exit::USAGE;
    }
    if failed {
        exit::PROBE_FAILED
    } else {
        exit::OK
    }
}

/// The accounts the factory reads with: the source's, and the destinations'
/// (with their own credentials, or the source's when none are given).
fn account_configs(args: &InitArgs) -> BTreeMap<String, AccountConfig> {
    let make = |name: &str, profile: &Option<String>, role: &Option<String>| AccountConfig {
        name: name.to_string(),
        region: args.region.clone(),
        credentials: credential_source(profile, role, args.profile_file.as_deref()),
        endpoint_url: args.endpoint_url.clone(),
    };
    let mut m = BTreeMap::new();
    m.insert(SOURCE.to_string(), make(SOURCE, &args.profile, &args.role_arn));
    if args.dest_profile.is_some() || args.dest_role_arn.is_some() {
        m.insert(DEST.to_string(), make(DEST, &args.dest_profile, &args.dest_role_arn));
    }
    m
}

fn credential_source(profile: &Option<String>, role: &Option<String>, file: Option<&Path>) -> CredentialSource {
    match (profile, role) {
        (_, Some(role_arn)) => CredentialSource::AssumeRole {
            role_arn: role_arn.clone(),
            external_id: None,
            session_name: "xprobe-init".to_string(),
            source_profile: profile.clone(),
            source_file: file.map(Path::to_path_buf),
        },
        (Some(name), None) => CredentialSource::Profile {
            name: name.clone(),
            file: file.map(Path::to_path_buf),
        },
        (None, None) => CredentialSource::DefaultChain,
    }
}

fn draft_credentials(profile: &Option<String>, role: &Option<String>) -> DraftCredentials {
    match (profile, role) {
        (_, Some(r)) => DraftCredentials::Role(r.clone()),
        (Some(p), None) => DraftCredentials::Profile(p.clone()),
        (None, None) => DraftCredentials::DefaultChain,
    }
}

async fn caller_account(clients: &AccountClients) -> Result<String, AwsError> {
    let out = clients
        .sts()
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("sts", "GetCallerIdentity", e))?;
    Ok(out.account().unwrap_or_default().to_string())
}

/// The other accounts the actions write to, in the order met.
#[derive(Default)]
struct Foreign {
    ids: Vec<String>,
}

impl Foreign {
    /// The config account name for `id`.
    fn name(&mut self, id: &str, source_id: &str) -> String {
        if id == source_id || id.is_empty() {
            return SOURCE.to_string();
        }
        let at = match self.ids.iter().position(|i| i == id) {
            Some(at) => at,
            None => {
                self.ids.push(id.to_string());
                self.ids.len() - 1
            }
        };
        if at == 0 {
            DEST.to_string()
        } else {
            format!("dest_{id}")
        }
    }
}

/// A file named on the command line, as the config should name it: config
/// paths are relative to the config file, so the draft uses absolute ones.
fn absolute(p: &Path) -> String {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn draft_accounts(args: &InitArgs, source_id: &str, foreign: &Foreign) -> Vec<DraftAccount> {
    let file = args.profile_file.as_deref().map(absolute);
    let mut out = vec![DraftAccount {
        name: SOURCE.to_string(),
        id: Some(source_id.to_string()),
        region: args.region.clone(),
        credentials: draft_credentials(&args.profile, &args.role_arn),
        profile_file: file.clone(),
        endpoint_url: args.endpoint_url.clone(),
        note: Some("the rules' account".to_string()),
    }];
    let dest_given = args.dest_profile.is_some() || args.dest_role_arn.is_some();
    for (i, id) in foreign.ids.iter().enumerate() {
        let note = if dest_given {
            "a destinations' account; xprobe reads it with these credentials".to_string()
        } else {
            format!("a destinations' account: give it credentials that can read account {id} (profile or role_arn)")
        };
        out.push(DraftAccount {
            name: if i == 0 { DEST.to_string() } else { format!("dest_{id}") },
            id: Some(id.clone()),
            region: args.region.clone(),
            credentials: draft_credentials(&args.dest_profile, &args.dest_role_arn),
            profile_file: file.clone(),
            endpoint_url: args.endpoint_url.clone(),
            note: Some(note),
        });
    }
    out
}

fn mqtt_files(args: &InitArgs) -> Option<MqttFiles> {
    let (cert, key) = (args.client_cert.as_ref()?, args.client_key.as_ref()?);
    Some(MqttFiles {
        endpoint: args.mqtt_endpoint.clone(),
        port: args.mqtt_port,
        client_cert: absolute(cert),
        client_key: absolute(key),
        ca: args.ca.as_deref().map(absolute),
    })
}

/// Who reads what: the source account, and the destinations' credentials
/// with the account they belong to.
struct Reader<'a> {
    source: &'a AccountClients,
    source_id: &'a str,
    dest: Option<(&'a AccountClients, &'a str)>,
}

impl Reader<'_> {
    /// The clients that can read account `id`: the source's for its own
    /// account, else the destinations' (when given).
    fn clients_for(&self, id: &str) -> Option<&AccountClients> {
        if id == self.source_id {
            Some(self.source)
        } else {
            self.dest.map(|(c, _)| c)
        }
    }
}

async fn draft_route(rule: &TopicRule, reader: &Reader<'_>, foreign: &mut Foreign) -> DraftRoute {
    let topic = RuleSql::parse(&rule.sql)
        .ok()
        .filter(|p| p.from.has_wildcards())
        .map(|p| topic_for_filter(p.from.as_str()));
    let mut destinations = Vec::new();
    for action in &rule.actions {
        destinations.push(draft_destination(action, reader, foreign).await);
    }
    DraftRoute {
        name: rule.name.clone(),
        account: SOURCE.to_string(),
        rule: rule.name.clone(),
        sql: rule.sql.clone(),
        topic,
        disabled: rule.disabled,
        destinations,
    }
}

async fn draft_destination(action: &RuleAction, reader: &Reader<'_>, foreign: &mut Foreign) -> DraftDestination {
    let arn_account = |arn: &str| Arn::parse(arn).map(|a| a.account).unwrap_or_default();
    let source_id = reader.source_id;
    match action {
        RuleAction::Sqs { queue_url, .. } => DraftDestination::Sqs {
            account: foreign.name(
                &QueueUrl::parse(queue_url).map(|q| q.account).unwrap_or_default(),
                source_id,
            ),
            queue_url: queue_url.clone(),
        },
        RuleAction::Sns { target_arn, .. } => {
            let id = arn_account(target_arn);
            let tap_queue_url = match reader.clients_for(&id) {
                Some(clients) => find_tap(clients, target_arn).await,
                None => None,
            };
            DraftDestination::Sns {
                account: foreign.name(&id, source_id),
                topic_arn: target_arn.clone(),
                tap_queue_url,
            }
        }
        RuleAction::S3 { bucket, .. } => {
            // A bucket name does not say its account: the destinations'
            // credentials seeing it is the best sign it is theirs.
            let owner = match reader.dest {
                Some((clients, id)) if clients.s3().head_bucket().bucket(bucket).send().await.is_ok() => id,
                _ => source_id,
            };
            DraftDestination::S3 {
                account: foreign.name(owner, source_id),
                bucket: bucket.clone(),
            }
        }
        RuleAction::Lambda { function_arn } => DraftDestination::Lambda {
            account: foreign.name(&arn_account(function_arn), source_id),
            function_arn: function_arn.clone(),
        },
        RuleAction::Other { name } => DraftDestination::Skipped {
            kind: name.clone(),
            why: "xprobe probes sqs, sns, s3 and lambda actions".to_string(),
        },
    }
}

/// The topic's tap: an SQS subscription whose filter policy selects the
/// probe field (what `xprobe sns-tap create` makes). `None` when there is
/// none or it cannot be read.
async fn find_tap(clients: &AccountClients, topic_arn: &str) -> Option<String> {
    let sns = clients.sns();
    let subs = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic_arn)
        .send()
        .await
        .ok()?;
    for sub in subs.subscriptions() {
        if sub.protocol() != Some("sqs") {
            continue;
        }
        let (Some(sub_arn), Some(endpoint)) = (sub.subscription_arn(), sub.endpoint()) else {
            continue;
        };
        let Ok(attrs) = sns.get_subscription_attributes().subscription_arn(sub_arn).send().await else {
            continue;
        };
        let filter = attrs
            .attributes()
            .and_then(|a| a.get("FilterPolicy"))
            .cloned()
            .unwrap_or_default();
        if !filter.contains(&format!("\"{TAG_FIELD}\"")) {
            continue;
        }
        let Ok(queue) = Arn::parse(endpoint) else {
            continue;
        };
        if let Ok(url) = clients
            .sqs()
            .get_queue_url()
            .queue_name(&queue.resource)
            .queue_owner_aws_account_id(&queue.account)
            .send()
            .await
        {
            return url.queue_url().map(str::to_string);
        }
    }
    None
}
