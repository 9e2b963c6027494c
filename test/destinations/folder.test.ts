/**
 * Folder destinations on real file systems: a read-only mount, a small tmpfs that is full
 * (then freed, and the retry delivers), and a symbolic link out of the root. The mounts are
 * real (`mount -t tmpfs`); where this process may not mount, those cases skip and say why.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createUsers, pngBytes, waitForJob, type TestServer, type Users } from "../api/support.js";
import { startDeliveryServer } from "./support.js";

function tryMount(dir: string, options: string): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
    return undefined;
  } catch (error) {
    return `skipped: cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
}

/** Fills a file system until it refuses another byte. */
async function fill(dir: string): Promise<void> {
  const chunk = Buffer.alloc(4096, 1);
  for (let i = 0; ; i++) {
    try {
      await writeFile(join(dir, `filler-${i}`), chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOSPC") return;
      throw error;
    }
  }
}

describe("folder destinations on real file systems", () => {
  let root: string;
  let server: TestServer;
  let u: Users;
  let readOnlySkip: string | undefined;
  let fullSkip: string | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "docket-folder-"));
    await mkdir(join(root, "ro"));
    await mkdir(join(root, "full"));
    readOnlySkip = tryMount(join(root, "ro"), "size=1m,ro");
    fullSkip = tryMount(join(root, "full"), "size=64k");
    server = await startDeliveryServer("sqlite", { DOCKET_FOLDER_ROOTS: root });
    u = await createUsers(server.base);
  });
  after(async () => {
    await server.close();
    for (const dir of ["ro", "full"]) {
      try {
        execFileSync("umount", [join(root, dir)], { stdio: "pipe" });
      } catch {
        // not mounted
      }
    }
    await rm(root, { recursive: true, force: true });
  });

  async function deliver(path: string, filename: string) {
    const dest = await u.alice.req("POST", "/api/v1/destinations", {
      json: { name: filename.replace(/\W/g, "-"), kind: "folder", config: { path } },
    });
    assert.equal(dest.status, 201, dest.text);
    const up = await u.alice.upload(pngBytes(), filename);
    const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
      json: { document_id: up.json.document.id, outputs: ["txt", "pdf"], destinations: [dest.json.id] },
    });
    assert.equal(submit.status, 202, submit.text);
    return { destinationId: dest.json.id as string, jobId: submit.json.id as string };
  }

  it("a read-only file system fails the delivery at once (destination_rejected), and the test says so", async (t) => {
    if (readOnlySkip) return t.skip(readOnlySkip);
    const { destinationId, jobId } = await deliver(join(root, "ro"), "ro.png");
    const done = await waitForJob(u.alice, jobId, ["completed", "failed"]);
    assert.equal(done.status, "failed");
    assert.equal(done.error.code, "destination_rejected");
    assert.match(done.error.message, /read-only/);
    assert.equal(done.steps.at(-1).attempts, 1, "not retried: a read-only file system stays read-only");
    const test = await u.alice.req("POST", `/api/v1/destinations/${destinationId}/test`);
    assert.equal(test.json.ok, false);
    assert.match(test.json.detail, /read-only/);
  });

  it("a full file system fails after the retries with no partial file left; freed, the retry delivers", async (t) => {
    if (fullSkip) return t.skip(fullSkip);
    const full = join(root, "full");
    await fill(full);
    const { jobId } = await deliver(full, "full.png");
    const failed = await waitForJob(u.alice, jobId, ["completed", "failed"], 20_000);
    assert.equal(failed.status, "failed");
    assert.equal(failed.error.code, "destination_rejected");
    assert.match(failed.error.message, /no space left/);
    assert.ok(failed.steps.at(-1).attempts > 1, "retried with back-off: space may be freed");
    const names = await readdir(full);
    assert.deepEqual(
      names.filter((n) => !n.startsWith("filler-")),
      [],
      "no partial or temporary file is left behind",
    );
    for (const name of names) await rm(join(full, name));
    const retry = await u.alice.req("POST", `/api/v1/ocr/jobs/${jobId}/retry`);
    assert.equal(retry.status, 202);
    const done = await waitForJob(u.alice, jobId, ["completed", "failed"]);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual((await readdir(full)).sort(), ["full.pdf", "full.txt"]);
  });

  it("a symbolic link that leads out of the root is refused before anything is written", async () => {
    const outside = await mkdtemp(join(tmpdir(), "docket-outside-"));
    try {
      await symlink(outside, join(root, "escape"));
      const { jobId } = await deliver(join(root, "escape", "sub"), "escape.png");
      const done = await waitForJob(u.alice, jobId, ["completed", "failed"]);
      assert.equal(done.status, "failed");
      assert.equal(done.error.code, "destination_rejected");
      assert.deepEqual(await readdir(outside), [], "nothing was made outside the root");
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
