import sharp from "sharp";
import type { BlobStore } from "../../blob/blob-store.js";
import type { StepHandler } from "../../engine/pipeline.js";
import { padRegion } from "../../imaging/pad-region.js";
import { openImageForOcr } from "../../imaging/image-normalize.js";
import { openPdfForRendering, type PdfRenderHandle } from "../../imaging/pdf-rendering.js";
import type { RasterImage } from "../../imaging/raster.js";
import { imageScaleFor, resolutionPreset } from "../../ocr/ocr-presets.js";
import type { CheckTextOutput, ImageRegion, RenderedPageInfo, RenderedRegionInfo, RenderOutput, ValidateOutput } from "../plan.js";
import { pageKey, readJson, regionKey, writeJson } from "../workspace.js";

/**
 * Page images for OCR (and for the searchable PDF of an image upload): PDF pages that need
 * OCR are rendered at the resolution mode's DPI in a worker thread, one page at a time;
 * every page of an image file is normalised (EXIF orientation, TIFF pages, colour) and
 * resampled toward that DPI when its own DPI is known. Image regions on text-layer pages
 * are rendered on their own (just the region of the page) at the same DPI.
 */
export function renderPagesStep(deps: { blobStore: BlobStore; maxImagePixels: number }): StepHandler {
  return async (ctx) => {
    const info = await readJson<ValidateOutput>(deps.blobStore, `${ctx.workspaceOf("validate")}validate.json`);
    const check = await readJson<CheckTextOutput>(deps.blobStore, `${ctx.workspaceOf("check_text")}check.json`);
    const preset = resolutionPreset(ctx.options.resolution_mode);
    const bytes = await deps.blobStore.getBuffer(info.blobKey);
    const wanted = info.kind === "image" ? Array.from({ length: info.numPages }, (_, i) => i + 1) : check.ocrPages;
    const imageRegions = info.kind === "pdf" ? (check.imageRegions ?? []) : [];
    const regionPages = [...new Set(imageRegions.map((r) => r.page))];
    const total = wanted.length + regionPages.length;
    const pages: RenderedPageInfo[] = [];
    const regions: RenderedRegionInfo[] = [];
    const store = async (number: number, image: RasterImage) => {
      const key = pageKey(ctx.workspace, number, "png");
      await deps.blobStore.put(key, image.png);
      pages.push({ number, key, width: image.width, height: image.height, dpi: image.dpi });
      ctx.progress(pages.length, total, `page ${pages.length} of ${wanted.length}`);
    };
    const cutOut = async (pdf: PdfRenderHandle, page: number, onPage: ImageRegion[]) => {
      for (const region of onPage) regions.push(await renderRegion(deps.blobStore, ctx.workspace, pdf, region, preset.dpi, ctx.signal));
      const done = pages.length + regionPages.indexOf(page) + 1;
      ctx.progress(done, total, `rendered ${onPage.length} image(s) on page ${page}`);
    };
    if (total > 0 && info.kind === "pdf") {
      const pdf = await openPdfForRendering(bytes, { signal: ctx.signal });
      try {
        for (const n of wanted) await store(n, await pdf.renderPage(n, { dpi: preset.dpi, signal: ctx.signal }));
        for (const n of regionPages) await cutOut(pdf, n, imageRegions.filter((r) => r.page === n));
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
    const output: RenderOutput = { pages, regions };
    await writeJson(deps.blobStore, `${ctx.workspace}render.json`, output);
    if (total === 0) return { skipped: true, message: "no page needs OCR" };
    const images = regions.length > 0 ? `, ${regions.length} image region(s)` : "";
    return {
      message: `${pages.length} page image(s)${images} at ${preset.dpi} dpi`,
      detail: { pages: pages.length, dpi: preset.dpi, ...(regions.length > 0 ? { image_regions: regions.length } : {}) },
    };
  };
}

/**
 * Render just the region (the renderer draws the page into a canvas of the region's size: a
 * full page at 300 dpi would cost a second or more per page for a logo-sized picture), pad it
 * with white, and record how it maps back onto the page model.
 */
async function renderRegion(
  blobStore: BlobStore,
  workspace: string,
  pdf: PdfRenderHandle,
  region: ImageRegion,
  dpi: number,
  signal: AbortSignal,
): Promise<RenderedRegionInfo> {
  const { bbox } = region;
  const toPoints = 72 / region.dpi;
  const clip = { x0: bbox.x0 * toPoints, y0: bbox.y0 * toPoints, x1: bbox.x1 * toPoints, y1: bbox.y1 * toPoints };
  const image = await pdf.renderPage(region.page, { dpi, signal, clip });
  // Model pixels → render pixels (the renderer may have lowered the DPI to fit its pixel cap).
  const toRender = image.dpi / region.dpi;
  const padded = await padRegion(image);
  const key = regionKey(workspace, region.page, region.index, "png");
  await blobStore.put(key, padded.image.png);
  const { width, height } = padded.image;
  // The clip starts exactly at the region's corner; the padding moves the image up and left.
  const origin = { x: bbox.x0 - padded.margin / toRender, y: bbox.y0 - padded.margin / toRender };
  return { page: region.page, index: region.index, key, width, height, dpi: image.dpi, origin, scale: 1 / toRender };
}
