// One device in the hall — a delegate's phone, the chair's laptop, the projector — in a
// browser context of its own (its own session in localStorage), with its viewport, the
// console errors it logged, and for phones a network link that can be cut.

import { join } from 'node:path';

import { Network } from './network.mjs';
import { RETRYING } from './screens.mjs';

/** Viewports: a phone, the chair's laptop, the hall projector. */
export const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  chair: { viewport: { width: 1366, height: 768 } },
  projector: { viewport: { width: 1920, height: 1080 } },
};

/** How long any one wait may take. */
export const WAIT_MS = 10_000;

export class Device {
  /**
   * Opens `link` (an invitation from demo.json) in a fresh context: the app signs in
   * with its code and opens the demo meeting.
   */
  static async join(browser, { name, link, kind, results, network = false }) {
    const context = await browser.newContext({ ...VIEWPORTS[kind], locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    context.setDefaultTimeout(WAIT_MS);
    const device = new Device(name, kind, context, results);
    if (network) device.network = await Network.attach(context);
    device.page = await context.newPage();
    device.watch(device.page);
    try {
      await device.page.goto(link.url);
      await device.connected();
    } catch (error) {
      await device.screenshot(`failure-${name.replaceAll(' ', '-')}.png`).catch(() => {});
      const logged = device.errors.map((line) => `\n  ${line}`).join('');
      throw new Error(`${name} did not join the meeting: ${error.message}${logged}`, { cause: error });
    }
    return device;
  }

  constructor(name, kind, context, results) {
    this.name = name;
    this.kind = kind;
    this.touch = kind === 'phone';
    this.context = context;
    this.results = results;
    this.page = null;
    this.network = null;
    /** Console errors and uncaught exceptions, as text. */
    this.errors = [];
  }

  watch(page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.errors.push(`uncaught ${describeError(error)}`));
  }

  /** The meeting is on screen: the hub's view of it arrived over the live connection. */
  async connected() {
    await this.page.getByRole('heading', { name: 'Túc số' }).waitFor();
  }

  /** Waits until the connection banner says the link is down. */
  async offline() {
    await this.page.getByRole('status').getByText(RETRYING).waitFor();
  }

  /** Waits until the banner no longer says so (it shows nothing while online). */
  async online() {
    await this.page.getByText(RETRYING).waitFor({ state: 'hidden' });
  }

  /** A button by its exact visible name. */
  button(name, scope = this.page) {
    return scope.getByRole('button', { name, exact: true });
  }

  /** Clicks, or taps on a touch screen, as the person would. */
  async press(locator) {
    if (this.touch) await locator.tap();
    else await locator.click();
  }

  /** Waits until `text` (a string or a RegExp) is on screen, inside `scope`. */
  async sees(text, scope = this.page) {
    await scope.getByText(text).first().waitFor();
  }

  /** Saves what the screen shows (the viewport, as the person sees it). */
  async screenshot(file) {
    await this.page.screenshot({ path: join(this.results, file), animations: 'disabled' });
  }

  async close() {
    await this.context.close();
  }
}

/** An uncaught exception, with whatever it carries (a thrown non-Error has no stack). */
export function describeError(error) {
  const stack = error?.stack && error.stack.includes(error.message) ? error.stack : `${error?.name}: ${error?.message}\n${error?.stack ?? ''}`;
  return stack.trim() || String(error);
}
