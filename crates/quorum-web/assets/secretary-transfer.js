// The secretary's transfers that api.js's JSON `call` does not cover: choosing or dropping
// files, a CSV body, a file upload with real progress (XMLHttpRequest: fetch reports none),
// a raw download saved as a file, and the words for what can go wrong with them.

import { HubError } from './api.js';
import { glyph, h } from './dom.js';
import { define, describe, number, t } from './i18n.js';

define({
  vi: {
    sec_error_too_large: 'Tệp quá lớn: tối đa {limit}.',
    sec_error_too_large_unknown: 'Tệp vượt quá dung lượng hệ thống cho phép.',
    sec_error_not_utf8: 'Tệp không phải văn bản UTF-8. Trong Excel, chọn Lưu thành “CSV UTF-8 (Comma delimited)” rồi chọn lại tệp.',
    sec_error_empty_file: 'Tệp trống.',
    sec_drop_here: 'Kéo thả tệp vào đây, hoặc',
    sec_drop_release: 'Thả tệp để tải lên',
    sec_size_bytes: '{count} byte',
    sec_size_kb: '{count} KB',
    sec_size_mb: '{count} MB',
  },
  en: {
    sec_error_too_large: 'The file is too large: {limit} at most.',
    sec_error_too_large_unknown: 'The file is larger than the hub allows.',
    sec_error_not_utf8: 'The file is not UTF-8 text. In Excel, choose Save as “CSV UTF-8 (Comma delimited)” and choose the file again.',
    sec_error_empty_file: 'The file is empty.',
    sec_drop_here: 'Drag and drop a file here, or',
    sec_drop_release: 'Release to upload',
    sec_size_bytes: '{count} bytes',
    sec_size_kb: '{count} KB',
    sec_size_mb: '{count} MB',
  },
});

/** A size in bytes, for people. */
export function fileSize(bytes) {
  if (bytes < 1024) return t('sec_size_bytes', { count: number(bytes) });
  if (bytes < 1024 * 1024) return t('sec_size_kb', { count: number(bytes / 1024, bytes < 10 * 1024 ? 1 : 0) });
  return t('sec_size_mb', { count: number(bytes / (1024 * 1024), 1) });
}

/** What went wrong, in words: this module's own problems first, then the hub's words. */
export function problemText(error) {
  if (error?.code === 'too_large') {
    return error.limit ? t('sec_error_too_large', { limit: fileSize(error.limit) }) : t('sec_error_too_large_unknown');
  }
  if (error?.code === 'not_utf8') return t('sec_error_not_utf8');
  if (error?.code === 'empty_file') return t('sec_error_empty_file');
  return describe(error);
}

/**
 * The hub's refusal as a HubError, from its status and body text: `.detail` holds the
 * whole `error` object (roster rows, a limit), and a 413 without JSON (the body limit
 * answers before the API does) becomes `too_large`.
 */
export function refusal(status, text) {
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON: a proxy's page or the body limit's plain text.
  }
  const body = data?.error;
  if (status === 413) {
    const error = new HubError('too_large', null, status);
    const limit = /(\d+) bytes/.exec(body?.detail ?? '');
    error.limit = limit ? Number(limit[1]) : null;
    return error;
  }
  const error = new HubError(body?.code ?? `http_${status}`, body?.message ?? null, status);
  error.detail = body ?? null;
  return error;
}

/** Sends `body` (bytes) with `contentType`; resolves to the JSON answer, or throws a HubError. */
export async function send(method, path, token, body, contentType) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, 'Content-Type': contentType },
      body,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new HubError('network');
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw refusal(response.status, text);
  return text ? JSON.parse(text) : null;
}

/** Reads `path` as text, exactly as the hub sent it (a record is kept byte for byte). */
export async function fetchText(path, token) {
  let response;
  try {
    response = await fetch(path, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new HubError('network');
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw refusal(response.status, text);
  return text;
}

/**
 * Uploads a multipart `form` with progress: `onProgress(loaded, total)` as bytes leave.
 * Returns {promise, cancel}; the promise resolves to the JSON answer, rejects with a
 * HubError, or with a HubError `cancelled` after `cancel()`.
 */
export function upload(path, token, form, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', path);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(new HubError(`http_${xhr.status}`, null, xhr.status));
        }
      } else {
        reject(refusal(xhr.status, xhr.responseText));
      }
    });
    xhr.addEventListener('error', () => reject(new HubError('network')));
    xhr.addEventListener('abort', () => reject(new HubError('cancelled')));
    xhr.send(form);
  });
  return { promise, cancel: () => xhr.abort() };
}

/** Offers `text` to the browser as a file download named `fileName`. */
export function saveFile(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the address can go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The file's text if it is UTF-8 (a BOM allowed), else throws a `not_utf8` HubError. */
export function utf8(bytes) {
  if (bytes.byteLength === 0) throw new HubError('empty_file');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HubError('not_utf8');
  }
}

/**
 * A drop zone with a file button: {id, label (the button's words), accept, multiple,
 * onFiles(files)}. The input is the real control (keyboard, screen readers); its label is
 * what shows.
 */
export function dropZone({ id, label, accept, multiple = false, onFiles }) {
  guardPage();
  const hint = h('span', { class: 'sec-drop-hint' }, t('sec_drop_here'));
  const input = h('input', {
    id,
    type: 'file',
    class: 'visually-hidden sec-file-input',
    accept,
    multiple,
    onchange: () => {
      const files = [...input.files];
      input.value = '';
      if (files.length > 0) onFiles(files);
    },
  });
  const zone = h(
    'div',
    { class: 'sec-drop' },
    h('span', { class: 'sec-drop-glyph', 'aria-hidden': 'true' }, '⇪'),
    hint,
    input,
    h('label', { for: id, class: 'button button--secondary sec-file-button' }, label),
  );
  const over = (on) => {
    zone.classList.toggle('sec-drop--over', on);
    hint.textContent = on ? t('sec_drop_release') : t('sec_drop_here');
  };
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    over(true);
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget)) over(false);
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    over(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) onFiles(multiple ? files : files.slice(0, 1));
  });
  return zone;
}

let guarded = false;

/** A file dropped beside a zone would make the browser leave the app to show it: not here. */
function guardPage() {
  if (guarded) return;
  guarded = true;
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (event) => {
      if (!event.target.closest?.('.sec-drop')) event.preventDefault();
    });
  }
}

/** A line that says something went well: a ✓ and the words. */
export function okLine(text) {
  return h('p', { class: 'sec-ok', role: 'status' }, glyph('✓'), ' ', text);
}

/** A line that says something went wrong: a ✗ and the words. */
export function errorLine(text) {
  return h('p', { class: 'error', role: 'alert' }, glyph('✗'), ' ', text);
}
