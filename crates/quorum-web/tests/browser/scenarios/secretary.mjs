// The secretary's desk, on a desktop (1366×768): the secretary signs in with their
// account, creates a meeting from the People's Council template, imports a roster whose
// first file has a bad row (the preview names the row and the reason, and nothing is
// imported), fixes it and imports it, uploads a document to an agenda item and sees the
// upload reach done, opens the invitation sheet (one QR code per participant chosen), and
// downloads the meeting's record.
//
// Uses from the hall: the secretary's account link (demo.json `secretary_account`: an
// account may create meetings, an invitation may not). Leaves the demo meeting as it was.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

export const title = 'the secretary creates a meeting from a template, imports the roster, uploads a document, prints invitations, exports the record';

/** The words on screen (crates/quorum-web/assets/secretary*.js). */
const NEW_MEETING = 'Tạo cuộc họp';
const TEMPLATE = 'Kỳ họp HĐND';
const TITLE = 'Kỳ họp chuyên đề HĐND tỉnh về phòng, chống thiên tai';
const ROSTER = 'Danh sách đại biểu';
const DOCUMENTS = 'Tài liệu';
const INVITATIONS = 'Giấy mời';
const RECORD = 'Hồ sơ cuộc họp';
/** The agenda the template fills in: seven items, the second one for the document. */
const AGENDA_ITEMS = 7;
const SECOND_ITEM = 'Nội dung 2: Báo cáo tình hình kinh tế – xã hội, quốc phòng – an ninh';

const HEADER = 'member,name,position,unit_name,role,voting_right';
const PEOPLE = [
  'ct-01,Đỗ Thị Ngân Hà,Chủ tịch HĐND tỉnh,HĐND tỉnh,chủ tọa,có',
  'db-01,Nguyễn Văn An,Đại biểu HĐND tỉnh,Tổ đại biểu huyện Văn Yên,đại biểu,có',
  'db-02,Trần Thị Bình,Đại biểu HĐND tỉnh,Tổ đại biểu huyện Lục Yên,đại biểu,có',
  'db-03,Lê Văn Cường,Đại biểu HĐND tỉnh,Tổ đại biểu thành phố Yên Bái,đại biểu,có',
  'db-04,Phạm Thu Dung,Đại biểu HĐND tỉnh,Tổ đại biểu huyện Trạm Tấu,đại biểu,có',
  'kh-01,Vũ Minh Giang,Phóng viên,Báo Yên Bái,khách mời,không',
];
/** The first file: line 4 has a role nobody has. */
const BAD_ROSTER = [HEADER, ...PEOPLE.slice(0, 2), 'db-02,Trần Thị Bình,Đại biểu HĐND tỉnh,Tổ đại biểu huyện Lục Yên,trưởng đoàn,có', ...PEOPLE.slice(3)].join('\n');
const GOOD_ROSTER = [HEADER, ...PEOPLE].join('\n');

/** A document large enough for the progress to show: 3 MB. */
const DOCUMENT = { name: 'To-trinh-ke-hoach-PCTT-2027.pdf', mimeType: 'application/pdf', size: 3 * 1024 * 1024 };

