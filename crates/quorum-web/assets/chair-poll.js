// The chair's controls on each poll card — open with the timer (confirming an override
// without quorum), pause and resume with the time that was left, close, publish, put on
// the projector — and who has not voted yet (named polls).

import { LONGEST_MINUTES } from './chair-new-poll.js';
import { hubNow } from './clock.js';
import { button, glyph, h, sig } from './dom.js';
import { define, number, t } from './i18n.js';
import { pollById, projectorScreen } from './view.js';

define({
  vi: {
    cpoll_minutes_hint: 'Để trống: không hẹn giờ',
    cpoll_minutes_invalid: 'Thời gian là số phút từ 1 đến 240.',
    cpoll_timer: 'Hẹn giờ (phút)',
    cpoll_pause: 'Tạm dừng',
    cpoll_resume: 'Tiếp tục biểu quyết',
    cpoll_paused_note: 'Đang tạm dừng: đại biểu chưa thể bỏ phiếu.',
    cpoll_paused_left: 'Khi tiếp tục, đại biểu có lại {time} còn lại lúc tạm dừng.',
    cpoll_project: 'Chiếu lên màn hình hội trường',
    cpoll_projected: 'Đang chiếu trên màn hình hội trường',
    cpoll_projected_auto: 'Đang chiếu tự động, cho đến khi có biểu quyết mới.',
    cpoll_keep: 'Giữ trên màn hình hội trường',
    cpoll_not_voted: 'Chưa biểu quyết: {count}',
    cpoll_all_voted: 'Tất cả đại biểu có quyền biểu quyết đã biểu quyết.',
    cpoll_secret_note: 'Bỏ phiếu kín: chỉ hiển thị số lượng đã biểu quyết.',
    cpoll_present: 'Có mặt',
    cpoll_absent: 'Vắng',
    cpoll_proxy_to: 'ủy quyền cho {name}',
  },
  en: {
    cpoll_minutes_hint: 'Leave empty for no timer',
    cpoll_minutes_invalid: 'The time is a number of minutes from 1 to 240.',
    cpoll_timer: 'Timer (minutes)',
    cpoll_pause: 'Pause',
    cpoll_resume: 'Resume the vote',
    cpoll_paused_note: 'Paused: delegates cannot vote for now.',
    cpoll_paused_left: 'On resuming, delegates get back the {time} that was left.',
    cpoll_project: 'Show on the hall projector',
    cpoll_projected: 'On the hall projector',
    cpoll_projected_auto: 'On the projector by itself, until another vote opens.',
    cpoll_keep: 'Keep it on the hall projector',
    cpoll_not_voted: 'Not yet voted: {count}',
    cpoll_all_voted: 'Every member entitled to vote has voted.',
    cpoll_secret_note: 'Secret ballot: only how many have voted is shown.',
    cpoll_present: 'Present',
    cpoll_absent: 'Absent',
    cpoll_proxy_to: 'proxy to {name}',
  },
});

function state(ui) {
  ui.chairPoll ??= { timers: new Map(), timerErrors: new Set(), left: new Map(), listOpen: new Map() };
  return ui.chairPoll;
}

// --- On each poll card ---

/**
 * The chair's blocks on a poll's card: `controls` (open, pause, close… and the projector)
 * and `after` (who has not voted yet).
 */
export function chairPollBlocks(view, poll, ui) {
  const mine = state(ui);
  const pending = ui.chair.get(poll.id) ?? null;
  const shown = projectorScreen(view);
  // 'chosen': the chair put it there; 'auto': there as the vote the hall follows.
  const onScreen = shown.screen === 'poll' && shown.poll?.id === poll.id ? (shown.auto ? 'auto' : 'chosen') : null;
  const timer = mine.timers.get(poll.id) ?? '';
  const timerError = mine.timerErrors.has(poll.id);
  const left = mine.left.get(`${poll.id}/${poll.round}`) ?? null;
  const controlBlock = {
    key: 'chair',
    sig: sig(poll.status, poll.round, poll.deadline, pending, view.quorum, timer, timerError, onScreen, left),
    build: () => controls(view, poll, pending, { timer, timerError, onScreen, left }, ui.actions),
  };
  const after = [];
  if (poll.status !== 'draft') {
    const open = mine.listOpen.get(poll.id) ?? (poll.status === 'open' || poll.status === 'paused');
    after.push({
      key: 'not-voted',
      sig: sig(poll.round, poll.status, poll.voters, view.participants, open),
      build: () => notVoted(view, poll, open, mine),
    });
  }
  return { controls: [controlBlock], after };
}

