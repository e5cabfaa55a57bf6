// The roster import on the secretary's desk: choose or drop a CSV file, let the hub check
// it (`?dry_run=true`), show every row with ✓ or ✗ and the hub's reason in words, and
// import only when every row is good — the hub imports nothing from a file with a bad row.

import { button, h, sig } from './dom.js';
import { define, number, t } from './i18n.js';
import { dropZone, errorLine, okLine, problemText, saveFile, send, utf8 } from './secretary-transfer.js';

define({
  vi: {
    sec_roster: 'Danh sách đại biểu',
    sec_roster_count: '{count} người',
    sec_roster_help:
      'Nhập từ tệp CSV (UTF-8), dòng đầu là tên cột. Bắt buộc: member (mã, không dấu, ví dụ db-01) và name (họ và tên). Tùy chọn: position (chức vụ), unit_name (đơn vị), role (chủ tọa, thư ký, đại biểu, khách mời), voting_right (có / không), weight (trọng số), groups (nhóm, cách nhau bởi ;).',
    sec_roster_sample: 'Tải tệp mẫu',
    sec_roster_choose: 'Chọn tệp CSV',
    sec_roster_checking: 'Đang kiểm tra {file}…',
    sec_roster_preview: 'Xem trước {file}',
    sec_roster_summary: '{good} dòng hợp lệ, {bad} dòng có lỗi',
    sec_roster_all_good: 'Mọi dòng đều hợp lệ. Người đã có trong danh sách được giữ nguyên.',
    sec_roster_fix: 'Chưa nhập dòng nào. Sửa các dòng có lỗi trong tệp, lưu lại rồi chọn lại tệp.',
    sec_roster_import: 'Nhập danh sách ({count} người)',
    sec_roster_importing: 'Đang nhập danh sách…',
    sec_roster_done: 'Đã nhập {count} người từ {file}.',
    sec_roster_header: 'Dòng tiêu đề',
    sec_roster_line: 'Dòng',
    sec_roster_member: 'Mã',
    sec_roster_name: 'Họ và tên',
    sec_roster_role: 'Vai trò',
    sec_roster_check: 'Kiểm tra',
    sec_roster_ok: 'Hợp lệ',
    sec_roster_bad: 'Lỗi',
    sec_col_member: 'Mã',
    sec_col_name: 'Họ và tên',
    sec_col_position: 'Chức vụ',
    sec_col_unit: 'Mã đơn vị',
    sec_col_unit_name: 'Đơn vị',
    sec_col_role: 'Vai trò',
    sec_col_voting_right: 'Quyền biểu quyết',
    sec_col_weight: 'Trọng số',
    sec_col_groups: 'Nhóm',
    sec_row_malformed: 'không đọc được dòng: số cột không khớp dòng tiêu đề, hoặc dấu ngoặc kép chưa đóng',
    sec_row_unknown_column: 'cột “{column}” không được hỗ trợ',
    sec_row_missing_column: 'thiếu cột bắt buộc',
    sec_row_required: 'chưa điền',
    sec_row_invalid_id: 'chỉ dùng chữ không dấu, chữ số và các dấu . _ : - (tối đa 64 ký tự)',
    sec_row_invalid_role: 'phải là chủ tọa, thư ký, đại biểu hoặc khách mời',
    sec_row_invalid_yes_no: 'phải là có hoặc không',
    sec_row_invalid_weight: 'phải là số nguyên từ 1 trở lên',
    sec_row_duplicate_member: 'mã này đã có ở một dòng trên',
    sec_row_invalid: 'không hợp lệ ({detail})',
    sec_row_empty: 'tệp chỉ có dòng tiêu đề, chưa có người nào',
  },
  en: {
    sec_roster: 'Roster',
    sec_roster_count: '{count} people',
    sec_roster_help:
      'Import from a CSV file (UTF-8) whose first line names the columns. Required: member (an id without accents, such as db-01) and name. Optional: position, unit_name, role (chair, secretary, delegate, guest), voting_right (yes / no), weight, groups (separated by ;).',
    sec_roster_sample: 'Download a sample file',
    sec_roster_choose: 'Choose a CSV file',
    sec_roster_checking: 'Checking {file}…',
    sec_roster_preview: 'Preview of {file}',
    sec_roster_summary: '{good} rows valid, {bad} with errors',
    sec_roster_all_good: 'Every row is valid. People already on the roster are left as they are.',
    sec_roster_fix: 'Nothing was imported. Fix the rows with errors in the file, save it and choose it again.',
    sec_roster_import: 'Import the roster ({count} people)',
    sec_roster_importing: 'Importing the roster…',
    sec_roster_done: 'Imported {count} people from {file}.',
    sec_roster_header: 'Header line',
    sec_roster_line: 'Line',
    sec_roster_member: 'Id',
    sec_roster_name: 'Name',
    sec_roster_role: 'Role',
    sec_roster_check: 'Check',
    sec_roster_ok: 'Valid',
    sec_roster_bad: 'Error',
    sec_col_member: 'Id',
    sec_col_name: 'Name',
    sec_col_position: 'Position',
    sec_col_unit: 'Unit id',
    sec_col_unit_name: 'Unit',
    sec_col_role: 'Role',
    sec_col_voting_right: 'Voting right',
    sec_col_weight: 'Weight',
    sec_col_groups: 'Groups',
    sec_row_malformed: 'cannot read the line: its number of cells differs from the header, or a quote is not closed',
    sec_row_unknown_column: 'the column “{column}” is not supported',
    sec_row_missing_column: 'a required column is missing',
    sec_row_required: 'empty',
    sec_row_invalid_id: 'use only letters without accents, digits and . _ : - (64 characters at most)',
    sec_row_invalid_role: 'must be chair, secretary, delegate or guest',
    sec_row_invalid_yes_no: 'must be yes or no',
    sec_row_invalid_weight: 'must be a whole number of at least 1',
    sec_row_duplicate_member: 'this id is on an earlier line too',
    sec_row_invalid: 'not valid ({detail})',
    sec_row_empty: 'the file has only its header line, nobody in it',
  },
});

