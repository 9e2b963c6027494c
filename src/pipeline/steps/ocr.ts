import type { BlobStore } from "../../blob/blob-store.js";
import type { Page } from "../../domain/document-model.js";
import type { StepHandler } from "../../engine/pipeline.js";
import type { OcrEngine } from "../../ocr/ocr-engine.js";
import type { CheckTextOutput, RegionOcrResult, RenderedRegionInfo, RenderOutput } from "../plan.js";
import { placeRegionBlocks } from "../region-blocks.js";
import { pageKey, readJson, regionKey, writeJson, writeJsonFiles } from "../workspace.js";

/**
 * Recognises the rendered pages that need OCR, one page at a time per job (the engine's
 * pool spreads concurrent jobs over the cores), with orientation detection and deskew; then
 * the image regions cut out of text-layer pages, whose words are moved onto their page.
 * Progress is "page k of n", then "reading image i of m on page p"; cancelling stops the
 * page or image in flight.
 */
export function ocrStep(deps: { blobStore: BlobStore; engine: OcrEngine }): StepHandler {
  return async (ctx) => {
    const [check, rendered] = await Promise.all([
      readJson<CheckTextOutput>(deps.blobStore, `${ctx.workspaceOf("check_text")}check.json`),
      readJson<RenderOutput>(deps.blobStore, `${ctx.workspaceOf("render_pages")}render.json`),
    ]);
    const todo = rendered.pages.filter((p) => check.ocrPages.includes(p.number));
    const regions = rendered.regions ?? [];
    const total = todo.length + regions.length;
    if (total === 0) {
      await writeJsonFiles(deps.blobStore, {
        [`${ctx.workspace}pages.json`]: [],
        [`${ctx.workspace}regions.json`]: [],
      });
      return { skipped: true, message: "no page needs OCR" };
    }
    const options = {
      languages: ctx.options.languages,
      mode: ctx.options.ocr_mode,
      resolution: ctx.options.resolution_mode,
      signal: ctx.signal,
    };
    const numbers: number[] = [];
    let confidenceSum = 0;
    let rotated = 0;
    const pageMessage = (i: number) => `page ${i + 1} of ${todo.length}`;
    ctx.progress(0, total, todo.length > 0 ? pageMessage(0) : regionMessage(regions, 0));
    for (const [i, info] of todo.entries()) {
      const png = await deps.blobStore.getBuffer(info.key);
      const page: Page = await deps.engine.recognize(
        { png, width: info.width, height: info.height, dpi: info.dpi },
        { ...options, pageNumber: info.number },
      );
      await writeJson(deps.blobStore, pageKey(ctx.workspace, info.number, "json"), page);
      numbers.push(info.number);
      confidenceSum += page.confidence;
      if (page.rotation !== 0) rotated++;
      const next =
        i + 1 < todo.length
          ? pageMessage(i + 1)
          : regions.length > 0
            ? regionMessage(regions, 0)
            : `recognised ${todo.length} page(s)`;
      ctx.progress(i + 1, total, next);
    }
    const regionKeys: string[] = [];
    for (const [i, region] of regions.entries()) {
      const png = await deps.blobStore.getBuffer(region.key);
      // A region shares its page's orientation (the page has an upright text layer), and a
      // screenshot or snippet is rarely skewed enough to be worth the analysis.
      const read = await deps.engine.recognize(
        { png, width: region.width, height: region.height, dpi: region.dpi },
        { ...options, pageNumber: region.page, autoRotate: false, deskew: false },
      );
      const result: RegionOcrResult = {
        page: region.page,
        index: region.index,
        confidence: read.confidence,
        blocks: placeRegionBlocks(read.blocks, region),
      };
      const key = regionKey(ctx.workspace, region.page, region.index, "json");
      await writeJson(deps.blobStore, key, result);
      regionKeys.push(key);
      ctx.progress(
        todo.length + i + 1,
        total,
        i + 1 < regions.length ? regionMessage(regions, i + 1) : `read ${regions.length} image(s)`,
      );
    }
    await writeJsonFiles(deps.blobStore, {
      [`${ctx.workspace}pages.json`]: numbers,
      [`${ctx.workspace}regions.json`]: regionKeys,
    });
    const confidence = todo.length > 0 ? Math.round((confidenceSum / todo.length) * 10) / 10 : null;
    const pagesPart = todo.length > 0 ? `recognised ${todo.length} page(s), mean confidence ${confidence}` : "";
    const regionsPart = regions.length > 0 ? `read ${regions.length} image(s) on text-layer pages` : "";
    return {
      message: [pagesPart, regionsPart].filter((s) => s !== "").join("; "),
      detail: {
        pages: todo.length,
        ...(confidence === null ? {} : { confidence }),
        rotated_pages: rotated,
        ...(regions.length > 0 ? { image_regions: regions.length } : {}),
        engine: deps.engine.name,
        languages: ctx.options.languages,
      },
    };
  };
}

/** "reading image 2 of 3 on page 4": numbered within the page, as a person would count them. */
function regionMessage(regions: readonly RenderedRegionInfo[], i: number): string {
  const region = regions[i];
  if (!region) return "";
  const onPage = regions.filter((r) => r.page === region.page);
  return `reading image ${onPage.indexOf(region) + 1} of ${onPage.length} on page ${region.page}`;
}
