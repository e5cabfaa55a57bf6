// Documents per agenda item on a participant's device: the current item's first, then the
// others by item, each with its download state and version. Every readable document (its
// current version) is fetched in the background, one at a time, as soon as the view shows
// it — approved, shared more widely or replaced (documents-queue.js) — so that it opens
// with no network, even before the hub answers after a reload (the list is remembered);
// tapping one opens the reader (documents-reader.js). Also registers the offline service
// worker (sw.js), and forgets every document at sign-out.

import { savedSession } from './api.js';
import { glyph, h, sig } from './dom.js';
import { forget, hurry, percent, retry, startQueue, stopQueue, track } from './documents-queue.js';
import { hasNote, pushPending } from './documents-notes.js';
import { closeReader, openReader, refreshReader } from './documents-reader.js';
import * as store from './documents-store.js';
import { define, number, t } from './i18n.js';

define({
  vi: {
    docs_title: 'Tài liệu',
    docs_current: 'Của nội dung đang thảo luận',
    docs_current_none: 'Nội dung đang thảo luận chưa có tài liệu.',
    docs_others: 'Tài liệu các nội dung khác ({count})',
    docs_all_saved: 'Đã lưu cả {count} tài liệu để đọc ngoại tuyến',
    docs_one_saved: 'Đã lưu tài liệu để đọc ngoại tuyến',
    docs_some_saved: 'Đã tải sẵn {saved}/{count} tài liệu',
    docs_version: 'phiên bản {number}',
    docs_confidential: 'Mật',
    docs_memory_only: 'Thiết bị chỉ giữ tài liệu đến khi đóng trang: muốn đọc khi mất mạng, cần mở ứng dụng qua kết nối an toàn (https).',
    docs_offline_title: 'Chưa kết nối được với máy chủ',
    docs_offline_help: 'Các tài liệu đã lưu trên thiết bị vẫn mở được. Ứng dụng tự kết nối lại khi có mạng.',
    docs_queued: 'Chờ tải',
    docs_downloading: 'Đang tải {percent}% ({loaded} / {total})',
    docs_saved: 'Đã lưu để đọc ngoại tuyến',
    docs_saved_memory: 'Đã tải (chỉ đến khi đóng trang)',
    docs_failed: 'Chưa tải được: {reason}.',
    docs_retry_soon: 'Sẽ tự thử lại.',
    docs_retry: 'Thử lại',
    docs_retry_label: 'Tải lại {name}',
    docs_progress_label: 'Tiến độ tải {name}',
    docs_reason_network: 'mất kết nối mạng',
    docs_reason_server: 'máy chủ đang bận',
    docs_reason_gone: 'tài liệu không còn được chia sẻ',
    docs_reason_session: 'phiên đăng nhập đã hết',
    docs_reason_corrupt: 'nội dung bị lỗi trên đường truyền',
    docs_reason_full: 'bộ nhớ thiết bị đã đầy',
    docs_reason_storage: 'thiết bị không cho lưu tài liệu',
    docs_has_note: 'Có ghi chú',
    docs_type_pdf: 'PDF',
    docs_type_text: 'Văn bản',
    docs_type_image: 'Hình ảnh',
    docs_type_word: 'Word',
    docs_type_sheet: 'Bảng tính',
    docs_type_other: 'Tệp',
    docs_bytes: '{count} byte',
    docs_kb: '{count} KB',
    docs_mb: '{count} MB',
  },
  en: {
    docs_title: 'Documents',
    docs_current: 'For the item under discussion',
    docs_current_none: 'The item under discussion has no documents yet.',
    docs_others: 'Documents of the other items ({count})',
    docs_all_saved: 'All {count} documents saved for reading offline',
    docs_one_saved: 'The document is saved for reading offline',
    docs_some_saved: '{saved} of {count} documents downloaded ahead',
    docs_version: 'version {number}',
    docs_confidential: 'Confidential',
    docs_memory_only: 'This device keeps documents only until the page is closed: to read them offline, open the app over a secure connection (https).',
    docs_offline_title: 'Cannot reach the hub yet',
    docs_offline_help: 'The documents saved on this device still open. The app reconnects by itself when the network is back.',
    docs_queued: 'Waiting to download',
    docs_downloading: 'Downloading {percent}% ({loaded} / {total})',
    docs_saved: 'Saved for reading offline',
    docs_saved_memory: 'Downloaded (until the page is closed)',
    docs_failed: 'Not downloaded: {reason}.',
    docs_retry_soon: 'Will retry by itself.',
    docs_retry: 'Retry',
    docs_retry_label: 'Download {name} again',
    docs_progress_label: 'Download progress of {name}',
    docs_reason_network: 'the network is down',
    docs_reason_server: 'the hub is busy',
    docs_reason_gone: 'the document is no longer shared',
    docs_reason_session: 'the session has ended',
    docs_reason_corrupt: 'the content was damaged on the way',
    docs_reason_full: 'the device storage is full',
    docs_reason_storage: 'the device does not allow saving documents',
    docs_has_note: 'Has a note',
    docs_type_pdf: 'PDF',
    docs_type_text: 'Text',
    docs_type_image: 'Image',
    docs_type_word: 'Word',
    docs_type_sheet: 'Spreadsheet',
    docs_type_other: 'File',
    docs_bytes: '{count} bytes',
    docs_kb: '{count} KB',
    docs_mb: '{count} MB',
  },
});

