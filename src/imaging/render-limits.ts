/**
 * Bounds on the size of a rendered page. A PDF page can be 200 inches wide (14,400 pt) and a
 * caller may ask for 400 DPI; without a cap one page becomes gigabytes of RGBA. Rendering is
 * capped by pixel count and the DPI lowered to fit, so memory per page stays bounded while
 * ordinary pages (A4/letter up to 600 DPI ≈ 35 MP) are never touched.
 */
export interface RenderLimits {
  /** Most pixels one rendered page may have (width × height). */
  maxPixels: number;
  /** Longest side in pixels (canvas backends refuse very long edges; 32,767 is Skia's limit). */
  maxSide: number;
  /** Lowest DPI the clamp may choose before giving up and rendering smaller anyway. */
  minDpi: number;
}

/**
 * 50 MP (e.g. a 30×30-inch page at 235 DPI): one RGBA canvas is 200 MB, and with pdfjs's
 * decoded source image the peak of the worst page in the shared corpus stays under 1 GB RSS.
 */
export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxPixels: 50_000_000, maxSide: 20_000, minDpi: 10 };

export interface ClampedRender {
  dpi: number;
  width: number;
  height: number;
  /** True when the requested DPI was lowered to fit the limits. */
  clamped: boolean;
}

/**
 * The DPI to render a page of `widthPt`×`heightPt` points at, given the requested DPI and the
 * limits, with the resulting pixel size (rounded up as pdfjs's viewport does).
 */
export function clampRenderDpi(
  widthPt: number,
  heightPt: number,
  requestedDpi: number,
  limits: RenderLimits = DEFAULT_RENDER_LIMITS,
): ClampedRender {
  if (!(widthPt > 0 && heightPt > 0)) throw new RangeError(`invalid page size ${widthPt}×${heightPt} pt`);
  if (!(requestedDpi > 0)) throw new RangeError(`invalid DPI ${requestedDpi}`);
  const size = (dpi: number): { width: number; height: number } => ({
    width: Math.ceil((widthPt * dpi) / 72),
    height: Math.ceil((heightPt * dpi) / 72),
  });
  let dpi = requestedDpi;
  let { width, height } = size(dpi);
  if (width * height <= limits.maxPixels && Math.max(width, height) <= limits.maxSide) {
    return { dpi, width, height, clamped: false };
  }
  const byArea = Math.sqrt((limits.maxPixels * 72 * 72) / (widthPt * heightPt));
  const bySide = (limits.maxSide * 72) / Math.max(widthPt, heightPt);
  // Floor to a tenth of a DPI, then step down until the ceil()'d size fits.
  dpi = Math.max(limits.minDpi, Math.floor(Math.min(byArea, bySide, requestedDpi) * 10) / 10);
  ({ width, height } = size(dpi));
  while (dpi > limits.minDpi && (width * height > limits.maxPixels || Math.max(width, height) > limits.maxSide)) {
    dpi = Math.max(limits.minDpi, dpi - 0.1);
    ({ width, height } = size(dpi));
  }
  return { dpi, width, height, clamped: true };
}
