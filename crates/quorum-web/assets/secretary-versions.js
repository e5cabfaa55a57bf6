// A document's approval and versions on the secretary's desk: an uploaded document is a
// draft that only the chair and the secretary see until "Duyệt / Approve" publishes it;
// "Thay phiên bản mới / Replace with a new version" uploads a new version, and the earlier
// ones stay listed (and downloadable by their hash) under the document.

import { button, glyph, h } from './dom.js';
import { dateTime, define, number, t } from './i18n.js';
import { fileSize } from './secretary-transfer.js';

define({
  vi: {
    sec_doc_draft: 'Chờ duyệt',
    sec_doc_drafts: '{count} tài liệu chờ duyệt: người tham dự chưa thấy.',
    sec_doc_approve: 'Duyệt',
    sec_doc_approve_named: 'Duyệt tài liệu {name} để người tham dự được đọc',
    sec_doc_replace: 'Thay phiên bản mới',
    sec_doc_replace_named: 'Thay {name} bằng phiên bản mới',
    sec_doc_version: 'Phiên bản {number}',
    sec_doc_earlier: 'Các phiên bản trước ({count})',
    sec_doc_earlier_line: 'Phiên bản {number} · {date} · {size}',
    sec_doc_date_unknown: 'không rõ ngày',
    sec_access_badge_confidential: 'Mật',
    sec_access_confidential: 'Mật: chỉ chủ tọa và thư ký (không bao giờ khách mời hay màn hình hội trường)',
  },
  en: {
    sec_doc_draft: 'Awaiting approval',
    sec_doc_drafts: '{count} documents await approval: participants do not see them yet.',
    sec_doc_approve: 'Approve',
    sec_doc_approve_named: 'Approve the document {name} for participants to read',
    sec_doc_replace: 'Replace with a new version',
    sec_doc_replace_named: 'Replace {name} with a new version',
    sec_doc_version: 'Version {number}',
    sec_doc_earlier: 'Earlier versions ({count})',
    sec_doc_earlier_line: 'Version {number} · {date} · {size}',
    sec_doc_date_unknown: 'date unknown',
    sec_access_badge_confidential: 'Confidential',
    sec_access_confidential: 'Confidential: the chair and the secretary only (never guests or the hall projector)',
  },
});

/** The line above the items when some documents await approval, or null. */
export function draftsLine(items) {
  const count = items.reduce((sum, item) => sum + item.documents.filter((doc) => doc.status?.draft).length, 0);
  if (count === 0) return null;
  return h('p', { class: 'state is-warn', role: 'status' }, glyph('!'), ' ', t('sec_doc_drafts', { count: number(count) }));
}

/** Beside a document's name: "awaiting approval" for a draft, and its version after the first. */
export function versionBadges(document) {
  const status = document.status ?? {};
  return [
    status.draft && h('span', { class: 'badge sec-doc-draft' }, t('sec_doc_draft')),
    (status.version ?? 1) > 1 && h('span', {}, t('sec_doc_version', { number: number(status.version) })),
  ];
}

/** The approve button (drafts only) and the replace button, which opens a file chooser. */
export function versionButtons(document, item, ui) {
  const id = `sec-replace-${document.id}`;
  const input = h('input', {
    id,
    type: 'file',
    class: 'visually-hidden',
    onchange: () => {
      const file = input.files?.[0];
      input.value = '';
      if (file) ui.actions.secReplace(item, document, file);
    },
  });
  return [
    document.status?.draft &&
      button('primary', t('sec_doc_approve'), () => ui.actions.secApprove(document.id), {
        class: 'sec-small-button',
        'aria-label': t('sec_doc_approve_named', { name: document.name }),
        'data-focus': `sec-approve:${document.id}`,
      }),
    input,
    h('label', { for: id, class: 'button button--secondary sec-small-button', title: t('sec_doc_replace_named', { name: document.name }) }, t('sec_doc_replace')),
  ];
}

/** The earlier versions, newest first, folded under the document; null if none. */
export function earlierVersions(document) {
  const earlier = document.status?.earlier ?? [];
  if (earlier.length === 0) return null;
  return h(
    'details',
    { class: 'sec-doc-earlier' },
    h('summary', {}, t('sec_doc_earlier', { count: number(earlier.length) })),
    h(
      'ul',
      {},
      [...earlier].reverse().map((version) =>
        h(
          'li',
          {},
          t('sec_doc_earlier_line', {
            number: number(version.number),
            date: version.uploaded_at ? dateTime(version.uploaded_at) : t('sec_doc_date_unknown'),
            size: fileSize(version.size),
          }),
          ' ',
          h('code', { class: 'muted small' }, version.content_hash.slice(0, 12)),
        ),
      ),
    ),
  );
}

/** What the buttons do; `replace(item, document, file)` starts the upload of a new version. */
export function versionActions(ctx, replace) {
  return {
    secApprove(document) {
      ctx.link.command({ type: 'approve_document', document }).catch(ctx.notice);
    },
    secReplace: replace,
  };
}
