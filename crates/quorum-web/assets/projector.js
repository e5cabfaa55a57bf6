// The hall projector: a full-screen, read-only view of public information only, readable
// from the back of the hall. It shows what the chair chose (meeting/projector.rs): by
// default the poll the hall follows — progress, live results when the poll allows them,
// the verdict in big letters, the countdown — else a welcome screen with a code to join;
// or the item under discussion, the speaker, or the quorum.

import { call, savedSession } from './api.js';
import { glyph, h, sig } from './dom.js';
import { projectorFloorBlocks } from './floor.js';
import { define, number, t } from './i18n.js';
import { outcomeList } from './outcomes.js';
import { pollHead, resultsBlock } from './polls.js';
import { meetingStatus, quorumCard } from './render.js';
import { currentItem, projectorScreen } from './view.js';

define({
  vi: {
    proj_welcome: 'Kính chào quý đại biểu',
    proj_join: 'Tham gia bằng điện thoại',
    proj_join_help: 'Quét mã để mở Quorum, rồi mở đường dẫn mời hoặc nhập mã mời của bạn.',
    proj_join_alt: 'Mã QR mở trang tham gia cuộc họp',
    proj_item_position: 'Nội dung {number}/{count}',
    proj_speaker: 'Người phát biểu',
    proj_no_speaker: 'Chưa có đại biểu phát biểu.',
    proj_present: 'Có mặt',
    proj_required: 'Cần',
    proj_members: 'Tổng số',
    proj_audit: 'Mã kiểm chứng hồ sơ (sự kiện {seq}): {hash}',
  },
  en: {
    proj_welcome: 'Welcome',
    proj_join: 'Join from your phone',
    proj_join_help: 'Scan the code to open Quorum, then open your invitation link or type your code.',
    proj_join_alt: 'QR code of the page to join the meeting',
    proj_item_position: 'Item {number} of {count}',
    proj_speaker: 'The speaker',
    proj_no_speaker: 'Nobody has the floor.',
    proj_present: 'Present',
    proj_required: 'Needed',
    proj_members: 'Members',
    proj_audit: 'Record check code (event {seq}): {hash}',
  },
});

/** The projector's blocks: the screen the chair chose, large and read-only. */
export function projectorBlocks(view) {
  const shown = projectorScreen(view);
  const item = currentItem(view);
  const head = { key: 'p-head', sig: sig(view.meeting), build: () => projectorHead(view) };
  const itemBlock = { key: 'p-item', sig: sig(item), build: () => itemCard(view, item) };
  const quorum = { key: 'p-quorum', sig: sig(view.quorum), build: () => quorumCard(view.quorum, 'projector-quorum') };
  const floor = projectorFloorBlocks(view);
  let children;
  switch (shown.screen) {
    case 'poll': {
      const poll = shown.poll;
      children = [
        head,
        itemBlock,
        quorum,
        {
          key: `p-poll:${poll.id}`,
          sig: sig(poll.spec, poll.status, poll.round, poll.deadline, poll.progress, poll.results),
          build: () =>
            h(
              'section',
              { class: 'card poll projector-poll', 'aria-labelledby': `poll-${poll.id}` },
              pollHead(poll),
              resultsBlock(poll),
              poll.status === 'closed' || poll.status === 'published' ? auditHead(view.meeting.id) : null,
            ),
        },
        // In the automatic mode the hall also sees who has the floor, as it always did.
        ...(shown.auto ? floor : []),
      ];
      break;
    }
    case 'agenda_item': {
      const outcomes = view.conclusions.concat(view.directives).filter((o) => (o.item ?? null) === (item?.id ?? null));
      children = [
        head,
        { key: 'p-focus', sig: sig(view.agenda, outcomes), build: () => agendaFocus(view, item) },
        quorum,
      ];
      break;
    }
    case 'speaker':
      children = [
        head,
        itemBlock,
        quorum,
        ...(floor.length > 0
          ? floor
          : [{ key: 'p-no-speaker', sig: sig(), build: noSpeaker }]),
      ];
      break;
    case 'quorum':
      children = [head, itemBlock, { key: 'p-quorum-big', sig: sig(view.quorum), build: () => bigQuorum(view.quorum) }];
      break;
    default:
      children = [head, { key: 'p-welcome', sig: sig(view.meeting.id), build: () => welcome(view) }, itemBlock, quorum];
  }
  return [
    {
      key: `p-screen:${shown.screen}`,
      sig: sig(),
      build: () => h('div', { class: `projector-screen projector-screen--${shown.screen}` }, h('div', { class: 'slot projector-grid' })),
      children,
    },
  ];
}

