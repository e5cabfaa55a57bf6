// Builds the screens from the meeting view and this device's own state. A live screen is
// a list of keyed blocks, each rebuilt only when what it shows changed, so an update that
// arrives mid-tap never swaps the button under a finger nor moves the keyboard focus.
// Text always goes in as text (never as markup), and meaning never rests on colour alone.

import { alertBlocks } from './alert.js';
import { chairBlocks } from './chair.js';
import { documentBlocks } from './documents.js';
import { button, glyph, h, sig } from './dom.js';
import { floorBlocks } from './floor.js';
import { dateTime, describe, number, t } from './i18n.js';
import { secretaryBlocks } from './secretary.js';
import {
  answersComplete,
  choiceBounds,
  currentItem,
  featuredPoll,
  isChair,
  nameOf,
  pollsInOrder,
  shareBase,
} from './view.js';

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
 * backLink, actions} — the device's own state and what the buttons do.
 */
export function meetingBlocks(view, ui) {
  // An unanswered urgent alert comes first, and takes the screen over.
  const blocks = [
    ...alertBlocks(view, ui),
    { key: 'head', sig: sig(view.meeting, view.audience, view.me?.role, ui.backLink), build: () => meetingHead(view, ui) },
    { key: 'item', sig: sig(view.agenda), build: () => itemCard(view) },
    ...documentBlocks(view, ui),
    { key: 'quorum', sig: sig(view.quorum), build: () => quorumCard(view.quorum) },
  ];
  if (view.me) {
    blocks.push({
      key: 'me',
      sig: sig(view.me, ui.checkIn, nameOf(view, view.me.member)),
      build: () => myCard(view, ui),
    });
  }
  blocks.push(...floorBlocks(view, ui), ...chairBlocks(view, ui));
  const polls = pollsInOrder(view);
  if (polls.length === 0) {
    blocks.push({ key: 'no-polls', sig: sig(), build: () => h('section', { class: 'card' }, h('p', { class: 'muted' }, t('no_polls'))) });
  }
  for (const poll of polls) {
    blocks.push({
      key: `poll:${poll.id}`,
      sig: sig(poll.id),
      build: () => h('section', { class: 'card poll', 'aria-labelledby': `poll-${poll.id}` }, h('div', { class: 'slot' })),
      children: pollBlocks(view, poll, ui),
    });
  }
  blocks.push(...secretaryBlocks(view, ui));
  return blocks;
}

function meetingHead(view, ui) {
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

// --- Polls ---

function pollBlocks(view, poll, ui) {
  const blocks = [{ key: 'head', sig: sig(poll.spec, poll.status, poll.round), build: () => pollHead(poll) }];
  const running = poll.status === 'open' || poll.status === 'paused';
  if (running && poll.my_seats.length === 0 && view.me) {
    blocks.push({ key: 'not-entitled', sig: sig(), build: () => h('p', { class: 'muted' }, t('not_entitled')) });
  }
  for (const seat of poll.my_seats) {
    const state = ui.ballots.state(poll, seat);
    // A counted poll shows only the receipts of ballots cast.
    if (!running && state.step !== 'done') continue;
    const proxyName = seat.seat === view.me?.member ? null : nameOf(view, seat.seat);
    blocks.push({
      key: `ballot:${seat.seat}`,
      sig: sig(poll.status, poll.round, poll.spec, state, proxyName, state.step === 'sending' && ui.status),
      build: () => ballotBlock(poll, seat, state, proxyName, ui),
    });
  }
  if (isChair(view) && poll.status !== 'published') {
    const pending = ui.chair.get(poll.id) ?? null;
    blocks.push({
      key: 'chair',
      sig: sig(poll.status, pending, view.quorum),
      build: () => chairControls(view, poll, pending, ui.actions),
    });
  }
  if (poll.status !== 'draft') {
    blocks.push({ key: 'results', sig: sig(poll.spec, poll.status, poll.progress, poll.results), build: () => resultsBlock(poll) });
  }
  return blocks;
}

const POLL_GLYPHS = { draft: '✎', open: '●', paused: '❚❚', closed: '■', published: '■' };

export function pollHead(poll) {
  const questions = poll.spec.questions;
  return h(
    'div',
    { class: 'poll-head' },
    h('h2', { id: `poll-${poll.id}` }, poll.spec.title),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: `badge badge--poll-${poll.status}` }, glyph(POLL_GLYPHS[poll.status] ?? ''), ' ', t(`poll_${poll.status}`)),
      h('span', { class: 'badge' }, poll.spec.secret ? t('secret') : t('named')),
    ),
    questions.length === 1 && h('p', { class: 'question-text' }, questions[0].text),
  );
}

