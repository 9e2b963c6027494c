/**
 * Where pdfjs-dist's bundled data lives on disk. pdfjs fetches standard fonts, CMaps, ICC
 * profiles and its JBIG2/OpenJPEG wasm decoders by URL at run time; in Node its factories
 * read these "URLs" as file paths, so pointing them at the package's own folders keeps
 * rendering offline and independent of system fonts.
 */
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";

export interface PdfjsAssetPaths {
  /** Directory of pdf.mjs (legacy build, the one that runs in Node). */
  legacyBuildDir: string;
  standardFontDataUrl: string;
  cMapUrl: string;
  wasmUrl: string;
  iccUrl: string;
}

/** Resolve the asset folders of the installed pdfjs-dist (paths end with a separator, as pdfjs concatenates names). */
export function pdfjsAssetPaths(): PdfjsAssetPaths {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("pdfjs-dist/package.json"));
  const dir = (name: string): string => join(root, name) + sep;
  return {
    legacyBuildDir: join(root, "legacy", "build"),
    standardFontDataUrl: dir("standard_fonts"),
    cMapUrl: dir("cmaps"),
    wasmUrl: dir("wasm"),
    iccUrl: dir("iccs"),
  };
}
