// Documents kept on this device: downloaded with the session's token (so by the page,
// not a plain link), streamed so that progress shows, checked against their content
// hash, and put into Cache Storage under that hash — never under a URL that holds a token
// — so that they open with no network. Without Cache Storage (a hub reached over plain
// http on the LAN is not a secure context) they are kept in memory while the page lives.

/** The cache of documents; the service worker's upgrades leave it alone. */
const CACHE = 'quorum-documents-v1';
/** Cache keys: a path of this origin that the hub never serves, ending in the hash. */
const KEY_PREFIX = '/offline-documents/';
/** Where the list of a meeting's documents is remembered, for opening them offline. */
const SHELF_PREFIX = 'quorum.shelf.';
/** A download that receives nothing for this long is given up (and retried). */
const STALL_MS = 30_000;

/** Whether documents survive a reload and open offline on this device. */
export const lasting = typeof caches !== 'undefined' && window.isSecureContext;

/** Documents kept in memory when Cache Storage is not available: hash → Blob. */
const memory = new Map();

/** Why a download failed: `reason` is one of the `docs_reason_*` words' suffixes. */
export class DownloadError extends Error {
  constructor(reason, { retry = false, status = 0 } = {}) {
    super(reason);
    this.reason = reason;
    this.retry = retry;
    this.status = status;
  }
}

/** Whether the document with this content hash is on the device. */
export async function has(hash) {
  if (memory.has(hash)) return true;
  if (!lasting) return false;
  try {
    const cache = await caches.open(CACHE);
    return (await cache.match(key(hash))) !== undefined;
  } catch {
    return false;
  }
}

/** The document with this content hash, as a Blob of its type, or null. */
export async function read(hash) {
  if (memory.has(hash)) return memory.get(hash);
  if (!lasting) return null;
  try {
    const cache = await caches.open(CACHE);
    const response = await cache.match(key(hash));
    return response ? await response.blob() : null;
  } catch {
    return null;
  }
}

/**
 * Downloads `doc` (a Document of the view) of `meetingId` with `token`, reporting
 * `onProgress(loaded, total)`, and keeps it. Rejects with a DownloadError.
 */
export async function download(meetingId, doc, token, { onProgress, signal }) {
  const path = `/api/meetings/${encodeURIComponent(meetingId)}/documents/${encodeURIComponent(doc.id)}`;
  const stall = new AbortController();
  signal?.addEventListener('abort', () => stall.abort());
  let timer = setTimeout(() => stall.abort(), STALL_MS);
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), STALL_MS);
  };
  try {
    let response;
    try {
      response = await fetch(path, {
        headers: { Authorization: `Bearer ${token}` },
        // Cache Storage keeps the copy; the HTTP cache would only hold a second one.
        cache: 'no-store',
        credentials: 'omit',
        signal: stall.signal,
      });
    } catch {
      throw new DownloadError('network', { retry: true });
    }
    if (!response.ok) throw failure(response.status);
    const total = Number(response.headers.get('Content-Length')) || doc.size;
    const chunks = [];
    let loaded = 0;
    onProgress(0, total);
    try {
      if (!response.body) {
        // No stream to follow (an old browser): the whole body at once.
        const whole = new Uint8Array(await response.arrayBuffer());
        chunks.push(whole);
        loaded = whole.byteLength;
        onProgress(loaded, total);
      }
      const reader = response.body?.getReader();
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        alive();
        chunks.push(value);
        loaded += value.byteLength;
        onProgress(loaded, total);
      }
    } catch {
      throw new DownloadError('network', { retry: true });
    }
    const type = doc.media_type || 'application/octet-stream';
    const blob = new Blob(chunks, { type });
    if (!(await matches(blob, doc.content_hash))) throw new DownloadError('corrupt', { retry: true });
    await keep(doc.content_hash, blob, type);
    return blob;
  } finally {
    clearTimeout(timer);
  }
}

function failure(status) {
  if (status === 401) return new DownloadError('session', { status });
  if (status === 403 || status === 404) return new DownloadError('gone', { status });
  return new DownloadError('server', { retry: status >= 500 || status === 429, status });
}

/** Whether `blob`'s SHA-256 is `hash` (unchecked where the browser cannot digest). */
async function matches(blob, hash) {
  if (!crypto.subtle) return true;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex === hash.toLowerCase();
}

async function keep(hash, blob, type) {
  if (!lasting) {
    memory.set(hash, blob);
    return;
  }
  try {
    const cache = await caches.open(CACHE);
    await cache.put(
      key(hash),
      new Response(blob, { headers: { 'Content-Type': type, 'Content-Length': String(blob.size) } }),
    );
  } catch (error) {
    throw new DownloadError(error?.name === 'QuotaExceededError' ? 'full' : 'storage');
  }
  askToKeep();
}

let asked = false;

/** Asks the browser, once, not to evict the documents when space runs low. */
function askToKeep() {
  if (asked || !navigator.storage?.persist) return;
  asked = true;
  navigator.storage.persist().catch(() => {});
}

/** Drops the documents with these hashes from the device. */
export async function drop(hashes) {
  for (const hash of hashes) memory.delete(hash);
  if (!lasting || hashes.length === 0) return;
  try {
    const cache = await caches.open(CACHE);
    await Promise.all(hashes.map((hash) => cache.delete(key(hash))));
  } catch {
    // Nothing to drop, or storage unavailable: nothing to do either way.
  }
}

/**
 * Forgets every document and every remembered list on this device (at sign-out: the next
 * person to sign in here must not find them). Private notes stay: each is keyed by its
 * author and opens only for them.
 */
export async function forgetAll() {
  memory.clear();
  try {
    for (const name of Object.keys(localStorage)) {
      if (name.startsWith(SHELF_PREFIX)) localStorage.removeItem(name);
    }
  } catch {
    // Storage refused: there is nothing remembered either.
  }
  if (lasting) await caches.delete(CACHE).catch(() => false);
}

function key(hash) {
  return new Request(`${KEY_PREFIX}${encodeURIComponent(hash)}`);
}

// --- The shelf: a meeting's documents as last seen, to list them with no network ---

/** The shelf of `meetingId` for `reader` (account or member): {title, items[]} or null. */
export function shelf(meetingId, reader) {
  try {
    const saved = JSON.parse(localStorage.getItem(shelfKey(meetingId, reader)));
    return Array.isArray(saved?.items) ? saved : null;
  } catch {
    return null;
  }
}

/**
 * Remembers what `reader` may read in `meetingId`: {title, current, items: [{id, title,
 * documents}]}. Returns the hashes the previous shelf held that this one no longer does.
 */
export function remember(meetingId, reader, next) {
  const previous = shelf(meetingId, reader);
  if (!lasting) return [];
  try {
    localStorage.setItem(shelfKey(meetingId, reader), JSON.stringify(next));
  } catch {
    // A full storage: the list is not remembered, the documents still are.
  }
  if (!previous) return [];
  const now = new Set(next.items.flatMap((item) => item.documents.map((d) => d.content_hash)));
  const before = previous.items.flatMap((item) => item.documents.map((d) => d.content_hash));
  return [...new Set(before)].filter((hash) => !now.has(hash));
}

function shelfKey(meetingId, reader) {
  return `${SHELF_PREFIX}${reader}.${meetingId}`;
}