/** The labels of a question's options, and the tone of each (for motions). */
function options(question) {
  switch (question.kind.kind) {
    case 'yes_no_abstain':
      return [
        { label: t('yes'), tone: 'yes', symbol: '✓' },
        { label: t('no'), tone: 'no', symbol: '✗' },
        { label: t('abstain'), tone: 'abstain', symbol: '–' },
      ];
    case 'yes_no':
      return [
        { label: t('yes'), tone: 'yes', symbol: '✓' },
        { label: t('no'), tone: 'no', symbol: '✗' },
      ];
    default:
      return question.kind.options.map((label) => ({ label, tone: 'option', symbol: null }));
  }
}

function chosenLabels(question, answer) {
  const all = options(question);
  return answer.length === 0 ? t('nothing_chosen') : answer.map((index) => all[index]?.label ?? index).join(', ');
}

function ballotBlock(poll, seat, state, proxyName, ui) {
  const actions = ui.actions;
  const key = state.key;
  const seatArg = proxyName ? seat.seat : null;
  const questions = poll.spec.questions;
  const content = [];
  if (proxyName) content.push(h('p', { class: 'proxy' }, t('proxy_for', { name: proxyName })));
  if (state.step === 'done') {
    content.push(
      h('p', { class: 'state is-ok big', tabindex: '-1', 'data-focus': `done:${key}` }, glyph('✓'), ' ', t('vote_recorded')),
      state.answers &&
        h('p', {}, t('you_chose', { choice: questions.map((q, i) => chosenLabels(q, state.answers[i])).join('; ') })),
      state.receipt
        ? [
            h('p', { class: 'card-label' }, t('receipt')),
            h('p', { class: 'receipt' }, groupReceipt(state.receipt)),
            h('p', { class: 'muted' }, t('receipt_hint')),
          ]
        : h('p', {}, t('voted')),
      poll.spec.vote_change &&
        poll.status === 'open' &&
        button('secondary', t('change_vote'), () => actions.changeVote(poll, key), { 'data-focus': `change:${key}` }),
    );
  } else if (state.step === 'sending') {
    content.push(
      h('p', { class: 'state big', tabindex: '-1', 'data-focus': `confirm:${key}` }, glyph('…'), ' ', t('sending_ballot')),
      ui.status !== 'online' && h('p', { class: 'muted' }, t('sending_offline')),
    );
  } else if (poll.status === 'paused') {
    content.push(h('p', { class: 'state is-warn' }, glyph('❚❚'), ' ', t('poll_paused_note')));
  } else if (state.step === 'confirming') {
    content.push(
      h('p', { class: 'card-label' }, t('your_choice')),
      questions.map((question, index) => {
        const chosen = state.answers[index];
        const single = chosen.length === 1 ? options(question)[chosen[0]] : null;
        return h(
          'p',
          { class: `chosen chosen--${single?.tone ?? 'option'}` },
          single?.symbol && glyph(single.symbol),
          single?.symbol && ' ',
          questions.length > 1 && `${question.text}: `,
          chosenLabels(question, chosen),
        );
      }),
      state.error && h('p', { class: 'error', role: 'alert' }, describe(state.error)),
      button('primary button--big', t('confirm_vote'), () => actions.confirm(poll, key, seatArg), {
        'data-focus': `confirm:${key}`,
      }),
      button('secondary', t('change_choice'), () => actions.back(key), { 'data-focus': `back:${key}` }),
    );
  } else {
    const direct = questions.length === 1 && questions[0].kind.kind !== 'select';
    questions.forEach((question, qi) => content.push(questionFieldset(poll, question, qi, state, direct, actions)));
    if (state.error) content.push(h('p', { class: 'error', role: 'alert' }, describe(state.error)));
    if (!direct) {
      content.push(
        button('primary', t('next'), () => actions.review(poll, key), {
          disabled: !answersComplete(questions, state.answers),
          'data-focus': `next:${key}`,
        }),
      );
    }
  }
  return h('div', { class: 'ballot' }, content);
}

