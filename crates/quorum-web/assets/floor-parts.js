// The speakers' list's shared parts: the kinds of request with their glyphs, a speaker's
// standing, and the speaking timer, which ticks by rewriting its own text nodes, never by
// rebuilding a block.

import { hubNow } from './clock.js';
import { glyph, h } from './dom.js';
import { define, t } from './i18n.js';

define({
  vi: {
    floor_kind_speech: 'Phát biểu',
    floor_kind_interpellation: 'Chất vấn',
    floor_kind_point_of_order: 'Kiến nghị về thủ tục',
    floor_priority: 'ưu tiên',
    floor_addressed: 'Người trả lời: {name}',
    floor_minutes: '{count} phút',
    floor_time_left: 'còn lại',
    floor_time_ending: 'sắp hết giờ',
    floor_time_over: 'quá giờ',
  },
  en: {
    floor_kind_speech: 'Speech',
    floor_kind_interpellation: 'Interpellation',
    floor_kind_point_of_order: 'Point of order',
    floor_priority: 'priority',
    floor_addressed: 'To be answered by: {name}',
    floor_minutes: '{count} min',
    floor_time_left: 'left',
    floor_time_ending: 'almost over',
    floor_time_over: 'over time',
  },
});

/** The kinds of request, in the order a delegate is offered them. */
export const KINDS = ['speech', 'interpellation', 'point_of_order'];

const KIND_GLYPHS = { speech: '❝', interpellation: '?', point_of_order: '⚑' };

/** A request's kind as a badge: a glyph and the word, never a colour alone. */
export function kindBadge(kind) {
  return h(
    'span',
    { class: `badge floor-kind floor-kind--${kind}` },
    glyph(KIND_GLYPHS[kind] ?? ''),
    ' ',
    t(`floor_kind_${kind}`),
    kind === 'point_of_order' && ` (${t('floor_priority')})`,
  );
}

/** A request's kind as a button's content: glyph, word, and the priority of a point of order. */
export function kindContent(kind) {
  return [
    glyph(KIND_GLYPHS[kind] ?? ''),
    ' ',
    h(
      'span',
      {},
      t(`floor_kind_${kind}`),
      kind === 'point_of_order' && h('span', { class: 'floor-priority' }, ` (${t('floor_priority')})`),
    ),
  ];
}

/** What a request is about: its topic, and whom an interpellation addresses. */
export function requestTopic(request) {
  const parts = [];
  if (request.addressed_to) parts.push(t('floor_addressed', { name: request.addressed_to }));
  if (request.topic) parts.push(request.topic);
  return parts.length > 0 ? h('span', { class: 'floor-topic' }, parts.join(' — ')) : null;
}

/** The participant's position and unit, as the minutes print them. */
export function standing(view, member) {
  const participant = view.participants.find((p) => p.member === member);
  if (!participant) return '';
  return [participant.position, participant.unit_name].filter(Boolean).join(' · ');
}

/** Default speaking time of a kind, in whole minutes, from the meeting's rules. */
export function defaultMinutes(view, kind) {
  const millis = view.meeting.settings.speaking_times?.[kind];
  return millis ? Math.max(1, Math.round(millis / 60000)) : null;
}

// --- Countdowns ---

/** Shown timers: {element, endsAt, allowed, time, word, symbol, shown}. */
const timers = new Set();
let ticking = 0;
const ENDING_MS = 30_000;

/**
 * The speaking timer of `speaking` (the floor's `current`): minutes and seconds left,
 * then over time, each state with a glyph and a word. It updates its own text nodes a few
 * times a second, and stops when no timer is on the page any more.
 *
 * It counts from the grant as the hub recorded it (`started_at`, the hub's clock) plus the
 * time allowed, against the hub's clock as this device knows it (clock.js, from the hub's
 * `Date` header): every screen then shows the same time left, and a reload or reconnect
 * mid-speech does not restart it, as counting from "when the update arrived" would.
 */
export function speakingTimer(speaking, extraClass = '') {
  const time = document.createTextNode('');
  const word = document.createTextNode('');
  const symbol = document.createTextNode('');
  const element = h(
    'p',
    { class: `floor-timer ${extraClass}`, role: 'timer' },
    h('span', { class: 'glyph', 'aria-hidden': 'true' }, symbol),
    ' ',
    h('span', { class: 'floor-timer-time' }, time),
    ' ',
    h('span', { class: 'floor-timer-word' }, word),
  );
  const timer = { element, endsAt: speaking.started_at + speaking.allowed, allowed: speaking.allowed, time, word, symbol, shown: null };
  timers.add(timer);
  show(timer);
  if (!ticking) ticking = setInterval(tick, 250);
  return element;
}

function tick() {
  for (const timer of timers) {
    // A block rebuilt or removed took its timer with it.
    if (!timer.element.isConnected) timers.delete(timer);
    else show(timer);
  }
  if (timers.size === 0) {
    clearInterval(ticking);
    ticking = 0;
  }
}

function show(timer) {
  // Never more than the time allowed: the hub's clock is known to within half a second
  // (clock.js), which must not show 1:01 for a minute just given.
  const left = Math.min(timer.endsAt - hubNow(), timer.allowed);
  const state = left < 0 ? 'over' : left <= ENDING_MS ? 'ending' : 'left';
  // Whole seconds: up while counting down (5:00 at the start), down once over time.
  const seconds = left >= 0 ? Math.ceil(left / 1000) : Math.floor(-left / 1000);
  const text = `${state === 'over' ? '+' : ''}${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  const shown = `${state}|${text}|${t(`floor_time_${state}`)}`;
  if (shown === timer.shown) return;
  timer.shown = shown;
  timer.time.data = text;
  timer.word.data = t(`floor_time_${state}`);
  timer.symbol.data = state === 'over' ? '!' : '◷';
  timer.element.classList.toggle('is-ending', state === 'ending');
  timer.element.classList.toggle('is-over', state === 'over');
}
