// The speakers' list: a delegate's request to speak (speech, interpellation, point of
// order) and place in the queue, the chair's grant / extend / end with a speaking timer,
// and the current speaker on the projector.

import { button, glyph, h, sig } from './dom.js';
import { floorChairBlocks } from './floor-chair.js';
import { KINDS, kindBadge, kindContent, requestTopic, speakingTimer, standing } from './floor-parts.js';
import { define, t } from './i18n.js';
import { randomId } from './socket.js';
import { nameOf } from './view.js';

define({
  vi: {
    floor_title: 'Đăng ký phát biểu',
    floor_ask_help: 'Chọn hình thức đăng ký:',
    floor_not_open: 'Đăng ký phát biểu được mở khi cuộc họp đang diễn ra.',
    floor_topic: 'Nội dung (không bắt buộc)',
    floor_addressed_to: 'Chất vấn ai (không bắt buộc)',
    floor_send: 'Gửi đăng ký',
    floor_place: 'Bạn đứng thứ {place}',
    floor_place_next: 'Bạn là người tiếp theo',
    floor_withdraw: 'Rút đăng ký',
    floor_you_speak: 'Bạn đang phát biểu',
    floor_yield: 'Kết thúc phát biểu',
    floor_speaking_now: 'Đang phát biểu',
    floor_waiting: 'Số người đang chờ: {count}',
    floor_next: 'Tiếp theo',
    floor_nobody_speaking: 'Chưa có người phát biểu.',
  },
  en: {
    floor_title: 'Request to speak',
    floor_ask_help: 'Choose what you ask the floor for:',
    floor_not_open: 'You can ask to speak once the meeting is in session.',
    floor_topic: 'Topic (optional)',
    floor_addressed_to: 'Addressed to (optional)',
    floor_send: 'Send my request',
    floor_place: 'You are number {place} in the queue',
    floor_place_next: 'You are next',
    floor_withdraw: 'Withdraw my request',
    floor_you_speak: 'You have the floor',
    floor_yield: 'Finish speaking',
    floor_speaking_now: 'Speaking now',
    floor_waiting: 'Waiting to speak: {count}',
    floor_next: 'Next',
    floor_nobody_speaking: 'Nobody has the floor.',
  },
});

/** This device's own floor state, kept across updates: the request being written, what is being sent. */
export function floorState(ui) {
  ui.floor ??= { draft: null, sending: new Set(), confirmRemove: null };
  return ui.floor;
}

/** The speakers' list blocks of a participant's screen. */
export function floorBlocks(view, ui) {
  if (view.audience === 'keeper') return floorChairBlocks(view, ui);
  // After the session closes the list is history: the minutes hold it.
  if (!view.me || view.meeting.status === 'closed') return [];
  const state = floorState(ui);
  const me = view.me.member;
  const { current, queue } = view.floor;
  const mine = queue.map((request, index) => ({ request, place: index + 1 })).filter(({ request }) => request.member === me);
  const children = [];
  if (current) {
    const speaker = nameOf(view, current.request.member);
    children.push({
      key: 'now',
      sig: sig(current, speaker, current.request.member === me, state.sending.has('yield')),
      build: () => (current.request.member === me ? mySpeech(current, state, ui.actions) : otherSpeech(current, speaker)),
    });
  }
  for (const { request, place } of mine) {
    const key = `withdraw:${request.id}`;
    children.push({
      key: `mine:${request.id}`,
      sig: sig(request, place, state.sending.has(key)),
      build: () => myRequest(request, place, state.sending.has(key), ui.actions),
    });
  }
  const offered = view.me.role === 'guest' ? ['speech'] : KINDS;
  // While I have the floor there is nothing to ask for.
  const speaking = current?.request.member === me;
  const available = speaking ? [] : offered.filter((kind) => !mine.some(({ request }) => request.kind === kind));
  const draft = state.draft && available.includes(state.draft.kind) ? state.draft : null;
  children.push({
    key: 'ask',
    sig: sig(view.meeting.status, available, draft?.kind, state.sending.has('ask')),
    build: () => askBlock(view.meeting.status, available, draft, state.sending.has('ask'), ui.actions),
  });
  if (queue.length > 0) {
    children.push({
      key: 'waiting',
      sig: sig(queue.length),
      build: () => h('p', { class: 'muted floor-waiting' }, t('floor_waiting', { count: queue.length })),
    });
  }
  return [
    {
      key: 'floor',
      sig: sig(),
      build: () =>
        h(
          'section',
          { class: 'card floor', 'aria-labelledby': 'floor-heading' },
          h('h2', { id: 'floor-heading', class: 'card-label' }, t('floor_title')),
          h('div', { class: 'slot' }),
        ),
      children,
    },
  ];
}

