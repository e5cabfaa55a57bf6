// Conclusions (kết luận) and directives (ý kiến chỉ đạo) per agenda item: read-only on
// every screen, recorded from the chair's console — a conclusion's text, a directive's
// unit, task and due date.

import { hubNow } from './clock.js';
import { button, glyph, h, sig } from './dom.js';
import { define, language, slug, t } from './i18n.js';
import { randomId } from './socket.js';
import { currentItem, outcomesOf } from './view.js';

define({
  vi: {
    outcome_heading: 'Kết luận và chỉ đạo',
    outcome_general: 'Chung cho cuộc họp',
    outcome_for_item: 'Nội dung: {title}',
    outcome_conclusions: 'Kết luận',
    outcome_directives: 'Ý kiến chỉ đạo',
    outcome_none: 'Chưa có kết luận hay ý kiến chỉ đạo cho nội dung này.',
    outcome_due: 'Hạn: {date}',
    outcome_no_due: 'Không có hạn',
    outcome_status_assigned: 'Đã giao',
    outcome_status_acknowledged: 'Đã tiếp nhận',
    outcome_status_done: 'Hoàn thành',
    outcome_status_overdue: 'Quá hạn',
    outcome_conclusion_label: 'Kết luận của chủ tọa',
    outcome_conclusion_button: 'Ghi kết luận',
    outcome_directive_legend: 'Giao nhiệm vụ cho đơn vị',
    outcome_unit_label: 'Đơn vị thực hiện',
    outcome_task_label: 'Nội dung chỉ đạo',
    outcome_due_label: 'Hạn hoàn thành (không bắt buộc)',
    outcome_directive_button: 'Giao nhiệm vụ',
    outcome_text_missing: 'Hãy nhập nội dung trước khi ghi.',
    outcome_unit_missing: 'Hãy nhập tên đơn vị thực hiện.',
    outcome_recorded: 'Đã ghi. Mọi đại biểu đều thấy ngay.',
  },
  en: {
    outcome_heading: 'Conclusions and directives',
    outcome_general: 'For the whole meeting',
    outcome_for_item: 'Item: {title}',
    outcome_conclusions: 'Conclusions',
    outcome_directives: 'Directives',
    outcome_none: 'No conclusion or directive for this item yet.',
    outcome_due: 'Due: {date}',
    outcome_no_due: 'No due date',
    outcome_status_assigned: 'Assigned',
    outcome_status_acknowledged: 'Acknowledged',
    outcome_status_done: 'Done',
    outcome_status_overdue: 'Overdue',
    outcome_conclusion_label: "The chair's conclusion",
    outcome_conclusion_button: 'Record the conclusion',
    outcome_directive_legend: 'Assign a task to a unit',
    outcome_unit_label: 'Unit responsible',
    outcome_task_label: 'What is to be done',
    outcome_due_label: 'Due date (optional)',
    outcome_directive_button: 'Assign the task',
    outcome_text_missing: 'Type the text before recording it.',
    outcome_unit_missing: 'Type the name of the unit responsible.',
    outcome_recorded: 'Recorded. Every delegate sees it at once.',
  },
});

const STATUS_GLYPHS = { assigned: '◷', acknowledged: '✓', done: '✓✓', overdue: '!' };

/** The read-only card of what the meeting concluded on `item` (null: the meeting as a whole). */
export function outcomeCard(view, item) {
  return h(
    'section',
    { class: 'card outcomes', 'aria-labelledby': 'outcomes-heading' },
    h('h2', { id: 'outcomes-heading', class: 'card-label' }, t('outcome_heading')),
    h('p', { class: 'muted small' }, item ? t('outcome_for_item', { title: item.title }) : t('outcome_general')),
    outcomeList(view, item?.id ?? null),
  );
}

