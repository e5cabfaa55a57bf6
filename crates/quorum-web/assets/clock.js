// The hub's clock as this device best knows it, and countdowns to the hub's deadlines. A
// poll's deadline is a time on the hub's clock, and a device's own clock may be minutes
// off: the difference is read from the `Date` header of a small request to the hub, and
// measured again now and then.

import { h } from './dom.js';
import { define, t } from './i18n.js';

define({
  vi: {
    countdown_left: 'Còn {time}',
    countdown_over: 'Hết giờ',
  },
  en: {
    countdown_left: '{time} left',
    countdown_over: 'Time is up',
  },
});

/** How often the difference is measured again. */
const MEASURE_EVERY_MS = 10 * 60_000;
/** A measurement whose request took longer than this says too little. */
const SLOWEST_USEFUL_MS = 4_000;

let offset = 0;
let measuredAt = 0;
let measuring = null;

/** The hub's time now, in milliseconds since the epoch, as well as this device knows it. */
export function hubNow() {
  if (!measuring && (measuredAt === 0 || Date.now() - measuredAt > MEASURE_EVERY_MS)) {
    measuring = measure().finally(() => {
      measuring = null;
    });
  }
  return Date.now() + offset;
}

async function measure() {
  const sent = Date.now();
  try {
    const response = await fetch('/healthz', { cache: 'no-store', credentials: 'omit' });
    const received = Date.now();
    const date = Date.parse(response.headers.get('Date') ?? '');
    if (Number.isFinite(date) && received - sent < SLOWEST_USEFUL_MS) {
      // The header holds whole seconds: the hub's time lay within [date, date + 1 s).
      offset = date + 500 - (sent + received) / 2;
    }
    measuredAt = received;
  } catch {
    // Unreachable for now: keep the last difference, and try again later.
    measuredAt = Date.now() - MEASURE_EVERY_MS + 30_000;
  }
}

/** "4:05", or "1:02:05" past an hour: what is left of `millis`, rounded up to the second. */
export function formatLeft(millis) {
  const total = Math.max(0, Math.ceil(millis / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

const ticking = new Set();
let ticker = null;

/**
 * A countdown to `deadline` (the hub's time) that keeps itself up to date, without the
 * screen being rebuilt: "◷ 4:05 left", then "time is up" once it has passed (the hub
 * then closes what was due). Stops by itself once its element leaves the page.
 */
export function countdown(deadline, extraClass = '') {
  const figure = h('span', { class: 'countdown-figure' });
  const element = h(
    'span',
    { class: `countdown ${extraClass}`, role: 'timer' },
    h('span', { class: 'glyph', 'aria-hidden': 'true' }, '◷'),
    ' ',
    figure,
  );
  const entry = { element, figure, deadline, seen: false, born: Date.now() };
  update(entry);
  ticking.add(entry);
  ticker ??= setInterval(tick, 250);
  return element;
}

function update(entry) {
  const left = entry.deadline - hubNow();
  const text = left > 0 ? t('countdown_left', { time: formatLeft(left) }) : t('countdown_over');
  if (entry.figure.textContent !== text) entry.figure.textContent = text;
  entry.element.classList.toggle('countdown--last', left > 0 && left <= 10_000);
  entry.element.classList.toggle('countdown--over', left <= 0);
}

function tick() {
  for (const entry of ticking) {
    if (entry.element.isConnected) {
      entry.seen = true;
      update(entry);
    } else if (entry.seen || Date.now() - entry.born > 5_000) {
      // Replaced by a fresher block, or built and never shown.
      ticking.delete(entry);
    }
  }
  if (ticking.size === 0) {
    clearInterval(ticker);
    ticker = null;
  }
}
