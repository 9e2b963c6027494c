/**
 * Connected components of a grey image's ink, and the dilation that joins broken glyphs
 * first: the building blocks of page measurement (text-metrics.ts) and of finding a
 * photographed page (page-outline.ts, on an inverted copy).
 */
import type { GreyPixels } from "./text-metrics.js";

export interface Component {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: number;
}

/**
 * 8-connected components of the pixels darker than `threshold`, by a two-pass labelling with
 * union-find. Returns bounding boxes (inclusive) and pixel counts.
 */
export function connectedComponents(image: GreyPixels, threshold: number): Component[] {
  const { data, width, height } = image;
  const labels = new Int32Array(width * height);
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  const join = (a: number, b: number): number => {
    if (a === 0) return b;
    if (b === 0 || a === b) return a;
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) {
      parent[rb] = ra;
      return ra;
    }
    parent[ra] = rb;
    return rb;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = row - width;
    for (let x = 0; x < width; x++) {
      if (data[row + x]! >= threshold) continue;
      let label = x > 0 ? labels[row + x - 1]! : 0;
      if (y > 0) {
        if (x > 0) label = join(label, labels[up + x - 1]!);
        label = join(label, labels[up + x]!);
        if (x < width - 1) label = join(label, labels[up + x + 1]!);
      }
      if (label === 0) {
        if (next === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        label = next;
        parent[next] = next;
        next++;
      }
      labels[row + x] = label;
    }
  }
  // Boxes per root label, in flat typed arrays (a page can have 100,000 specks).
  const x0 = new Int32Array(next).fill(width);
  const y0 = new Int32Array(next).fill(height);
  const x1 = new Int32Array(next).fill(-1);
  const y1 = new Int32Array(next).fill(-1);
  const count = new Int32Array(next);
  for (let l = 1; l < next; l++) parent[l] = find(l);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const l = labels[row + x]!;
      if (l === 0) continue;
      const root = parent[l]!;
      if (x < x0[root]!) x0[root] = x;
      if (x > x1[root]!) x1[root] = x;
      if (y < y0[root]!) y0[root] = y;
      if (y > y1[root]!) y1[root] = y;
      count[root]!++;
    }
  }
  const out: Component[] = [];
  for (let l = 1; l < next; l++) {
    if (count[l]! > 0) out.push({ x0: x0[l]!, y0: y0[l]!, x1: x1[l]!, y1: y1[l]!, pixels: count[l]! });
  }
  return out;
}

/**
 * Darkest pixel of each 3×3 neighbourhood: grows ink by one pixel each way, so the dots of a
 * dot-matrix or worn thermal glyph join into one component (and neighbouring letters into a
 * word, which has the same height). Measured heights are 2 px taller; measureGrey subtracts it.
 */
export function dilateInk(grey: GreyPixels): GreyPixels {
  const { data, width, height } = grey;
  const across = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let v = data[row + x]!;
      if (x > 0 && data[row + x - 1]! < v) v = data[row + x - 1]!;
      if (x < width - 1 && data[row + x + 1]! < v) v = data[row + x + 1]!;
      across[row + x] = v;
    }
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let v = across[row + x]!;
      if (y > 0 && across[row - width + x]! < v) v = across[row - width + x]!;
      if (y < height - 1 && across[row + width + x]! < v) v = across[row + width + x]!;
      out[row + x] = v;
    }
  }
  return { data: out, width, height };
}
