// The service worker: keeps the app — its page and this version's files — so that it
// opens with no network. The page is asked of the hub first (an upgrade always shows),
// versioned files come from the cache (their content never changes), and everything else
// (the API, the WebSocket, sign-in) goes to the network untouched. Documents are kept by
// the page itself, in a cache of their own (documents-store.js) that upgrades leave alone.
//
// The hub fills in VERSION and SHELL when it serves this file at /sw.js, so that every
// upgrade changes its bytes, and browsers install the new worker.

const VERSION = '__QUORUM_VERSION__';
/** The page and every file it may load, under this version's path. */
const SHELL = ['__QUORUM_SHELL__'];

const SHELL_PREFIX = 'quorum-shell-';
const SHELL_CACHE = `${SHELL_PREFIX}${VERSION}`;
/** The cache key of the page, whichever of its paths was asked for. */
const PAGE = '/app';
const PAGES = new Set(['/', '/join', '/app']);
/** A versioned file, /assets/{12 hex digits}/…: its content never changes. */
const VERSIONED = /^\/assets\/[0-9a-f]{12}\//;
/** How long the page waits for a slow network before the kept copy is shown. */
const PAGE_WAIT_MS = 5000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // Revalidated, not taken from the HTTP cache blindly: the page must be this version's.
      await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'no-cache' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.has(url.pathname)) event.respondWith(page(request));
  else if (VERSIONED.test(url.pathname)) event.respondWith(versioned(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(revalidated(request));
  // Anything else — /api/…, /ws, /sw.js itself — is none of this worker's business.
});

/** The page: from the hub, kept for later; the kept copy when the hub cannot be reached. */
async function page(request) {
  const cache = await caches.open(SHELL_CACHE);
  const fresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === 'basic' && !response.redirected) {
      await cache.put(PAGE, response.clone());
    }
    return response;
  });
  const kept = await cache.match(PAGE);
  if (!kept) return fresh;
  // Whatever the race below decides, a late failure is no one's error.
  fresh.catch(() => {});
  // On slow venue Wi-Fi, the kept page after a while; the fresh one is kept for next time.
  let timer = 0;
  const slow = new Promise((resolve) => {
    timer = setTimeout(() => resolve(kept), PAGE_WAIT_MS);
  });
  try {
    return await Promise.race([fresh, slow]);
  } catch {
    return kept;
  } finally {
    clearTimeout(timer);
  }
}

/** A versioned file: the kept copy, else the hub's, kept. */
async function versioned(request) {
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

/** A file without a version (a development hub): the hub's, else the kept copy. */
async function revalidated(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

// Web Push: the hub sends {title, body, url, tag, urgent} encrypted for this browser
// (an urgent meeting convened, an invitation). It is shown even with the app closed; an
// urgent one stays until the person acts on it.
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof message.title === 'string' && message.title ? message.title : 'Quorum';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : undefined,
      renotify: Boolean(message.tag),
      requireInteraction: Boolean(message.urgent),
      vibrate: message.urgent ? [300, 100, 300, 100, 600] : undefined,
      icon: '/favicon.ico',
      data: { url: sameOriginUrl(message.url) },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = sameOriginUrl(event.notification.data?.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).pathname === new URL(url).pathname);
      if (open) {
        await open.focus();
        if ('navigate' in open) await open.navigate(url);
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});

/** A link from a message, kept to this hub's own pages. */
function sameOriginUrl(link) {
  try {
    const url = new URL(typeof link === 'string' ? link : PAGE, self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL(PAGE, self.location.origin).href;
  } catch {
    return new URL(PAGE, self.location.origin).href;
  }
}