function questionFieldset(poll, question, qi, state, direct, actions) {
  const [min, max] = choiceBounds(question);
  const chosen = state.answers[qi];
  const multiple = question.kind.kind === 'select';
  const single = poll.spec.questions.length === 1;
  return h(
    'fieldset',
    { class: 'question' },
    // With one question, the poll's heading already shows its text.
    h('legend', { class: single ? 'visually-hidden' : null }, question.text),
    h('p', { class: 'muted' }, multiple ? t('choose_between', { min, max }) : t('choose_one')),
    h(
      'div',
      { class: 'choices' },
      options(question).map((option, oi) => {
        const pressed = chosen.includes(oi);
        const symbol = option.symbol ?? (multiple ? (pressed ? '☑' : '☐') : pressed ? '●' : '○');
        return h(
          'button',
          {
            type: 'button',
            class: `choice choice--${option.tone}`,
            // Toggles say whether they are on; a direct choice is an action.
            'aria-pressed': direct ? null : String(pressed),
            'data-focus': `choice:${state.key}:${qi}:${oi}`,
            onclick: () => actions.choose(poll, state.key, qi, oi),
          },
          h('span', { class: 'choice-glyph', 'aria-hidden': 'true' }, symbol),
          h('span', {}, option.label),
        );
      }),
    ),
  );
}

/** A receipt in groups of five, easier to read aloud and compare: 7KQ2M-9D4XT-… */
function groupReceipt(receipt) {
  return receipt.match(/.{1,5}/g).join('-');
}

function chairControls(view, poll, pending, actions) {
  const quorum = view.quorum;
  const sending = pending === 'sending';
  const id = poll.id;
  let content;
  if (poll.status === 'draft' && pending === 'confirm-open') {
    content = [
      h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('open_without_quorum', { present: number(quorum.present), required: number(quorum.required) })),
      button('primary', t('open_anyway'), () => actions.openPoll(poll, true), { 'data-focus': `open-anyway:${id}` }),
      button('secondary', t('cancel'), () => actions.cancelChair(poll), { 'data-focus': `cancel:${id}` }),
    ];
  } else if (poll.status === 'draft') {
    content = button('primary', sending ? t('sending') : t('open_poll'), () => actions.openPoll(poll, false), {
      'aria-disabled': sending && 'true',
      'data-focus': `open:${id}`,
    });
  } else if (pending === 'confirm-close') {
    content = [
      h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('close_confirm')),
      button('danger', t('close_now'), () => actions.closePoll(poll, true), { 'data-focus': `close-now:${id}` }),
      button('secondary', t('cancel'), () => actions.cancelChair(poll), { 'data-focus': `cancel:${id}` }),
    ];
  } else if (poll.status === 'open' || poll.status === 'paused') {
    content = button('danger', sending ? t('sending') : t('close_poll'), () => actions.closePoll(poll, false), {
      'aria-disabled': sending && 'true',
      'data-focus': `close:${id}`,
    });
  } else {
    content = button('primary', sending ? t('sending') : t('publish_poll'), () => actions.publishPoll(poll), {
      'aria-disabled': sending && 'true',
      'data-focus': `publish:${id}`,
    });
  }
  return h('div', { class: 'chair-controls', role: 'group', 'aria-label': t('chair_controls') }, h('p', { class: 'card-label' }, t('chair_controls')), content);
}

