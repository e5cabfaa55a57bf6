// The words on screen, Vietnamese first and English second (the glossary in
// shared/design/product.md), the language this device chose, and the hub's own
// bilingual messages ({vi, en}) shown in that language.

const WORDS = {
  vi: {
    page_title: 'Quorum — Phòng họp không giấy',
    other_language: 'English',
    sign_out: 'Đăng xuất',
    sign_out_confirm: 'Đăng xuất khỏi thiết bị này? Bạn sẽ cần một đường dẫn mời mới để vào lại.',
    loading: 'Đang tải…',
    dismiss: 'Đóng',

    connecting: 'Đang kết nối…',
    retrying: 'Mất kết nối, đang thử lại…',
    online: 'Đã kết nối',
    stopped: 'Đã ngắt kết nối',

    join_title: 'Tham gia cuộc họp',
    join_help: 'Mở đường dẫn mời bạn nhận được, hoặc dán đường dẫn hay mã mời vào ô dưới đây.',
    join_code: 'Đường dẫn hoặc mã mời',
    join_button: 'Tham gia',
    joining: 'Đang đăng nhập…',

    meetings_title: 'Cuộc họp của tôi',
    meetings_empty: 'Bạn chưa được mời vào cuộc họp nào.',
    all_meetings: 'Danh sách cuộc họp',
    status_scheduled: 'Chưa khai mạc',
    status_open: 'Đang họp',
    status_closed: 'Đã bế mạc',
    urgent: 'Họp khẩn',
    role_chair: 'Chủ tọa',
    role_secretary: 'Thư ký',
    role_delegate: 'Đại biểu',
    role_guest: 'Khách mời',
    role_projector: 'Màn hình hội trường',
    role_admin: 'Quản trị viên',

    current_item: 'Nội dung đang thảo luận',
    no_current_item: 'Chủ tọa chưa chọn nội dung.',
    agenda: 'Chương trình họp ({count} nội dung)',
    quorum: 'Túc số',
    quorum_met: 'Đủ túc số',
    quorum_not_met: 'Chưa đủ túc số',
    quorum_detail: 'Có mặt {present}, cần {required} trên tổng số {base} đại biểu',
    quorum_modes: 'Tại hội trường {in_room} · Trực tuyến {remote}',
    my_attendance: 'Điểm danh',
    check_in: 'Điểm danh',
    check_in_remote: 'Tôi họp trực tuyến',
    checked_in_room: 'Đã điểm danh tại hội trường',
    checked_in_remote: 'Đã điểm danh trực tuyến',
    not_checked_in: 'Bạn chưa điểm danh.',
    no_voting_right: 'Bạn tham dự, không có quyền biểu quyết.',
    sending: 'Đang gửi…',

    no_polls: 'Chưa có nội dung biểu quyết.',
    poll_draft: 'Dự thảo',
    poll_open: 'Đang biểu quyết',
    poll_paused: 'Tạm dừng',
    poll_closed: 'Đã kết thúc',
    poll_published: 'Đã công bố',
    secret: 'Bỏ phiếu kín',
    named: 'Biểu quyết công khai',
    yes: 'Tán thành',
    no: 'Không tán thành',
    abstain: 'Không biểu quyết',
    choose_one: 'Chọn một phương án.',
    choose_between: 'Chọn từ {min} đến {max} phương án.',
    next: 'Tiếp tục',
    your_choice: 'Bạn chọn:',
    nothing_chosen: 'Không chọn phương án nào',
    confirm_vote: 'Xác nhận gửi phiếu',
    change_choice: 'Chọn lại',
    sending_ballot: 'Đang gửi phiếu…',
    sending_offline: 'Phiếu sẽ được gửi ngay khi có kết nối lại. Không cần bấm lại.',
    vote_recorded: 'Phiếu của bạn đã được ghi nhận',
    you_chose: 'Bạn đã chọn: {choice}',
    receipt: 'Mã biên nhận',
    receipt_hint: 'Giữ mã này để đối chiếu khi kết quả được công bố.',
    voted: 'Ghế này đã biểu quyết.',
    change_vote: 'Thay đổi phiếu',
    proxy_for: 'Phiếu ủy quyền của {name}',
    poll_paused_note: 'Biểu quyết đang tạm dừng.',
    not_entitled: 'Bạn không có quyền biểu quyết nội dung này.',
    progress: '{voted}/{entitled} đại biểu đã biểu quyết',
    results_live: 'Kết quả tạm thời',
    results_final: 'Kết quả',
    results_later: 'Kết quả sẽ được công bố sau khi kết thúc biểu quyết.',
    share_base: 'Tỉ lệ tính trên {what} ({count})',
    share_of_members: 'tổng số đại biểu',
    share_of_present: 'số đại biểu có mặt',
    share_of_cast: 'số phiếu biểu quyết',
    blank: 'Phiếu trống',
    votes: '{count} phiếu',
    votes_one: '{count} phiếu',
    verdict_passed: 'THÔNG QUA',
    verdict_not_passed: 'KHÔNG THÔNG QUA',
    verdict_tie: 'HÒA PHIẾU',
    verdict_chosen: 'Chọn: {option}',
    verdict_elected: 'Trúng cử: {options}',
    verdict_none_elected: 'Không ai trúng cử',
    verdict_tied: 'Bằng phiếu, cần bầu lại: {options}',

    chair_controls: 'Điều hành biểu quyết',
    open_poll: 'Mở biểu quyết',
    open_without_quorum: 'Chưa đủ túc số (có mặt {present}, cần {required}). Vẫn có thể mở biểu quyết; việc này được ghi vào biên bản.',
    open_anyway: 'Vẫn mở biểu quyết',
    close_poll: 'Kết thúc biểu quyết',
    close_confirm: 'Kết thúc và kiểm phiếu? Sau đó không thể bỏ thêm phiếu.',
    close_now: 'Kết thúc và kiểm phiếu',
    publish_poll: 'Công bố kết quả',
    cancel: 'Hủy',

    network_error: 'Không kết nối được với hệ thống. Kiểm tra mạng rồi thử lại.',
    unexpected_error: 'Đã có lỗi xảy ra. Vui lòng thử lại.',
    invalid_code: 'Không đọc được mã mời trong nội dung đã dán.',
  },
  en: {
    page_title: 'Quorum — Paperless meeting room',
    other_language: 'Tiếng Việt',
    sign_out: 'Sign out',
    sign_out_confirm: 'Sign out of this device? You will need a new invitation link to come back.',
    loading: 'Loading…',
    dismiss: 'Dismiss',

    connecting: 'Connecting…',
    retrying: 'Connection lost, retrying…',
    online: 'Connected',
    stopped: 'Disconnected',

    join_title: 'Join a meeting',
    join_help: 'Open the invitation link you received, or paste the link or the code below.',
    join_code: 'Invitation link or code',
    join_button: 'Join',
    joining: 'Signing in…',

    meetings_title: 'My meetings',
    meetings_empty: 'You have not been invited to any meeting.',
    all_meetings: 'All meetings',
    status_scheduled: 'Not yet opened',
    status_open: 'In session',
    status_closed: 'Closed',
    urgent: 'Urgent meeting',
    role_chair: 'Chair',
    role_secretary: 'Secretary',
    role_delegate: 'Delegate',
    role_guest: 'Guest',
    role_projector: 'Hall projector',
    role_admin: 'Administrator',

    current_item: 'Current agenda item',
    no_current_item: 'The chair has not chosen an item yet.',
    agenda: 'Agenda ({count} items)',
    quorum: 'Quorum',
    quorum_met: 'Quorum met',
    quorum_not_met: 'No quorum',
    quorum_detail: '{present} present, {required} needed of {base} members',
    quorum_modes: 'In the room {in_room} · Remote {remote}',
    my_attendance: 'Check-in',
    check_in: 'Check in',
    check_in_remote: 'I take part remotely',
    checked_in_room: 'Checked in, in the room',
    checked_in_remote: 'Checked in, remote',
    not_checked_in: 'You have not checked in.',
    no_voting_right: 'You take part without a vote.',
    sending: 'Sending…',

    no_polls: 'Nothing to vote on yet.',
    poll_draft: 'Draft',
    poll_open: 'Voting open',
    poll_paused: 'Paused',
    poll_closed: 'Closed',
    poll_published: 'Published',
    secret: 'Secret ballot',
    named: 'Named vote',
    yes: 'Yes',
    no: 'No',
    abstain: 'Abstain',
    choose_one: 'Choose one option.',
    choose_between: 'Choose {min} to {max} options.',
    next: 'Continue',
    your_choice: 'Your choice:',
    nothing_chosen: 'No option chosen',
    confirm_vote: 'Confirm and send my vote',
    change_choice: 'Change my choice',
    sending_ballot: 'Sending your vote…',
    sending_offline: 'Your vote will be sent as soon as the connection is back. No need to press again.',
    vote_recorded: 'Your vote is recorded',
    you_chose: 'You chose: {choice}',
    receipt: 'Receipt code',
    receipt_hint: 'Keep this code to check against the published results.',
    voted: 'This seat has voted.',
    change_vote: 'Change my vote',
    proxy_for: 'Proxy vote for {name}',
    poll_paused_note: 'Voting is paused.',
    not_entitled: 'You do not vote on this.',
    progress: '{voted} of {entitled} members have voted',
    results_live: 'Live results',
    results_final: 'Results',
    results_later: 'Results will be announced after the vote closes.',
    share_base: 'Percentages of {what} ({count})',
    share_of_members: 'all members',
    share_of_present: 'members present',
    share_of_cast: 'votes cast',
    blank: 'Blank',
    votes: '{count} votes',
    votes_one: '{count} vote',
    verdict_passed: 'PASSED',
    verdict_not_passed: 'NOT PASSED',
    verdict_tie: 'TIE',
    verdict_chosen: 'Chosen: {option}',
    verdict_elected: 'Elected: {options}',
    verdict_none_elected: 'Nobody elected',
    verdict_tied: 'Tied, another round needed: {options}',

    chair_controls: 'Running the vote',
    open_poll: 'Open the vote',
    open_without_quorum: 'No quorum ({present} present, {required} needed). You may still open the vote; this is recorded in the minutes.',
    open_anyway: 'Open the vote anyway',
    close_poll: 'Close the vote',
    close_confirm: 'Close and count the vote? No more ballots can be cast afterwards.',
    close_now: 'Close and count',
    publish_poll: 'Publish the results',
    cancel: 'Cancel',

    network_error: 'Cannot reach the hub. Check the network and try again.',
    unexpected_error: 'Something went wrong. Please try again.',
    invalid_code: 'No invitation code found in what was pasted.',
  },
};

