//! Reading `[accounts.<name>]` and `[mqtt]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::DeValue;

use super::model::{AccountConfig, CredentialSource, MqttConfig, PublishMode};
use super::reader::{Problems, TableReader};

const DEFAULT_MQTT_PORT: u16 = 8883;
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads every `[accounts.<name>]` table.
pub(crate) fn accounts(
    root: &mut TableReader<'_, '_>,
    base: &Path,
    p: &mut Problems<'_>,
) -> BTreeMap<String, AccountConfig> {
    let mut out = BTreeMap::new();
    let Some(v) = root.get("accounts") else {
        p.at(
            root.span.clone(),
            "accounts",
            "no accounts are defined",
            Some("add [accounts.source] and [accounts.dest] with at least a region".to_string()),
        );
        return out;
    };
    let Some(table) = v.get_ref().as_table() else {
        p.at(
            v.span(),
            "accounts",
            "must be a table of named accounts",
            Some("write [accounts.source]".to_string()),
        );
        return out;
    };
    let accounts = TableReader::new(table, "accounts", v.span());
    for (name, value) in accounts.entries() {
        let name = name.get_ref().to_string();
        let path = format!("accounts.{name}");
        match value.get_ref() {
            DeValue::Table(t) => {
                let mut r = TableReader::new(t, path, value.span());
                if let Some(a) = account(&name, &mut r, base, p) {
                    out.insert(name, a);
                }
                r.finish(p);
            }
            _ => p.at(
                value.span(),
                &path,
                "must be a table",
                Some(format!("write [accounts.{name}] and its keys below")),
            ),
        }
    }
    out
}

fn account(name: &str, r: &mut TableReader<'_, '_>, base: &Path, p: &mut Problems<'_>) -> Option<AccountConfig> {
    let region = r.required_string(
        p,
        "region",
        "set region = \"us-east-1\" (the rule's or resource's region)",
    );
    if let Some(region) = &region {
        if !is_region(region.get_ref()) {
            p.at(
                region.span(),
                &r.key_path("region"),
                format!("`{}` is not an AWS region name", region.get_ref()),
                Some("regions look like us-east-1 or eu-west-2".to_string()),
            );
        }
    }
    let profile = r.string(p, "profile");
    let profile_file = r.string(p, "profile_file");
    let role_arn = r.string(p, "role_arn");
    let external_id = r.string(p, "external_id");
    let session_name = r.string(p, "session_name");
    let endpoint_url = r.string(p, "endpoint_url");
    if let Some(url) = &endpoint_url {
        if !(url.get_ref().starts_with("http://") || url.get_ref().starts_with("https://")) {
            p.at(
                url.span(),
                &r.key_path("endpoint_url"),
                "must start with http:// or https://",
                Some("for a local emulator: endpoint_url = \"http://127.0.0.1:4610\"".to_string()),
            );
        }
    }
    if let Some(arn) = &role_arn {
        if !is_role_arn(arn.get_ref()) {
            p.at(
                arn.span(),
                &r.key_path("role_arn"),
                format!("`{}` is not an IAM role ARN", arn.get_ref()),
                Some("role ARNs look like arn:aws:iam::222222222222:role/xprobe-reader".to_string()),
            );
        }
    }
    if role_arn.is_none() {
        for (k, v) in [("external_id", &external_id), ("session_name", &session_name)] {
            if let Some(v) = v {
                p.at(
                    v.span(),
                    &r.key_path(k),
                    "only applies with role_arn",
                    Some(format!("add role_arn, or remove {k}")),
                );
            }
        }
    }
    if profile.is_none() {
        if let Some(f) = &profile_file {
            p.at(
                f.span(),
                &r.key_path("profile_file"),
                "only applies with profile",
                Some("add profile = \"name\"".to_string()),
            );
        }
    }
    let file = profile_file.map(|f| resolve(base, f.get_ref()));
    let credentials = match (role_arn, profile) {
        (Some(arn), profile) => CredentialSource::AssumeRole {
            role_arn: arn.into_inner(),
            external_id: external_id.map(|s| s.into_inner()),
            session_name: session_name.map_or_else(|| "xprobe".to_string(), |s| s.into_inner()),
            source_profile: profile.map(|s| s.into_inner()),
            source_file: file,
        },
        (None, Some(profile)) => CredentialSource::Profile {
            name: profile.into_inner(),
            file,
        },
        (None, None) => CredentialSource::DefaultChain,
    };
    Some(AccountConfig {
        name: name.to_string(),
        region: region?.into_inner(),
        credentials,
        endpoint_url: endpoint_url.map(|s| s.into_inner()),
    })
}

