//! Undoing S3 Control's account host prefix on a local endpoint.
//!
//! S3 Control puts the account id in front of the endpoint's host
//! (`222222222222.s3-control.us-east-1.amazonaws.com`). Against an
//! `endpoint_url` whose host is an IP address or `localhost` (an emulator,
//! the sandbox) that makes a name that never resolves, and every call fails
//! after DNS retries. The Rust SDK has no `disable_host_prefix_injection`
//! setting, so this interceptor puts the configured host back before the
//! request is signed. Endpoints with a DNS name (VPC endpoints) keep the
//! prefix, as AWS expects there.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Strips `<digits>.` in front of a local endpoint's host.
#[derive(Debug, Clone)]
pub struct LocalHostPrefix {
    host: String,
}

impl LocalHostPrefix {
    /// The interceptor for `endpoint_url`, when its host is local (an IP
    /// address or `localhost`); `None` otherwise.
    pub fn for_endpoint(endpoint_url: &str) -> Option<LocalHostPrefix> {
        let host = host_of(endpoint_url)?;
        let local = host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok();
        local.then(|| LocalHostPrefix { host: host.to_string() })
    }

    /// The URI without the account prefix, or `None` when it has none.
    fn strip(&self, uri: &str) -> Option<String> {
        let (scheme, rest) = uri.split_once("://")?;
        let (prefix, after) = rest.split_once('.')?;
        let is_account = !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit());
        let same_host = after
            .strip_prefix(self.host.as_str())
            .is_some_and(|tail| tail.is_empty() || tail.starts_with([':', '/', '?']));
        (is_account && same_host).then(|| format!("{scheme}://{after}"))
    }
}

/// The host of a URL, without port or path.
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next()?;
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

impl Intercept for LocalHostPrefix {
    fn name(&self) -> &'static str {
        "LocalHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        if let Some(uri) = self.strip(request.uri()) {
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_endpoints_get_the_interceptor() {
        assert!(LocalHostPrefix::for_endpoint("http://127.0.0.1:4610").is_some());
        assert!(LocalHostPrefix::for_endpoint("http://localhost:4566/").is_some());
        assert!(LocalHostPrefix::for_endpoint("http://[::1]:4566").is_some());
        assert!(LocalHostPrefix::for_endpoint("https://vpce-1.s3-control.us-east-1.vpce.amazonaws.com").is_none());
        assert!(LocalHostPrefix::for_endpoint("not a url").is_none());
    }

    #[test]
    fn the_account_prefix_goes_and_nothing_else() {
        let p = LocalHostPrefix::for_endpoint("http://127.0.0.1:4610").unwrap();
        assert_eq!(
            p.strip("http://222222222222.127.0.0.1:4610/v20180820/configuration/publicAccessBlock")
                .as_deref(),
            Some("http://127.0.0.1:4610/v20180820/configuration/publicAccessBlock")
        );
        assert_eq!(p.strip("http://127.0.0.1:4610/v20180820/x"), None);
        assert_eq!(p.strip("http://abc.127.0.0.1:4610/"), None, "not an account id");
        assert_eq!(p.strip("http://222222222222.127.0.0.10:4610/"), None, "another host");
        let l = LocalHostPrefix::for_endpoint("http://localhost").unwrap();
        assert_eq!(l.strip("http://1.localhost").as_deref(), Some("http://localhost"));
    }
}
