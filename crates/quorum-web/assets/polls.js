// A poll on a participant's screen: its head (status, kind of ballot, majority rule,
// countdown), the ballot of each seat this device votes for — the choice, the
// confirmation, the receipt — and "N of M have voted" with the results and the verdict
// when they may be shown. The chair's own controls come in as extra blocks.

import { call, savedSession } from './api.js';
import { countdown } from './clock.js';
import { button, glyph, h, sig } from './dom.js';
import { define, describe, number, t } from './i18n.js';
import { answersComplete, choiceBounds, nameOf, pollsInOrder, shareBase } from './view.js';

define({
  vi: {
    poll_rule: 'Điều kiện thông qua: {rule}',
    rule_more_than: 'Quá {fraction} {base}',
    rule_at_least: 'Ít nhất {fraction} {base}',
    rule_fraction_half: 'nửa',
    rule_fraction_two_thirds: 'hai phần ba',
    rule_fraction_three_quarters: 'ba phần tư',
    rule_base_votes_cast: 'số phiếu biểu quyết',
    rule_base_members_present: 'số đại biểu có mặt',
    rule_base_all_members: 'tổng số đại biểu',
    rule_base_stated: 'tổng số {count} đại biểu',
    rule_abstentions_excluded: '(không tính phiếu không biểu quyết)',
    receipt_checking: 'Đang đối chiếu mã với danh sách đã kiểm…',
    receipt_counted: 'Mã của bạn có trong danh sách {count} phiếu đã được kiểm.',
    receipt_not_listed: 'Không tìm thấy mã của bạn trong danh sách đã kiểm: hãy báo thư ký.',
  },
  en: {
    poll_rule: 'Passes with: {rule}',
    rule_more_than: 'More than {fraction} of {base}',
    rule_at_least: 'At least {fraction} of {base}',
    rule_fraction_half: 'half',
    rule_fraction_two_thirds: 'two thirds',
    rule_fraction_three_quarters: 'three quarters',
    rule_base_votes_cast: 'the votes cast',
    rule_base_members_present: 'the members present',
    rule_base_all_members: 'all members',
    rule_base_stated: 'all {count} members',
    rule_abstentions_excluded: '(abstentions left out)',
    receipt_checking: 'Checking your code against the counted list…',
    receipt_counted: 'Your code is in the list of {count} counted ballots.',
    receipt_not_listed: 'Your code is not in the counted list: tell the secretary.',
  },
});

/** The cards of every poll this screen may see, running first (or a note that there is none). */
export function pollCards(view, ui) {
  const polls = pollsInOrder(view);
  if (polls.length === 0) {
    return [{ key: 'no-polls', sig: sig(), build: () => h('section', { class: 'card' }, h('p', { class: 'muted' }, t('no_polls'))) }];
  }
  return polls.map((poll) => pollCard(view, poll, ui));
}

/**
 * One poll's card, a block whose children are its parts. A phone shows the ballot first,
 * then the results; the chair's console passes `chair` ({controls, after}: blocks) and
 * gets the controls and the progress first, its own ballot below them.
 */
export function pollCard(view, poll, ui, chair = null) {
  const head = { key: 'head', sig: sig(poll.spec, poll.status, poll.round, poll.deadline), build: () => pollHead(poll) };
  const results =
    poll.status === 'draft'
      ? []
      : [{ key: 'results', sig: sig(poll.spec, poll.status, poll.progress, poll.results), build: () => resultsBlock(poll) }];
  const ballots = ballotBlocks(view, poll, ui);
  const children = chair ? [head, ...chair.controls, ...results, ...ballots, ...chair.after] : [head, ...ballots, ...results];
  return {
    key: `poll:${poll.id}`,
    sig: sig(poll.id),
    build: () => h('section', { class: 'card poll', 'aria-labelledby': `poll-${poll.id}` }, h('div', { class: 'slot' })),
    children,
  };
}

