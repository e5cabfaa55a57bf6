// The chair's quick vote: an ad-hoc poll in a few taps — what is put to the vote, its kind
// (yes/no/abstain by default, yes/no, one of several options), named or secret, who sees
// the results and when, the majority rule (the meeting's by default) and a timer — made
// for the item under discussion, then opened at once or kept as a draft.

import { button, glyph, h, sig } from './dom.js';
import { define, t } from './i18n.js';
import { ruleLabel } from './polls.js';
import { randomId } from './socket.js';
import { currentItem } from './view.js';

define({
  vi: {
    cpoll_heading: 'Biểu quyết nhanh',
    cpoll_unfold: 'Tạo biểu quyết nhanh',
    cpoll_fold: 'Thu gọn',
    cpoll_title: 'Nội dung biểu quyết',
    cpoll_title_hint: 'Ví dụ: Thông qua Tờ trình số 12',
    cpoll_kind: 'Hình thức',
    cpoll_kind_yes_no_abstain: 'Tán thành / Không tán thành / Không biểu quyết',
    cpoll_kind_yes_no: 'Tán thành / Không tán thành',
    cpoll_kind_one_of: 'Chọn một trong các phương án',
    cpoll_options: 'Các phương án, mỗi dòng một phương án',
    cpoll_ballot: 'Cách bỏ phiếu',
    cpoll_visibility: 'Ai thấy kết quả, khi nào',
    cpoll_visibility_live_to_all: 'Mọi người thấy trực tiếp',
    cpoll_visibility_live_to_chair: 'Chủ tọa thấy trực tiếp, mọi người thấy khi công bố',
    cpoll_visibility_after_close: 'Chỉ hiện sau khi kết thúc biểu quyết',
    cpoll_majority: 'Điều kiện thông qua',
    cpoll_majority_meeting: 'Theo quy chế cuộc họp: {rule}',
    cpoll_minutes: 'Thời gian biểu quyết (phút)',
    cpoll_create_open: 'Tạo và mở biểu quyết',
    cpoll_create_draft: 'Lưu dự thảo',
    cpoll_title_missing: 'Hãy nhập nội dung biểu quyết.',
    cpoll_options_missing: 'Cần ít nhất hai phương án khác nhau.',
    cpoll_for_item: 'Thuộc nội dung: {title}',
  },
  en: {
    cpoll_heading: 'Quick vote',
    cpoll_unfold: 'Create a quick vote',
    cpoll_fold: 'Fold away',
    cpoll_title: 'What is put to the vote',
    cpoll_title_hint: 'For example: Adopt Submission no. 12',
    cpoll_kind: 'Kind',
    cpoll_kind_yes_no_abstain: 'Yes / No / Abstain',
    cpoll_kind_yes_no: 'Yes / No',
    cpoll_kind_one_of: 'One of several options',
    cpoll_options: 'The options, one per line',
    cpoll_ballot: 'Ballot',
    cpoll_visibility: 'Who sees the results, and when',
    cpoll_visibility_live_to_all: 'Everyone, live',
    cpoll_visibility_live_to_chair: 'The chair live, everyone once published',
    cpoll_visibility_after_close: 'Only after the vote closes',
    cpoll_majority: 'Passes with',
    cpoll_majority_meeting: "The meeting's rule: {rule}",
    cpoll_minutes: 'Voting time (minutes)',
    cpoll_create_open: 'Create and open the vote',
    cpoll_create_draft: 'Save as a draft',
    cpoll_title_missing: 'Type what is put to the vote.',
    cpoll_options_missing: 'At least two different options are needed.',
    cpoll_for_item: 'For the item: {title}',
  },
});

const KINDS = ['yes_no_abstain', 'yes_no', 'one_of'];
const VISIBILITIES = ['live_to_all', 'live_to_chair', 'after_close'];
const half = { numerator: 1, denominator: 2 };
/** The majority rules offered besides the meeting's own (rules.rs). */
const RULES = {
  all_half: { threshold: { more_than: half }, base: { kind: 'all_members' }, abstentions: 'counted' },
  present_half: { threshold: { more_than: half }, base: { kind: 'members_present' }, abstentions: 'counted' },
  cast_half: { threshold: { more_than: half }, base: { kind: 'votes_cast' }, abstentions: 'excluded' },
  all_two_thirds: { threshold: { at_least: { numerator: 2, denominator: 3 } }, base: { kind: 'all_members' }, abstentions: 'counted' },
  all_three_quarters: { threshold: { at_least: { numerator: 3, denominator: 4 } }, base: { kind: 'all_members' }, abstentions: 'counted' },
};
/** The longest timer, in minutes. */
export const LONGEST_MINUTES = 240;