window.addEventListener('load', registerWorker);
/** The meeting whose notes go to the hub when the network returns. */
let pending = null;
window.addEventListener('online', () => pending && pushPending(pending));
// A device with no session keeps no documents: a sign-out, or a session that ended.
if (!savedSession()) store.forgetAll();

/** Forgets every document kept on this device: call at sign-out. */
export function forgetDocuments() {
  pending = null;
  stopQueue();
  closeReader();
  return store.forgetAll();
}

/** What the document buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function documentActions(ctx) {
  const docs = startQueue(ctx, ctx.session.session?.member ?? ctx.session.session?.account ?? 'device');
  ctx.ui.documents = docs;
  // Notes written here while offline go to the hub now, and whenever the network returns.
  pending = { meetingId: ctx.meetingId, owner: docs.owner, token: ctx.session.token };
  if (navigator.onLine) pushPending(pending);
  return {
    openDocument(doc) {
      hurry(docs, doc);
      openReader({
        doc,
        meetingId: ctx.meetingId,
        owner: docs.owner,
        token: ctx.session.token,
        entry: () => docs.entries.get(doc.content_hash),
        kind: kindOf(doc),
        meta: () => `${typeLabel(doc)} · ${size(doc.size)}`,
        retry: () => retry(docs, doc),
        refetch: () => hurry(docs, doc, { again: true }),
        // Later: the reader may close in the middle of a render (a document withdrawn).
        // The list shows whether the document now has a note; the focus returns to it.
        focusBack: () =>
          setTimeout(() => {
            ctx.render();
            document.querySelector(`[data-focus="${CSS.escape(`doc:${doc.id}`)}"]`)?.focus();
          }, 0),
      });
    },
    retryDocument: (doc) => retry(docs, doc),
  };
}

/** The documents card of a participant's screen, and the downloads it calls for. */
export function documentBlocks(view, ui) {
  const docs = ui.documents;
  if (!docs) return [];
  const groups = groupsOf(view);
  track(docs, groups, ui.status);
  shelve(docs, view, groups);
  return card(docs, groups, ui, view.agenda.current !== null);
}

/**
 * Before the first view arrives, with no connection: the documents this device saved
 * for the meeting, to read offline; null while connecting or when none were saved.
 */
export function savedDocumentBlocks(ui) {
  const docs = ui.documents;
  if (!docs || ui.status === 'connecting' || ui.status === null) return null;
  const saved = store.shelf(docs.ctx.meetingId, docs.owner);
  if (!saved) return null;
  const groups = saved.items.map((item) => ({ ...item, current: item.id === saved.current }));
  track(docs, groups, ui.status);
  return [
    {
      key: 'offline-head',
      sig: sig(saved.title),
      build: () =>
        h(
          'section',
          { class: 'meeting-head' },
          h('h1', {}, saved.title),
          h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('docs_offline_title')),
          h('p', { class: 'muted' }, t('docs_offline_help')),
        ),
    },
    ...card(docs, groups, ui, saved.current !== null),
  ];
}

