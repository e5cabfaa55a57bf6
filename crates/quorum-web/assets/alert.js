// Urgent meetings: the chair convenes or raises an alert, and a member's device gives the
// alert the whole screen until it is answered — joining remotely, in the room, or cannot
// attend — while the chair watches the answers arrive.

import { alertChairActions, alertChairBlocks } from './alert-chair.js';
import { button, glyph, h, sig } from './dom.js';
import { define, language, t, toggleLanguage } from './i18n.js';

define({
  vi: {
    alert_kicker: 'Họp khẩn',
    alert_title: 'Triệu tập họp khẩn',
    alert_raised_at: 'Thông báo lúc {time}',
    alert_question: 'Đồng chí tham dự thế nào?',
    alert_joining_remotely: 'Tham gia trực tuyến',
    alert_joining_remotely_hint: 'Họp từ nơi đồng chí đang ở, trên thiết bị này.',
    alert_in_the_room: 'Có mặt tại hội trường',
    alert_in_the_room_hint: 'Đến dự trực tiếp tại hội trường.',
    alert_cannot_attend: 'Không thể tham dự',
    alert_cannot_attend_hint: 'Cho chủ tọa biết lý do.',
    alert_reason: 'Lý do không thể tham dự',
    alert_reason_needed: 'Xin ghi lý do trước khi gửi.',
    alert_reason_trip: 'Đang đi công tác',
    alert_reason_health: 'Lý do sức khỏe',
    alert_reason_family: 'Việc gia đình',
    alert_send_reason: 'Gửi câu trả lời',
    alert_back: 'Quay lại',
    alert_offline: 'Chưa có kết nối: câu trả lời sẽ được gửi ngay khi có mạng trở lại.',
    alert_keep_answer: 'Giữ câu trả lời cũ',
    alert_answered: 'Đồng chí đã trả lời: {answer}',
    alert_change: 'Đổi câu trả lời',
  },
  en: {
    alert_kicker: 'Urgent meeting',
    alert_title: 'An urgent meeting is called',
    alert_raised_at: 'Sent at {time}',
    alert_question: 'How will you attend?',
    alert_joining_remotely: 'Joining remotely',
    alert_joining_remotely_hint: 'Take part from where you are, on this device.',
    alert_in_the_room: 'In the meeting room',
    alert_in_the_room_hint: 'Attend in person, in the hall.',
    alert_cannot_attend: 'Cannot attend',
    alert_cannot_attend_hint: 'Tell the chair why.',
    alert_reason: 'Why you cannot attend',
    alert_reason_needed: 'Please give a reason before sending.',
    alert_reason_trip: 'Away on official business',
    alert_reason_health: 'Health reasons',
    alert_reason_family: 'Family matters',
    alert_send_reason: 'Send my answer',
    alert_back: 'Back',
    alert_offline: 'Not connected: your answer will be sent as soon as the network is back.',
    alert_keep_answer: 'Keep my earlier answer',
    alert_answered: 'You answered: {answer}',
    alert_change: 'Change my answer',
  },
});

/** The three answers a member gives, with their glyphs (answer_alert's `answer`). */
const ANSWERS = [
  { answer: 'joining_remotely', symbol: '☏' },
  { answer: 'in_the_room', symbol: '⌂' },
  { answer: 'cannot_attend', symbol: '✗' },
];

/** The alert time in the language's format. */
function alertTime(millis) {
  return new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', { timeStyle: 'short' }).format(new Date(millis));
}

function alertState(ui) {
  ui.alert ??= {
    step: null,
    reason: '',
    reasonMissing: false,
    sending: null,
    changing: null,
    acknowledged: null,
    focused: null,
    answered: null,
  };
  return ui.alert;
}

/** The alert blocks: placed first, they take over the screen while unanswered. */
export function alertBlocks(view, ui) {
  if (view.audience === 'keeper') return alertChairBlocks(view, ui);
  const alert = view.alert;
  const me = view.me;
  if (!alert || !me || view.meeting.status === 'closed') return [];
  const state = alertState(ui);
  const mine = me.alert_answer?.number === alert.number ? me.alert_answer.answer : null;
  // The hub's answer, or this device's own once acknowledged, before the update shows it.
  const decided = mine && mine.answer !== 'received' ? mine : state.answered?.number === alert.number ? state.answered.answer : null;
  if (decided && state.changing !== alert.number) {
    // Coming means checking in too, which the banner offers until it is done.
    const checkIn = decided.answer !== 'cannot_attend' && view.meeting.status === 'open' && me.attendance.status !== 'present';
    return [
      {
        key: 'alert-banner',
        sig: sig(alert.number, alert.message, decided, checkIn, ui.checkIn),
        build: () => alertBanner(alert, decided, checkIn && (ui.checkIn ?? 'ready'), ui.actions),
      },
    ];
  }
  if (!mine && state.acknowledged !== alert.number) {
    // The device tells the hub the alert reached it ("received"), so the chair sees who
    // has it on screen before they decide. Once per alert; after this render.
    state.acknowledged = alert.number;
    queueMicrotask(() => ui.actions.alertReceived(alert.number));
  }
  const online = ui.status === 'online';
  return [
    {
      key: 'alert-takeover',
      sig: sig(alert.number, alert.message, view.meeting.details, state.step, state.sending, state.reasonMissing, online, decided),
      build: () => takeover(view, alert, state, online, decided, ui.actions),
    },
  ];
}