function controls(view, poll, pending, { timer, timerError, onScreen, left }, actions) {
  const quorum = view.quorum;
  const sending = pending === 'sending';
  const id = poll.id;
  const busy = { 'aria-disabled': sending && 'true' };
  let content;
  if (poll.status === 'draft' && pending === 'confirm-open') {
    content = [
      h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('open_without_quorum', { present: number(quorum.present), required: number(quorum.required) })),
      button('primary', t('open_anyway'), () => actions.chairOpenPoll(poll, true), { 'data-focus': `open-anyway:${id}` }),
      button('secondary', t('cancel'), () => actions.cancelChair(poll), { 'data-focus': `cancel:${id}` }),
    ];
  } else if (poll.status === 'draft') {
    const input = h('input', { id: `timer-${id}`, type: 'number', min: '1', max: String(LONGEST_MINUTES), step: '1', inputmode: 'numeric', placeholder: t('cpoll_minutes_hint'), 'data-focus': `timer:${id}` });
    input.value = timer;
    input.addEventListener('input', () => actions.chairPollTimer(poll, input.value));
    content = [
      h('label', { for: `timer-${id}` }, t('cpoll_timer')),
      input,
      timerError && h('p', { class: 'error', role: 'alert' }, t('cpoll_minutes_invalid')),
      button('primary', sending ? t('sending') : t('open_poll'), () => actions.chairOpenPoll(poll, false), { ...busy, 'data-focus': `open:${id}` }),
    ];
  } else if (pending === 'confirm-close') {
    content = [
      h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('close_confirm')),
      button('danger', t('close_now'), () => actions.closePoll(poll, true), { 'data-focus': `close-now:${id}` }),
      button('secondary', t('cancel'), () => actions.cancelChair(poll), { 'data-focus': `cancel:${id}` }),
    ];
  } else if (poll.status === 'open') {
    content = h(
      'div',
      { class: 'button-row' },
      button('secondary', sending ? t('sending') : t('cpoll_pause'), () => actions.chairPausePoll(poll), { ...busy, 'data-focus': `pause:${id}` }),
      button('danger', t('close_poll'), () => actions.closePoll(poll, false), { ...busy, 'data-focus': `close:${id}` }),
    );
  } else if (poll.status === 'paused') {
    content = [
      h('p', { class: 'state is-warn' }, glyph('❚❚'), ' ', t('cpoll_paused_note')),
      left !== null && poll.deadline && h('p', { class: 'muted small' }, t('cpoll_paused_left', { time: minutesAndSeconds(left) })),
      h(
        'div',
        { class: 'button-row' },
        button('primary', sending ? t('sending') : t('cpoll_resume'), () => actions.chairResumePoll(poll), { ...busy, 'data-focus': `resume:${id}` }),
        button('danger', t('close_poll'), () => actions.closePoll(poll, false), { ...busy, 'data-focus': `close:${id}` }),
      ),
    ];
  } else if (poll.status === 'closed') {
    content = button('primary', sending ? t('sending') : t('publish_poll'), () => actions.publishPoll(poll), { ...busy, 'data-focus': `publish:${id}` });
  }
  const project = (label) => button('secondary', label, () => actions.showOnProjector({ kind: 'poll', poll: id }), { 'data-focus': `project:${id}` });
  let projector = null;
  if (poll.status !== 'draft') {
    if (onScreen === 'chosen') projector = h('p', { class: 'state is-ok on-screen' }, glyph('▣'), ' ', t('cpoll_projected'));
    // Shown for now, until another vote opens: the chair may keep it there.
    else if (onScreen === 'auto') projector = [h('p', { class: 'on-screen' }, glyph('▣'), ' ', t('cpoll_projected_auto')), project(t('cpoll_keep'))];
    else projector = project(t('cpoll_project'));
  }
  return h('div', { class: 'chair-controls', role: 'group', 'aria-label': t('chair_controls') }, h('p', { class: 'card-label' }, t('chair_controls')), content, projector);
}

