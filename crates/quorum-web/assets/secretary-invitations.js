// Invitations on the secretary's desk: choose who receives one, issue fresh one-time links
// with QR codes, copy a link to send it, and print a sheet of QR invitations — eight to an
// A4 page (the print rules are in secretary.css). The links live only in this page's
// memory: a code is shown once, like the hub shows it.

import { button, glyph, h, sig } from './dom.js';
import { call } from './api.js';
import { dateTime, define, number, t } from './i18n.js';
import { errorLine, okLine, problemText } from './secretary-transfer.js';

define({
  vi: {
    sec_inv: 'Giấy mời',
    sec_inv_help: 'Mỗi giấy mời có một đường dẫn và mã QR riêng để vào cuộc họp bằng điện thoại, máy tính bảng hay máy tính.',
    sec_inv_chosen: 'Người nhận: {chosen}/{total}',
    sec_inv_choose: 'Chọn người nhận giấy mời',
    sec_inv_all: 'Chọn tất cả',
    sec_inv_none: 'Bỏ chọn tất cả',
    sec_inv_pick: 'Gửi giấy mời cho {name}',
    sec_inv_projector: 'Kèm mã cho màn hình hội trường',
    sec_inv_warning:
      'Mỗi lần in, hệ thống cấp cho mỗi người được chọn một mã mới, chỉ dùng được một lần. Giấy mời đã phát trước đó vẫn dùng được cho đến khi được dùng hoặc hết hạn.',
    sec_inv_print: 'In giấy mời ({count})',
    sec_inv_issuing: 'Đang tạo mã mời…',
    sec_inv_nobody: 'Chưa chọn ai.',
    sec_inv_issued: 'Giấy mời đã tạo lúc {time} ({count}), hiệu lực đến {until}',
    sec_inv_reopen: 'Mở lại trang in',
    sec_inv_link: 'Đường dẫn mời của {name}',
    sec_inv_copy: 'Sao chép',
    sec_inv_copy_named: 'Sao chép đường dẫn của {name}',
    sec_inv_copied: 'Đã sao chép đường dẫn của {name}.',
    sec_inv_copy_by_hand: 'Đường dẫn đã được chọn: nhấn Ctrl+C để sao chép.',
    sec_sheet_title: 'Giấy mời — {title}',
    sec_sheet_summary: '{count} giấy mời · 8 giấy trên mỗi trang A4',
    sec_sheet_print: 'In',
    sec_sheet_back: 'Quay lại cuộc họp',
    sec_sheet_note: 'Các mã trên trang này vừa được cấp, mỗi mã chỉ dùng được một lần. In lại trang này không cấp mã mới.',
    sec_sheet_gone: 'Trang in chỉ có ngay sau khi tạo mã mời, trong phiên làm việc này. Quay lại cuộc họp để tạo giấy mời.',
    sec_sheet_kicker: 'Giấy mời dự họp',
    sec_sheet_qr: 'Mã QR vào cuộc họp của {name}',
    sec_sheet_steps: 'Mở camera điện thoại, quét mã QR rồi chạm vào đường dẫn hiện ra để vào cuộc họp.',
    sec_sheet_once: 'Mã chỉ dùng được một lần, hiệu lực đến {until}. Không chia sẻ giấy mời này.',
  },
  en: {
    sec_inv: 'Invitations',
    sec_inv_help: 'Each invitation carries its own link and QR code to join the meeting from a phone, a tablet or a computer.',
    sec_inv_chosen: 'Recipients: {chosen} of {total}',
    sec_inv_choose: 'Choose who receives an invitation',
    sec_inv_all: 'Choose everyone',
    sec_inv_none: 'Choose nobody',
    sec_inv_pick: 'Send an invitation to {name}',
    sec_inv_projector: 'Include a code for the hall projector',
    sec_inv_warning:
      'Each time you print, everyone chosen gets a new code that works only once. Invitations handed out earlier keep working until used or expired.',
    sec_inv_print: 'Print invitations ({count})',
    sec_inv_issuing: 'Issuing invitation codes…',
    sec_inv_nobody: 'Nobody is chosen.',
    sec_inv_issued: 'Invitations issued at {time} ({count}), valid until {until}',
    sec_inv_reopen: 'Open the print page again',
    sec_inv_link: "{name}'s invitation link",
    sec_inv_copy: 'Copy',
    sec_inv_copy_named: "Copy {name}'s link",
    sec_inv_copied: "{name}'s link is copied.",
    sec_inv_copy_by_hand: 'The link is selected: press Ctrl+C to copy it.',
    sec_sheet_title: 'Invitations — {title}',
    sec_sheet_summary: '{count} invitations · 8 to an A4 page',
    sec_sheet_print: 'Print',
    sec_sheet_back: 'Back to the meeting',
    sec_sheet_note: 'The codes on this page were just issued; each works only once. Printing this page again issues no new codes.',
    sec_sheet_gone: 'The print page exists only right after issuing codes, in this session. Go back to the meeting to issue invitations.',
    sec_sheet_kicker: 'Invitation to the meeting',
    sec_sheet_qr: "{name}'s QR code to join the meeting",
    sec_sheet_steps: 'Open the phone camera, scan the QR code and tap the link that appears to join the meeting.',
    sec_sheet_once: 'The code works once, until {until}. Do not share this invitation.',
  },
});

