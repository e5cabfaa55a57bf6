// Documents on a delegate's phone: every document of the meeting is saved for offline
// reading in the background, the current item's first; one attached during the meeting
// downloads with visible progress; the PDF opens in the page (a canvas with real pixels,
// its page count); a private note survives a reload; with the network gone, the app
// still opens after a reload and the PDF and the note still read; and the note follows
// the delegate to a second device signed in as them, and an edit there back to the phone,
// as does a passage highlighted there.

import assert from 'node:assert/strict';

import { Device, VIEWPORTS } from '../lib/device.mjs';

export const title = 'documents saved for offline in the background, a PDF read in the page, private notes synced across devices, offline';

/** The phone: a delegate the other scenarios also use (every invitation works once). */
const DELEGATE = 1;
const PDF_NAME = 'Tờ trình kế hoạch phòng, chống thiên tai 2027.pdf';
const ATTACHED_NAME = 'Phụ lục số liệu thiệt hại do thiên tai (bản đầy đủ).txt';
/** Big enough that a throttled phone shows its progress for a few seconds. */
const ATTACHED_BYTES = 1_500_000;
const THROTTLE_BYTES_PER_SECOND = 300 * 1024;
const NOTE = 'Hỏi thêm: nguồn 40% kinh phí còn lại lấy từ đâu?';
const NOTE_EDITED = 'Hỏi thêm: nguồn 40% kinh phí còn lại lấy từ đâu? Và tiến độ giải ngân?';
const NOTE_LABEL = 'Ghi chú riêng — đồng bộ giữa các thiết bị của bạn';
const SAVED = 'Đã lưu để đọc ngoại tuyến';
/** A download may take a while on a throttled link. */
const DOWNLOAD_WAIT_MS = 30_000;

