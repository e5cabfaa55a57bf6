//! `quorum serve --dev-tls` through a real TLS client: the hub makes a self-signed
//! certificate in its data directory, serves HTTPS with it, refuses TLS 1.0 and 1.1
//! (offered by `openssl s_client`), and accepts no early data on a resumed session
//! (reliability S9).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

struct Hub(Child);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn dev_tls_serves_https_with_its_own_certificate() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .args(["serve", "--dev-tls", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let hub = Hub(child);
    let (listening, ready) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut listening = Some(listening);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("quorum hub listening")
                && let Some(listening) = listening.take()
            {
                let _ = listening.send(line);
            }
        }
    });
    let line = tokio::time::timeout(Duration::from_secs(10), ready)
        .await
        .expect("the hub did not listen within 10 s")
        .expect("the hub exited");
    assert!(
        line.contains(&format!("https://127.0.0.1:{port}")),
        "{line}"
    );

    // Trust exactly the certificate the hub made.
    let certificate = CertificateDer::from_pem_file(data.path().join("dev-tls/certificate.pem"))
        .expect("the hub keeps its development certificate in DATA/dev-tls");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certificate).unwrap();
    for (version, expected) in [
        (&rustls::version::TLS13, rustls::ProtocolVersion::TLSv1_3),
        (&rustls::version::TLS12, rustls::ProtocolVersion::TLSv1_2),
    ] {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots.clone())
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let mut tls = connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.protocol_version(), Some(expected));
        let response = healthz(&mut tls).await;
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "{expected:?}: {response}"
        );
        assert!(response.ends_with("ok"), "{expected:?}: {response}");
    }

    // What rustls cannot offer, openssl can: TLS 1.0 and 1.1 (allowed on openssl's side
    // by the lowest security level) end in a handshake failure; TLS 1.2 through the same
    // client is the control that the client could have made it.
    for (version, refused) in [("-tls1", true), ("-tls1_1", true), ("-tls1_2", false)] {
        let output = Command::new("openssl")
            .args(["s_client", "-connect"])
            .arg(format!("127.0.0.1:{port}"))
            .args([version, "-cipher", "DEFAULT:@SECLEVEL=0"])
            .stdin(Stdio::null())
            .output()
            .expect("openssl is missing: run `cargo xtask browser-deps`");
        let printed = String::from_utf8_lossy(&output.stdout);
        let negotiated = output.status.success() && !printed.contains("Cipher is (NONE)");
        assert_eq!(
            negotiated, !refused,
            "openssl s_client {version}: {}\n{printed}",
            output.status
        );
    }

    // No early data: a client that would send it, resuming a TLS 1.3 session, is not
    // given the chance.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.enable_early_data = true;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    for attempt in ["first", "resumed"] {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        // Whether the session being resumed lets the client send early data.
        let mut early_data_allowed = false;
        let mut tls = connector
            .connect_with(ServerName::try_from("localhost").unwrap(), tcp, |client| {
                early_data_allowed = client.early_data().is_some();
            })
            .await
            .unwrap();
        assert!(
            !early_data_allowed,
            "{attempt}: the hub's session ticket allows early data"
        );
        // Reading the answer to the end also takes in the session tickets.
        let response = healthz(&mut tls).await;
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "{attempt}: {response}"
        );
        let connection = tls.get_ref().1;
        if attempt == "resumed" {
            assert_eq!(
                connection.handshake_kind(),
                Some(rustls::HandshakeKind::Resumed),
                "the second connection should resume the first's session"
            );
        }
        assert!(
            !connection.is_early_data_accepted(),
            "{attempt}: the hub accepted early data"
        );
    }
    drop(hub);
}

/// `GET /healthz` over `tls`, and the whole answer as the hub sent it.
async fn healthz(tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>) -> String {
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tls.read_to_string(&mut response).await.unwrap_or_default();
    response
}
