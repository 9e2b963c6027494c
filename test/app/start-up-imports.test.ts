/**
 * What a Docket process loads when it starts. An API process and a worker are restarted often
 * (a deploy, a crash, the chaos test's SIGKILLs), and each start pays for every library its
 * modules import; libraries that only some jobs or requests need are imported where they are
 * used instead. This loads the modules `docket serve` and `docket worker` start from, in a
 * fresh process, and lists the CommonJS packages that ended up loaded.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The packages (by name) in the require cache once the start-up modules are imported. */
async function packagesLoadedAtStartUp(): Promise<Set<string>> {
  const script = `
    await import("./src/app/docket.ts");
    await import("./src/app/worker-process.ts");
    await import("./src/pipeline/pipelines.ts");
    const { createRequire } = await import("node:module");
    const names = Object.keys(createRequire(import.meta.url).cache)
      .filter((path) => path.includes("/node_modules/"))
      .map((path) => path.split("/node_modules/").pop().split("/"))
      .map((parts) => (parts[0].startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/"));
    console.log(JSON.stringify([...new Set(names)]));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { cwd: root, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  return new Set(JSON.parse(stdout.trim().split("\n").pop()!) as string[]);
}

describe("process start-up", () => {
  it("loads the libraries every process needs, not those of XLSX, ZIP, VAT-id checks or Unicode text layers", async () => {
    const loaded = await packagesLoadedAtStartUp();
    // The check itself: a CommonJS package imported at start-up does show up here.
    assert.ok(loaded.has("pg") && loaded.has("pdf-lib"), `expected pg and pdf-lib among ${[...loaded].join(", ")}`);
    for (const name of ["exceljs", "archiver", "stdnum", "@pdf-lib/fontkit"])
      assert.ok(!loaded.has(name), `${name} is loaded at start-up`);
  });
});
