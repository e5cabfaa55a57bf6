// The meeting hall the scenarios share: one browser, the demo meeting's invitations
// (DATA/demo.json), the devices opened so far (each person's session lives in its own
// context, and an invitation code works once, so a device is opened once and kept), and
// the floor of delegates who take part through the protocol.

import { readFileSync } from 'node:fs';

import { Device } from './device.mjs';
import { Floor } from './floor.mjs';

export class Hall {
  constructor(browser, { demoFile, results }) {
    this.browser = browser;
    this.results = results;
    /** {meeting, url, ws_url, chair, secretary, projector, delegates[]}. */
    this.demo = JSON.parse(readFileSync(demoFile, 'utf8'));
    this.devices = new Map();
    this.floorPage = null;
  }

  get url() {
    return this.demo.url;
  }

  /** The chair's laptop. */
  chair() {
    return this.device('chair', this.demo.chair, 'chair');
  }

  /** The hall projector. */
  projector() {
    return this.device('projector', this.demo.projector, 'projector');
  }

  /** Delegate `index`'s phone (0 is db-01), with a network that can be cut. */
  delegate(index) {
    const link = this.demo.delegates[index];
    if (!link) throw new Error(`the demo has no delegate ${index}`);
    return this.device(`delegate ${link.member}`, link, 'phone');
  }

  /** The invitation of delegate `index`, for the floor. */
  delegateLink(index) {
    return this.demo.delegates[index];
  }

  async device(name, link, kind) {
    let device = this.devices.get(name);
    if (!device) {
      device = Device.join(this.browser, { name, link, kind, results: this.results, network: kind === 'phone' });
      this.devices.set(name, device);
    }
    return device;
  }

  /** The delegates (and the secretary) who take part through the protocol. */
  async floor() {
    this.floorPage ??= Floor.open(this.browser, { url: this.url, meeting: this.demo.meeting });
    return this.floorPage;
  }

  /** Console errors and uncaught exceptions on any page so far; clears them. */
  async takeErrors() {
    const opened = await Promise.allSettled([...this.devices.values(), this.floorPage]);
    const sources = opened.filter((o) => o.status === 'fulfilled' && o.value).map((o) => o.value);
    const errors = [];
    for (const source of sources) {
      for (const error of source.errors.splice(0)) errors.push(`${source.name ?? 'floor'}: ${error}`);
    }
    return errors;
  }

  /** Saves every device's screen as `failure-<device>.png`, to see why a scenario failed. */
  async screenshotAll() {
    const opened = await Promise.allSettled(this.devices.values());
    for (const device of opened.filter((o) => o.status === 'fulfilled').map((o) => o.value)) {
      await device.screenshot(`failure-${device.name.replaceAll(' ', '-')}.png`).catch(() => {});
    }
  }

  async close() {
    await this.browser.close();
  }
}
