//! The Lambda verifier. IoT invokes the function asynchronously, so the only
//! trace of delivery is what the function logs: xprobe searches the
//! function's log group for the probe id from the publish time.

use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use aws_smithy_types::DateTime;

use crate::aws::{AccountClients, ApiCallCounter, AwsError};
use crate::dest::VerifyContext;
use crate::probe::{now_ms, DestinationResult, Status};

const FIRST_POLL: Duration = Duration::from_millis(300);
const MAX_POLL: Duration = Duration::from_secs(2);
/// Log events may carry a timestamp slightly before xprobe's send time.
const LOOKBACK_MS: i64 = 1_000;

/// The function name (and qualifier) from its ARN.
pub fn function_name(arn: &str) -> &str {
    arn.split_once(":function:")
        .map_or(arn, |(_, rest)| rest.split(':').next().unwrap_or(rest))
}

/// Verifies a Lambda destination.
pub async fn verify(
    clients: &AccountClients,
    function_arn: &str,
    log_group: Option<&str>,
    ctx: &VerifyContext,
) -> DestinationResult {
    let mut result = DestinationResult::pending("lambda", function_arn, &ctx.tag.id);
    let calls = ApiCallCounter::new();
    let scoped = clients.scoped(&calls);
    let group = match log_group {
        Some(g) => g.to_string(),
        None => match scoped
            .lambda()
            .get_function_configuration()
            .function_name(function_arn)
            .send()
            .await
        {
            Ok(c) => c.logging_config().and_then(|l| l.log_group()).map_or_else(
                || format!("/aws/lambda/{}", function_name(function_arn)),
                str::to_string,
            ),
            Err(e) => {
                let e = AwsError::from_sdk("lambda", "GetFunctionConfiguration", e);
                result.hint = Some(if e.is_not_found() {
                    format!(
                        "function {function_arn} does not exist as seen from account `{}` in {}",
                        clients.name(),
                        clients.region()
                    )
                } else {
                    e.hint().unwrap_or_default()
                });
                result.error = Some(e.to_string());
                result.api_calls = count(&calls);
                return result;
            }
        },
    };
    let logs = scoped.logs();
    let since = ctx.tag.sent_at_ms - LOOKBACK_MS;
    let pattern = format!("\"{}\"", ctx.tag.id);
    let mut delay = FIRST_POLL;
    let found = loop {
        tokio::time::sleep(delay.min(ctx.deadline.saturating_duration_since(Instant::now()))).await;
        match search(&logs, &group, since, Some(&pattern), false).await {
            Ok(Some(hit)) => break Ok(Some(hit)),
            Ok(None) if Instant::now() >= ctx.deadline => break Ok(None),
            Ok(None) => delay = (delay * 8 / 5).min(MAX_POLL),
            Err(e) => break Err(e),
        }
    };
    match found {
        Ok(Some((stream, ts))) => {
            result.status = Status::Delivered;
            result.latency_ms = (ts >= ctx.tag.sent_at_ms).then(|| u64::try_from(ts - ctx.tag.sent_at_ms).unwrap_or(0));
            result.detect_ms = Some(u64::try_from(now_ms() - ctx.tag.sent_at_ms).unwrap_or(0));
            result.found_at = Some(format!("{group} {stream}"));
        }
        Ok(None) => not_found(&mut result, &scoped, &group, function_arn, since, ctx).await,
        Err(e) => {
            result.hint = e.hint();
            result.error = Some(e.to_string());
        }
    }
    result.api_calls = count(&calls);
    result
}

/// Nothing carries the probe id: tell "not delivered" from "cannot verify".
async fn not_found(
    result: &mut DestinationResult,
    clients: &AccountClients,
    group: &str,
    function_arn: &str,
    since: i64,
    ctx: &VerifyContext,
) {
    let ran = matches!(search(&clients.logs(), group, since, None, true).await, Ok(Some(_)));
    let invocations = if ran {
        None
    } else {
        invocations(clients, function_arn, since).await
    };
    if ran || invocations.is_some_and(|n| n > 0.0) {
        result.status = Status::Unverified;
        result.error = Some(match invocations {
            Some(n) => format!("the function was invoked ({n} invocations since the probe was sent, per AWS/Lambda Invocations) but its log group {group} has no line with the probe id"),
            None => format!("the function ran (its log group {group} has lines since the probe was sent) but none carries the probe id, so xprobe cannot verify delivery"),
        });
        result.hint = Some("make the function log the event it receives (e.g. print(json.dumps(event)) or console.log(JSON.stringify(event))) so xprobe can find the probe".to_string());
    } else {
        result.status = Status::Missing;
        result.error = Some(format!(
            "no invocation carrying the probe appeared in {group} before the deadline"
        ));
        result.hint = Some(format!(
            "run `xprobe diagnose --route {}` to find the broken part",
            ctx.tag.route
        ));
    }
}

/// FilterLogEvents from `since`, following every page (pages may be empty
/// while a token remains). Returns the first match's stream and timestamp.
/// A missing log group means nothing was logged yet.
async fn search(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    since: i64,
    pattern: Option<&str>,
    any: bool,
) -> Result<Option<(String, i64)>, AwsError> {
    let mut token: Option<String> = None;
    loop {
        let out = logs
            .filter_log_events()
            .log_group_name(group)
            .start_time(since)
            .set_filter_pattern(pattern.map(str::to_string))
            .set_limit(any.then_some(1))
            .set_next_token(token.take())
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                let e = AwsError::from_sdk("logs", "FilterLogEvents", e);
                return if e.is_not_found() { Ok(None) } else { Err(e) };
            }
        };
        if let Some(ev) = out.events().first() {
            return Ok(Some((
                ev.log_stream_name().unwrap_or_default().to_string(),
                ev.timestamp().unwrap_or(0),
            )));
        }
        match out.next_token() {
            Some(t) if !t.is_empty() && !any => token = Some(t.to_string()),
            _ => return Ok(None),
        }
    }
}

/// The function's AWS/Lambda Invocations since `since`, if CloudWatch has any.
async fn invocations(clients: &AccountClients, function_arn: &str, since: i64) -> Option<f64> {
    let out = clients
        .cloudwatch()
        .get_metric_statistics()
        .namespace("AWS/Lambda")
        .metric_name("Invocations")
        .dimensions(
            Dimension::builder()
                .name("FunctionName")
                .value(function_name(function_arn))
                .build(),
        )
        .start_time(DateTime::from_millis(since - 60_000))
        .end_time(DateTime::from_millis(now_ms() + 60_000))
        .period(60)
        .statistics(Statistic::Sum)
        .send()
        .await
        .ok()?;
    let sum: f64 = out.datapoints().iter().filter_map(|d| d.sum()).sum();
    (!out.datapoints().is_empty()).then_some(sum)
}

fn count(calls: &ApiCallCounter) -> u32 {
    u32::try_from(calls.total()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::function_name;

    #[test]
    fn names_come_from_arns() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:222222222222:function:example-function"),
            "example-function"
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:222222222222:function:f:prod"),
            "f"
        );
        assert_eq!(function_name("plain"), "plain");
    }
}
