//! Where to look for the probe's object: one GET when the key template can
//! be rendered exactly, otherwise the narrowest ListObjectsV2 Prefix and
//! StartAfter from the publish time.

use crate::rule::{Rendered, Template, TemplateContext};

/// Clock skew allowed between xprobe and the rules engine's `timestamp()`.
const SKEW_MS: i64 = 60_000;

/// How to find the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPlan {
    /// The key is known: GET it.
    Get { key: String },
    /// List keys under `prefix` (after `start_after`), fetch candidates and
    /// match the probe id in the body.
    List {
        prefix: String,
        start_after: Option<String>,
        /// The part of the template a prober cannot know.
        unknown: String,
    },
}

/// Plans the search for a probe sent at `sent_at_ms` that must arrive
/// within `window_ms`.
pub fn plan(template: &Template, ctx: &TemplateContext<'_>, sent_at_ms: i64, window_ms: i64) -> SearchPlan {
    match template.render(ctx) {
        Rendered::Exact(key) => SearchPlan::Get { key },
        Rendered::Partial {
            known_prefix,
            first_unknown,
        } if is_timestamp(&first_unknown) => {
            // timestamp() is epoch milliseconds as the rules engine saw the
            // message: somewhere in [sent - skew, sent + window + skew].
            // Keys sort as strings, so the digits both ends share narrow the
            // prefix, and the low end starts the listing.
            let lo = (sent_at_ms - SKEW_MS).max(0).to_string();
            let hi = (sent_at_ms + window_ms + SKEW_MS).to_string();
            let shared: String = if lo.len() == hi.len() {
                lo.chars()
                    .zip(hi.chars())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect()
            } else {
                String::new()
            };
            SearchPlan::List {
                prefix: format!("{known_prefix}{shared}"),
                start_after: Some(format!("{known_prefix}{}", predecessor(&lo))),
                unknown: first_unknown,
            }
        }
        Rendered::Partial {
            known_prefix,
            first_unknown,
        } => SearchPlan::List {
            prefix: known_prefix,
            start_after: None,
            unknown: first_unknown,
        },
    }
}

fn is_timestamp(expr: &str) -> bool {
    expr.replace(' ', "") == "timestamp()"
}

/// The decimal string just below `n` (same length when possible), so a
/// StartAfter of it includes keys starting with `n` itself.
fn predecessor(n: &str) -> String {
    match n.parse::<i64>() {
        Ok(v) if v > 0 => (v - 1).to_string(),
        _ => String::new(),
    }
}

/// The advice when a key can't be computed: a probe-only rule whose key
/// contains the probe id makes verification a single GET.
pub fn single_get_advice(template: &str) -> String {
    format!(
        "the key template `{template}` cannot be computed by a prober, so xprobe lists and reads candidates; for a single GET per probe, give probes their own rule (basic_ingest) with a key containing the probe id, e.g. `probes/${{xprobe.id}}.json`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx<'a>(payload: &'a serde_json::Value) -> TemplateContext<'a> {
        TemplateContext {
            topic: "$aws/rules/s3_rule/iot/test",
            client_id: Some("xprobe-1"),
            timestamp_ms: None,
            payload,
            principal: None,
        }
    }

    #[test]
    fn a_probe_id_key_is_one_get() {
        let p = json!({"xprobe": {"id": "01ABC"}});
        let t = Template::parse("probes/${xprobe.id}.json").unwrap();
        assert_eq!(
            plan(&t, &ctx(&p), 0, 0),
            SearchPlan::Get {
                key: "probes/01ABC.json".into()
            }
        );
    }

    #[test]
    fn the_walkthrough_key_lists_from_the_publish_time() {
        let p = json!({});
        let t = Template::parse("${topic()}/${timestamp()}").unwrap();
        let sent = 1_764_879_000_123;
        let SearchPlan::List {
            prefix,
            start_after,
            unknown,
        } = plan(&t, &ctx(&p), sent, 30_000)
        else {
            panic!()
        };
        assert_eq!(unknown, "timestamp()");
        // [sent - 60 s, sent + 30 s + 60 s] = [1764878940123, 1764879090123]: they share "176487".
        assert_eq!(prefix, "iot/test/176487");
        assert_eq!(start_after.as_deref(), Some("iot/test/1764878940122"));
        // A key written at the publish time sorts after start_after and has the prefix.
        let key = format!("iot/test/{}", sent + 40);
        assert!(key.starts_with(&prefix) && key.as_str() > start_after.as_deref().unwrap());
    }

    #[test]
    fn an_unknowable_uuid_lists_under_the_known_prefix() {
        let p = json!({});
        let t = Template::parse("${topic(2)}/${newuuid()}").unwrap();
        assert_eq!(
            plan(&t, &ctx(&p), 0, 0),
            SearchPlan::List {
                prefix: "test/".into(),
                start_after: None,
                unknown: "newuuid()".into()
            }
        );
    }

    #[test]
    fn advice_names_a_probe_id_template() {
        assert!(single_get_advice("${topic()}/${timestamp()}").contains("probes/${xprobe.id}.json"));
    }
}
