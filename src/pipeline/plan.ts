import type { JobOptions } from "../domain/types.js";

/** The steps of the OCR pipeline, in order. Delivery steps are added per destination. */
export const OCR_STEPS = ["validate", "check_text", "render_pages", "ocr", "assemble", "export"] as const;
export type OcrStep = (typeof OCR_STEPS)[number];

export function planOcrJob(options: JobOptions): string[] {
  return [...OCR_STEPS, ...(options.destinations ?? []).map((d) => `deliver:${d}`)];
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
}

export interface RenderedPageInfo {
  number: number;
  key: string;
  width: number;
  height: number;
  dpi: number;
}

export interface RenderOutput {
  pages: RenderedPageInfo[];
}
