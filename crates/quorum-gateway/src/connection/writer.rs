//! Writing to a device: frames in batches with one flush, long messages in fragments,
//! and the close handshake.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use quorum_protocol::ServerMessage;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame as WireFrame};
use tokio_tungstenite::tungstenite::{Error as WireError, Message, Utf8Bytes};

use crate::close;
use crate::outbound::{Frame, Outbound};
use crate::telemetry;

use super::{Ending, WebSocket};

/// Messages longer than this go out in fragments of this size, so that tungstenite's
/// write buffer, which keeps the size of the largest frame written, stays small.
const FRAGMENT_BYTES: usize = 1024;

/// How long a closing connection waits for the device to answer its close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// Queues a text message on the socket, in fragments if it is long.
async fn feed_text(socket: &mut WebSocket, text: &Utf8Bytes) -> Result<(), WireError> {
    if text.len() <= FRAGMENT_BYTES {
        return socket.feed(Message::Text(text.clone())).await;
    }
    // Fragments may split a character: the receiver checks UTF-8 on the whole message.
    let bytes = Bytes::from(text.clone());
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAGMENT_BYTES).min(bytes.len());
        let opcode = if start == 0 {
            OpCode::Data(Data::Text)
        } else {
            OpCode::Data(Data::Continue)
        };
        let fragment = WireFrame::message(bytes.slice(start..end), opcode, end == bytes.len());
        socket.feed(Message::Frame(fragment)).await?;
        start = end;
    }
    Ok(())
}

/// Writes the batch (feed each, one flush); `Some` ends the connection.
pub(super) async fn write_batch(
    socket: &mut WebSocket,
    batch: &mut Vec<Outbound>,
    timeout: Duration,
) -> Option<Ending> {
    let mut ending = None;
    let write = async {
        for frame in batch.drain(..) {
            match &*frame {
                Frame::Text(text) => feed_text(socket, text).await?,
                Frame::Close(code, reason) => {
                    ending = Some(Ending {
                        code: *code,
                        reason,
                    });
                    break;
                }
            }
        }
        socket.flush().await
    };
    match tokio::time::timeout(timeout, write).await {
        Ok(Ok(())) => ending,
        Ok(Err(_)) => Some(Ending {
            code: 1000,
            reason: "",
        }),
        Err(_) => {
            metrics::counter!(telemetry::SLOW_DISCONNECTS).increment(1);
            Some(Ending {
                code: close::SLOW_CONSUMER,
                reason: "too slow: reconnect and resume",
            })
        }
    }
}

pub(super) async fn send_now(
    socket: &mut WebSocket,
    message: &ServerMessage,
    timeout: Duration,
) -> Result<(), ()> {
    let Frame::Text(text) = &*Frame::message(message) else {
        return Err(());
    };
    let write = async {
        feed_text(socket, text).await?;
        socket.flush().await
    };
    match tokio::time::timeout(timeout, write).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// Sends the close frame (after any frames still queued, unless the device is slow).
pub(super) async fn finish(
    socket: &mut WebSocket,
    queue: Option<&mut mpsc::Receiver<Outbound>>,
    ending: Ending,
    timeout: Duration,
) {
    metrics::counter!(telemetry::CONNECTIONS_CLOSED, "code" => ending.code.to_string())
        .increment(1);
    if let Some(queue) = queue
        && ending.code != close::SLOW_CONSUMER
    {
        let mut rest = Vec::new();
        while let Ok(frame) = queue.try_recv() {
            if matches!(&*frame, Frame::Text(_)) {
                rest.push(frame);
            }
        }
        let _ = write_batch(socket, &mut rest, timeout).await;
    }
    let frame = CloseFrame {
        code: CloseCode::from(ending.code),
        reason: Utf8Bytes::from_static(ending.reason),
    };
    let _ = tokio::time::timeout(timeout, socket.send(Message::Close(Some(frame)))).await;
    // Read until the device answers the close (or gives up): closing a socket with
    // unread input makes the kernel reset it, and a reset can destroy the close frame
    // before the device reads it.
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}
