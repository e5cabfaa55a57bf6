// The form of the "create a meeting" screen: a template picker, the meeting's details
// (title, kind, time, place), its quorum and majority rules, the agenda items, and the
// progress of creating it. It reads and writes the screen's `form` state; secretary-new.js
// holds that state and what the buttons do.

import { button, glyph, h } from './dom.js';
import { define, number, t } from './i18n.js';
import { MAJORITY_RULES, QUORUM_RULES, TEMPLATES } from './secretary-templates.js';
import { errorLine, problemText } from './secretary-transfer.js';

define({
  vi: {
    sec_new_title: 'Tạo cuộc họp',
    sec_new_template: 'Mẫu cuộc họp',
    sec_new_meeting_title: 'Tên cuộc họp',
    sec_new_details: 'Thông tin cuộc họp',
    sec_new_kind: 'Loại cuộc họp',
    sec_kind_routine: 'Họp thường kỳ',
    sec_kind_urgent: 'Họp khẩn',
    sec_kind_urgent_help: 'Khi chủ tọa triệu tập, mọi thiết bị của thành phần tham dự nhận cảnh báo ngay; đại biểu họp trực tuyến được tính vào túc số.',
    sec_new_when: 'Thời gian bắt đầu',
    sec_new_where: 'Địa điểm',
    sec_new_where_hint: 'Ví dụ: Hội trường tầng 3, hoặc Trực tuyến',
    sec_new_rules: 'Quy tắc',
    sec_new_quorum: 'Túc số',
    sec_new_majority: 'Điều kiện thông qua (mặc định cho các biểu quyết)',
    sec_new_agenda: 'Chương trình họp',
    sec_new_agenda_help: 'Các nội dung theo thứ tự. Nội dung để trống sẽ được bỏ qua; có thể sửa sau.',
    sec_new_item: 'Nội dung {number}',
    sec_new_item_remove: 'Xóa',
    sec_new_item_remove_named: 'Xóa nội dung {number}',
    sec_new_item_add: 'Thêm nội dung',
    sec_new_submit: 'Tạo cuộc họp',
    sec_new_cancel: 'Quay lại danh sách cuộc họp',
    sec_new_creating: 'Đang tạo cuộc họp…',
    sec_new_adding: 'Đang thêm nội dung {done}/{total}…',
    sec_new_need_title: 'Nhập tên cuộc họp.',
    sec_new_need_when: 'Chọn ngày và giờ bắt đầu.',
    sec_new_partial: 'Cuộc họp đã được tạo, nhưng mới thêm {done}/{total} nội dung: {reason}',
    sec_new_retry: 'Thêm tiếp các nội dung còn lại',
    sec_new_open: 'Mở cuộc họp',
  },
  en: {
    sec_new_title: 'Create a meeting',
    sec_new_template: 'Template',
    sec_new_meeting_title: 'Meeting title',
    sec_new_details: 'The meeting',
    sec_new_kind: 'Kind of meeting',
    sec_kind_routine: 'Routine meeting',
    sec_kind_urgent: 'Urgent meeting',
    sec_kind_urgent_help: 'When the chair convenes it, every participant’s device gets an alert at once; remote delegates count towards the quorum.',
    sec_new_when: 'Starts at',
    sec_new_where: 'Location',
    sec_new_where_hint: 'For example: Hall, 3rd floor, or Online',
    sec_new_rules: 'Rules',
    sec_new_quorum: 'Quorum',
    sec_new_majority: 'Passing rule (the default for votes)',
    sec_new_agenda: 'Agenda',
    sec_new_agenda_help: 'The items in order. Empty items are left out; all can be changed later.',
    sec_new_item: 'Item {number}',
    sec_new_item_remove: 'Remove',
    sec_new_item_remove_named: 'Remove item {number}',
    sec_new_item_add: 'Add an item',
    sec_new_submit: 'Create the meeting',
    sec_new_cancel: 'Back to the meetings',
    sec_new_creating: 'Creating the meeting…',
    sec_new_adding: 'Adding item {done} of {total}…',
    sec_new_need_title: 'Enter the meeting’s title.',
    sec_new_need_when: 'Choose the day and time it starts.',
    sec_new_partial: 'The meeting is created, but only {done} of {total} items were added: {reason}',
    sec_new_retry: 'Add the remaining items',
    sec_new_open: 'Open the meeting',
  },
});

/** The agenda's titles, empty ones left out. */
export function agendaTitles(form) {
  return form.items.map((item) => item.title.trim()).filter((title) => title !== '');
}

/** The whole form, as `form` (the screen's state) stands. */
export function formView(form, actions) {
  const busy = form.step !== 'editing';
  const onSubmit = (event) => {
    event.preventDefault();
    actions.submit();
  };
  return h(
    'section',
    { class: 'sec-wide sec-new' },
    h('p', {}, h('a', { class: 'back', href: '#meetings' }, h('span', { 'aria-hidden': 'true' }, '← '), t('sec_new_cancel'))),
    h('h1', {}, t('sec_new_title')),
    h(
      'form',
      { class: 'sec-form', novalidate: true, onsubmit: onSubmit },
      templatePicker(form, actions, busy),
      h('div', { class: 'sec-columns' }, h('div', {}, detailsFields(form, actions, busy), rulesFields(form, busy)), agendaFields(form, actions, busy)),
      progress(form, actions),
    ),
  );
}

function templatePicker(form, actions, busy) {
  return h(
    'fieldset',
    { class: 'card sec-template-box', disabled: busy },
    h('legend', {}, t('sec_new_template')),
    h(
      'div',
      { class: 'sec-templates' },
      TEMPLATES.map((template) =>
        h(
          'label',
          { class: 'sec-template' },
          h('input', { type: 'radio', name: 'template', value: template.id, checked: form.template === template.id, onchange: () => actions.template(template.id) }),
          h('span', {}, h('strong', {}, t(`sec_tpl_${template.id}`)), h('span', { class: 'small muted' }, t(`sec_tpl_${template.id}_help`))),
        ),
      ),
    ),
  );
}

