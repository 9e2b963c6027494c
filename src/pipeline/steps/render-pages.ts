import sharp from "sharp";
import type { BlobStore } from "../../blob/blob-store.js";
import type { StepHandler } from "../../engine/pipeline.js";
import { openImageForOcr } from "../../imaging/image-normalize.js";
import { openPdfForRendering } from "../../imaging/pdf-rendering.js";
import type { RasterImage } from "../../imaging/raster.js";
import { imageScaleFor, resolutionPreset } from "../../ocr/ocr-presets.js";
import type { CheckTextOutput, RenderedPageInfo, RenderOutput, ValidateOutput } from "../plan.js";
import { pageKey, readJson, writeJson } from "../workspace.js";

/**
 * Page images for OCR (and for the searchable PDF of an image upload): PDF pages that need
 * OCR are rendered at the resolution mode's DPI in a worker thread, one page at a time;
 * every page of an image file is normalised (EXIF orientation, TIFF pages, colour) and
 * resampled toward that DPI when its own DPI is known.
 */
export function renderPagesStep(deps: { blobStore: BlobStore; maxImagePixels: number }): StepHandler {
  return async (ctx) => {
    const info = await readJson<ValidateOutput>(deps.blobStore, `${ctx.workspaceOf("validate")}validate.json`);
    const check = await readJson<CheckTextOutput>(deps.blobStore, `${ctx.workspaceOf("check_text")}check.json`);
    const preset = resolutionPreset(ctx.options.resolution_mode);
    const bytes = await deps.blobStore.getBuffer(info.blobKey);
    const wanted = info.kind === "image" ? Array.from({ length: info.numPages }, (_, i) => i + 1) : check.ocrPages;
    const pages: RenderedPageInfo[] = [];
    const store = async (number: number, image: RasterImage) => {
      const key = pageKey(ctx.workspace, number, "png");
      await deps.blobStore.put(key, image.png);
      pages.push({ number, key, width: image.width, height: image.height, dpi: image.dpi });
      ctx.progress(pages.length, wanted.length, `page ${pages.length} of ${wanted.length}`);
    };
    if (wanted.length > 0 && info.kind === "pdf") {
      const pdf = await openPdfForRendering(bytes, { signal: ctx.signal });
      try {
        for (const n of wanted) await store(n, await pdf.renderPage(n, { dpi: preset.dpi, signal: ctx.signal }));
      } finally {
        await pdf.close();
      }
    } else if (wanted.length > 0) {
      const image = await openImageForOcr(bytes, { maxInputPixels: deps.maxImagePixels });
      for (const n of wanted) {
        ctx.signal.throwIfAborted();
        const page = await image.page(n - 1);
        const scale = imageScaleFor(preset, page.dpi);
        if (scale === 1) await store(n, page);
        else {
          const width = Math.max(1, Math.round(page.width * scale));
          const { data, info: out } = await sharp(page.png).resize({ width }).png().toBuffer({ resolveWithObject: true });
          await store(n, { png: data, width: out.width, height: out.height, dpi: Math.round(page.dpi * scale) });
        }
      }
    }
    const output: RenderOutput = { pages };
    await writeJson(deps.blobStore, `${ctx.workspace}render.json`, output);
    if (wanted.length === 0) return { skipped: true, message: "no page needs OCR" };
    return { message: `${pages.length} page image(s) at ${preset.dpi} dpi`, detail: { pages: pages.length, dpi: preset.dpi } };
  };
}