function state(ui) {
  ui.chairNewPoll ??= { form: blankForm(), formOpen: null, generation: 0, sending: false, error: null };
  return ui.chairNewPoll;
}

function blankForm() {
  return { title: '', kind: 'yes_no_abstain', options: '', secret: false, visibility: 'live_to_all', majority: 'meeting', minutes: '' };
}

/**
 * The quick-vote card of the chair's console: the form, folded away while a vote is under
 * way (`busy`) unless the chair unfolds it.
 */
export function newPollBlocks(view, ui, busy) {
  const mine = state(ui);
  const item = currentItem(view);
  const open = mine.formOpen ?? !busy;
  return [
    {
      key: 'new-poll',
      sig: sig(open, mine.generation, mine.form.kind, mine.form.secret, mine.sending, mine.error, item?.title, view.meeting.settings.default_majority),
      build: () => (open ? newPollCard(view, ui, mine, item) : foldedCard(ui)),
    },
  ];
}

function foldedCard(ui) {
  return h(
    'section',
    { class: 'card new-poll', 'aria-labelledby': 'new-poll-heading' },
    h('h2', { id: 'new-poll-heading', class: 'card-label' }, t('cpoll_heading')),
    button('secondary', [glyph('+'), ' ', t('cpoll_unfold')], () => ui.actions.chairPollForm(true), { 'data-focus': 'np-unfold' }),
  );
}

function newPollCard(view, ui, mine, item) {
  const form = mine.form;
  const bind = (name, element, rerender = false) => {
    if (element.type === 'radio') element.checked = String(form[name]) === element.value;
    else element.value = form[name];
    element.addEventListener(element.type === 'radio' ? 'change' : 'input', () => {
      ui.actions.chairPollField(name, element.type === 'radio' ? element.value : element.value, rerender);
    });
    return element;
  };
  const choice = (name, value, label) =>
    h('label', { class: 'choice-pill' }, bind(name, h('input', { type: 'radio', name: `np-${name}`, value, 'data-focus': `np-${name}-${value}` }), true), h('span', {}, label));
  const busy = mine.sending;
  return h(
    'section',
    { class: 'card new-poll', 'aria-labelledby': 'new-poll-heading' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { id: 'new-poll-heading', class: 'card-label' }, t('cpoll_heading')),
      h('button', { type: 'button', class: 'button-small', 'data-focus': 'np-fold', onclick: () => ui.actions.chairPollForm(false) }, t('cpoll_fold')),
    ),
    item && h('p', { class: 'muted small' }, t('cpoll_for_item', { title: item.title })),
    h(
      'form',
      { class: 'chair-form', onsubmit: (event) => { event.preventDefault(); ui.actions.chairCreatePoll(true); } },
      h('label', { for: 'np-title' }, t('cpoll_title')),
      bind('title', h('input', { id: 'np-title', type: 'text', autocomplete: 'off', placeholder: t('cpoll_title_hint'), 'data-focus': 'np-title' })),
      h('fieldset', { class: 'pills' }, h('legend', {}, t('cpoll_kind')), KINDS.map((kind) => choice('kind', kind, t(`cpoll_kind_${kind}`)))),
      form.kind === 'one_of' && [
        h('label', { for: 'np-options' }, t('cpoll_options')),
        bind('options', h('textarea', { id: 'np-options', rows: '3', 'data-focus': 'np-options' })),
      ],
      h('fieldset', { class: 'pills' }, h('legend', {}, t('cpoll_ballot')), choice('secret', 'false', t('named')), choice('secret', 'true', t('secret'))),
      h('label', { for: 'np-visibility' }, t('cpoll_visibility')),
      bind('visibility', h('select', { id: 'np-visibility', 'data-focus': 'np-visibility' }, VISIBILITIES.map((v) => h('option', { value: v }, t(`cpoll_visibility_${v}`))))),
      h('label', { for: 'np-majority' }, t('cpoll_majority')),
      bind(
        'majority',
        h(
          'select',
          { id: 'np-majority', 'data-focus': 'np-majority' },
          h('option', { value: 'meeting' }, t('cpoll_majority_meeting', { rule: ruleLabel(view.meeting.settings.default_majority) })),
          Object.entries(RULES).map(([key, rule]) => h('option', { value: key }, ruleLabel(rule))),
        ),
      ),
      h('label', { for: 'np-minutes' }, t('cpoll_minutes')),
      bind('minutes', h('input', { id: 'np-minutes', type: 'number', min: '1', max: String(LONGEST_MINUTES), step: '1', inputmode: 'numeric', placeholder: t('cpoll_minutes_hint'), 'data-focus': 'np-minutes' })),
      mine.error && h('p', { class: 'error', role: 'alert' }, t(mine.error)),
      h(
        'div',
        { class: 'button-row' },
        button('primary', busy ? t('sending') : t('cpoll_create_open'), null, { type: 'submit', 'aria-disabled': busy && 'true', 'data-focus': 'np-open' }),
        button('secondary', t('cpoll_create_draft'), () => ui.actions.chairCreatePoll(false), { 'aria-disabled': busy && 'true', 'data-focus': 'np-draft' }),
      ),
    ),
  );
}