/** The conclusions and directives of one item, as lists. */
export function outcomeList(view, itemId) {
  const { conclusions, directives } = outcomesOf(view, itemId);
  if (conclusions.length + directives.length === 0) return h('p', { class: 'muted' }, t('outcome_none'));
  return [
    conclusions.length > 0 && [
      h('h3', { class: 'outcome-kind' }, t('outcome_conclusions')),
      h('ol', { class: 'outcome-list' }, conclusions.map((conclusion) => h('li', { class: 'conclusion' }, conclusion.text))),
    ],
    directives.length > 0 && [
      h('h3', { class: 'outcome-kind' }, t('outcome_directives')),
      h('ol', { class: 'outcome-list' }, directives.map(directiveItem)),
    ],
  ];
}

function directiveItem(directive) {
  const overdue = directive.status !== 'done' && directive.due !== null && directive.due < hubNow();
  const status = overdue ? 'overdue' : directive.status;
  return h(
    'li',
    { class: 'directive' },
    h('span', { class: 'directive-unit' }, directive.unit_name),
    h('span', { class: 'directive-text' }, directive.text),
    h(
      'span',
      { class: 'meta' },
      h('span', {}, directive.due === null ? t('outcome_no_due') : t('outcome_due', { date: dateOnly(directive.due) })),
      h('span', { class: `badge badge--directive-${status}` }, glyph(STATUS_GLYPHS[status]), ' ', t(`outcome_status_${status}`)),
    ),
  );
}

function dateOnly(millis) {
  return new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium' }).format(new Date(millis));
}

// --- The chair's console: recording them ---

function state(ui) {
  ui.outcomes ??= { conclusion: '', unit: '', task: '', due: '', sending: null, error: null, done: null };
  return ui.outcomes;
}

/** The chair's card for the current item: what is recorded, and the two forms. */
export function chairOutcomeBlocks(view, ui) {
  const item = currentItem(view);
  const outcomes = outcomesOf(view, item?.id ?? null);
  const forms = state(ui);
  return [
    {
      key: 'outcomes',
      sig: sig(),
      build: () =>
        h(
          'section',
          { class: 'card outcomes', 'aria-labelledby': 'outcomes-heading' },
          h('h2', { id: 'outcomes-heading', class: 'card-label' }, t('outcome_heading')),
          h('div', { class: 'slot' }),
        ),
      children: [
        {
          key: 'list',
          sig: sig(item?.id, item?.title, outcomes),
          build: () =>
            h(
              'div',
              {},
              h('p', { class: 'muted small' }, item ? t('outcome_for_item', { title: item.title }) : t('outcome_general')),
              outcomeList(view, item?.id ?? null),
            ),
        },
        {
          key: 'forms',
          sig: sig(forms.sending, forms.error, forms.done, unitNames(view)),
          build: () => outcomeForms(view, ui, forms),
        },
      ],
    },
  ];
}

function outcomeForms(view, ui, forms) {
  const actions = ui.actions;
  const busy = forms.sending !== null;
  const field = (name, element) => {
    element.value = forms[name];
    element.addEventListener('input', () => {
      forms[name] = element.value;
    });
    return element;
  };
  const submit = (kind) => (event) => {
    event.preventDefault();
    if (kind === 'conclusion') actions.recordConclusion();
    else actions.issueDirective();
  };
  return h(
    'div',
    { class: 'outcome-forms' },
    h(
      'form',
      { class: 'chair-form', onsubmit: submit('conclusion') },
      h('label', { for: 'conclusion-text' }, t('outcome_conclusion_label')),
      field('conclusion', h('textarea', { id: 'conclusion-text', rows: '3', 'data-focus': 'conclusion-text' })),
      forms.error?.form === 'conclusion' && h('p', { class: 'error', role: 'alert' }, forms.error.text),
      forms.done === 'conclusion' && h('p', { class: 'state is-ok', role: 'status' }, glyph('✓'), ' ', t('outcome_recorded')),
      button('primary', busy && forms.sending === 'conclusion' ? t('sending') : t('outcome_conclusion_button'), null, {
        type: 'submit',
        'aria-disabled': busy && 'true',
        'data-focus': 'conclusion-submit',
      }),
    ),
    h(
      'form',
      { class: 'chair-form', onsubmit: submit('directive') },
      h(
        'fieldset',
        {},
        h('legend', {}, t('outcome_directive_legend')),
        h('label', { for: 'directive-unit' }, t('outcome_unit_label')),
        field('unit', h('input', { id: 'directive-unit', type: 'text', list: 'directive-units', autocomplete: 'off', 'data-focus': 'directive-unit' })),
        h('datalist', { id: 'directive-units' }, unitNames(view).map((name) => h('option', { value: name }))),
        h('label', { for: 'directive-task' }, t('outcome_task_label')),
        field('task', h('textarea', { id: 'directive-task', rows: '2', 'data-focus': 'directive-task' })),
        h('label', { for: 'directive-due' }, t('outcome_due_label')),
        field('due', h('input', { id: 'directive-due', type: 'date', 'data-focus': 'directive-due' })),
      ),
      forms.error?.form === 'directive' && h('p', { class: 'error', role: 'alert' }, forms.error.text),
      forms.done === 'directive' && h('p', { class: 'state is-ok', role: 'status' }, glyph('✓'), ' ', t('outcome_recorded')),
      button('primary', busy && forms.sending === 'directive' ? t('sending') : t('outcome_directive_button'), null, {
        type: 'submit',
        'aria-disabled': busy && 'true',
        'data-focus': 'directive-submit',
      }),
    ),
  );
}

