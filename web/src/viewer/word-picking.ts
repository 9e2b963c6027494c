import { useCallback, useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type RefObject } from "react";
import type { ModelPage, ModelWord } from "../api/types";

/** Words picked on a page: in reading order; `append` when they add to a field rather than replace it. */
export interface WordPick {
  page: number;
  words: ModelWord[];
  append: boolean;
}

/** A drag rectangle in page coordinates. */
export interface PageRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Pointer travel (CSS pixels) below which a press is a click, not a drag. */
const DRAG_THRESHOLD = 4;
/** A click this close (page units, relative to the page width) to a word still picks it. */
const CLICK_SLOP = 0.004;

/** The words of a page in reading order (the model's block → line → word order). */
export function wordsOf(page: ModelPage): ModelWord[] {
  return page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
}

/** The smallest box around some words, as a field source's `[x0, y0, x1, y1]`. */
export function unionBox(words: readonly ModelWord[]): [number, number, number, number] | null {
  if (words.length === 0) return null;
  return [
    Math.min(...words.map((w) => w.bbox.x0)),
    Math.min(...words.map((w) => w.bbox.y0)),
    Math.max(...words.map((w) => w.bbox.x1)),
    Math.max(...words.map((w) => w.bbox.y1)),
  ];
}

function wordAt(words: readonly ModelWord[], x: number, y: number, slop: number): ModelWord | null {
  let best: ModelWord | null = null;
  let bestDistance = Infinity;
  for (const w of words) {
    const dx = Math.max(w.bbox.x0 - x, 0, x - w.bbox.x1);
    const dy = Math.max(w.bbox.y0 - y, 0, y - w.bbox.y1);
    const distance = Math.hypot(dx, dy);
    if (distance <= slop && distance < bestDistance) {
      best = w;
      bestDistance = distance;
    }
  }
  return best;
}

function wordsIn(words: readonly ModelWord[], r: PageRect): ModelWord[] {
  const x0 = Math.min(r.x0, r.x1);
  const x1 = Math.max(r.x0, r.x1);
  const y0 = Math.min(r.y0, r.y1);
  const y1 = Math.max(r.y0, r.y1);
  return words.filter((w) => w.bbox.x1 > x0 && w.bbox.x0 < x1 && w.bbox.y1 > y0 && w.bbox.y0 < y1);
}

/**
 * Clicking and dragging over a page to pick words: a click picks the word under the pointer,
 * a drag every word its rectangle touches, in reading order. Either replaces the field's
 * value; with Shift held, appends to it (a drag that appended would make re-reading a wrong
 * multi-word value take two gestures: clear, then drag). The press is kept from taking focus,
 * so the field being filled stays focused. Hit-testing uses the page geometry, not the drawn
 * boxes, so it works with the boxes hidden.
 */
export function useWordPicking(
  stage: RefObject<HTMLDivElement | null>,
  page: ModelPage | undefined,
  words: readonly ModelWord[],
  onPick: ((pick: WordPick) => void) | undefined,
) {
  const [drag, setDrag] = useState<PageRect | null>(null);
  const start = useRef<{ clientX: number; clientY: number; x: number; y: number; dragging: boolean } | null>(null);
  const latest = useRef({ page, words, onPick });
  latest.current = { page, words, onPick };

  const toPage = useCallback(
    (clientX: number, clientY: number) => {
      const el = stage.current;
      const p = latest.current.page;
      if (!el || !p) return { x: 0, y: 0 };
      const r = el.getBoundingClientRect();
      return {
        x: ((clientX - r.left) / Math.max(1, r.width)) * p.width,
        y: ((clientY - r.top) / Math.max(1, r.height)) * p.height,
      };
    },
    [stage],
  );

  useEffect(() => {
    const move = (e: MouseEvent) => {
      const s = start.current;
      if (!s) return;
      if (!s.dragging && Math.hypot(e.clientX - s.clientX, e.clientY - s.clientY) < DRAG_THRESHOLD) return;
      s.dragging = true;
      const here = toPage(e.clientX, e.clientY);
      setDrag({ x0: s.x, y0: s.y, x1: here.x, y1: here.y });
    };
    const up = (e: MouseEvent) => {
      const s = start.current;
      start.current = null;
      setDrag(null);
      const { page: p, words: all, onPick: pick } = latest.current;
      if (!s || !p || !pick) return;
      const here = toPage(e.clientX, e.clientY);
      if (s.dragging) {
        const picked = wordsIn(all, { x0: s.x, y0: s.y, x1: here.x, y1: here.y });
        if (picked.length > 0) pick({ page: p.number, words: picked, append: e.shiftKey });
        return;
      }
      const word = wordAt(all, here.x, here.y, p.width * CLICK_SLOP);
      if (word) pick({ page: p.number, words: [word], append: e.shiftKey });
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
    return () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
    };
  }, [toPage]);

  const onMouseDown = (e: ReactMouseEvent) => {
    if (!latest.current.onPick || e.button !== 0) return;
    // Keeps the focus in the field being filled.
    e.preventDefault();
    const here = toPage(e.clientX, e.clientY);
    start.current = { clientX: e.clientX, clientY: e.clientY, x: here.x, y: here.y, dragging: false };
  };

  return { drag, onMouseDown };
}
