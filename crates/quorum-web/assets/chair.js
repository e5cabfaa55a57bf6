// The chair's console: attendance and the live quorum, moving through the agenda, ad-hoc
// polls, the countdown, who has not voted (named polls), conclusions and directives, and
// what the hall projector shows — in three columns on a laptop or a tablet (the room, the
// agenda, the votes), one under the other on a narrow screen.

import { agendaActions, agendaBlocks } from './chair-agenda.js';
import { newPollActions, newPollBlocks } from './chair-new-poll.js';
import { chairPollActions, chairPollBlocks } from './chair-poll.js';
import { button, glyph, h, sig } from './dom.js';
import { define, number, t } from './i18n.js';
import { chairOutcomeBlocks, outcomeActions } from './outcomes.js';
import { pollCard } from './polls.js';
import { pollsInOrder, projectorScreen } from './view.js';

define({
  vi: {
    chair_attendance: 'Tình hình điểm danh',
    chair_in_room: 'Tại hội trường',
    chair_remote: 'Trực tuyến',
    chair_absent: 'Vắng',
    chair_people: 'Danh sách ({count} người)',
    chair_proxy_to: 'ủy quyền cho {name}',
    chair_no_vote: 'không biểu quyết',
    chair_roll_in: 'Điểm danh',
    chair_roll_in_label: 'Điểm danh {name} có mặt tại hội trường',
    chair_roll_out: 'Rời họp',
    chair_roll_out_label: 'Ghi nhận {name} rời cuộc họp',
    chair_screen: 'Màn hình hội trường',
    chair_screen_now: 'Đang chiếu: {what}',
    chair_screen_auto_now: 'Tự động — {what}',
    chair_screen_auto: 'Tự động',
    chair_screen_welcome: 'Chào mừng và mã tham gia',
    chair_screen_agenda_item: 'Nội dung đang thảo luận',
    chair_screen_speaker: 'Người phát biểu',
    chair_screen_quorum: 'Túc số',
    chair_screen_poll: 'Biểu quyết: {title}',
    chair_screen_choose: 'Chọn nội dung chiếu',
  },
  en: {
    chair_attendance: 'Attendance',
    chair_in_room: 'In the room',
    chair_remote: 'Remote',
    chair_absent: 'Absent',
    chair_people: 'Everyone ({count})',
    chair_proxy_to: 'proxy to {name}',
    chair_no_vote: 'no vote',
    chair_roll_in: 'Check in',
    chair_roll_in_label: 'Check {name} in, in the room',
    chair_roll_out: 'Left',
    chair_roll_out_label: 'Record that {name} left the meeting',
    chair_screen: 'Hall projector',
    chair_screen_now: 'On screen: {what}',
    chair_screen_auto_now: 'Automatic — {what}',
    chair_screen_auto: 'Automatic',
    chair_screen_welcome: 'Welcome and join code',
    chair_screen_agenda_item: 'The item under discussion',
    chair_screen_speaker: 'The speaker',
    chair_screen_quorum: 'Quorum',
    chair_screen_poll: 'Vote: {title}',
    chair_screen_choose: 'Choose what to show',
  },
});

/**
 * The chair's screen: the parts every participant has (`parts`: alerts, head, item,
 * documents, quorum, me, floor, secretary — lists of blocks from render.js) and the
 * chair's own, in columns.
 */
export function chairBlocks(view, ui, parts) {
  const column = (key, children) => ({
    key,
    sig: sig(),
    build: () => h('div', { class: `console-col console-col--${key}` }, h('div', { class: 'slot console-stack' })),
    children,
  });
  const room = [...parts.head, ...parts.quorum, ...parts.me, ...projectorBlocks(view, ui), ...parts.floor, ...attendanceBlocks(view, ui)];
  const agenda = [...agendaBlocks(view, ui), ...chairOutcomeBlocks(view, ui), ...parts.documents];
  // The vote under way on top, then the quick-vote form, then drafts and counted votes.
  const card = (poll) => pollCard(view, poll, ui, chairPollBlocks(view, poll, ui));
  const polls = pollsInOrder(view);
  const running = polls.filter((poll) => poll.status === 'open' || poll.status === 'paused');
  const others = polls.filter((poll) => !running.includes(poll));
  const votes = [...running.map(card), ...newPollBlocks(view, ui, running.length > 0), ...others.map(card)];
  return [
    ...parts.alerts,
    {
      key: 'console',
      sig: sig(),
      build: () => h('div', { class: 'console' }, h('div', { class: 'slot console-grid' })),
      children: [column('room', room), column('agenda', agenda), column('votes', votes)],
    },
    ...parts.secretary,
  ];
}

