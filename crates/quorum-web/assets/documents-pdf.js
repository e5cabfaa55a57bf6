// PDF documents drawn in the page with pdf.js (vendored under vendor/pdfjs/, loaded on
// first use, its worker from /assets/ too): pages as wide as the screen, drawn as they
// scroll into view and let go when far away, so a long document does not exhaust a
// phone's memory. Each page's text is also there for screen readers, and laid over the
// page (pdf.js's text layer) so that a passage can be selected and highlighted.

import { h } from './dom.js';

/** A page's canvas holds at most this many pixels (a sharp A4 page on a phone is ~2 M). */
const MAX_PIXELS = 6_000_000;
/** Pages this far outside the visible part (in screen heights) are drawn ahead. */
const AHEAD = '150% 0px';

let library = null;

/** pdf.js, imported once; a failed import is tried again next time. */
function pdfjs() {
  library ??= import('./vendor/pdfjs/pdf.min.mjs').then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = new URL('./vendor/pdfjs/pdf.worker.min.mjs', import.meta.url).href;
    return lib;
  });
  library.catch(() => {
    library = null;
  });
  return library;
}

/**
 * Shows the PDF in `blob` inside `container` (which `scroller` scrolls). `label(n, count)`
 * names a page; `marks()` gives the person's highlights ([{page, text}]) to tint.
 * Resolves to {count, remark(), destroy()}; rejects if pdf.js cannot read it.
 */
export async function showPdf(container, scroller, blob, label, marks = () => []) {
  const lib = await pdfjs();
  const data = new Uint8Array(await blob.arrayBuffer());
  const task = lib.getDocument({
    data,
    // The content security policy forbids eval; pdf.js must not even try it.
    isEvalSupported: false,
    enableXfa: false,
    verbosity: lib.VerbosityLevel.ERRORS,
  });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (error) {
    task.destroy();
    throw error;
  }
  const count = pdf.numPages;
  const first = (await pdf.getPage(1)).getViewport({ scale: 1 });
  const slots = [];
  for (let n = 1; n <= count; n += 1) {
    const box = h('div', { class: 'pdf-page', role: 'group', 'aria-label': label(n, count), 'data-page': String(n) });
    // Until a page is drawn, it takes the first page's shape, so the scroll bar is right.
    box.style.aspectRatio = `${first.width} / ${first.height}`;
    slots.push({ n, box, canvas: null, drawing: null, width: 0, visible: false });
  }
  container.replaceChildren(...slots.map((slot) => slot.box));

  let destroyed = false;
  const draw = async (slot) => {
    if (slot.drawing || destroyed) return;
    const width = slot.box.clientWidth;
    if (slot.canvas && slot.width === width) return;
    const page = await pdf.getPage(slot.n);
    const natural = page.getViewport({ scale: 1 });
    slot.box.style.aspectRatio = `${natural.width} / ${natural.height}`;
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    let scale = (width / natural.width) * ratio;
    const pixels = natural.width * natural.height * scale * scale;
    if (pixels > MAX_PIXELS) scale *= Math.sqrt(MAX_PIXELS / pixels);
    const viewport = page.getViewport({ scale });
    const canvas = h('canvas', { 'aria-hidden': 'true' });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    slot.drawing = page.render({ canvasContext: canvas.getContext('2d'), viewport });
    try {
      await slot.drawing.promise;
    } catch (error) {
      // Cancelled because the page scrolled away or the reader closed: nothing to show.
      if (error?.name !== 'RenderingCancelledException') throw error;
      return;
    } finally {
      slot.drawing = null;
    }
    if (destroyed) return;
    const { words, layer } = await textOf(lib, page, width / natural.width);
    if (destroyed) return;
    release(slot);
    slot.canvas = canvas;
    slot.width = width;
    slot.layer = layer;
    slot.box.replaceChildren(canvas, layer ?? '', words && h('p', { class: 'visually-hidden' }, words));
    slot.box.classList.add('is-drawn');
    tint(slot, marks());
  };
  const release = (slot) => {
    slot.drawing?.cancel();
    if (slot.canvas) {
      // Zero-sized, the canvas gives its memory back at once rather than at collection.
      slot.canvas.width = 0;
      slot.canvas.height = 0;
      slot.canvas = null;
      slot.layer = null;
      slot.box.replaceChildren();
      slot.box.classList.remove('is-drawn');
    }
  };
  const failed = (error) => {
    if (!destroyed) console.warn('quorum: a PDF page could not be drawn', error);
  };

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const slot = slots[Number(entry.target.dataset.page) - 1];
        slot.visible = entry.isIntersecting;
        if (entry.isIntersecting) draw(slot).catch(failed);
        else release(slot);
      }
    },
    { root: scroller, rootMargin: AHEAD },
  );
  for (const slot of slots) observer.observe(slot.box);

  // A turned phone is wider: the pages in view are drawn again at the new width.
  let resizeTimer = 0;
  const resized = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const slot of slots) if (slot.visible) draw(slot).catch(failed);
    }, 200);
  };
  window.addEventListener('resize', resized);

  return {
    count,
    /** Tints the highlights again on the pages drawn (after one was added or removed). */
    remark() {
      const current = marks();
      for (const slot of slots) tint(slot, current);
    },
    destroy() {
      destroyed = true;
      observer.disconnect();
      window.removeEventListener('resize', resized);
      clearTimeout(resizeTimer);
      for (const slot of slots) release(slot);
      task.destroy();
    },
  };
}

/**
 * A page's text, for screen readers, and its text layer at `scale` (CSS pixels per PDF
 * unit) to select from; the layer is hidden from screen readers, which read the text.
 */
async function textOf(lib, page, scale) {
  let content;
  try {
    content = await page.getTextContent();
  } catch {
    return { words: '', layer: null };
  }
  const words = content.items
    .map((item) => (item.hasEOL ? `${item.str}\n` : item.str))
    .join('')
    .trim();
  const layer = h('div', { class: 'textLayer', 'aria-hidden': 'true' });
  layer.style.setProperty('--scale-factor', String(scale));
  try {
    await new lib.TextLayer({ textContentSource: content, container: layer, viewport: page.getViewport({ scale }) }).render();
  } catch {
    return { words, layer: null };
  }
  return { words, layer };
}

/** Marks the text layer's pieces of text that lie inside a highlight of their page. */
function tint(slot, highlights) {
  if (!slot.layer) return;
  const mine = highlights.filter((mark) => mark.page === slot.n).map((mark) => squash(mark.text));
  for (const span of slot.layer.querySelectorAll('span')) {
    const piece = squash(span.textContent);
    span.classList.toggle('is-highlighted', piece.length > 1 && mine.some((text) => text.includes(piece)));
  }
}

function squash(text) {
  return text.replace(/\s+/g, ' ').trim();
}
