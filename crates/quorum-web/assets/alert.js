// Urgent meetings: the chair convenes or raises an alert, and a member's device gives the
// alert the whole screen until it is answered — joining remotely, in the room, or cannot
// attend — while the chair watches the answers arrive.

import { define } from './i18n.js';

define({
  vi: {},
  en: {},
});

/** The alert blocks: placed first, they take over the screen while unanswered. */
export function alertBlocks(_view, _ui) {
  return [];
}

/** What the alert buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function alertActions(_ctx) {
  return {};
}