const COLUMNS = ['member', 'name', 'position', 'unit', 'unit_name', 'role', 'voting_right', 'weight', 'groups'];
const PROBLEMS = [
  'malformed',
  'unknown_column',
  'missing_column',
  'required',
  'invalid_id',
  'invalid_role',
  'invalid_yes_no',
  'invalid_weight',
  'duplicate_member',
  'invalid',
  'empty',
];

/** A row error of the hub ({line, column, code, message}) in words. */
export function rowProblem(error) {
  if (error.code === 'unknown_column') return t('sec_row_unknown_column', { column: error.column });
  const text = PROBLEMS.includes(error.code) ? t(`sec_row_${error.code}`, { detail: error.message }) : error.message;
  return error.column && COLUMNS.includes(error.column) ? `${t(`sec_col_${error.column}`)}: ${text}` : text;
}

/** The roster card of the desk: {title, meta, blocks}. */
export function rosterCard(view, ui) {
  const state = ui.secretary.roster;
  const busy = state.step === 'checking' || state.step === 'importing';
  const blocks = [
    {
      key: 'sec-roster-help',
      sig: sig(),
      build: () =>
        h(
          'div',
          {},
          h('p', { class: 'small' }, t('sec_roster_help')),
          button('link', t('sec_roster_sample'), () => ui.actions.secRosterSample(), { class: 'sec-text-button' }),
        ),
    },
    {
      key: 'sec-roster-pick',
      sig: sig(busy),
      build: () =>
        dropZone({
          id: 'sec-roster-file',
          label: t('sec_roster_choose'),
          accept: '.csv,text/csv',
          onFiles: ([file]) => ui.actions.secRosterFile(file),
        }),
    },
  ];
  if (state.step !== 'idle') {
    blocks.push({ key: 'sec-roster-result', sig: sig(state.step, state.file, state.rows, state.errors, state.problem, state.count), build: () => result(state, ui) });
  }
  return { title: t('sec_roster'), meta: t('sec_roster_count', { count: number(view.participants.length) }), blocks };
}

function result(state, ui) {
  switch (state.step) {
    case 'checking':
      return h('p', { class: 'loading', role: 'status' }, t('sec_roster_checking', { file: state.file }));
    case 'failed':
      return h('div', {}, errorLine(`${state.file}: ${problemText(state.problem)}`));
    case 'done':
      return okLine(t('sec_roster_done', { count: number(state.count), file: state.file }));
    default:
      return preview(state, ui);
  }
}

