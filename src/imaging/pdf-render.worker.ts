/**
 * Worker-thread entry for PDF rendering: owns one document and renders the pages asked for,
 * one at a time, so pdfjs's parsing and rasterisation never block the main event loop (the
 * queue's heartbeats run there). Started by pdf-rendering.ts; one worker per open document.
 */
import { parentPort } from "node:worker_threads";
import { DocketError } from "../errors.js";
import { PdfPageRenderer } from "./pdf-page-renderer.js";
import { serializeError, type RenderWorkerRequest, type RenderWorkerResponse } from "./pdf-render-protocol.js";

const port = parentPort;
if (port === null) throw new Error("pdf-render.worker must run in a worker thread");

let renderer: PdfPageRenderer | undefined;

type ResponseValue = Extract<RenderWorkerResponse, { ok: true }>["value"];

async function handle(message: RenderWorkerRequest): Promise<ResponseValue> {
  switch (message.type) {
    case "open":
      renderer = await PdfPageRenderer.open(message.data, message.options);
      return { numPages: renderer.numPages };
    case "render":
      if (renderer === undefined) throw new DocketError("internal_error", "render before open");
      return renderer.render(message.request);
    case "close":
      await renderer?.close();
      renderer = undefined;
      return null;
  }
}

// Requests arrive one at a time (the client serialises them), so no queue is needed here.
// PNGs are copied, not transferred: a few MB per page is cheap next to rendering it.
port.on("message", (message: RenderWorkerRequest) => {
  handle(message).then(
    (value) => port.postMessage({ id: message.id, ok: true, value } satisfies RenderWorkerResponse),
    (error: unknown) =>
      port.postMessage({ id: message.id, ok: false, error: serializeError(error) } satisfies RenderWorkerResponse),
  );
});
