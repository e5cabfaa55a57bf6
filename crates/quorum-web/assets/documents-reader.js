// The reader: a document opened full screen inside the app — PDFs page by page
// (documents-pdf.js), text and images shown as they are, other files offered as a
// download — read from the device's copy, so it works offline. The close button, Escape
// and the phone's Back all close it. Beside it, the person's private notes on the
// document (documents-notes.js), synced across their devices.

import { glyph, h } from './dom.js';
import { notesPanel } from './documents-notes.js';
import { showPdf } from './documents-pdf.js';
import { percent } from './documents-queue.js';
import * as store from './documents-store.js';
import { define, language, number, t } from './i18n.js';

define({
  vi: {
    docs_close: 'Đóng',
    docs_highlight: 'Đánh dấu',
    docs_close_label: 'Đóng tài liệu',
    docs_pages: '{count} trang',
    docs_page: 'Trang {page}/{count}',
    docs_opening: 'Đang mở tài liệu…',
    docs_waiting: 'Tài liệu đang được tải về thiết bị: {percent}%.',
    docs_waiting_queue: 'Tài liệu sẽ mở ngay khi tải xong.',
    docs_not_downloaded: 'Chưa tải được tài liệu: {reason}.',
    docs_unreadable: 'Bản lưu trên thiết bị không đọc được; đang tải lại.',
    docs_pdf_failed: 'Không hiển thị được tệp PDF này trong ứng dụng. Bạn có thể tải tệp về thiết bị để mở bằng ứng dụng khác.',
    docs_other_type: 'Ứng dụng không hiển thị trực tiếp được loại tệp này. Tải tệp về thiết bị để mở bằng ứng dụng phù hợp.',
    docs_save_file: 'Tải tệp về thiết bị',
  },
  en: {
    docs_close: 'Close',
    docs_highlight: 'Highlight',
    docs_close_label: 'Close the document',
    docs_pages: '{count} pages',
    docs_page: 'Page {page} of {count}',
    docs_opening: 'Opening the document…',
    docs_waiting: 'The document is downloading to this device: {percent}%.',
    docs_waiting_queue: 'The document opens as soon as it is downloaded.',
    docs_not_downloaded: 'The document is not downloaded: {reason}.',
    docs_unreadable: 'The copy on this device cannot be read; downloading it again.',
    docs_pdf_failed: 'This PDF cannot be shown in the app. You can save the file to the device and open it with another app.',
    docs_other_type: 'The app cannot show this kind of file. Save it to the device to open it with a suitable app.',
    docs_save_file: 'Save the file to the device',
  },
});

/** The reader on show, or null. */
let reader = null;

// The reader's history entry is only meaningful while it is open: a reload forgets it.
if (history.state?.quorumReader) history.replaceState(null, '');
window.addEventListener('popstate', () => {
  if (reader) closeNow();
});
window.addEventListener('pagehide', () => reader?.saveNote());

/**
 * Opens `options.doc` full screen. `options`: {doc, meetingId, owner, token, entry(),
 * kind, meta(), retry(), refetch(), focusBack()}.
 */
export function openReader(options) {
  if (reader) closeReader();
  const { doc } = options;
  const close = h('button', { type: 'button', class: 'reader-close', onclick: closeReader });
  const title = h('h2', { id: 'reader-title', class: 'reader-title' }, doc.name);
  const meta = h('p', { class: 'reader-meta' });
  const body = h('div', { class: 'reader-body', tabindex: '0', 'aria-labelledby': 'reader-title' });
  const notes = notesPanel(options, {
    onHighlights: () => reader?.view?.remark?.(),
    jump: (page) => body.querySelector(`.pdf-page[data-page="${page}"]`)?.scrollIntoView({ block: 'start' }),
  });
  // Shown while a passage of a PDF page is selected: keeps it as a highlight.
  const mark = h('button', { type: 'button', class: 'reader-mark button button--primary', hidden: true });
  mark.addEventListener('pointerdown', (event) => event.preventDefault());
  mark.addEventListener('click', () => {
    const chosen = selectedPassage(body);
    if (!chosen) return;
    notes.addHighlight(chosen);
    window.getSelection()?.removeAllRanges();
    mark.hidden = true;
  });
  const onSelection = () => {
    mark.hidden = !selectedPassage(body);
  };
  document.addEventListener('selectionchange', onSelection);
  const dialog = h(
    'dialog',
    { class: 'reader', 'aria-labelledby': 'reader-title' },
    h('header', { class: 'reader-bar' }, close, h('div', { class: 'reader-heading' }, title, meta), mark),
    body,
    notes.element,
  );
  // Escape closes through history too, so that Back is not left pointing at the reader.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    closeReader();
  });
  reader = { options, dialog, close, meta, body, notes, mark, onSelection, shown: null, pages: null, view: null, language: null, url: null, saveNote: notes.save };
  document.body.append(dialog);
  document.body.classList.add('is-reading');
  dialog.showModal();
  close.focus();
  history.pushState({ quorumReader: doc.id }, '');
  label();
  refresh();
}

/** Closes the reader, if open, and takes its entry off the history. */
export function closeReader() {
  if (!reader) return;
  const id = reader.options.doc.id;
  closeNow();
  if (history.state?.quorumReader === id) history.back();
}

/**
 * Keeps the reader in step after a render: `entryOf(hash)` gives a document's download
 * state; a document not among `ids` (no longer shared) closes it.
 */
export function refreshReader(entryOf, ids) {
  if (!reader) return;
  if (!ids.has(reader.options.doc.id)) {
    closeReader();
    return;
  }
  if (reader.language !== language()) label();
  refresh();
}