function mySpeech(current, state, actions) {
  const sending = state.sending.has('yield');
  return h(
    'div',
    { class: 'floor-now floor-now--mine' },
    h('p', { class: 'state big is-ok', tabindex: '-1', 'data-focus': 'floor-speaking' }, glyph('●'), ' ', t('floor_you_speak')),
    h('p', { class: 'meta' }, kindBadge(current.request.kind), requestTopic(current.request)),
    speakingTimer(current, 'floor-timer--big'),
    button('secondary', sending ? t('sending') : t('floor_yield'), () => actions.floorYield(), {
      'aria-disabled': sending && 'true',
      'data-focus': 'floor-yield',
    }),
  );
}

function otherSpeech(current, speaker) {
  return h(
    'div',
    { class: 'floor-now' },
    h('p', { class: 'floor-now-line' }, h('span', { class: 'muted' }, `${t('floor_speaking_now')}: `), h('strong', {}, speaker)),
    h('p', { class: 'meta' }, kindBadge(current.request.kind), speakingTimer(current, 'floor-timer--inline')),
  );
}

function myRequest(request, place, sending, actions) {
  return h(
    'div',
    { class: 'floor-mine' },
    h(
      'p',
      { class: 'state floor-place', tabindex: '-1', 'data-focus': `floor-mine:${request.id}` },
      glyph('✓'),
      ' ',
      place === 1 ? t('floor_place_next') : t('floor_place', { place }),
    ),
    h('p', { class: 'meta' }, kindBadge(request.kind), requestTopic(request)),
    button('secondary', sending ? t('sending') : t('floor_withdraw'), () => actions.floorWithdraw(request), {
      'aria-disabled': sending && 'true',
      'data-focus': `floor-withdraw:${request.id}`,
    }),
  );
}

function askBlock(status, available, draft, sending, actions) {
  if (status !== 'open') return h('p', { class: 'muted' }, t('floor_not_open'));
  if (available.length === 0) return h('div', {});
  if (draft) return draftForm(draft, sending, actions);
  return h(
    'div',
    { class: 'floor-ask' },
    h('p', { class: 'muted' }, t('floor_ask_help')),
    available.map((kind) =>
      button(`secondary floor-kind-button floor-kind-button--${kind}`, kindContent(kind), () => actions.floorAsk(kind), {
        'data-focus': `floor-ask:${kind}`,
      }),
    ),
  );
}

function draftForm(draft, sending, actions) {
  const field = (id, label, name) => {
    const input = h('input', { id, type: 'text', autocomplete: 'off', maxlength: '300' });
    input.value = draft[name];
    // The text lives in the device's state, so an update that rebuilds the form keeps it.
    input.addEventListener('input', () => {
      draft[name] = input.value;
    });
    return h('div', { class: 'floor-field' }, h('label', { for: id }, label), input);
  };
  return h(
    'form',
    {
      class: 'floor-form',
      onsubmit: (event) => {
        event.preventDefault();
        actions.floorSend();
      },
    },
    h('p', { class: 'floor-form-kind' }, kindContent(draft.kind)),
    draft.kind === 'interpellation' && field('floor-addressed', t('floor_addressed_to'), 'addressed'),
    field('floor-topic', t('floor_topic'), 'topic'),
    h(
      'button',
      { type: 'submit', class: 'button button--primary', 'aria-disabled': sending && 'true', 'data-focus': 'floor-send' },
      sending ? t('sending') : t('floor_send'),
    ),
    button('secondary', t('cancel'), () => actions.floorCancel(), { 'data-focus': 'floor-cancel' }),
  );
}

