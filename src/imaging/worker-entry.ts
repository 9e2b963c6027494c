/**
 * Locating worker-thread entry files in both ways Docket runs: from TypeScript sources
 * through tsx (tests, `npm run bench:*`), where modules end in `.ts`, and from the `tsc`
 * build in dist/, where they end in `.js`. A worker started from a `.ts` file inherits the
 * parent's `--import tsx` (Worker copies process.execArgv), so the same sibling-resolution
 * rule works in both cases.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * URL of the file `basename` (without extension) beside the module `importMetaUrl`, with the
 * same extension as that module (`.ts` under tsx, `.js` after the build).
 */
export function siblingWorkerUrl(importMetaUrl: string, basename: string): URL {
  const ext = extname(fileURLToPath(importMetaUrl)) || ".js";
  return new URL(`./${basename}${ext}`, importMetaUrl);
}

/**
 * Start a worker thread running the module at `url`. Node 20 does not apply the parent's
 * `--import tsx` loader hooks inside workers, so a `.ts` entry is started through a tiny
 * bootstrap that registers tsx in the worker first (only ever the case under tsx, where
 * tsx is installed); a built `.js` entry starts directly.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url, options);
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