/** Progress ("N of M have voted"), the results when visible, the verdict when final. */
export function resultsBlock(poll) {
  const progress = poll.progress;
  const results = poll.results;
  const questions = poll.spec.questions;
  const content = [
    h('p', { class: 'progress-text' }, t('progress', { voted: number(progress.voted), entitled: number(progress.entitled) })),
    bar(progress.voted, progress.entitled, 'progress'),
  ];
  if (!results) {
    content.push(h('p', { class: 'muted' }, t('results_later')));
    return h('div', { class: 'results-block' }, content);
  }
  content.push(h('h3', { class: 'card-label' }, results.final ? t('results_final') : t('results_live')));
  questions.forEach((question, qi) => {
    const tally = results.tally.questions[qi];
    const base = shareBase(poll, results, qi);
    if (questions.length > 1) content.push(h('p', { class: 'question-text' }, question.text));
    const rows = options(question).map((option, oi) => resultRow(option, tally.options[oi]?.weight ?? 0, base));
    if (tally.blank.weight > 0) rows.push(resultRow({ label: t('blank'), tone: 'abstain' }, tally.blank.weight, base));
    content.push(
      h('ul', { class: 'results' }, rows),
      h('p', { class: 'muted small' }, t('share_base', { what: t(`share_of_${base.kind}`), count: number(base.weight) })),
    );
    if (results.final && results.verdicts[qi]) content.push(verdict(question, results.verdicts[qi]));
  });
  return h('div', { class: 'results-block' }, content);
}

function resultRow(option, weight, base) {
  const share = base.weight > 0 ? (100 * weight) / base.weight : 0;
  return h(
    'li',
    { class: 'result' },
    h('span', { class: 'result-label' }, option.label),
    h('span', { class: 'result-figure' }, t(weight === 1 ? 'votes_one' : 'votes', { count: number(weight) }), ' · ', `${number(share, 2)}%`),
    bar(weight, base.weight, option.tone),
  );
}

/** A bar for the eye; the figures beside it carry the meaning. */
function bar(value, total, tone) {
  const fill = h('span', { class: 'bar-fill' });
  // CSSOM, not a style attribute: the content security policy allows only the former.
  fill.style.width = `${total > 0 ? Math.min(100, (100 * value) / total) : 0}%`;
  return h('span', { class: `bar bar--${tone}`, 'aria-hidden': 'true' }, fill);
}

function verdict(question, outcome) {
  const labels = options(question).map((option) => option.label);
  const list = (indices) => indices.map((index) => labels[index] ?? index).join(', ');
  let kind = 'failed';
  let text;
  switch (outcome.outcome) {
    case 'passed':
      kind = 'passed';
      text = ['✓', t('verdict_passed')];
      break;
    case 'not_passed':
      text = ['✗', t('verdict_not_passed')];
      break;
    case 'tie':
      text = ['=', t('verdict_tie')];
      break;
    case 'chosen':
      kind = 'passed';
      text = ['✓', t('verdict_chosen', { option: labels[outcome.option] ?? outcome.option })];
      break;
    case 'elected':
      kind = outcome.elected.length > 0 ? 'passed' : 'failed';
      text = outcome.elected.length > 0
        ? ['✓', t('verdict_elected', { options: list(outcome.elected) })]
        : ['✗', t('verdict_none_elected')];
      break;
    default:
      return null;
  }
  return h(
    'div',
    { class: `verdict verdict--${kind}` },
    h('p', {}, glyph(text[0]), ' ', text[1]),
    outcome.tied?.length > 0 && h('p', { class: 'small' }, t('verdict_tied', { options: list(outcome.tied) })),
  );
}