/** The projector's current-speaker blocks: the speaker large, with the timer; the next two. */
export function projectorFloorBlocks(view) {
  const { current, queue } = view.floor;
  if (!current && queue.length === 0) return [];
  const next = queue.slice(0, 2).map((request) => ({ request, name: nameOf(view, request.member) }));
  const speaker = current && { name: nameOf(view, current.request.member), standing: standing(view, current.request.member) };
  return [
    {
      key: 'p-floor',
      sig: sig(current, speaker, next),
      build: () =>
        h(
          'section',
          { class: 'card projector-floor', 'aria-labelledby': 'p-floor-heading' },
          h('h2', { id: 'p-floor-heading', class: 'card-label' }, t('floor_speaking_now')),
          current
            ? [
                h('p', { class: 'floor-speaker' }, speaker.name),
                speaker.standing && h('p', { class: 'muted floor-standing' }, speaker.standing),
                h('p', { class: 'meta' }, kindBadge(current.request.kind), requestTopic(current.request)),
                speakingTimer(current, 'floor-timer--projector'),
              ]
            : h('p', { class: 'muted' }, t('floor_nobody_speaking')),
          next.length > 0 && [
            h('h3', { class: 'card-label floor-next-label' }, t('floor_next')),
            h(
              'ol',
              { class: 'floor-next' },
              next.map(({ request, name }) => h('li', {}, h('span', { class: 'floor-next-name' }, name), ' ', kindBadge(request.kind))),
            ),
          ],
        ),
    },
  ];
}

/** What the floor buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function floorActions(ctx) {
  const state = () => floorState(ctx.ui);
  /** Sends `command` once at a time per `key`; `done` runs on the hub's ack. */
  const send = (key, command, done) => {
    const floor = state();
    if (floor.sending.has(key)) return;
    floor.sending.add(key);
    ctx.render();
    ctx.link
      .command(command)
      .then(
        () => done?.(),
        (error) => ctx.notice(error),
      )
      .finally(() => {
        floor.sending.delete(key);
        ctx.render();
      });
  };
  return {
    floorAsk(kind) {
      state().draft = { kind, topic: '', addressed: '', request: null };
      // The send button, not a text field: the keyboard opens only if the person wants it.
      ctx.ui.focus = 'floor-send';
      ctx.render();
    },
    floorCancel() {
      const kind = state().draft?.kind;
      state().draft = null;
      ctx.ui.focus = `floor-ask:${kind}`;
      ctx.render();
    },
    floorSend() {
      const draft = state().draft;
      if (!draft) return;
      // The request keeps its id until it is acknowledged: a resend is the same request.
      draft.request ??= randomId('fr');
      const addressed = draft.addressed.trim();
      const command = {
        type: 'request_floor',
        request: draft.request,
        kind: draft.kind,
        topic: draft.topic.trim(),
        addressed_to: draft.kind === 'interpellation' && addressed ? addressed : null,
      };
      send('ask', command, () => {
        if (state().draft === draft) state().draft = null;
        ctx.ui.focus = `floor-mine:${draft.request}`;
      });
    },
    floorWithdraw(request) {
      send(`withdraw:${request.id}`, { type: 'withdraw_floor_request', request: request.id }, () => {
        ctx.ui.focus = `floor-ask:${request.kind}`;
      });
    },
    floorYield() {
      send('yield', { type: 'end_floor' });
    },
    floorGrant(request) {
      send(`grant:${request.id}`, { type: 'grant_floor', request: request.id, duration: null }, () => {
        ctx.ui.focus = 'floor-end';
      });
    },
    floorExtend(minutes) {
      send(`extend:${minutes}`, { type: 'extend_floor', extra: minutes * 60_000 });
    },
    floorEnd() {
      send('end', { type: 'end_floor' });
    },
    floorRemove(request, confirmed) {
      if (!confirmed) {
        state().confirmRemove = request.id;
        ctx.ui.focus = `floor-remove-now:${request.id}`;
        ctx.render();
        return;
      }
      state().confirmRemove = null;
      send(`remove:${request.id}`, { type: 'withdraw_floor_request', request: request.id });
    },
    floorKeep(request) {
      state().confirmRemove = null;
      ctx.ui.focus = `floor-grant:${request.id}`;
      ctx.render();
    },
  };
}