export async function run(hall) {
  const [phone, chair] = await Promise.all([hall.delegate(DELEGATE), hall.chair()]);
  const page = phone.page;
  const card = page.getByRole('region', { name: 'Tài liệu', exact: true });
  const row = (name) => card.getByRole('group', { name, exact: true });

  // Every document the delegate may read is saved in the background.
  await card.getByText(/^\P{L}*Đã lưu cả \d+ tài liệu để đọc ngoại tuyến$/u).waitFor({ timeout: DOWNLOAD_WAIT_MS });
  const floor = await hall.floor();
  const secretary = hall.demo.secretary;
  if (!floor.joined.has(secretary.name)) await floor.join(secretary);
  const view = await floor.snapshot(secretary);
  const current = view.agenda.items.find((item) => item.id === view.agenda.current);
  assert.ok(current && current.documents.length > 0, 'the current item has documents');

  // The current item's documents come first, under their heading.
  const headings = await card.getByRole('heading', { level: 3 }).allTextContents();
  assert.equal(headings[0], 'Của nội dung đang thảo luận');
  const names = await card
    .getByRole('group')
    .evaluateAll((groups) => groups.map((group) => document.getElementById(group.getAttribute('aria-labelledby'))?.textContent));
  assert.deepEqual(names.slice(0, current.documents.length), current.documents.map((doc) => doc.name));
  for (const doc of current.documents) await row(doc.name).getByText(SAVED).waitFor();

  // The chair attaches a large annex to the current item; on a slow link, the phone
  // shows it downloading with a progress bar, then saved.
  const network = await phone.context.newCDPSession(page);
  await network.send('Network.enable');
  await network.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: THROTTLE_BYTES_PER_SECOND,
    uploadThroughput: -1,
  });
  try {
    await attach(chair, hall.demo.meeting, current.id, ATTACHED_NAME, ATTACHED_BYTES);
    const progress = row(ATTACHED_NAME).getByRole('progressbar', { name: `Tiến độ tải ${ATTACHED_NAME}` });
    await progress.waitFor();
    await page.waitForFunction(
      (name) => {
        const bar = [...document.querySelectorAll('progress')].find((p) => p.getAttribute('aria-label')?.endsWith(name));
        return bar && bar.value > 0 && bar.value < bar.max;
      },
      ATTACHED_NAME,
    );
    await row(ATTACHED_NAME).getByText(/^\P{L}*Đang tải \d+%/u).waitFor();
    await card.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await phone.screenshot('delegate-documents.png');
    await row(ATTACHED_NAME).getByText(SAVED).waitFor({ timeout: DOWNLOAD_WAIT_MS });
  } finally {
    await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await network.detach();
  }

  // The PDF opens in the page, drawn page by page.
  await openPdf(phone, card);
  await phone.screenshot('delegate-pdf.png');

  // A private note, saved as the delegate types; Back closes the reader.
  const reader = page.getByRole('dialog', { name: PDF_NAME });
  await phone.press(reader.getByRole('button', { name: /^\P{L}*Ghi chú riêng/u }));
  await reader.getByLabel(NOTE_LABEL).fill(NOTE);
  await reader.getByText(/^\P{L}*Đã lưu trên thiết bị lúc/u).waitFor();
  await page.goBack();
  await reader.waitFor({ state: 'detached' });
  await row(PDF_NAME).getByText('Có ghi chú').waitFor();

  // The note survives a reload.
  await page.reload();
  await card.getByText(/^\P{L}*Đã lưu cả \d+ tài liệu/u).waitFor();
  await openPdf(phone, card);
  await noteReads(phone, reader);
  await closeReader(phone, reader);

  // No network: the app still opens after a reload, and the PDF and the note still read.
  await phone.network.cut();
  try {
    await page.reload();
    await page.getByText('Chưa kết nối được với máy chủ').waitFor();
    await phone.screenshot('delegate-documents-offline.png');
    assert.equal(await page.evaluate(() => navigator.onLine), false, 'the phone is offline');
    await openPdf(phone, card);
    await noteReads(phone, reader);
    await closeReader(phone, reader);
  } finally {
    await phone.network.restore();
  }
  await page.getByRole('heading', { name: 'Túc số' }).waitFor();
  await row(PDF_NAME).getByText(SAVED).waitFor();

  // A second device of the same delegate reads the note, and its edit reaches the phone.
  const tablet = await secondDevice(hall, phone);
  const tabletCard = tablet.page.getByRole('region', { name: 'Tài liệu', exact: true });
  await openPdf(tablet, tabletCard);
  const tabletReader = tablet.page.getByRole('dialog', { name: PDF_NAME });
  await noteReads(tablet, tabletReader);
  await tabletReader.getByLabel(NOTE_LABEL).fill(NOTE_EDITED);
  await tabletReader.getByText(/^\P{L}*Đã lưu trên thiết bị lúc .* và đã đồng bộ$/u).waitFor();
  await tablet.screenshot('delegate-note-second-device.png');

  // A passage selected on the tablet becomes a highlight, tinted on the page and listed
  // with the note; the phone gets it too.
  const passage = await tabletReader.locator('.pdf-page[data-page="1"] .textLayer span', { hasText: /TO TRINH/ }).first().evaluate((span) => {
    const range = document.createRange();
    range.selectNodeContents(span);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return span.textContent.trim();
  });
  await tablet.press(tabletReader.getByRole('button', { name: /Đánh dấu$/ }));
  await tabletReader.getByRole('button', { name: new RegExp(`^Trang 1 “${escape(passage)}”$`) }).waitFor();
  await tabletReader.locator('.pdf-page[data-page="1"] .textLayer .is-highlighted').first().waitFor();
  await tabletReader.getByText(/^\P{L}*Đã lưu trên thiết bị lúc .* và đã đồng bộ$/u).waitFor();
  await tablet.screenshot('delegate-highlight.png');

  await openPdf(phone, card);
  await page.waitForFunction((text) => document.getElementById('reader-note')?.value === text, NOTE_EDITED);
  // (In the folded notes panel: there, but not shown.)
  await reader.locator('.reader-highlight-text', { hasText: passage }).waitFor({ state: 'attached' });
  await reader.locator('.pdf-page[data-page="1"] .textLayer .is-highlighted').first().waitFor();
  await closeReader(phone, reader);
}

