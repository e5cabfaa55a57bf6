// Live updates never reset a choice not sent yet: a delegate answers the first question
// of a two-question poll, and while the hall checks in, votes and the chair publishes the
// last result, the answer stays chosen (and focused); so does the second, through a
// thousand presence changes of other delegates (reliability R5), and so does the
// confirmation step; then the ballot goes out with a receipt.

import assert from 'node:assert/strict';

import { checkIn, pollCard, pollStatusShows, progressShows, receiptShows } from '../lib/screens.mjs';

export const title = 'live updates do not reset a choice the delegate has not sent';

const POLL = 'bq-2';
const PREVIOUS_POLL = 'bq-1';
const TITLE = 'Thông qua Nghị quyết về dự toán ngân sách năm 2027';
const QUESTIONS = ['Đồng ý tổng thu ngân sách năm 2027?', 'Đồng ý tổng chi ngân sách năm 2027?'];
/** The floor delegates who vote while the phone is choosing. */
const FLOOR_FROM = 20;
const FLOOR_COUNT = 10;
/** The delegates who check out and in again while the phone is choosing (R5). */
const CHURN_FROM = 10;
const CHURN_COUNT = 10;
/** Presence changes, all told: each one an update on every screen. */
const CHURN_UPDATES = 1_000;
/** Between two commands of one churning delegate: under the hub's 20 messages a second. */
const CHURN_PACE_MS = 60;

export async function run(hall) {
  const [chair, projector, phone] = await Promise.all([hall.chair(), hall.projector(), hall.delegate(3)]);
  const floor = await hall.floor();
  const secretary = hall.demo.secretary;
  if (!floor.joined.has(secretary.name)) await floor.join(secretary);

  // The secretary prepares a two-question motion (rules as the demo's first poll); the
  // chair opens it.
  const view = await floor.snapshot(secretary);
  const previous = view.polls.find((poll) => poll.id === PREVIOUS_POLL);
  assert.ok(previous, `the demo has poll ${PREVIOUS_POLL}`);
  const spec = {
    ...previous.spec,
    title: TITLE,
    item: 'nd-2',
    questions: QUESTIONS.map((text) => ({ text, kind: { kind: 'yes_no_abstain' } })),
  };
  await floor.command(secretary, { type: 'create_poll', poll: POLL, spec });
  await checkIn(phone);
  await chair.press(chair.button('Mở biểu quyết', pollCard(chair, TITLE)));
  await pollStatusShows(phone, TITLE, 'Đang biểu quyết');
  const entitled = (await floor.poll(secretary, POLL)).progress.entitled;

  const card = pollCard(phone, TITLE);
  const question = (index) => card.getByRole('group', { name: QUESTIONS[index], exact: true });
  const option = (index, label) => phone.button(label, question(index));
  const pressed = async (index) => {
    const states = [];
    for (const label of ['Tán thành', 'Không tán thành', 'Không biểu quyết']) {
      if ((await option(index, label).getAttribute('aria-pressed')) === 'true') states.push(label);
    }
    return states;
  };
  const focused = (locator) => locator.evaluate((element) => element === document.activeElement);

  // The first answer, then the hall moves: check-ins, ballots, the chair publishing.
  await phone.press(option(0, 'Tán thành'));
  assert.deepEqual(await pressed(0), ['Tán thành']);
  const links = Array.from({ length: FLOOR_COUNT }, (_, i) => hall.delegateLink(FLOOR_FROM + i));
  let voted = 0;
  const floorVotes = async (count) => {
    for (const link of links.slice(voted, voted + count)) {
      await floor.checkIn(link);
      await floor.vote(link, POLL, [[0], [0]]);
    }
    voted += count;
    await progressShows(phone, TITLE, voted, entitled);
  };
  await floorVotes(4);
  const previousCard = pollCard(chair, previous.spec.title);
  await chair.press(chair.button('Công bố kết quả', previousCard));
  await pollStatusShows(phone, previous.spec.title, 'Đã công bố');
  assert.deepEqual(await pressed(0), ['Tán thành'], 'the first answer is still chosen');
  assert.deepEqual(await pressed(1), [], 'the second question is still unanswered');
  assert.ok(await focused(option(0, 'Tán thành')), 'the chosen answer keeps the focus');
  assert.ok(await phone.button('Tiếp tục', card).isDisabled(), 'no confirmation before both answers');

  // The second answer; more ballots arrive, then a thousand presence changes.
  await phone.press(option(1, 'Không tán thành'));
  await floorVotes(3);
  await churn(floor, Array.from({ length: CHURN_COUNT }, (_, i) => hall.delegateLink(CHURN_FROM + i)));
  await progressShows(phone, TITLE, voted, entitled);
  assert.deepEqual(await pressed(0), ['Tán thành']);
  assert.deepEqual(await pressed(1), ['Không tán thành']);
  assert.ok(await focused(option(1, 'Không tán thành')), 'the second answer keeps the focus');
  await phone.press(phone.button('Tiếp tục', card));

  // The confirmation step, while the last of the floor votes.
  await card.getByText('Bạn chọn:').waitFor();
  await floorVotes(FLOOR_COUNT - voted);
  await card.getByText(`${QUESTIONS[0]}: Tán thành`).waitFor();
  await card.getByText(`${QUESTIONS[1]}: Không tán thành`).waitFor();
  await phone.screenshot('delegate-choice-kept.png');
  await phone.press(phone.button('Xác nhận gửi phiếu', card));
  await receiptShows(phone, TITLE);
  await progressShows(chair, TITLE, voted + 1, entitled);
  await progressShows(projector, TITLE, voted + 1, entitled);
}

/** Each delegate checks in, then out and in again, until CHURN_UPDATES changes are made,
 * the delegates side by side, each paced under the hub's rate limit. */
async function churn(floor, links) {
  const rounds = CHURN_UPDATES / links.length / 2;
  const pause = () => new Promise((resolve) => setTimeout(resolve, CHURN_PACE_MS));
  await Promise.all(
    links.map(async (link) => {
      await floor.checkIn(link);
      for (let round = 0; round < rounds; round += 1) {
        await pause();
        await floor.command(link, { type: 'check_out', member: null });
        await pause();
        await floor.command(link, { type: 'check_in', member: null, mode: 'in_room' });
      }
    }),
  );
}
