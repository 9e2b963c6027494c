/**
 * kill -9 of a worker process in the middle of a delivery: the lease expires, another worker
 * takes the job and delivers again with the same Docket-Delivery id, the steps that had
 * succeeded do not run again, and the folder holds each file once with no leftovers.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createUsers, pngBytes, waitFor, waitForJob, type TestServer, type Users } from "../api/support.js";
import { startDeliveryServer, startReceiver } from "./support.js";

const WORKER = fileURLToPath(new URL("./delivery-worker.ts", import.meta.url));
const SECRET = "crash-secret-123";

function startWorker(dataDir: string, url: string, folderRoot: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, dataDir, url, folderRoot], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve(child);
    });
  });
}

describe("a worker killed mid-delivery", () => {
  let server: TestServer;
  let u: Users;
  let root: string;
  const workers: ChildProcess[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "docket-crash-"));
    // The API process runs no worker, only the rescuer: the jobs run in the child processes.
    server = await startDeliveryServer("sqlite", { DOCKET_WORKERS: "0", DOCKET_FOLDER_ROOTS: root });
    u = await createUsers(server.base);
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it("is recovered by another worker: delivered again with the same id, nothing else runs twice", async () => {
    const receiver = await startReceiver(SECRET);
    try {
      // The first request is held open: the worker is killed while it waits for the answer.
      let holdFirst = true;
      let held: (() => void) | null = null;
      const firstArrived = new Promise<void>((resolve) => (held = resolve));
      receiver.answerWith(() => {
        if (holdFirst) {
          holdFirst = false;
          held!();
          return 0; // held: no answer
        }
        return 200;
      });
      const folder = await u.alice.req("POST", "/api/v1/destinations", {
        json: { name: "disk", kind: "folder", config: { path: join(root, "out") } },
      });
      const hook = await u.alice.req("POST", "/api/v1/destinations", {
        json: { name: "hook", kind: "webhook", config: { url: `${receiver.url}`, secret: SECRET } },
      });
      const dataDir = server.docket.config.dataDir;
      const url = server.docket.config.databaseUrl!;
      const first = await startWorker(dataDir, url, root);
      workers.push(first);
      const up = await u.alice.upload(pngBytes(), "crash.png");
      const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
        json: { document_id: up.json.document.id, destinations: [folder.json.id, hook.json.id] },
      });
      assert.equal(submit.status, 202, submit.text);
      // Fail fast (instead of hanging) if the job ends before the webhook is called.
      let arrived = false;
      void firstArrived.then(() => (arrived = true));
      const early = await waitFor(
        "the webhook request or the job's end",
        async () => {
          if (arrived) return "arrived";
          const job = await u.alice.req("GET", `/api/v1/ocr/jobs/${submit.json.id}`);
          return ["completed", "failed"].includes(job.json.status) ? JSON.stringify(job.json.error) : undefined;
        },
        30_000,
      );
      assert.equal(early, "arrived", "the job ended before the webhook was called");
      first.kill("SIGKILL");
      await new Promise((resolve) => first.once("exit", resolve));

      workers.push(await startWorker(dataDir, url, root));
      const done = await waitForJob(u.alice, submit.json.id, ["completed", "failed"], 30_000);
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      const attempts = Object.fromEntries(
        done.steps.map((s: { name: string; attempts: number }) => [s.name, s.attempts]),
      );
      assert.equal(attempts.ocr, 1, "OCR did not run again");
      assert.equal(attempts["deliver:disk"], 1, "the folder delivery had succeeded and did not run again");
      assert.equal(attempts["deliver:hook"], 2);
      await waitFor("both requests", async () => receiver.received.length >= 2);
      assert.equal(receiver.received.length, 2);
      assert.equal(new Set(receiver.received.map((r) => r.headers["docket-delivery"])).size, 1, "the same delivery id");
      assert.ok(receiver.received.every((r) => r.signatureValid));
      assert.deepEqual((await readdir(join(root, "out"))).sort(), [
        "crash.hocr",
        "crash.json",
        "crash.md",
        "crash.pdf",
        "crash.txt",
      ]);
    } finally {
      await receiver.close();
    }
  });
});
