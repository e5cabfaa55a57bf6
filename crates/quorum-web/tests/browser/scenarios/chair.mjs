// The chair's console on a laptop, the hall projector and a delegate's phone: the chair
// creates an ad-hoc vote with a one-minute timer and opens it (overriding the quorum if the
// hall lacks one), pauses and resumes it, watches "N of M have voted" and the list of who
// has not voted change as delegates vote, puts it on the projector, closes it; moves to
// the next agenda item, records a conclusion and a directive that the phone then shows;
// chooses what the projector shows, screen by screen, while the projector follows; and
// takes the roll call for a delegate who leaves and comes back.
//
// It continues the meeting the earlier scenarios left (the demo meeting), and works as
// well on a fresh one.

import assert from 'node:assert/strict';

import { chooseAndConfirm, pollCard, progressShows, quorumShows, receiptShows, verdictShows } from '../lib/screens.mjs';

export const title = 'the chair console: a timed vote paused and resumed, the agenda, conclusions, the projector';

const VOTE = 'Đồng ý kéo dài phiên thảo luận thêm 15 phút';
const CONCLUSION = 'Giao UBND tỉnh hoàn thiện dự toán, trình kỳ họp chuyên đề.';
const UNIT = 'Sở Tài chính';
const TASK = 'Rà soát dự toán chi thường xuyên, báo cáo UBND tỉnh.';
/** Delegates who vote through the protocol; the earlier scenarios leave them unused. */
const FLOOR_VOTERS = [20, 21];

