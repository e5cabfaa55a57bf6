// The secretary's desk: create a meeting (from scratch or a template), import the roster
// with a preview and per-row errors, upload documents per item, print invitations as a
// sheet of QR codes, and export the record. This file holds the desk's frame and the
// record export; each task lives in its own secretary-*.js.

import { HubError } from './api.js';
import { h, sig } from './dom.js';
import { dateTime, define, t } from './i18n.js';
import { documentsCard, documentsActions } from './secretary-documents.js';
import { invitationsCard, invitationsActions, invitationSheetScreen } from './secretary-invitations.js';
import { mayCreateMeetings, newMeetingScreen } from './secretary-new.js';
import { noticesActions, noticesCard } from './secretary-notices.js';
import { rosterCard, rosterActions } from './secretary-roster.js';
import { fetchText, problemText, refusal, saveFile } from './secretary-transfer.js';

define({
  vi: {
    sec_desk: 'Bàn làm việc của thư ký',
    sec_desk_help: 'Chuẩn bị cuộc họp: danh sách đại biểu, tài liệu, giấy mời và hồ sơ.',
    sec_new_meeting: 'Tạo cuộc họp',
    sec_record: 'Hồ sơ cuộc họp',
    sec_record_help:
      'Tải toàn bộ hồ sơ: mọi sự kiện đã ghi (điểm danh, biểu quyết, kết luận…) theo thứ tự, cùng tình trạng hiện tại của cuộc họp, dạng JSON để lưu trữ và đối chiếu.',
    sec_minutes_help: 'Biên bản cuộc họp theo thể thức Nghị định 30/2020/NĐ-CP, lập từ hồ sơ:',
    sec_minutes_docx: 'Biên bản (.docx)',
    sec_minutes_pdf: 'Biên bản (.pdf)',
    sec_minutes_html: 'Biên bản để in (.html)',
    sec_minutes_json: 'Biên bản (.json)',
    sec_minutes_loading: 'Đang lập biên bản…',
    sec_minutes_done: 'Đã tải {file}.',
    sec_record_download: 'Tải hồ sơ cuộc họp (.json)',
    sec_record_loading: 'Đang chuẩn bị hồ sơ…',
    sec_record_done: 'Đã tải {file}: {count} sự kiện, lúc {time}.',
  },
  en: {
    sec_desk: "Secretary's desk",
    sec_desk_help: 'Prepare the meeting: the roster, documents, invitations and the record.',
    sec_new_meeting: 'Create a meeting',
    sec_record: 'Meeting record',
    sec_record_help:
      'Download the whole record: every event recorded (check-ins, votes, conclusions…) in order, with the meeting as it stands now, as JSON for archiving and checking.',
    sec_minutes_help: 'The minutes, in the Decree 30/2020/ND-CP layout, made from the record:',
    sec_minutes_docx: 'Minutes (.docx)',
    sec_minutes_pdf: 'Minutes (.pdf)',
    sec_minutes_html: 'Printable minutes (.html)',
    sec_minutes_json: 'Minutes (.json)',
    sec_minutes_loading: 'Preparing the minutes…',
    sec_minutes_done: 'Downloaded {file}.',
    sec_record_download: 'Download the meeting record (.json)',
    sec_record_loading: 'Preparing the record…',
    sec_record_done: 'Downloaded {file}: {count} events, at {time}.',
  },
});

/** Whether this viewer keeps the desk: the meeting's secretary, or an administrator. */
export function keepsDesk(view) {
  return view.audience === 'keeper' && (view.me === null || view.me.role === 'secretary');
}

/** The desk's own state on this device, under `ui.secretary`. */
function deskState(ui) {
  ui.secretary ??= {
    open: new Set(),
    metas: new Map(),
    roster: { step: 'idle' },
    uploads: [],
    access: new Map(),
    detaching: null,
    invitations: { chosen: null, projector: false, step: 'idle', issued: null, problem: null },
    record: { step: 'idle' },
    minutes: { step: 'idle' },
  };
  return ui.secretary;
}

