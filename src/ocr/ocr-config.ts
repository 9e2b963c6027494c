/**
 * OCR settings, parsed once by the composition root (from the environment or elsewhere) and
 * passed to createOcrEngine(); nothing under src/ocr reads process.env itself.
 *
 *   DOCKET_OCR_ENGINE    auto | wasm | cli   (auto: cli when `tesseract` is installed, else wasm)
 *   DOCKET_OCR_WORKERS   recognitions at once (default: os.availableParallelism())
 *   DOCKET_TESSERACT_PATH  the tesseract binary (default: found on PATH)
 *   DOCKET_TESSDATA_DIRS   extra tessdata folders, PATH-style list (default: the usual system ones)
 */
import { delimiter } from "node:path";
import { z } from "zod";

export const OCR_ENGINE_CHOICES = ["auto", "wasm", "cli"] as const;
export type OcrEngineChoice = (typeof OCR_ENGINE_CHOICES)[number];

export interface OcrConfig {
  engine: OcrEngineChoice;
  /** Parallel recognitions (worker threads or processes); undefined = one per core. */
  workers?: number;
  /** Path of the tesseract binary; undefined = search PATH. */
  tesseractPath?: string;
  /** Folders of `*.traineddata` besides the npm language packages; undefined = system defaults. */
  tessdataDirs?: string[];
}

const envSchema = z.object({
  DOCKET_OCR_ENGINE: z.enum(OCR_ENGINE_CHOICES).default("auto"),
  DOCKET_OCR_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  DOCKET_TESSERACT_PATH: z.string().min(1).optional(),
  DOCKET_TESSDATA_DIRS: z.string().min(1).optional(),
});

/** Parse the OCR part of an environment (throws a ZodError naming the bad variable). */
export function ocrConfigFromEnv(env: Record<string, string | undefined>): OcrConfig {
  const parsed = envSchema.parse(env);
  return {
    engine: parsed.DOCKET_OCR_ENGINE,
    ...(parsed.DOCKET_OCR_WORKERS === undefined ? {} : { workers: parsed.DOCKET_OCR_WORKERS }),
    ...(parsed.DOCKET_TESSERACT_PATH === undefined ? {} : { tesseractPath: parsed.DOCKET_TESSERACT_PATH }),
    ...(parsed.DOCKET_TESSDATA_DIRS === undefined
      ? {}
      : { tessdataDirs: parsed.DOCKET_TESSDATA_DIRS.split(delimiter).filter(Boolean) }),
  };
}
