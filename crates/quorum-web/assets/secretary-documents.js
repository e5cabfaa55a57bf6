// Documents per agenda item on the secretary's desk: drop files or choose them, say who may
// read them, and watch each upload's real progress (bytes sent, then the hub storing it)
// with a cancel button; the item's documents listed with who may read them, approved,
// replaced by new versions (secretary-versions.js) and removable.

import { button, glyph, h, sig } from './dom.js';
import { define, number, t } from './i18n.js';
import { dropZone, errorLine, fileSize, problemText, upload } from './secretary-transfer.js';
import { draftsLine, earlierVersions, versionActions, versionBadges, versionButtons } from './secretary-versions.js';

define({
  vi: {
    sec_docs: 'Tài liệu',
    sec_docs_count: '{count} tài liệu',
    sec_docs_no_items: 'Chương trình họp chưa có nội dung nào. Thêm nội dung trước rồi tải tài liệu cho từng nội dung.',
    sec_docs_item: 'Nội dung {number}: {title}',
    sec_docs_none: 'Chưa có tài liệu.',
    sec_docs_choose: 'Chọn tệp',
    sec_docs_access: 'Ai được đọc tài liệu tải lên',
    sec_access_everyone: 'Mọi người tham dự (kể cả khách mời và màn hình hội trường)',
    sec_access_delegates_only: 'Chỉ đại biểu, chủ tọa và thư ký',
    sec_access_badge_everyone: 'Công khai',
    sec_access_badge_delegates_only: 'Chỉ đại biểu',
    sec_access_badge_named: 'Hạn chế',
    sec_upload_sending: 'Đang tải lên {percent}% · {sent} / {total}',
    sec_upload_storing: 'Đã gửi xong, hệ thống đang lưu…',
    sec_upload_done: 'Đã tải lên ({total})',
    sec_upload_failed: 'Không tải lên được: {reason}',
    sec_upload_cancel: 'Hủy tải lên',
    sec_upload_cancel_named: 'Hủy tải lên {name}',
    sec_upload_retry: 'Thử lại',
    sec_upload_dismiss: 'Ẩn',
    sec_upload_progress: 'Tiến độ tải lên {name}',
    sec_doc_remove: 'Gỡ',
    sec_doc_remove_named: 'Gỡ tài liệu {name}',
    sec_doc_remove_confirm: 'Gỡ “{name}” khỏi nội dung này? Người tham dự sẽ không còn thấy tài liệu.',
    sec_doc_remove_yes: 'Gỡ tài liệu',
    sec_cancel: 'Hủy',
  },
  en: {
    sec_docs: 'Documents',
    sec_docs_count: '{count} documents',
    sec_docs_no_items: 'The agenda has no items yet. Add items first, then upload documents for each.',
    sec_docs_item: 'Item {number}: {title}',
    sec_docs_none: 'No documents yet.',
    sec_docs_choose: 'Choose files',
    sec_docs_access: 'Who may read the documents uploaded',
    sec_access_everyone: 'Every participant (guests and the hall projector too)',
    sec_access_delegates_only: 'Delegates, the chair and the secretary only',
    sec_access_badge_everyone: 'Public',
    sec_access_badge_delegates_only: 'Delegates only',
    sec_access_badge_named: 'Restricted',
    sec_upload_sending: 'Uploading {percent}% · {sent} of {total}',
    sec_upload_storing: 'Sent; the hub is storing it…',
    sec_upload_done: 'Uploaded ({total})',
    sec_upload_failed: 'Not uploaded: {reason}',
    sec_upload_cancel: 'Cancel upload',
    sec_upload_cancel_named: 'Cancel uploading {name}',
    sec_upload_retry: 'Try again',
    sec_upload_dismiss: 'Hide',
    sec_upload_progress: 'Upload progress of {name}',
    sec_doc_remove: 'Remove',
    sec_doc_remove_named: 'Remove the document {name}',
    sec_doc_remove_confirm: 'Remove “{name}” from this item? Participants will no longer see it.',
    sec_doc_remove_yes: 'Remove the document',
    sec_cancel: 'Cancel',
  },
});