/** The secretary's blocks of the meeting screen (none for other roles). */
export function secretaryBlocks(view, ui) {
  if (!keepsDesk(view)) return [];
  const desk = deskState(ui);
  return [
    {
      key: 'sec-desk',
      sig: sig(desk.mayCreate),
      build: () =>
        h(
          'section',
          { class: 'sec-desk', 'aria-labelledby': 'sec-desk-heading' },
          h('h2', { id: 'sec-desk-heading' }, t('sec_desk')),
          h('p', { class: 'muted' }, t('sec_desk_help')),
          h(
            'p',
            { class: 'sec-desk-links' },
            h('a', { href: '#meetings' }, t('all_meetings')),
            desk.mayCreate && h('a', { href: '#new-meeting' }, h('span', { 'aria-hidden': 'true' }, '+ '), t('sec_new_meeting')),
          ),
          h('div', { class: 'slot' }),
        ),
      children: [
        card(desk, 'roster', rosterCard(view, ui)),
        card(desk, 'documents', documentsCard(view, ui)),
        card(desk, 'invitations', invitationsCard(view, ui)),
        card(desk, 'record', recordCard(view, ui)),
        card(desk, 'notices', noticesCard(view, ui)),
      ],
    },
  ];
}

/**
 * One collapsible card of the desk: {title, meta, blocks}. Whether it is open is kept in
 * the desk's state, so a rebuilt card opens as the person left it. The meta line (a count)
 * is updated in place: rebuilding the card for it would rebuild all it holds.
 */
function card(desk, name, { title, meta, blocks }) {
  const shown = desk.metas.get(name);
  if (shown && shown.textContent !== meta) shown.textContent = meta;
  return {
    key: `sec-card:${name}`,
    sig: sig(title),
    build: () => {
      const metaLine = h('span', { class: 'sec-card-meta' }, meta);
      desk.metas.set(name, metaLine);
      const details = h(
        'details',
        { class: 'card sec-card', open: desk.open.has(name), 'data-card': name },
        h('summary', {}, h('span', { class: 'sec-card-title' }, title), metaLine),
        h('div', { class: 'slot sec-card-body' }),
      );
      details.addEventListener('toggle', () => {
        if (details.open) desk.open.add(name);
        else desk.open.delete(name);
      });
      return details;
    },
    children: blocks,
  };
}

/** The minutes' formats, in the order of their buttons. */
const MINUTES_FORMATS = ['docx', 'pdf', 'html', 'json'];

function recordCard(view, ui) {
  const state = deskState(ui).record;
  const minutes = deskState(ui).minutes;
  return {
    title: t('sec_record'),
    meta: '',
    blocks: [
      {
        key: 'sec-record',
        sig: sig(state, minutes),
        build: () =>
          h(
            'div',
            {},
            h('p', {}, t('sec_record_help')),
            h(
              'button',
              {
                type: 'button',
                class: 'button button--secondary',
                'data-focus': 'sec-record',
                'aria-disabled': state.step === 'loading' ? 'true' : null,
                onclick: () => ui.actions.secDownloadRecord(),
              },
              state.step === 'loading' ? t('sec_record_loading') : t('sec_record_download'),
            ),
            state.step === 'done' &&
              h(
                'p',
                { class: 'sec-ok', role: 'status' },
                h('span', { class: 'glyph', 'aria-hidden': 'true' }, '✓'),
                ' ',
                t('sec_record_done', { file: state.file, count: state.count, time: dateTime(state.at) }),
              ),
            state.step === 'failed' && h('p', { class: 'error', role: 'alert' }, problemText(state.error)),
            h('p', {}, t('sec_minutes_help')),
            h(
              'p',
              { class: 'sec-minutes' },
              ...MINUTES_FORMATS.map((format) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button button--secondary',
                    'data-focus': `sec-minutes-${format}`,
                    'aria-disabled': minutes.step === 'loading' ? 'true' : null,
                    onclick: () => ui.actions.secDownloadMinutes(format),
                  },
                  minutes.step === 'loading' && minutes.format === format
                    ? t('sec_minutes_loading')
                    : t(`sec_minutes_${format}`),
                ),
              ),
            ),
            minutes.step === 'done' &&
              h(
                'p',
                { class: 'sec-ok', role: 'status' },
                h('span', { class: 'glyph', 'aria-hidden': 'true' }, '✓'),
                ' ',
                t('sec_minutes_done', { file: minutes.file }),
              ),
            minutes.step === 'failed' && h('p', { class: 'error', role: 'alert' }, problemText(minutes.error)),
          ),
      },
    ],
  };
}

