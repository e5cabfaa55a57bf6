// The built-in meeting templates (the usual agendas of a People's Council session, a
// briefing, a monthly party-cell meeting and an urgent meeting), the quorum and majority
// rules a new meeting may choose, and the defaults a new meeting starts from.

import { define, slug } from './i18n.js';

define({
  vi: {
    sec_tpl_blank: 'Cuộc họp trống',
    sec_tpl_blank_help: 'Tự nhập chương trình họp.',
    sec_tpl_council: 'Kỳ họp HĐND',
    sec_tpl_council_help: 'Khai mạc, báo cáo, thẩm tra, thảo luận, chất vấn, biểu quyết nghị quyết, bế mạc.',
    sec_tpl_briefing: 'Họp giao ban',
    sec_tpl_briefing_help: 'Báo cáo công tác, ý kiến các đơn vị, kết luận và phân công.',
    sec_tpl_cell: 'Sinh hoạt chi bộ hằng tháng',
    sec_tpl_cell_help: 'Điểm danh, thông tin thời sự, đánh giá tháng, thảo luận, nghị quyết tháng tới.',
    sec_tpl_urgent: 'Họp khẩn',
    sec_tpl_urgent_help: 'Thiên tai, an ninh: triệu tập ngay, cảnh báo tới mọi thiết bị.',
    sec_quorum_more_than_half: 'Quá nửa tổng số đại biểu',
    sec_quorum_two_thirds: 'Ít nhất hai phần ba tổng số đại biểu',
    sec_majority_all_members: 'Quá nửa tổng số đại biểu (HĐND, cấp ủy)',
    sec_majority_present: 'Quá nửa số đại biểu có mặt',
    sec_majority_simple: 'Đa số phiếu tán thành trên số phiếu biểu quyết (không tính phiếu không biểu quyết)',
    sec_majority_two_thirds: 'Ít nhất hai phần ba tổng số đại biểu',
  },
  en: {
    sec_tpl_blank: 'Empty meeting',
    sec_tpl_blank_help: 'Write the agenda yourself.',
    sec_tpl_council: "People's Council session",
    sec_tpl_council_help: 'Opening, reports, reviews, debate, interpellation, votes on resolutions, closing.',
    sec_tpl_briefing: 'Briefing meeting',
    sec_tpl_briefing_help: 'Work report, the units’ views, conclusions and assignments.',
    sec_tpl_cell: 'Monthly party-cell meeting',
    sec_tpl_cell_help: 'Roll call, news, the month reviewed, discussion, next month’s resolution.',
    sec_tpl_urgent: 'Urgent meeting',
    sec_tpl_urgent_help: 'Disaster, security: convened at once, an alert on every device.',
    sec_quorum_more_than_half: 'More than half of all members',
    sec_quorum_two_thirds: 'At least two thirds of all members',
    sec_majority_all_members: "More than half of all members (People's Councils, party committees)",
    sec_majority_present: 'More than half of the members present',
    sec_majority_simple: 'A majority of the votes cast (abstentions left out)',
    sec_majority_two_thirds: 'At least two thirds of all members',
  },
});

const HALF = { numerator: 1, denominator: 2 };
const TWO_THIRDS = { numerator: 2, denominator: 3 };
const ALL = { kind: 'all_members' };

export const QUORUM_RULES = {
  more_than_half: { threshold: { more_than: HALF }, base: ALL },
  two_thirds: { threshold: { at_least: TWO_THIRDS }, base: ALL },
};

export const MAJORITY_RULES = {
  all_members: { threshold: { more_than: HALF }, base: ALL, abstentions: 'counted' },
  present: { threshold: { more_than: HALF }, base: { kind: 'members_present' }, abstentions: 'counted' },
  simple: { threshold: { more_than: HALF }, base: { kind: 'votes_cast' }, abstentions: 'excluded' },
  two_thirds: { threshold: { at_least: TWO_THIRDS }, base: ALL, abstentions: 'counted' },
};

/**
 * The built-in templates. Titles and agendas are the meeting's own content, in
 * Vietnamese whatever the screen's language; `{month}` is the meeting's month/year.
 */
export const TEMPLATES = [
  { id: 'blank', kind: 'routine', majority: 'all_members', title: '', items: [] },
  {
    id: 'council',
    kind: 'routine',
    majority: 'all_members',
    title: 'Kỳ họp Hội đồng nhân dân tỉnh',
    items: [
      'Khai mạc kỳ họp',
      'Báo cáo tình hình kinh tế – xã hội, quốc phòng – an ninh',
      'Báo cáo thẩm tra của các Ban Hội đồng nhân dân',
      'Thảo luận tại hội trường',
      'Chất vấn và trả lời chất vấn',
      'Biểu quyết thông qua các nghị quyết',
      'Bế mạc kỳ họp',
    ],
  },
  {
    id: 'briefing',
    kind: 'routine',
    majority: 'simple',
    title: 'Họp giao ban tháng {month}',
    items: [
      'Báo cáo kết quả công tác tháng và nhiệm vụ tháng tới',
      'Ý kiến của các sở, ngành, địa phương',
      'Kết luận của chủ trì và phân công nhiệm vụ',
    ],
  },
  {
    id: 'cell',
    kind: 'routine',
    majority: 'all_members',
    title: 'Sinh hoạt chi bộ tháng {month}',
    items: [
      'Ổn định tổ chức, điểm danh đảng viên',
      'Thông tin thời sự; quán triệt văn bản của cấp trên',
      'Đánh giá kết quả thực hiện nhiệm vụ tháng',
      'Thảo luận, đóng góp ý kiến',
      'Phương hướng nhiệm vụ tháng tới; biểu quyết nghị quyết',
    ],
  },
  {
    id: 'urgent',
    kind: 'urgent',
    majority: 'all_members',
    title: 'Họp khẩn',
    items: ['Thông báo tình hình khẩn cấp', 'Ý kiến của các đơn vị liên quan', 'Quyết định biện pháp ứng phó và phân công nhiệm vụ'],
  },
];

/** A datetime-local value: tomorrow at 8:00, or for an urgent meeting the next 5 minutes. */
export function defaultWhen(kind) {
  const date = new Date();
  if (kind === 'urgent') {
    date.setMinutes(Math.ceil((date.getMinutes() + 1) / 5) * 5, 0, 0);
  } else {
    date.setDate(date.getDate() + 1);
    date.setHours(8, 0, 0, 0);
  }
  const pad = (value) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function templateTitle(template, when) {
  const date = new Date(when);
  const month = Number.isNaN(date.getTime()) ? '' : `${date.getMonth() + 1}/${date.getFullYear()}`;
  return template.title.replace('{month}', month);
}

/** A meeting id from its title and day: letters without accents, and a random tail. */
export function meetingIdFor(title, when) {
  const words = slug(title, 32);
  const day = new Date(when).toISOString().slice(0, 10).replace(/-/g, '');
  const tail = crypto.getRandomValues(new Uint8Array(3)).reduce((text, byte) => text + byte.toString(16).padStart(2, '0'), '');
  return [words || 'cuoc-hop', day, tail].join('-');
}

