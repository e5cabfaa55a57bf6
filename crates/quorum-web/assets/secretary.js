// The secretary's desk: create a meeting (from scratch or a template), import the roster
// with a preview and per-row errors, upload documents per item, print invitations as a
// sheet of QR codes, and export the record.

import { define } from './i18n.js';

define({
  vi: {},
  en: {},
});

/** The secretary's blocks of the meeting screen (none for other roles). */
export function secretaryBlocks(_view, _ui) {
  return [];
}

/** What the secretary's buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function secretaryActions(_ctx) {
  return {};
}

/** Extra nodes under "my meetings" (such as "create a meeting"), or null. */
export function meetingsExtras(_session) {
  return null;
}

/**
 * The secretary's own screens, routed by the address's hash (such as `#new-meeting`):
 * returns a screen {render(), stop()} drawing into `show(node)`, or null when the hash is
 * not the secretary's.
 */
export function secretaryScreen(_hash, _session, _tools) {
  return null;
}
