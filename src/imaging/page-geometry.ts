/**
 * Coordinate bookkeeping between the three frames a page passes through:
 *
 *   original (as rendered/decoded) --rotate by `rotation` (0/90/180/270, clockwise)-->
 *   upright --rotate by `skew` degrees clockwise (canvas expanded)--> deskewed (what OCR read)
 *
 * Docket's document model stores boxes in the UPRIGHT frame (docs/OCR.md): the page as a
 * person reads it, before the small skew correction. OCR boxes are mapped from the deskewed
 * frame back to upright here; exporters that need the original frame (e.g. to lay text over
 * the original PDF page) use uprightToOriginal().
 */
import type { BBox } from "../domain/document-model.js";

export interface Size {
  width: number;
  height: number;
}

/** The size of a `width`×`height` image after a quarter-turn rotation. */
export function rotatedSize(size: Size, rotation: number): Size {
  return normalizeRotation(rotation) % 180 === 0
    ? { width: size.width, height: size.height }
    : { width: size.height, height: size.width };
}

/** 0/90/180/270 for any multiple of 90 (negative or > 360 included). */
export function normalizeRotation(rotation: number): number {
  const r = (((Math.round(rotation / 90) * 90) % 360) + 360) % 360;
  return r;
}

function clampBox(box: BBox, size: Size): BBox {
  const clamp = (v: number, max: number): number => Math.min(max, Math.max(0, v));
  return {
    x0: clamp(box.x0, size.width),
    y0: clamp(box.y0, size.height),
    x1: clamp(box.x1, size.width),
    y1: clamp(box.y1, size.height),
  };
}

/**
 * Map a box from the deskewed image (the upright image rotated `skewDegrees` clockwise about
 * its centre onto an expanded canvas of `deskewedSize`) back to the upright image of
 * `uprightSize`. The result is the axis-aligned box around the mapped corners, so it still
 * covers the whole word or line on the (slightly skewed) upright page.
 */
export function deskewedToUpright(box: BBox, skewDegrees: number, deskewedSize: Size, uprightSize: Size): BBox {
  if (skewDegrees === 0 && deskewedSize.width === uprightSize.width && deskewedSize.height === uprightSize.height) {
    return { ...box };
  }
  const phi = (skewDegrees * Math.PI) / 180;
  const cos = Math.cos(phi);
  const sin = Math.sin(phi);
  const cx = deskewedSize.width / 2;
  const cy = deskewedSize.height / 2;
  const ux = uprightSize.width / 2;
  const uy = uprightSize.height / 2;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [px, py] of [
    [box.x0, box.y0],
    [box.x1, box.y0],
    [box.x0, box.y1],
    [box.x1, box.y1],
  ] as const) {
    // Inverse of a clockwise rotation by phi in y-down coordinates.
    const dx = px - cx;
    const dy = py - cy;
    const x = dx * cos + dy * sin + ux;
    const y = -dx * sin + dy * cos + uy;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return roundBox(clampBox({ x0, y0, x1, y1 }, uprightSize));
}

/**
 * Map a box in the upright frame back to the original image of `originalSize`, which was
 * rotated `rotation` degrees clockwise to become upright.
 */
export function uprightToOriginal(box: BBox, rotation: number, originalSize: Size): BBox {
  const W = originalSize.width;
  const H = originalSize.height;
  switch (normalizeRotation(rotation)) {
    case 90:
      // Original (x, y) went to upright (H - y, x).
      return { x0: box.y0, y0: H - box.x1, x1: box.y1, y1: H - box.x0 };
    case 180:
      return { x0: W - box.x1, y0: H - box.y1, x1: W - box.x0, y1: H - box.y0 };
    case 270:
      // Original (x, y) went to upright (y, W - x).
      return { x0: W - box.y1, y0: box.x0, x1: W - box.y0, y1: box.x1 };
    default:
      return { ...box };
  }
}

/** Scale a box by a factor (e.g. from a low-resolution analysis image to the page). */
export function scaleBox(box: BBox, factor: number): BBox {
  return roundBox({ x0: box.x0 * factor, y0: box.y0 * factor, x1: box.x1 * factor, y1: box.y1 * factor });
}

function roundBox(box: BBox): BBox {
  return { x0: Math.floor(box.x0), y0: Math.floor(box.y0), x1: Math.ceil(box.x1), y1: Math.ceil(box.y1) };
}
