/**
 * A hung tesseract (#15 item 4), end to end: the real OCR pipeline on a real scanned page,
 * with a `tesseract` on PATH whose first recognition hangs (it execs `sleep`, a stand-in for a
 * stuck binary; every later call runs the real tesseract). The OCR step's per-page limit
 * ends the first attempt with `timeout`, the hung process is SIGKILLed (checked by pid in the
 * process table), the retry reads the page with the real binary and the job completes; the
 * worker's one slot then runs the next job. The same abort ends a tesseract.js thread (and
 * the pool replaces it): the engine suite's cancel test shows that for both engines.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { createUsers, startServer, waitForJob, type TestServer, type Users } from "../api/support.js";
import { imageOnlyPdf, textImage, textLayerPdf } from "../fixtures/generate.js";
import { tesseractBinary, tesseractSkipReason } from "../support/tesseract.js";

/** This process's children named `name` now (asynchronously: the server runs in this process). */
async function childrenNamed(name: string): Promise<number[]> {
  let out = "";
  try {
    ({ stdout: out } = await promisify(execFile)("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)]));
  } catch {
    return []; // ps exits 1 when there is no child
  }
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === name)
    .map(([pid]) => Number(pid));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a hung tesseract process ends its attempt, and the retry completes the job", async () => {
  const skip = await tesseractSkipReason();
  let server: TestServer;
  let users: Users;
  let bin: string;
  const path = process.env.PATH;

  before(async () => {
    if (skip) return;
    bin = mkdtempSync(join(tmpdir(), "docket-hung-tesseract-"));
    // The first call that reads an image hangs (mkdir is atomic: exactly one call wins).
    writeFileSync(
      join(bin, "tesseract"),
      `#!/bin/sh\nif [ "$1" = stdin ] && mkdir "${bin}/hung" 2>/dev/null; then exec sleep 600; fi\nexec "${await tesseractBinary()}" "$@"\n`,
    );
    chmodSync(join(bin, "tesseract"), 0o755);
    process.env.PATH = `${bin}:${path}`;
    server = await startServer(
      "sqlite",
      {
        DOCKET_MAX_UPLOAD_MB: "10",
        DOCKET_OCR_ENGINE: "cli",
        DOCKET_WORKERS: "1",
        // Far more than the small page below needs (under a second; 4.5–10 s measured on 2
        // cores at a load average of 24), so only the hung call times out. The hang costs this long.
        DOCKET_OCR_PAGE_TIMEOUT_S: "20",
      },
      { pipelines: createPipelines },
    );
    users = await createUsers(server.base);
  });
  after(async () => {
    if (skip) return;
    process.env.PATH = path;
    await server.close();
    rmSync(bin, { recursive: true, force: true });
  });

  it(
    "times out, SIGKILLs the hung process, retries, completes, and frees the slot",
    { skip, timeout: 300_000 },
    async () => {
      const page = await textImage(200, {
        lines: ["A time limit ends a stuck OCR call", "and the retry reads the page"],
      });
      const upload = await users.alice.upload(await imageOnlyPdf([page.image]), "hung.pdf", {
        process: "true",
        ocr: "force",
        resolution_mode: "small",
      });
      assert.equal(upload.status, 201, upload.text);
      const jobId = upload.json.job.id as string;
      const hung = new Set<number>();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const pid of await childrenNamed("sleep")) hung.add(pid);
          await sleep(50);
        }
      })();
      const job = await waitForJob(users.alice, jobId, ["failed", "completed"], 240_000);
      sampling = false;
      await sampler;
      assert.equal(job.status, "completed", JSON.stringify(job.error));
      assert.equal(job.attempts, 2, "the timed-out attempt counted; the retry completed the job");
      const ocr = (job.steps as { name: string; status: string; attempts: number }[]).find((s) => s.name === "ocr")!;
      assert.equal(ocr.status, "success");
      assert.equal(ocr.attempts, 2);
      const history = await users.alice.req("GET", `/api/v1/documents/${upload.json.document.id as string}/history`);
      const failure = (
        history.json.items as { step: string | null; status: string; detail: { error?: { code: string } } }[]
      ).find((e) => e.step === "ocr" && e.status === "failure");
      assert.equal(failure?.detail.error?.code, "timeout");

      assert.equal(hung.size, 1, "the hung tesseract was seen running");
      const deadline = Date.now() + 5_000;
      while ([...hung].some(alive) && Date.now() < deadline) await sleep(50);
      assert.deepEqual([...hung].filter(alive), [], "the hung process was killed, not left behind");

      // The one slot is free: a text-layer document (no OCR) runs to completion.
      const next = await users.alice.upload((await textLayerPdf()).bytes, "next.pdf", { process: "true" });
      assert.equal(next.status, 201, next.text);
      const done = await waitForJob(users.alice, next.json.job.id as string, ["completed", "failed"], 60_000);
      assert.equal(done.status, "completed", JSON.stringify(done.error));
    },
  );
});
