#!/usr/bin/env node
// Builds the web UI (web/ → dist/web) when the build is missing or older than its sources.
// `npm start` runs this, so a checkout that was installed without the prepare script (or
// whose web/ changed since) still serves a current UI; an up-to-date build costs one stat walk.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist", "web", "index.html");

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

const sources = ["web", "package-lock.json"].map((p) => join(root, p)).filter(existsSync);
const stale = !existsSync(built) || Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
if (!stale) process.exit(0);

console.error(
  existsSync(built) ? "docket: web UI sources changed; rebuilding dist/web" : "docket: building the web UI (dist/web)",
);
const vite = join(root, "node_modules", "vite", "bin", "vite.js");
if (!existsSync(vite)) {
  console.error("docket: cannot build the web UI: vite is not installed (run `npm install` with dev dependencies)");
  process.exit(existsSync(built) ? 0 : 1);
}
const result = spawnSync(
  process.execPath,
  [vite, "build", "--config", join(root, "web", "vite.config.ts"), "--logLevel", "warn"],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