function closeNow() {
  const closing = reader;
  reader = null;
  closing.notes.close();
  document.removeEventListener('selectionchange', closing.onSelection);
  closing.view?.destroy();
  if (closing.url) URL.revokeObjectURL(closing.url);
  closing.dialog.close();
  closing.dialog.remove();
  document.body.classList.remove('is-reading');
  closing.options.focusBack();
}

/** The words that change with the language. */
function label() {
  reader.language = language();
  reader.close.replaceChildren(glyph('✕'), ' ', t('docs_close'));
  reader.close.setAttribute('aria-label', t('docs_close_label'));
  const pages = reader.pages ? ` · ${t('docs_pages', { count: number(reader.pages) })}` : '';
  reader.meta.textContent = `${reader.options.meta()}${pages}`;
  reader.notes.label();
  reader.mark.replaceChildren(glyph('▍'), ' ', t('docs_highlight'));
  const count = reader.pages;
  reader.body.querySelectorAll('.pdf-page').forEach((page) => {
    page.setAttribute('aria-label', t('docs_page', { page: number(Number(page.dataset.page)), count: number(count) }));
  });
  // A document on show stays; a message is written again in the new language.
  if (reader.shown !== 'content' && reader.shown !== 'opening') reader.shown = null;
}

/** Shows the document, or where its download stands. */
function refresh() {
  const entry = reader.options.entry();
  const status = entry?.status ?? 'queued';
  if (status === 'saved') {
    if (reader.shown !== 'content' && reader.shown !== 'opening') show(reader);
    return;
  }
  const key = `${status}:${status === 'downloading' ? percent(entry) : entry?.reason}:${reader.language}`;
  if (reader.shown === key) return;
  reader.shown = key;
  if (status === 'failed') {
    reader.body.replaceChildren(
      h(
        'div',
        { class: 'reader-message' },
        h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('docs_not_downloaded', { reason: t(`docs_reason_${entry.reason}`) })),
        h('button', { type: 'button', class: 'button button--primary', onclick: () => reader?.options.retry() }, glyph('↻'), ' ', t('docs_retry')),
      ),
    );
  } else if (status === 'downloading') {
    const total = Math.max(entry.total, 1);
    reader.body.replaceChildren(
      h(
        'div',
        { class: 'reader-message', role: 'status' },
        h('p', {}, glyph('↓'), ' ', t('docs_waiting', { percent: number(percent(entry)) })),
        h('progress', { max: String(total), value: String(Math.min(entry.loaded, total)), 'aria-label': t('docs_progress_label', { name: reader.options.doc.name }) }),
      ),
    );
  } else {
    reader.body.replaceChildren(h('div', { class: 'reader-message', role: 'status' }, h('p', {}, glyph('◷'), ' ', t('docs_waiting_queue'))));
  }
}

/** Reads the device's copy and shows it as its kind allows. */
async function show(current) {
  current.shown = 'opening';
  current.body.replaceChildren(h('p', { class: 'reader-message', role: 'status' }, glyph('…'), ' ', t('docs_opening')));
  const { doc, kind } = current.options;
  const blob = await store.read(doc.content_hash);
  if (reader !== current) return;
  if (!blob) {
    // Evicted by the browser, or storage refused: download it again.
    current.body.replaceChildren(h('p', { class: 'reader-message', role: 'status' }, t('docs_unreadable')));
    current.shown = null;
    current.options.refetch();
    return;
  }
  current.shown = 'content';
  try {
    if (kind === 'pdf') {
      const pages = h('div', { class: 'pdf-pages' });
      current.body.replaceChildren(pages);
      const label = (page, count) => t('docs_page', { page: number(page), count: number(count) });
      const view = await showPdf(pages, current.body, blob, label, () => current.notes.highlights());
      if (reader !== current) {
        view.destroy();
        return;
      }
      current.view = view;
      current.pages = view.count;
      relabelMeta(current);
    } else if (kind === 'text') {
      current.body.replaceChildren(h('pre', { class: 'reader-text' }, await blob.text()));
    } else if (kind === 'image') {
      const source = await dataUrl(blob);
      if (reader !== current) return;
      current.body.replaceChildren(h('img', { class: 'reader-image', src: source, alt: doc.name }));
    } else {
      offerDownload(current, t('docs_other_type'), blob);
    }
  } catch (error) {
    if (reader !== current) return;
    console.warn('quorum: the document could not be shown', error);
    offerDownload(current, t('docs_pdf_failed'), blob);
  }
}

function relabelMeta(current) {
  current.meta.textContent = `${current.options.meta()} · ${t('docs_pages', { count: number(current.pages) })}`;
}

/** A file the app cannot show: a link that saves the device's copy. */
function offerDownload(current, message, blob) {
  if (current.url) URL.revokeObjectURL(current.url);
  current.url = URL.createObjectURL(blob);
  current.body.replaceChildren(
    h(
      'div',
      { class: 'reader-message' },
      h('p', {}, message),
      h('a', { class: 'button button--primary', href: current.url, download: current.options.doc.name }, glyph('↓'), ' ', t('docs_save_file')),
    ),
  );
}

/** An image as a data: address (the content security policy allows data: images). */
function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const file = new FileReader();
    file.onload = () => resolve(file.result);
    file.onerror = () => reject(file.error);
    file.readAsDataURL(blob);
  });
}

/** The passage selected on one PDF page of `body`, as {page, text}, or null. */
function selectedPassage(body) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const text = selection.toString().trim();
  const start = selection.getRangeAt(0).startContainer;
  const element = start.nodeType === Node.ELEMENT_NODE ? start : start.parentElement;
  const page = element?.closest('.pdf-page');
  if (!text || !page || !body.contains(page)) return null;
  return { page: Number(page.dataset.page), text };
}