function takeover(view, alert, state, online, changing, actions) {
  // `changing`: the answer given before, when the member is changing it; else null.
  const details = view.meeting.details;
  const sending = state.sending;
  const content =
    state.step === 'reason'
      ? reasonForm(state, actions)
      : [
          h('p', { class: 'alert-question' }, t('alert_question')),
          h(
            'div',
            { class: 'alert-choices' },
            ANSWERS.map(({ answer, symbol }) =>
              h(
                'button',
                {
                  type: 'button',
                  class: `alert-choice alert-choice--${answer}`,
                  'aria-disabled': sending && 'true',
                  'data-focus': `alert-${answer}`,
                  // The answer is the button's name; the hint below it, its description.
                  'aria-label': sending === answer ? t('sending') : t(`alert_${answer}`),
                  'aria-describedby': `alert-hint-${answer}`,
                  onclick: () => actions.alertAnswer(answer),
                },
                h('span', { class: 'alert-choice-glyph', 'aria-hidden': 'true' }, symbol),
                h(
                  'span',
                  { class: 'alert-choice-text' },
                  h('span', { class: 'alert-choice-label' }, sending === answer ? t('sending') : t(`alert_${answer}`)),
                  h(
                    'span',
                    { id: `alert-hint-${answer}`, class: 'alert-choice-hint' },
                    answer === 'in_the_room' && details.location ? details.location : t(`alert_${answer}_hint`),
                  ),
                ),
              ),
            ),
          ),
        ];
  const section = h(
    'section',
    {
      class: 'alert-takeover',
      role: 'alertdialog',
      'aria-modal': 'true',
      'aria-labelledby': 'alert-title',
      'aria-describedby': 'alert-message',
      onkeydown: trapFocus,
    },
    h(
      'div',
      { class: 'alert-panel' },
      h(
        'div',
        { class: 'alert-band' },
        h('p', { class: 'alert-kicker' }, glyph('⚠'), ' ', t('alert_kicker')),
        button('secondary alert-language', t('other_language'), toggleLanguage, { lang: language() === 'vi' ? 'en' : 'vi' }),
      ),
      h(
        'div',
        { class: 'alert-body' },
        h('h2', { id: 'alert-title', class: 'alert-title', tabindex: '-1', 'data-focus': 'alert-title' }, t('alert_title')),
        h('p', { class: 'alert-meeting' }, details.title),
        h('p', { id: 'alert-message', class: 'alert-message' }, alert.message),
        h('p', { class: 'alert-time' }, glyph('◷'), ' ', t('alert_raised_at', { time: alertTime(alert.raised_at) })),
        !online && h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('alert_offline')),
        changing && h('p', { class: 'alert-current' }, t('alert_answered', { answer: t(`alert_${changing.answer}`) })),
        content,
        changing && button('secondary', t('alert_keep_answer'), () => actions.alertKeep(), { 'data-focus': 'alert-keep' }),
      ),
    ),
  );
  if (state.focused !== alert.number) {
    // Focus moves into the alert when it first appears (after this render places it).
    state.focused = alert.number;
    queueMicrotask(() => section.querySelector('#alert-title')?.focus());
  }
  return section;
}

