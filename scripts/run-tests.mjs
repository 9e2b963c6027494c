#!/usr/bin/env node
// Runs the test suite with Node's own test runner (TypeScript through tsx).
// Usage: npm test [-- <path-substring> ...]  — only test files whose path contains a substring.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith(".test.ts")) out.push(relative(root, full));
  }
  return out;
}

/**
 * The CLI suites start `docket` a few hundred times. Compiled once here (no type check: lint
 * does that), each start takes a third of what it takes through tsx. Always rebuilt from the
 * current sources, so a test never runs stale code; test/cli/support.ts falls back to tsx when
 * a file runs without this runner.
 */
function compileSources() {
  const outDir = join(root, ".test-build");
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const options = ["--noCheck", "--incremental", "false", "--sourceMap", "false", "--declaration", "false"];
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", ...options, "--outDir", outDir], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error("compiling the sources for the CLI tests failed");
    process.exit(1);
  }
  console.log(`compiled the sources for the CLI tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return outDir;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const files = findTests(join(root, "test"))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(", ")}`);
  process.exit(1);
}
const env = { ...process.env, NODE_ENV: "test" };
if (files.some((f) => f.startsWith(join("test", "cli")))) env.DOCKET_TEST_BUILD = compileSources();
const concurrency = process.env.DOCKET_TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env },
);
process.exit(result.status ?? 1);
