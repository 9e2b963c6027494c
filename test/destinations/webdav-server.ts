/**
 * A real WebDAV server for the tests: `rclone serve webdav` on a free loopback port with a
 * user and password, serving a temporary folder (so the test can look at what arrived).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RCLONE_PATH } from "../support/environment.js";

export interface WebdavServer {
  url: string;
  dir: string;
  user: string;
  pass: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startWebdav(user = "docket", pass = "dav-password"): Promise<WebdavServer> {
  const dir = await mkdtemp(join(tmpdir(), "docket-webdav-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      RCLONE_PATH,
      ["serve", "webdav", dir, "--addr", `127.0.0.1:${port}`, "--user", user, "--pass", pass],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; i < 200; i++) {
      try {
        await fetch(url, { method: "OPTIONS" });
        return;
      } catch {
        if (child.exitCode !== null) throw new Error(`rclone serve webdav exited: ${stderr}`);
        await sleep(50);
      }
    }
    throw new Error(`rclone serve webdav did not start: ${stderr}`);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    url,
    dir,
    user,
    pass,
    start,
    stop,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
