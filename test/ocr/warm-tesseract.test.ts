/**
 * The warm tesseract processes (ocr/cli/warm-pool.ts, warm-tesseract.ts) with the real
 * binary: a warm process reads exactly what one process per page reads, is reused for the
 * same way of reading, is replaced when it dies, dies at once on abort, and ends when idle.
 * Skipped without the binary (required under CI).
 */
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DocketError } from "../../src/errors.js";
import { runTesseract } from "../../src/ocr/cli/run-tesseract.js";
import { readFileSync } from "node:fs";
import { silentLogger } from "../../src/logger.js";
import { CliTesseractBackend } from "../../src/ocr/cli/cli-backend.js";
import { NpmTessdataDir } from "../../src/ocr/cli/npm-tessdata.js";
import { WarmTesseractPool } from "../../src/ocr/cli/warm-pool.js";
import { LanguageCatalog } from "../../src/ocr/language-catalog.js";
import { textImage } from "../fixtures/generate.js";
import { tesseractBinary, tesseractSkipReason } from "../support/tesseract.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The word rows of a TSV (level 5), without the page number, which counts pages per process. */
const wordRows = (tsv: string): string[] =>
  tsv
    .split("\n")
    .filter((line) => line.startsWith("5\t"))
    .map((line) =>
      line
        .split("\t")
        .filter((_, i) => i !== 1)
        .join("\t"),
    );