/** Issued invitations by meeting: {meeting, invitations, issuedAt}; in memory only. */
const sheets = new Map();

/** The invitations card of the desk: {title, meta, blocks}. */
export function invitationsCard(view, ui) {
  const state = ui.secretary.invitations;
  state.unchosen ??= new Set(view.me ? [view.me.member] : []);
  const chosen = view.participants.filter((participant) => !state.unchosen.has(participant.member));
  const count = chosen.length + (state.projector ? 1 : 0);
  const issued = sheets.get(view.meeting.id) ?? null;
  const blocks = [
    {
      key: 'sec-inv-pick',
      sig: sig(view.participants.map((p) => [p.member, p.name, p.role, p.position]), [...state.unchosen], state.projector),
      build: () => chooser(view, state, ui),
    },
    {
      key: 'sec-inv-go',
      sig: sig(count, state.step, state.problem),
      build: () =>
        h(
          'div',
          {},
          h('p', { class: 'sec-warning' }, glyph('⚠'), ' ', t('sec_inv_warning')),
          state.step === 'issuing'
            ? h('p', { class: 'loading', role: 'status' }, t('sec_inv_issuing'))
            : button('primary', t('sec_inv_print', { count: number(count) }), () => ui.actions.secIssueInvitations(), {
                'data-focus': 'sec-inv-print',
                'aria-disabled': count === 0 ? 'true' : null,
              }),
          count === 0 && h('p', { class: 'muted' }, t('sec_inv_nobody')),
          state.problem && errorLine(problemText(state.problem)),
        ),
    },
  ];
  if (issued) {
    blocks.push({ key: 'sec-inv-issued', sig: sig(issued.issuedAt, state.copied), build: () => issuedList(issued, state, ui) });
  }
  return { title: t('sec_inv'), meta: t('sec_inv_chosen', { chosen: number(chosen.length), total: number(view.participants.length) }), blocks };
}

function chooser(view, state, ui) {
  return h(
    'fieldset',
    { class: 'sec-choose' },
    h('legend', {}, t('sec_inv_choose')),
    h('p', { class: 'small' }, t('sec_inv_help')),
    h(
      'div',
      { class: 'sec-actions' },
      button('secondary', t('sec_inv_all'), () => ui.actions.secChooseAll(true), { class: 'sec-small-button', 'data-focus': 'sec-inv-all' }),
      button('secondary', t('sec_inv_none'), () => ui.actions.secChooseAll(false), { class: 'sec-small-button', 'data-focus': 'sec-inv-none' }),
    ),
    h(
      'ul',
      { class: 'sec-people' },
      view.participants.map((participant) =>
        h(
          'li',
          {},
          h(
            'label',
            { class: 'sec-check' },
            h('input', {
              type: 'checkbox',
              checked: !state.unchosen.has(participant.member),
              'aria-label': t('sec_inv_pick', { name: participant.name }),
              'data-focus': `sec-inv:${participant.member}`,
              onchange: (event) => ui.actions.secChoose(participant.member, event.target.checked),
            }),
            h('span', { class: 'sec-person' }, h('strong', {}, participant.name), h('span', { class: 'muted' }, [t(`role_${participant.role}`), participant.position].filter(Boolean).join(' · '))),
          ),
        ),
      ),
    ),
    h(
      'label',
      { class: 'sec-check' },
      h('input', { type: 'checkbox', checked: state.projector, 'data-focus': 'sec-inv-projector', onchange: (event) => ui.actions.secChooseProjector(event.target.checked) }),
      h('span', {}, t('sec_inv_projector')),
    ),
  );
}

function issuedList(issued, state, ui) {
  const until = issued.invitations[0]?.expires_at;
  return h(
    'div',
    { class: 'sec-issued' },
    h('h3', {}, t('sec_inv_issued', { time: dateTime(issued.issuedAt), count: number(issued.invitations.length), until: until ? dateTime(until) : '—' })),
    h('a', { class: 'button button--secondary sec-link-button', href: `#invitations=${encodeURIComponent(issued.meeting.id)}` }, t('sec_inv_reopen')),
    h(
      'ul',
      { class: 'sec-links' },
      issued.invitations.map((invitation, index) => {
        const id = `sec-link-${index}`;
        
        return h(
          'li',
          {},
          h('label', { for: id }, t('sec_inv_link', { name: invitation.name })),
          h(
            'div',
            { class: 'sec-link-row' },
            h('input', { id, type: 'text', readonly: true, class: 'sec-link-input', value: invitation.url }),
            button('secondary', t('sec_inv_copy'), () => ui.actions.secCopy(invitation, id), {
              class: 'sec-small-button',
              'aria-label': t('sec_inv_copy_named', { name: invitation.name }),
              'data-focus': `sec-copy:${index}`,
            }),
          ),
        );
      }),
    ),
    state.copied && (state.copied.byHand ? h('p', { role: 'status' }, t('sec_inv_copy_by_hand')) : okLine(t('sec_inv_copied', { name: state.copied.name }))),
  );
}

