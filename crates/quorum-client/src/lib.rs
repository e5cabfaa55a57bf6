//! A typed async client of the Quorum hub, over WebSocket and HTTP: used by the black-box
//! integration tests and by the load generator, so one connection is cheap (no task of
//! its own, small buffers) and every answer and close code is observable.

mod answer;
mod connection;
mod error;
mod http;
mod id;
mod mirror;
mod options;

pub use answer::{CommandOutcome, RawFrame, Subscribed, Welcome};
pub use connection::Connection;
pub use error::{CLOSE_ABNORMAL, CLOSE_NO_STATUS, ClientError, CloseInfo};
pub use http::{Http, HttpResponse, Session};
pub use id::{new_request_id, random_id};
pub use mirror::{MeetingMirror, MirrorError};
pub use options::ConnectOptions;
