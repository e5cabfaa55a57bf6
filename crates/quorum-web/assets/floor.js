// The speakers' list: a delegate's request to speak (speech, interpellation, point of
// order) and place in the queue, the chair's grant / extend / end with a speaking timer,
// and the current speaker on the projector.

import { define } from './i18n.js';

define({
  vi: {},
  en: {},
});

/** The speakers' list blocks of a participant's screen. */
export function floorBlocks(_view, _ui) {
  return [];
}

/** The projector's current-speaker blocks. */
export function projectorFloorBlocks(_view) {
  return [];
}

/** What the floor buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function floorActions(_ctx) {
  return {};
}
