// What the scenarios look for on a screen, by role and visible text (the Vietnamese
// words of crates/quorum-web/assets/i18n.js), in one place: when a label changes, this
// is the file to change.

/** The connection banner's words while the link is down; it hides once online. */
export const RETRYING = 'Mất kết nối, đang thử lại…';

/** A poll's card, named by its title. */
export function pollCard(device, title) {
  return device.page.getByRole('region', { name: title, exact: true });
}

/** The quorum card. */
export function quorumCard(device) {
  return device.page.getByRole('region', { name: 'Túc số', exact: true });
}

/** Waits until the quorum card says met or not, with `present/required`. */
export async function quorumShows(device, { met, present, required }) {
  const card = quorumCard(device);
  await card.getByText(met ? /^\P{L}*Đủ túc số/u : /^\P{L}*Chưa đủ túc số/u).waitFor();
  await card.getByText(`${present}/${required}`, { exact: true }).waitFor();
}

/** Waits until a poll's card shows `voted` of `entitled`. */
export async function progressShows(device, title, voted, entitled) {
  await pollCard(device, title).getByText(`${voted}/${entitled} đại biểu đã biểu quyết`).waitFor();
}

/** Waits until a poll's card shows its status badge (`Đang biểu quyết`, `Đã kết thúc`…). */
export async function pollStatusShows(device, title, status) {
  await pollCard(device, title).getByText(afterGlyph(status)).waitFor();
}

/** Waits until a poll's card shows the verdict, such as `THÔNG QUA`. */
export async function verdictShows(device, title, verdict) {
  await pollCard(device, title).getByText(afterGlyph(verdict)).waitFor();
}

/** Exactly `words`, after a glyph such as ● or ✓ if any (so `THÔNG QUA` is not `KHÔNG THÔNG QUA`). */
function afterGlyph(words) {
  return new RegExp(`^\\P{L}*${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'u');
}

/** Waits until an option's row in a poll's results shows `count` votes. */
export async function tallyShows(device, title, option, count) {
  const row = pollCard(device, title)
    .getByRole('listitem')
    .filter({ has: device.page.getByText(option, { exact: true }) });
  await row.getByText(new RegExp(`^${count} phiếu`)).waitFor();
}

/** Checks in on the device's own screen, and waits for the hub's answer. */
export async function checkIn(device) {
  await device.press(device.button('Điểm danh'));
  await device.sees('Đã điểm danh tại hội trường');
}

/**
 * Votes `choice` (`Tán thành`, `Không tán thành`, `Không biểu quyết`) on a one-question
 * poll: the tap leads to the confirmation, which sends the ballot.
 */
export async function chooseAndConfirm(device, title, choice) {
  const card = pollCard(device, title);
  await device.press(device.button(choice, card));
  await card.getByText('Bạn chọn:').waitFor();
  await device.press(device.button('Xác nhận gửi phiếu', card));
}

/** Waits for the ballot's receipt on screen and returns the code shown. */
export async function receiptShows(device, title) {
  const card = pollCard(device, title);
  await card.getByText('Phiếu của bạn đã được ghi nhận').waitFor();
  await card.getByText('Mã biên nhận').waitFor();
  const receipt = card.getByText(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
  await receipt.waitFor();
  return receipt.textContent();
}
