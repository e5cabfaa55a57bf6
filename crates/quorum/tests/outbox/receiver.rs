//! A real webhook receiver on 127.0.0.1: plain HTTP/1.1 over TCP, written here so that
//! nothing of the sender is reused. It checks each request's signature and timestamp
//! itself, answers 500 or hangs for the first attempts of each notice as told, and
//! records what it accepted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{KeyInit as _, Mac as _};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// What the receiver does with the first attempts of each notice.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Misbehave {
    /// Answers 500.
    Fail500,
    /// Reads the request and never answers.
    Hang,
}

/// One request as received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) id: String,
    pub(crate) body: serde_json::Value,
    pub(crate) signature_valid: bool,
    pub(crate) fresh: bool,
    pub(crate) answered: u16,
}

#[derive(Default)]
struct State {
    attempts: BTreeMap<String, u32>,
    log: Vec<Received>,
}

/// The running receiver.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// Binds port 0; `bad_first` attempts of every notice get `misbehave`.
    pub(crate) async fn start(secret: &str, bad_first: u32, misbehave: Misbehave) -> Receiver {
        Receiver::listen(secret, bad_first, misbehave, None).await
    }

    /// Like [`Receiver::start`], over HTTPS with a fresh self-signed certificate for
    /// `localhost`; also returns the certificate (PEM), for the sender to trust.
    pub(crate) async fn start_tls(secret: &str) -> (Receiver, String) {
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let pem = generated.cert.pem();
        let key = rustls::pki_types::PrivateKeyDer::try_from(generated.signing_key.serialize_der())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![generated.cert.der().clone()], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let receiver = Receiver::listen(secret, 0, Misbehave::Fail500, Some(acceptor)).await;
        (receiver, pem)
    }

    async fn listen(
        secret: &str,
        bad_first: u32,
        misbehave: Misbehave,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = match tls {
            Some(_) => format!("https://localhost:{port}/hooks/quorum"),
            None => format!("http://127.0.0.1:{port}/hooks/quorum"),
        };
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let secret = secret.to_owned();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = Arc::clone(&shared);
                let secret = secret.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = serve(stream, &state, &secret, bad_first, misbehave).await;
                            }
                        }
                        None => {
                            let _ = serve(stream, &state, &secret, bad_first, misbehave).await;
                        }
                    }
                });
            }
        });
        Receiver { url, state }
    }

    /// Every request received, in order.
    pub(crate) fn log(&self) -> Vec<Received> {
        self.state.lock().unwrap().log.clone()
    }

    /// The notices accepted (2xx), deduplicated by `Quorum-Notice-Id`.
    pub(crate) fn delivered(&self) -> BTreeMap<String, Received> {
        self.log()
            .into_iter()
            .filter(|received| received.answered == 200)
            .map(|received| (received.id.clone(), received))
            .collect()
    }
}

async fn serve(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    state: &Mutex<State>,
    secret: &str,
    bad_first: u32,
    misbehave: Misbehave,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let length: usize = header("content-length").parse().unwrap_or(0);
    while buffer.len() < head_end + 4 + length {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = &buffer[head_end + 4..(head_end + 4 + length).min(buffer.len())];
    let id = header("quorum-notice-id");
    let timestamp = header("quorum-timestamp");
    let signature = header("quorum-signature");
    // The receiver's own check, as the README tells receivers to do it.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let signature_valid = signature.strip_prefix("v1=") == Some(expected.as_str());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|sent| (now - sent).abs() <= 300);
    let attempt = {
        let mut state = state.lock().unwrap();
        let count = state.attempts.entry(id.clone()).or_default();
        *count += 1;
        *count
    };
    let (status, hang) = if !signature_valid || !fresh {
        (401, false)
    } else if attempt <= bad_first {
        match misbehave {
            Misbehave::Fail500 => (500, false),
            Misbehave::Hang => (0, true),
        }
    } else {
        (200, false)
    };
    state.lock().unwrap().log.push(Received {
        id,
        body: serde_json::from_slice(body).unwrap_or(serde_json::Value::Null),
        signature_valid,
        fresh,
        answered: status,
    });
    if hang {
        tokio::time::sleep(Duration::from_secs(60)).await;
        return Ok(());
    }
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        _ => "Internal Server Error",
    };
    let response =
        format!("HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
