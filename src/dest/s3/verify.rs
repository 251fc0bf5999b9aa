//! The S3 verifier: poll adaptively (fast at first, then backing off) with a
//! bounded number of calls, match the probe id in the object body, and
//! delete only that object when `cleanup` is on.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::search::{plan, single_get_advice, SearchPlan};
use crate::aws::{AccountClients, ApiCallCounter, AwsError};
use crate::dest::VerifyContext;
use crate::probe::{find_tag, now_ms, DestinationResult, Status};
use crate::rule::{RuleAction, Template, TemplateContext};

const FIRST_POLL: Duration = Duration::from_millis(100);
const MAX_POLL: Duration = Duration::from_secs(2);
/// S3 calls one probe may make at most.
const MAX_CALLS: u64 = 60;

/// Verifies an S3 destination.
pub async fn verify(
    clients: &AccountClients,
    bucket: &str,
    key: Option<&str>,
    cleanup: bool,
    ctx: &VerifyContext,
) -> DestinationResult {
    let mut result = DestinationResult::pending("s3", bucket, &ctx.tag.id);
    let template_text = match key {
        Some(k) => k.to_string(),
        None => match ctx.rule.as_deref().and_then(|r| r.s3_action(bucket)) {
            Some(RuleAction::S3 { key, .. }) => key.clone(),
            _ => {
                result.error = Some(format!(
                    "rule has no S3 action writing to bucket `{bucket}`, and the destination sets no `key`"
                ));
                result.hint =
                    Some("set `key` to the rule action's key template, or check the rule's actions".to_string());
                return result;
            }
        },
    };
    let template = match Template::parse(&template_text) {
        Ok(t) => t,
        Err(e) => {
            result.error = Some(format!("the key template `{template_text}` does not parse: {e}"));
            return result;
        }
    };
    let tctx = TemplateContext {
        topic: &ctx.topic,
        client_id: Some(ctx.client_id.as_deref().unwrap_or("n/a")),
        timestamp_ms: None,
        payload: &ctx.payload,
        principal: None,
    };
    let window =
        i64::try_from(ctx.deadline.saturating_duration_since(Instant::now()).as_millis()).unwrap_or(i64::MAX / 2);
    let search = plan(&template, &tctx, ctx.tag.sent_at_ms, window);
    if matches!(search, SearchPlan::List { .. }) {
        result.warnings.push(single_get_advice(&template_text));
    }
    let calls = ApiCallCounter::new();
    let s3 = clients.scoped(&calls).s3();
    let outcome = poll(&s3, bucket, &search, ctx, &calls).await;
    match outcome {
        Ok(Some((key, stamped_ms))) => {
            result.status = Status::Delivered;
            result.detect_ms = Some(u64::try_from(now_ms() - ctx.tag.sent_at_ms).unwrap_or(0));
            result.latency_ms = stamped_ms
                .filter(|s| *s >= ctx.tag.sent_at_ms)
                .map(|s| u64::try_from(s - ctx.tag.sent_at_ms).unwrap_or(0));
            if cleanup {
                if let Err(e) = s3.delete_object().bucket(bucket).key(&key).send().await {
                    result.warnings.push(format!(
                        "cleanup failed: {}",
                        AwsError::from_sdk("s3", "DeleteObject", e)
                    ));
                }
            }
            result.found_at = Some(key);
        }
        Ok(None) => {
            result.status = Status::Missing;
            result.error = Some(match &search {
                SearchPlan::Get { key } => {
                    format!("no object `{key}` carrying the probe appeared in bucket {bucket} before the deadline")
                }
                SearchPlan::List { prefix, .. } => format!(
                    "no object carrying the probe appeared under `{prefix}` in bucket {bucket} before the deadline"
                ),
            });
            result.hint = Some(format!(
                "run `xprobe diagnose --route {}` to find the broken part",
                ctx.tag.route
            ));
        }
        Err(e) => {
            result.error = Some(e.to_string());
            result.hint = Some(if e.is_not_found() && e.code() == Some("NoSuchBucket") {
                format!(
                    "bucket `{bucket}` does not exist as seen from account `{}`",
                    clients.name()
                )
            } else {
                e.hint()
                    .unwrap_or_else(|| format!("account `{}` could not read bucket {bucket}", clients.name()))
            });
        }
    }
    result.api_calls = u32::try_from(calls.total()).unwrap_or(u32::MAX);
    result
}

/// Polls until the probe's object is found (its key and LastModified in ms),
/// the deadline passes, or the call budget is spent.
async fn poll(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    search: &SearchPlan,
    ctx: &VerifyContext,
    calls: &ApiCallCounter,
) -> Result<Option<(String, Option<i64>)>, AwsError> {
    let mut delay = FIRST_POLL;
    let mut checked: HashSet<String> = HashSet::new();
    loop {
        tokio::time::sleep(delay.min(ctx.deadline.saturating_duration_since(Instant::now()))).await;
        let found = match search {
            SearchPlan::Get { key } => fetch_if_ours(s3, bucket, key, &ctx.tag.id)
                .await?
                .map(|stamp| (key.clone(), stamp)),
            SearchPlan::List {
                prefix, start_after, ..
            } => {
                let mut found = None;
                for key in list(s3, bucket, prefix, start_after.as_deref()).await? {
                    if found.is_some() || calls.total() >= MAX_CALLS || !checked.insert(key.clone()) {
                        continue;
                    }
                    if let Some(stamp) = fetch_if_ours(s3, bucket, &key, &ctx.tag.id).await? {
                        found = Some((key, stamp));
                    }
                }
                found
            }
        };
        if found.is_some() {
            return Ok(found);
        }
        if Instant::now() >= ctx.deadline || calls.total() >= MAX_CALLS {
            return Ok(None);
        }
        delay = (delay * 8 / 5).min(MAX_POLL);
    }
}

/// GETs an object; `Some(LastModified ms)` if its body carries the probe `id`.
async fn fetch_if_ours(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    id: &str,
) -> Result<Option<Option<i64>>, AwsError> {
    let out = match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(o) => o,
        Err(e) => {
            let e = AwsError::from_sdk("s3", "GetObject", e);
            return if e.code() == Some("NoSuchKey") {
                Ok(None)
            } else {
                Err(e)
            };
        }
    };
    let stamp = out.last_modified().and_then(|d| d.to_millis().ok());
    let body = out.body.collect().await.map(|b| b.into_bytes()).unwrap_or_default();
    let ours = std::str::from_utf8(&body)
        .ok()
        .and_then(find_tag)
        .is_some_and(|f| f.tag.id == id);
    Ok(ours.then_some(stamp))
}

async fn list(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    start_after: Option<&str>,
) -> Result<Vec<String>, AwsError> {
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_start_after(start_after.map(str::to_string))
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("s3", "ListObjectsV2", e))?;
        keys.extend(out.contents().iter().filter_map(|o| o.key().map(str::to_string)));
        match out.next_continuation_token() {
            Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => return Ok(keys),
        }
    }
}
