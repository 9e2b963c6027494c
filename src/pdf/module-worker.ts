import { Worker } from "node:worker_threads";

/**
 * Start a worker thread running an ES module of this code base. Built code (`dist/…js`) is
 * loaded directly. Source code run through tsx (`…ts`, in tests and `tsx` dev runs) needs
 * tsx's loader inside the worker too, and Node 20 does not carry `--import tsx` into worker
 * threads, so a tiny CommonJS bootstrap registers it before importing the module.
 */
export function startModuleWorker(moduleUrl: URL, name: string): Worker {
  const target = moduleUrl.href;
  const tsxApi = target.endsWith(".ts") ? import.meta.resolve("tsx/esm/api") : null;
  const bootstrap = `
    const { workerData } = require("node:worker_threads");
    (async () => {
      if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
      await import(workerData.target);
    })().catch((error) => { setImmediate(() => { throw error; }); });
  `;
  return new Worker(bootstrap, { eval: true, name, workerData: { target, tsxApi } });
}

/** `./name.js` next to the calling module, or `./name.ts` when the caller runs from source. */
export function siblingModule(callerUrl: string, name: string): URL {
  const ext = callerUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${name}${ext}`, callerUrl);
}
