//! TLS with rustls and the `ring` provider only: certificates from PEM files, or a
//! self-signed one for a trial on a LAN. TLS 1.2 and 1.3 only, no 0-RTT.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsConfig;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {reason}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// rustls refused the certificate or key.
    #[error("invalid certificate or key: {0}")]
    Rustls(#[from] rustls::Error),
    /// The self-signed certificate could not be made.
    #[error("cannot make a development certificate: {0}")]
    Generate(String),
}

/// The rustls configuration, or `None` when TLS is off.
pub fn server_config(
    config: &TlsConfig,
    data: &Path,
) -> Result<Option<Arc<rustls::ServerConfig>>, TlsError> {
    let (certificates, key) = match (&config.certificate, &config.key) {
        (Some(certificate), Some(key)) => (read_certificates(certificate)?, read_key(key)?),
        _ if config.dev_self_signed => self_signed(data)?,
        _ => return Ok(None),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(certificates, key)?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    // No early data: a replayed 0-RTT request could repeat a command.
    server.max_early_data_size = 0;
    Ok(Some(Arc::new(server)))
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = |reason: String| TlsError::Pem {
        path: path.to_owned(),
        reason,
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|error| pem(error.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem(error.to_string()))?;
    if certificates.is_empty() {
        return Err(pem("no certificate in the file".into()));
    }
    Ok(certificates)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|error| TlsError::Pem {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

/// A self-signed certificate for localhost and this machine's name, kept in the data
/// directory so that browsers see the same one after a restart.
fn self_signed(
    data: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let directory = data.join("dev-tls");
    let certificate_path = directory.join("certificate.pem");
    let key_path = directory.join("key.pem");
    if certificate_path.exists() && key_path.exists() {
        return Ok((read_certificates(&certificate_path)?, read_key(&key_path)?));
    }
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|error| TlsError::Generate(error.to_string()))?;
    let write = |path: &Path, text: String| {
        std::fs::create_dir_all(&directory)
            .and_then(|()| std::fs::write(path, text))
            .map_err(|error| TlsError::Generate(error.to_string()))
    };
    write(&certificate_path, generated.cert.pem())?;
    write(&key_path, generated.signing_key.serialize_pem())?;
    tracing::warn!(
        certificate = %certificate_path.display(),
        "using a self-signed development certificate: browsers will warn; never use it in production"
    );
    Ok((read_certificates(&certificate_path)?, read_key(&key_path)?))
}
