import type { BlobStore } from "../../blob/blob-store.js";
import type { DocumentModel, Page } from "../../domain/document-model.js";
import { documentOf, type StepHandler } from "../../engine/pipeline.js";
import type { CheckTextOutput, RegionOcrResult, ValidateOutput } from "../plan.js";
import { mergeRegionBlocks } from "../region-blocks.js";
import { pageKey, readJson, writeJson } from "../workspace.js";

/** Below this mean OCR confidence (0–100) a person should look at the result (DOCKET_REVIEW_OCR_CONFIDENCE). */
export const REVIEW_CONFIDENCE = 40;

/**
 * An image region read below this mean confidence is a picture without legible text (a photo,
 * a logo): what OCR made of it is noise, and would be the only noise on a text-layer page.
 */
export const MIN_REGION_CONFIDENCE = 40;

/**
 * Builds the one document model every export derives from: text-layer pages as the PDF
 * gives them, OCR pages as recognised, in page order. A page that got neither (OCR skipped,
 * no usable text layer) is present and empty, so page numbers always line up. Text read from
 * images on a text-layer page joins that page's blocks in reading order; the page stays a
 * text-layer page.
 */
export function assembleStep(deps: {
  blobStore: BlobStore;
  engineName: string;
  reviewOcrConfidence?: number;
}): StepHandler {
  return async (ctx) => {
    const [info, check, textPages, ocrNumbers, regions] = await Promise.all([
      readJson<ValidateOutput>(deps.blobStore, `${ctx.workspaceOf("validate")}validate.json`),
      readJson<CheckTextOutput>(deps.blobStore, `${ctx.workspaceOf("check_text")}check.json`),
      readJson<Page[]>(deps.blobStore, `${ctx.workspaceOf("check_text")}text-pages.json`),
      readJson<number[]>(deps.blobStore, `${ctx.workspaceOf("ocr")}pages.json`),
      readRegions(deps.blobStore, ctx.workspaceOf("ocr")),
    ]);
    const legible = regions.filter((r) => r.confidence >= MIN_REGION_CONFIDENCE);
    const pages: Page[] = [];
    for (let n = 1; n <= info.numPages; n++) {
      ctx.signal.throwIfAborted();
      const text = textPages.find((p) => p.number === n);
      if (text)
        pages.push(
          mergeRegionBlocks(
            text,
            legible.filter((r) => r.page === n).flatMap((r) => r.blocks),
          ),
        );
      else if (ocrNumbers.includes(n))
        pages.push(await readJson<Page>(deps.blobStore, pageKey(ctx.workspaceOf("ocr"), n, "json")));
      else {
        const size = info.pages.find((p) => p.number === n);
        const dpi = size?.unit === "px" ? 300 : 72;
        pages.push({
          number: n,
          width: size?.width ?? 0,
          height: size?.height ?? 0,
          dpi,
          source: "ocr",
          rotation: 0,
          skew: 0,
          confidence: 0,
          blocks: [],
        });
      }
      ctx.progress(n, info.numPages);
    }
    const model: DocumentModel = {
      version: 1,
      documentId: documentOf(ctx),
      languages: ctx.options.languages,
      engine: deps.engineName,
      pages,
    };
    await writeJson(deps.blobStore, `${ctx.workspace}model.json`, model);
    const ocrPages = pages.filter((p) => p.source === "ocr" && ocrNumbers.includes(p.number));
    const confidence = ocrPages.length > 0 ? ocrPages.reduce((sum, p) => sum + p.confidence, 0) / ocrPages.length : 100;
    const words = pages.reduce(
      (n, p) => n + p.blocks.reduce((m, b) => m + b.lines.reduce((k, l) => k + l.words.length, 0), 0),
      0,
    );
    const lowConfidence = ocrPages.length > 0 && confidence < (deps.reviewOcrConfidence ?? REVIEW_CONFIDENCE);
    return {
      message: `${pages.length} page(s), ${words} words`,
      detail: {
        num_pages: pages.length,
        words,
        confidence: Math.round(confidence * 10) / 10,
        text_layer_pages: check.textPages.length,
        ocr_pages: ocrPages.length,
        ...(regions.length > 0
          ? { images_read: legible.length, images_without_text: regions.length - legible.length }
          : {}),
      },
      ...(lowConfidence
        ? { reviewReason: `Low OCR confidence (${Math.round(confidence)} %): please check the text` }
        : {}),
    };
  };
}

/** The ocr step's image-region results; none in a workspace written before regions existed. */
async function readRegions(blobStore: BlobStore, ocrPrefix: string): Promise<RegionOcrResult[]> {
  const list = `${ocrPrefix}regions.json`;
  if (!(await blobStore.exists(list))) return [];
  const keys = await readJson<string[]>(blobStore, list);
  return Promise.all(keys.map((key) => readJson<RegionOcrResult>(blobStore, key)));
}