// --- Attendance ---

const PRESENCE = {
  in_room: { symbol: '●', key: 'chair_in_room' },
  remote: { symbol: '◐', key: 'chair_remote' },
  absent: { symbol: '○', key: 'chair_absent' },
};

function presence(participant) {
  const attendance = participant.attendance;
  return attendance.status === 'present' ? attendance.mode : 'absent';
}

function attendanceBlocks(view, ui) {
  // The counts say enough at a glance; the names are a tap away.
  ui.chairRoom ??= { listOpen: false, sending: null };
  const people = view.participants.map((p) => [p.member, p.name, p.role, p.voting_right, presence(p), p.proxy_given_to]);
  return [
    {
      key: 'attendance',
      sig: sig(people, ui.chairRoom.listOpen, ui.chairRoom.sending),
      build: () => attendanceCard(view, ui.chairRoom, ui.actions),
    },
  ];
}

const ROLE_ORDER = { chair: 0, delegate: 1, secretary: 2, guest: 3 };

function attendanceCard(view, mine, actions) {
  const voters = view.participants.filter((p) => p.voting_right);
  const counts = { in_room: 0, remote: 0, absent: 0 };
  for (const participant of voters) counts[presence(participant)] += 1;
  const name = (member) => view.participants.find((p) => p.member === member)?.name ?? member;
  const sorted = [...view.participants].sort(
    (a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name, 'vi'),
  );
  const details = h(
    'details',
    { class: 'attendance-list', open: mine.listOpen },
    h('summary', {}, t('chair_people', { count: number(view.participants.length) })),
    h(
      'ul',
      { class: 'name-list' },
      sorted.map((participant) => {
        const where = PRESENCE[presence(participant)];
        const notes = [
          participant.role !== 'delegate' && t(`role_${participant.role}`),
          !participant.voting_right && t('chair_no_vote'),
          participant.proxy_given_to && t('chair_proxy_to', { name: name(participant.proxy_given_to) }),
        ].filter(Boolean);
        return h(
          'li',
          { class: `is-${presence(participant)}` },
          glyph(where.symbol),
          ' ',
          h('span', { class: 'person' }, participant.name),
          h('span', { class: 'muted small' }, ' — ', t(where.key), notes.length > 0 && `, ${notes.join(', ')}`),
          rollCallButton(participant, mine, actions),
        );
      }),
    ),
  );
  details.addEventListener('toggle', () => {
    mine.listOpen = details.open;
  });
  return h(
    'section',
    { class: 'card attendance', 'aria-labelledby': 'attendance-heading' },
    h('h2', { id: 'attendance-heading', class: 'card-label' }, t('chair_attendance')),
    h(
      'ul',
      { class: 'attendance-counts' },
      Object.entries(PRESENCE).map(([where, { symbol, key }]) =>
        h('li', { class: `is-${where}` }, glyph(symbol), ' ', t(key), ' ', h('strong', {}, number(counts[where]))),
      ),
    ),
    details,
  );
}

/** The roll call: the chair checks a participant in (in the room) or records them leaving. */
function rollCallButton(participant, mine, actions) {
  const present = presence(participant) !== 'absent';
  const busy = mine.sending === participant.member;
  return button(
    'secondary button--small',
    busy ? t('sending') : present ? t('chair_roll_out') : t('chair_roll_in'),
    () => actions.rollCall(participant.member, !present),
    {
      'aria-label': t(present ? 'chair_roll_out_label' : 'chair_roll_in_label', { name: participant.name }),
      'aria-disabled': busy && 'true',
      'data-focus': `roll:${participant.member}`,
    },
  );
}

