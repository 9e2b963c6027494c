/**
 * bench:fields through the API: a group of documents uploaded to the bench server and run
 * with extract=off and extract=<mode> alternating in chunks, so load falls on both alike.
 */
import type { ExtractMode } from "../../src/extraction/types.js";
import { spanMs, type BenchServer, type FieldsView, type JobView } from "./api-runner.js";

/** One group's job times through the API, extract=off against on. */
export interface Timing {
  group: string;
  documents: number;
  baselineMs: number[];
  extractMs: number[];
  stepMs: number[];
  baselineWallMs: number;
  extractWallMs: number;
  failed: string[];
}
/** Documents per alternating extract=off / extract=on round. */
export const CHUNK = 10;

/** A document to upload, and what to do with its fields once its job finished. */
export interface ApiDoc {
  name: string;
  bytes: Uint8Array;
  filename: string;
  onFields: (view: FieldsView | null, job: JobView, server: BenchServer) => Promise<void>;
}

/**
 * Uploads the group's documents, warms the server on a few, then runs them in chunks with
 * extract=off and with `mode` alternating; returns the timings (null for an empty group).
 */
export async function runApiGroup(
  server: BenchServer,
  group: string,
  docs: ApiDoc[],
  mode: Exclude<ExtractMode, "off">,
  languages: string[],
  progress: (text: string) => void,
  withBaseline = true,
): Promise<Timing | null> {
  if (docs.length === 0) return null;
  const ids: string[] = [];
  for (const d of docs) ids.push(await server.upload(d.bytes, d.filename));
  const timeout = 60_000 + Math.min(docs.length, CHUNK) * 60_000;
  // Warm the server on a few of the group's documents first (OCR threads and models, the
  // text-layer thread, the extraction code), so neither measured run pays for starting up.
  progress(`${group}: ${docs.length} documents uploaded; warming up`);
  await server.process(ids.slice(0, 4), { extract: mode, languages }, timeout);
  // extract=off and extract=on alternate in chunks of the same documents, so that load from
  // elsewhere on the machine falls on both alike rather than on whichever ran first.
  const baseline = { jobs: new Map<string, JobView>(), wallMs: 0 };
  const measured = { jobs: new Map<string, JobView>(), wallMs: 0 };
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    for (const [arm, extract] of [
      [baseline, "off"],
      [measured, mode],
    ] as const) {
      if (arm === baseline && !withBaseline) continue;
      const run = await server.process(chunk, { extract, languages }, timeout);
      for (const [id, job] of run.jobs) arm.jobs.set(id, job);
      arm.wallMs += run.wallMs;
    }
    const off = withBaseline ? `extract=off ${(baseline.wallMs / 1000).toFixed(1)} s, ` : "";
    progress(
      `${group}: ${Math.min(ids.length, i + CHUNK)}/${ids.length} documents, ${off}extract=${mode} ${(measured.wallMs / 1000).toFixed(1)} s`,
    );
  }
  const t: Timing = {
    group,
    documents: docs.length,
    baselineMs: [],
    extractMs: [],
    stepMs: [],
    baselineWallMs: withBaseline ? baseline.wallMs : NaN,
    extractWallMs: measured.wallMs,
    failed: [],
  };
  for (const [i, d] of docs.entries()) {
    const job = measured.jobs.get(ids[i]!);
    if (!job || job.status !== "completed") {
      t.failed.push(`${d.name}: ${job?.status ?? "no job"} ${job?.error?.code ?? ""}`);
      await d.onFields(null, job ?? ({} as JobView), server);
      continue;
    }
    t.extractMs.push(spanMs(job.started_at, job.completed_at));
    const base = baseline.jobs.get(ids[i]!);
    if (base?.status === "completed") t.baselineMs.push(spanMs(base.started_at, base.completed_at));
    const step = job.steps.find((s) => s.name === "extract_fields");
    if (step) t.stepMs.push(spanMs(step.started_at, step.completed_at));
    await d.onFields(await server.fields(ids[i]!), job, server);
  }
  return t;
}