/** The documents card of the desk: {title, meta, blocks}. */
export function documentsCard(view, ui) {
  const desk = ui.secretary;
  const items = view.agenda.items;
  const count = items.reduce((sum, item) => sum + item.documents.length, 0);
  const blocks =
    items.length === 0
      ? [{ key: 'sec-docs-empty', sig: sig(), build: () => h('p', { class: 'muted' }, t('sec_docs_no_items')) }]
      : items.map((item, index) => {
          const uploads = desk.uploads.filter((entry) => entry.item === item.id);
          const access = desk.access.get(item.id) ?? 'everyone';
          return {
            key: `sec-doc-item:${item.id}`,
            sig: sig(index, item, access, desk.detaching, uploads.map((entry) => [entry.id, entry.step, entry.problem])),
            build: () => itemBlock(item, index, uploads, access, desk, ui),
          };
        });
  const drafts = draftsLine(items);
  if (drafts) blocks.unshift({ key: 'sec-docs-drafts', sig: sig(drafts.textContent), build: () => drafts });
  return { title: t('sec_docs'), meta: t('sec_docs_count', { count: number(count) }), blocks };
}

function itemBlock(item, index, uploads, access, desk, ui) {
  const accessName = `sec-access-${item.id}`;
  return h(
    'section',
    { class: 'sec-item', 'aria-labelledby': `sec-item-${item.id}` },
    h('h3', { id: `sec-item-${item.id}` }, t('sec_docs_item', { number: index + 1, title: item.title })),
    item.documents.length === 0
      ? h('p', { class: 'muted' }, t('sec_docs_none'))
      : h('ul', { class: 'sec-docs' }, item.documents.map((document) => documentLine(document, item, desk, ui))),
    h(
      'fieldset',
      { class: 'sec-access' },
      h('legend', {}, t('sec_docs_access')),
      ['everyone', 'delegates_only', 'confidential'].map((kind) =>
        h(
          'label',
          { class: 'sec-radio' },
          h('input', {
            type: 'radio',
            name: accessName,
            value: kind,
            checked: access === kind,
            'data-focus': `${accessName}:${kind}`,
            onchange: () => ui.actions.secUploadAccess(item.id, kind),
          }),
          ' ',
          t(`sec_access_${kind}`),
        ),
      ),
    ),
    dropZone({
      id: `sec-doc-file-${item.id}`,
      label: t('sec_docs_choose'),
      multiple: true,
      onFiles: (files) => ui.actions.secUpload(item.id, files),
    }),
    uploads.length > 0 && h('ul', { class: 'sec-uploads' }, uploads.map((entry) => uploadLine(entry, ui))),
  );
}

function documentLine(document, item, desk, ui) {
  const kind = document.access.kind;
  const confirming = desk.detaching === document.id;
  return h(
    'li',
    { class: 'sec-doc' },
    h(
      'div',
      { class: 'sec-doc-line' },
      h('span', { class: 'sec-doc-name' }, glyph('▤'), ' ', document.name),
      h('span', { class: 'meta' }, h('span', {}, fileSize(document.size)), h('span', { class: `badge sec-access--${kind}` }, t(`sec_access_badge_${kind}`)), versionBadges(document)),
      !confirming && versionButtons(document, item.id, ui),
      !confirming &&
        button('secondary', t('sec_doc_remove'), () => ui.actions.secDetachAsk(document.id), {
          class: 'sec-small-button',
          'aria-label': t('sec_doc_remove_named', { name: document.name }),
          'data-focus': `sec-detach:${document.id}`,
        }),
    ),
    confirming &&
      h(
        'div',
        { class: 'sec-confirm', role: 'group' },
        h('p', {}, t('sec_doc_remove_confirm', { name: document.name })),
        h(
          'div',
          { class: 'sec-actions' },
          button('danger', t('sec_doc_remove_yes'), () => ui.actions.secDetach(document.id), { 'data-focus': `sec-detach-yes:${document.id}` }),
          button('secondary', t('sec_cancel'), () => ui.actions.secDetachAsk(null)),
        ),
      ),
    earlierVersions(document),
  );
}

