import sharp from "sharp";
import type { BlobStore } from "../../blob/blob-store.js";
import type { BBox } from "../../domain/document-model.js";
import type { StepHandler } from "../../engine/pipeline.js";
import { padRegion } from "../../imaging/pad-region.js";
import { openImageForOcr } from "../../imaging/image-normalize.js";
import { openPdfForRendering } from "../../imaging/pdf-rendering.js";
import type { RasterImage } from "../../imaging/raster.js";
import { imageScaleFor, resolutionPreset } from "../../ocr/ocr-presets.js";
import type { RenderedRegionPixels } from "../../pdf/pdfium/pdfium-text-layer.js";
import type { TextLayerExtractor } from "../../pdf/text-layer-pool.js";
import type {
  CheckTextOutput,
  ImageRegion,
  RenderedPageInfo,
  RenderedRegionInfo,
  RenderOutput,
  ValidateOutput,
} from "../plan.js";
import { pageKey, readJson, regionKey, writeJson } from "../workspace.js";

/**
 * Page images for OCR (and for the searchable PDF of an image upload): PDF pages that need
 * OCR are rendered at the resolution mode's DPI in a worker thread, one page at a time;
 * every page of an image file is normalised (EXIF orientation, TIFF pages, colour) and
 * resampled toward that DPI when its own DPI is known. Image regions on text-layer pages
 * are drawn on their own (just the region of the page) at the same DPI, by PDFium in the
 * text-layer threads.
 */
export function renderPagesStep(deps: {
  blobStore: BlobStore;
  maxImagePixels: number;
  textLayer: TextLayerExtractor;
}): StepHandler {
  return async (ctx) => {
    const [info, check] = await Promise.all([
      readJson<ValidateOutput>(deps.blobStore, `${ctx.workspaceOf("validate")}validate.json`),
      readJson<CheckTextOutput>(deps.blobStore, `${ctx.workspaceOf("check_text")}check.json`),
    ]);
    const preset = resolutionPreset(ctx.options.resolution_mode);
    const wanted = info.kind === "image" ? Array.from({ length: info.numPages }, (_, i) => i + 1) : check.ocrPages;
    const imageRegions = info.kind === "pdf" ? (check.imageRegions ?? []) : [];
    const regionPages = [...new Set(imageRegions.map((r) => r.page))];
    const total = wanted.length + regionPages.length;
    // Most digital documents have nothing to draw: do not even read the file then.
    const bytes = total > 0 ? await deps.blobStore.getBuffer(info.blobKey) : Buffer.alloc(0);
    const pages: RenderedPageInfo[] = [];
    const regions: RenderedRegionInfo[] = [];
    const store = async (number: number, image: RasterImage) => {
      const key = pageKey(ctx.workspace, number, "png");
      await deps.blobStore.put(key, image.png);
      pages.push({ number, key, width: image.width, height: image.height, dpi: image.dpi });
      ctx.progress(pages.length, total, `page ${pages.length} of ${wanted.length}`);
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
          const { data, info: out } = await sharp(page.png)
            .resize({ width })
            .png()
            .toBuffer({ resolveWithObject: true });
          await store(n, { png: data, width: out.width, height: out.height, dpi: Math.round(page.dpi * scale) });
        }
      }
    }
    if (imageRegions.length > 0) {
      // PDFium, which found these images with the text layer, draws just their part of the
      // page: all of them in one call, so the file is sent and opened once.
      const drawn = await deps.textLayer.renderRegions(
        bytes,
        imageRegions.map((r) => ({ page: r.page, clip: toPoints(r.bbox, r.dpi) })),
        { dpi: preset.dpi, signal: ctx.signal },
      );
      for (const [i, n] of regionPages.entries()) {
        const onPage = imageRegions.filter((r) => r.page === n);
        for (const region of onPage)
          regions.push(await storeRegion(deps.blobStore, ctx.workspace, region, drawn[imageRegions.indexOf(region)]!));
        ctx.progress(pages.length + i + 1, total, `rendered ${onPage.length} image(s) on page ${n}`);
      }
    }
    const output: RenderOutput = { pages, regions };
    await writeJson(deps.blobStore, `${ctx.workspace}render.json`, output);
    if (total === 0) return { skipped: true, message: "no page needs OCR" };
    const images = regions.length > 0 ? `, ${regions.length} image region(s)` : "";
    return {
      message: `${pages.length} page image(s)${images} at ${preset.dpi} dpi`,
      detail: {
        pages: pages.length,
        dpi: preset.dpi,
        ...(regions.length > 0 ? { image_regions: regions.length } : {}),
      },
    };
  };
}

function toPoints(box: BBox, dpi: number): BBox {
  const k = 72 / dpi;
  return { x0: box.x0 * k, y0: box.y0 * k, x1: box.x1 * k, y1: box.y1 * k };
}

/** Pad a rendered region with white, store it, and record how it maps back onto the page model. */
async function storeRegion(
  blobStore: BlobStore,
  workspace: string,
  region: ImageRegion,
  drawn: RenderedRegionPixels,
): Promise<RenderedRegionInfo> {
  const padded = await padRegion(drawn);
  const key = regionKey(workspace, region.page, region.index, "png");
  await blobStore.put(key, padded.image.png);
  // Model pixels per render pixel (the renderer may have lowered the DPI to fit its pixel cap).
  const scale = region.dpi / drawn.dpi;
  const toModel = region.dpi / 72;
  // The padding moves the image up and left of the rendered corner.
  const origin = {
    x: drawn.origin.x * toModel - padded.margin * scale,
    y: drawn.origin.y * toModel - padded.margin * scale,
  };
  return {
    page: region.page,
    index: region.index,
    key,
    width: padded.image.width,
    height: padded.image.height,
    dpi: drawn.dpi,
    origin,
    scale,
  };
}
