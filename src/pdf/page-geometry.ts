/**
 * The one mapping between PDF user space (points, origin bottom-left, y up) and Docket's
 * page pixel space (origin top-left of the page as displayed, y down, at a given dpi).
 * Text-layer extraction uses `pdfToPixel`; the searchable PDF export uses `pixelToPdf` — one
 * module, so the two cannot drift apart.
 *
 * "As displayed" means after the page's /Rotate (clockwise) is applied and relative to the
 * visible area: the CropBox clipped to the MediaBox, like every viewer and pdf.js.
 */

export type Rotation = 0 | 90 | 180 | 270;

export interface PageGeometry {
  /** Visible area in user space, normalised: x0 < x1, y0 < y1. */
  viewBox: readonly [number, number, number, number];
  /** The page's /Rotate, normalised to 0/90/180/270 (clockwise, as displayed). */
  rotate: Rotation;
}

/** /Rotate may be any multiple of 90, negative too; anything else is treated as 0 (like pdf.js). */
export function normalizeRotation(degrees: number): Rotation {
  if (!Number.isFinite(degrees) || degrees % 90 !== 0) return 0;
  return (((degrees % 360) + 360) % 360) as Rotation;
}

/** Normalise a PDF rectangle and clip it to another (CropBox ∩ MediaBox); falls back to `outer`. */
export function visibleBox(
  crop: readonly [number, number, number, number] | undefined,
  media: readonly [number, number, number, number],
): [number, number, number, number] {
  const m = normalizeRect(media);
  if (!crop) return m;
  const c = normalizeRect(crop);
  const box: [number, number, number, number] = [
    Math.max(c[0], m[0]),
    Math.max(c[1], m[1]),
    Math.min(c[2], m[2]),
    Math.min(c[3], m[3]),
  ];
  return box[2] > box[0] && box[3] > box[1] ? box : m;
}

function normalizeRect(r: readonly [number, number, number, number]): [number, number, number, number] {
  return [Math.min(r[0], r[2]), Math.min(r[1], r[3]), Math.max(r[0], r[2]), Math.max(r[1], r[3])];
}

/** Size of the page as displayed, in points. */
export function displaySizePt(g: PageGeometry): { width: number; height: number } {
  const w = g.viewBox[2] - g.viewBox[0];
  const h = g.viewBox[3] - g.viewBox[1];
  return g.rotate === 90 || g.rotate === 270 ? { width: h, height: w } : { width: w, height: h };
}

/** Size of the page as displayed, in pixels at `dpi`. */
export function displaySizePx(g: PageGeometry, dpi: number): { width: number; height: number } {
  const { width, height } = displaySizePt(g);
  return { width: (width * dpi) / 72, height: (height * dpi) / 72 };
}

/** PDF user space → displayed page pixels at `dpi`. */
export function pdfToPixel(g: PageGeometry, dpi: number, x: number, y: number): [number, number] {
  const [vx0, vy0, vx1, vy1] = g.viewBox;
  const w = vx1 - vx0;
  const h = vy1 - vy0;
  // Unrotated, top-left origin, y down.
  const u = x - vx0;
  const v = vy1 - y;
  const s = dpi / 72;
  switch (g.rotate) {
    case 0:
      return [u * s, v * s];
    case 90:
      return [(h - v) * s, u * s];
    case 180:
      return [(w - u) * s, (h - v) * s];
    case 270:
      return [v * s, (w - u) * s];
  }
}

/** Displayed page pixels at `dpi` → PDF user space (the inverse of `pdfToPixel`). */
export function pixelToPdf(g: PageGeometry, dpi: number, px: number, py: number): [number, number] {
  const [vx0, , vx1, vy1] = g.viewBox;
  const w = vx1 - vx0;
  const h = vy1 - g.viewBox[1];
  const s = 72 / dpi;
  const a = px * s;
  const b = py * s;
  let u: number;
  let v: number;
  switch (g.rotate) {
    case 0:
      u = a;
      v = b;
      break;
    case 90:
      u = b;
      v = h - a;
      break;
    case 180:
      u = w - a;
      v = h - b;
      break;
    case 270:
      u = w - b;
      v = a;
      break;
  }
  return [u + vx0, vy1 - v];
}

/**
 * OCR reads a page after turning it upright: the displayed page rotated `rotation` degrees
 * clockwise (0/90/180/270). The document model keeps OCR boxes in that UPRIGHT frame (see
 * src/imaging/page-geometry.ts). These map between it and the displayed frame, whose size
 * (`displayed`, in the same pixels) is the upright size with width and height swapped for
 * quarter turns.
 */
export function uprightToDisplayed(
  x: number,
  y: number,
  rotation: Rotation,
  displayed: { width: number; height: number },
): [number, number] {
  switch (rotation) {
    case 0:
      return [x, y];
    case 90: // displayed (dx, dy) became upright (H - dy, dx)
      return [y, displayed.height - x];
    case 180:
      return [displayed.width - x, displayed.height - y];
    case 270: // displayed (dx, dy) became upright (dy, W - dx)
      return [displayed.width - y, x];
  }
}

/** The inverse of `uprightToDisplayed`, for boxes. */
export function displayedBoxToUpright(
  box: { x0: number; y0: number; x1: number; y1: number },
  rotation: Rotation,
  displayed: { width: number; height: number },
): { x0: number; y0: number; x1: number; y1: number } {
  const W = displayed.width;
  const H = displayed.height;
  switch (rotation) {
    case 0:
      return { ...box };
    case 90:
      return { x0: H - box.y1, y0: box.x0, x1: H - box.y0, y1: box.x1 };
    case 180:
      return { x0: W - box.x1, y0: H - box.y1, x1: W - box.x0, y1: H - box.y0 };
    case 270:
      return { x0: box.y0, y0: W - box.x1, x1: box.y1, y1: W - box.x0 };
  }
}
