/**
 * The web UI suite's one session (ui.test.ts): the real server with one worker, one Chromium,
 * the signed-in page, the API client, the fixtures, and what the pages raised. The suite's
 * steps live in ui-flow-processing.ts and ui-flow-documents.ts; they run in order in one
 * describe and build on each other (the same session, the same documents), so they share this
 * module's live bindings instead of each starting a server and a browser of its own.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Client } from "../api/support.js";
import { waitFor } from "../support/wait-for.js";
import {
  ensureWebBuilt,
  launchChromium,
  longScan,
  notePng,
  scannedReport,
  startUiServer,
  type UiServer,
} from "./support.js";

export const ADMIN = { email: "admin@example.test", password: "admin-password" };
const REPORT_PAGES = [
  ["Docket Invoice Number 2024", "Amount due: 1,234.56 EUR by 15 March."],
  ["The quick brown fox jumps", "over the lazy dog."],
  ["Please return this form", "with your payment."],
];
const DESKTOP = { width: 1360, height: 900 };
export const PHONE = { width: 390, height: 844 };

export let server: UiServer;
export let browser: Browser;
export let context: BrowserContext;
/** The main page, signed in by the first step. */
export let page: Page;
/** A second page on the long scan (from the reload step on). */
export let watcher: Page;
/** The API as the admin (from the first step on). */
export let api: Client;
export const pageErrors: string[] = [];
export let fixtures: { long: Uint8Array; report: Uint8Array; receipt: Buffer; invoice: Buffer };
const ids: Record<string, string> = {};

export function setApi(client: Client): void {
  api = client;
}

export async function openWatcher(): Promise<Page> {
  watcher = await context.newPage();
  watcher.on("pageerror", (e) => pageErrors.push(e.message));
  return watcher;
}

/** Polls `probe` until it returns something truthy. */
export function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  return waitFor(what, probe, timeoutMs, 100);
}

export const docId = async (filename: string) => {
  if (ids[filename]) return ids[filename];
  const res = await api.req("GET", `/api/v1/documents?q=${encodeURIComponent(filename)}`);
  const doc = (res.json.items as { id: string; filename: string }[]).find((d) => d.filename === filename);
  assert.ok(doc, `document ${filename} exists`);
  ids[filename] = doc.id;
  return doc.id;
};

export const latestJob = async (filename: string) => {
  const doc = (await api.req("GET", `/api/v1/documents/${await docId(filename)}`)).json;
  return (await api.req("GET", `/api/v1/ocr/jobs/${doc.latest_job_id}`)).json;
};

export const header = (on: Page, status: string) => on.locator(`[data-testid=doc-header][data-status=${status}]`);

/** Registers the session's start-up and shutdown in the calling describe. */
export function uiSession(): void {
  before(async () => {
    ensureWebBuilt();
    [server, fixtures] = await Promise.all([
      startUiServer(),
      (async () => ({
        long: await longScan(30, [
          "A long scanned document",
          "rendered and read page by page",
          "so that it can be cancelled.",
        ]),
        report: await scannedReport(REPORT_PAGES),
        receipt: await notePng(["Corner Shop receipt", "Total 12.50"]),
        invoice: await notePng(["Invoice 7731", "Thank you for your order"]),
      }))(),
    ]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true, locale: "en-US" });
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    if (server && api) {
      // Stop what still runs, so closing does not wait for a 30-page OCR.
      const jobs = await api.req("GET", "/api/v1/ocr/jobs?status=processing");
      for (const job of jobs.json?.items ?? []) await api.req("PUT", `/api/v1/ocr/jobs/${job.id}/cancel`);
    }
    await server?.close();
  });
}