/** The poll spec the form describes, or the key of what is missing. */
function specFrom(view, form) {
  const title = form.title.trim();
  if (!title) return { error: 'cpoll_title_missing' };
  const minutes = form.minutes.trim();
  if (minutes && !(/^\d+$/.test(minutes) && Number(minutes) >= 1 && Number(minutes) <= LONGEST_MINUTES)) {
    return { error: 'cpoll_minutes_invalid' };
  }
  let kind = { kind: form.kind };
  if (form.kind === 'one_of') {
    const options = [...new Set(form.options.split('\n').map((line) => line.trim()).filter(Boolean))];
    if (options.length < 2) return { error: 'cpoll_options_missing' };
    kind = { kind: 'one_of', options };
  }
  const secret = form.secret === true || form.secret === 'true';
  return {
    minutes: minutes ? Number(minutes) : null,
    spec: {
      title,
      item: view.agenda.current ?? null,
      questions: [{ text: title, kind }],
      secret,
      vote_change: false,
      visibility: form.visibility,
      eligibility: { present_only: false, groups: [] },
      majority: form.majority === 'meeting' ? view.meeting.settings.default_majority : RULES[form.majority],
    },
  };
}

/** What the quick vote's buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function newPollActions(ctx) {
  const { ui } = ctx;
  return {
    chairPollField(name, value, rerender) {
      const mine = state(ui);
      mine.form[name] = name === 'secret' ? value === 'true' : value;
      // A secret ballot shows only "N of M have voted" until it closes, by default.
      if (name === 'secret') mine.form.visibility = mine.form.secret ? 'after_close' : 'live_to_all';
      mine.error = null;
      if (rerender) {
        ui.focus = `np-${name}-${value}`;
        ctx.render();
      }
    },
    chairPollForm(open) {
      state(ui).formOpen = open;
      ui.focus = open ? 'np-title' : 'np-unfold';
      ctx.render();
    },
    async chairCreatePoll(openNow) {
      const mine = state(ui);
      if (mine.sending) return;
      const view = ctx.view();
      const made = specFrom(view, mine.form);
      if (made.error) {
        mine.error = made.error;
        ui.focus = made.error === 'cpoll_minutes_invalid' ? 'np-minutes' : made.error === 'cpoll_options_missing' ? 'np-options' : 'np-title';
        ctx.render();
        return;
      }
      const id = randomId('bq');
      mine.sending = true;
      mine.error = null;
      ctx.render();
      let created = false;
      try {
        await ctx.link.command({ type: 'create_poll', poll: id, spec: made.spec });
        created = true;
      } catch (error) {
        // The form keeps what was typed, to try again.
        ctx.notice(error);
      }
      mine.sending = false;
      if (created) {
        if (made.minutes) ui.actions.chairPollTimer({ id }, String(made.minutes));
        mine.form = blankForm();
        mine.generation += 1;
        // Folded away while the new vote runs; open again for the next one.
        mine.formOpen = null;
      }
      if (created && openNow) {
        ui.actions.chairOpenPoll({ id }, false);
        return;
      }
      if (created) ui.focus = `open:${id}`;
      ctx.render();
    },
  };
}
