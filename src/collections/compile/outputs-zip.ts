import { once } from "node:events";
import { finished } from "node:stream/promises";
import type { Readable, Writable } from "node:stream";
import { memberStem, type CompileMember } from "./member.js";

const EXTENSIONS: Record<string, string> = { txt: "txt", md: "md", json: "json", hocr: "hocr", pdf: "pdf" };

/**
 * A ZIP of every document's outputs, one folder per document in collection order
 * (`0001-<name>/<name>.pdf`, … and `fields.json` when fields were extracted). Entries are
 * added one at a time, each blob opened only when the previous one has been written, so a
 * collection of 300 documents holds one open file and archiver's buffer, not 1,500.
 */
export async function writeOutputsZip(
  members: AsyncIterable<CompileMember>,
  out: Writable,
  openBlob: (key: string) => Promise<Readable>,
  options: { signal?: AbortSignal } = {},
): Promise<{ entries: number; bytes: number }> {
  // Loaded here, not at start-up: archiver and its stream libraries cost every process a
  // tenth of a second of CPU to load, and only a collection compiled to a ZIP needs them.
  const { ZipArchive } = await import("archiver");
  const archive = new ZipArchive({ zlib: { level: 6 } });
  let failure: Error | null = null;
  let rejectFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (rejectFailure = reject));
  failed.catch(() => undefined);
  const fail = (error: Error) => {
    failure ??= error;
    rejectFailure(error);
  };
  archive.on("error", fail);
  archive.on("warning", fail);
  archive.pipe(out);
  let entries = 0;

  const add = async (source: Readable | Buffer, name: string, store = false) => {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error("cancelled");
    const added = once(archive, "entry");
    archive.append(source, { name, store });
    await Promise.race([added, failed]);
    if (failure) throw failure;
    entries++;
  };

  try {
    for await (const m of members) {
      const stem = memberStem(m);
      const base = m.safeFilename.replace(/\.[^.]*$/, "") || "document";
      for (const artifact of m.artifacts) {
        const ext = EXTENSIONS[artifact.kind] ?? artifact.kind;
        // PDFs hold compressed streams (page images, Flate): deflating them again costs time for nothing.
        await add(await openBlob(artifact.blobKey), `${stem}/${base}.${ext}`, artifact.kind === "pdf");
      }
      if (m.fields) await add(Buffer.from(JSON.stringify(m.fields, null, 2)), `${stem}/fields.json`);
    }
    await archive.finalize();
    await finished(out);
  } catch (error) {
    archive.unpipe(out);
    archive.abort();
    throw error;
  }
  if (failure) throw failure;
  return { entries, bytes: archive.pointer() };
}
