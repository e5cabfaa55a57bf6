// The rest of the hall: delegates (and the secretary) who take part through the hub's
// WebSocket protocol (docs/protocol/asyncapi.yaml) rather than a screen each, so that a
// meeting has its quorum without thirty browser contexts. Their sockets live in one page
// at the hub's own origin, as a browser's would.

import { WAIT_MS, describeError } from './device.mjs';

export class Floor {
  /** Opens the page that holds the sockets. */
  static async open(browser, hub) {
    const context = await browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const floor = new Floor(hub, context, page);
    page.on('console', (message) => {
      if (message.type() === 'error') floor.errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => floor.errors.push(`uncaught ${describeError(error)}`));
    // Any page of the hub's origin will do; this one runs no app code. A plain page makes
    // the browser ask for /favicon.ico, which the hub does not have.
    await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    await page.goto(`${hub.url}/readyz`);
    await page.evaluate(installClient, { meeting: hub.meeting, timeoutMs: WAIT_MS });
    return floor;
  }

  constructor(hub, context, page) {
    this.hub = hub;
    this.context = context;
    this.page = page;
    this.errors = [];
    /** Who has signed in here, by name. */
    this.joined = new Set();
  }

  /** Signs `link` (an invitation from demo.json) in and subscribes to the meeting. */
  async join(link) {
    const response = await fetch(`${this.hub.url}/api/session/redeem`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ code: link.code }),
    });
    if (!response.ok) throw new Error(`redeeming ${link.name}'s code: HTTP ${response.status}`);
    const { token } = await response.json();
    await this.page.evaluate(([name, token]) => window.floor.connect(name, token), [link.name, token]);
    this.joined.add(link.name);
  }

  /** Sends `command` as `link`'s person; resolves with the ack, throws on a rejection. */
  command(link, command) {
    return this.page.evaluate(([name, command]) => window.floor.command(name, command), [link.name, command]);
  }

  async checkIn(link) {
    if (!this.joined.has(link.name)) await this.join(link);
    await this.command(link, { type: 'check_in', member: null, mode: 'in_room' });
  }

  /** Casts `link`'s ballot in the poll's current round; `answers` as in `cast_ballot`. */
  async vote(link, pollId, answers) {
    if (!this.joined.has(link.name)) await this.join(link);
    const poll = await this.poll(link, pollId);
    const ballot = `b-floor-${pollId}-${link.member}-${poll.round}`;
    return this.command(link, { type: 'cast_ballot', poll: pollId, round: poll.round, ballot, seat: null, answers, replaces: null });
  }

  /** A poll as `link`'s person last saw it in a snapshot (fresh: one is asked for). */
  poll(link, pollId) {
    return this.page.evaluate(([name, pollId]) => window.floor.poll(name, pollId), [link.name, pollId]);
  }

  /** The meeting's quorum and the polls, as a fresh snapshot for `link`'s person. */
  snapshot(link) {
    return this.page.evaluate((name) => window.floor.snapshot(name), link.name);
  }

  async close() {
    await this.context.close();
  }
}

/**
 * Runs in the page: `window.floor`, a minimal protocol client per person — hello,
 * subscribe, commands answered by `ack` or `rejected`, and a fresh snapshot on demand.
 */
function installClient({ meeting, timeoutMs }) {
  const people = new Map();
  const within = (promise, what) =>
    Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer to ${what} in ${timeoutMs} ms`)), timeoutMs)),
    ]);
  let counter = 0;
  const requestId = () => `r-floor-${Date.now().toString(36)}-${(counter += 1)}`;

  function connect(name, token) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/ws`, 'quorum.v1');
    const person = { socket, waiting: new Map(), snapshots: [] };
    people.set(name, person);
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'ack' || message.type === 'rejected' || message.type === 'error') {
        const settle = person.waiting.get(message.request);
        if (settle) {
          person.waiting.delete(message.request);
          settle(message);
        } else if (message.type === 'error') {
          console.error(`${name}: hub error ${JSON.stringify(message)}`);
        }
      } else if (message.type === 'welcome') {
        socket.send(JSON.stringify({ type: 'subscribe', meeting, since: null }));
      } else if (message.type === 'snapshot') {
        person.view = message.view;
        for (const resolve of person.snapshots.splice(0)) resolve(message.view);
      }
    };
    const subscribed = new Promise((resolve, reject) => {
      person.snapshots.push(resolve);
      socket.onclose = (event) => reject(new Error(`${name}: socket closed (${event.code})`));
    });
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: 'hello', versions: [1], token, client: { name: 'quorum-browser-tests', version: '0.1.0' } }));
    return within(subscribed, `${name}'s subscribe`).then(() => undefined);
  }

  function command(name, command) {
    const person = people.get(name);
    const request = requestId();
    const answered = new Promise((resolve) => person.waiting.set(request, resolve));
    person.socket.send(JSON.stringify({ type: 'command', request, meeting, command }));
    return within(answered, `${name}'s ${command.type}`).then((message) => {
      if (message.type !== 'ack') throw new Error(`${name}'s ${command.type} was refused: ${JSON.stringify(message)}`);
      return message;
    });
  }

  function snapshot(name) {
    const person = people.get(name);
    const fresh = new Promise((resolve) => person.snapshots.push(resolve));
    person.socket.send(JSON.stringify({ type: 'subscribe', meeting, since: null }));
    return within(fresh, `${name}'s snapshot`);
  }

  async function poll(name, pollId) {
    const view = await snapshot(name);
    const found = view.polls.find((p) => p.id === pollId);
    if (!found) throw new Error(`no poll ${pollId} in ${name}'s view`);
    return found;
  }

  window.floor = { connect, command, snapshot, poll };
}
