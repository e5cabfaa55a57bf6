// One live connection to the hub for one meeting (docs/protocol/asyncapi.yaml): `hello`,
// `subscribe`, the view kept up to date from `snapshot`, `resumed` and `update`, pings,
// reconnects with backoff that resume from the last sequence number applied, and
// commands that are resent with the same request id after a reconnect until the hub
// answers, so a vote sent over bad Wi-Fi is never lost and never counted twice.

import { HubError } from './api.js';
import { applyChanges } from './view.js';

/** This app's version, as `hello` tells the hub. */
export const APP_VERSION = '0.1.0';

const SUBPROTOCOL = 'quorum.v1';
const PROTOCOL_VERSIONS = [1];
/** Close code for an unknown, expired or revoked session (quorum-protocol close.rs). */
const CLOSE_UNAUTHENTICATED = 4003;
/** Errors after which retrying cannot help: the person must sign in again or go back. */
const FATAL = new Set(['unauthenticated', 'unsupported_version', 'forbidden', 'meeting_not_found']);
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 20000;

/** A random id in the hub's id alphabet; works without HTTPS, unlike randomUUID. */
export function randomId(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Follows `meeting` for as long as it is not stopped. `handlers`: onStatus(status) with
 * 'connecting' | 'online' | 'retrying' | 'stopped'; onView(view) after every change;
 * onFatal(HubError) when it gives up (it then stops).
 */
export class MeetingLink {
  constructor(meeting, token, handlers) {
    this.meeting = meeting;
    this.token = token;
    this.handlers = handlers;
    this.view = null;
    this.status = null;
    this.socket = null;
    this.subscribed = false;
    this.stopped = false;
    this.failures = 0;
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.heartbeatMs = 25000;
    this.lastHeard = 0;
    this.nonce = 0;
    /** Commands not yet answered, by request id: {message, resolve, reject}. */
    this.pending = new Map();
    this.wake = () => this.checkNow();
  }

  start() {
    window.addEventListener('online', this.wake);
    document.addEventListener('visibilitychange', this.wake);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.wake);
    document.removeEventListener('visibilitychange', this.wake);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  /**
   * Sends a command to the meeting; resolves with the `ack` (with its receipt for a
   * ballot), rejects with a HubError. Sent now if connected, else after the reconnect.
   */
  command(command) {
    const request = randomId('r');
    const message = { type: 'command', request, meeting: this.meeting, command };
    return new Promise((resolve, reject) => {
      this.pending.set(request, { message, resolve, reject });
      if (this.subscribed) this.send(message);
    });
  }

  connect() {
    if (this.stopped) return;
    this.setStatus(this.failures === 0 && !this.view ? 'connecting' : 'retrying');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/ws`, SUBPROTOCOL);
    } catch {
      this.retryLater();
      return;
    }
    this.socket = socket;
    this.lastHeard = Date.now();
    socket.onopen = () => {
      this.lastHeard = Date.now();
      this.send({
        type: 'hello',
        versions: PROTOCOL_VERSIONS,
        token: this.token,
        client: { name: 'quorum-web', version: APP_VERSION },
      });
    };
    socket.onmessage = (event) => {
      if (socket === this.socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.lost(event.code);
    };
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    this.lastHeard = Date.now();
    switch (message.type) {
      case 'welcome':
        this.heartbeatMs = message.heartbeat_ms || this.heartbeatMs;
        this.startPings();
        this.send({ type: 'subscribe', meeting: this.meeting, since: this.view ? this.view.seq : null });
        break;
      case 'snapshot':
        if (message.meeting !== this.meeting) return;
        this.view = message.view;
        this.subscribedNow();
        break;
      case 'resumed':
        if (message.meeting !== this.meeting) return;
        if (message.recovered) {
          for (const update of message.updates) this.apply(update.seq, update.changes);
        } else {
          this.view = message.snapshot;
        }
        this.subscribedNow();
        break;
      case 'update':
        if (message.meeting !== this.meeting) return;
        this.apply(message.seq, message.changes);
        this.handlers.onView(this.view);
        break;
      case 'ack':
        this.settle(message.request, (command) => command.resolve(message));
        break;
      case 'rejected':
        this.settle(message.request, (command) =>
          command.reject(new HubError(message.code, message.message)),
        );
        break;
      case 'error':
        this.failed(message);
        break;
      default:
        // pong (lastHeard is enough) and lobby events, which this app does not show yet.
        break;
    }
  }

  apply(seq, changes) {
    // An update at or before the view's sequence number is already in it.
    if (!this.view || seq <= this.view.seq) return;
    applyChanges(this.view, changes);
    this.view.seq = seq;
  }

  subscribedNow() {
    this.subscribed = true;
    this.failures = 0;
    this.setStatus('online');
    this.handlers.onView(this.view);
    // Commands the hub may not have seen, or whose answer was lost: the same request id
    // gets the same answer, and a ballot's id the same receipt.
    for (const command of this.pending.values()) this.send(command.message);
  }

  settle(request, action) {
    const command = this.pending.get(request);
    if (!command) return;
    this.pending.delete(request);
    action(command);
  }

  failed(message) {
    const error = new HubError(message.code, message.message);
    if (message.request && this.pending.has(message.request)) {
      if (message.retryable) {
        const command = this.pending.get(message.request);
        setTimeout(() => {
          if (this.pending.has(message.request) && this.subscribed) this.send(command.message);
        }, message.retry_after_ms ?? FIRST_RETRY_MS);
      } else {
        this.settle(message.request, (command) => command.reject(error));
      }
      return;
    }
    if (FATAL.has(message.code)) {
      this.giveUp(error);
    } else if (message.retryable && !this.subscribed) {
      // The hub could not subscribe us right now: start over after a pause.
      this.drop();
    }
    // Other errors (slow_consumer, shutting_down…) come with a close: the reconnect
    // follows, and the banner says so.
  }

  lost(code) {
    clearInterval(this.pingTimer);
    this.socket = null;
    this.subscribed = false;
    if (this.stopped) return;
    if (code === CLOSE_UNAUTHENTICATED) {
      this.giveUp(new HubError('unauthenticated'));
      return;
    }
    this.retryLater();
  }

  retryLater() {
    this.failures += 1;
    this.setStatus('retrying');
    // Exponential backoff with jitter, so that a hall of devices does not reconnect in
    // step after the hub restarts.
    const ceiling = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  startPings() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > 2 * this.heartbeatMs) {
        this.drop();
        return;
      }
      this.nonce += 1;
      this.send({ type: 'ping', nonce: this.nonce });
    }, this.heartbeatMs);
  }

  /** The network came back or the page became visible: reconnect now if we are down. */
  checkNow() {
    if (this.stopped || document.visibilityState === 'hidden') return;
    if (this.socket && Date.now() - this.lastHeard > 2 * this.heartbeatMs) {
      this.drop();
    } else if (!this.socket) {
      clearTimeout(this.retryTimer);
      this.connect();
    }
  }

  /** Abandons a connection that went silent (a dead Wi-Fi link may never close). */
  drop() {
    const socket = this.socket;
    if (!socket) return;
    socket.onclose = null;
    socket.onmessage = null;
    socket.close();
    this.lost(1006);
  }

  giveUp(error) {
    this.stop();
    this.setStatus('stopped');
    for (const command of this.pending.values()) command.reject(error);
    this.pending.clear();
    this.handlers.onFatal(error);
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.handlers.onStatus(status);
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
