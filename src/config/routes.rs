//! Reading `[[routes]]` and `[[routes.destinations]]`.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use toml::de::DeValue;
use toml::Spanned;

use super::model::{AccountConfig, DestinationConfig, DestinationSpec, RouteConfig};
use super::reader::{Problems, TableReader};
use super::suggest::closest;
use crate::aws::names::{Arn, QueueUrl};
use crate::probe::TAG_FIELD;

const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// Reads every `[[routes]]` entry.
pub(crate) fn routes(
    root: &mut TableReader<'_, '_>,
    accounts: &BTreeMap<String, AccountConfig>,
    p: &mut Problems<'_>,
) -> Vec<RouteConfig> {
    let Some(v) = root.get("routes") else {
        p.at(
            root.span.clone(),
            "routes",
            "no routes are defined",
            Some("add a [[routes]] table with name, account, rule and a [[routes.destinations]]".to_string()),
        );
        return Vec::new();
    };
    let Some(items) = v.get_ref().as_array() else {
        p.at(
            v.span(),
            "routes",
            "must be an array of tables",
            Some("write each route as [[routes]]".to_string()),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("routes[{i}]");
        let Some(t) = item.get_ref().as_table() else {
            p.at(
                item.span(),
                &path,
                "must be a table",
                Some("write each route as [[routes]]".to_string()),
            );
            continue;
        };
        let mut r = TableReader::new(t, path, item.span());
        if let Some(route) = route(&mut r, accounts, p, &mut names) {
            out.push(route);
        }
        r.finish(p);
    }
    out
}

fn route(
    r: &mut TableReader<'_, '_>,
    accounts: &BTreeMap<String, AccountConfig>,
    p: &mut Problems<'_>,
    names: &mut HashSet<String>,
) -> Option<RouteConfig> {
    let name = r.required_string(p, "name", "give the route a short name, e.g. name = \"sqs\"");
    if let Some(n) = &name {
        if !n
            .get_ref()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        {
            p.at(
                n.span(),
                &r.key_path("name"),
                "may contain only letters, digits, `_`, `-` and `.`",
                Some("it becomes a metric label value".to_string()),
            );
        } else if !names.insert(n.get_ref().clone()) {
            p.at(
                n.span(),
                &r.key_path("name"),
                format!("route `{}` is defined twice", n.get_ref()),
                Some("route names must be unique".to_string()),
            );
        }
    }
    let account = account_ref(
        r,
        accounts,
        p,
        "the account that owns the rule, e.g. account = \"source\"",
    );
    let rule = r.required_string(p, "rule", "the topic rule's name, e.g. rule = \"sqs_rule\"");
    if let Some(rule) = &rule {
        if let Some(hint) = rule_name_problem(rule.get_ref()) {
            p.at(
                rule.span(),
                &r.key_path("rule"),
                format!("`{}` is not a valid rule name", rule.get_ref()),
                Some(hint),
            );
        }
    }
    let topic = r.string(p, "topic");
    if let Some(t) = &topic {
        let s = t.get_ref();
        if s.contains('+') || s.contains('#') {
            p.at(
                t.span(),
                &r.key_path("topic"),
                "a probe is published to one topic, so it cannot contain + or #",
                Some("pick a concrete topic that the rule's FROM filter matches".to_string()),
            );
        } else if s.starts_with("$aws/rules/") {
            p.at(
                t.span(),
                &r.key_path("topic"),
                "names a Basic Ingest topic directly",
                Some("set basic_ingest = true and give the plain topic".to_string()),
            );
        }
    }
    let basic_ingest = r.bool(p, "basic_ingest").unwrap_or(false);
    let payload = payload(r, p);
    let deadline = r.duration(p, "deadline").unwrap_or(DEFAULT_DEADLINE);
    let interval = r.duration(p, "interval").unwrap_or(DEFAULT_INTERVAL);
    let destinations = destinations(r, accounts, p);
    Some(RouteConfig {
        name: name?.into_inner(),
        account: account?,
        rule: rule?.into_inner(),
        topic: topic.map(|s| s.into_inner()),
        basic_ingest,
        payload: payload?,
        deadline,
        destinations,
        interval,
    })
}

/// AWS IoT rule names: letters, digits and underscores only.
pub(crate) fn rule_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 128 {
        return Some("rule names are 1 to 128 characters".to_string());
    }
    if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let fixed: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Some(format!(
        "rule names allow only letters, digits and underscores; did you mean `{fixed}`?"
    ))
}

