// The urgent meeting on the chair's console (and the secretary's): convene it — the alert
// reaches every member's device at once — with a confirmation, then watch the answers
// arrive: joining remotely, in the room, cannot attend, seen, no answer yet, with names.

import { button, glyph, h, sig } from './dom.js';
import { define, language, number, t } from './i18n.js';

define({
  vi: {
    alert_chair_title: 'Họp khẩn',
    alert_chair_help: 'Thông báo được gửi ngay tới thiết bị của mọi thành viên, hiển thị toàn màn hình cho đến khi họ trả lời.',
    alert_chair_message: 'Nội dung thông báo',
    alert_chair_default: 'Đề nghị các đồng chí dự cuộc họp khẩn: {title}. Xin xác nhận hình thức tham dự ngay.',
    alert_chair_convene: 'Triệu tập họp khẩn',
    alert_chair_again: 'Gửi thông báo mới',
    alert_chair_confirm: 'Gửi thông báo khẩn tới {count} thành viên?',
    alert_chair_opens: 'Cuộc họp sẽ được khai mạc ngay khi gửi.',
    alert_chair_again_note: 'Mọi người sẽ trả lời lại thông báo mới.',
    alert_chair_send: 'Gửi thông báo ngay',
    alert_chair_message_needed: 'Xin nhập nội dung thông báo.',
    alert_chair_sent: 'Thông báo số {number}, gửi lúc {time}',
    alert_chair_answers: 'Trả lời: {answered}/{total}',
    alert_chair_received: 'Đã xem, chưa trả lời',
    alert_chair_unanswered: 'Chưa trả lời',
    alert_chair_nobody: 'Không có ai.',
  },
  en: {
    alert_chair_title: 'Urgent meeting',
    alert_chair_help: 'The alert reaches every member’s device at once and fills the screen until they answer.',
    alert_chair_message: 'The alert’s message',
    alert_chair_default: 'You are called to an urgent meeting: {title}. Please confirm how you will attend.',
    alert_chair_convene: 'Convene the urgent meeting',
    alert_chair_again: 'Send a new alert',
    alert_chair_confirm: 'Send the urgent alert to {count} members?',
    alert_chair_opens: 'The meeting opens as soon as it is sent.',
    alert_chair_again_note: 'Everyone answers the new alert again.',
    alert_chair_send: 'Send the alert now',
    alert_chair_message_needed: 'Please write the alert’s message.',
    alert_chair_sent: 'Alert no. {number}, sent at {time}',
    alert_chair_answers: 'Answers: {answered} of {total}',
    alert_chair_received: 'Seen, no answer yet',
    alert_chair_unanswered: 'No answer yet',
    alert_chair_nobody: 'Nobody.',
  },
});

/** The groups of the tally, in the order shown, with their glyphs. */
const GROUPS = [
  { group: 'joining_remotely', symbol: '☏', label: 'alert_joining_remotely' },
  { group: 'in_the_room', symbol: '⌂', label: 'alert_in_the_room' },
  { group: 'cannot_attend', symbol: '✗', label: 'alert_cannot_attend' },
  { group: 'received', symbol: '◔', label: 'alert_chair_received' },
  { group: 'unanswered', symbol: '…', label: 'alert_chair_unanswered' },
];
/** A group's names are listed open when there are no more than this many. */
const OPEN_UP_TO = 12;

function chairState(ui) {
  ui.alertChair ??= { step: null, message: null, messageMissing: false, sending: false, open: new Map() };
  return ui.alertChair;
}

/** The urgent-meeting blocks of a keeper's console: none unless the meeting is urgent. */
export function alertChairBlocks(view, ui) {
  if (view.meeting.details.kind !== 'urgent') return [];
  const state = chairState(ui);
  state.message ??= t('alert_chair_default', { title: view.meeting.details.title });
  const alert = view.alert;
  const children = [];
  if (alert) {
    const groups = tally(view, alert);
    children.push({
      key: 'tally',
      sig: sig(alert.number, alert.message, alert.raised_at, groups),
      build: () => tallyBlock(alert, groups, state),
    });
  }
  if (view.meeting.status === 'closed') return children.length > 0 ? [card(children)] : [];
  children.push({
    key: 'raise',
    sig: sig(alert?.number, view.meeting.status, view.participants.length, state.step, state.sending, state.messageMissing),
    build: () => raiseBlock(view, alert, state, ui.actions),
  });
  return [card(children)];
}

function card(children) {
  return {
    key: 'alert-chair',
    sig: sig(),
    build: () =>
      h(
        'section',
        { class: 'card alert-chair', 'aria-labelledby': 'alert-chair-heading' },
        h('h2', { id: 'alert-chair-heading', class: 'card-label' }, glyph('⚠'), ' ', t('alert_chair_title')),
        h('div', { class: 'slot' }),
      ),
    children,
  };
}

/** Who answered what, for the current alert: [{group, people: [{name, reason}]}]. */
function tally(view, alert) {
  const groups = new Map(GROUPS.map(({ group }) => [group, []]));
  for (const participant of view.participants) {
    // The chair (or secretary) looking at the tally is not waiting for their own answer.
    if (participant.member === view.me?.member) continue;
    const answer = participant.alert_answer?.number === alert.number ? participant.alert_answer.answer : null;
    groups.get(answer?.answer ?? 'unanswered')?.push({ name: participant.name, reason: answer?.reason ?? null });
  }
  return GROUPS.map(({ group }) => ({ group, people: groups.get(group) }));
}