/** One upload: its name, a real progress bar (updated in place), and what can be done. */
function uploadLine(entry, ui) {
  const bar = h('progress', { max: 100, 'aria-label': t('sec_upload_progress', { name: entry.file.name }) });
  const text = h('span', { class: 'sec-upload-text' });
  entry.show = () => {
    const percent = entry.total ? Math.floor((entry.sent / entry.total) * 100) : 0;
    bar.value = entry.step === 'done' ? 100 : percent;
    if (entry.step === 'sending') {
      text.textContent =
        entry.total && entry.sent >= entry.total
          ? t('sec_upload_storing')
          : t('sec_upload_sending', { percent, sent: fileSize(entry.sent), total: fileSize(entry.file.size) });
    } else if (entry.step === 'done') {
      text.textContent = t('sec_upload_done', { total: fileSize(entry.file.size) });
    }
  };
  entry.show();
  const done = entry.step === 'done';
  const failed = entry.step === 'failed';
  return h(
    'li',
    { class: `sec-upload sec-upload--${entry.step}` },
    h('span', { class: 'sec-doc-name' }, glyph(done ? '✓' : failed ? '✗' : '⇪'), ' ', entry.file.name),
    !failed && bar,
    !failed && h('span', { role: done ? 'status' : null }, text),
    failed && errorLine(t('sec_upload_failed', { reason: problemText(entry.problem) })),
    entry.step === 'sending' &&
      button('secondary', t('sec_upload_cancel'), () => ui.actions.secUploadCancel(entry.id), {
        class: 'sec-small-button',
        'aria-label': t('sec_upload_cancel_named', { name: entry.file.name }),
        'data-focus': `sec-upload-cancel:${entry.id}`,
      }),
    failed &&
      h(
        'div',
        { class: 'sec-actions' },
        button('secondary', t('sec_upload_retry'), () => ui.actions.secUploadRetry(entry.id), { class: 'sec-small-button', 'data-focus': `sec-upload-retry:${entry.id}` }),
        button('secondary', t('sec_upload_dismiss'), () => ui.actions.secUploadDismiss(entry.id), { class: 'sec-small-button' }),
      ),
  );
}

/** The access rule for a choice of the desk: confidential names no reader beyond the keepers. */
function accessRule(kind) {
  return kind === 'confidential' ? { kind, members: [] } : { kind };
}

/** What the document buttons do. */
export function documentsActions(ctx, desk) {
  let counter = 0;

  const start = (entry) => {
    entry.step = 'sending';
    entry.sent = 0;
    entry.total = 0;
    entry.problem = null;
    const form = new FormData();
    // The hub reads `name` and `access` before the file itself. A new version keeps the
    // document's access.
    form.append('name', entry.file.name);
    if (!entry.replaces) form.append('access', JSON.stringify(accessRule(entry.access)));
    form.append('file', entry.file, entry.file.name);
    const meeting = `/api/meetings/${encodeURIComponent(ctx.meetingId)}`;
    const path = entry.replaces
      ? `${meeting}/documents/${encodeURIComponent(entry.replaces)}/versions`
      : `${meeting}/items/${encodeURIComponent(entry.item)}/documents`;
    const transfer = upload(path, ctx.session.token, form, (sent, total) => {
      entry.sent = sent;
      entry.total = total;
      entry.show?.();
    });
    entry.cancel = transfer.cancel;
    transfer.promise.then(
      () => {
        entry.step = 'done';
        ctx.render();
      },
      (error) => {
        if (error.code === 'cancelled') {
          desk.uploads = desk.uploads.filter((other) => other !== entry);
        } else {
          entry.step = 'failed';
          entry.problem = error;
        }
        ctx.render();
      },
    );
  };

  const find = (id) => desk.uploads.find((entry) => entry.id === id);

  return {
    ...versionActions(ctx, (item, document, file) => {
      counter += 1;
      const entry = { id: `u${counter}`, item, file, replaces: document.id, step: 'sending' };
      desk.uploads.push(entry);
      start(entry);
      ctx.render();
    }),
    secUploadAccess(item, kind) {
      desk.access.set(item, kind);
    },
    secUpload(item, files) {
      for (const file of files) {
        counter += 1;
        const entry = { id: `u${counter}`, item, file, access: desk.access.get(item) ?? 'everyone', step: 'sending' };
        desk.uploads.push(entry);
        start(entry);
      }
      ctx.render();
    },
    secUploadCancel(id) {
      find(id)?.cancel?.();
    },
    secUploadRetry(id) {
      const entry = find(id);
      if (!entry || entry.step !== 'failed') return;
      start(entry);
      ctx.render();
    },
    secUploadDismiss(id) {
      desk.uploads = desk.uploads.filter((entry) => entry.id !== id);
      ctx.render();
    },
    secDetachAsk(document) {
      desk.detaching = document;
      ctx.render();
    },
    secDetach(document) {
      desk.detaching = null;
      ctx.render();
      ctx.link.command({ type: 'detach_document', document }).catch(ctx.notice);
    },
  };
}