function projectorHead(view) {
  return h(
    'header',
    { class: 'projector-head' },
    h('h1', {}, view.meeting.details.title),
    h('p', { class: 'meta' }, meetingStatus(view.meeting.status), h('span', {}, view.meeting.details.location)),
  );
}

function itemCard(view, item) {
  return h(
    'section',
    { class: 'card projector-item', 'aria-labelledby': 'item-heading' },
    h('h2', { id: 'item-heading', class: 'card-label' }, t('current_item')),
    h('p', { class: 'item-title' }, item ? item.title : t('no_current_item')),
  );
}

/** The item under discussion, large, with the agenda around it and its conclusions. */
function agendaFocus(view, item) {
  const items = view.agenda.items;
  const index = items.findIndex((candidate) => candidate.id === item?.id);
  return h(
    'section',
    { class: 'card projector-focus projector-agenda', 'aria-labelledby': 'item-heading' },
    h('h2', { id: 'item-heading', class: 'card-label' }, t('current_item')),
    index >= 0 && h('p', { class: 'muted' }, t('proj_item_position', { number: index + 1, count: items.length })),
    h('p', { class: 'focus-title' }, item ? item.title : t('no_current_item')),
    item?.description && h('p', { class: 'focus-description' }, item.description),
    item && h('div', { class: 'projector-outcomes' }, outcomeList(view, item.id)),
    items.length > 1 &&
      h(
        'ol',
        { class: 'projector-agenda-list' },
        items.map((entry, i) =>
          h('li', { 'aria-current': i === index ? 'step' : null }, i === index && glyph('▶'), i === index && ' ', entry.title),
        ),
      ),
  );
}

function noSpeaker() {
  return h(
    'section',
    { class: 'card projector-focus', 'aria-labelledby': 'speaker-heading' },
    h('h2', { id: 'speaker-heading', class: 'card-label' }, t('proj_speaker')),
    h('p', { class: 'big-note' }, t('proj_no_speaker')),
  );
}

function bigQuorum(quorum) {
  const figure = (label, value) => h('div', { class: 'quorum-figure' }, h('span', { class: 'quorum-number' }, number(value)), h('span', { class: 'quorum-label' }, label));
  return h(
    'section',
    { class: 'card projector-focus projector-quorum-big', 'aria-labelledby': 'quorum-heading' },
    h('h2', { id: 'quorum-heading', class: 'card-label' }, t('quorum')),
    h('p', { class: `big-state ${quorum.met ? 'is-ok' : 'is-warn'}` }, glyph(quorum.met ? '✓' : '!'), ' ', quorum.met ? t('quorum_met') : t('quorum_not_met')),
    h('div', { class: 'quorum-figures' }, figure(t('proj_present'), quorum.present), figure(t('proj_required'), quorum.required), figure(t('proj_members'), quorum.base)),
    h('p', { class: 'muted' }, t('quorum_modes', { in_room: number(quorum.in_room), remote: number(quorum.remote) })),
  );
}

/** The welcome screen: a greeting and a QR code of the hub's join page. */
function welcome(view) {
  const image = h('img', { class: 'join-qr', alt: t('proj_join_alt'), width: '320', height: '320' });
  joinQr(view.meeting.id).then(
    (url) => {
      image.src = url;
    },
    () => image.remove(),
  );
  return h(
    'section',
    { class: 'card projector-focus projector-welcome', 'aria-labelledby': 'welcome-heading' },
    h('h2', { id: 'welcome-heading', class: 'welcome-title' }, t('proj_welcome')),
    h('div', { class: 'join' }, h('div', { class: 'join-code' }, image), h('div', {}, h('p', { class: 'join-title' }, t('proj_join')), h('p', { class: 'join-help' }, t('proj_join_help')))),
  );
}

/** Meeting → the join QR code as a data: URL (images may come from the hub or data:). */
const joinCodes = new Map();

function joinQr(meetingId) {
  let code = joinCodes.get(meetingId);
  if (!code) {
    const token = savedSession()?.token;
    code = fetch(`/api/meetings/${encodeURIComponent(meetingId)}/join-qr.svg`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
      credentials: 'omit',
    })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    // A failure is tried again the next time the screen is built.
    code.catch(() => joinCodes.delete(meetingId));
    joinCodes.set(meetingId, code);
  }
  return code;
}

/**
 * The head of the meeting's hash chain as the result is shown: anyone can later check
 * the minutes and the stored record against it (`quorum verify --head`).
 */
function auditHead(meetingId) {
  const line = h('p', { class: 'audit-head meta' });
  call('GET', `/api/meetings/${encodeURIComponent(meetingId)}/audit`, { token: savedSession()?.token })
    .then((head) => {
      line.textContent = t('proj_audit', { seq: head.seq, hash: head.hash.slice(0, 16) });
    })
    .catch(() => line.remove());
  return line;
}
