//! Structured logs on stderr. `RUST_LOG` sets the level (default: warn,
//! without aws-config's warnings, which repeat errors xprobe reports).
//! Credentials, keys and message bodies are never logged: the crates that
//! would log them at TRACE (the AWS SDK's runtime logs request headers, such
//! as an SSO bearer token, and response bodies, such as the messages of a
//! queue) are capped at DEBUG whatever `RUST_LOG` says. Colour only on a
//! terminal.

use std::io::IsTerminal;

use tracing::level_filters::LevelFilter;
use tracing::Subscriber;
use tracing_subscriber::filter::{FilterExt, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use super::args::LogFormat;

/// Without `RUST_LOG`: warnings, but not aws-config's, which repeat (with a
/// debug dump) the credential failures xprobe reports itself, with a fix.
const DEFAULT_FILTER: &str = "warn,aws_config=error";

/// Crates whose TRACE events carry request headers, bodies or packets.
const CAPPED_AT_DEBUG: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_smithy_json",
    "aws_smithy_xml",
    "aws_smithy_types",
    "aws_sigv4",
    "aws_runtime",
    "aws_config",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "rumqttc",
];

/// The fmt layer, filtered by `RUST_LOG` (or `warn`) and, on top, by
/// [`CAPPED_AT_DEBUG`]: the caps only ever lower a level.
fn layer<S, W>(format: LogFormat, rust_log: Option<&str>, writer: W, ansi: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let env = rust_log
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    let caps = CAPPED_AT_DEBUG
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |t, target| {
            t.with_target(*target, LevelFilter::DEBUG)
        });
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(ansi);
    match format {
        LogFormat::Text => fmt.with_filter(env.and(caps)).boxed(),
        LogFormat::Json => fmt.json().with_filter(env.and(caps)).boxed(),
    }
}

/// Installs the global subscriber once.
pub fn init(format: LogFormat) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let ansi = std::io::stderr().is_terminal();
    let _ = tracing_subscriber::registry()
        .with(layer(format, rust_log.as_deref(), std::io::stderr, ansi))
        .try_init();
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What the layer writes, for one `RUST_LOG` value.
    fn logged(format: LogFormat, rust_log: Option<&str>) -> String {
        let out: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = out.clone();
        let writer = move || Sink(sink.clone());
        let subscriber = tracing_subscriber::registry().with(layer(format, rust_log, writer, false));
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "header x-amz-sso_bearer_token: SECRET");
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "beginning attempt");
            tracing::trace!(target: "rumqttc::v5::state", "publish payload BODY");
            tracing::trace!(target: "xprobe::probe", "our own trace");
            tracing::warn!(target: "xprobe::probe", "a warning");
            tracing::warn!(target: "aws_config::meta::credentials::chain", "provider failed: dump");
        });
        let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        text
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn trace_everywhere_still_caps_the_sdk_at_debug() {
        for rust_log in [
            "trace",
            "aws_smithy_runtime=trace,trace",
            "trace,aws_smithy_runtime=trace",
        ] {
            for format in [LogFormat::Text, LogFormat::Json] {
                let t = logged(format, Some(rust_log));
                assert!(!t.contains("SECRET") && !t.contains("BODY"), "{rust_log}: {t}");
                assert!(t.contains("beginning attempt"), "debug still shows: {rust_log}: {t}");
                assert!(t.contains("our own trace"), "{rust_log}: {t}");
            }
        }
    }

    #[test]
    fn the_caps_never_raise_a_level() {
        let t = logged(LogFormat::Text, None);
        assert!(
            !t.contains("provider failed"),
            "aws-config's warnings are not repeated by default: {t}"
        );
        assert!(!t.contains("beginning attempt"), "{t}");
        assert!(!t.contains("our own trace"), "{t}");
        assert!(t.contains("a warning"), "{t}");
        let t = logged(LogFormat::Text, Some("xprobe=trace"));
        assert!(t.contains("our own trace") && !t.contains("beginning attempt"), "{t}");
    }
}
