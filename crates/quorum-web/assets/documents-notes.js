// Private notes on a document, beside the reader: saved on this device as the person
// types (so they work offline), then pushed to the hub, which keeps them for this person
// only — never in the meeting's record, never shown to anyone else, the chair included —
// so that they follow the person to their other devices. The hub numbers each save (a
// revision); a device pulls when the reader opens, when the page comes back into view and
// now and then while it is open. The last writer wins: an edit made here on top of an
// older revision is saved on top of the newer one. Highlights — passages selected in a
// PDF, by page — travel with the note.

import { glyph, h } from './dom.js';
import { define, language, t } from './i18n.js';

define({
  vi: {
    docs_notes: 'Ghi chú riêng',
    docs_notes_filled: 'Ghi chú riêng (đã có)',
    docs_notes_label: 'Ghi chú riêng — đồng bộ giữa các thiết bị của bạn',
    docs_notes_help: 'Chỉ bạn đọc được ghi chú này, kể cả chủ tọa và thư ký cũng không. Ghi chú được lưu ngay trên thiết bị, rồi gửi lên máy chủ khi có mạng.',
    docs_note_saving: 'Đang lưu…',
    docs_note_saved: 'Đã lưu trên thiết bị lúc {time}; sẽ đồng bộ khi có mạng',
    docs_note_synced: 'Đã lưu trên thiết bị lúc {time} và đã đồng bộ',
    docs_note_failed: 'Không lưu được ghi chú: bộ nhớ thiết bị đã đầy hoặc không cho lưu.',
    docs_highlights: 'Đoạn đã đánh dấu',
    docs_highlights_none: 'Chọn một đoạn trong văn bản rồi bấm “Đánh dấu” để giữ lại ở đây.',
    docs_highlight_page: 'Trang {page}',
    docs_highlight_remove: 'Bỏ đánh dấu',
    docs_highlight_remove_label: 'Bỏ đánh dấu đoạn ở trang {page}',
  },
  en: {
    docs_notes: 'Private notes',
    docs_notes_filled: 'Private notes (written)',
    docs_notes_label: 'Private notes — synced across your devices',
    docs_notes_help: 'Only you can read these notes, not even the chair or the secretary. They are saved on this device at once, then sent to the hub when there is a network.',
    docs_note_saving: 'Saving…',
    docs_note_saved: 'Saved on this device at {time}; syncs when there is a network',
    docs_note_synced: 'Saved on this device at {time} and synced',
    docs_note_failed: 'The note could not be saved: the device storage is full or refuses it.',
    docs_highlights: 'Highlighted passages',
    docs_highlights_none: 'Select a passage in the document, then press “Highlight” to keep it here.',
    docs_highlight_page: 'Page {page}',
    docs_highlight_remove: 'Remove',
    docs_highlight_remove_label: 'Remove the highlight on page {page}',
  },
});

const NOTE_PREFIX = 'quorum.note.';
/** Typing pauses this long before a note is saved (it is saved on closing, too). */
const NOTE_DELAY_MS = 600;
/** While a reader is open, its note is pulled this often (and whenever the page shows). */
const PULL_MS = 20_000;
const NOTE_MAX = 20_000;

/** Whether the person wrote a note on this document (as this device knows it). */
export function hasNote(meetingId, documentId, owner) {
  return load(key(meetingId, documentId, owner)).text.trim() !== '';
}

/** Sends every note of `meetingId` edited on this device and not yet on the hub. */
export function pushPending({ meetingId, owner, token }) {
  const prefix = `${NOTE_PREFIX}${owner}.${meetingId}.`;
  let names = [];
  try {
    names = Object.keys(localStorage).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    if (!load(name).dirty) continue;
    const documentId = name.slice(prefix.length);
    push({ meetingId, documentId, token, key: name }).catch(() => {});
  }
}

/** The longest highlighted passage kept, in characters (the hub's limit). */
const HIGHLIGHT_MAX = 2_000;

/**
 * The notes panel for `doc`: a toggle, and under it the text area and the highlights.
 * `options`: {doc, meetingId, owner, token}; `onHighlights()` is called when they
 * change (here or from another device) and `jump(page)` shows a page. Returns
 * {element, save(), label(), close(), highlights(), addHighlight({page, text})}.
 */