/** The items with documents: the current one first, then the others in agenda order. */
function groupsOf(view) {
  const groups = view.agenda.items
    .filter((item) => item.documents.length > 0 || item.id === view.agenda.current)
    .map((item) => ({ id: item.id, title: item.title, current: item.id === view.agenda.current, documents: item.documents }));
  return [...groups.filter((group) => group.current), ...groups.filter((group) => !group.current)];
}

function card(docs, groups, ui, hasCurrent) {
  const all = groups.flatMap((group) => group.documents);
  // The reader follows the list: a document no longer shared closes it.
  refreshReader((hash) => docs.entries.get(hash), new Set(all.map((doc) => doc.id)));
  if (all.length === 0) return [];
  const current = groups.find((group) => group.current);
  const others = groups.filter((group) => !group.current && group.documents.length > 0);
  const children = [summaryBlock(docs, all)];
  if (current) {
    children.push({ key: 'current', sig: sig(), build: () => h('h3', { class: 'docs-group' }, t('docs_current')) });
    if (current.documents.length === 0) {
      children.push({ key: 'current-none', sig: sig(), build: () => h('p', { class: 'muted' }, t('docs_current_none')) });
    }
    children.push(...current.documents.map((doc) => row(docs, doc, ui)));
  }
  if (others.length > 0) {
    const count = others.reduce((sum, group) => sum + group.documents.length, 0);
    const inner = others.flatMap((group) => [
      { key: `item:${group.id}`, sig: sig(group.title), build: () => h('h3', { class: 'docs-group' }, group.title) },
      ...group.documents.map((doc) => row(docs, doc, ui)),
    ]);
    children.push(
      hasCurrent
        ? {
            key: 'others',
            sig: sig(count),
            build: () => h('details', { class: 'docs-others' }, h('summary', {}, t('docs_others', { count: number(count) })), h('div', { class: 'slot' })),
            children: inner,
          }
        : // The slot inside a wrapper: patch looks for it among the block's descendants.
          { key: 'all', sig: sig(), build: () => h('div', {}, h('div', { class: 'slot' })), children: inner },
    );
  }
  return [
    {
      key: 'documents',
      sig: sig('documents'),
      build: () =>
        h(
          'section',
          { class: 'card documents', 'aria-labelledby': 'documents-heading' },
          h('h2', { id: 'documents-heading', class: 'card-label' }, t('docs_title')),
          h('div', { class: 'slot' }),
        ),
      children,
    },
  ];
}

function summaryBlock(docs, all) {
  const hashes = [...new Set(all.map((doc) => doc.content_hash))];
  const saved = hashes.filter((hash) => docs.entries.get(hash)?.status === 'saved').length;
  const done = saved === hashes.length;
  return {
    key: 'summary',
    sig: sig(saved, hashes.length, store.lasting),
    build: () =>
      h(
        'div',
        { class: 'docs-summary' },
        store.lasting &&
          h(
            'p',
            { class: `state ${done ? 'is-ok' : ''}` },
            glyph(done ? '✓' : '↓'),
            ' ',
            done ? t(hashes.length === 1 ? 'docs_one_saved' : 'docs_all_saved', { count: number(hashes.length) }) : t('docs_some_saved', { saved: number(saved), count: number(hashes.length) }),
          ),
        !store.lasting && h('p', { class: 'muted small' }, glyph('!'), ' ', t('docs_memory_only')),
      ),
  };
}

function row(docs, doc, ui) {
  const entry = docs.entries.get(doc.content_hash);
  const noted = hasNote(docs.ctx.meetingId, doc.id, docs.owner);
  return {
    key: `doc:${doc.id}`,
    sig: sig(doc.id, doc.name, doc.size, doc.media_type, noted, doc.status?.version, doc.access?.kind),
    build: () =>
      h(
        'div',
        { class: 'doc', role: 'group', 'aria-labelledby': `doc-name-${doc.id}` },
        h(
          'button',
          { type: 'button', class: 'doc-open', 'data-focus': `doc:${doc.id}`, onclick: () => ui.actions.openDocument(doc) },
          h('span', { class: `doc-icon doc-icon--${kindOf(doc)}`, 'aria-hidden': 'true' }, ICONS[kindOf(doc)]),
          h(
            'span',
            { class: 'doc-text' },
            h('span', { class: 'doc-name', id: `doc-name-${doc.id}` }, doc.name),
            h(
              'span',
              { class: 'doc-meta' },
              typeLabel(doc),
              ' · ',
              size(doc.size),
              (doc.status?.version ?? 1) > 1 && [' · ', t('docs_version', { number: number(doc.status.version) })],
              doc.access?.kind === 'confidential' && [' · ', glyph('⚿'), t('docs_confidential')],
              noted && [' · ', glyph('✎'), t('docs_has_note')],
            ),
          ),
        ),
        h('div', { class: 'slot' }),
      ),
    children: [{ key: 'status', sig: sig(entry?.status, entry?.reason, entry?.timer > 0, progressStep(entry)), build: () => statusLine(doc, entry, ui) }],
  };
}

