//! Reliability S3: the role × action × meeting × state matrix, every cell sent for real
//! (ballots and poll commands over a WebSocket, results read from a subscription's
//! snapshot, a confidential document downloaded over REST) and compared with what the
//! written policy says; and (in `revocation`) a right taken away stops working within a
//! second while the device that used it stays connected.

mod hall;
mod revocation;

use quorum_client::{ClientError, CommandOutcome, Connection, Subscribed};
use quorum_domain::{MeetingCommand, MemberId, RejectionCode};
use quorum_protocol::ErrorCode;
use tokio::time::Instant;

use super::documents::download;
use super::support::{TestHub, member};
use hall::{Hall, cast, open_without_override, poll, set_up, unlimited_hub};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Guest,
    Delegate,
    ProxyHolder,
    Chair,
    Secretary,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Vote,
    VoteForAnotherSeat,
    OpenPoll,
    ClosePoll,
    ReadResults,
    ReadConfidentialDocument,
}

/// Who acts, and in what state. `entitled`: in the group the poll admits and among the
/// confidential document's named readers. `delegated`: gave their proxy away.
#[derive(Debug, Clone, Copy)]
struct Profile {
    kind: Kind,
    present: bool,
    entitled: bool,
    delegated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected(RejectionCode),
    Failed(ErrorCode),
    ResultsShown,
    ResultsHidden,
    Http(u16),
}

/// The outcome the written policy gives: `policy::permits` (only the chair conducts
/// polls; the chair, the secretary and an administrator see everything), the casting
/// rules of `meeting/voting.rs` in their order (a seat given away votes only while
/// present; a seat voted for by another only through its absent seat's proxy; then
/// entitlement; then presence, the poll being present-only), `results_visible` (live
/// to the chair's console), `DocumentAccess::Confidential` (keepers and named
/// delegates, never a guest) and the gateway's refusals of a non-participant.
fn expected(profile: Profile, act: Act, own_meeting: bool) -> Outcome {
    use Outcome::{Accepted, Http, Rejected};
    use RejectionCode::{NotEntitled, NotPermitted, NotPresent, NotProxyHolder};
    // An administrator keeps every meeting; a chair or secretary keeps their own.
    let own_keeper = own_meeting && matches!(profile.kind, Kind::Chair | Kind::Secretary);
    let keeper = own_keeper || profile.kind == Kind::Admin;
    let votes = profile.entitled && profile.kind != Kind::Guest;
    match act {
        Act::ReadResults if keeper => Outcome::ResultsShown,
        Act::ReadConfidentialDocument if keeper => Http(200),
        _ if profile.kind == Kind::Admin => Rejected(NotPermitted),
        Act::ReadResults if !own_meeting => Outcome::Failed(ErrorCode::Forbidden),
        Act::ReadConfidentialDocument if !own_meeting => Http(403),
        _ if !own_meeting => Rejected(RejectionCode::NotAParticipant),
        Act::Vote if profile.delegated && !profile.present => {
            Rejected(RejectionCode::SeatDelegated)
        }
        Act::Vote if !votes => Rejected(NotEntitled),
        Act::VoteForAnotherSeat if profile.kind != Kind::ProxyHolder => Rejected(NotProxyHolder),
        Act::Vote | Act::VoteForAnotherSeat if !profile.present => Rejected(NotPresent),
        Act::Vote | Act::VoteForAnotherSeat => Accepted,
        Act::OpenPoll | Act::ClosePoll if profile.kind == Kind::Chair => Accepted,
        Act::OpenPoll | Act::ClosePoll => Rejected(NotPermitted),
        Act::ReadResults => Outcome::ResultsHidden,
        Act::ReadConfidentialDocument => Http(if votes { 200 } else { 404 }),
    }
}

/// Every role in every state it can be in, the administrator (who has no state in a
/// meeting) first. A guest has no vote to give and a holder may not give one (no
/// chains).
fn profiles() -> Vec<Profile> {
    use Kind::{Chair, Delegate, Guest, ProxyHolder, Secretary};
    let states = [Guest, Delegate, ProxyHolder, Chair, Secretary]
        .into_iter()
        .flat_map(|kind| (0..8).map(move |bits| profile(kind, bits)));
    let possible = states.filter(|p| !(p.delegated && matches!(p.kind, Guest | ProxyHolder)));
    std::iter::once(profile(Kind::Admin, 3))
        .chain(possible)
        .collect()
}

fn profile(kind: Kind, bits: u8) -> Profile {
    Profile {
        kind,
        present: bits & 1 == 0,
        entitled: bits & 2 == 0,
        delegated: bits & 4 != 0,
    }
}

