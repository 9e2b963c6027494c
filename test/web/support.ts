/**
 * The real thing for browser tests: the built web UI served by createDocket on a loopback
 * port, SQLite in a temp dir, the real OCR pipeline (tesseract.js), driven by Debian's
 * Chromium through playwright-core.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { PDFDocument } from "pdf-lib";
import type { BlobStore } from "../../src/blob/blob-store.js";
import { createBlobStore } from "../../src/blob/create-blob-store.js";
import { createDocket, type Docket } from "../../src/app/docket.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { client, type Client } from "../api/support.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { CHROMIUM_PATH } from "../support/environment.js";
import { imageOnlyPdf, textImage } from "../fixtures/generate.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const SCREENSHOTS = join(root, "test-artifacts", "screenshots");
export const DOCS_IMAGES = join(root, "docs", "images");

/** Builds dist/web when it is missing or older than web/ (the same check `npm start` makes). */
export function ensureWebBuilt(): void {
  const result = spawnSync(process.execPath, [join(root, "scripts", "build-web-if-needed.mjs")], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`building the web UI failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * The real local blob store with a switch that makes writes under matching keys fail the way
 * a full disk does (ENOSPC). It stands for an outage of the storage under a real server: the
 * job's step really fails, the engine really retries and gives up, and after the "disk" is
 * fixed a Retry really resumes the job from that step.
 */
export class SwitchableBlobStore implements BlobStore {
  failing: RegExp | null = null;

  constructor(private readonly inner: BlobStore) {}

  async put(key: string, data: Readable | Buffer | Uint8Array | string): Promise<{ size: number }> {
    if (this.failing?.test(key)) {
      if (typeof data === "object" && "resume" in data && typeof data.resume === "function") data.resume();
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${key}'`), { code: "ENOSPC" });
    }
    return this.inner.put(key, data);
  }
  get(key: string) {
    return this.inner.get(key);
  }
  getBuffer(key: string) {
    return this.inner.getBuffer(key);
  }
  exists(key: string) {
    return this.inner.exists(key);
  }
  size(key: string) {
    return this.inner.size(key);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  deletePrefix(prefix: string) {
    return this.inner.deletePrefix(prefix);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  localPath(key: string) {
    return this.inner.localPath(key);
  }
  check() {
    return this.inner.check();
  }
}

export interface UiServer {
  docket: Docket;
  base: string;
  blobs: SwitchableBlobStore;
  db: TestDatabase;
  close(): Promise<void>;
}

/** One worker, so jobs queue behind each other as they would on a busy server. */
export async function startUiServer(): Promise<UiServer> {
  const db = await createTestDatabase("sqlite");
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DOCKET_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    DOCKET_WORKERS: "1",
    DOCKET_MAX_UPLOAD_MB: "20",
    DOCKET_OCR_ENGINE: "wasm",
    DOCKET_OCR_LANGS: "eng",
    LOG_LEVEL: "silent",
    DOCKET_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: "100000",
  });
  const blobs = new SwitchableBlobStore(createBlobStore({ dataDir: db.dataDir, fsync: false }));
  const docket = await createDocket(config, {
    log: silentLogger(),
    pipelines: createPipelines,
    blobStore: blobs,
    worker: { leaseMs: 10_000, pollMs: 100, cancelPollMs: 100, progressIntervalMs: 50 },
    engine: { backoff: { baseMs: 50, maxMs: 200 }, rescueIntervalMs: 1_000 },
    passwordHashing: { memoryCost: 1024, timeCost: 1 },
    fsync: false,
  });
  const base = await docket.listen();
  return {
    docket,
    base,
    blobs,
    db,
    close: async () => {
      await docket.close();
      await db.drop();
    },
  };
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Saves a screenshot to test-artifacts/screenshots/<name>.png (and returns its path). */
/**
 * The first admin, created through the API, then signed in on a new page at `path` of the web
 * UI, which is ready once its live updates are connected. Page errors go to `onPageError` from
 * the first load on.
 */
export async function signedInAdmin(
  browser: Browser,
  base: string,
  admin: { email: string; password: string },
  o: { path: string; viewport: { width: number; height: number }; onPageError: (message: string) => void },
): Promise<{ api: Client; context: BrowserContext; page: Page }> {
  const anon = client(base);
  const setup = await anon.req("POST", "/api/v1/setup", { json: admin });
  if (setup.status !== 201) throw new Error(`setup answered ${setup.status}: ${setup.text}`);
  const login = await anon.req("POST", "/api/v1/auth/login", { json: admin });
  const api = client(base, login.json.token as string);
  const context = await browser.newContext({ viewport: o.viewport, locale: "en-US" });
  const page = await context.newPage();
  page.on("pageerror", (e) => o.onPageError(e.message));
  await page.goto(`${base}${o.path}`);
  await page.fill("input[name=email]", admin.email);
  await page.fill("input[name=password]", admin.password);
  await page.click("button[type=submit]");
  await page.locator("[data-testid=live-indicator][data-mode=live]").waitFor();
  return { api, context, page };
}

export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean; also?: string; alsoUpTo?: string } = {},
): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: "disabled", caret: "hide" });
  // The README's screenshot is refreshed only on request (DOCKET_UPDATE_DOCS_IMAGES=1), so a
  // test run never leaves the checkout modified.
  if (options.also && process.env.DOCKET_UPDATE_DOCS_IMAGES === "1") {
    // The copy for the docs ends a little below `alsoUpTo` (no empty page under the content).
    mkdirSync(DOCS_IMAGES, { recursive: true });
    const box = options.alsoUpTo ? await page.locator(options.alsoUpTo).boundingBox() : null;
    const viewport = page.viewportSize()!;
    const clip = box
      ? { x: 0, y: 0, width: viewport.width, height: Math.min(viewport.height, Math.ceil(box.y + box.height + 32)) }
      : undefined;
    await page.screenshot({
      path: join(DOCS_IMAGES, options.also),
      animations: "disabled",
      caret: "hide",
      ...(clip ? { clip } : {}),
    });
  }
  return path;
}

// ---------------------------------------------------------------- fixtures

/** A scanned (image-only) PDF of `pages` pages, each with its own known text, at 150 dpi. */
export async function scannedReport(pages: string[][]): Promise<Uint8Array> {
  const images = [];
  for (const lines of pages) images.push((await textImage(150, { lines, fontSize: 18 })).image);
  return imageOnlyPdf(images);
}

/** A long scan: one page image repeated `pages` times (small file, real work per page). */
export async function longScan(pages: number, lines: string[]): Promise<Uint8Array> {
  const { image } = await textImage(200, { lines, fontSize: 14, heightPt: 720, widthPt: 540 });
  const doc = await PDFDocument.create();
  const png = await doc.embedPng(image.png);
  const w = (image.width * 72) / image.dpi;
  const h = (image.height * 72) / image.dpi;
  for (let i = 0; i < pages; i++) doc.addPage([w, h]).drawImage(png, { x: 0, y: 0, width: w, height: h });
  return doc.save();
}

/** A PNG "photo" of a short note. */
export async function notePng(lines: string[]): Promise<Buffer> {
  return (await textImage(200, { lines, fontSize: 20 })).image.png;
}
