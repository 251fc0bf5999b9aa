//! The rustls client configuration for mutual TLS to the IoT data endpoint.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use super::error::{PublishError, PublishErrorKind};

/// ALPN protocol AWS IoT requires for MQTT with X.509 on port 443.
const AWS_IOT_ALPN_443: &[u8] = b"x-amzn-mqtt-ca";

/// Builds the TLS config: trust `ca` (or the public web roots, which include
/// Amazon's), present `cert`/`key` when given.
pub fn client_config(
    ca: Option<&Path>,
    cert: Option<&Path>,
    key: Option<&Path>,
    port: u16,
) -> Result<Arc<ClientConfig>, PublishError> {
    let local = |what: String| PublishError::new(PublishErrorKind::LocalTls(what), "", "");
    let mut roots = RootCertStore::empty();
    match ca {
        Some(path) => {
            let certs = read_certs(path).map_err(local)?;
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| local(format!("CA file {} holds an unusable certificate: {e}", path.display())))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| local(format!("TLS protocol setup: {e}")))?
        .with_root_certificates(roots);
    let mut config = match (cert, key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert).map_err(local)?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| local(format!("cannot read private key {}: {e}", key.display())))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| local(format!("client certificate and key do not match or are unusable: {e}")))?
        }
        _ => builder.with_no_client_auth(),
    };
    if port == 443 {
        config.alpn_protocols = vec![AWS_IOT_ALPN_443.to_vec()];
    }
    Ok(Arc::new(config))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read certificate file {}: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate file {} is not valid PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("certificate file {} holds no certificate", path.display()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named() {
        let e = client_config(Some(Path::new("/nonexistent/ca.pem")), None, None, 8883).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
        assert_eq!(e.code(), "mqtt-local-tls-config");
    }

    #[test]
    fn default_roots_work_without_files() {
        let c = client_config(None, None, None, 443).unwrap();
        assert_eq!(c.alpn_protocols, vec![b"x-amzn-mqtt-ca".to_vec()]);
    }
}
