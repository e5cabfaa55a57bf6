// Documents per agenda item: downloaded in the background with visible progress, kept
// for offline reading, PDFs rendered in the page, and private notes per document.

import { define } from './i18n.js';

define({
  vi: {},
  en: {},
});

/** The documents blocks of a participant's screen. */
export function documentBlocks(_view, _ui) {
  return [];
}

/** What the document buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function documentActions(_ctx) {
  return {};
}
