import type { BlobStore } from "../../blob/blob-store.js";
import type { BBox, Page } from "../../domain/document-model.js";
import type { StepHandler } from "../../engine/pipeline.js";
import { DocketError } from "../../errors.js";
import { assessTextLayer } from "../../pdf/assess-text-layer.js";
import { pickImageRegions } from "../../pdf/pick-image-regions.js";
import type { TextLayerExtractor } from "../../pdf/text-layer-pool.js";
import type { CheckTextOutput, ImageRegion, ValidateOutput } from "../plan.js";
import { readJson, writeJsonFiles } from "../workspace.js";

/**
 * Per page: is the PDF's text layer usable, or does the page need OCR? Empty, garbage and
 * too-sparse layers need OCR; `ocr: force` OCRs every page, `ocr: skip` none. Images have no
 * text layer. The usable text-layer pages (words with boxes) are kept for `assemble`.
 * Sizeable images on those pages (a pasted screenshot) are listed as regions to OCR on their
 * own, unless OCR is skipped; an existing invisible OCR layer already covers its images.
 */
export function checkTextStep(deps: { blobStore: BlobStore; textLayer: TextLayerExtractor }): StepHandler {
  return async (ctx) => {
    const info = await readJson<ValidateOutput>(deps.blobStore, `${ctx.workspaceOf("validate")}validate.json`);
    const all = Array.from({ length: info.numPages }, (_, i) => i + 1);
    const policy = ctx.options.ocr;
    let textPages: Page[] = [];
    const verdicts: Record<string, string> = {};
    const imageRegions: ImageRegion[] = [];
    if (info.kind === "pdf" && policy !== "force") {
      const bytes = await deps.blobStore.getBuffer(info.blobKey);
      // PDFium's calls are synchronous: they run in a worker thread so heartbeats keep going.
      const extracted = await deps.textLayer
        .extract(bytes, {
          signal: ctx.signal,
          contentStats: true,
          onProgress: (done, total) => ctx.progress(done, total, `reading the text layer: page ${done} of ${total}`),
        })
        .catch((error: unknown) => {
          // validate opened this file with pdf.js, which renders it; PDFium, which reads text
          // layers, refused it. Then there is no text layer we can trust: OCR every page.
          if (error instanceof DocketError && error.code === "corrupt_file" && !ctx.signal.aborted) return null;
          throw error;
        });
      if (extracted === null) for (const n of all) verdicts[n] = "unreadable";
      for (const { page, content, images } of extracted ?? []) {
        const assessment = assessTextLayer(page, content);
        verdicts[page.number] = assessment.reason;
        if (assessment.usable) textPages.push(page);
        if (assessment.reason === "ok" && policy !== "skip") {
          pickImageRegions(page, images).forEach((bbox, i) =>
            imageRegions.push({ page: page.number, index: i + 1, bbox, dpi: page.dpi }),
          );
        }
      }
    } else {
      for (const n of all) verdicts[n] = info.kind === "image" ? "image" : "forced";
    }
    if (policy === "skip") {
      // No OCR at all: pages without a usable layer come out empty, and say so.
      for (const n of all)
        if (!textPages.some((p) => p.number === n)) verdicts[n] = `${verdicts[n] ?? "none"} (ocr skipped)`;
    }
    const textNumbers = new Set(textPages.map((p) => p.number));
    const output: CheckTextOutput = {
      ocrPages: policy === "skip" ? [] : all.filter((n) => !textNumbers.has(n)),
      textPages: [...textNumbers].sort((a, b) => a - b),
      verdicts,
      imageRegions,
    };
    textPages = textPages.sort((a, b) => a.number - b.number);
    await writeJsonFiles(deps.blobStore, {
      [`${ctx.workspace}text-pages.json`]: textPages,
      [`${ctx.workspace}check.json`]: output,
    });
    const images = imageRegions.length > 0 ? `, ${imageRegions.length} image(s) on text-layer pages to OCR` : "";
    return {
      message: `${output.textPages.length} page(s) with a usable text layer, ${output.ocrPages.length} to OCR${images}`,
      detail: {
        ocr_pages: output.ocrPages,
        text_pages: output.textPages,
        verdicts,
        ...(imageRegions.length > 0
          ? { image_regions: imageRegions.map((r) => ({ page: r.page, bbox: roundBox(r.bbox) })) }
          : {}),
      },
    };
  };
}

function roundBox(b: BBox): BBox {
  return { x0: Math.round(b.x0), y0: Math.round(b.y0), x1: Math.round(b.x1), y1: Math.round(b.y1) };
}
