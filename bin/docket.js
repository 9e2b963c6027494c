#!/usr/bin/env node
// The `docket` command. Runs the compiled CLI (dist/, built by `npm run build`, which
// `npm install` runs through the `prepare` script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  console.error("docket: not built yet — run `npm run build` (or `npm install`) in the Docket folder first");
  process.exit(2);
}
await import(main);