// --- The hall projector ---

const SCREENS = ['welcome', 'agenda_item', 'speaker', 'quorum'];

/** In words, what a {screen, poll} of projectorScreen() shows. */
function screenLabel(shown) {
  return shown.screen === 'poll' ? t('chair_screen_poll', { title: shown.poll.spec.title }) : t(`chair_screen_${shown.screen}`);
}

function projectorBlocks(view, ui) {
  ui.chairScreen ??= { sending: false };
  const shown = projectorScreen(view);
  const ran = view.polls.filter((poll) => poll.status !== 'draft' || poll.past_rounds.length > 0);
  const polls = ran.slice(-4).map((poll) => [poll.id, poll.spec.title]);
  return [
    {
      key: 'projector',
      sig: sig(view.projector, shown.screen, shown.poll?.id, shown.poll?.spec.title, polls, ui.chairScreen.sending),
      build: () => projectorCard(view, shown, polls, ui.chairScreen.sending, ui.actions),
    },
  ];
}

function projectorCard(view, shown, polls, sending, actions) {
  const display = view.projector ?? { kind: 'auto' };
  const now = shown.auto ? t('chair_screen_auto_now', { what: screenLabel(shown) }) : screenLabel(shown);
  const choice = (label, wanted, focus) => {
    const pressed = display.kind === wanted.kind && (wanted.kind !== 'poll' || display.poll === wanted.poll);
    return h(
      'button',
      {
        type: 'button',
        class: 'toggle',
        'aria-pressed': String(pressed),
        'aria-disabled': sending && 'true',
        'data-focus': focus,
        onclick: () => !pressed && actions.showOnProjector(wanted),
      },
      glyph(pressed ? '▣' : '□'),
      ' ',
      label,
    );
  };
  return h(
    'section',
    { class: 'card projector-control', 'aria-labelledby': 'projector-heading' },
    h('h2', { id: 'projector-heading', class: 'card-label' }, t('chair_screen')),
    h('p', { class: 'on-screen-now', role: 'status' }, glyph('▣'), ' ', t('chair_screen_now', { what: now })),
    h(
      'div',
      { class: 'toggles', role: 'group', 'aria-label': t('chair_screen_choose') },
      choice(t('chair_screen_auto'), { kind: 'auto' }, 'screen:auto'),
      SCREENS.map((screen) => choice(t(`chair_screen_${screen}`), { kind: screen }, `screen:${screen}`)),
      polls.map(([id, title]) => choice(t('chair_screen_poll', { title }), { kind: 'poll', poll: id }, `screen:poll:${id}`)),
    ),
  );
}

/** What the chair's buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function chairActions(ctx) {
  return {
    ...agendaActions(ctx),
    ...chairPollActions(ctx),
    ...newPollActions(ctx),
    ...outcomeActions(ctx),
    rollCall(member, checkIn) {
      const mine = (ctx.ui.chairRoom ??= { listOpen: true, sending: null });
      if (mine.sending) return;
      mine.sending = member;
      ctx.ui.focus = `roll:${member}`;
      ctx.render();
      const command = checkIn ? { type: 'check_in', member, mode: 'in_room' } : { type: 'check_out', member };
      ctx.link
        .command(command)
        .catch(ctx.notice)
        .finally(() => {
          mine.sending = null;
          ctx.ui.focus = `roll:${member}`;
          ctx.render();
        });
    },
    showOnProjector(display) {
      const mine = (ctx.ui.chairScreen ??= { sending: false });
      if (mine.sending) return;
      mine.sending = true;
      ctx.render();
      ctx.link
        .command({ type: 'show_on_projector', display })
        .catch(ctx.notice)
        .finally(() => {
          mine.sending = false;
          ctx.render();
        });
    },
  };
}
