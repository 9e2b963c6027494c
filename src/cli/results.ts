/** Saving job results to files: written to a temp file and renamed, so a file is whole or absent. */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { OutputFormat } from "../domain/types.js";
import type { DocketClient, JobJson } from "./client/client.js";
import type { CliContext } from "./context.js";
import { formatBytes } from "./output/format.js";

/** File name suffix of each format; the searchable PDF is `.ocr.pdf` so it never overwrites an input PDF. */
export const SUFFIX: Record<OutputFormat, string> = {
  txt: ".txt",
  md: ".md",
  json: ".json",
  hocr: ".hocr",
  pdf: ".ocr.pdf",
};

export async function writeAtomically(source: Readable, path: string): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.part`);
  try {
    await pipeline(source, createWriteStream(temp, { flags: "wx" }));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return (await stat(path)).size;
}

/** Where `-o` says: a whole file (and a note of its size on stderr), or stdout when `-o` is absent or `-`. */
export async function writeOutput(ctx: CliContext, stream: Readable, output: string | undefined): Promise<void> {
  if (output && output !== "-") {
    const path = resolve(output);
    const size = await writeAtomically(stream, path);
    ctx.info(`saved ${path} (${formatBytes(size)})`);
  } else {
    for await (const chunk of stream) ctx.streams.stdout.write(chunk as Buffer);
  }
}

/** `name` without its extension, made unique among `taken` (two inputs a.png and a.pdf → a, a-2). */
export function uniqueStem(filename: string, taken: Set<string>): string {
  const base = basename(filename, extname(filename)) || "document";
  let stem = base;
  for (let n = 2; taken.has(stem); n++) stem = `${base}-${n}`;
  taken.add(stem);
  return stem;
}

/** Saves every output the job produced as `<dir>/<stem><suffix>`; returns the paths. */
export async function saveResults(client: DocketClient, job: JobJson, dir: string, stem: string): Promise<string[]> {
  const saved: string[] = [];
  for (const format of job.outputs as OutputFormat[]) {
    const path = join(dir, `${stem}${SUFFIX[format]}`);
    await writeAtomically(await client.resultFile(job.id, format), path);
    saved.push(path);
  }
  return saved;
}
