/**
 * Worker-thread side of TextLayerWorker: runs extractTextLayer off the main thread (PDFium's
 * calls are synchronous, and a large or hostile page can hold its thread for a while).
 */
import { parentPort } from "node:worker_threads";
import { DocketError } from "../errors.js";
import { extractTextLayer } from "./text-layer.js";
import type { TextLayerRequest, TextLayerResponse } from "./text-layer-worker.js";

const port = parentPort;
if (!port) throw new Error("text-layer-worker-entry must run in a worker thread");

port.on("message", (request: TextLayerRequest) => {
  const send = (response: TextLayerResponse): void => port.postMessage(response);
  extractTextLayer(request.bytes, {
    ...request.options,
    onProgress: (done, total) => send({ id: request.id, type: "progress", done, total }),
  }).then(
    (pages) => send({ id: request.id, type: "done", pages }),
    (error: unknown) =>
      send({
        id: request.id,
        type: "error",
        error:
          error instanceof DocketError
            ? { code: error.code, message: error.message, details: error.details ?? null }
            : { code: null, message: error instanceof Error ? error.message : String(error), details: null },
      }),
  );
});