/** What the secretary's buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function secretaryActions(ctx) {
  const desk = deskState(ctx.ui);
  desk.mayCreate = mayCreateMeetings(ctx.session);
  return {
    ...rosterActions(ctx, desk),
    ...documentsActions(ctx, desk),
    ...invitationsActions(ctx, desk),
    ...noticesActions(ctx, desk),
    async secDownloadRecord() {
      if (desk.record.step === 'loading') return;
      desk.record = { step: 'loading' };
      ctx.render();
      try {
        const text = await fetchText(`/api/meetings/${encodeURIComponent(ctx.meetingId)}/record`, ctx.session.token);
        const record = JSON.parse(text);
        const at = Date.now();
        const stamp = new Date(at).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
        const file = `quorum-ho-so-${ctx.meetingId}-${stamp}.json`;
        saveFile(file, text, 'application/json');
        desk.record = { step: 'done', file, count: record.events?.length ?? 0, at };
      } catch (error) {
        desk.record = { step: 'failed', error };
      }
      ctx.render();
    },
    async secDownloadMinutes(format) {
      if (desk.minutes.step === 'loading') return;
      desk.minutes = { step: 'loading', format };
      ctx.render();
      try {
        const path = `/api/meetings/${encodeURIComponent(ctx.meetingId)}/minutes?format=${format}`;
        const { bytes, type } = await fetchBytes(path, ctx.session.token);
        const file = `bien-ban-${ctx.meetingId}.${format}`;
        saveFile(file, bytes, type);
        desk.minutes = { step: 'done', format, file };
      } catch (error) {
        desk.minutes = { step: 'failed', format, error };
      }
      ctx.render();
    },
  };
}

/** Reads `path` as bytes with its media type, or throws a HubError. */
async function fetchBytes(path, token) {
  let response;
  try {
    response = await fetch(path, {
      headers: { Authorization: `Bearer ${token}` },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new HubError('network');
  }
  if (!response.ok) throw refusal(response.status, await response.text().catch(() => ''));
  const bytes = await response.arrayBuffer();
  return { bytes, type: response.headers.get('Content-Type') ?? 'application/octet-stream' };
}

/** Extra nodes under "my meetings" (such as "create a meeting"), or null. */
export function meetingsExtras(session) {
  if (!mayCreateMeetings(session)) return null;
  return h(
    'p',
    { class: 'sec-extras' },
    h('a', { class: 'button button--primary sec-link-button', href: '#new-meeting' }, h('span', { 'aria-hidden': 'true' }, '+ '), t('sec_new_meeting')),
  );
}

/**
 * The secretary's own screens, routed by the address's hash (such as `#new-meeting`):
 * returns a screen {render(), stop()} drawing into `show(node)`, or null when the hash is
 * not the secretary's.
 */
export function secretaryScreen(hash, session, tools) {
  if (hash === '#new-meeting') return newMeetingScreen(session, tools);
  const sheet = /^#invitations=(.+)$/.exec(hash);
  if (sheet) return invitationSheetScreen(decodeURIComponent(sheet[1]), tools);
  return null;
}