export function notesPanel({ doc, meetingId, owner, token }, { onHighlights = () => {}, jump = () => {} } = {}) {
  const target = { meetingId, documentId: doc.id, token, key: key(meetingId, doc.id, owner) };
  const toggle = h('button', { type: 'button', class: 'reader-notes-toggle', 'aria-expanded': 'false', 'aria-controls': 'reader-notes-panel' });
  const field = h('textarea', { id: 'reader-note', class: 'reader-note', rows: '6', maxlength: String(NOTE_MAX), 'aria-describedby': 'reader-note-help reader-note-state' });
  const fieldLabel = h('label', { for: 'reader-note' });
  const help = h('p', { id: 'reader-note-help', class: 'muted small' });
  const state = h('p', { id: 'reader-note-state', class: 'small', role: 'status' });
  const marksTitle = h('h3', { class: 'reader-highlights-title' });
  const marksList = h('ul', { class: 'reader-highlights' });
  const panel = h('div', { id: 'reader-notes-panel', class: 'reader-notes-panel', hidden: true }, fieldLabel, field, help, state, marksTitle, marksList);
  let note = load(target.key);
  field.value = note.text;
  let timer = 0;
  let typing = false;
  let failed = false;
  let closed = false;

  const showState = () => {
    if (failed) state.replaceChildren(glyph('!'), ' ', t('docs_note_failed'));
    else if (typing) state.replaceChildren(glyph('…'), ' ', t('docs_note_saving'));
    else if (note.saved_at && !note.dirty) state.replaceChildren(glyph('✓'), ' ', t('docs_note_synced', { time: clock(note.saved_at) }));
    else if (note.saved_at) state.replaceChildren(glyph('✓'), ' ', t('docs_note_saved', { time: clock(note.saved_at) }));
    else state.replaceChildren();
    state.classList.toggle('is-ok', !failed && !typing && Boolean(note.saved_at));
    state.classList.toggle('is-warn', failed);
  };
  const labelToggle = () => {
    const filled = field.value.trim() !== '';
    toggle.replaceChildren(glyph('✎'), ' ', filled ? t('docs_notes_filled') : t('docs_notes'), ' ', glyph(panel.hidden ? '▴' : '▾'));
  };
  const showMarks = () => {
    marksTitle.textContent = t('docs_highlights');
    if (note.highlights.length === 0) {
      marksList.replaceChildren(h('li', { class: 'muted small' }, t('docs_highlights_none')));
      return;
    }
    marksList.replaceChildren(
      ...note.highlights.map((mark, index) =>
        h(
          'li',
          { class: 'reader-highlight' },
          h('button', { type: 'button', class: 'reader-highlight-text', onclick: () => jump(mark.page) }, h('strong', {}, t('docs_highlight_page', { page: mark.page })), ' “', mark.text, '”'),
          h('button', { type: 'button', class: 'reader-highlight-remove', 'aria-label': t('docs_highlight_remove_label', { page: mark.page }), onclick: () => changeMarks(note.highlights.filter((_, i) => i !== index)) }, t('docs_highlight_remove')),
        ),
      ),
    );
  };
  /** Keeps a new list of highlights here, then sends it. */
  const changeMarks = (highlights) => {
    try {
      note = { ...load(target.key), highlights, saved_at: Date.now(), dirty: true };
      store(target.key, note);
      failed = false;
    } catch {
      failed = true;
    }
    showState();
    showMarks();
    onHighlights();
    sync(false);
  };
  /** What the hub or this device now holds, shown unless the person is typing. */
  const adopt = (next) => {
    const marksChanged = JSON.stringify(next.highlights) !== JSON.stringify(note.highlights);
    note = next;
    if (!typing && field.value !== next.text) {
      field.value = next.text;
      labelToggle();
    }
    showState();
    if (marksChanged) {
      showMarks();
      onHighlights();
    }
  };
  const sync = (pulling) => {
    if (closed || !navigator.onLine) return;
    (pulling ? pull(target) : push(target)).then(adopt, () => showState());
  };
  const save = () => {
    clearTimeout(timer);
    if (!typing) return;
    typing = false;
    try {
      note = { ...load(target.key), text: field.value, saved_at: Date.now(), dirty: true };
      store(target.key, note);
      failed = false;
    } catch {
      failed = true;
    }
    showState();
    sync(false);
  };
  field.addEventListener('input', () => {
    typing = true;
    showState();
    clearTimeout(timer);
    timer = setTimeout(save, NOTE_DELAY_MS);
  });
  field.addEventListener('blur', save);
  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    labelToggle();
    if (open) field.focus();
  });
  // Another device of the same person may have written: look when the page shows again,
  // when the network returns, and now and then.
  const onShow = () => document.visibilityState === 'visible' && sync(true);
  const onOnline = () => sync(true);
  document.addEventListener('visibilitychange', onShow);
  window.addEventListener('focus', onShow);
  window.addEventListener('online', onOnline);
  const poll = setInterval(() => document.visibilityState === 'visible' && sync(true), PULL_MS);
  sync(true);
  return {
    element: h('section', { class: 'reader-notes' }, toggle, panel),
    save,
    label() {
      labelToggle();
      fieldLabel.textContent = t('docs_notes_label');
      help.textContent = t('docs_notes_help');
      showState();
      showMarks();
    },
    highlights: () => note.highlights,
    /** Keeps a selected passage, and opens the panel on it. */
    addHighlight({ page, text }) {
      const passage = text.replace(/\s+/g, ' ').trim().slice(0, HIGHLIGHT_MAX);
      if (!passage || !Number.isInteger(page) || page < 1) return;
      changeMarks([...note.highlights, { page, text: passage }]);
      // Shown at once, without the keyboard a focused text area would bring up.
      panel.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      labelToggle();
    },
    close() {
      save();
      closed = true;
      clearInterval(poll);
      document.removeEventListener('visibilitychange', onShow);
      window.removeEventListener('focus', onShow);
      window.removeEventListener('online', onOnline);
    },
  };
}