function minutesAndSeconds(millis) {
  const total = Math.max(0, Math.round(millis / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** Named polls: the entitled members who have not voted in this round, present ones first. */
function notVoted(view, poll, open, mine) {
  if (poll.spec.secret) return h('p', { class: 'muted small' }, t('cpoll_secret_note'));
  // Group eligibility is not in the participants' view: the hub's count stays the truth.
  if (!Array.isArray(poll.voters) || poll.spec.eligibility.groups.length > 0) return h('div', { hidden: true });
  const voted = new Set(poll.voters.map((vote) => vote.seat));
  const waiting = view.participants
    .filter((p) => p.voting_right && !voted.has(p.member))
    .sort((a, b) => present(b) - present(a) || a.name.localeCompare(b.name, 'vi'));
  if (waiting.length === 0) return h('p', { class: 'state is-ok' }, glyph('✓'), ' ', t('cpoll_all_voted'));
  const details = h(
    'details',
    { class: 'not-voted', open },
    h('summary', {}, t('cpoll_not_voted', { count: number(waiting.length) })),
    h(
      'ul',
      { class: 'name-list' },
      waiting.map((p) => {
        const holder = p.proxy_given_to && view.participants.find((q) => q.member === p.proxy_given_to);
        return h(
          'li',
          { class: present(p) ? 'is-present' : 'is-absent' },
          glyph(present(p) ? '●' : '○'),
          ' ',
          h('span', { class: 'person' }, p.name),
          h('span', { class: 'muted small' }, ' — ', present(p) ? t('cpoll_present') : t('cpoll_absent'), holder && `, ${t('cpoll_proxy_to', { name: holder.name })}`),
        );
      }),
    ),
  );
  details.addEventListener('toggle', () => mine.listOpen.set(poll.id, details.open));
  return details;
}

function present(participant) {
  return participant.attendance.status === 'present' ? 1 : 0;
}

// --- What the buttons do ---

/** The chair's poll actions: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function chairPollActions(ctx) {
  const { ui } = ctx;
  /** Sends a command about a poll, once at a time, showing "sending" on its card. */
  const send = (id, command) => {
    if (ui.chair.get(id) === 'sending') return Promise.resolve(null);
    ui.chair.set(id, 'sending');
    ctx.render();
    return ctx.link
      .command(command)
      .catch((error) => {
        ctx.notice(error);
        return null;
      })
      .finally(() => {
        ui.chair.delete(id);
        ctx.render();
      });
  };
  const deadlineFrom = (minutes) => (minutes > 0 ? Math.round(hubNow() + minutes * 60_000) : null);
  const actions = {
    chairPollTimer(poll, value) {
      const mine = state(ui);
      mine.timers.set(poll.id, value);
      if (mine.timerErrors.delete(poll.id)) ctx.render();
    },
    chairOpenPoll(poll, confirmed) {
      const view = ctx.view();
      if (!confirmed && !view.quorum.met) {
        ui.chair.set(poll.id, 'confirm-open');
        ui.focus = `open-anyway:${poll.id}`;
        ctx.render();
        return;
      }
      const typed = (state(ui).timers.get(poll.id) ?? '').trim();
      const minutes = typed === '' ? 0 : Number(typed);
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > LONGEST_MINUTES) {
        // Said beside the timer field, which gets the focus back.
        state(ui).timerErrors.add(poll.id);
        ui.chair.delete(poll.id);
        ui.focus = `timer:${poll.id}`;
        ctx.render();
        return;
      }
      // Without a quorum the chair has just confirmed the override, which is recorded.
      send(poll.id, { type: 'open_poll', poll: poll.id, deadline: deadlineFrom(minutes), override_quorum: !view.quorum.met });
    },
    chairPausePoll(poll) {
      // The hub keeps the deadline while paused; what was left is given back on resuming.
      const left = poll.deadline ? poll.deadline - hubNow() : null;
      send(poll.id, { type: 'pause_poll', poll: poll.id }).then((ack) => {
        if (ack && left !== null) state(ui).left.set(`${poll.id}/${poll.round}`, Math.max(0, left));
        ctx.render();
      });
    },
    chairResumePoll(poll) {
      const key = `${poll.id}/${poll.round}`;
      const fresh = pollById(ctx.view(), poll.id) ?? poll;
      let deadline = null;
      if (fresh.deadline) {
        // At least ten seconds, so that a resumed vote never ends as it starts.
        const left = state(ui).left.get(key) ?? fresh.deadline - hubNow();
        deadline = Math.round(hubNow() + Math.max(left, 10_000));
      }
      send(poll.id, { type: 'resume_poll', poll: poll.id, deadline }).then((ack) => {
        if (ack) state(ui).left.delete(key);
      });
    },
  };
  return actions;
}
