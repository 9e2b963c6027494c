import type { BBox, Block } from "../domain/document-model.js";
import type { JobOptions } from "../domain/types.js";

/**
 * The steps of the OCR pipeline, in order. `extract_fields` is planned only when the job's
 * `extract` option is not `off`; delivery steps are added per destination.
 */
export const OCR_STEPS = [
  "validate",
  "check_text",
  "render_pages",
  "ocr",
  "assemble",
  "extract_fields",
  "export",
] as const;
export type OcrStep = (typeof OCR_STEPS)[number];

export const EXTRACT_STEP = "extract_fields";

/** Whether a job's options ask for field extraction (jobs from before it existed did not). */
export const extractsFields = (options: JobOptions): boolean =>
  options.extract !== undefined && options.extract !== "off";

export function planOcrJob(options: JobOptions): string[] {
  const steps = OCR_STEPS.filter((step) => step !== EXTRACT_STEP || extractsFields(options));
  return [...steps, ...(options.destinations ?? []).map((d) => `deliver:${d}`)];
}

/** What `validate` learned, read by the later steps. */
export interface ValidateOutput {
  kind: "pdf" | "image";
  mimeType: string;
  numPages: number;
  blobKey: string;
  filename: string;
  /** Page sizes: PDF points or image pixels. */
  pages: { number: number; width: number; height: number; unit: "pt" | "px" }[];
}

/** Which pages need OCR and which have a usable text layer. */
export interface CheckTextOutput {
  ocrPages: number[];
  textPages: number[];
  verdicts: Record<string, string>;
  /**
   * Images on text-layer pages to OCR on their own (the page itself is not OCRed). Absent in
   * outputs written before image regions existed.
   */
  imageRegions?: ImageRegion[];
}

/** An image drawn on a text-layer page, whose text the layer does not have. */
export interface ImageRegion {
  page: number;
  /** 1-based among the page's regions, in reading order. */
  index: number;
  /** Where the image is drawn, in the text-layer page's pixel space (at `dpi`). */
  bbox: BBox;
  dpi: number;
}

export interface RenderedPageInfo {
  number: number;
  key: string;
  width: number;
  height: number;
  dpi: number;
}

/** An image region cut out of a page render, ready for OCR. */
export interface RenderedRegionInfo {
  page: number;
  index: number;
  key: string;
  width: number;
  height: number;
  dpi: number;
  /**
   * How the region image maps onto its text-layer page: page pixel = origin + image pixel ×
   * scale (the image may carry a white margin, so origin can lie outside the region's box).
   */
  origin: { x: number; y: number };
  scale: number;
}

export interface RenderOutput {
  pages: RenderedPageInfo[];
  /** Absent in outputs written before image regions existed. */
  regions?: RenderedRegionInfo[];
}

/** What OCR read in one image region, its boxes already in the text-layer page's pixel space. */
export interface RegionOcrResult {
  page: number;
  index: number;
  confidence: number;
  blocks: Block[];
}
