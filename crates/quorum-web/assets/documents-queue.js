// The background downloads of a meeting's documents: every readable one, the current
// item's first, one at a time so as not to crowd the hall's Wi-Fi (one more for a
// document someone is waiting to read), each
// skipped when its content hash is already on the device, retried after failures with
// growing waits, and resumed when the connection comes back. The state of each is kept
// by content hash: {doc, status, loaded, total, reason, attempts, timer, urgent}, with
// status 'checking', 'queued', 'downloading', 'saved' or 'failed'.

import * as store from './documents-store.js';

/** Downloads at once (one more when the person is waiting for a document). */
const PARALLEL = 1;
/** Waits before automatic retries; after the last, a reconnect or the person retries. */
const RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000];
/** Progress redraws at most this often. */
const REDRAW_MS = 250;

/** The meeting whose documents are downloading; opening another stops it. */
let active = null;

window.addEventListener('online', () => active && resume(active));

/** The downloads of the meeting `ctx` opened, for `owner` (the member or account). */
export function startQueue(ctx, owner) {
  stopQueue();
  active = {
    ctx,
    owner,
    entries: new Map(),
    order: [],
    running: 0,
    controllers: new Set(),
    redraw: 0,
    status: null,
    shelved: null,
  };
  return active;
}

/** Stops every download under way (another meeting opens, or the person signs out). */
export function stopQueue() {
  active?.controllers.forEach((controller) => controller.abort());
  active = null;
}

/**
 * Someone opened `doc`: it goes first, and (`again`) is fetched anew even if it was
 * thought saved, when the device's copy turned out unreadable.
 */
export function hurry(docs, doc, { again = false } = {}) {
  const entry = docs.entries.get(doc.content_hash);
  if (!entry || (entry.status === 'saved' && !again) || entry.status === 'downloading') return;
  entry.urgent = true;
  if (entry.status !== 'queued') requeue(docs, entry);
  later(() => pump(docs));
  docs.ctx.render();
}

/** Forgets the documents with these hashes (no longer shared). */
export function forget(docs, hashes) {
  for (const hash of hashes) {
    clearTimeout(docs.entries.get(hash)?.timer);
    docs.entries.delete(hash);
  }
}

/** How far a download is, in whole percent. */
export function percent(entry) {
  return entry.total > 0 ? Math.floor((100 * Math.min(entry.loaded, entry.total)) / entry.total) : 0;
}

/**
 * Takes note of the documents on screen (`groups`, in order), starts what is new, and
 * after a reconnect (`status` back to online) what failed for want of a network.
 */
export function track(docs, groups, status) {
  docs.order = [];
  for (const doc of groups.flatMap((group) => group.documents)) {
    docs.order.push(doc.content_hash);
    if (docs.entries.has(doc.content_hash)) continue;
    const entry = { doc, status: 'checking', loaded: 0, total: doc.size, reason: null, attempts: 0, timer: 0, urgent: false };
    docs.entries.set(doc.content_hash, entry);
    store.has(doc.content_hash).then((kept) => {
      entry.status = kept ? 'saved' : 'queued';
      pump(docs);
      docs.ctx.render();
    });
  }
  // Back online after a cut: what failed for want of a network starts again.
  if (status === 'online' && docs.status !== null && docs.status !== 'online') later(() => resume(docs));
  docs.status = status;
}

/** Starts queued downloads, the current item's first, as many as are allowed. */
function pump(docs) {
  if (docs !== active) return;
  const queued = [...new Set(docs.order)].map((hash) => docs.entries.get(hash)).filter((entry) => entry?.status === 'queued');
  queued.sort((a, b) => Number(b.urgent) - Number(a.urgent));
  for (const entry of queued) {
    if (docs.running >= PARALLEL + (entry.urgent ? 1 : 0)) break;
    start(docs, entry);
  }
}

function start(docs, entry) {
  const { ctx } = docs;
  const controller = new AbortController();
  docs.controllers.add(controller);
  docs.running += 1;
  entry.status = 'downloading';
  entry.loaded = 0;
  const onProgress = (loaded, total) => {
    entry.loaded = loaded;
    entry.total = total;
    redraw(docs);
  };
  store
    .download(ctx.meetingId, entry.doc, ctx.session.token, { onProgress, signal: controller.signal })
    .then(
      () => {
        entry.status = 'saved';
        entry.attempts = 0;
        entry.urgent = false;
      },
      (error) => {
        entry.status = 'failed';
        entry.reason = error instanceof store.DownloadError ? error.reason : 'network';
        if (error?.retry && !controller.signal.aborted) scheduleRetry(docs, entry);
      },
    )
    .finally(() => {
      docs.controllers.delete(controller);
      docs.running -= 1;
      if (docs !== active) return;
      ctx.render();
      pump(docs);
    });
  ctx.render();
}

function scheduleRetry(docs, entry) {
  const delay = RETRY_DELAYS_MS[entry.attempts];
  entry.attempts += 1;
  if (delay === undefined) return;
  entry.timer = setTimeout(() => {
    entry.timer = 0;
    if (entry.status === 'failed') requeue(docs, entry);
    pump(docs);
  }, delay);
}

function requeue(docs, entry) {
  clearTimeout(entry.timer);
  entry.timer = 0;
  entry.status = 'queued';
  entry.reason = null;
}

/** The person asked: start again now, with a fresh set of automatic retries. */
export function retry(docs, doc) {
  const entry = docs.entries.get(doc.content_hash);
  if (!entry || entry.status !== 'failed') return;
  entry.attempts = 0;
  entry.urgent = true;
  requeue(docs, entry);
  pump(docs);
  docs.ctx.render();
}

/** After a reconnect: every download that failed for want of a network, again. */
function resume(docs) {
  for (const entry of docs.entries.values()) {
    if (entry.status === 'failed' && ['network', 'server', 'corrupt'].includes(entry.reason)) {
      entry.attempts = 0;
      requeue(docs, entry);
    }
  }
  pump(docs);
  docs.ctx.render();
}

/** Redraws for progress, at most every REDRAW_MS. */
function redraw(docs) {
  if (docs.redraw) return;
  docs.redraw = setTimeout(() => {
    docs.redraw = 0;
    if (docs === active) docs.ctx.render();
  }, REDRAW_MS);
}

function later(task) {
  setTimeout(task, 0);
}