/** What the invitation buttons do. */
export function invitationsActions(ctx, desk) {
  const state = () => desk.invitations;
  return {
    secChoose(member, on) {
      if (on) state().unchosen.delete(member);
      else state().unchosen.add(member);
      ctx.render();
    },
    secChooseAll(on) {
      state().unchosen = new Set(on ? [] : ctx.view().participants.map((participant) => participant.member));
      ctx.render();
    },
    secChooseProjector(on) {
      state().projector = on;
      ctx.render();
    },
    async secIssueInvitations() {
      const current = state();
      const view = ctx.view();
      const members = view.participants.filter((p) => !current.unchosen.has(p.member)).map((p) => p.member);
      if (current.step === 'issuing' || members.length + (current.projector ? 1 : 0) === 0) return;
      current.step = 'issuing';
      current.problem = null;
      ctx.render();
      try {
        const invitations = await call('POST', `/api/meetings/${encodeURIComponent(ctx.meetingId)}/invitations`, {
          token: ctx.session.token,
          body: { members, projector: current.projector, qr: true },
        });
        const people = new Map(view.participants.map((p) => [p.member, p]));
        sheets.set(ctx.meetingId, {
          meeting: { id: view.meeting.id, ...view.meeting.details },
          invitations: invitations.map((invitation) => ({ ...invitation, position: people.get(invitation.member)?.position ?? '' })),
          issuedAt: Date.now(),
        });
        current.step = 'idle';
        location.hash = `#invitations=${encodeURIComponent(ctx.meetingId)}`;
      } catch (error) {
        current.step = 'idle';
        current.problem = error;
        ctx.render();
      }
    },
    async secCopy(invitation, inputId) {
      let byHand = false;
      try {
        await navigator.clipboard.writeText(invitation.url);
      } catch {
        // No clipboard (a page not served over HTTPS): select the link for Ctrl+C.
        byHand = true;
      }
      state().copied = { name: invitation.name, byHand };
      ctx.render();
      if (byHand) {
        const input = document.getElementById(inputId);
        input?.focus();
        input?.select();
      }
    },
  };
}

/** The printable sheet for `meetingId`: a screen {render(), stop()} for main.js. */
export function invitationSheetScreen(meetingId, tools) {
  const back = `#meeting=${encodeURIComponent(meetingId)}`;
  return {
    render() {
      const issued = sheets.get(meetingId);
      if (!issued) {
        tools.show(
          h('section', { class: 'screen' }, h('p', {}, t('sec_sheet_gone')), h('a', { class: 'button button--secondary sec-link-button', href: back }, t('sec_sheet_back'))),
        );
        return;
      }
      document.title = t('sec_sheet_title', { title: issued.meeting.title });
      tools.show(
        h(
          'section',
          { class: 'sec-wide sec-sheet-screen', 'aria-labelledby': 'sec-sheet-heading' },
          h(
            'div',
            { class: 'sec-sheet-tools' },
            h('h1', { id: 'sec-sheet-heading' }, t('sec_sheet_title', { title: issued.meeting.title })),
            h('p', { class: 'muted' }, t('sec_sheet_summary', { count: number(issued.invitations.length) })),
            h('p', { class: 'sec-warning' }, glyph('⚠'), ' ', t('sec_sheet_note')),
            h(
              'div',
              { class: 'sec-actions' },
              button('primary', t('sec_sheet_print'), () => window.print(), { class: 'button button--primary sec-inline-button' }),
              h('a', { class: 'button button--secondary sec-link-button sec-inline-button', href: back }, t('sec_sheet_back')),
            ),
          ),
          h('div', { class: 'sec-sheet' }, issued.invitations.map((invitation) => invitationCard(issued.meeting, invitation))),
        ),
      );
    },
    stop() {},
  };
}

function invitationCard(meeting, invitation) {
  const role = invitation.role ? t(`role_${invitation.role}`) : t('role_projector');
  return h(
    'article',
    { class: 'sec-invite' },
    h('p', { class: 'sec-invite-kicker' }, t('sec_sheet_kicker')),
    h('p', { class: 'sec-invite-meeting' }, meeting.title),
    h('p', { class: 'sec-invite-when' }, [dateTime(meeting.scheduled_at), meeting.location].filter(Boolean).join(' · ')),
    h(
      'div',
      { class: 'sec-invite-body' },
      h('img', {
        class: 'sec-qr',
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(invitation.qr_svg ?? '')}`,
        alt: t('sec_sheet_qr', { name: invitation.name }),
      }),
      h(
        'div',
        {},
        h('p', { class: 'sec-invite-name' }, invitation.name),
        h('p', { class: 'sec-invite-role' }, [role, invitation.position].filter(Boolean).join(' · ')),
        h('p', { class: 'sec-invite-steps' }, t('sec_sheet_steps')),
      ),
    ),
    h('p', { class: 'sec-invite-once' }, t('sec_sheet_once', { until: dateTime(invitation.expires_at) })),
  );
}