function statusLine(doc, entry, ui) {
  const status = entry?.status ?? 'queued';
  if (status === 'downloading') {
    const total = Math.max(entry.total, 1);
    return h(
      'div',
      { class: 'doc-status' },
      h('p', {}, glyph('↓'), ' ', t('docs_downloading', { percent: number(percent(entry)), loaded: size(entry.loaded), total: size(total) })),
      h('progress', { max: String(total), value: String(Math.min(entry.loaded, total)), 'aria-label': t('docs_progress_label', { name: doc.name }) }),
    );
  }
  if (status === 'saved') {
    return h('div', { class: 'doc-status is-ok' }, h('p', {}, glyph('✓'), ' ', store.lasting ? t('docs_saved') : t('docs_saved_memory')));
  }
  if (status === 'failed') {
    return h(
      'div',
      { class: 'doc-status is-warn' },
      h('p', {}, glyph('!'), ' ', t('docs_failed', { reason: t(`docs_reason_${entry.reason}`) }), entry.timer > 0 && [' ', t('docs_retry_soon')]),
      h(
        'button',
        { type: 'button', class: 'doc-retry', 'data-focus': `retry:${doc.id}`, 'aria-label': t('docs_retry_label', { name: doc.name }), onclick: () => ui.actions.retryDocument(doc) },
        glyph('↻'),
        ' ',
        t('docs_retry'),
      ),
    );
  }
  return h('div', { class: 'doc-status' }, h('p', { class: 'muted' }, glyph('◷'), ' ', t('docs_queued')));
}

/** Remembers the documents for opening offline, and drops those no longer shared. */
function shelve(docs, view, groups) {
  const next = {
    title: view.meeting.details.title,
    current: view.agenda.current,
    items: groups
      .filter((group) => group.documents.length > 0)
      .map((group) => ({
        id: group.id,
        title: group.title,
        documents: group.documents.map(({ id, name, content_hash, size, media_type }) => ({ id, name, content_hash, size, media_type })),
      })),
  };
  const text = JSON.stringify(next);
  if (text === docs.shelved) return;
  docs.shelved = text;
  const gone = store.remember(docs.ctx.meetingId, docs.owner, next);
  forget(docs, gone);
  store.drop(gone);
}

// --- Small helpers ---

const ICONS = { pdf: 'PDF', text: 'TXT', image: 'IMG', word: 'DOC', sheet: 'XLS', other: 'FILE' };

function kindOf(doc) {
  const type = (doc.media_type || '').toLowerCase();
  if (type.startsWith('application/pdf')) return 'pdf';
  if (type.startsWith('text/')) return 'text';
  if (type.startsWith('image/')) return 'image';
  if (type.includes('word') || type.includes('opendocument.text')) return 'word';
  if (type.includes('sheet') || type.includes('excel')) return 'sheet';
  return 'other';
}

/** The type, as people say it. */
function typeLabel(doc) {
  return t(`docs_type_${kindOf(doc)}`);
}

/** A size in bytes, KB or MB, in the language's number format. */
function size(bytes) {
  if (bytes < 1024) return t('docs_bytes', { count: number(bytes) });
  if (bytes < 1024 * 1024) return t('docs_kb', { count: number(bytes / 1024, bytes < 10 * 1024 ? 1 : 0) });
  return t('docs_mb', { count: number(bytes / (1024 * 1024), 1) });
}

/** Progress in steps of 1%, so that a redraw happens only when the figure changes. */
function progressStep(entry) {
  return entry?.status === 'downloading' ? `${percent(entry)}:${Math.floor(entry.loaded / 1024)}` : null;
}

/** The offline service worker: the app opens, and saved documents read, with no network. */
function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    console.warn('quorum: the offline service worker could not be registered', error);
  });
}
