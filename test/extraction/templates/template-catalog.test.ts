import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { DocketError } from "../../../src/errors.js";
import { TemplateCatalog, templateNameOfFile } from "../../../src/extraction/templates/template-catalog.js";
import { createLogger } from "../../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../../support/databases.js";

function capture() {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return {
    log: createLogger({ level: "info", destination: stream }),
    lines: () =>
      text
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const template = (issuer: string, extra = "") =>
  `issuer: ${issuer}\nkeywords: [${issuer}]\nfields:\n  amount: Total (\\d+)\n${extra}`;

/** Write a file with an mtime that differs from its previous one, however fast the test runs. */
let tick = 1_700_000_000;
function write(path: string, text: string): void {
  writeFileSync(path, text);
  tick += 10;
  utimesSync(path, tick, tick);
}

describe("templateNameOfFile", () => {
  it("is the file name without extension, lower case, other characters as dashes", () => {
    assert.equal(templateNameOfFile("/t/com/com.AzureInterior.yml"), "com.azureinterior");
    assert.equal(templateNameOfFile("nl/nl.accor.rhine.opco hotels.json"), "nl.accor.rhine.opco-hotels");
    assert.equal(templateNameOfFile("pl.orlen.YAML"), "pl.orlen");
  });
});

for (const dialect of DIALECTS) {
  describe(`TemplateCatalog on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let dir: string;
    let now = 0;
    const clock = () => now;

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), "docket-catalog-"));
      mkdirSync(join(dir, "pl", "deep"), { recursive: true });
      write(join(dir, "a.yml"), template("Alpha", "input_module: pdftotext\n"));
      write(join(dir, "pl", "b.yaml"), template("Beta"));
      write(
        join(dir, "pl", "deep", "c.json"),
        JSON.stringify({ issuer: "Gamma", keywords: ["Gamma"], fields: { amount: "Total (\\d+)" } }),
      );
      write(join(dir, "pl", "broken.yml"), "keywords: [X]\nfields:\n  amount: (\\d+\n");
      write(join(dir, "notes.txt"), "not a template");
    });
    after(async () => {
      if (skip) return;
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it(
      "loads the folder recursively, skips (and logs) a broken file, and re-reads only what changed",
      { skip },
      async () => {
        const out = capture();
        const catalog = new TemplateCatalog({
          dir,
          database: db.database,
          log: out.log,
          checkIntervalMs: 3_000,
          clock,
        });
        const names = async () => (await catalog.templates()).map((t) => `${t.name}:${t.issuer}`);
        assert.deepEqual(await names(), ["a:Alpha", "b:Beta", "c:Gamma"]);
        const skipped = out.lines().filter((l) => l.msg === "template file skipped");
        assert.equal(skipped.length, 1);
        assert.match(String(skipped[0]!.file), /broken\.yml$/);
        assert.match(String(skipped[0]!.err), /template "broken": fields\.amount\[0\]: invalid regular expression/);
        const parsedA = () => out.lines().filter((l) => l.msg === "template loaded with warnings").length;
        assert.equal(parsedA(), 1);

        write(join(dir, "pl", "b.yaml"), template("Beta Two"));
        write(join(dir, "pl", "broken.yml"), template("Fixed"));
        now += 1_000;
        assert.deepEqual(await names(), ["a:Alpha", "b:Beta", "c:Gamma"], "not looked at again within the interval");
        now += 3_000;
        assert.deepEqual(await names(), ["a:Alpha", "b:Beta Two", "broken:Fixed", "c:Gamma"]);
        assert.equal(parsedA(), 1, "an unchanged file is not parsed again");

        rmSync(join(dir, "pl", "deep", "c.json"));
        now += 3_000;
        assert.deepEqual(await names(), ["a:Alpha", "b:Beta Two", "broken:Fixed"]);
        const listed = await catalog.list();
        assert.deepEqual(listed[0], {
          name: "a",
          issuer: "Alpha",
          keywords: ["Alpha"],
          source: "directory",
          updated_at: new Date(listed[0]!.updated_at).toISOString(),
          warnings: ["Docket reads documents its own way: input_module is ignored"],
        });
      },
    );

    it(
      "uploads win over files of the same name and are shared with other processes; only uploads can be removed",
      { skip },
      async () => {
        const log = capture().log;
        const one = new TemplateCatalog({ dir, database: db.database, log, checkIntervalMs: 3_000, clock });
        const other = new TemplateCatalog({ dir, database: db.database, log, checkIntervalMs: 3_000, clock });
        const issuers = async (c: TemplateCatalog) =>
          Object.fromEntries((await c.list()).map((t) => [t.name, `${t.issuer}/${t.source}`]));
        assert.equal((await issuers(other)).a, "Alpha/directory");

        const up = await one.upload("a", template("Alpha uploaded"), "user-1");
        assert.equal(up.created, true);
        assert.equal(up.summary.source, "uploaded");
        assert.equal((await issuers(one)).a, "Alpha uploaded/uploaded", "the uploader sees it at once");
        assert.equal((await issuers(other)).a, "Alpha/directory", "another process within its interval does not yet");
        now += 3_000;
        assert.equal((await issuers(other)).a, "Alpha uploaded/uploaded");
        assert.equal((await other.get("a"))?.yaml, template("Alpha uploaded"));

        const again = await one.upload("a", template("Alpha again"), "user-2");
        assert.equal(again.created, false);
        assert.ok(
          Date.parse(again.summary.updated_at) > Date.parse(up.summary.updated_at),
          "a replacement is newer even within one millisecond",
        );

        await one.remove("a");
        assert.equal((await issuers(one)).a, "Alpha/directory");
        await assert.rejects(
          one.remove("a"),
          (e: unknown) => e instanceof DocketError && e.code === "conflict" && /templates folder/.test(e.message),
        );
        await assert.rejects(one.remove("nothing"), (e: unknown) => e instanceof DocketError && e.code === "not_found");
        await assert.rejects(
          one.upload("Bad/Name", template("X"), "u"),
          (e: unknown) => e instanceof DocketError && e.code === "validation_error",
        );
        await assert.rejects(
          one.upload("..", template("X"), "u"),
          (e: unknown) => e instanceof DocketError && e.code === "validation_error",
        );
        await assert.rejects(
          one.upload("bad", "keywords: [X]\nfields:\n  amount: (\\d+\n", "u"),
          (e: unknown) => e instanceof DocketError && e.code === "validation_error",
        );
        assert.equal(await one.get("bad"), null);
      },
    );

    it("works without a folder, and says once when the folder cannot be read", { skip }, async () => {
      const out = capture();
      const missing = new TemplateCatalog({
        dir: join(dir, "missing"),
        database: db.database,
        log: out.log,
        checkIntervalMs: 0,
        clock,
      });
      await missing.upload("only", template("Only"), "u");
      assert.deepEqual(
        (await missing.templates()).map((t) => t.name),
        ["only"],
      );
      await missing.templates();
      assert.equal(
        out.lines().filter((l) => l.msg === "templates folder cannot be read: only uploaded templates are used").length,
        1,
      );
      const none = new TemplateCatalog({ dir: undefined, database: db.database, log: out.log, clock });
      assert.ok((await none.templates()).some((t) => t.name === "only"));
      await missing.remove("only");
    });
  });
}
