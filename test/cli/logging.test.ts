/** Logs: JSON lines with bindings for ids, secrets redacted; readable lines when asked for. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../src/logger.js";
import { runCli, until } from "./support.js";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("logging", () => {
  it("writes JSON lines; child loggers carry job and document ids; secrets are redacted wherever they sit", () => {
    const out = capture();
    const log = createLogger({ level: "info", destination: out.stream });
    log.child({ jobId: "job-1", documentId: "doc-1" }).child({ step: "ocr" }).info({ pages: 3 }, "step finished");
    log.info(
      {
        token: "dkt_secret1",
        password: "secret2",
        headers: { authorization: "Bearer secret3", cookie: "docket_session=secret4" },
        req: { headers: { authorization: "Bearer secret5" } },
        config: { databaseUrl: "postgres://u:secret6@db/x", adminPassword: "secret7" },
        user: { email: "a@example.test", password: "secret8" },
        csrf_token: "secret9",
      },
      "careless",
    );
    const [step, careless] = out.lines();
    assert.deepEqual(
      [step?.jobId, step?.documentId, step?.step, step?.pages, step?.msg],
      ["job-1", "doc-1", "ocr", 3, "step finished"],
    );
    const text = JSON.stringify(careless);
    for (let i = 1; i <= 9; i++) assert.ok(!text.includes(`secret${i}`), `secret${i} is redacted: ${text}`);
    assert.equal((careless?.user as { email: string }).email, "a@example.test", "the rest stays");
  });

  it(
    "DOCKET_LOG_FORMAT=pretty prints readable lines even when stdout is not a terminal",
    { timeout: 90_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "docket-cli-log-"));
      try {
        const run = await runCli(["worker", "--concurrency", "1"], {
          env: { DOCKET_DATA_DIR: dataDir, DOCKET_LOG_FORMAT: "pretty", LOG_LEVEL: "info" },
          timeoutMs: 80_000,
          onSpawn: (child, output) => {
            void until("worker started", () => /INFO.*worker started/.test(output.stdout()), 60_000).then(() =>
              child.kill("SIGTERM"),
            );
          },
        });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: worker started$/m);
        assert.doesNotMatch(run.stdout, /^\{"level"/m);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
