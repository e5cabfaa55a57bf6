// The speakers' list and an urgent meeting. Two delegates ask to speak — one for a point
// of order, which goes ahead of the queue — and each phone shows its place; the chair
// gives the floor, the projector shows the speaker with a running timer (ticking without
// rebuilding the screen), the chair ends the turn. Then the chair of the demo's urgent
// meeting (demo.json `urgent`) convenes it: a member's phone is taken over by the alert,
// answers "joining remotely", and the chair sees the answer with the member's name.
//
// Uses from the hall: the chair, the projector, delegates 0 and 1's phones, and the
// urgent meeting's chair and first member (demo.json `urgent.chair`, `urgent.members[0]`).

import assert from 'node:assert/strict';

export const title = 'the speakers’ list with a point of order first, the timer, and an urgent meeting convened';

/** The words on screen (crates/quorum-web/assets/floor*.js, alert*.js). */
const FLOOR_CARD = 'Đăng ký phát biểu';
const CHAIR_CARD = 'Danh sách phát biểu';
const PROJECTOR_CARD = 'Đang phát biểu';
const SPEECH = 'Phát biểu';
const POINT_OF_ORDER = 'Kiến nghị về thủ tục (ưu tiên)';
const SEND = 'Gửi đăng ký';
const NEXT = /Bạn là người tiếp theo$/;
const SECOND = /Bạn đứng thứ 2$/;
const TOPIC = 'Ý kiến về kinh phí di dời dân vùng sạt lở';

export async function run(hall) {
  const [chair, projector, first, second] = await Promise.all([
    hall.chair(),
    hall.projector(),
    hall.delegate(0),
    hall.delegate(1),
  ]);
  const firstName = hall.delegateLink(0).name;
  const secondName = hall.delegateLink(1).name;

  // The first delegate asks to speak, with a topic; the phone shows its place.
  const firstCard = floorCard(first);
  await first.press(first.button(SPEECH, firstCard));
  await firstCard.getByLabel('Nội dung (không bắt buộc)').fill(TOPIC);
  await first.press(first.button(SEND, firstCard));
  await firstCard.getByText(NEXT).waitFor();

  // The second asks for a point of order: it goes ahead, and the first is now second.
  const secondCard = floorCard(second);
  await second.press(second.button(POINT_OF_ORDER, secondCard));
  await second.press(second.button(SEND, secondCard));
  await secondCard.getByText(NEXT).waitFor();
  await firstCard.getByText(SECOND).waitFor();

  // The chair's list has the point of order first, each with its kind in words.
  const list = chairCard(chair).getByRole('list', { name: CHAIR_CARD });
  const rows = list.getByRole('listitem');
  await rows.filter({ hasText: firstName }).waitFor();
  assert.equal(await rows.count(), 2, 'two requests are waiting');
  await rows.nth(0).getByText(secondName).waitFor();
  await rows.nth(0).getByText('Kiến nghị về thủ tục (ưu tiên)').waitFor();
  await rows.nth(1).getByText(firstName).waitFor();
  await rows.nth(1).getByText(TOPIC).waitFor();

  // The chair puts the speaker on the hall's screen and gives the floor to the point of order.
  const screen = chair.page.getByRole('region', { name: 'Màn hình hội trường', exact: true });
  await chair.press(chair.button('Người phát biểu', screen));
  await chair.press(chair.button(`Mời ${secondName} phát biểu`));
  await secondCard.getByText('Bạn đang phát biểu').waitFor();
  await firstCard.getByText(NEXT).waitFor();

  // The projector shows the speaker and a timer that runs, in the same element.
  const hallCard = projectorCard(projector);
  await hallCard.getByText(secondName, { exact: true }).waitFor();
  await hallCard.getByText('Kiến nghị về thủ tục (ưu tiên)').waitFor();
  const timer = hallCard.getByRole('timer');
  await timer.getByText(/^\d+:\d\d$/).waitFor();
  const shown = await timer.getByText(/^\d+:\d\d$/).textContent();
  await timer.evaluate((element) => {
    element.dataset.probe = 'kept';
  });
  await projector.page.waitForFunction(
    (before) => document.querySelector('[data-probe="kept"] .floor-timer-time')?.textContent !== before,
    shown,
  );
  const [minutes, seconds] = (await timer.getByText(/^\d+:\d\d$/).textContent()).split(':').map(Number);
  assert.ok(minutes * 60 + seconds < 60, `a point of order has a minute: the timer shows ${minutes}:${seconds}`);
  await hallCard.getByText(firstName).waitFor();
  await projector.screenshot('projector-speaker.png');

  // A minute more: every screen counts on from the new end.
  await chair.press(chair.button('Thêm 1 phút cho người đang phát biểu'));
  await timer.getByText(/^1:\d\d$/).waitFor();

  // The chair's console: the speaker, the timer, the list; then the chair ends the turn.
  await chairCard(chair).scrollIntoViewIfNeeded();
  await chairCard(chair).getByRole('timer').waitFor();
  await chair.screenshot('chair-floor.png');
  await chair.press(chair.button('Kết thúc lượt phát biểu'));
  await chairCard(chair).getByText('Chưa có ai phát biểu.').waitFor();
  await hallCard.getByText('Chưa có người phát biểu.').waitFor();
  await secondCard.getByText('Bạn đang phát biểu').waitFor({ state: 'detached' });
  await second.button(POINT_OF_ORDER, secondCard).waitFor();

  // The first delegate withdraws; the list is empty again for the scenarios after this one.
  await first.press(first.button('Rút đăng ký', firstCard));
  await first.button(SPEECH, firstCard).waitFor();
  await chairCard(chair).getByText('Chưa có đại biểu đăng ký phát biểu.').waitFor();
  await projectorCard(projector).waitFor({ state: 'detached' });
  await chair.press(chair.button('Tự động', screen));
  await screen.getByRole('button', { name: 'Tự động', pressed: true }).waitFor();

  await urgentMeeting(hall);
}

