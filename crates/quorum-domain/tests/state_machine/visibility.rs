//! Who may see what, by this test's reading of the rules and independently of the
//! engine's `view.rs`: the class of each screen, when results show, which polls and documents.

use std::collections::BTreeSet;

use quorum_domain::meeting::agenda::{Document, DocumentAccess};
use quorum_domain::poll::{Poll, PollStatus, ResultsVisibility};
use quorum_domain::view::Audience;
use quorum_domain::{Meeting, MemberId, PollId, Role, Viewer};

use super::who::member;

/// The class of screen, by this test's reading of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// The chair's console: chair, secretary, administrator.
    Keeper,
    Delegate,
    Guest,
    Projector,
}

/// A viewer's class of screen; none for someone who is not a participant.
pub(crate) fn class_of(meeting: &Meeting, viewer: &Viewer) -> Option<Class> {
    match viewer {
        Viewer::Admin => Some(Class::Keeper),
        Viewer::Projector => Some(Class::Projector),
        Viewer::Member { member } => meeting.participant(member).map(|p| match p.role() {
            Role::Chair | Role::Secretary => Class::Keeper,
            Role::Delegate => Class::Delegate,
            Role::Guest => Class::Guest,
        }),
    }
}

/// The audience the engine must name for a class of screen.
pub(crate) fn audience(class: Class) -> Audience {
    match class {
        Class::Keeper => Audience::Keeper,
        Class::Delegate => Audience::Delegate,
        Class::Guest => Audience::Guest,
        Class::Projector => Audience::Projector,
    }
}

/// The member behind a viewer, if any.
pub(crate) fn viewer_member(viewer: &Viewer) -> Option<&MemberId> {
    match viewer {
        Viewer::Member { member } => Some(member),
        Viewer::Admin | Viewer::Projector => None,
    }
}

/// Every participant, the administrator, the projector and an outsider.
pub(crate) fn viewers(meeting: &Meeting) -> Vec<Viewer> {
    let mut viewers = vec![
        Viewer::Admin,
        Viewer::Projector,
        Viewer::Member {
            member: member("outsider"),
        },
    ];
    viewers.extend(meeting.participants().keys().map(|member| Viewer::Member {
        member: member.clone(),
    }));
    viewers
}

/// Whether `seat` concerns the viewer `me`: it is theirs, or they hold its proxy.
pub(crate) fn concerns(meeting: &Meeting, me: Option<&MemberId>, seat: &MemberId) -> bool {
    me == Some(seat) || (me.is_some() && meeting.proxies().get(seat) == me)
}

/// Whether `class` may see the results of a round standing at `status`:
/// live-to-all once open; live-to-chair to keepers while running and to all once
/// published; after-close to keepers once closed and to all once published.
pub(crate) fn results_allowed(
    visibility: ResultsVisibility,
    status: PollStatus,
    class: Class,
) -> bool {
    let keeper = class == Class::Keeper;
    let running = matches!(status, PollStatus::Open | PollStatus::Paused);
    let closed = status == PollStatus::Closed;
    let published = status == PollStatus::Published;
    match visibility {
        ResultsVisibility::LiveToAll => running || closed || published,
        ResultsVisibility::LiveToChair => published || (keeper && (running || closed)),
        ResultsVisibility::AfterClose => published || (keeper && closed),
    }
}

/// Whether a poll shows at all: drafts only on the chair's console, unless they ran.
pub(crate) fn poll_visible(poll: &Poll, ran: &BTreeSet<PollId>, class: Class) -> bool {
    class == Class::Keeper || poll.status != PollStatus::Draft || ran.contains(&poll.id)
}

/// Whether a viewer may read a document: the chair's console reads everything, drafts
/// included; no one else reads a draft. Published: everyone; delegates only (not guests,
/// not the projector); the named members; or confidentially the named members who are
/// not guests (never the projector).
pub(crate) fn may_read(document: &Document, class: Class, me: Option<&MemberId>) -> bool {
    if document.status.draft && class != Class::Keeper {
        return false;
    }
    match (class, &document.access) {
        (Class::Keeper, _) | (_, DocumentAccess::Everyone) => true,
        (Class::Projector, _) => false,
        (Class::Delegate, DocumentAccess::DelegatesOnly) => true,
        (Class::Guest, DocumentAccess::DelegatesOnly | DocumentAccess::Confidential { .. }) => {
            false
        }
        (_, DocumentAccess::Named { members } | DocumentAccess::Confidential { members }) => {
            me.is_some_and(|me| members.contains(me))
        }
    }
}
