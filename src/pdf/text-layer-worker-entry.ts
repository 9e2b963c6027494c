/**
 * Worker-thread side of TextLayerWorker: runs extractTextLayer off the main thread (PDFium's
 * calls are synchronous, and a large or hostile page can hold its thread for a while).
 */
import { parentPort } from "node:worker_threads";
import { PdfiumDocument, type RenderedRegionPixels } from "./pdfium/pdfium-text-layer.js";
import { extractTextLayer } from "./text-layer.js";
import {
  errorResponse,
  type RegionRequest,
  type TextLayerRequest,
  type TextLayerResponse,
} from "./text-layer-worker.js";

const port = parentPort;
if (!port) throw new Error("text-layer-worker-entry must run in a worker thread");

port.on("message", (request: TextLayerRequest) => {
  const send = (response: TextLayerResponse, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(response, transfer);
  const work =
    request.kind === "text"
      ? extractTextLayer(request.bytes, {
          ...request.options,
          onProgress: (done, total) => send({ id: request.id, type: "progress", done, total }),
        })
      : renderRegions(request.bytes, request.regions, request.dpi);
  work.then(
    (result) =>
      send(
        { id: request.id, type: "done", result },
        request.kind === "regions" ? (result as RenderedRegionPixels[]).map((r) => r.rgba.buffer as ArrayBuffer) : [],
      ),
    (error: unknown) => send(errorResponse(request.id, error)),
  );
});

async function renderRegions(
  bytes: Uint8Array,
  regions: RegionRequest[],
  dpi: number,
): Promise<RenderedRegionPixels[]> {
  const doc = await PdfiumDocument.open(bytes);
  try {
    return regions.map((region) => doc.renderRegion(region.page, region.clip, dpi));
  } finally {
    doc.close();
  }
}
