//! Fuzzes the policy reader and evaluator: any bytes must either fail to
//! parse with an error or evaluate without panicking, under every policy
//! kind.
//!
//! Input: `<policy JSON>\0<principal>\n<action>\n<resource>\n<key>=<value>...`
//!
//! Run: `cargo +nightly fuzz run policy_eval -- -max_total_time=600`
//! (or on stable: `RUSTC_BOOTSTRAP=1 cargo fuzz run policy_eval`); seed with
//! `src/policy/tests/fixtures` as an extra corpus directory.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, unused_imports)]
#[path = "../../src/policy/mod.rs"]
mod policy;

use policy::{authorize, Context, Policy, PolicyKind, PolicySet, Principal, Request};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (doc, rest) = text.split_once('\0').unwrap_or((&text, ""));
    let Ok(parsed) = Policy::parse(doc) else {
        return;
    };
    let _ = parsed.is_public();
    let mut lines = rest.split('\n');
    let who = lines.next().unwrap_or("arn:aws:sts::111111111111:assumed-role/r/s");
    let principal = match who.strip_prefix("service:") {
        Some(service) => Principal::service(service),
        None => Principal::aws(who),
    };
    let action = lines.next().unwrap_or("s3:PutObject");
    let resource = lines.next().unwrap_or("arn:aws:s3:::b/k");
    let mut context = Context::new();
    for line in lines {
        if let Some((key, values)) = line.split_once('=') {
            context.insert(key, values.split(',').map(str::to_string).collect());
        }
    }
    let request = Request::new(principal, action, resource).with_context(context);
    for kind in PolicyKind::ALL {
        let set = PolicySet::new().with(kind, "fuzz", parsed.clone());
        let auth = authorize(&request, &set);
        assert!(!auth.explanation.is_empty());
    }
    let _ = parsed.evaluate(&request);
});
