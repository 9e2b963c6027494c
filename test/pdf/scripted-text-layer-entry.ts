/**
 * A stand-in for text-layer-worker-entry in tests: answers by the request's first bytes, so
 * a test can make the thread fail the way PDFium can. "TRAP" throws a WebAssembly trap,
 * "FAIL" an ordinary error; anything else succeeds with this thread's id, which tells the
 * test whether a request ran on the same thread as the one before it.
 */
import { parentPort, threadId } from "node:worker_threads";
import {
  errorResponse,
  WasmRuntimeError,
  type TextLayerRequest,
  type TextLayerResponse,
} from "../../src/pdf/text-layer-worker.js";

const port = parentPort!;

port.on("message", (request: TextLayerRequest) => {
  const head = Buffer.from(request.bytes.subarray(0, 4)).toString("latin1");
  let response: TextLayerResponse;
  if (head === "TRAP") response = errorResponse(request.id, new WasmRuntimeError("memory access out of bounds"));
  else if (head === "FAIL") response = errorResponse(request.id, new Error("an ordinary failure"));
  else response = { id: request.id, type: "done", result: [{ threadId } as never] };
  port.postMessage(response);
});