// --- This device's copy: {text, saved_at, revision, highlights, dirty} ---

function key(meetingId, documentId, owner) {
  return `${NOTE_PREFIX}${owner}.${meetingId}.${documentId}`;
}

function load(name) {
  try {
    const saved = JSON.parse(localStorage.getItem(name));
    const text = typeof saved?.text === 'string' ? saved.text : '';
    return {
      text,
      saved_at: saved?.saved_at ?? null,
      revision: Number.isInteger(saved?.revision) ? saved.revision : 0,
      highlights: Array.isArray(saved?.highlights) ? saved.highlights : [],
      // A note kept before notes were synced has never been sent.
      dirty: typeof saved?.dirty === 'boolean' ? saved.dirty : text !== '',
    };
  } catch {
    return { text: '', saved_at: null, revision: 0, highlights: [], dirty: false };
  }
}

/** Keeps the note on this device; throws when the storage refuses. */
function store(name, note) {
  localStorage.setItem(name, JSON.stringify(note));
}

// --- The hub's copy ---

async function request(method, target, body) {
  const path = `/api/meetings/${encodeURIComponent(target.meetingId)}/documents/${encodeURIComponent(target.documentId)}/notes`;
  const headers = { Authorization: `Bearer ${target.token}`, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  return fetch(path, { method, headers, body: body && JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
}

/** Brings this device's copy up to the hub's; an unsent edit here is pushed instead. */
async function pull(target) {
  const local = load(target.key);
  if (local.dirty) return push(target);
  const response = await request('GET', target);
  if (!response.ok) throw new Error(`notes: ${response.status}`);
  const hub = await response.json();
  if (hub.revision === local.revision) return local;
  const next = { text: hub.text, saved_at: hub.saved_at, revision: hub.revision, highlights: hub.highlights ?? [], dirty: false };
  store(target.key, next);
  return next;
}

/** Sends this device's edit on top of the hub's latest revision (the last writer wins). */
async function push(target) {
  let local = load(target.key);
  for (let attempt = 0; local.dirty && attempt < 3; attempt += 1) {
    const response = await request('PUT', target, { base_revision: local.revision, text: local.text, highlights: local.highlights });
    if (response.status === 409) {
      const hub = await response.json();
      local = { ...load(target.key), revision: hub.revision };
      store(target.key, local);
      continue;
    }
    if (!response.ok) throw new Error(`notes: ${response.status}`);
    const saved = await response.json();
    // The person may have typed while it was on its way: that stays to be sent.
    const current = load(target.key);
    const same = current.text === local.text && JSON.stringify(current.highlights) === JSON.stringify(local.highlights);
    local = { ...current, revision: saved.revision, saved_at: saved.saved_at, dirty: !same };
    store(target.key, local);
  }
  return local;
}

function clock(millis) {
  return new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', { timeStyle: 'short' }).format(new Date(millis));
}
