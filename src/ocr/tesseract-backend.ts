/**
 * What the shared page pipeline (page-recognizer.ts) needs from a Tesseract: recognise a PNG
 * to TSV, detect orientation, list languages. Two implementations: tesseract.js in worker
 * threads (wasm/) and the native `tesseract` binary in child processes (cli/). Everything
 * engine-independent — rotation, deskew, tiling, coordinates, the Page model — lives above
 * this interface so both engines produce the same Page for the same input.
 */
import type { EngineHealth, OrientationResult } from "./ocr-engine.js";

export interface TsvRequest {
  png: Buffer;
  /** The PNG's size in pixels (what a backend may choose by, without reading the header again). */
  width: number;
  height: number;
  dpi: number;
  languages: readonly string[];
  psm: number;
  /** Runtime Tesseract variables for this call. */
  variables: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface TesseractBackend {
  readonly name: string;
  /** Recognitions that can run at once (pool size / process limit). */
  readonly concurrency: number;
  languages(): string[];
  /** Throws `language_unavailable` when any of `languages` is missing. */
  requireLanguages(languages: readonly string[]): void;
  recognizeTsv(request: TsvRequest): Promise<string>;
  /** Orientation via Tesseract OSD; undefined when OSD is unavailable or found no text. */
  detectOrientation(png: Buffer, dpi: number, signal?: AbortSignal): Promise<OrientationResult | undefined>;
  check(): Promise<EngineHealth>;
  close(): Promise<void>;
}