/** A labelled field: the control, a hint under it, and what is wrong with it. */
function field(id, label, control, hint = null, invalid = null) {
  return h(
    'div',
    { class: 'sec-field' },
    h('label', { for: id }, label),
    control,
    hint && h('p', { class: 'small muted sec-hint', id: `${id}-hint` }, hint),
    invalid && errorLine(invalid),
  );
}

/** A text input that keeps what is typed in `form[key]`. */
function textInput(form, id, key, props = {}) {
  return h('input', {
    id,
    type: 'text',
    value: form[key],
    autocomplete: 'off',
    oninput: (event) => {
      form[key] = event.target.value;
      if (key === 'title') form.titleTouched = true;
    },
    ...props,
  });
}

function detailsFields(form, actions, busy) {
  return h(
    'fieldset',
    { class: 'card', disabled: busy },
    h('legend', {}, t('sec_new_details')),
    field(
      'sec-title',
      t('sec_new_meeting_title'),
      textInput(form, 'sec-title', 'title', { required: true, 'aria-invalid': form.invalid.title ? 'true' : null }),
      null,
      form.invalid.title && t('sec_new_need_title'),
    ),
    h(
      'fieldset',
      { class: 'sec-kind' },
      h('legend', {}, t('sec_new_kind')),
      h(
        'div',
        { class: 'sec-inline' },
        ['routine', 'urgent'].map((kind) =>
          h(
            'label',
            { class: 'sec-radio' },
            h('input', { type: 'radio', name: 'kind', value: kind, checked: form.kind === kind, onchange: () => actions.kind(kind) }),
            kind === 'urgent' && glyph('⚠'),
            t(`sec_kind_${kind}`),
          ),
        ),
      ),
      form.kind === 'urgent' && h('p', { class: 'small muted' }, t('sec_kind_urgent_help')),
    ),
    h(
      'div',
      { class: 'sec-pair' },
      field(
        'sec-when',
        t('sec_new_when'),
        h('input', {
          id: 'sec-when',
          type: 'datetime-local',
          value: form.when,
          required: true,
          'aria-invalid': form.invalid.when ? 'true' : null,
          oninput: (event) => (form.when = event.target.value),
        }),
        null,
        form.invalid.when && t('sec_new_need_when'),
      ),
      field('sec-where', t('sec_new_where'), textInput(form, 'sec-where', 'location', { 'aria-describedby': 'sec-where-hint' }), t('sec_new_where_hint')),
    ),
  );
}

function rulesFields(form, busy) {
  const choice = (name, key, options) =>
    h(
      'select',
      { id: `sec-${name}`, onchange: (event) => (form[key] = event.target.value) },
      options.map((option) => h('option', { value: option, selected: form[key] === option }, t(`sec_${name}_${option}`))),
    );
  return h(
    'fieldset',
    { class: 'card', disabled: busy },
    h('legend', {}, t('sec_new_rules')),
    field('sec-quorum', t('sec_new_quorum'), choice('quorum', 'quorum', Object.keys(QUORUM_RULES))),
    field('sec-majority', t('sec_new_majority'), choice('majority', 'majority', Object.keys(MAJORITY_RULES))),
  );
}

function agendaFields(form, actions, busy) {
  return h(
    'fieldset',
    { class: 'card', disabled: busy },
    h('legend', {}, t('sec_new_agenda')),
    h('p', { class: 'small muted' }, t('sec_new_agenda_help')),
    h(
      'ol',
      { class: 'sec-agenda' },
      form.items.map((item, index) =>
        h(
          'li',
          {},
          h('span', { class: 'sec-agenda-number', 'aria-hidden': 'true' }, `${number(index + 1)}.`),
          h('label', { for: `sec-item-${index}`, class: 'visually-hidden' }, t('sec_new_item', { number: number(index + 1) })),
          h('input', { id: `sec-item-${index}`, type: 'text', value: item.title, autocomplete: 'off', oninput: (event) => (item.title = event.target.value) }),
          button('secondary', t('sec_new_item_remove'), () => actions.removeItem(index), {
            class: 'sec-small-button',
            'aria-label': t('sec_new_item_remove_named', { number: number(index + 1) }),
          }),
        ),
      ),
    ),
    button('secondary', `+ ${t('sec_new_item_add')}`, () => actions.addItem(), { class: 'sec-small-button' }),
  );
}

function progress(form, actions) {
  const total = agendaTitles(form).length;
  switch (form.step) {
    case 'creating':
      return h('p', { class: 'loading', role: 'status' }, t('sec_new_creating'));
    case 'items':
      return h('p', { class: 'loading', role: 'status' }, t('sec_new_adding', { done: number(Math.min(form.done + 1, total)), total: number(total) }));
    case 'partial':
      return h(
        'div',
        {},
        errorLine(t('sec_new_partial', { done: number(form.done), total: number(total), reason: problemText(form.problem) })),
        h(
          'div',
          { class: 'sec-actions' },
          button('primary', t('sec_new_retry'), () => actions.addItems()),
          h('a', { class: 'button button--secondary sec-link-button', href: `#meeting=${encodeURIComponent(form.created)}` }, t('sec_new_open')),
        ),
      );
    default:
      return h(
        'div',
        {},
        form.problem && errorLine(problemText(form.problem)),
        h('button', { type: 'submit', class: 'button button--primary' }, t('sec_new_submit')),
      );
  }
}
