// The chair's console: attendance and the live quorum, moving through the agenda, ad-hoc
// polls, the countdown, who has not voted (named polls), conclusions and directives, and
// what the hall projector shows.

import { define } from './i18n.js';

define({
  vi: {},
  en: {},
});

/** The chair's own blocks of the meeting screen (none for other roles). */
export function chairBlocks(_view, _ui) {
  return [];
}

/** What the chair's buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function chairActions(_ctx) {
  return {};
}