/** A second phone signed in with the same session as `phone` (the same delegate). */
async function secondDevice(hall, phone) {
  const session = await phone.page.evaluate(() => localStorage.getItem('quorum.session'));
  const context = await hall.browser.newContext({ ...VIEWPORTS.phone, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  context.setDefaultTimeout(10_000);
  await context.addInitScript((saved) => {
    if (!localStorage.getItem('quorum.session')) localStorage.setItem('quorum.session', saved);
  }, session);
  const tablet = new Device(`${phone.name} second device`, 'phone', context, hall.results);
  hall.devices.set(tablet.name, Promise.resolve(tablet));
  tablet.page = await context.newPage();
  tablet.watch(tablet.page);
  await tablet.page.goto(phone.page.url());
  await tablet.connected();
  return tablet;
}

/** Taps the PDF and waits for its first page drawn, with real pixels, and its page count. */
async function openPdf(phone, card) {
  const page = phone.page;
  const open = card.getByRole('button', { name: new RegExp(escape(PDF_NAME)) });
  if (!(await open.isVisible())) await phone.press(card.getByText(/^Tài liệu các nội dung khác/));
  await phone.press(open);
  const reader = page.getByRole('dialog', { name: PDF_NAME });
  await reader.getByText(/· 3 trang$/).waitFor();
  assert.equal(await reader.getByRole('group', { name: /^Trang \d+\/3$/ }).count(), 3, 'three pages');
  const firstPage = reader.getByRole('group', { name: 'Trang 1/3', exact: true });
  await firstPage.locator('canvas').waitFor();
  const inked = await firstPage.locator('canvas').evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 128 && data[i + 1] < 128 && data[i + 2] < 128) dark += 1;
    return { dark, width: canvas.width, cssWidth: canvas.getBoundingClientRect().width };
  });
  assert.ok(inked.dark > 1000, `the first page shows text (${inked.dark} dark pixels)`);
  assert.ok(inked.cssWidth > 300 && inked.cssWidth <= 390, `the page fits the phone's width (${inked.cssWidth} px)`);
  // The text of the page is there too, for screen readers, and laid over it to select.
  await firstPage.locator('.visually-hidden', { hasText: /TO TRINH/ }).waitFor({ state: 'attached' });
  await firstPage.locator('.textLayer span', { hasText: /TO TRINH/ }).first().waitFor();
}

async function noteReads(phone, reader) {
  const toggle = reader.getByRole('button', { name: /^\P{L}*Ghi chú riêng \(đã có\)/u });
  await phone.press(toggle);
  assert.equal(await reader.getByLabel(NOTE_LABEL).inputValue(), NOTE);
}

async function closeReader(phone, reader) {
  await phone.press(reader.getByRole('button', { name: 'Đóng tài liệu' }));
  await reader.waitFor({ state: 'detached' });
}

/** The chair's laptop uploads a document to `item` and approves it, as the desk would. */
async function attach(chair, meeting, item, name, bytes) {
  await chair.page.evaluate(
    async ({ meeting, item, name, bytes }) => {
      const { token } = JSON.parse(localStorage.getItem('quorum.session'));
      const line = 'Huyen; xa; so ho bi anh huong; thiet hai uoc tinh (trieu dong)\n';
      const form = new FormData();
      form.append('name', name);
      form.append('file', new Blob([line.repeat(Math.ceil(bytes / line.length))], { type: 'text/plain' }), 'phu-luc.txt');
      const response = await fetch(`/api/meetings/${meeting}/items/${item}/documents`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      });
      if (!response.ok) throw new Error(`attaching a document: HTTP ${response.status} ${await response.text()}`);
      const { id } = await response.json();
      const approved = await fetch(`/api/meetings/${meeting}/commands`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: { type: 'approve_document', document: id } }),
      });
      if (!approved.ok) throw new Error(`approving a document: HTTP ${approved.status} ${await approved.text()}`);
    },
    { meeting, item, name, bytes },
  );
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
