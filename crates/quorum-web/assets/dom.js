// The few tools every screen is built with: elements from plain values, keyed blocks
// patched in place (so an update never swaps a button under a finger), and the small
// shared pieces — glyphs, buttons, block signatures.

import { language } from './i18n.js';

/** Makes an element: h('button', {class: 'x', onclick: f}, 'text', child, [more]). */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === '') continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const signatures = new WeakMap();

/**
 * Brings `parent`'s children in line with `blocks` ({key, sig, build, children?}): a
 * block whose signature is unchanged keeps its element; `children` are patched into the
 * element's `.slot`. Focus inside a rebuilt block moves to its counterpart (`data-focus`).
 */
export function patch(parent, blocks) {
  const existing = new Map();
  for (const child of parent.children) {
    if (child.dataset.block) existing.set(child.dataset.block, child);
  }
  const wanted = new Set();
  let previous = null;
  for (const block of blocks) {
    let element = existing.get(block.key);
    if (!element || signatures.get(element) !== block.sig) {
      const fresh = block.build();
      fresh.dataset.block = block.key;
      signatures.set(fresh, block.sig);
      if (element) replace(element, fresh);
      element = fresh;
    }
    if (block.children) patch(element.querySelector('.slot') ?? element, block.children);
    const next = previous ? previous.nextElementSibling : parent.firstElementChild;
    if (next !== element) parent.insertBefore(element, next);
    wanted.add(element);
    previous = element;
  }
  for (const child of [...parent.children]) {
    if (!wanted.has(child)) child.remove();
  }
}

function replace(old, fresh) {
  const active = document.activeElement;
  const focus = old.contains(active) ? active.dataset.focus : null;
  old.replaceWith(fresh);
  if (focus) fresh.querySelector(`[data-focus="${CSS.escape(focus)}"]`)?.focus();
}

/** A block's signature: what it shows, in the language it shows it in. */
export function sig(...parts) {
  return JSON.stringify([language(), ...parts]);
}

export function glyph(symbol) {
  return h('span', { class: 'glyph', 'aria-hidden': 'true' }, symbol);
}

export function button(kind, label, onclick, extra = {}) {
  return h('button', { type: 'button', class: `button button--${kind}`, onclick, ...extra }, label);
}
