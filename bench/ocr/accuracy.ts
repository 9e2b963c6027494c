/**
 * bench:ocr's accuracy and throughput part: the datasets (uw3 lines, SROIE receipts), the
 * contenders (Docket's engines and the bare tesseract CLI), and running them interleaved.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openImageForOcr } from "../../src/imaging/image-normalize.js";
import { bagOfCharactersError, characterErrorRate, sortedWordsCer, wordF1 } from "../../src/ocr/cer.js";
import type { OcrEngine } from "../../src/ocr/ocr-engine.js";
import { ownTreeCpu } from "../support/process-cpu.js";
import { pageText } from "../../src/ocr/page-text.js";

const run = promisify(execFile);
/** The workspace's shared data folder. */
export const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
/** Pages every contender reads at once. */
export const PARALLEL = 2;
/** Run `fn` over items with at most `limit` at once, keeping order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
export const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * CPU seconds used so far by this process (all threads) and its children, running (the warm
 * tesseract processes) or reaped; undefined where /proc is missing.
 */
const cpuSeconds = ownTreeCpu;

async function bareTesseract(binary: string, args: string[]): Promise<string> {
  const { stdout } = await run(binary, args, { env: { ...process.env, OMP_THREAD_LIMIT: "1" }, maxBuffer: 64 << 20 });
  return stdout;
}

// ---------------------------------------------------------------- datasets

export interface Sample {
  id: string;
  file: string;
  truth: string;
}

export function uw3Samples(limit: number): Sample[] {
  const dir = join(DATA, "uw3_lines", "book");
  const samples: Sample[] = [];
  for (const page of readdirSync(dir).sort()) {
    for (const name of readdirSync(join(dir, page))
      .filter((n) => n.endsWith(".bin.png"))
      .sort()) {
      const base = name.replace(/\.bin\.png$/, "");
      samples.push({
        id: `${page}/${base}`,
        file: join(dir, page, name),
        truth: readFileSync(join(dir, page, `${base}.gt.txt`), "utf8").trim(),
      });
    }
  }
  return samples.slice(0, limit);
}

export function sroieSamples(limit: number): Sample[] {
  const dir = join(DATA, "sroie");
  return readdirSync(join(dir, "img"))
    .filter((n) => n.endsWith(".jpg"))
    .sort()
    .slice(0, limit)
    .map((name) => {
      const id = name.replace(/\.jpg$/, "");
      // x1,y1,…,x4,y4,transcript — the transcript may itself contain commas.
      const truth = readFileSync(join(dir, "box", `${id}.csv`), "utf8")
        .split(/\r?\n/)
        .filter((l) => l.trim() !== "")
        .map((l) => l.split(",").slice(8).join(","))
        .join("\n");
      return { id, file: join(dir, "img", name), truth };
    });
}

// ---------------------------------------------------------------- contenders

export interface Contender {
  name: string;
  /** Text of one image file, read with these languages. */
  read(file: string, languages: readonly string[]): Promise<string>;
}

export function docketContender(
  engine: OcrEngine,
  label: string,
  options: { autoRotate?: boolean; preprocess?: boolean } = {},
): Contender {
  return {
    name: label,
    async read(file, languages) {
      const image = await openImageForOcr(readFileSync(file));
      const page = await engine.recognize(await image.page(0), {
        languages: [...languages],
        mode: "document",
        pageNumber: 1,
        ...options,
      });
      return pageText(page);
    },
  };
}

export function bareContender(binary: string): Contender {
  return {
    name: "bare tesseract CLI",
    read: (file, languages) => bareTesseract(binary, [file, "stdout", "-l", languages.join("+")]),
  };
}

export interface DatasetResult {
  contender: string;
  dataset: string;
  cer: number;
  /** Mean word F1 (cer.ts wordF1), case-insensitive where CER is. */
  f1: number;
  bag?: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds per image (process + tesseract children); undefined without /proc. */
  cpuPerImage?: number;
}

/**
 * Run every contender over the samples in interleaved chunks (chunk 1 for A, B, C, then
 * chunk 2 …), so that load from other processes on a shared machine falls on all contenders
 * alike instead of on whichever ran during the busy minute.
 */
export async function evaluateAll(
  contenders: Contender[],
  dataset: string,
  samples: Sample[],
  ordered: boolean,
  chunk = 10,
  languages: readonly string[] = ["eng"],
): Promise<DatasetResult[]> {
  const texts = contenders.map(() => new Array<string>(samples.length));
  const seconds = contenders.map(() => 0);
  const cpu = contenders.map(() => 0);
  for (let start = 0; start < samples.length; start += chunk) {
    const slice = samples.slice(start, start + chunk);
    for (const [c, contender] of contenders.entries()) {
      const started = performance.now();
      const cpuBefore = cpuSeconds();
      const out = await mapLimit(slice, PARALLEL, (s) => contender.read(s.file, languages));
      seconds[c]! += (performance.now() - started) / 1000;
      const cpuAfter = cpuSeconds();
      cpu[c]! += cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore;
      out.forEach((t, i) => (texts[c]![start + i] = t));
    }
  }
  // SROIE's transcripts are mostly upper-cased by the annotators ("DOCUMENT NO" for a printed
  // "Document No"), so receipts are compared case-insensitively.
  const up = (t: string): string => (ordered ? t : t.toUpperCase());
  return contenders.map((contender, c) => {
    const cers = samples.map((s, i) =>
      ordered ? characterErrorRate(texts[c]![i]!, s.truth) : sortedWordsCer(up(texts[c]![i]!), up(s.truth)),
    );
    const bags = samples.map((s, i) => bagOfCharactersError(up(texts[c]![i]!), up(s.truth)));
    const f1s = samples.map((s, i) => wordF1(up(texts[c]![i]!), up(s.truth)));
    return {
      contender: contender.name,
      dataset,
      cer: mean(cers),
      f1: mean(f1s),
      ...(ordered ? {} : { bag: mean(bags) }),
      seconds: seconds[c]!,
      perSecond: samples.length / seconds[c]!,
      ...(Number.isNaN(cpu[c]) ? {} : { cpuPerImage: cpu[c]! / samples.length }),
    };
  });
}

// ---------------------------------------------------------------- orientation
