/**
 * Which Tesseract languages are installed, and where their data files are. Two sources, both
 * on local disk (Docket never downloads language data):
 *
 * - npm packages `@tesseract.js-data/<code>` (gzip'd; `4.0.0_best_int/` holds the LSTM-only
 *   model tesseract.js uses for recognition, `4.0.0/` the legacy+LSTM one OSD needs);
 * - system tessdata folders (`*.traineddata`, e.g. Debian's tesseract-ocr-<lang> packages in
 *   /usr/share/tesseract-ocr/5/tessdata) for languages without an npm package.
 *
 * tesseract.js reads every language of a worker from ONE folder (`langPath`), so the catalog
 * can assemble a private folder of symlinks, one per language, for the wasm engine.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm, symlink, copyFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DocketError } from "../errors.js";

export type LanguageSource = "npm" | "system";

export interface LanguageFile {
  code: string;
  /** Path of the data file (may be gzip'd; tesseract.js detects gzip by its magic bytes). */
  path: string;
  source: LanguageSource;
}

/** System tessdata folders probed when none is configured (Debian/Ubuntu, Fedora, Homebrew, source builds). */
export const DEFAULT_SYSTEM_TESSDATA_DIRS = [
  "/usr/share/tesseract-ocr/5/tessdata",
  "/usr/share/tesseract-ocr/4.00/tessdata",
  "/usr/share/tessdata",
  "/usr/local/share/tessdata",
  "/opt/homebrew/share/tessdata",
];

/** Tesseract codes are like eng, chi_sim, deu_latf: nothing that could escape a folder. */
const LANGUAGE_CODE = /^[A-Za-z0-9_]{2,32}$/;

export interface LanguageCatalogOptions {
  /** Folders of `*.traineddata` to use besides the npm packages; default DEFAULT_SYSTEM_TESSDATA_DIRS (those that exist). */
  systemTessdataDirs?: string[];
  /** Set false to ignore npm language packages (e.g. to test the system folder alone). */
  useNpmPackages?: boolean;
}

function npmScopeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const roots = require.resolve.paths("@tesseract.js-data/eng") ?? [];
  return roots.map((root) => join(root, "@tesseract.js-data")).filter((dir) => existsSync(dir));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The languages found on this machine. Built once by the composition root and passed in. */
export class LanguageCatalog {
  /** LSTM recognition data by code (npm preferred: it is what tesseract.js is tested with). */
  private readonly recognition = new Map<string, LanguageFile>();
  /** Legacy-capable data by code (for OSD in tesseract.js). */
  private readonly legacy = new Map<string, LanguageFile>();
  /** Uncompressed system data by code (what the tesseract CLI can read). */
  private readonly system = new Map<string, LanguageFile>();
  readonly systemDirs: string[];

  constructor(options: LanguageCatalogOptions = {}) {
    this.systemDirs = (options.systemTessdataDirs ?? DEFAULT_SYSTEM_TESSDATA_DIRS).filter((dir) => existsSync(dir));
    if (options.useNpmPackages !== false) {
      for (const scope of npmScopeDirs()) {
        for (const code of readdirSync(scope)) {
          if (!LANGUAGE_CODE.test(code)) continue;
          const lstm = join(scope, code, "4.0.0_best_int", `${code}.traineddata.gz`);
          const full = join(scope, code, "4.0.0", `${code}.traineddata.gz`);
          if (isFile(lstm) && !this.recognition.has(code))
            this.recognition.set(code, { code, path: lstm, source: "npm" });
          if (isFile(full) && !this.legacy.has(code)) this.legacy.set(code, { code, path: full, source: "npm" });
        }
      }
    }
    for (const dir of this.systemDirs) {
      for (const name of readdirSync(dir)) {
        const m = /^([A-Za-z0-9_]+)\.traineddata$/.exec(name);
        if (m === null || !LANGUAGE_CODE.test(m[1]!)) continue;
        const file: LanguageFile = { code: m[1]!, path: join(dir, name), source: "system" };
        if (!this.system.has(file.code)) this.system.set(file.code, file);
        if (!this.recognition.has(file.code)) this.recognition.set(file.code, file);
        // Debian's files are "fast" LSTM-only models except osd, which is legacy: usable for OSD.
        if (!this.legacy.has(file.code)) this.legacy.set(file.code, file);
      }
    }
  }

  /** Codes the wasm engine can recognise (excluding `osd`, which is not a language). */
  recognitionLanguages(): string[] {
    return [...this.recognition.keys()].filter((c) => c !== "osd").sort();
  }

  /** Codes the tesseract CLI can read from the system folders. */
  systemLanguages(): string[] {
    return [...this.system.keys()].filter((c) => c !== "osd").sort();
  }

  hasSystemOsd(): boolean {
    return this.system.has("osd");
  }

  /** The data file for OSD (orientation and script detection) usable by tesseract.js, if any. */
  osdFile(): LanguageFile | undefined {
    return this.legacy.get("osd");
  }

  /**
   * Check a job's languages against what `available` lists; throws `language_unavailable`
   * (permanent: retrying cannot install a language) naming the missing ones.
   */
  static require(languages: readonly string[], available: readonly string[], engine: string): void {
    if (languages.length === 0) {
      throw new DocketError("validation_error", "at least one OCR language is required");
    }
    const missing = languages.filter(
      (code) => !LANGUAGE_CODE.test(code) || !available.includes(code) || code === "osd",
    );
    if (missing.length > 0) {
      throw new DocketError(
        "language_unavailable",
        `OCR language(s) not installed for ${engine}: ${missing.join(", ")} (available: ${available.join(", ") || "none"})`,
        { details: { missing, available: [...available] } },
      );
    }
  }

  recognitionFile(code: string): LanguageFile | undefined {
    return this.recognition.get(code);
  }
}

/**
 * A private folder holding `<code>.traineddata` links to every recognition language plus
 * `osd`, for tesseract.js's single `langPath`. The names carry no `.gz` (gzip:false) because
 * sources mix gzip'd npm files and plain system files; tesseract.js unzips by magic bytes.
 */
export class AssembledLangDir {
  private constructor(readonly path: string) {}

  static async create(catalog: LanguageCatalog): Promise<AssembledLangDir> {
    const dir = await mkdtemp(join(tmpdir(), "docket-tessdata-"));
    const files = catalog.recognitionLanguages().map((code) => catalog.recognitionFile(code)!);
    const osd = catalog.osdFile();
    const links: LanguageFile[] = osd === undefined ? files : [...files, osd];
    for (const file of links) {
      const target = join(dir, `${file.code}.traineddata`);
      // A copy only where symlinks are not allowed (some container filesystems).
      await symlink(file.path, target).catch(() => copyFile(file.path, target));
    }
    return new AssembledLangDir(dir);
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