fn account_ref(
    r: &mut TableReader<'_, '_>,
    accounts: &BTreeMap<String, AccountConfig>,
    p: &mut Problems<'_>,
    hint: &str,
) -> Option<String> {
    let a = r.required_string(p, "account", hint)?;
    if accounts.is_empty() || accounts.contains_key(a.get_ref()) {
        return Some(a.into_inner());
    }
    let hint = match closest(a.get_ref(), accounts.keys().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "defined accounts: {}",
            accounts.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    p.at(
        a.span(),
        &r.key_path("account"),
        format!("no account named `{}` is defined", a.get_ref()),
        Some(hint),
    );
    None
}

fn payload(r: &mut TableReader<'_, '_>, p: &mut Problems<'_>) -> Option<serde_json::Map<String, serde_json::Value>> {
    let Some(v) = r.get("payload") else {
        return Some(serde_json::Map::new());
    };
    let key = r.key_path("payload");
    let value = match v.get_ref() {
        DeValue::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(v) => v,
            Err(e) => {
                p.at(
                    v.span(),
                    &key,
                    format!("is not valid JSON: {e}"),
                    Some("write a JSON object, e.g. payload = '{\"temperature\": 21}'".to_string()),
                );
                return None;
            }
        },
        DeValue::Table(_) => match to_json(v) {
            Ok(v) => v,
            Err(msg) => {
                p.at(v.span(), &key, msg, None);
                return None;
            }
        },
        other => {
            p.at(
                v.span(),
                &key,
                format!(
                    "expected a JSON object (string) or an inline table, found {}",
                    other.type_str()
                ),
                Some("payload = '{\"temperature\": 21}'".to_string()),
            );
            return None;
        }
    };
    let serde_json::Value::Object(map) = value else {
        p.at(
            v.span(),
            &key,
            "must be a JSON object",
            Some("the probe tag is merged into it as a field, so it must be {...}".to_string()),
        );
        return None;
    };
    if map.contains_key(TAG_FIELD) {
        p.at(
            v.span(),
            &key,
            format!("uses the reserved field `{TAG_FIELD}`"),
            Some(format!("xprobe writes its tag into `{TAG_FIELD}`; rename your field")),
        );
        return None;
    }
    Some(map)
}

fn to_json(v: &Spanned<DeValue<'_>>) -> Result<serde_json::Value, String> {
    Ok(match v.get_ref() {
        DeValue::String(s) => serde_json::Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(i.as_str(), i.radix()).map_err(|e| e.to_string())?;
            serde_json::Value::from(n)
        }
        DeValue::Float(f) => {
            let n: f64 = f
                .as_str()
                .parse()
                .map_err(|_| format!("`{}` is not a finite number", f.as_str()))?;
            serde_json::Number::from_f64(n)
                .map(serde_json::Value::Number)
                .ok_or("payload numbers must be finite")?
        }
        DeValue::Boolean(b) => serde_json::Value::Bool(*b),
        DeValue::Datetime(d) => serde_json::Value::String(d.to_string()),
        DeValue::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect::<Result<_, _>>()?),
        DeValue::Table(t) => {
            let mut m = serde_json::Map::new();
            for (k, v) in t.iter() {
                m.insert(k.get_ref().to_string(), to_json(v)?);
            }
            serde_json::Value::Object(m)
        }
    })
}