/** The ballot of each seat this device votes for (or why it has none). */
function ballotBlocks(view, poll, ui) {
  const blocks = [];
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
      build: () => ballotBlock(view.meeting.id, poll, seat, state, proxyName, ui),
    });
  }
  return blocks;
}

const POLL_GLYPHS = { draft: '✎', open: '●', paused: '❚❚', closed: '■', published: '■' };

/** The poll's title, status, kind of ballot and rule, and the countdown while it runs. */
export function pollHead(poll) {
  const questions = poll.spec.questions;
  const running = poll.status === 'open' || poll.status === 'paused';
  return h(
    'div',
    { class: 'poll-head' },
    h('h2', { id: `poll-${poll.id}` }, poll.spec.title),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: `badge badge--poll-${poll.status}` }, glyph(POLL_GLYPHS[poll.status] ?? ''), ' ', t(`poll_${poll.status}`)),
      h('span', { class: 'badge' }, poll.spec.secret ? t('secret') : t('named')),
      running && poll.deadline && countdown(poll.deadline, 'badge'),
    ),
    // With one question, its text is shown unless it only repeats the title.
    questions.length === 1 && questions[0].text !== poll.spec.title && h('p', { class: 'question-text' }, questions[0].text),
    h('p', { class: 'muted small poll-rule' }, t('poll_rule', { rule: ruleLabel(poll.spec.majority) })),
  );
}

const FRACTIONS = { '1/2': 'rule_fraction_half', '2/3': 'rule_fraction_two_thirds', '3/4': 'rule_fraction_three_quarters' };
const BASES = {
  votes_cast: 'rule_base_votes_cast',
  members_present: 'rule_base_members_present',
  all_members: 'rule_base_all_members',
};

/** A majority rule (rules.rs) in words: "Quá nửa tổng số đại biểu". */
export function ruleLabel(rule) {
  const moreThan = 'more_than' in rule.threshold;
  const ratio = moreThan ? rule.threshold.more_than : rule.threshold.at_least;
  const key = FRACTIONS[`${ratio.numerator}/${ratio.denominator}`];
  const fraction = key ? t(key) : `${ratio.numerator}/${ratio.denominator}`;
  const base =
    rule.base.kind === 'stated' ? t('rule_base_stated', { count: number(rule.base.members) }) : t(BASES[rule.base.kind] ?? 'rule_base_all_members');
  const text = t(moreThan ? 'rule_more_than' : 'rule_at_least', { fraction, base });
  const excluded = rule.base.kind === 'votes_cast' && rule.abstentions === 'excluded';
  return excluded ? `${text} ${t('rule_abstentions_excluded')}` : text;
}

/** The labels of a question's options, and the tone of each (for motions). */
export function options(question) {
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

function ballotBlock(meetingId, poll, seat, state, proxyName, ui) {
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
            (poll.status === 'closed' || poll.status === 'published') && receiptCheck(meetingId, poll, state.receipt),
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

/**
 * Looks the receipt up in the list the hub publishes once a round is counted (receipts
 * only, sorted), so that the voter sees their ballot was counted.
 */
function receiptCheck(meetingId, poll, receipt) {
  const line = h('p', { class: 'state receipt-check' }, t('receipt_checking'));
  call('GET', `/api/meetings/${encodeURIComponent(meetingId)}/receipts`, { token: savedSession()?.token })
    .then((published) => {
      const rounds = published.find((entry) => entry.poll === poll.id)?.rounds ?? [];
      const round = rounds.find((entry) => entry.round === poll.round);
      const found = round?.receipts.includes(receipt) ?? false;
      line.classList.add(found ? 'is-ok' : 'is-error');
      line.textContent = found
        ? t('receipt_counted', { count: number(round.receipts.length) })
        : t('receipt_not_listed');
    })
    .catch(() => line.remove());
  return line;
}

/** A receipt in groups of five, easier to read aloud and compare: 7KQ2M-9D4XT-… */
function groupReceipt(receipt) {
  return receipt.match(/.{1,5}/g).join('-');
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

export function verdict(question, outcome) {
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
