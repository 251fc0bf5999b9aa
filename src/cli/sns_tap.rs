//! `xprobe sns-tap create|delete`.

use super::args::{OutputFormat, SnsTapArgs};
use super::check::{load_config, select_routes};
use crate::aws::{ApiCallCounter, ClientFactory};
use crate::config::{Config, DestinationConfig, DestinationSpec};
use crate::dest::sns::{create_tap, delete_tap};
use crate::exit;
use crate::probe::error_chain;

fn sns_destination<'c>(config: &'c Config, route: &str) -> Result<&'c DestinationConfig, String> {
    let r = select_routes(config, &[route.to_string()])?;
    r[0].destinations
        .iter()
        .find(|d| matches!(d.spec, DestinationSpec::Sns { .. }))
        .ok_or_else(|| format!("route `{route}` has no sns destination"))
}

/// Creates the tap and prints the config line to add.
pub async fn create(args: SnsTapArgs) -> i32 {
    let config = match load_config(&args.config.config, OutputFormat::Text) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dest = match sns_destination(&config, &args.route) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let DestinationSpec::Sns { topic_arn, .. } = &dest.spec else {
        return exit::USAGE;
    };
    let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
    let Some(clients) = factory.account(&dest.account).await else {
        return exit::USAGE;
    };
    match create_tap(&clients, topic_arn, &args.route).await {
        Ok(t) => {
            eprintln!(
                "created tap queue {} subscribed to {} ({})",
                t.queue_arn, topic_arn, t.subscription_arn
            );
            eprintln!(
                "add this line to the sns destination of route `{}` in {}:",
                args.route,
                config.path.display()
            );
            println!("tap_queue_url = \"{}\"", t.queue_url);
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot create the tap: {}", error_chain(&e));
            exit::PROBE_FAILED
        }
    }
}

/// Removes the tap named in the config (or by `--queue-url`).
pub async fn delete(args: SnsTapArgs) -> i32 {
    let config = match load_config(&args.config.config, OutputFormat::Text) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dest = match sns_destination(&config, &args.route) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let DestinationSpec::Sns {
        topic_arn,
        tap_queue_url,
    } = &dest.spec
    else {
        return exit::USAGE;
    };
    let Some(url) = args.queue_url.as_ref().or(tap_queue_url.as_ref()) else {
        eprintln!(
            "error: route `{}` has no tap_queue_url (hint: pass --queue-url)",
            args.route
        );
        return exit::USAGE;
    };
    let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
    let Some(clients) = factory.account(&dest.account).await else {
        return exit::USAGE;
    };
    match delete_tap(&clients, topic_arn, url).await {
        Ok(d) => {
            println!(
                "removed {} subscription(s) and the queue {url}",
                d.subscriptions_removed
            );
            eprintln!("remove the tap_queue_url line from route `{}`", args.route);
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot delete the tap: {}", error_chain(&e));
            exit::PROBE_FAILED
        }
    }
}