const STORAGE_KEY = 'quorum.language';
const listeners = new Set();
let current = readStored();

function readStored() {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

/** The language on screen: 'vi' or 'en'. */
export function language() {
  return current;
}

/** Switches between Vietnamese and English, remembers it, and tells the listeners. */
export function toggleLanguage() {
  current = current === 'vi' ? 'en' : 'vi';
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Private browsing may refuse storage: the choice then lasts for this page only.
  }
  document.documentElement.lang = current;
  for (const listener of listeners) listener(current);
}

/** Calls `listener` after every language change. */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/**
 * Adds a screen's own words: `define({vi: {key: '…'}, en: {key: '…'}})`, called once by
 * each module at load. Every key must exist in both languages (a test of the crate reads
 * every module's `vi:` and `en:` blocks), and no key may be defined twice.
 */
export function define(words) {
  for (const lang of ['vi', 'en']) {
    for (const [key, text] of Object.entries(words[lang] ?? {})) {
      if (key in WORDS[lang]) console.error(`quorum: the word "${key}" is defined twice`);
      WORDS[lang][key] = text;
    }
  }
}

const reported = new Set();

/** The word for `key`, with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  let text = WORDS[current][key];
  if (text === undefined) {
    // A missing word is a bug: say so once (the browser tests fail on console errors),
    // and show the other language's word rather than nothing.
    if (!reported.has(`${current}:${key}`)) {
      reported.add(`${current}:${key}`);
      console.error(`quorum: no ${current} word for "${key}"`);
    }
    text = WORDS.vi[key] ?? WORDS.en[key] ?? key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A message from the hub ({vi, en}) in the language on screen. */
export function localized(message) {
  if (!message) return '';
  return message[current] || message.vi || message.en || '';
}

/** What went wrong, for people: the hub's own words when it gave them. */
export function describe(error) {
  if (error?.localized) return localized(error.localized);
  if (error?.code === 'network') return t('network_error');
  if (error?.code === 'invalid_code') return t('invalid_code');
  return t('unexpected_error');
}

/**
 * Vietnamese text as an id: letters without their accents (đ as d), lower case, words
 * joined by `-`, at most `maxLength` characters ("Sở Tài chính" → "so-tai-chinh").
 */
export function slug(text, maxLength) {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
}

/** A number in the language's format (1.234,5 in Vietnamese). */
export function number(value, fractionDigits = 0) {
  return new Intl.NumberFormat(current === 'vi' ? 'vi-VN' : 'en-GB', {
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

/** A date and time in the language's format. */
export function dateTime(millis) {
  return new Intl.DateTimeFormat(current === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(millis));
}

document.documentElement.lang = current;
