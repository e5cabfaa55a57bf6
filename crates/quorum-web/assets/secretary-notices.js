// The notices sent to units (signed webhooks, e-mail) from the hub's outbox, with where
// each stands: delivered, retrying with its last error, or given up. Read on demand from
// GET /api/meetings/{meeting}/notices.

import { h, sig } from './dom.js';
import { dateTime, define, t } from './i18n.js';
import { fetchText, problemText } from './secretary-transfer.js';

define({
  vi: {
    sec_notices: 'Thông báo gửi đơn vị',
    sec_notices_help: 'Chỉ đạo và kết quả gửi tới các đơn vị qua webhook và thư điện tử, cùng tình trạng gửi.',
    sec_notices_load: 'Xem tình trạng gửi',
    sec_notices_loading: 'Đang tải…',
    sec_notices_none: 'Chưa có thông báo nào.',
    sec_notice_delivered: 'Đã gửi lúc {time}',
    sec_notice_pending: 'Đang chờ gửi',
    sec_notice_retrying: 'Đang thử lại (đã thử {count} lần): {error}',
    sec_notice_gave_up: 'Đã ngừng gửi sau {count} lần: {error}',
    sec_notice_webhook: 'Webhook',
    sec_notice_email: 'Thư điện tử',
    sec_notice_push: 'Thông báo đẩy tới thiết bị',
  },
  en: {
    sec_notices: 'Notices to units',
    sec_notices_help: 'Directives and results sent to units by webhook and e-mail, and whether they arrived.',
    sec_notices_load: 'Show delivery status',
    sec_notices_loading: 'Loading…',
    sec_notices_none: 'No notices yet.',
    sec_notice_delivered: 'Delivered at {time}',
    sec_notice_pending: 'Waiting to be sent',
    sec_notice_retrying: 'Retrying ({count} attempts so far): {error}',
    sec_notice_gave_up: 'Gave up after {count} attempts: {error}',
    sec_notice_webhook: 'Webhook',
    sec_notice_email: 'E-mail',
    sec_notice_push: 'Push to devices',
  },
});

function noticesState(desk) {
  desk.notices ??= { step: 'idle', list: [] };
  return desk.notices;
}

/** The desk's card of notices: {title, meta, blocks}. */
export function noticesCard(view, ui) {
  const state = noticesState(ui.secretary);
  const gaveUp = state.list.filter((notice) => notice.state.state === 'gave_up').length;
  return {
    title: t('sec_notices'),
    meta: state.step === 'done' ? `${state.list.length}${gaveUp ? ' · !' + gaveUp : ''}` : '',
    blocks: [
      {
        key: 'sec-notices',
        sig: sig(state.step, state.at, state.list.length),
        build: () =>
          h(
            'div',
            {},
            h('p', {}, t('sec_notices_help')),
            h(
              'button',
              {
                type: 'button',
                class: 'button button--secondary',
                'data-focus': 'sec-notices',
                'aria-disabled': state.step === 'loading' ? 'true' : null,
                onclick: () => ui.actions.secLoadNotices(),
              },
              state.step === 'loading' ? t('sec_notices_loading') : t('sec_notices_load'),
            ),
            state.step === 'failed' && h('p', { class: 'error', role: 'alert' }, problemText(state.error)),
            state.step === 'done' && state.list.length === 0 && h('p', { class: 'muted' }, t('sec_notices_none')),
            state.step === 'done' &&
              state.list.length > 0 &&
              h('ul', { class: 'sec-notices' }, ...state.list.map((notice) => noticeRow(notice))),
          ),
      },
    ],
  };
}

function noticeRow(notice) {
  const attempts = notice.attempts ?? [];
  const last = attempts[attempts.length - 1];
  const error = last?.error ?? '';
  let status;
  let cls = 'muted';
  if (notice.state.state === 'delivered') {
    status = t('sec_notice_delivered', { time: dateTime(notice.state.at) });
  } else if (notice.state.state === 'gave_up') {
    status = t('sec_notice_gave_up', { count: attempts.length, error });
    cls = 'error';
  } else if (attempts.length > 0) {
    status = t('sec_notice_retrying', { count: attempts.length, error });
  } else {
    status = t('sec_notice_pending');
  }
  const channel = t(`sec_notice_${notice.channel === 'email' || notice.channel === 'push' ? notice.channel : 'webhook'}`);
  return h(
    'li',
    { 'data-notice': notice.id },
    h('strong', {}, notice.subject),
    h('br'),
    h('span', {}, notice.unit ? `${notice.unit} · ${channel} · ${notice.target}` : `${notice.member} · ${channel}`),
    h('br'),
    h('span', { class: cls }, status),
  );
}

/** The card's action: `ctx` is {meetingId, session, render, …}. */
export function noticesActions(ctx, desk) {
  return {
    async secLoadNotices() {
      const state = noticesState(desk);
      if (state.step === 'loading') return;
      desk.notices = { ...state, step: 'loading' };
      ctx.render();
      try {
        const text = await fetchText(`/api/meetings/${encodeURIComponent(ctx.meetingId)}/notices`, ctx.session.token);
        desk.notices = { step: 'done', list: JSON.parse(text), at: Date.now() };
      } catch (error) {
        desk.notices = { step: 'failed', list: state.list, error };
      }
      ctx.render();
    },
  };
}
