// The chair's agenda: the items in order with the one under discussion highlighted,
// moving to the previous, the next or any item, and opening and closing the session
// (closing only after a confirmation).

import { button, glyph, h, sig } from './dom.js';
import { define, t } from './i18n.js';

define({
  vi: {
    cagenda_heading: 'Chương trình họp',
    cagenda_previous: 'Nội dung trước',
    cagenda_next: 'Nội dung tiếp theo',
    cagenda_start: 'Bắt đầu nội dung đầu tiên',
    cagenda_current: 'Đang thảo luận',
    cagenda_go: 'Chuyển đến',
    cagenda_go_label: 'Chuyển đến nội dung {number}: {title}',
    cagenda_empty: 'Chương trình họp chưa có nội dung nào.',
    cagenda_scheduled: 'Cuộc họp chưa khai mạc. Khai mạc để điều hành chương trình và biểu quyết.',
    cagenda_open_meeting: 'Khai mạc cuộc họp',
    cagenda_close_meeting: 'Bế mạc cuộc họp',
    cagenda_close_confirm: 'Bế mạc cuộc họp? Sau đó không thể biểu quyết hay ghi kết luận thêm.',
    cagenda_close_now: 'Bế mạc',
    cagenda_closed: 'Cuộc họp đã bế mạc.',
    cagenda_position: 'Nội dung {number}/{count}',
  },
  en: {
    cagenda_heading: 'Agenda',
    cagenda_previous: 'Previous item',
    cagenda_next: 'Next item',
    cagenda_start: 'Start the first item',
    cagenda_current: 'Under discussion',
    cagenda_go: 'Move here',
    cagenda_go_label: 'Move to item {number}: {title}',
    cagenda_empty: 'The agenda has no items yet.',
    cagenda_scheduled: 'The meeting is not open yet. Open it to run the agenda and the votes.',
    cagenda_open_meeting: 'Open the meeting',
    cagenda_close_meeting: 'Close the meeting',
    cagenda_close_confirm: 'Close the meeting? No more votes or conclusions can be recorded afterwards.',
    cagenda_close_now: 'Close it',
    cagenda_closed: 'The meeting is closed.',
    cagenda_position: 'Item {number} of {count}',
  },
});

function state(ui) {
  ui.chairAgenda ??= { pending: null };
  return ui.chairAgenda;
}

/** The agenda card of the chair's console. */
export function agendaBlocks(view, ui) {
  const pending = state(ui).pending;
  const items = view.agenda.items.map((item) => [item.id, item.title, item.description]);
  return [
    {
      key: 'agenda',
      sig: sig(items, view.agenda.current, view.meeting.status, pending),
      build: () => agendaCard(view, pending, ui.actions),
    },
  ];
}

function agendaCard(view, pending, actions) {
  const items = view.agenda.items;
  const index = items.findIndex((item) => item.id === view.agenda.current);
  const status = view.meeting.status;
  const sending = pending === 'sending';
  const busy = { 'aria-disabled': sending && 'true' };
  const content = [];
  if (status === 'scheduled') {
    content.push(
      h('p', { class: 'state is-warn' }, glyph('◷'), ' ', t('cagenda_scheduled')),
      button('primary', sending ? t('sending') : t('cagenda_open_meeting'), () => actions.chairOpenMeeting(), { ...busy, 'data-focus': 'open-meeting' }),
    );
  } else if (status === 'closed') {
    content.push(h('p', { class: 'state' }, glyph('■'), ' ', t('cagenda_closed')));
  } else if (items.length > 0) {
    const previous = items[index - 1];
    const next = index === -1 ? items[0] : items[index + 1];
    content.push(
      index >= 0 && h('p', { class: 'muted small' }, t('cagenda_position', { number: index + 1, count: items.length })),
      h(
        'div',
        { class: 'button-row' },
        button('secondary', [glyph('◀'), ' ', t('cagenda_previous')], () => previous && actions.setCurrentItem(previous.id), {
          disabled: !previous,
          ...busy,
          'data-focus': 'agenda-previous',
        }),
        button('primary', [index === -1 ? t('cagenda_start') : t('cagenda_next'), ' ', glyph('▶')], () => next && actions.setCurrentItem(next.id), {
          disabled: !next,
          ...busy,
          'data-focus': 'agenda-next',
        }),
      ),
    );
  }
  if (items.length === 0) content.push(h('p', { class: 'muted' }, t('cagenda_empty')));
  const list = h(
    'ol',
    { class: 'agenda-list' },
    items.map((item, i) => {
      const current = i === index;
      return h(
        'li',
        { class: current ? 'is-current' : null, 'aria-current': current ? 'step' : null },
        h('span', { class: 'agenda-number', 'aria-hidden': 'true' }, `${i + 1}.`),
        h(
          'span',
          { class: 'agenda-text' },
          h('span', { class: 'agenda-title' }, item.title),
          current && h('span', { class: 'badge badge--current' }, glyph('▶'), ' ', t('cagenda_current')),
          current && item.description && h('span', { class: 'muted small agenda-description' }, item.description),
        ),
        !current &&
          status === 'open' &&
          h(
            'button',
            {
              type: 'button',
              class: 'button-small',
              'aria-label': t('cagenda_go_label', { number: i + 1, title: item.title }),
              'aria-disabled': sending && 'true',
              'data-focus': `agenda-go:${item.id}`,
              onclick: () => actions.setCurrentItem(item.id),
            },
            t('cagenda_go'),
          ),
      );
    }),
  );
  const closing =
    status === 'open' &&
    (pending === 'confirm-close'
      ? h(
          'div',
          { class: 'confirm', role: 'group', 'aria-label': t('cagenda_close_meeting') },
          h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('cagenda_close_confirm')),
          h(
            'div',
            { class: 'button-row' },
            button('danger', t('cagenda_close_now'), () => actions.chairCloseMeeting(true), { 'data-focus': 'close-meeting-now' }),
            button('secondary', t('cancel'), () => actions.chairCancelAgenda(), { 'data-focus': 'close-meeting-cancel' }),
          ),
        )
      : button('quiet', t('cagenda_close_meeting'), () => actions.chairCloseMeeting(false), { ...busy, 'data-focus': 'close-meeting' }));
  return h(
    'section',
    { class: 'card agenda-card', 'aria-labelledby': 'agenda-heading' },
    h('h2', { id: 'agenda-heading', class: 'card-label' }, t('cagenda_heading')),
    content,
    list,
    closing,
  );
}

/** What the agenda's buttons do: `ctx` is {meetingId, session, link, view(), ui, render, notice}. */
export function agendaActions(ctx) {
  const send = (command, focus) => {
    const mine = state(ctx.ui);
    if (mine.pending === 'sending') return;
    mine.pending = 'sending';
    ctx.render();
    ctx.link
      .command(command)
      .catch(ctx.notice)
      .finally(() => {
        mine.pending = null;
        ctx.ui.focus = focus;
        ctx.render();
      });
  };
  return {
    setCurrentItem(item) {
      send({ type: 'set_current_item', item }, 'agenda-next');
    },
    chairOpenMeeting() {
      send({ type: 'open_meeting' }, 'agenda-next');
    },
    chairCloseMeeting(confirmed) {
      if (!confirmed) {
        state(ctx.ui).pending = 'confirm-close';
        ctx.ui.focus = 'close-meeting-cancel';
        ctx.render();
        return;
      }
      send({ type: 'close_meeting' }, 'close-meeting');
    },
    chairCancelAgenda() {
      state(ctx.ui).pending = null;
      ctx.ui.focus = 'close-meeting';
      ctx.render();
    },
  };
}
