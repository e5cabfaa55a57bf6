//! A right taken away stops working within a second, while the device that used it
//! stays connected: a proxy withdrawn, a session revoked.

use std::time::Duration;

use quorum_client::{ClientError, CommandOutcome, Connection};
use quorum_domain::{Actor, MeetingCommand, MeetingId, MemberId, RejectionCode};
use quorum_gateway::close;
use tokio::time::Instant;

use super::super::support::{actor, yes_no_poll};
use super::hall::{cast, create_poll, open, run_all, unlimited_hub};

/// Rights taken away: as many proxies withdrawn, and as many sessions revoked.
const REVOCATIONS: usize = 10;

#[tokio::test]
#[allow(clippy::print_stderr, reason = "the test reports what it measured")]
async fn a_withdrawn_proxy_or_a_revoked_session_stops_working_within_a_second() {
    let hub = unlimited_hub().await;
    let meeting = hub.meeting("s3-thu-hoi", 3 * REVOCATIONS).await;
    let mut voting = yes_no_poll(false);
    voting.vote_change = true;
    run_all(
        &hub,
        &meeting.id,
        Actor::Admin,
        vec![create_poll("bq", voting)],
    )
    .await;
    run_all(&hub, &meeting.id, actor(&meeting.chair), vec![open("bq")]).await;
    let (mut worst_proxy, mut worst_session) = (Duration::ZERO, Duration::ZERO);
    for seats in meeting.delegates.chunks(3) {
        let [seat, holder, voter] = seats else {
            unreachable!()
        };
        // The seat withdraws its proxy while the holder's device keeps voting for it.
        let grant = MeetingCommand::GrantProxy {
            from: Some(seat.clone()),
            to: holder.clone(),
        };
        run_all(&hub, &meeting.id, Actor::Admin, vec![grant]).await;
        let (mut holding, _) = hub.connect(&hub.member_token(holder).await).await;
        let (mut giving, _) = hub.connect(&hub.member_token(seat).await).await;
        let withdraw = async {
            let withdrawn = MeetingCommand::RevokeProxy { from: None };
            let outcome = giving.command(&meeting.id, withdrawn).await.unwrap();
            Some(outcome.acked_seq().expect("the proxy is withdrawn"))
        };
        let seat = Some(seat.clone());
        let (took, refusal) = until_refused(&mut holding, &meeting.id, seat, withdraw).await;
        let code = match refusal {
            Ok(CommandOutcome::Rejected { code, .. }) => Some(code),
            _ => None,
        };
        assert_eq!(code, Some(RejectionCode::NotProxyHolder), "{refusal:?}");
        worst_proxy = worst_proxy.max(took);
        // The voter's session is revoked while its device keeps voting.
        let token = hub.member_token(voter).await;
        let (mut device, _) = hub.connect(&token).await;
        let http = hub.http();
        let revoke = async {
            http.revoke(&token).await.unwrap();
            None
        };
        let (took, refusal) = until_refused(&mut device, &meeting.id, None, revoke).await;
        let code = refusal.err().and_then(|error| error.close_code());
        let code = code.or(device.closed().map(|closed| closed.code));
        assert_eq!(code, Some(close::UNAUTHENTICATED));
        worst_session = worst_session.max(took);
    }
    eprintln!("S3: {REVOCATIONS} proxies withdrawn, worst {worst_proxy:?} to a refusal");
    eprintln!("S3: {REVOCATIONS} sessions revoked, worst {worst_session:?} to a refusal");
    let second = Duration::from_secs(1);
    assert!(
        worst_proxy <= second,
        "a withdrawn proxy voted {worst_proxy:?} later"
    );
    assert!(
        worst_session <= second,
        "a revoked session voted {worst_session:?} later"
    );
}

/// Casts ballots for `seat` over `device`, one after the other, and runs `revoke` once
/// the first is accepted. Returns how long after `revoke` was acknowledged the first
/// refusal was answered (zero if before), and the refusal. If `revoke` names the event
/// that took the right away, every ballot accepted came before it.
async fn until_refused(
    device: &mut Connection,
    meeting: &MeetingId,
    seat: Option<MemberId>,
    revoke: impl Future<Output = Option<u64>>,
) -> (Duration, Result<CommandOutcome, ClientError>) {
    let revoked: std::cell::Cell<Option<(Instant, Option<u64>)>> = Default::default();
    let (accepted, first_accepted) = tokio::sync::oneshot::channel::<()>();
    let revoking = async {
        if first_accepted.await.is_ok() {
            let seq = revoke.await;
            revoked.set(Some((Instant::now(), seq)));
        }
    };
    let voting = async {
        let (mut accepted, mut acks) = (Some(accepted), Vec::new());
        loop {
            let outcome = device.command(meeting, cast(seat.clone())).await;
            let answered = Instant::now();
            let Ok(CommandOutcome::Acked { seq, .. }) = outcome else {
                return (answered, outcome, acks);
            };
            acks.push(seq);
            if let Some(accepted) = accepted.take() {
                accepted.send(()).unwrap();
            }
            let late = revoked.get().map(|(at, _)| answered - at);
            assert!(
                late.is_none_or(|late| late < Duration::from_secs(5)),
                "ballots still accepted {late:?} after the revocation was acknowledged"
            );
        }
    };
    let ((answered, refusal, acks), ()) = tokio::join!(voting, revoking);
    let Some((at, seq)) = revoked.get() else {
        panic!("the first ballot was refused: {refusal:?}");
    };
    let after = seq.and_then(|seq| acks.iter().find(|&&ack| ack > seq));
    assert_eq!(
        after, None,
        "a ballot accepted after the revoking event {seq:?}"
    );
    (answered.saturating_duration_since(at), refusal)
}
