/** bench:ocr's orientation part: OSD and recognize() against the known rotations of two PDFs. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openPdfForRendering } from "../../src/imaging/pdf-rendering.js";
import type { RasterImage } from "../../src/imaging/raster.js";
import { parseOsdOutput } from "../../src/ocr/cli/cli-backend.js";
import type { OcrEngine } from "../../src/ocr/ocr-engine.js";
import { DATA } from "./accuracy.js";

const ORIENTATION_CASES = [
  { file: "pdfs/ocrmypdf/cardinal.pdf", expected: [0, 270, 180, 90] },
  // The data README lists 270/180/270/0 (tesseract OSD at low resolution); page 3's text
  // visibly reads bottom-to-top, so upright needs 90° clockwise: see docs/OCR.md.
  { file: "pdfs/paperless/rotated.pdf", expected: [270, 180, 90, 0] },
];

export interface OrientationRow {
  who: string;
  file: string;
  detected: number[];
  expected: number[];
  correct: number;
}

export async function orientation(engine: OcrEngine, bare: string | undefined): Promise<OrientationRow[]> {
  const rows: OrientationRow[] = [];
  for (const c of ORIENTATION_CASES) {
    const pdf = await openPdfForRendering(readFileSync(join(DATA, c.file)));
    const pages: RasterImage[] = [];
    for (let n = 1; n <= pdf.numPages; n++) pages.push(await pdf.renderPage(n, { dpi: 300 }));
    await pdf.close();
    const mine = await Promise.all(pages.map((p) => engine.detectOrientation(p).then((o) => o.rotation)));
    rows.push({
      who: `${engine.name} OSD`,
      file: c.file,
      detected: mine,
      expected: c.expected,
      correct: mine.filter((r, i) => r === c.expected[i]).length,
    });
    // What a job gets: recognize() reads each page as it is first and asks OSD only when the
    // reading looks sideways or poor (page-recognizer.ts).
    const recognized = await Promise.all(
      pages.map((p, i) =>
        engine.recognize(p, { languages: ["eng"], mode: "document", pageNumber: i + 1 }).then((page) => page.rotation),
      ),
    );
    rows.push({
      who: `${engine.name} recognize()`,
      file: c.file,
      detected: recognized,
      expected: c.expected,
      correct: recognized.filter((r, i) => r === c.expected[i]).length,
    });
    if (bare !== undefined) {
      const theirs = await Promise.all(
        pages.map(async (p) => {
          return new Promise<number>((resolve) => {
            const child = execFile(
              bare,
              ["stdin", "stdout", "--psm", "0", "--dpi", "300"],
              { env: { ...process.env, OMP_THREAD_LIMIT: "1" } },
              (_e, out, err) => resolve(parseOsdOutput(`${out}\n${err}`)?.rotation ?? -1),
            );
            child.stdin?.end(p.png);
          });
        }),
      );
      rows.push({
        who: "bare tesseract --psm 0",
        file: c.file,
        detected: theirs,
        expected: c.expected,
        correct: theirs.filter((r, i) => r === c.expected[i]).length,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- report
