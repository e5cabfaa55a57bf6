// Builds the screens from the meeting view and this device's own state. A live screen is
// a list of keyed blocks, each rebuilt only when what it shows changed, so an update that
// arrives mid-tap never swaps the button under a finger nor moves the keyboard focus.
// Text always goes in as text (never as markup), and meaning never rests on colour alone.

import { alertBlocks } from './alert.js';
import { chairBlocks } from './chair.js';
import { documentBlocks } from './documents.js';
import { button, glyph, h, sig } from './dom.js';
import { floorBlocks } from './floor.js';
import { dateTime, number, t } from './i18n.js';
import { outcomeCard } from './outcomes.js';
import { pollCards } from './polls.js';
import { secretaryBlocks } from './secretary.js';
import { currentItem, isChair, nameOf, outcomesOf } from './view.js';

// --- Signing in and the list of meetings ---

/** The sign-in screen: paste an invitation link or code. */
export function joinScreen(prefill, onSubmit) {
  const input = h('input', {
    id: 'code',
    name: 'code',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    required: true,
  });
  input.value = prefill;
  const submit = (event) => {
    event.preventDefault();
    onSubmit(input.value);
  };
  return h(
    'section',
    { class: 'screen' },
    h('h1', {}, t('join_title')),
    h('p', {}, t('join_help')),
    h(
      'form',
      { class: 'card', onsubmit: submit },
      h('label', { for: 'code' }, t('join_code')),
      input,
      h('button', { type: 'submit', class: 'button button--primary' }, t('join_button')),
    ),
  );
}

/** My meetings, each a link to its live screen. */
export function meetingsScreen(meetings) {
  return h(
    'section',
    { class: 'screen' },
    h('h1', {}, t('meetings_title')),
    meetings.length === 0
      ? h('p', { class: 'muted' }, t('meetings_empty'))
      : h(
          'ul',
          { class: 'meeting-list' },
          meetings.map((meeting) =>
            h(
              'li',
              {},
              h(
                'a',
                { class: 'meeting-link', href: `#meeting=${encodeURIComponent(meeting.id)}` },
                h('span', { class: 'meeting-link-title' }, meeting.title),
                h(
                  'span',
                  { class: 'meta' },
                  meetingStatus(meeting.status),
                  meeting.kind === 'urgent' && urgentBadge(),
                  h('span', {}, dateTime(meeting.scheduled_at)),
                  meeting.location && h('span', {}, meeting.location),
                  meeting.role && h('span', {}, t(`role_${meeting.role}`)),
                ),
              ),
            ),
          ),
        ),
  );
}

export function meetingStatus(status) {
  const symbol = { scheduled: '◷', open: '●', closed: '■' }[status] ?? '';
  return h('span', { class: `badge badge--${status}` }, glyph(symbol), ' ', t(`status_${status}`));
}

export function urgentBadge() {
  return h('span', { class: 'badge badge--urgent' }, glyph('⚠'), ' ', t('urgent'));
}

// --- The live meeting, on a participant's device ---

/**
 * The blocks of a participant's screen. `ui`: {ballots, chair, checkIn, status,
 * backLink, actions} — the device's own state and what the buttons do. A phone gets one
 * column; the chair's console arranges the same parts, and its own, in columns.
 */
export function meetingBlocks(view, ui) {
  const item = currentItem(view);
  const outcomes = outcomesOf(view, item?.id ?? null);
  const parts = {
    // An unanswered urgent alert comes first, and takes the screen over.
    alerts: alertBlocks(view, ui),
    head: [{ key: 'head', sig: sig(view.meeting, view.audience, view.me?.role, ui.backLink), build: () => meetingHead(view, ui) }],
    item: [{ key: 'item', sig: sig(view.agenda), build: () => itemCard(view) }],
    documents: documentBlocks(view, ui),
    quorum: [{ key: 'quorum', sig: sig(view.quorum), build: () => quorumCard(view.quorum) }],
    me: view.me ? [{ key: 'me', sig: sig(view.me, ui.checkIn, nameOf(view, view.me.member)), build: () => myCard(view, ui) }] : [],
    floor: floorBlocks(view, ui),
    secretary: secretaryBlocks(view, ui),
  };
  if (isChair(view)) return chairBlocks(view, ui, parts);
  const said = outcomes.conclusions.length + outcomes.directives.length > 0;
  return [
    ...parts.alerts,
    ...parts.head,
    ...parts.item,
    // What the meeting concluded on the item under discussion, read-only.
    ...(said ? [{ key: 'outcomes', sig: sig(item?.id, outcomes), build: () => outcomeCard(view, item) }] : []),
    ...parts.documents,
    ...parts.quorum,
    ...parts.me,
    ...parts.floor,
    ...pollCards(view, ui),
    ...parts.secretary,
  ];
}

