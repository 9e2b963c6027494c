import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, describe, test } from "node:test";
import { DocketError } from "../../src/errors.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { leavesPdfiumUnusable, TextLayerWorker, WasmRuntimeError } from "../../src/pdf/text-layer-worker.js";
import { makeTextPdf, paragraph } from "./fixtures.js";

describe("TextLayerWorker", () => {
  const worker = new TextLayerWorker({ idleTimeoutMs: 5_000 });
  after(() => worker.close());

  test("gives the same pages as in-thread extraction, with progress, keeping the main thread free", async () => {
    const pdf = await makeTextPdf(
      Array.from({ length: 4 }, (_, n) => ({ runs: paragraph([`Page ${n + 1} first line`, "second line of text"]) })),
    );
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const progress: number[] = [];
    const viaWorker = await worker.extract(pdf, { dpi: 150, onProgress: (done) => progress.push(done) });
    delay.disable();
    const inThread = await extractTextLayer(pdf, { dpi: 150 });
    assert.deepEqual(viaWorker, inThread);
    assert.deepEqual(progress, [1, 2, 3, 4]);
    assert.ok(delay.max / 1e6 < 150, `main thread blocked for ${Math.round(delay.max / 1e6)} ms`);
  });

  test("errors come back as DocketErrors; the worker survives them", async () => {
    await assert.rejects(
      worker.extract(Buffer.from("%PDF-1.4 broken")),
      (e: unknown) => e instanceof DocketError && e.code === "corrupt_file",
    );
    const pages = await worker.extract(await makeTextPdf([{ runs: [{ text: "still alive", x: 72, y: 700 }] }]));
    assert.equal(pages[0]?.page.blocks[0]?.lines[0]?.words.map((w) => w.text).join(" "), "still alive");
  });

  test("abort stops at once, and the next call gets a fresh thread", async () => {
    const pdf = await makeTextPdf(
      Array.from({ length: 40 }, () => ({
        runs: paragraph(Array.from({ length: 40 }, () => "lorem ipsum dolor sit amet")),
      })),
    );
    const controller = new AbortController();
    const pending = worker.extract(pdf, {
      signal: controller.signal,
      onProgress: () => controller.abort(new DocketError("cancelled", "user cancelled")),
    });
    const started = performance.now();
    await assert.rejects(pending, (e: unknown) => e instanceof DocketError && e.code === "cancelled");
    assert.ok(performance.now() - started < 1000);
    const again = await worker.extract(pdf, { pages: [1] });
    assert.equal(again.length, 1);
  });
});

describe("TextLayerWorker after a WebAssembly trap", () => {
  const scripted = new TextLayerWorker({
    idleTimeoutMs: 5_000,
    entry: new URL("./scripted-text-layer-entry.ts", import.meta.url),
  });
  after(() => scripted.close());
  const threadOf = async (text: string): Promise<number> =>
    ((await scripted.extract(Buffer.from(text))) as unknown as { threadId: number }[])[0]!.threadId;

  test("only a trap leaves PDFium unusable", () => {
    assert.equal(leavesPdfiumUnusable(new WasmRuntimeError("unreachable")), true);
    assert.equal(leavesPdfiumUnusable(new Error("corrupt")), false);
    assert.equal(leavesPdfiumUnusable(new DocketError("corrupt_file", "bad PDF")), false);
  });

  test("fails the request as a transient internal error and serves the next one on a new thread", async () => {
    const first = await threadOf("hello");
    // An ordinary failure keeps the thread (and its loaded PDFium).
    await assert.rejects(
      scripted.extract(Buffer.from("FAIL")),
      (e: unknown) => e instanceof DocketError && e.code === "internal_error" && !e.permanent,
    );
    assert.equal(await threadOf("hello again"), first);
    // A trap fails its request the same way, and the thread is replaced.
    await assert.rejects(
      scripted.extract(Buffer.from("TRAP")),
      (e: unknown) =>
        e instanceof DocketError && e.code === "internal_error" && !e.permanent && /out of bounds/.test(e.message),
    );
    const after = await threadOf("after the trap");
    assert.notEqual(after, first);
    assert.equal(await threadOf("and then"), after, "the new thread stays");
  });

  test("a call queued behind the trapped one runs on the new thread", async () => {
    const before = await threadOf("before");
    const [trapped, queued] = await Promise.allSettled([scripted.extract(Buffer.from("TRAP")), threadOf("queued")]);
    assert.equal(trapped.status, "rejected");
    assert.equal(queued.status, "fulfilled");
    assert.notEqual((queued as PromiseFulfilledResult<number>).value, before);
  });
});