describe("warm tesseract processes", async () => {
  const skip = await tesseractSkipReason();
  let binary: string;
  let pages: Array<{ png: Buffer; dpi: number }>;
  /** A page that takes long enough to read for an abort or a time limit to land mid-page. */
  let longPage: { png: Buffer; dpi: number };
  const ENG = ["-l", "eng", "--psm", "4"];

  before(async () => {
    if (skip) return;
    binary = (await tesseractBinary())!;
    pages = await Promise.all(
      [
        { lines: ["Warm processes keep the model", "loaded between pages"] },
        { lines: ["A second page with other words", "Total 12.50 EUR"] },
      ].map(async (spec) => {
        const { image } = await textImage(200, spec);
        return { png: image.png, dpi: image.dpi };
      }),
    );
    ({ image: longPage } = await textImage(400, {
      lines: Array.from({ length: 30 }, (_, i) => `Line ${i} of a long page`),
    }));
  });

  it("reads each page exactly as a process of its own does, in one reused process", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 2 });
    try {
      const warm: string[] = [];
      for (const page of [...pages, ...pages])
        warm.push(await pool.read(ENG, page.png, page.dpi, { timeoutMs: 60_000 }));
      assert.equal(pool.size, 1, "one process served all four reads");
      for (const [i, page] of pages.entries()) {
        const { stdout } = await runTesseract({
          binary,
          args: ["stdin", "stdout", ...ENG, "--dpi", String(page.dpi), "tsv"],
          stdin: page.png,
        });
        assert.ok(wordRows(stdout).length > 5, "the page has words");
        assert.deepEqual(wordRows(warm[i]!), wordRows(stdout), `page ${i + 1} first time`);
        assert.deepEqual(wordRows(warm[i + 2]!), wordRows(stdout), `page ${i + 1} after another page`);
      }
      assert.match(warm[1]!, /12\.50/);
      assert.ok(warm[0]!.startsWith("level\tpage_num\t"), "a TSV header, as from a process of its own");
    } finally {
      await pool.close();
    }
  });

  it("keeps one process per way of reading, never more than the limit", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 2 });
    try {
      const page = pages[0]!;
      const read = (args: string[]) => pool.read(args, page.png, page.dpi, { timeoutMs: 60_000 });
      await read(ENG);
      await read(["-l", "eng", "--psm", "6"]);
      const [first, second] = pool.pids();
      assert.equal(pool.size, 2);
      await read(ENG);
      assert.deepEqual(pool.pids(), [first, second], "the psm-4 process was reused");
      await read(["-l", "eng", "--psm", "3"]);
      assert.equal(pool.size, 2, "a third kind replaced the one unused longest");
      await sleep(100);
      assert.equal(alive(second!), false, "the psm-6 process (unused longest) was ended");
      assert.ok(pool.pids().includes(first!));
    } finally {
      await pool.close();
    }
  });

  it("kills the process at once on abort and reads the next page with a new one", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 1 });
    try {
      const image = longPage;
      const controller = new AbortController();
      const reading = pool.read(ENG, image.png, image.dpi, { signal: controller.signal, timeoutMs: 60_000 });
      await sleep(300);
      const [pid] = pool.pids();
      const aborted = Date.now();
      controller.abort();
      await assert.rejects(reading, (e: unknown) => e instanceof DocketError && e.code === "cancelled");
      assert.ok(Date.now() - aborted < 500, "rejected promptly");
      await sleep(100);
      assert.equal(alive(pid!), false, "the process was killed");
      const next = await pool.read(ENG, pages[1]!.png, pages[1]!.dpi, { timeoutMs: 60_000 });
      assert.match(next, /second/);
      assert.notEqual(pool.pids()[0], pid);
    } finally {
      await pool.close();
    }
  });

  it("fails a page the binary cannot read with ocr_failed, and stays usable", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 1 });
    try {
      const truncated = pages[0]!.png.subarray(0, 60);
      await assert.rejects(
        pool.read(ENG, truncated, 200, { timeoutMs: 60_000 }),
        (e: unknown) => e instanceof DocketError && e.code === "ocr_failed" && /exited|cannot/.test(e.message),
      );
      const next = await pool.read(ENG, pages[0]!.png, pages[0]!.dpi, { timeoutMs: 60_000 });
      assert.match(next, /Warm/);
    } finally {
      await pool.close();
    }
  });

  it("ends a process that hangs past the time limit", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 1 });
    try {
      const image = longPage;
      await assert.rejects(
        pool.read(ENG, image.png, image.dpi, { timeoutMs: 50 }),
        (e: unknown) => e instanceof DocketError && e.code === "ocr_failed" && /timed out/.test(e.message),
      );
      assert.equal(pool.size, 0, "the timed-out process was dropped");
    } finally {
      await pool.close();
    }
  });

  it("makes its folder again when something removed it", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 1 });
    try {
      await pool.read(ENG, pages[0]!.png, pages[0]!.dpi, { timeoutMs: 60_000 });
      const first = pool.folderPath()!;
      rmSync(first, { recursive: true, force: true });
      const tsv = await pool.read(ENG, pages[1]!.png, pages[1]!.dpi, { timeoutMs: 60_000 });
      assert.match(tsv, /second/);
      assert.notEqual(pool.folderPath(), first);
      assert.ok(existsSync(pool.folderPath()!));
    } finally {
      await pool.close();
    }
  });

  it("ends idle processes and removes its files on close", { skip }, async () => {
    const pool = new WarmTesseractPool({ binary, maxProcesses: 2, idleMs: 200 });
    await pool.read(ENG, pages[0]!.png, pages[0]!.dpi, { timeoutMs: 60_000 });
    const [pid] = pool.pids();
    assert.equal(alive(pid!), true);
    await sleep(700);
    assert.equal(pool.size, 0, "the idle process was ended");
    assert.equal(alive(pid!), false);
    const folder = pool.folderPath();
    assert.ok(folder !== undefined && existsSync(folder));
    await pool.close();
    assert.equal(existsSync(folder), false, "the temporary folder is gone");
  });

  it("reads small images with the npm best_int models and pages with the binary's own", { skip }, async () => {
    const models = NpmTessdataDir.of(new LanguageCatalog())!;
    assert.ok(models.languages.includes("eng"), "eng is an npm dependency");
    const backend = await CliTesseractBackend.create({
      binary,
      concurrency: 1,
      log: silentLogger(),
      smallImages: { models, maxPixels: 1_000_000 },
    });
    let folder: string | undefined;
    const commandLine = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    try {
      const { image: small, text } = await textImage(150, { lines: ["Small images read with best models"] });
      const { image: large } = await textImage(300);
      assert.ok(small.width * small.height <= 1_000_000 && large.width * large.height > 1_000_000);
      const request = (image: typeof small) => ({ ...image, languages: ["eng"], psm: 4, variables: {} });
      const smallTsv = await backend.recognizeTsv(request(small));
      assert.match(smallTsv, /best/);
      assert.ok(text.includes("best"));
      folder = await models.path();
      assert.ok(existsSync(`${folder}/eng.traineddata`), "unpacked on first use");
      assert.match(commandLine(backend.warmProcessIds()[0]!), new RegExp(`--tessdata-dir ${folder}`));
      await backend.recognizeTsv(request(large));
      const lines = backend.warmProcessIds().map(commandLine);
      assert.equal(lines.length, 2, "one process per model set");
      assert.equal(lines.filter((l) => l.includes(folder!)).length, 1, "the page was read with the system models");
      const health = await backend.check();
      assert.match(health.detail, /images up to 1,000,000 px in .*eng.* with the npm best_int models/);
    } finally {
      await backend.close();
    }
    assert.equal(existsSync(folder!), false, "close() removed the unpacked models");
  });
});