export async function run(hall) {
  const link = hall.demo.secretary_account;
  assert.ok(link, 'demo.json has the secretary’s account link (`secretary_account`)');
  const desk = await hall.device('secretary', link, 'chair');
  const page = desk.page;

  // From the demo meeting's desk to the new-meeting form.
  await desk.press(page.getByRole('link', { name: NEW_MEETING }));
  await page.getByRole('heading', { name: NEW_MEETING, level: 1 }).waitFor();

  // The People's Council template fills in the agenda; the title is the secretary's.
  await page.getByRole('radio', { name: new RegExp(`^${TEMPLATE}`) }).check();
  const agenda = page.getByRole('group', { name: 'Chương trình họp' });
  await agenda.getByRole('textbox').nth(AGENDA_ITEMS - 1).waitFor();
  assert.equal(await agenda.getByRole('textbox').count(), AGENDA_ITEMS);
  assert.equal(await agenda.getByRole('textbox').first().inputValue(), 'Khai mạc kỳ họp');
  await page.getByLabel('Tên cuộc họp').fill(TITLE);
  await page.getByLabel('Địa điểm').fill('Hội trường tầng 3, trụ sở HĐND tỉnh');
  assert.equal(await page.getByLabel(/^Điều kiện thông qua/).inputValue(), 'all_members', 'the People’s Council rule by default');
  await page.evaluate(() => window.scrollTo(0, 0));
  await desk.screenshot('secretary-new-meeting.png');
  await desk.press(page.getByRole('button', { name: 'Tạo cuộc họp', exact: true }));

  // The new meeting opens, with its agenda, and the secretary's desk.
  await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
  await desk.connected();
  const roster = await openCard(page, ROSTER);

  // A file with a bad row: the preview shows every row, the bad one with the reason in
  // words, and nothing to import.
  await page.locator('#sec-roster-file').setInputFiles(csv('danh-sach.csv', BAD_ROSTER));
  const preview = roster.getByRole('table');
  await preview.waitFor();
  const badRow = preview.getByRole('row').filter({ hasText: 'db-02' });
  await badRow.getByText(/^\P{L}*Lỗi$/u).waitFor();
  await badRow.getByText('Vai trò: phải là chủ tọa, thư ký, đại biểu hoặc khách mời').waitFor();
  assert.equal(await badRow.getByRole('cell').first().textContent(), '4', 'the row is named by its line');
  await roster.getByText('5 dòng hợp lệ, 1 dòng có lỗi').waitFor();
  await roster.getByText(/^\P{L}*Chưa nhập dòng nào/u).waitFor();
  assert.equal(await roster.getByRole('button', { name: /^Nhập danh sách/ }).count(), 0, 'nothing to import from a bad file');
  await roster.getByRole('heading', { name: 'Xem trước danh-sach.csv' }).evaluate((heading) => heading.scrollIntoView());
  await desk.screenshot('secretary-roster.png');

  // The fixed file: every row valid, then imported.
  await page.locator('#sec-roster-file').setInputFiles(csv('danh-sach-da-sua.csv', GOOD_ROSTER));
  await roster.getByText('6 dòng hợp lệ, 0 dòng có lỗi').waitFor();
  assert.equal(await preview.getByText(/^\P{L}*Hợp lệ$/u).count(), PEOPLE.length);
  await desk.press(roster.getByRole('button', { name: `Nhập danh sách (${PEOPLE.length} người)` }));
  await roster.getByText(`Đã nhập ${PEOPLE.length} người từ danh-sach-da-sua.csv.`).waitFor();
  // The secretary and the six imported.
  await page.locator('summary', { hasText: ROSTER }).getByText(`${PEOPLE.length + 1} người`).waitFor();

  // A document for the second item: its upload reaches done, and the item lists it.
  const documents = await openCard(page, DOCUMENTS);
  const item = documents.getByRole('region', { name: SECOND_ITEM });
  await item.getByRole('radio', { name: 'Chỉ đại biểu, chủ tọa và thư ký' }).check();
  await item.getByLabel('Chọn tệp').setInputFiles({ name: DOCUMENT.name, mimeType: DOCUMENT.mimeType, buffer: pdfBytes(DOCUMENT.size) });
  const progress = item.getByRole('progressbar', { name: `Tiến độ tải lên ${DOCUMENT.name}` });
  await progress.waitFor();
  await item.getByText('Đã tải lên (3 MB)').waitFor();
  assert.equal(await progress.evaluate((bar) => bar.value), 100);
  const listed = item.getByRole('listitem').filter({ hasText: DOCUMENT.name }).filter({ hasText: 'Chỉ đại biểu' });
  await listed.first().waitFor();
  // It is a draft that participants do not see until the secretary approves it.
  await listed.first().getByText('Chờ duyệt', { exact: true }).waitFor();
  await desk.press(listed.first().getByRole('button', { name: `Duyệt tài liệu ${DOCUMENT.name} để người tham dự được đọc` }));
  await listed.first().getByText('Chờ duyệt', { exact: true }).waitFor({ state: 'detached' });

  // Invitations: everyone but the secretary, one QR code each on the sheet.
  const invitations = await openCard(page, INVITATIONS);
  await invitations.getByText(`Người nhận: ${PEOPLE.length}/${PEOPLE.length + 1}`).first().waitFor();
  await invitations.getByText(/^\P{L}*Mỗi lần in, hệ thống cấp/u).waitFor();
  await desk.press(invitations.getByRole('button', { name: `In giấy mời (${PEOPLE.length})` }));
  await page.getByRole('heading', { name: `Giấy mời — ${TITLE}` }).waitFor();
  const codes = page.getByRole('img', { name: /^Mã QR vào cuộc họp của / });
  await codes.nth(PEOPLE.length - 1).waitFor();
  assert.equal(await codes.count(), PEOPLE.length, 'one QR code per participant chosen');
  for (const person of PEOPLE) {
    const name = person.split(',')[1];
    await page.getByRole('img', { name: `Mã QR vào cuộc họp của ${name}` }).waitFor();
  }
  assert.ok(await codes.first().evaluate((image) => image.complete && image.naturalWidth > 0), 'the QR code is drawn');
  await page.evaluate(() => window.scrollTo(0, 0));
  await desk.screenshot('secretary-invitations.png');
  // On paper only the invitations: the buttons and the top bar stay on screen.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByRole('button', { name: 'In', exact: true }).isVisible(), false);
  assert.equal(await codes.first().isVisible(), true);
  await page.emulateMedia({ media: 'screen' });

  // Back at the meeting, the links stay at hand; then the record is downloaded.
  await desk.press(page.getByRole('link', { name: 'Quay lại cuộc họp' }));
  await desk.connected();
  const issued = await openCard(page, INVITATIONS);
  await issued.getByRole('textbox', { name: 'Đường dẫn mời của Nguyễn Văn An' }).waitFor();
  const record = await openCard(page, RECORD);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    desk.press(record.getByRole('button', { name: 'Tải hồ sơ cuộc họp (.json)' })),
  ]);
  assert.match(download.suggestedFilename(), /^quorum-ho-so-.+\.json$/);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(saved.format, 'quorum.record.v1');
  assert.equal(saved.view.meeting.details.title, TITLE);
  assert.equal(saved.view.agenda.items.length, AGENDA_ITEMS);
  assert.ok(saved.events.length > AGENDA_ITEMS, 'the record holds every event');
  await record.getByText(/^\P{L}*Đã tải quorum-ho-so-/u).waitFor();

  // The secretary's way back to the demo meeting is the list of meetings.
  await desk.press(page.getByRole('link', { name: 'Danh sách cuộc họp' }).first());
  await page.getByRole('link', { name: new RegExp(TITLE) }).waitFor();
}

/** Opens one card of the desk (a disclosure named by its title) and returns it. */
async function openCard(page, name) {
  const card = page.locator('details.sec-card').filter({ has: page.locator('summary', { hasText: name }) });
  if (!(await card.evaluate((details) => details.open))) await card.locator('summary').click();
  await card.locator('.sec-card-body').waitFor();
  return card;
}

function csv(name, text) {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(`${text}\n`, 'utf8') };
}

/** A file shaped as a PDF (header and end markers) of `size` bytes: the hub reads what a file is from its bytes. */
function pdfBytes(size) {
  const head = Buffer.from('%PDF-1.4\n', 'latin1');
  const tail = Buffer.from('\nstartxref\n0\n%%EOF\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(size - head.length - tail.length, 0x25), tail]);
}
