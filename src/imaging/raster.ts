/**
 * The one image type that flows between rendering, normalisation and OCR: an encoded PNG
 * with its pixel size and the resolution it represents. PNG (not raw pixels) because it is
 * what both OCR engines read, it crosses thread and process boundaries as one buffer, and a
 * grey page compresses 5–20× compared with raw RGBA.
 */
export interface RasterImage {
  png: Buffer;
  width: number;
  height: number;
  /** Pixels per inch the image represents (render DPI, or the scan's metadata). */
  dpi: number;
}

/** Default resolution when an image says nothing believable about its own (DESIGN: "default 300"). */
export const DEFAULT_DPI = 300;

/** Below this a declared DPI is treated as missing. */
export const MIN_PLAUSIBLE_DPI = 50;
/**
 * Values image software writes when it knows nothing (JFIF and PNG defaults, screen DPIs):
 * 47 of the 50 SROIE receipt scans say 72 although they were scanned at ~150–200.
 */
const SOFTWARE_DEFAULT_DPIS = new Set([72, 96]);
/** Above this a declared DPI is an error in the file's metadata, not a real scan. */
export const MAX_PLAUSIBLE_DPI = 2400;

/**
 * The DPI to believe for an image: its metadata when plausible, else DEFAULT_DPI.
 * Files from phones and screenshots often carry 1, 72 or absurd values like 1e6; the DPI is a
 * hint to the engine and the basis for resolution presets, so a wrong one must not be trusted.
 */
export function plausibleDpi(declared: number | undefined): number {
  if (declared === undefined || !Number.isFinite(declared)) return DEFAULT_DPI;
  const dpi = Math.round(declared);
  if (dpi < MIN_PLAUSIBLE_DPI || dpi > MAX_PLAUSIBLE_DPI || SOFTWARE_DEFAULT_DPIS.has(dpi)) return DEFAULT_DPI;
  return dpi;
}