/** The preview: a line per row, ✓ or ✗ with the reasons, then import or fix. */
function preview(state, ui) {
  const byLine = new Map();
  for (const error of state.errors) {
    if (!byLine.has(error.line)) byLine.set(error.line, []);
    byLine.get(error.line).push(error);
  }
  const header = byLine.get(1) ?? [];
  const rows = state.rows.map((row) => ({ ...row, errors: byLine.get(row.line) ?? [] }));
  // A line the hub could not read at all has errors but no row.
  const shown = new Set([1, ...rows.map((row) => row.line)]);
  for (const [line, errors] of byLine) {
    if (!shown.has(line)) rows.push({ line, member: '', name: '', role: null, role_as_written: '', errors });
  }
  rows.sort((a, b) => a.line - b.line);
  const bad = rows.filter((row) => row.errors.length > 0).length;
  const good = rows.length - bad;
  const ok = state.errors.length === 0;
  return h(
    'div',
    { class: 'sec-preview' },
    h('h3', {}, t('sec_roster_preview', { file: state.file })),
    h('p', { class: ok ? 'sec-ok' : 'sec-bad' }, t('sec_roster_summary', { good: number(good), bad: number(bad) })),
    header.length > 0 && h('div', { class: 'error', role: 'alert' }, h('p', {}, t('sec_roster_header')), h('ul', {}, header.map((error) => h('li', {}, rowProblem(error))))),
    rows.length > 0 &&
      h(
        'div',
        { class: 'sec-table-wrap' },
        h(
          'table',
          { class: 'sec-table' },
          h('caption', { class: 'visually-hidden' }, t('sec_roster_preview', { file: state.file })),
          h(
            'thead',
            {},
            h('tr', {}, [t('sec_roster_line'), t('sec_roster_member'), t('sec_roster_name'), t('sec_roster_role'), t('sec_roster_check')].map((label) => h('th', { scope: 'col' }, label))),
          ),
          h('tbody', {}, rows.map(rowLine)),
        ),
      ),
    ok
      ? h(
          'div',
          {},
          okLine(t('sec_roster_all_good')),
          state.step === 'importing'
            ? h('p', { class: 'loading', role: 'status' }, t('sec_roster_importing'))
            : button('primary', t('sec_roster_import', { count: number(rows.length) }), () => ui.actions.secRosterImport(), { 'data-focus': 'sec-roster-import' }),
          state.problem && errorLine(problemText(state.problem)),
        )
      : errorLine(t('sec_roster_fix')),
  );
}

function rowLine(row) {
  const bad = row.errors.length > 0;
  const role = row.role ? t(`role_${row.role}`) : row.role_as_written;
  return h(
    'tr',
    { class: bad ? 'sec-row sec-row--bad' : 'sec-row' },
    h('td', { class: 'sec-num' }, number(row.line)),
    h('td', { class: 'sec-id' }, row.member),
    h('td', {}, row.name),
    h('td', {}, role),
    h(
      'td',
      {},
      bad
        ? h(
            'div',
            {},
            h('span', { class: 'sec-status sec-status--bad' }, h('span', { 'aria-hidden': 'true' }, '✗ '), t('sec_roster_bad')),
            h('ul', { class: 'sec-reasons' }, row.errors.map((error) => h('li', {}, rowProblem(error)))),
          )
        : h('span', { class: 'sec-status sec-status--ok' }, h('span', { 'aria-hidden': 'true' }, '✓ '), t('sec_roster_ok')),
    ),
  );
}

const SAMPLE = [
  'member,name,position,unit_name,role,voting_right,weight,groups',
  'db-01,Nguyễn Văn An,Chủ tịch HĐND tỉnh,HĐND tỉnh,chủ tọa,có,1,',
  'db-02,Trần Thị Bình,Đại biểu HĐND tỉnh,Tổ đại biểu huyện Văn Yên,đại biểu,có,1,to-van-yen',
  'kh-01,Lê Văn Cường,Phóng viên,Báo Yên Bái,khách mời,không,1,',
].join('\r\n');

/** What the roster buttons do. */
export function rosterActions(ctx, desk) {
  const path = (dryRun) => `/api/meetings/${encodeURIComponent(ctx.meetingId)}/roster${dryRun ? '?dry_run=true' : ''}`;
  // Only the newest file's answer counts, should the person choose another meanwhile.
  let attempt = 0;
  return {
    secRosterSample() {
      // A byte-order mark, so that Excel opens the sample as UTF-8.
      saveFile('danh-sach-mau.csv', `\uFEFF${SAMPLE}\r\n`, 'text/csv;charset=utf-8');
    },
    async secRosterFile(file) {
      const mine = (attempt += 1);
      desk.roster = { step: 'checking', file: file.name };
      ctx.render();
      let next;
      try {
        const bytes = await file.arrayBuffer();
        utf8(bytes);
        // A check that finds bad rows still answers 200, with every row and every error.
        const answer = await send('POST', path(true), ctx.session.token, bytes, 'text/csv; charset=utf-8');
        const errors = answer.errors ?? [];
        next = { step: 'preview', file: file.name, bytes: errors.length === 0 ? bytes : null, rows: answer.rows ?? [], errors, problem: null };
      } catch (error) {
        next = { step: 'failed', file: file.name, problem: error };
      }
      if (mine !== attempt) return;
      desk.roster = next;
      ctx.render();
    },
    async secRosterImport() {
      const state = desk.roster;
      if (state.step !== 'preview' || !state.bytes) return;
      desk.roster = { ...state, step: 'importing', problem: null };
      ctx.render();
      try {
        const answer = await send('POST', path(false), ctx.session.token, state.bytes, 'text/csv; charset=utf-8');
        desk.roster = { step: 'done', file: state.file, count: answer.invitees.length };
      } catch (error) {
        desk.roster =
          error.code === 'invalid_rows'
            ? { ...state, step: 'preview', bytes: null, rows: error.detail?.preview ?? [], errors: error.detail?.rows ?? [], problem: null }
            : { ...state, step: 'preview', problem: error };
      }
      ctx.render();
    },
  };
}