export function meetingHead(view, ui) {
  const details = view.meeting.details;
  const role = view.me ? t(`role_${view.me.role}`) : t('role_admin');
  return h(
    'section',
    { class: 'meeting-head' },
    ui.backLink && h('a', { class: 'back', href: '#meetings' }, glyph('←'), ' ', t('all_meetings')),
    h('h1', {}, details.title),
    h(
      'p',
      { class: 'meta' },
      meetingStatus(view.meeting.status),
      details.kind === 'urgent' && urgentBadge(),
      details.location && h('span', {}, details.location),
      h('span', {}, role),
    ),
  );
}

function itemCard(view) {
  const item = currentItem(view);
  const items = view.agenda.items;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'item-heading' },
    h('h2', { id: 'item-heading', class: 'card-label' }, t('current_item')),
    item
      ? [h('p', { class: 'item-title' }, item.title), h('p', { class: 'muted' }, item.description)]
      : h('p', { class: 'muted' }, t('no_current_item')),
    items.length > 0 &&
      h(
        'details',
        { class: 'agenda' },
        h('summary', {}, t('agenda', { count: items.length })),
        h('ol', {}, items.map((i) => h('li', { 'aria-current': i.id === item?.id ? 'step' : null }, i.title))),
      ),
  );
}

export function quorumCard(quorum, extraClass = '') {
  return h(
    'section',
    { class: `card ${extraClass}`, 'aria-labelledby': 'quorum-heading' },
    h('h2', { id: 'quorum-heading', class: 'card-label' }, t('quorum')),
    h(
      'p',
      { class: `state ${quorum.met ? 'is-ok' : 'is-warn'}` },
      glyph(quorum.met ? '✓' : '!'),
      ' ',
      quorum.met ? t('quorum_met') : t('quorum_not_met'),
      h('span', { class: 'figure' }, `${number(quorum.present)}/${number(quorum.required)}`),
    ),
    h(
      'p',
      { class: 'muted' },
      t('quorum_detail', { present: number(quorum.present), required: number(quorum.required), base: number(quorum.base) }),
      h('br'),
      t('quorum_modes', { in_room: number(quorum.in_room), remote: number(quorum.remote) }),
    ),
  );
}

function myCard(view, ui) {
  const me = view.me;
  const present = me.attendance.status === 'present';
  const sending = ui.checkIn === 'sending';
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'me-heading' },
    h('h2', { id: 'me-heading', class: 'card-label' }, t('my_attendance')),
    h('p', { class: 'me-name' }, nameOf(view, me.member), ' — ', t(`role_${me.role}`)),
    !me.voting_right && h('p', { class: 'muted' }, t('no_voting_right')),
    present
      ? h(
          'p',
          // The same focus key as the button it replaces: focus moves from one to the other.
          { class: 'state is-ok', tabindex: '-1', 'data-focus': 'check-in' },
          glyph('✓'),
          ' ',
          me.attendance.mode === 'remote' ? t('checked_in_remote') : t('checked_in_room'),
        )
      : [
          h('p', { class: 'muted' }, t('not_checked_in')),
          button('primary', sending ? t('sending') : t('check_in'), () => ui.actions.checkIn('in_room'), {
            'aria-disabled': sending && 'true',
            'data-focus': 'check-in',
          }),
          button('secondary', t('check_in_remote'), () => ui.actions.checkIn('remote'), {
            'aria-disabled': sending && 'true',
            'data-focus': 'check-in-remote',
          }),
        ],
  );
}