function reasonForm(state, actions) {
  const input = h('input', { id: 'alert-reason', type: 'text', autocomplete: 'off', maxlength: '300', 'aria-required': 'true' });
  input.value = state.reason;
  input.addEventListener('input', () => {
    state.reason = input.value;
  });
  const suggest = (key) =>
    h(
      'button',
      {
        type: 'button',
        class: 'alert-suggestion',
        onclick: () => {
          input.value = t(key);
          state.reason = input.value;
          input.focus();
        },
      },
      t(key),
    );
  const sending = state.sending === 'cannot_attend';
  return h(
    'form',
    {
      class: 'alert-reason',
      // The app says what is missing, in the person's language, rather than the browser.
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        actions.alertSendReason();
      },
    },
    h('label', { for: 'alert-reason' }, glyph('✗'), ' ', t('alert_reason')),
    h('div', { class: 'alert-suggestions' }, suggest('alert_reason_trip'), suggest('alert_reason_health'), suggest('alert_reason_family')),
    input,
    state.reasonMissing && h('p', { class: 'error', role: 'alert' }, t('alert_reason_needed')),
    h(
      'button',
      { type: 'submit', class: 'button button--primary button--big', 'aria-disabled': sending && 'true', 'data-focus': 'alert-send-reason' },
      sending ? t('sending') : t('alert_send_reason'),
    ),
    button('secondary', t('alert_back'), () => actions.alertBack(), { 'data-focus': 'alert-back' }),
  );
}

/** Keeps Tab inside the alert while it holds the screen. */
function trapFocus(event) {
  if (event.key !== 'Tab') return;
  const focusable = [...event.currentTarget.querySelectorAll('button, input')].filter((el) => !el.disabled);
  if (focusable.length === 0) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

function alertBanner(alert, answer, checkIn, actions) {
  const mode = answer.answer === 'joining_remotely' ? 'remote' : 'in_room';
  const sending = checkIn === 'sending';
  const symbol = ANSWERS.find((a) => a.answer === answer.answer)?.symbol ?? '✓';
  return h(
    'section',
    { class: 'alert-banner', 'aria-labelledby': 'alert-banner-heading' },
    h(
      'p',
      { id: 'alert-banner-heading', class: 'alert-banner-head', tabindex: '-1', 'data-focus': 'alert-banner' },
      glyph('⚠'),
      ' ',
      h('strong', {}, t('alert_kicker')),
      ': ',
      alert.message,
    ),
    h(
      'p',
      { class: 'alert-banner-answer' },
      glyph(symbol),
      ' ',
      t('alert_answered', { answer: t(`alert_${answer.answer}`) }),
      answer.reason && ` — ${answer.reason}`,
    ),
    h(
      'div',
      { class: 'alert-banner-buttons' },
      checkIn &&
        button('primary alert-check-in', sending ? t('sending') : t(mode === 'remote' ? 'check_in_remote' : 'check_in'), () => actions.checkIn(mode), {
          'aria-disabled': sending && 'true',
          'data-focus': 'alert-check-in',
        }),
      button('secondary alert-change', t('alert_change'), () => actions.alertChange(alert.number), { 'data-focus': 'alert-change' }),
    ),
  );
}

/** What the alert buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function alertActions(ctx) {
  const state = () => alertState(ctx.ui);
  const number = () => ctx.view()?.alert?.number ?? null;
  const answer = (body) => {
    const alert = state();
    if (alert.sending) return;
    alert.sending = body.answer;
    alert.reasonMissing = false;
    ctx.render();
    const raised = number();
    ctx.link
      .command({ type: 'answer_alert', answer: body })
      .then(
        () => {
          alert.answered = { number: raised, answer: body };
          alert.changing = null;
          alert.step = null;
          alert.reason = '';
          ctx.ui.focus = 'alert-banner';
        },
        (error) => ctx.notice(error),
      )
      .finally(() => {
        alert.sending = null;
        ctx.render();
      });
  };
  return {
    ...alertChairActions(ctx),
    /** Tells the hub the alert is on screen; nothing to show if it fails. */
    alertReceived(raised) {
      if (number() !== raised) return;
      ctx.link.command({ type: 'answer_alert', answer: { answer: 'received' } }).catch(() => {});
    },
    alertAnswer(kind) {
      if (state().sending) return;
      if (kind === 'cannot_attend') {
        state().step = 'reason';
        ctx.ui.focus = 'alert-send-reason';
        ctx.render();
        return;
      }
      answer({ answer: kind });
    },
    alertSendReason() {
      const reason = state().reason.trim();
      if (!reason) {
        state().reasonMissing = true;
        ctx.render();
        document.getElementById('alert-reason')?.focus();
        return;
      }
      answer({ answer: 'cannot_attend', reason });
    },
    alertBack() {
      state().step = null;
      state().reasonMissing = false;
      ctx.ui.focus = 'alert-cannot_attend';
      ctx.render();
    },
    alertChange(raised) {
      state().changing = raised;
      state().focused = null;
      ctx.render();
    },
    alertKeep() {
      Object.assign(state(), { changing: null, step: null, reasonMissing: false });
      ctx.ui.focus = 'alert-change';
      ctx.render();
    },
  };
}
