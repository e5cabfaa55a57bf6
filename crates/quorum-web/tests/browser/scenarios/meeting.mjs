// A meeting from check-in to verdict: the chair's laptop, the hall projector and three
// delegates' phones, with the rest of the hall on the floor. The quorum is reached by a
// phone's check-in; the chair opens the poll; the phones vote with a receipt; one phone
// loses its network after its ballot reached the hub but before the answer came back, and
// once it is back its ballot is counted once; the chair closes the poll, and every screen
// shows the verdict. (documents.mjs reads the documents on a phone.)

import assert from 'node:assert/strict';

import { checkIn, chooseAndConfirm, pollCard, pollStatusShows, progressShows, quorumShows, receiptShows, tallyShows, verdictShows } from '../lib/screens.mjs';

export const title = 'check-in, quorum, a vote with a network cut, the verdict on every screen';

/** Delegates on the floor before the quorum, and those who arrive after it. */
const FLOOR_FROM = 4;
const LATE_ARRIVALS = 4;
const POLL = 'bq-1';

export async function run(hall) {
  const [chair, projector, ...phones] = await Promise.all([
    hall.chair(),
    hall.projector(),
    hall.delegate(0),
    hall.delegate(1),
    hall.delegate(2),
  ]);
  await phones[0].screenshot('delegate-phone.png');
  const floor = await hall.floor();
  const secretary = hall.demo.secretary;
  await floor.join(secretary);
  const before = await floor.snapshot(secretary);
  const { required, present } = before.quorum;
  const motion = before.polls.find((poll) => poll.id === POLL);
  assert.ok(motion, `the demo has poll ${POLL}`);
  assert.equal(motion.status, 'draft');
  const pollTitle = motion.spec.title;

  // The floor fills the hall to four short of the quorum: the chair and the phones make it.
  const early = required - 4 - present;
  assert.ok(early >= 0, `the quorum (${required}) leaves room for four devices`);
  const floorLinks = Array.from({ length: early + LATE_ARRIVALS }, (_, i) => hall.delegateLink(FLOOR_FROM + i));
  for (const link of floorLinks.slice(0, early)) await floor.checkIn(link);
  await quorumShows(projector, { met: false, present: required - 4, required });

  await checkIn(chair);
  await checkIn(phones[0]);
  await checkIn(phones[1]);
  for (const device of [chair, projector]) await quorumShows(device, { met: false, present: required - 1, required });
  await checkIn(phones[2]);
  for (const device of [chair, projector, ...phones]) await quorumShows(device, { met: true, present: required, required });
  for (const link of floorLinks.slice(early)) await floor.checkIn(link);
  await quorumShows(projector, { met: true, present: required + LATE_ARRIVALS, required });

  // The chair opens the poll; every screen shows it open.
  await chair.press(chair.button('Mở biểu quyết', pollCard(chair, pollTitle)));
  for (const device of [chair, projector, ...phones]) await pollStatusShows(device, pollTitle, 'Đang biểu quyết');
  const entitled = (await floor.poll(secretary, POLL)).progress.entitled;
  await progressShows(projector, pollTitle, 0, entitled);
  await pollCard(phones[0], pollTitle).scrollIntoViewIfNeeded();
  await phones[0].screenshot('delegate-ballot.png');

  // Two phones vote, each with a receipt; the floor votes.
  await chooseAndConfirm(phones[0], pollTitle, 'Tán thành');
  await receiptShows(phones[0], pollTitle);
  await pollCard(phones[0], pollTitle).getByText('Mã biên nhận').scrollIntoViewIfNeeded();
  await phones[0].screenshot('delegate-receipt.png');
  await chooseAndConfirm(phones[1], pollTitle, 'Tán thành');
  await receiptShows(phones[1], pollTitle);
  const answers = floorLinks.map((_, i) => (i === 0 ? [[1]] : i === 1 ? [[2]] : [[0]]));
  for (const [i, link] of floorLinks.entries()) await floor.vote(link, POLL, answers[i]);
  const voted = 2 + floorLinks.length;
  await progressShows(projector, pollTitle, voted, entitled);

  // The third phone's ballot reaches the hub, and the network dies before the answer.
  const cut = phones[2];
  cut.network.loseAnswers();
  await chooseAndConfirm(cut, pollTitle, 'Tán thành');
  await progressShows(projector, pollTitle, voted + 1, entitled);
  await pollCard(cut, pollTitle).getByText('Đang gửi phiếu…').waitFor();
  await cut.network.cut();
  await cut.offline();
  await cut.sees('Phiếu sẽ được gửi ngay khi có kết nối lại');
  await cut.screenshot('delegate-offline.png');
  await cut.network.restore();
  await cut.online();
  const receipt = await receiptShows(cut, pollTitle);
  assert.match(receipt, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
  // Counted once: the resend after the reconnect was answered with the same ballot.
  const counted = await floor.poll(secretary, POLL);
  assert.equal(counted.progress.voted, voted + 1, 'the resent ballot was counted once');
  await progressShows(projector, pollTitle, voted + 1, entitled);
  await progressShows(chair, pollTitle, voted + 1, entitled);
  await pollCard(chair, pollTitle).evaluate((card) => card.scrollIntoView({ block: 'start' }));
  await chair.screenshot('chair.png');
  await projector.screenshot('projector.png');

  // The chair closes the poll (after confirming); the verdict is on every screen.
  await chair.press(chair.button('Kết thúc biểu quyết', pollCard(chair, pollTitle)));
  await chair.press(chair.button('Kết thúc và kiểm phiếu', pollCard(chair, pollTitle)));
  const yes = voted + 1 - 2;
  for (const device of [chair, projector, ...phones]) {
    await pollStatusShows(device, pollTitle, 'Đã kết thúc');
    await verdictShows(device, pollTitle, 'THÔNG QUA');
  }
  await tallyShows(projector, pollTitle, 'Tán thành', yes);
  await tallyShows(projector, pollTitle, 'Không tán thành', 1);
  await tallyShows(projector, pollTitle, 'Không biểu quyết', 1);
  await projector.screenshot('projector-verdict.png');
}
