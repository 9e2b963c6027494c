import type { BlobStore } from "../../blob/blob-store.js";
import type { Page } from "../../domain/document-model.js";
import type { StepHandler } from "../../engine/pipeline.js";
import type { OcrEngine } from "../../ocr/ocr-engine.js";
import type { CheckTextOutput, RenderOutput } from "../plan.js";
import { pageKey, readJson, writeJson } from "../workspace.js";

/**
 * Recognises the rendered pages that need OCR, one page at a time per job (the engine's
 * pool spreads concurrent jobs over the cores), with orientation detection and deskew.
 * Progress is "page k of n"; cancelling stops the page in flight.
 */
export function ocrStep(deps: { blobStore: BlobStore; engine: OcrEngine }): StepHandler {
  return async (ctx) => {
    const check = await readJson<CheckTextOutput>(deps.blobStore, `${ctx.workspaceOf("check_text")}check.json`);
    const rendered = await readJson<RenderOutput>(deps.blobStore, `${ctx.workspaceOf("render_pages")}render.json`);
    const todo = rendered.pages.filter((p) => check.ocrPages.includes(p.number));
    if (todo.length === 0) {
      await writeJson(deps.blobStore, `${ctx.workspace}pages.json`, []);
      return { skipped: true, message: "no page needs OCR" };
    }
    const numbers: number[] = [];
    let confidenceSum = 0;
    let rotated = 0;
    ctx.progress(0, todo.length, `page 1 of ${todo.length}`);
    for (const [i, info] of todo.entries()) {
      const png = await deps.blobStore.getBuffer(info.key);
      const page: Page = await deps.engine.recognize(
        { png, width: info.width, height: info.height, dpi: info.dpi },
        { languages: ctx.options.languages, mode: ctx.options.ocr_mode, pageNumber: info.number, resolution: ctx.options.resolution_mode, signal: ctx.signal },
      );
      await writeJson(deps.blobStore, pageKey(ctx.workspace, info.number, "json"), page);
      numbers.push(info.number);
      confidenceSum += page.confidence;
      if (page.rotation !== 0) rotated++;
      ctx.progress(i + 1, todo.length, i + 1 < todo.length ? `page ${i + 2} of ${todo.length}` : `recognised ${todo.length} page(s)`);
    }
    await writeJson(deps.blobStore, `${ctx.workspace}pages.json`, numbers);
    const confidence = Math.round((confidenceSum / todo.length) * 10) / 10;
    return {
      message: `recognised ${todo.length} page(s), mean confidence ${confidence}`,
      detail: { pages: todo.length, confidence, rotated_pages: rotated, engine: deps.engine.name, languages: ctx.options.languages },
    };
  };
}
