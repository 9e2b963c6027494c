/**
 * `docket collection …` as a person runs it: a real subprocess against a real server (remote
 * mode), and on a data dir (local mode).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { client, pngBytes, type TestServer } from "../api/support.js";
import { adminToken, cliPipelines, runCli, startCliServer, type CliOptions } from "../cli/support.js";
import { createCompilePipeline } from "../../src/collections/compile/compile-pipeline.js";
import { reviewThresholds } from "../../src/fields/thresholds.js";
import { readFileSync } from "node:fs";

describe("docket collection (remote mode)", () => {
  let server: TestServer;
  let token: string;
  const docket = (args: string[], options: CliOptions = {}) =>
    runCli(args, { ...options, env: { DOCKET_URL: server.base, DOCKET_TOKEN: token, ...options.env } });

  before(async () => {
    server = await startCliServer(
      "sqlite",
      {},
      {
        pipelines: (deps) => [
          ...cliPipelines(deps),
          createCompilePipeline({ ...deps, thresholds: reviewThresholds(deps.config) }),
        ],
      },
    );
    token = await adminToken(server.base);
  });
  after(async () => server.close());

  async function upload(): Promise<string> {
    const res = await client(server.base, token).upload(pngBytes(300), "scan.png");
    assert.equal(res.status, 201, res.text);
    return res.json.document.id as string;
  }

  it("create, add, process, status --follow until the stage settles, then compile is unlocked", async () => {
    const created = await docket(["collection", "create", "March invoices"]);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^[0-9a-z-]{10,}$/i);
    const [a, b] = [await upload(), await upload()];

    const added = await docket(["collection", "add", id, a, b]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout.trim(), "March invoices: 2 documents");

    const locked = await docket(["collection", "compile", id]);
    assert.equal(locked.code, 2, locked.stdout);
    assert.match(locked.stderr, /stage_locked/);
    assert.match(locked.stderr, /2 of 2 documents are not completed/);

    const processed = await docket(["collection", "process", id]);
    assert.equal(processed.code, 0, processed.stderr);
    assert.match(processed.stdout, /^queued 2 jobs \(batch /);

    const followed = await docket(["collection", "status", id, "--follow"]);
    assert.equal(followed.code, 0, followed.stderr);
    const lines = followed.stderr.trim().split("\n");
    assert.match(
      lines.at(-1)!,
      /^Phase 1 of 2: 2 of 2 documents finished 100% \(.+\); process completed; compile ready$/,
    );

    const again = await docket(["collection", "process", id, "--json"]);
    const skipped = JSON.parse(again.stdout).skipped;
    assert.deepEqual(
      skipped.map((s: { reason: string }) => s.reason),
      ["completed", "completed"],
    );

    const notReady = await docket(["collection", "result", id, "csv"]);
    assert.equal(notReady.code, 2);
    assert.match(notReady.stderr, /not_ready/);

    const compiled = await docket(["collection", "compile", id, "--outputs", "csv,json"]);
    assert.equal(compiled.code, 0, compiled.stderr);
    assert.match(compiled.stdout, /^compile job \S+ (pending|processing) \(2 steps\)$/m);
    const done = await docket(["collection", "status", id, "--follow"]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr.trim().split("\n").at(-1)!, /^Phase 2 of 2: .*compile completed$/);
    const csv = await docket(["collection", "result", id, "csv"]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.deepEqual(
      csv.stdout
        .replace(/^\ufeff/, "")
        .trim()
        .split("\r\n")
        .slice(1)
        .map((l) => l.split(",")[0]),
      [a, b],
    );
    const out = join(tmpdir(), `docket-summary-${Date.now()}.json`);
    const saved = await docket(["collection", "result", id, "json", "-o", out]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).counts.documents, 2);
    rmSync(out, { force: true });
  });

  it("refuses unknown formats and outputs with a usage error", async () => {
    const badFormat = await docket(["collection", "result", "x", "docx"]);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /docx/);
    const badOutputs = await docket(["collection", "compile", "x", "--outputs", "pdf,docx"]);
    assert.equal(badOutputs.code, 2);
    assert.match(badOutputs.stderr, /--outputs/);
  });
});

describe("docket collection (local mode)", () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "docket-collection-cli-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates and lists collections on the data dir, acting as the admin", async () => {
    const env = {
      DOCKET_DATA_DIR: dataDir,
      DOCKET_ADMIN_EMAIL: "admin@example.test",
      DOCKET_ADMIN_PASSWORD: "admin-password",
    };
    const created = await runCli(["collection", "create", "Local", "--json"], { env });
    assert.equal(created.code, 0, created.stderr);
    const collection = JSON.parse(created.stdout);
    assert.equal(collection.name, "Local");
    const status = await runCli(["collection", "status", collection.id], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /process empty; compile locked: The collection has no documents/);
    const missing = await runCli(["collection", "status", "no-such-collection"], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not_found/);
  });
});