export async function run(hall) {
  const [chair, projector, phone] = await Promise.all([hall.chair(), hall.projector(), hall.delegate(0)]);
  const floor = await hall.floor();
  const secretary = hall.demo.secretary;
  if (!floor.joined.has(secretary.name)) await floor.join(secretary);
  const page = chair.page;

  // A quick vote in a few taps: the title, a one-minute timer, create and open.
  const form = page.getByRole('region', { name: 'Biểu quyết nhanh', exact: true });
  // Folded away while another vote runs (an earlier scenario may leave one open).
  const unfold = chair.button('Tạo biểu quyết nhanh', form);
  if (await unfold.isVisible()) await chair.press(unfold);
  await form.getByLabel('Nội dung biểu quyết').fill(VOTE);
  await form.getByLabel('Thời gian biểu quyết (phút)').fill('1');
  await chair.press(chair.button('Tạo và mở biểu quyết', form));
  const card = pollCard(chair, VOTE);
  await card.waitFor();
  const before = await floor.snapshot(secretary);
  if (!before.quorum.met) {
    // Without a quorum the chair confirms the override, which the minutes record.
    await card.getByText('Chưa đủ túc số').waitFor();
    await chair.press(chair.button('Vẫn mở biểu quyết', card));
  }
  await card.locator('.badge--poll-open').waitFor();
  await card.getByRole('timer').getByText(/^Còn (1:00|0:[0-5]\d)$/).waitFor();
  const opened = (await floor.snapshot(secretary)).polls.find((poll) => poll.spec.title === VOTE);
  assert.ok(opened, 'the hub holds the new poll');
  assert.equal(opened.status, 'open');
  assert.ok(opened.deadline, 'the poll has a deadline');
  const { entitled } = opened.progress;
  await progressShows(chair, VOTE, 0, entitled);
  await card.getByText(`Chưa biểu quyết: ${entitled}`).waitFor();

  // Paused: nobody may vote; resumed with the time that was left.
  await chair.press(chair.button('Tạm dừng', card));
  await card.locator('.badge--poll-paused').waitFor();
  await phone.sees('Biểu quyết đang tạm dừng.', pollCard(phone, VOTE));
  await chair.press(chair.button('Tiếp tục biểu quyết', card));
  await card.locator('.badge--poll-open').waitFor();
  const resumed = (await floor.poll(secretary, opened.id)).deadline;
  assert.ok(resumed - Date.now() > 30_000, 'the resumed vote keeps most of its minute');
  await card.getByRole('timer').waitFor();

  // Delegates vote: the chair sees "N of M" and the list of who has not voted change.
  await chooseAndConfirm(phone, VOTE, 'Tán thành');
  await receiptShows(phone, VOTE);
  await progressShows(chair, VOTE, 1, entitled);
  await card.getByText(`Chưa biểu quyết: ${entitled - 1}`).waitFor();
  const notVoted = card.locator('.not-voted');
  assert.equal(await notVoted.getByText(hall.demo.delegates[0].name, { exact: true }).count(), 0, 'a voter is no longer listed');
  await notVoted.getByText(hall.demo.delegates[FLOOR_VOTERS[0]].name, { exact: true }).waitFor();
  await floor.vote(hall.delegateLink(FLOOR_VOTERS[0]), opened.id, [[0]]);
  await progressShows(chair, VOTE, 2, entitled);
  await floor.vote(hall.delegateLink(FLOOR_VOTERS[1]), opened.id, [[1]]);
  await progressShows(chair, VOTE, 3, entitled);
  await card.getByText(`Chưa biểu quyết: ${entitled - 3}`).waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await chair.screenshot('chair-console.png');

  // The chair keeps it on the projector (where it may already be by itself, as the latest
  // vote), live, with its countdown.
  await chair.press(card.getByRole('button', { name: /^(Chiếu lên|Giữ trên) màn hình hội trường$/ }));
  await card.getByText(/^\P{L}*Đang chiếu trên màn hình hội trường$/u).waitFor();
  await progressShows(projector, VOTE, 3, entitled);
  await pollCard(projector, VOTE).getByRole('timer').waitFor();
  await projector.screenshot('projector-vote.png');

  // The chair closes the vote; three yes of all members do not pass it.
  await chair.press(chair.button('Kết thúc biểu quyết', card));
  await chair.press(chair.button('Kết thúc và kiểm phiếu', card));
  for (const device of [chair, projector, phone]) await verdictShows(device, VOTE, 'KHÔNG THÔNG QUA');
  await projector.screenshot('projector-verdict-quick.png');

  // The next agenda item, for the chair and on the phone.
  const agenda = page.getByRole('region', { name: 'Chương trình họp', exact: true });
  const current = async () => (await agenda.locator('li[aria-current="step"] .agenda-title').textContent()).trim();
  const items = (await floor.snapshot(secretary)).agenda.items;
  const now = await current();
  const from = items.findIndex((item) => item.title === now);
  assert.ok(from >= 0 && from + 1 < items.length, 'there is a next item');
  const next = items[from + 1].title;
  await chair.press(chair.button('Nội dung tiếp theo', agenda));
  await agenda.locator('li[aria-current="step"]').getByText(next, { exact: true }).waitFor();
  const phoneItem = phone.page.getByRole('region', { name: 'Nội dung đang thảo luận', exact: true });
  await phoneItem.locator('.item-title').getByText(next, { exact: true }).waitFor();

  // A conclusion and a directive on that item; the phone shows both.
  const outcomes = page.getByRole('region', { name: 'Kết luận và chỉ đạo', exact: true });
  await outcomes.getByLabel('Kết luận của chủ tọa').fill(CONCLUSION);
  await chair.press(chair.button('Ghi kết luận', outcomes));
  await outcomes.getByText(CONCLUSION, { exact: true }).waitFor();
  await outcomes.getByLabel('Đơn vị thực hiện').fill(UNIT);
  await outcomes.getByLabel('Nội dung chỉ đạo').fill(TASK);
  await outcomes.getByLabel('Hạn hoàn thành (không bắt buộc)').fill('2026-12-15');
  await chair.press(chair.button('Giao nhiệm vụ', outcomes));
  await outcomes.getByText(TASK, { exact: true }).waitFor();
  const told = phone.page.getByRole('region', { name: 'Kết luận và chỉ đạo', exact: true });
  await told.getByText(CONCLUSION, { exact: true }).waitFor();
  await told.getByText(UNIT, { exact: true }).waitFor();
  await told.getByText(TASK, { exact: true }).waitFor();
  assert.equal(await told.getByRole('button').count(), 0, 'a delegate only reads them');
  await told.scrollIntoViewIfNeeded();
  await phone.screenshot('delegate-outcomes.png');

  // What the projector shows, screen by screen, as the chair chooses.
  const screens = page.getByRole('region', { name: 'Màn hình hội trường', exact: true });
  const show = async (label) => {
    await chair.press(chair.button(label, screens));
    await screens.getByRole('button', { name: label, exact: true, pressed: true }).waitFor();
  };
  await show('Nội dung đang thảo luận');
  await projector.page.locator('.focus-title').getByText(next, { exact: true }).waitFor();
  await projector.sees(CONCLUSION);
  await projector.screenshot('projector-item.png');
  await show('Túc số');
  await projector.page.locator('.projector-quorum-big').getByText('Có mặt', { exact: true }).waitFor();
  await projector.screenshot('projector-quorum.png');
  await show('Chào mừng và mã tham gia');
  await projector.sees('Kính chào quý đại biểu');
  const code = projector.page.getByRole('img', { name: 'Mã QR mở trang tham gia cuộc họp' });
  await code.waitFor();
  await projector.page.waitForFunction(() => document.querySelector('.join-qr')?.naturalWidth > 0);
  await projector.screenshot('projector-welcome.png');
  await show(`Biểu quyết: ${VOTE}`);
  await verdictShows(projector, VOTE, 'KHÔNG THÔNG QUA');
  await show('Tự động');
  await screens.getByText(/^\P{L}*Đang chiếu: Tự động/u).waitFor();

  // The roll call: the chair records that the phone's delegate left, then checks them in
  // again; the quorum follows on the chair's screen and the phone sees its own state.
  const person = hall.demo.delegates[0].name;
  const { present, required } = (await floor.snapshot(secretary)).quorum;
  const attendance = page.getByRole('region', { name: 'Tình hình điểm danh', exact: true });
  const list = attendance.locator('details.attendance-list');
  if (!(await list.evaluate((details) => details.open))) await chair.press(list.locator('summary'));
  await chair.press(chair.button(`Ghi nhận ${person} rời cuộc họp`, attendance));
  await quorumShows(chair, { met: present - 1 >= required, present: present - 1, required });
  await phone.page.getByRole('button', { name: 'Điểm danh', exact: true }).waitFor();
  await attendance.scrollIntoViewIfNeeded();
  await chair.screenshot('chair-roll-call.png');
  await chair.press(chair.button(`Điểm danh ${person} có mặt tại hội trường`, attendance));
  await quorumShows(chair, { met: present >= required, present, required });
  await phone.sees('Đã điểm danh tại hội trường');
  assert.equal((await floor.snapshot(secretary)).quorum.present, present);
}
