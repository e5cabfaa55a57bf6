// The hub's REST API as the app uses it — sign in with a one-time code, list my meetings,
// sign out — and the session this device remembers. The token travels only in the
// Authorization header (and in the WebSocket `hello`), never in a URL.

const SESSION_KEY = 'quorum.session';

/** Why the hub (or the network) refused: a stable code and the hub's {vi, en} words. */
export class HubError extends Error {
  constructor(code, localized = null, status = 0) {
    super(localized?.en ?? code);
    this.code = code;
    this.localized = localized;
    this.status = status;
  }
}

/** The session this device remembers ({token, session}), or null. */
export function savedSession() {
  try {
    const saved = JSON.parse(localStorage.getItem(SESSION_KEY));
    return typeof saved?.token === 'string' ? saved : null;
  } catch {
    return null;
  }
}

/** Forgets the session on this device. */
export function forgetSession() {
  localStorage.removeItem(SESSION_KEY);
}

/** Exchanges a one-time invitation code for a session, and remembers it. */
export async function redeem(code) {
  const created = await call('POST', '/api/session/redeem', { body: { code } });
  localStorage.setItem(SESSION_KEY, JSON.stringify(created));
  return created;
}

/** The meetings I take part in: [{id, title, kind, status, scheduled_at, location, role}]. */
export function listMeetings(token) {
  return call('GET', '/api/meetings', { token });
}

/** Ends the session everywhere, and forgets it here even if the hub cannot be reached. */
export async function signOut(token) {
  try {
    await call('DELETE', '/api/session', { token });
  } finally {
    forgetSession();
  }
}

/** The code in an invitation link (…/join#code=…), or the text itself if it is a code. */
export function codeFrom(text) {
  const trimmed = text.trim();
  const fragment = trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#') + 1) : '';
  const code = fragment ? new URLSearchParams(fragment).get('code') : trimmed;
  return code && /^[A-Za-z0-9._~-]+$/.test(code) ? code : null;
}

/** Calls the hub's REST API with a JSON body; resolves to the JSON answer (null for 204). */
export async function call(method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new HubError('network');
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error;
    throw new HubError(error?.code ?? `http_${response.status}`, error?.message ?? null, response.status);
  }
  return data;
}
