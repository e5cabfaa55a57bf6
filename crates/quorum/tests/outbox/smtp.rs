//! A real SMTP sink on 127.0.0.1, speaking the protocol over TCP: it records each
//! message it accepts and can refuse the first attempts (451, transient) or every
//! message (550, permanent).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the sink treats messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Policy {
    /// `451` for the first `n` messages offered, then accept.
    RefuseFirst(u32),
    /// `550` for every message.
    RefuseAll,
}

/// One accepted message.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) to: String,
    pub(crate) message_id: String,
    pub(crate) data: String,
}

#[derive(Default)]
struct State {
    offered: u32,
    accepted: Vec<Mail>,
    refused: u32,
}

/// The running sink.
#[derive(Clone)]
pub(crate) struct Sink {
    pub(crate) port: u16,
    state: Arc<Mutex<State>>,
}

impl Sink {
    /// Binds port 0.
    pub(crate) async fn start(policy: Policy) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let _ = session(stream, &state, policy).await;
                });
            }
        });
        Sink { port, state }
    }

    /// The messages accepted.
    pub(crate) fn accepted(&self) -> Vec<Mail> {
        self.state.lock().unwrap().accepted.clone()
    }

    /// How many messages were refused.
    pub(crate) fn refused(&self) -> u32 {
        self.state.lock().unwrap().refused
    }
}

async fn session(stream: TcpStream, state: &Mutex<State>, policy: Policy) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut to = String::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 sink.test\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            let refuse = {
                let mut state = state.lock().unwrap();
                state.offered += 1;
                let refuse = match policy {
                    Policy::RefuseFirst(n) => state.offered <= n,
                    Policy::RefuseAll => true,
                };
                if refuse {
                    state.refused += 1;
                }
                refuse
            };
            match (refuse, policy) {
                (false, _) => write.write_all(b"250 OK\r\n").await?,
                (true, Policy::RefuseAll) => {
                    write
                        .write_all(b"550 5.7.1 mailbox unavailable\r\n")
                        .await?
                }
                (true, _) => write.write_all(b"451 4.3.0 try again later\r\n").await?,
            }
        } else if upper.starts_with("RCPT TO") {
            to = line[8..]
                .trim()
                .trim_matches(|c| c == '<' || c == '>' || c == ':')
                .to_owned();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push_str(&line);
                data.push('\n');
            }
            let message_id = data
                .lines()
                .find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    key.eq_ignore_ascii_case("message-id")
                        .then(|| value.trim().to_owned())
                })
                .unwrap_or_default();
            state.lock().unwrap().accepted.push(Mail {
                to: to.clone(),
                message_id,
                data,
            });
            write.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 command not implemented\r\n").await?;
        }
    }
    Ok(())
}
