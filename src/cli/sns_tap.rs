//! `xprobe sns-tap create|delete`.

use super::args::{OutputFormat, SnsTapArgs};
use super::check::{load_config, select_routes};
use crate::aws::{AccountClients, ApiCallCounter, ClientFactory};
use crate::config::{Config, DestinationSpec};
use crate::dest::sns::{create_tap, delete_tap};
use crate::exit;
use crate::probe::error_chain;

/// The route's SNS destination, with clients for its account.
struct Tap {
    config: Config,
    clients: AccountClients,
    topic_arn: String,
    tap_queue_url: Option<String>,
}

/// Loads the config and finds the route's SNS destination; `Err` is the exit code.
async fn resolve(args: &SnsTapArgs) -> Result<Tap, i32> {
    let config = load_config(&args.config.config, OutputFormat::Text)?;
    let usage = |e: String| {
        eprintln!("error: {e}");
        exit::USAGE
    };
    let route = select_routes(&config, std::slice::from_ref(&args.route)).map_err(usage)?[0].clone();
    let Some((account, topic_arn, tap_queue_url)) = route.destinations.iter().find_map(|d| match &d.spec {
        DestinationSpec::Sns {
            topic_arn,
            tap_queue_url,
        } => Some((d.account.clone(), topic_arn.clone(), tap_queue_url.clone())),
        _ => None,
    }) else {
        return Err(usage(format!("route `{}` has no sns destination", args.route)));
    };
    let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
    let clients = factory
        .account(&account)
        .await
        .ok_or_else(|| usage(format!("account `{account}` is not configured")))?;
    Ok(Tap {
        config,
        clients,
        topic_arn,
        tap_queue_url,
    })
}

/// Creates the tap and prints the config line to add.
pub async fn create(args: SnsTapArgs) -> i32 {
    let tap = match resolve(&args).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    match create_tap(&tap.clients, &tap.topic_arn, &args.route).await {
        Ok(t) => {
            eprintln!(
                "created tap queue {} subscribed to {} ({})",
                t.queue_arn, tap.topic_arn, t.subscription_arn
            );
            eprintln!(
                "add this line to the sns destination of route `{}` in {}:",
                args.route,
                tap.config.path.display()
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
    let tap = match resolve(&args).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let Some(url) = args.queue_url.as_ref().or(tap.tap_queue_url.as_ref()) else {
        eprintln!(
            "error: route `{}` has no tap_queue_url (hint: pass --queue-url)",
            args.route
        );
        return exit::USAGE;
    };
    match delete_tap(&tap.clients, &tap.topic_arn, url).await {
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
