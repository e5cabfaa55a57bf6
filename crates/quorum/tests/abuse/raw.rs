//! A WebSocket client written by hand over TCP, for devices that misbehave in ways
//! `quorum_client` (tungstenite) will not: a frame announcing more bytes than the hub
//! accepts, streamed from one shared buffer, and a socket with a small receive buffer
//! that stops being read. Frames go masked with a zero key, so the payload goes as is.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpSocket;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Semaphore;

/// Frame opcodes (RFC 6455 §5.2).
const CONTINUATION: u8 = 0x0;
const TEXT: u8 = 0x1;
const CLOSE: u8 = 0x8;

/// What the close code is when the connection ends without a close frame (RFC 6455
/// §7.1.5), as `quorum_client` reports it.
pub(crate) const NO_CLOSE_FRAME: u16 = quorum_client::CLOSE_ABNORMAL;

/// Connections a test opens at once. The hub listens with a backlog of 128 (mio's
/// default), and connections beyond it that arrive while its accept loop is busy are
/// dropped and retried by the kernel after a second: the tests measure what the hub
/// does with sockets, not that, so they open them in waves below it.
pub(crate) const CONNECTING_AT_ONCE: usize = 64;

/// The padding of every oversize message: each is written from this one buffer again
/// and again, so a thousand oversize devices cost the test process no memory.
static SPACES: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// One hand-driven WebSocket.
pub(crate) struct RawSocket {
    reader: OwnedReadHalf,
    writer: Option<OwnedWriteHalf>,
    /// Bytes read but not yet taken as a frame.
    unread: Vec<u8>,
}

/// One frame from the hub.
struct Frame {
    opcode: u8,
    fin: bool,
    payload: Vec<u8>,
}