function tallyBlock(alert, groups, state) {
  const total = groups.reduce((sum, { people }) => sum + people.length, 0);
  const answered = groups
    .filter(({ group }) => group !== 'received' && group !== 'unanswered')
    .reduce((sum, { people }) => sum + people.length, 0);
  return h(
    'div',
    { class: 'alert-tally' },
    h('p', { class: 'alert-chair-message' }, alert.message),
    h('p', { class: 'muted small' }, t('alert_chair_sent', { number: alert.number, time: timeOf(alert.raised_at) })),
    h('p', { class: 'state' }, t('alert_chair_answers', { answered: number(answered), total: number(total) })),
    h(
      'ul',
      { class: 'alert-counts' },
      groups.map(({ group, people }) => {
        const { symbol, label } = GROUPS.find((g) => g.group === group);
        return h(
          'li',
          { class: `alert-count alert-count--${group}` },
          h('span', { class: 'alert-count-figure' }, number(people.length)),
          h('span', { class: 'alert-count-label' }, glyph(symbol), ' ', t(label)),
        );
      }),
    ),
    groups.map(({ group, people }) => {
      const { symbol, label } = GROUPS.find((g) => g.group === group);
      const details = h(
        'details',
        { class: `alert-names alert-names--${group}`, open: (state.open.get(group) ?? people.length <= OPEN_UP_TO) && people.length > 0 },
        h('summary', {}, glyph(symbol), ' ', t(label), ` (${number(people.length)})`),
        people.length === 0
          ? h('p', { class: 'muted' }, t('alert_chair_nobody'))
          : h('ul', {}, people.map(({ name, reason }) => h('li', {}, name, reason && h('span', { class: 'muted' }, ` — ${reason}`)))),
      );
      // An answer arriving rebuilds the tally: each list stays as the chair left it.
      details.addEventListener('toggle', () => state.open.set(group, details.open));
      return details;
    }),
  );
}

function raiseBlock(view, alert, state, actions) {
  const sending = state.sending;
  if (state.step === 'confirm') {
    const count = view.participants.filter((p) => p.member !== view.me?.member).length;
    return h(
      'div',
      { class: 'alert-raise alert-raise--confirm' },
      h('p', { class: 'state is-warn', tabindex: '-1', 'data-focus': 'alert-confirm' }, glyph('!'), ' ', t('alert_chair_confirm', { count: number(count) })),
      view.meeting.status === 'scheduled' && h('p', {}, t('alert_chair_opens')),
      alert && h('p', {}, t('alert_chair_again_note')),
      h('blockquote', { class: 'alert-quote' }, state.message),
      button('primary button--big', sending ? t('sending') : [glyph('⚠'), ' ', t('alert_chair_send')], () => actions.alertRaise(true), {
        'aria-disabled': sending && 'true',
        'data-focus': 'alert-send',
      }),
      button('secondary', t('cancel'), () => actions.alertCancelRaise(), { 'data-focus': 'alert-cancel' }),
    );
  }
  if (alert && state.step !== 'write') {
    return h(
      'div',
      { class: 'alert-raise' },
      button('secondary', t('alert_chair_again'), () => actions.alertWrite(), { 'data-focus': 'alert-write' }),
    );
  }
  const text = h('textarea', { id: 'alert-message-input', rows: '3', maxlength: '2000' });
  text.value = state.message;
  text.addEventListener('input', () => {
    state.message = text.value;
  });
  return h(
    'form',
    {
      class: 'alert-raise',
      onsubmit: (event) => {
        event.preventDefault();
        actions.alertRaise(false);
      },
    },
    !alert && h('p', { class: 'muted' }, t('alert_chair_help')),
    h('label', { for: 'alert-message-input' }, t('alert_chair_message')),
    text,
    state.messageMissing && h('p', { class: 'error', role: 'alert' }, t('alert_chair_message_needed')),
    h(
      'button',
      { type: 'submit', class: 'button button--primary', 'data-focus': 'alert-convene' },
      glyph('⚠'),
      ' ',
      alert ? t('alert_chair_again') : t('alert_chair_convene'),
    ),
    alert && button('secondary', t('cancel'), () => actions.alertCancelRaise(), { 'data-focus': 'alert-cancel' }),
  );
}

function timeOf(millis) {
  return new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', { timeStyle: 'short' }).format(new Date(millis));
}

/** What the chair's alert buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function alertChairActions(ctx) {
  const state = () => chairState(ctx.ui);
  return {
    alertWrite() {
      state().step = 'write';
      ctx.ui.focus = 'alert-convene';
      ctx.render();
    },
    alertCancelRaise() {
      const view = ctx.view();
      state().step = view?.alert ? null : 'write';
      ctx.ui.focus = view?.alert ? 'alert-write' : 'alert-convene';
      ctx.render();
    },
    alertRaise(confirmed) {
      const chair = state();
      const message = (chair.message ?? '').trim();
      if (!message) {
        chair.messageMissing = true;
        ctx.render();
        document.getElementById('alert-message-input')?.focus();
        return;
      }
      chair.messageMissing = false;
      if (!confirmed) {
        chair.step = 'confirm';
        ctx.ui.focus = 'alert-send';
        ctx.render();
        return;
      }
      if (chair.sending) return;
      chair.sending = true;
      ctx.render();
      // A scheduled meeting is opened and alerted in one action; an open one is alerted.
      const type = ctx.view()?.meeting.status === 'scheduled' ? 'convene' : 'raise_alert';
      ctx.link
        .command({ type, message })
        .then(
          () => {
            chair.step = null;
            ctx.ui.focus = null;
          },
          (error) => ctx.notice(error),
        )
        .finally(() => {
          chair.sending = false;
          ctx.render();
        });
    },
  };
}