/// Reads `[mqtt]`.
pub(crate) fn mqtt(root: &mut TableReader<'_, '_>, base: &Path, p: &mut Problems<'_>) -> Option<MqttConfig> {
    let Some(v) = root.get("mqtt") else {
        p.at(
            root.span.clone(),
            "mqtt",
            "the [mqtt] section is missing",
            Some("add [mqtt] with client_cert and client_key, or publish = \"https\"".to_string()),
        );
        return None;
    };
    let Some(t) = v.get_ref().as_table() else {
        p.at(
            v.span(),
            "mqtt",
            "must be a table",
            Some("write [mqtt] and its keys below".to_string()),
        );
        return None;
    };
    let mut r = TableReader::new(t, "mqtt", v.span());
    let endpoint = r.string(p, "endpoint");
    let port = r.port(p, "port");
    let client_cert = r.string(p, "client_cert");
    let client_key = r.string(p, "client_key");
    let ca = r.string(p, "ca");
    let client_id = r.string(p, "client_id");
    let connect_timeout = r.duration(p, "connect_timeout");
    let publish = match r.string(p, "publish") {
        None => Some(PublishMode::Mqtt),
        Some(s) => match s.get_ref().as_str() {
            "mqtt" => Some(PublishMode::Mqtt),
            "https" => Some(PublishMode::Https),
            other => {
                p.at(
                    s.span(),
                    "mqtt.publish",
                    format!("`{other}` is not a publish mode"),
                    Some("use \"mqtt\" (device certificate) or \"https\" (iot-data Publish with IAM)".to_string()),
                );
                None
            }
        },
    };
    if let Some(e) = &endpoint {
        if e.get_ref().contains("://") || e.get_ref().contains('/') {
            p.at(
                e.span(),
                "mqtt.endpoint",
                "must be a host name, not a URL",
                Some("for example endpoint = \"abc123-ats.iot.us-east-1.amazonaws.com\"".to_string()),
            );
        }
    }
    if publish == Some(PublishMode::Mqtt) {
        for (k, v) in [("client_cert", &client_cert), ("client_key", &client_key)] {
            if v.is_none() {
                p.at(v_span(&r), &format!("mqtt.{k}"), "is required when publish = \"mqtt\"", Some("point it at the device certificate files from CreateKeysAndCertificate, or set publish = \"https\"".to_string()));
            }
        }
    }
    r.finish(p);
    Some(MqttConfig {
        endpoint: endpoint.map(|s| s.into_inner()),
        port: port.unwrap_or(DEFAULT_MQTT_PORT),
        client_cert: client_cert.map(|s| resolve(base, s.get_ref())),
        client_key: client_key.map(|s| resolve(base, s.get_ref())),
        ca: ca.map(|s| resolve(base, s.get_ref())),
        client_id: client_id.map_or_else(|| format!("xprobe-{}", ulid::Ulid::new()), |s| s.into_inner()),
        publish: publish?,
        connect_timeout: connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
    })
}

fn v_span(r: &TableReader<'_, '_>) -> std::ops::Range<usize> {
    r.span.clone()
}

/// Paths in a config are relative to the config file's folder.
fn resolve(base: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_role_arn(s: &str) -> bool {
    match crate::aws::names::Arn::parse(s) {
        Ok(a) => a.service == "iam" && a.resource.starts_with("role/") && !a.account.is_empty(),
        Err(_) => false,
    }
}
