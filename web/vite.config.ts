/**
 * The web UI build: web/ → dist/web, served by the Docket server at `/` (src/api/web-ui.ts).
 * `npm run build` runs it after tsc; `npm run dev:web` serves it with hot reload and proxies
 * /api to a Docket on 127.0.0.1:3000.
 */
import { cp } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const outDir = here("../dist/web");

/**
 * pdf.js loads these at run time by URL (never from the network): the standard 14 fonts for
 * PDFs that do not embed them (the generated fixtures use Helvetica), CMaps for CJK text,
 * ICC profiles and the WebAssembly image decoders (JPEG 2000, JBIG2).
 */
function pdfjsResources(): Plugin {
  return {
    name: "docket-pdfjs-resources",
    apply: "build",
    async writeBundle() {
      for (const dir of ["standard_fonts", "cmaps", "iccs", "wasm"]) {
        await cp(here(`../node_modules/pdfjs-dist/${dir}`), `${outDir}/pdfjs/${dir}`, { recursive: true });
      }
    },
  };
}

export default defineConfig({
  root: here("."),
  base: "/",
  plugins: [react(), pdfjsResources()],
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    // No inline module-preload polyfill: the CSP allows no inline script.
    modulePreload: { polyfill: false },
    // pdf.js is loaded lazily by the page viewer; its worker is a separate file.
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
