// The speakers' list on the chair's console: who has the floor with the speaking timer,
// more time or the end of the turn, and the queue in speaking order (points of order
// first) with the floor given or a request removed. The secretary sees it without buttons.

import { button, glyph, h, sig } from './dom.js';
import { defaultMinutes, kindBadge, requestTopic, speakingTimer, standing } from './floor-parts.js';
import { define, t } from './i18n.js';
import { isChair, nameOf } from './view.js';

define({
  vi: {
    floor_chair_title: 'Danh sách phát biểu',
    floor_chair_nobody: 'Chưa có ai phát biểu.',
    floor_chair_queue: 'Đang chờ ({count})',
    floor_chair_empty: 'Chưa có đại biểu đăng ký phát biểu.',
    floor_grant: 'Mời phát biểu',
    floor_grant_named: 'Mời {name} phát biểu',
    floor_extend: '+{count} phút',
    floor_extend_named: 'Thêm {count} phút cho người đang phát biểu',
    floor_end: 'Kết thúc lượt phát biểu',
    floor_remove: 'Xóa khỏi danh sách',
    floor_remove_named: 'Xóa {name} khỏi danh sách',
    floor_remove_confirm: 'Xóa đăng ký của {name} khỏi danh sách?',
    floor_remove_now: 'Xóa đăng ký',
    floor_keep: 'Giữ lại',
    floor_ends_turn: 'Mời người khác sẽ kết thúc lượt của {name}.',
  },
  en: {
    floor_chair_title: 'Speakers’ list',
    floor_chair_nobody: 'Nobody has the floor.',
    floor_chair_queue: 'Waiting ({count})',
    floor_chair_empty: 'Nobody has asked to speak.',
    floor_grant: 'Give the floor',
    floor_grant_named: 'Give the floor to {name}',
    floor_extend: '+{count} min',
    floor_extend_named: 'Give the speaker {count} more minutes',
    floor_end: 'End this turn',
    floor_remove: 'Remove from the list',
    floor_remove_named: 'Remove {name} from the list',
    floor_remove_confirm: 'Remove {name}’s request from the list?',
    floor_remove_now: 'Remove the request',
    floor_keep: 'Keep it',
    floor_ends_turn: 'Giving the floor to someone else ends {name}’s turn.',
  },
});

/** Extra time the chair can give with one tap, in minutes. */
const EXTENSIONS = [1, 2];

/** The speakers' list blocks of the chair's console (read-only for the secretary). */
export function floorChairBlocks(view, ui) {
  const state = ui.floor ?? { sending: new Set(), confirmRemove: null };
  const chair = isChair(view);
  const { current, queue } = view.floor;
  const speaker = current && nameOf(view, current.request.member);
  const busy = (key) => state.sending.has(key);
  const children = [
    {
      key: 'now',
      sig: sig(current, speaker, chair, EXTENSIONS.map((m) => busy(`extend:${m}`)), busy('end')),
      build: () => currentBlock(view, current, speaker, chair, busy, ui.actions),
    },
    {
      key: 'queue-head',
      sig: sig(queue.length, speaker, chair),
      build: () =>
        h(
          'div',
          { class: 'floor-queue-head' },
          h('h3', { class: 'card-label' }, t('floor_chair_queue', { count: queue.length })),
          queue.length === 0 && h('p', { class: 'muted' }, t('floor_chair_empty')),
          chair && speaker && queue.length > 0 && h('p', { class: 'muted small' }, t('floor_ends_turn', { name: speaker })),
        ),
    },
    {
      key: 'queue',
      sig: sig(),
      build: () => h('ol', { class: 'floor-queue', 'aria-label': t('floor_chair_title') }),
      children: queue.map((request, index) => {
        const name = nameOf(view, request.member);
        const confirming = state.confirmRemove === request.id;
        const minutes = defaultMinutes(view, request.kind);
        return {
          key: request.id,
          sig: sig(request, index, name, chair, confirming, minutes, busy(`grant:${request.id}`), busy(`remove:${request.id}`)),
          build: () => queueRow(view, request, index + 1, name, { chair, confirming, minutes, busy }, ui.actions),
        };
      }),
    },
  ];
  return [
    {
      key: 'floor-chair',
      sig: sig(),
      build: () =>
        h(
          'section',
          { class: 'card floor floor-chair', 'aria-labelledby': 'floor-chair-heading' },
          h('h2', { id: 'floor-chair-heading', class: 'card-label' }, t('floor_chair_title')),
          h('div', { class: 'slot' }),
        ),
      children,
    },
  ];
}

