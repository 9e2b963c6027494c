import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { skipReasonFor } from "../support/databases.js";
import { client, createUsers, pngBytes, startServer } from "../api/support.js";

/** A real small filesystem (tmpfs) to fill up; needs root (CI runs as root). */
function mountSmallDisk(): { dir: string; unmount(): void } | string {
  if (process.getuid?.() !== 0) return "needs root to mount a small tmpfs (run as root, as CI does)";
  const dir = mkdtempSync(join(tmpdir(), "docket-fulldisk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs: ${(error as Error).message.split("\n")[0]}`;
  }
  return {
    dir,
    unmount() {
      execFileSync("umount", ["-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes zeros until the filesystem refuses: the disk is then full. */
async function fill(path: string): Promise<void> {
  const handle = await open(path, "w");
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, "ENOSPC");
  } finally {
    await handle.close();
  }
}

describe("a full disk", async () => {
  const disk = mountSmallDisk();
  const skip = (await skipReasonFor("sqlite")) || (typeof disk === "string" ? disk : false);

  it("takes the instance out of readiness; login and upload answer 503 storage_full, never 500", { skip }, async () => {
    if (typeof disk === "string") return;
    const server = await startServer("sqlite", {
      DOCKET_DATA_DIR: disk.dir,
      DATABASE_URL: `sqlite:${join(disk.dir, "docket.db")}`,
      DOCKET_MIN_FREE_DISK_MB: "8",
    });
    try {
      const u = await createUsers(server.base);
      const ready = await client(server.base).req("GET", "/readyz");
      assert.equal(ready.status, 200, ready.text);
      assert.equal(ready.json.checks.data_dir.ok, true);

      const filler = join(disk.dir, "filler");
      await fill(filler);
      const full = await client(server.base).req("GET", "/readyz");
      assert.equal(full.status, 503);
      assert.equal(full.json.checks.data_dir.ok, false);
      assert.match(full.json.checks.data_dir.error, /MiB free/);

      const credentials = { email: "alice@example.test", password: "alice-password" };
      const logins = [];
      for (let i = 0; i < 20; i++) logins.push(await u.anon.req("POST", "/api/v1/auth/login", { json: credentials }));
      for (const login of logins) {
        assert.notEqual(login.status, 500, login.text);
        if (login.status !== 200) assert.equal(login.json.code, "storage_full");
      }
      assert.ok(
        logins.some((l) => l.status === 503),
        logins.map((l) => l.status).join(","),
      );
      const upload = await u.alice.upload(pngBytes(200_000), "big.png");
      assert.equal(upload.status, 503, upload.text);
      assert.equal(upload.json.code, "storage_full");

      await rm(filler);
      assert.equal((await client(server.base).req("GET", "/readyz")).status, 200);
      assert.equal((await u.anon.req("POST", "/api/v1/auth/login", { json: credentials })).status, 200);
    } finally {
      await server.close();
      disk.unmount();
    }
  });
});