fn member_of(profile: Profile) -> MemberId {
    let role = match profile.kind {
        Kind::Guest => "khach",
        Kind::Delegate => "dai-bieu",
        Kind::ProxyHolder => "giu-uy-quyen",
        Kind::Chair => "chu-toa",
        Kind::Secretary => "thu-ky",
        Kind::Admin => "quan-tri",
    };
    let bit = |on: bool| u8::from(on);
    let Profile {
        present,
        entitled,
        delegated,
        ..
    } = profile;
    member(&format!(
        "{role}-{}{}{}",
        bit(present),
        bit(entitled),
        bit(delegated)
    ))
}

#[tokio::test]
#[allow(clippy::print_stderr, reason = "the test reports the table's size")]
async fn every_cell_of_the_role_action_state_matrix_matches_the_policy() {
    use Act::*;
    let hub = unlimited_hub().await;
    let admin = hub.admin_token().await;
    let profiles = profiles();
    let own = set_up(&hub, &admin, "s3-hop", &profiles, true).await;
    let other = set_up(&hub, &admin, "s3-khac", &profiles, false).await;

    let started = Instant::now();
    let (mut cells, mut mismatches) = (Vec::new(), Vec::new());
    for (index, profile) in profiles.iter().copied().enumerate() {
        let token = match profile.kind {
            Kind::Admin => admin.clone(),
            _ => hub.member_token(&member_of(profile)).await,
        };
        let (mut device, _) = hub.connect(&token).await;
        for (hall, own_meeting) in [(&own, true), (&other, false)] {
            let acts = [Vote, VoteForAnotherSeat, OpenPoll, ClosePoll, ReadResults];
            for act in acts.into_iter().chain([ReadConfidentialDocument]) {
                let cell = Cell {
                    hall,
                    profile,
                    act,
                    index,
                };
                let got = perform(&hub, &mut device, &token, cell).await;
                cells.push((profile, act, own_meeting, got));
            }
        }
    }
    for &(profile, act, own_meeting, got) in &cells {
        let want = expected(profile, act, own_meeting);
        if got != want {
            let meeting = if own_meeting { "own" } else { "another" };
            mismatches.push(format!(
                "{profile:?} {act:?} in {meeting} meeting: {got:?}, policy {want:?}"
            ));
        }
    }
    let took = started.elapsed();
    eprintln!(
        "S3: {} cells ({} profiles × 6 acts × 2 meetings) in {took:?}",
        cells.len(),
        profiles.len()
    );
    assert_eq!(cells.len(), 33 * 6 * 2);
    let count = mismatches.len();
    assert!(
        count == 0,
        "{count} cells differ from the policy:\n{}",
        mismatches.join("\n")
    );
}

/// One cell to try: an act of a profile (the `index`th) in a meeting.
struct Cell<'a> {
    hall: &'a Hall,
    profile: Profile,
    act: Act,
    index: usize,
}

/// Tries a cell over the profile's device (or over REST with its token, to download).
async fn perform(hub: &TestHub, device: &mut Connection, token: &str, cell: Cell<'_>) -> Outcome {
    let Cell {
        hall: (meeting, document),
        profile,
        act,
        index,
    } = cell;
    let command = match act {
        Act::Vote => cast(None),
        Act::VoteForAnotherSeat if profile.kind == Kind::ProxyHolder => {
            cast(Some(member(&format!("uq-{}", member_of(profile)))))
        }
        Act::VoteForAnotherSeat => cast(Some(member("ghe-khac"))),
        Act::OpenPoll => open_without_override(&format!("mo-{index}")),
        Act::ClosePoll => MeetingCommand::ClosePoll {
            poll: poll(&format!("dong-{index}")),
        },
        Act::ReadConfidentialDocument => {
            let response = download(hub, meeting, document, token).await;
            return Outcome::Http(response.status.as_u16());
        }
        Act::ReadResults => {
            return match device.subscribe(meeting, None).await {
                Ok(Subscribed::Snapshot { view, .. }) => {
                    device.unsubscribe(meeting).await.unwrap();
                    let voting = view.polls.into_iter().find(|shown| shown.id == poll("bq"));
                    match voting.and_then(|shown| shown.results) {
                        Some(_) => Outcome::ResultsShown,
                        None => Outcome::ResultsHidden,
                    }
                }
                Err(ClientError::Server { code, .. }) => Outcome::Failed(code),
                other => panic!("subscribing answered {other:?}"),
            };
        }
    };
    match device.command(meeting, command).await.unwrap() {
        CommandOutcome::Acked { .. } => Outcome::Accepted,
        CommandOutcome::Rejected { code, .. } => Outcome::Rejected(code),
        CommandOutcome::Failed { code, .. } => Outcome::Failed(code),
    }
}