/** Units named so far in the roster and in directives, offered as the unit is typed. */
function unitNames(view) {
  const names = new Set();
  for (const directive of view.directives) names.add(directive.unit_name);
  for (const participant of view.participants) if (participant.unit_name) names.add(participant.unit_name);
  return [...names].sort((a, b) => a.localeCompare(b, 'vi'));
}

/** A unit's id from its name: "Sở Tài chính" → "so-tai-chinh". */
export function unitId(name) {
  return slug(name, 64) || 'don-vi';
}

/** The end of day `date` ('YYYY-MM-DD', from a date field) on this device's clock. */
function endOfDay(date) {
  const millis = new Date(`${date}T23:59:59`).getTime();
  return Number.isFinite(millis) ? millis : null;
}

/** What the chair's outcome buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function outcomeActions(ctx) {
  const send = (form, command, clear) => {
    const forms = state(ctx.ui);
    if (forms.sending) return;
    forms.sending = form;
    forms.error = null;
    forms.done = null;
    ctx.render();
    ctx.link.command(command).then(
      () => {
        clear(forms);
        forms.done = form;
      },
      (error) => {
        // The text stays where it was typed, to try again.
        ctx.notice(error);
      },
    ).finally(() => {
      forms.sending = null;
      ctx.ui.focus = `${form === 'conclusion' ? 'conclusion-text' : 'directive-unit'}`;
      ctx.render();
    });
  };
  const invalid = (form, key) => {
    const forms = state(ctx.ui);
    forms.error = { form, text: t(key) };
    forms.done = null;
    ctx.ui.focus = form === 'conclusion' ? 'conclusion-text' : key === 'outcome_unit_missing' ? 'directive-unit' : 'directive-task';
    ctx.render();
  };
  return {
    recordConclusion() {
      const forms = state(ctx.ui);
      const text = forms.conclusion.trim();
      if (!text) return invalid('conclusion', 'outcome_text_missing');
      const item = currentItem(ctx.view());
      send('conclusion', { type: 'record_conclusion', conclusion: randomId('kl'), item: item?.id ?? null, text }, (f) => {
        f.conclusion = '';
      });
    },
    issueDirective() {
      const forms = state(ctx.ui);
      const unitName = forms.unit.trim();
      const text = forms.task.trim();
      if (!unitName) return invalid('directive', 'outcome_unit_missing');
      if (!text) return invalid('directive', 'outcome_text_missing');
      const item = currentItem(ctx.view());
      const command = {
        type: 'issue_directive',
        directive: randomId('cd'),
        item: item?.id ?? null,
        unit: unitId(unitName),
        unit_name: unitName,
        text,
        due: forms.due ? endOfDay(forms.due) : null,
      };
      send('directive', command, (f) => {
        f.unit = '';
        f.task = '';
        f.due = '';
      });
    },
  };
}
