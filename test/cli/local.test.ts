/**
 * The CLI in local mode: a real `docket` subprocess working on a temp data dir directly
 * (SQLite, and PostgreSQL when reachable), running the real OCR pipeline in-process when no
 * server picks the job up, and side by side with a server on the same data dir.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import { openDatabase } from "../../src/db/database.js";
import { FixtureDir, imageOnlyPdf, textImage } from "../fixtures/generate.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { runCli, startServerOn, until, type CliOptions } from "./support.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("docket CLI on the data dir (local mode, SQLite)", () => {
  let dataDir: string;
  let files: FixtureDir;
  const docket = (args: string[], options: CliOptions = {}) =>
    runCli(args, { ...options, env: { DOCKET_DATA_DIR: dataDir, DOCKET_WORKERS: "1", ...options.env } });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "docket-cli-local-"));
    files = await FixtureDir.create();
  });
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await files.remove();
  });

  it("says how to create the first account when there is none, and creates it (an admin)", async () => {
    const none = await docket(["ls"]);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /no account exists yet in sqlite:.*docket\.db: create the first \(admin\) one with `docket users add you@example\.com`, or set DOCKET_ADMIN_EMAIL and DOCKET_ADMIN_PASSWORD/,
    );
    const add = await docket(["users", "add", "owner@example.test", "--password-stdin"], { input: "owner-password\n" });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^created admin owner@example\.test/);
    const short = await docket(["users", "add", "x@example.test", "--password-stdin"], { input: "short\n" });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 8 characters/);
  });

  it(
    "add --wait --output-dir runs the real OCR pipeline in this process and saves every result",
    { timeout: 180_000 },
    async () => {
      const page = await textImage(200);
      const file = await files.write("invoice.png", page.image.png);
      const out = join(files.path, "out");
      const run = await docket(["add", file, "--wait", "--output-dir", out, "--lang", "eng"], { timeoutMs: 170_000 });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /no worker picked the jobs up: running them in this process \(1 at a time\)/);
      for (const step of ["validate", "check_text", "render_pages", "ocr", "assemble", "extract_fields", "export"]) {
        assert.match(
          run.stderr,
          new RegExp(`invoice\\.png: processing — ${step}, step \\d of 7`),
          `progress shows ${step}`,
        );
      }
      // The picture reads "Invoice" but prints no date: extraction rightly asks a person to check it.
      assert.match(
        run.stdout,
        /invoice\.png: manual_review in [\d.]+ m?s — needs review: .*issue_date.* \(document \S+, job \S+\)/,
      );
      const text = await readFile(join(out, "invoice.txt"), "utf8");
      for (const word of ["Invoice", "quick", "brown", "payment"])
        assert.match(text, new RegExp(word), `OCR text has "${word}": ${text}`);
      assert.match(await readFile(join(out, "invoice.md"), "utf8"), /quick brown fox/);
      const model = JSON.parse(await readFile(join(out, "invoice.json"), "utf8")) as { pages: { source: string }[] };
      assert.equal(model.pages[0]?.source, "ocr");
      assert.match(await readFile(join(out, "invoice.hocr"), "utf8"), /ocr_page/);
      assert.match(await readFile(join(out, "invoice.ocr.pdf"), "latin1"), /^%PDF-/);
      // Nothing is left running: the job is done, and no lease is held.
      const database = await openDatabase({ dataDir });
      try {
        const jobs = await database.db.selectFrom("jobs").select(["status", "lease_owner"]).execute();
        assert.deepEqual(jobs, [{ status: "completed", lease_owner: null }]);
      } finally {
        await database.close();
      }
    },
  );

  it(
    "a file the pipeline cannot read fails the job: exit 1 with the error; --json parses",
    { timeout: 120_000 },
    async () => {
      const broken = await files.write("broken.png", Buffer.concat([PNG_SIGNATURE, randomBytes(400)]));
      const run = await docket(["add", broken, "--wait", "--json"], { timeoutMs: 110_000 });
      assert.equal(run.code, 1, run.stderr);
      const result = JSON.parse(run.stdout) as {
        ok: boolean;
        files: { status: { status: string; error: { code: string } | null } }[];
      };
      assert.equal(result.ok, false);
      assert.equal(result.files[0]?.status.status, "failed");
      assert.equal(result.files[0]?.status.error?.code, "corrupt_file");
      assert.match(run.stderr, /broken\.png: failed — validate, step 1 of 7: .*\(corrupt_file\)/);
    },
  );

  it(
    "a token created locally works against a server on the same data dir; with that server running, it runs the jobs",
    { timeout: 120_000 },
    async () => {
      const created = await docket(["tokens", "create", "laptop"]);
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^dkt_/);
      const server = await startServerOn(dataDir);
      try {
        const remote = await runCli(["ls", "--json"], { env: { DOCKET_URL: server.base, DOCKET_TOKEN: token } });
        assert.equal(remote.code, 0, remote.stderr);
        const names = (JSON.parse(remote.stdout) as { items: { filename: string; status: string }[] }).items.map(
          (d) => [d.filename, d.status],
        );
        assert.deepEqual(names, [
          ["broken.png", "failed"],
          ["invoice.png", "manual_review"],
        ]);

        // Local add --wait beside a running server: the server's workers claim the job, this process only watches.
        const file = await files.write("beside.png", Buffer.concat([PNG_SIGNATURE, randomBytes(300)]));
        const run = await docket(["add", file, "--wait"]);
        assert.equal(run.code, 0, run.stderr);
        assert.doesNotMatch(run.stderr, /running them in this process/);
        assert.match(run.stdout, /beside\.png: completed/);
      } finally {
        await server.close();
      }
    },
  );

  it("acts as the first admin by default and as another user with --as", async () => {
    const add = await docket(["users", "add", "bob@example.test", "--role", "user", "--password-stdin"], {
      input: "bob-password\n",
    });
    assert.equal(add.code, 0, add.stderr);
    const asBob = await docket(["--as", "bob@example.test", "ls", "--json"]);
    assert.equal(asBob.code, 0, asBob.stderr);
    assert.equal((JSON.parse(asBob.stdout) as { total: number }).total, 0, "bob sees only his documents");
    const asAdmin = await docket(["ls", "--json"]);
    assert.equal((JSON.parse(asAdmin.stdout) as { total: number }).total, 3);
    const nobody = await docket(["--as", "nobody@example.test", "ls"]);
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /--as nobody@example\.test: no such user/);
  });

  it(
    "Ctrl-C while add --wait runs the job here: exit 130, and the job goes back to the queue with no lease held",
    { timeout: 120_000 },
    async () => {
      const page = (await textImage(150)).image;
      const file = await files.write("interrupted.pdf", await imageOnlyPdf([page, page, page, page, page, page]));
      const run = await docket(["add", file, "--wait", "--ocr", "force"], {
        timeoutMs: 110_000,
        onSpawn: (child, output) => {
          void until(
            "the job to run here",
            () => /interrupted\.pdf: processing — (render_pages|ocr)/.test(output.stderr()),
            90_000,
          ).then(() => child.kill("SIGINT"));
        },
      });
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /interrupted: jobs this process was running went back to the queue/);
      assert.match(run.stdout, /interrupted\.pdf: (processing|queued) — /);
      const database = await openDatabase({ dataDir });
      try {
        const job = await database.db
          .selectFrom("jobs")
          .innerJoin("documents", "documents.id", "jobs.document_id")
          .select(["jobs.status", "jobs.lease_owner"])
          .where("documents.filename", "=", "interrupted.pdf")
          .executeTakeFirstOrThrow();
        assert.deepEqual(job, { status: "pending", lease_owner: null });
      } finally {
        await database.close();
      }
    },
  );
});

for (const dialect of DIALECTS) {
  describe(`docket CLI local mode basics on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let files: FixtureDir;
    const docket = (args: string[], options: CliOptions = {}) =>
      runCli(args, {
        ...options,
        env: {
          DOCKET_DATA_DIR: db.dataDir,
          DATABASE_URL: dialect === "postgres" ? db.url : undefined,
          DOCKET_ADMIN_EMAIL: "boot@example.test",
          DOCKET_ADMIN_PASSWORD: "boot-password",
          ...options.env,
        },
      });

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      files = await FixtureDir.create();
    });
    after(async () => {
      if (skip) return;
      await db.drop();
      await files.remove();
    });

    it("bootstraps the admin from DOCKET_ADMIN_EMAIL; add --no-process, ls, status, rm", { skip }, async () => {
      const file = await files.write("upload-only.png", Buffer.concat([PNG_SIGNATURE, randomBytes(200)]));
      const added = await docket(["add", file, "--no-process", "--json"]);
      assert.equal(added.code, 0, added.stderr);
      const {
        files: [entry],
      } = JSON.parse(added.stdout) as { files: { document: { id: string }; job: null; status: { status: string } }[] };
      assert.equal(entry?.job, null);
      assert.equal(entry?.status.status, "uploaded");
      const owner = await db.database.db
        .selectFrom("users")
        .innerJoin("documents", "documents.owner_id", "users.id")
        .select("users.email")
        .executeTakeFirst();
      assert.equal(owner?.email, "boot@example.test");

      const again = await docket(["add", file, "--no-process"]);
      assert.match(again.stderr, /already added as document/);
      assert.match(again.stdout, /\(duplicate of an existing document\)/);

      const status = await docket(["status", entry!.document.id]);
      assert.equal(status.code, 0);
      assert.match(status.stdout, /^status\s+uploaded$/m);
      assert.equal((await docket(["rm", entry!.document.id])).code, 0);
      const list = JSON.parse((await docket(["ls", "--json"])).stdout) as { total: number };
      assert.equal(list.total, 0);
    });
  });
}
