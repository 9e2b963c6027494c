/**
 * Which grey to read a colour page in. Luminance is right for black print, but print in
 * colour (blue thermal receipts, red stamps' text) comes out light grey in it, and a global
 * threshold then keeps the darker pen marks and loses the print. In the colour channel where
 * that ink is darkest the print stands out again (blue ink is dark in red), while white paper
 * stays white in every channel: so such a page is read in each pixel's darkest channel. The
 * choice is measured, per page, on a small copy: the darkest channel is used only when it
 * finds clearly more letter-shaped components than luminance (a coloured background, which
 * the darkest channel turns dark, finds fewer, and black print finds the same).
 *
 * Measured on SROIE 312.jpg (blue print, a dark pen note): luminance finds 14 letters at
 * 800 px, the darkest channel 158; sorted-words CER 73% → 35% (docs/OCR.md). The single
 * channel with most letters (green there) read 69%: the one where the ink is darkest matters.
 */
import type sharp from "sharp";
import { measureGrey } from "./text-metrics.js";

const ANALYSIS_SIZE = 800;
/** A channel must find this many times the letters luminance finds (and 20 more) to be used. */
const MIN_GAIN = 1.5;

/** "darkest" when the page is better read in each pixel's darkest channel than in luminance. */
export async function chooseInkGrey(input: sharp.Sharp): Promise<"luminance" | "darkest"> {
  const small = input.resize(ANALYSIS_SIZE, ANALYSIS_SIZE, { fit: "inside", withoutEnlargement: true });
  const { data, info } = await small
    .flatten({ background: "#ffffff" })
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  if (channels < 3) return "luminance";
  const n = width * height;
  const lum = new Uint8Array(n);
  const darkest = new Uint8Array(n);
  let colourful = 0;
  for (let i = 0; i < n; i++) {
    const r = data[i * channels]!;
    const g = data[i * channels + 1]!;
    const b = data[i * channels + 2]!;
    // Rec. 601 luma: close to libvips's b-w for this purpose.
    lum[i] = (r * 299 + g * 587 + b * 114 + 500) / 1000;
    darkest[i] = Math.min(r, g, b);
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) colourful++;
  }
  // A grey scan saved as colour JPEG: all channels alike, nothing to choose.
  if (colourful < n * 0.002) return "luminance";
  const count = (grey: Uint8Array): number => measureGrey({ data: grey, width, height }).glyphs;
  const base = count(lum);
  const found = count(darkest);
  return found >= base * MIN_GAIN && found >= base + 20 ? "darkest" : "luminance";
}

/** Each pixel's darkest sRGB channel, as one grey band (interleaved input with `channels` bands). */
export function darkestChannel(data: Uint8Array, pixels: number, channels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const j = i * channels;
    const r = data[j]!;
    const g = data[j + 1]!;
    const b = data[j + 2]!;
    out[i] = r < g ? (r < b ? r : b) : g < b ? g : b;
  }
  return out;
}
