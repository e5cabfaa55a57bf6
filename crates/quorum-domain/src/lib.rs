//! The Quorum meeting and vote engine: a pure, deterministic model of paperless
//! meetings — the member directory, meetings and their participants, attendance and
//! quorum, the agenda and its documents, polls with their majority rules, the speakers'
//! list, conclusions and directives — and what each viewer may see of them.
//!
//! **Invariant:** no async runtime, no clock, no randomness and no I/O. Time and ids
//! come in as arguments; the same events always fold to the same state. Collections
//! are ordered (`BTreeMap`), never hash-ordered.
//!
//! The shape: [`Meeting::decide`] turns a command into events or a [`Rejection`];
//! [`Meeting::apply`] folds an [`EventRecord`] into the state; [`Meeting::view`] and
//! [`Meeting::view_changes`] project it for one [`Viewer`].

pub mod directory;
pub mod id;
pub mod meeting;
pub mod policy;
pub mod poll;
pub mod rejection;
pub mod rules;
pub mod text;
pub mod time;
pub mod view;

pub use id::{
    BallotId, ConclusionId, DirectiveId, DocumentId, FloorRequestId, GroupId, IdError, ItemId,
    MeetingId, MemberId, PollId, UnitId,
};
pub use meeting::command::{CreateMeeting, MeetingCommand};
pub use meeting::event::{EventRecord, MeetingEvent};
pub use meeting::{ApplyError, Decision, ExecuteError, Meeting};
pub use policy::{Actor, Role};
pub use rejection::{Rejection, RejectionCode};
pub use time::{Millis, Timestamp};
pub use view::{MeetingView, ViewChange, Viewer};