/** The urgent meeting: convened by its chair, answered on a member's phone. */
async function urgentMeeting(hall) {
  const urgent = hall.demo.urgent;
  assert.ok(urgent, 'demo.json has the urgent meeting');
  const member = urgent.members[0];
  const [chair, phone] = await Promise.all([
    hall.device('urgent chair', urgent.chair, 'chair'),
    hall.device(`urgent ${member.member}`, member, 'phone'),
  ]);

  // The chair writes nothing new (the message is prefilled), confirms, and sends.
  const card = chair.page.getByRole('region', { name: 'Họp khẩn' });
  await chair.press(chair.button('Triệu tập họp khẩn', card));
  await card.getByText(/^\P{L}*Gửi thông báo khẩn tới 4 thành viên\?$/u).waitFor();
  await chair.press(chair.button('Gửi thông báo ngay', card));

  // The phone is taken over: a modal alert with the focus inside it.
  const alert = phone.page.getByRole('alertdialog', { name: 'Triệu tập họp khẩn' });
  await alert.waitFor();
  await alert.getByText(/Họp khẩn ứng phó bão số 3/).first().waitFor();
  const focusInside = await alert.evaluate((element) => element.contains(document.activeElement));
  assert.ok(focusInside, 'the focus moves into the alert');
  await phone.screenshot('delegate-alert.png');

  // The chair sees the alert seen on the phone before it is answered.
  await card.locator('details', { hasText: 'Đã xem, chưa trả lời' }).getByText(member.name).waitFor();

  // The member joins remotely: the alert collapses to a banner with the answer.
  await phone.press(phone.button('Tham gia trực tuyến', alert));
  await alert.waitFor({ state: 'detached' });
  const banner = phone.page.getByRole('region', { name: /^Họp khẩn:/ });
  await banner.getByText('Đồng chí đã trả lời: Tham gia trực tuyến').waitFor();
  // The banner offers the remote check-in that makes the answer count towards the quorum.
  await phone.press(phone.button('Tôi họp trực tuyến', banner));
  await phone.sees('Đã điểm danh trực tuyến');
  await banner.getByRole('button', { name: 'Tôi họp trực tuyến' }).waitFor({ state: 'detached' });

  // The chair's tally: one joining remotely, by name.
  const remote = card.locator('details', { hasText: 'Tham gia trực tuyến' });
  await remote.getByText(member.name).waitFor();
  await card.getByText('Trả lời: 1/4').waitFor();
  await card.scrollIntoViewIfNeeded();
  await chair.screenshot('chair-alert.png');
}

function floorCard(device) {
  return device.page.getByRole('region', { name: FLOOR_CARD, exact: true });
}

function chairCard(device) {
  return device.page.getByRole('region', { name: CHAIR_CARD, exact: true });
}

function projectorCard(device) {
  return device.page.getByRole('region', { name: PROJECTOR_CARD, exact: true });
}
