/**
 * The npm language packages' models (`4.0.0_best_int`, gzip'd) unpacked into a private folder
 * the native binary can read (`--tessdata-dir`): the CLI cannot read gzip'd data itself.
 *
 * Why: the binary's own models on Debian are the "fast" ones. On small images — single text
 * lines, logos, the smaller copy of a receipt's second reading — the best_int models read
 * markedly better (uw3 lines: CER 0.33% against 1.93%), at a cost that small images make
 * negligible; on full pages they are slower and no better (docs/OCR.md).
 *
 * Unpacked on first use, not at start: it costs ~0.1 s of CPU (eng and pol), which every
 * process would pay at start whether it reads a small image or not (an API process, the CLI).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { LanguageCatalog, LanguageFile } from "../language-catalog.js";

export class NpmTessdataDir {
  private unpacked: Promise<string> | undefined;

  private constructor(private readonly files: readonly LanguageFile[]) {}

  /** The npm recognition languages (undefined when there is none); nothing is unpacked yet. */
  static of(catalog: LanguageCatalog): NpmTessdataDir | undefined {
    const files = catalog
      .recognitionLanguages()
      .map((code) => catalog.recognitionFile(code)!)
      .filter((file) => file.source === "npm");
    return files.length === 0 ? undefined : new NpmTessdataDir(files);
  }

  get languages(): string[] {
    return this.files.map((file) => file.code);
  }

  /** The folder, unpacked by the first call (a failed unpack is tried again by the next). */
  path(): Promise<string> {
    this.unpacked ??= this.unpack().catch((error: unknown) => {
      this.unpacked = undefined;
      throw error;
    });
    return this.unpacked;
  }

  async remove(): Promise<void> {
    const unpacked = this.unpacked;
    this.unpacked = undefined;
    if (unpacked !== undefined) await rm(await unpacked, { recursive: true, force: true });
  }

  private async unpack(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "docket-tessdata-npm-"));
    try {
      for (const file of this.files) {
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
    return dir;
  }
}
