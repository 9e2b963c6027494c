/**
 * The npm language packages' models (`4.0.0_best_int`, gzip'd) unpacked into a private folder
 * the native binary can read (`--tessdata-dir`): the CLI cannot read gzip'd data itself.
 *
 * Why: the binary's own models on Debian are the "fast" ones. On small images — single text
 * lines, logos, the smaller copy of a receipt's second reading — the best_int models read
 * markedly better (uw3 lines: CER 0.33% against 1.93%), at a cost that small images make
 * negligible; on full pages they are slower and no better (docs/OCR.md).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { LanguageCatalog } from "../language-catalog.js";

export class NpmTessdataDir {
  private constructor(
    readonly path: string,
    readonly languages: string[],
  ) {}

  /** Unpack every npm recognition language (undefined when there is none). */
  static async create(catalog: LanguageCatalog): Promise<NpmTessdataDir | undefined> {
    const files = catalog
      .recognitionLanguages()
      .map((code) => catalog.recognitionFile(code)!)
      .filter((file) => file.source === "npm");
    if (files.length === 0) return undefined;
    const dir = await mkdtemp(join(tmpdir(), "docket-tessdata-npm-"));
    try {
      for (const file of files) {
        await pipeline(
          createReadStream(file.path),
          createGunzip(),
          createWriteStream(join(dir, `${file.code}.traineddata`)),
        );
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return new NpmTessdataDir(
      dir,
      files.map((file) => file.code),
    );
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