impl RawSocket {
    /// Connects to the hub's `/ws` and upgrades, offering `quorum.v1`; with
    /// `receive_buffer`, the socket's kernel receive buffer is set that small first.
    pub(crate) async fn open(
        hub: SocketAddr,
        receive_buffer: Option<u32>,
    ) -> io::Result<RawSocket> {
        let socket = TcpSocket::new_v4()?;
        if let Some(bytes) = receive_buffer {
            socket.set_recv_buffer_size(bytes)?;
        }
        let stream = socket.connect(hub).await?;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        let mut raw = RawSocket {
            reader,
            writer: Some(writer),
            unread: Vec::new(),
        };
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {hub}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Protocol: quorum.v1\r\n\r\n"
        );
        raw.writer().write_all(request.as_bytes()).await?;
        let head = loop {
            if let Some(end) = raw
                .unread
                .windows(4)
                .position(|window| window == b"\r\n\r\n")
            {
                break raw.unread.drain(..end + 4).collect::<Vec<u8>>();
            }
            raw.fill().await?;
        };
        if !head.starts_with(b"HTTP/1.1 101") {
            return Err(io::Error::other(format!(
                "upgrade refused: {}",
                String::from_utf8_lossy(&head)
            )));
        }
        Ok(raw)
    }

    /// [`RawSocket::open`], at most [`CONNECTING_AT_ONCE`] at a time.
    pub(crate) async fn open_paced(hub: SocketAddr, pace: &Semaphore) -> RawSocket {
        let _turn = pace.acquire().await.unwrap();
        RawSocket::open(hub, None).await.unwrap()
    }

    /// Sends `hello` with `token` and waits for the hub's answer (`welcome`, or why not).
    pub(crate) async fn hello(&mut self, token: &str) -> io::Result<String> {
        let hello = quorum_protocol::encode_client(&quorum_protocol::ClientMessage::Hello {
            versions: vec![quorum_protocol::PROTOCOL_VERSION],
            token: token.to_owned(),
            client: None,
        })
        .map_err(io::Error::other)?;
        self.send_text(&hello).await?;
        let answer = self.next_text().await?;
        if !answer.starts_with(r#"{"type":"welcome""#) {
            return Err(io::Error::other(format!("hello refused: {answer}")));
        }
        Ok(answer)
    }

    /// Sends one text message.
    pub(crate) async fn send_text(&mut self, text: &str) -> io::Result<()> {
        let writer = self.writer();
        writer.write_all(&header(TEXT, text.len())).await?;
        writer.write_all(text.as_bytes()).await
    }

    /// Sends a text message of `length` bytes, `prefix` then spaces, while reading for
    /// the hub's close frame; returns its code ([`NO_CLOSE_FRAME`] if the connection
    /// ended without one) once it comes, whether or not the whole message went out.
    pub(crate) async fn send_oversize(
        &mut self,
        prefix: &str,
        length: usize,
        within: Duration,
    ) -> u16 {
        let mut writer = self.writer.take().expect("the socket can still write");
        let prefix = prefix.as_bytes().to_vec();
        // The writing runs beside the reading: a hub that refuses the frame at its
        // header stops reading, and the rest of the message would never go out.
        let writing = tokio::spawn(async move {
            writer.write_all(&header(TEXT, length)).await?;
            writer.write_all(&prefix).await?;
            let mut left = length - prefix.len();
            while left > 0 {
                let chunk = left.min(SPACES.len());
                writer.write_all(&SPACES[..chunk]).await?;
                left -= chunk;
            }
            io::Result::Ok(writer)
        });
        let code = self.close_code(within).await;
        writing.abort();
        code
    }

    /// Reads until the hub's close frame and returns its code; [`NO_CLOSE_FRAME`] if the
    /// connection ends (or is reset) without one. Panics after `within`.
    pub(crate) async fn close_code(&mut self, within: Duration) -> u16 {
        let reading = async {
            loop {
                match self.next_frame().await {
                    Ok(frame) if frame.opcode == CLOSE => {
                        break match frame.payload.get(..2) {
                            Some(code) => u16::from_be_bytes([code[0], code[1]]),
                            None => NO_CLOSE_FRAME,
                        };
                    }
                    Ok(_) => {}
                    Err(_) => break NO_CLOSE_FRAME,
                }
            }
        };
        tokio::time::timeout(within, reading)
            .await
            .unwrap_or_else(|_| panic!("the hub did not close the connection within {within:?}"))
    }

    /// The next whole text message (the hub fragments long ones).
    pub(crate) async fn next_text(&mut self) -> io::Result<String> {
        let mut message = Vec::new();
        loop {
            let frame = self.next_frame().await?;
            match frame.opcode {
                TEXT | CONTINUATION => {
                    message.extend_from_slice(&frame.payload);
                    if frame.fin {
                        return String::from_utf8(message).map_err(io::Error::other);
                    }
                }
                CLOSE => return Err(io::Error::other("closed by the hub")),
                _ => {}
            }
        }
    }

    fn writer(&mut self) -> &mut OwnedWriteHalf {
        self.writer.as_mut().expect("the socket can still write")
    }

    async fn next_frame(&mut self) -> io::Result<Frame> {
        loop {
            if let Some((frame, used)) = parse(&self.unread) {
                self.unread.drain(..used);
                return Ok(frame);
            }
            self.fill().await?;
        }
    }

    async fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 4096];
        let read = self.reader.read(&mut chunk).await?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.unread.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

/// The header of a final, masked frame of `length` bytes, with a zero masking key.
fn header(opcode: u8, length: usize) -> Vec<u8> {
    let mut header = vec![0x80 | opcode];
    match (u8::try_from(length), u16::try_from(length)) {
        (Ok(short), _) if short < 126 => header.push(0x80 | short),
        (_, Ok(medium)) => {
            header.push(0x80 | 126);
            header.extend_from_slice(&medium.to_be_bytes());
        }
        _ => {
            header.push(0x80 | 127);
            header.extend_from_slice(&(length as u64).to_be_bytes());
        }
    }
    header.extend_from_slice(&[0; 4]);
    header
}

/// A whole unmasked frame at the start of `bytes`, and its length; `None` if more bytes
/// are needed.
fn parse(bytes: &[u8]) -> Option<(Frame, usize)> {
    let first = *bytes.first()?;
    let second = *bytes.get(1)?;
    let (length, start) = match second & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?)),
            4,
        ),
        127 => (
            usize::try_from(u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?)).ok()?,
            10,
        ),
        short => (usize::from(short), 2),
    };
    let payload = bytes.get(start..start + length)?.to_vec();
    let frame = Frame {
        opcode: first & 0x0f,
        fin: first & 0x80 != 0,
        payload,
    };
    Some((frame, start + length))
}
