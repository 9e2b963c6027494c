import type { BlobStore } from "../../blob/blob-store.js";
import type { DocumentModel } from "../../domain/document-model.js";
import type { OutputFormat } from "../../domain/types.js";
import type { ArtifactRecord, StepHandler } from "../../engine/pipeline.js";
import { DocketError } from "../../errors.js";
import type { FieldsMetadata } from "../../exports/pdf-fields-metadata.js";
import { buildSearchablePdf, type PageImageProvider } from "../../exports/searchable-pdf.js";
import { toHocrAsync } from "../../exports/to-hocr.js";
import { toJsonAsync } from "../../exports/to-json.js";
import { toMarkdownAsync } from "../../exports/to-markdown.js";
import { toPlainTextAsync } from "../../exports/to-text.js";
import { openPdfForRendering } from "../../imaging/pdf-rendering.js";
import { EXTRACT_STEP, extractsFields, type RenderOutput, type ValidateOutput } from "../plan.js";
import { readJson } from "../workspace.js";

const FILES: Record<OutputFormat, { name: string; mimeType: string }> = {
  txt: { name: "document.txt", mimeType: "text/plain; charset=utf-8" },
  md: { name: "document.md", mimeType: "text/markdown; charset=utf-8" },
  json: { name: "document.json", mimeType: "application/json" },
  hocr: { name: "document.hocr", mimeType: "text/vnd.hocr+html; charset=utf-8" },
  pdf: { name: "document.pdf", mimeType: "application/pdf" },
};

/**
 * Writes the requested outputs, all derived from the assembled model. The artifacts become
 * visible in the same transaction as this step's success, so a cancelled or failed export
 * leaves none behind (its workspace is removed by the engine).
 */
export function exportStep(deps: { blobStore: BlobStore }): StepHandler {
  return async (ctx) => {
    const [info, model] = await Promise.all([
      readJson<ValidateOutput>(deps.blobStore, `${ctx.workspaceOf("validate")}validate.json`),
      readJson<DocumentModel>(deps.blobStore, `${ctx.workspaceOf("assemble")}model.json`),
    ]);
    const formats = ctx.options.outputs.length > 0 ? ctx.options.outputs : (Object.keys(FILES) as OutputFormat[]);
    // The searchable PDF carries the fields as metadata when the job extracted them.
    const fields =
      formats.includes("pdf") && extractsFields(ctx.options)
        ? await readFields(deps.blobStore, ctx.workspaceOf(EXTRACT_STEP))
        : null;
    // Each output is stored while the next one is made: a durable write waits on the disk
    // (fsync), making one uses the CPU, and a job's five need not take turns at both.
    const writes: Promise<ArtifactRecord>[] = [];
    try {
      for (const [i, format] of formats.entries()) {
        ctx.signal.throwIfAborted();
        ctx.progress(i, formats.length, `writing ${format}`);
        const content = await render(
          format,
          model,
          info,
          ctx.workspaceOf("render_pages"),
          deps.blobStore,
          ctx.signal,
          fields,
        );
        const key = `${ctx.workspace}${FILES[format].name}`;
        const write = deps.blobStore
          .put(key, content)
          .then(({ size }) => ({ kind: format, blobKey: key, mimeType: FILES[format].mimeType, sizeBytes: size }));
        write.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
        writes.push(write);
      }
      const artifacts = await Promise.all(writes);
      ctx.progress(formats.length, formats.length);
      return { artifacts, message: `wrote ${formats.join(", ")}`, detail: { formats } };
    } catch (error) {
      // Let every write end before the step does: the engine then removes the step's
      // workspace, and a write still running could put a file back into it.
      await Promise.allSettled(writes);
      throw error;
    }
  };
}

async function render(
  format: OutputFormat,
  model: DocumentModel,
  info: ValidateOutput,
  renderPrefix: string,
  blobStore: BlobStore,
  signal: AbortSignal,
  fields: FieldsMetadata | null,
): Promise<Buffer | string> {
  // The *Async exporters yield every ~20 ms: a 500-page model would otherwise hold the
  // event loop (and the job's heartbeat) for most of a second.
  switch (format) {
    case "txt":
      return toPlainTextAsync(model, { signal });
    case "md":
      return toMarkdownAsync(model, { signal });
    case "json":
      return toJsonAsync(model, { signal });
    case "hocr":
      return toHocrAsync(model, { signal });
    case "pdf": {
      const rendered = await readJson<RenderOutput>(blobStore, `${renderPrefix}render.json`).catch(
        () => ({ pages: [] }) as RenderOutput,
      );
      const fromRendered: PageImageProvider = async (n) => {
        const page = rendered.pages.find((p) => p.number === n);
        if (page) return { bytes: await blobStore.getBuffer(page.key), format: "png", dpi: page.dpi };
        // A page that was not rendered (it had a text layer): render it now, for the image-only fallback.
        const pdf = await openPdfForRendering(await blobStore.getBuffer(info.blobKey), { signal });
        try {
          const image = await pdf.renderPage(n, { dpi: 150, signal });
          return { bytes: image.png, format: "png", dpi: image.dpi };
        } finally {
          await pdf.close();
        }
      };
      const source =
        info.kind === "pdf"
          ? { kind: "pdf" as const, bytes: await blobStore.getBuffer(info.blobKey), fallbackImages: fromRendered }
          : { kind: "images" as const, images: fromRendered };
      return Buffer.from(await buildSearchablePdf(model, source, { signal, title: info.filename, fields }));
    }
  }
}

/**
 * The extraction the `extract_fields` step left in its workspace (pipeline/steps/
 * extract-fields.ts), or null when it left none: a step that skipped writes nothing, and the
 * PDF is still worth making without the metadata.
 */
async function readFields(blobStore: BlobStore, prefix: string): Promise<FieldsMetadata | null> {
  try {
    return JSON.parse((await blobStore.getBuffer(`${prefix}fields.json`)).toString("utf8")) as FieldsMetadata;
  } catch (error) {
    if (error instanceof DocketError && error.code === "not_found") return null;
    throw error;
  }
}