function currentBlock(view, current, speaker, chair, busy, actions) {
  if (!current) {
    return h('div', { class: 'floor-now' }, h('p', { class: 'muted', tabindex: '-1', 'data-focus': 'floor-end' }, t('floor_chair_nobody')));
  }
  const place = standing(view, current.request.member);
  return h(
    'div',
    { class: 'floor-now floor-now--chair' },
    h('p', { class: 'card-label' }, t('floor_speaking_now')),
    h('p', { class: 'floor-speaker' }, speaker),
    place && h('p', { class: 'muted' }, place),
    h('p', { class: 'meta' }, kindBadge(current.request.kind), requestTopic(current.request)),
    speakingTimer(current, 'floor-timer--big'),
    chair &&
      h(
        'div',
        { class: 'floor-chair-buttons', role: 'group', 'aria-label': t('floor_chair_title') },
        EXTENSIONS.map((minutes) =>
          button('secondary floor-button', busy(`extend:${minutes}`) ? t('sending') : t('floor_extend', { count: minutes }), () => actions.floorExtend(minutes), {
            'aria-label': t('floor_extend_named', { count: minutes }),
            'aria-disabled': busy(`extend:${minutes}`) && 'true',
            'data-focus': `floor-extend:${minutes}`,
          }),
        ),
        button('danger floor-button', busy('end') ? t('sending') : [glyph('■'), ' ', t('floor_end')], () => actions.floorEnd(), {
          'aria-disabled': busy('end') && 'true',
          'data-focus': 'floor-end',
        }),
      ),
  );
}

function queueRow(view, request, place, name, { chair, confirming, minutes, busy }, actions) {
  const id = request.id;
  let controls = null;
  if (chair && confirming) {
    controls = [
      h('p', { class: 'state is-warn' }, glyph('!'), ' ', t('floor_remove_confirm', { name })),
      button('danger floor-button', t('floor_remove_now'), () => actions.floorRemove(request, true), { 'data-focus': `floor-remove-now:${id}` }),
      button('secondary floor-button', t('floor_keep'), () => actions.floorKeep(request), { 'data-focus': `floor-keep:${id}` }),
    ];
  } else if (chair) {
    const granting = busy(`grant:${id}`);
    controls = [
      button('primary floor-button', granting ? t('sending') : t('floor_grant'), () => actions.floorGrant(request), {
        'aria-label': t('floor_grant_named', { name }),
        'aria-disabled': granting && 'true',
        'data-focus': `floor-grant:${id}`,
      }),
      button('secondary floor-button', busy(`remove:${id}`) ? t('sending') : t('floor_remove'), () => actions.floorRemove(request, false), {
        'aria-label': t('floor_remove_named', { name }),
        'aria-disabled': busy(`remove:${id}`) && 'true',
        'data-focus': `floor-remove:${id}`,
      }),
    ];
  }
  const where = standing(view, request.member);
  return h(
    'li',
    { class: `floor-row floor-row--${request.kind}` },
    h('span', { class: 'floor-row-place', 'aria-hidden': 'true' }, String(place)),
    h(
      'div',
      { class: 'floor-row-who' },
      h('p', { class: 'floor-row-name' }, name),
      h(
        'p',
        { class: 'meta' },
        kindBadge(request.kind),
        minutes && h('span', {}, glyph('◷'), ' ', t('floor_minutes', { count: minutes })),
        requestTopic(request),
      ),
      where && h('p', { class: 'muted small' }, where),
    ),
    controls && h('div', { class: 'floor-row-controls' }, controls),
  );
}