fn destinations(
    route: &mut TableReader<'_, '_>,
    accounts: &BTreeMap<String, AccountConfig>,
    p: &mut Problems<'_>,
) -> Vec<DestinationConfig> {
    let Some(v) = route.get("destinations") else {
        p.at(
            route.span.clone(),
            &route.key_path("destinations"),
            "the route has no destinations",
            Some("add [[routes.destinations]] with kind = \"sqs\" and queue_url".to_string()),
        );
        return Vec::new();
    };
    let Some(items) = v.get_ref().as_array() else {
        p.at(
            v.span(),
            &route.key_path("destinations"),
            "must be an array of tables",
            Some("write each as [[routes.destinations]]".to_string()),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = route.key_path(&format!("destinations[{i}]"));
        let Some(t) = item.get_ref().as_table() else {
            p.at(item.span(), &path, "must be a table", None);
            continue;
        };
        let mut r = TableReader::new(t, path, item.span());
        if let Some(d) = destination(&mut r, accounts, p) {
            out.push(d);
        }
        r.finish(p);
    }
    out
}

fn destination(
    r: &mut TableReader<'_, '_>,
    accounts: &BTreeMap<String, AccountConfig>,
    p: &mut Problems<'_>,
) -> Option<DestinationConfig> {
    let kind = r.required_string(p, "kind", "set kind = \"sqs\", \"sns\", \"s3\" or \"lambda\"")?;
    let account = account_ref(
        r,
        accounts,
        p,
        "the account that owns the destination, e.g. account = \"dest\"",
    );
    let spec = match kind.get_ref().as_str() {
        "sqs" => {
            let url = r.required_string(
                p,
                "queue_url",
                "the destination queue's URL, e.g. https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue",
            );
            DestinationSpec::Sqs {
                queue_url: queue_url(r, p, "queue_url", url)?,
            }
        }
        "sns" => {
            let arn = r.required_string(
                p,
                "topic_arn",
                "the topic's ARN, e.g. arn:aws:sns:us-east-1:222222222222:ExampleTopic",
            );
            let tap = r.string(p, "tap_queue_url");
            let tap = match tap {
                Some(t) => Some(queue_url(r, p, "tap_queue_url", Some(t))?),
                None => None,
            };
            let arn = arn?;
            match Arn::parse(arn.get_ref()) {
                Ok(a) if a.service == "sns" && !a.account.is_empty() => {}
                Ok(_) => {
                    p.at(
                        arn.span(),
                        &r.key_path("topic_arn"),
                        "is not an SNS topic ARN",
                        Some("topic ARNs look like arn:aws:sns:us-east-1:222222222222:ExampleTopic".to_string()),
                    );
                    return None;
                }
                Err(e) => {
                    p.at(arn.span(), &r.key_path("topic_arn"), e.to_string(), Some(e.hint));
                    return None;
                }
            }
            DestinationSpec::Sns {
                topic_arn: arn.into_inner(),
                tap_queue_url: tap,
            }
        }
        "s3" => {
            let bucket = r.required_string(
                p,
                "bucket",
                "the bucket the rule writes to, e.g. bucket = \"examplebucket\"",
            );
            let key = r.string(p, "key");
            let cleanup = r.bool(p, "cleanup").unwrap_or(false);
            if let Some(k) = &key {
                if let Err(e) = crate::rule::Template::parse(k.get_ref()) {
                    p.at(
                        k.span(),
                        &r.key_path("key"),
                        e.to_string(),
                        Some(
                            "write the rule action's key template, e.g. key = \"${topic()}/${timestamp()}\""
                                .to_string(),
                        ),
                    );
                }
            }
            let bucket = bucket?;
            if let Some(hint) = bucket_name_problem(bucket.get_ref()) {
                p.at(
                    bucket.span(),
                    &r.key_path("bucket"),
                    format!("`{}` is not a valid S3 bucket name", bucket.get_ref()),
                    Some(hint),
                );
                return None;
            }
            DestinationSpec::S3 {
                bucket: bucket.into_inner(),
                key: key.map(|k| k.into_inner()),
                cleanup,
            }
        }
        "lambda" => {
            let arn = r.required_string(
                p,
                "function_arn",
                "the function's ARN, e.g. arn:aws:lambda:us-east-1:222222222222:function:example-function",
            )?;
            let log_group = r.string(p, "log_group");
            let problem = match Arn::parse(arn.get_ref()) {
                Ok(a) if a.service == "lambda" && a.resource.starts_with("function:") && !a.account.is_empty() => None,
                Ok(_) => Some((
                    "is not a Lambda function ARN".to_string(),
                    "function ARNs look like arn:aws:lambda:us-east-1:222222222222:function:example-function"
                        .to_string(),
                )),
                Err(e) => Some((e.to_string(), e.hint)),
            };
            if let Some((message, hint)) = problem {
                p.at(arn.span(), &r.key_path("function_arn"), message, Some(hint));
                return None;
            }
            DestinationSpec::Lambda {
                function_arn: arn.into_inner(),
                log_group: log_group.map(|l| l.into_inner()),
            }
        }
        other => {
            let hint = match closest(other, ["sqs", "sns", "s3", "lambda"]) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "supported kinds: sqs, sns, s3, lambda".to_string(),
            };
            p.at(
                kind.span(),
                &r.key_path("kind"),
                format!("`{other}` is not a destination kind"),
                Some(hint),
            );
            return None;
        }
    };
    Some(DestinationConfig {
        account: account?,
        spec,
    })
}

fn queue_url(
    r: &TableReader<'_, '_>,
    p: &mut Problems<'_>,
    key: &str,
    value: Option<Spanned<String>>,
) -> Option<String> {
    let value = value?;
    match QueueUrl::parse(value.get_ref()) {
        Ok(_) => Some(value.into_inner()),
        Err(e) => {
            p.at(value.span(), &r.key_path(key), e.to_string(), Some(e.hint));
            None
        }
    }
}

/// S3 bucket naming rules (the walkthrough's `ExampleBucket` breaks the first).
fn bucket_name_problem(name: &str) -> Option<String> {
    if name.len() < 3 || name.len() > 63 {
        return Some("bucket names are 3 to 63 characters".to_string());
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(format!("bucket names are lowercase: `{}`", name.to_ascii_lowercase()));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Some("bucket names use only lowercase letters, digits, `-` and `.`".to_string());
    }
    None
}
