/**
 * The review suite's one session (review.test.ts): the real server and extraction, the admin
 * signed in on the review screen in one Chromium, the API client, and the invoices uploaded so
 * far. The suite's steps live in review-flow-queue.ts and review-flow-edits.ts; they run in
 * order in one describe and build on each other, so they share this module's live bindings
 * instead of each starting a server and a browser of its own.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PDFDocument, StandardFonts } from "pdf-lib";
import type { Client } from "../api/support.js";
import { generateInvoice, type InvoiceLayout } from "../fixtures/invoices/index.js";
import { waitFor } from "../support/wait-for.js";
import { ensureWebBuilt, launchChromium, signedInAdmin, startUiServer, type UiServer } from "./support.js";

export const ADMIN = { email: "admin@example.test", password: "admin-password" };
const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** The form's order (Tab walks it): Document, Amounts, Seller, Buyer. */
export const FORM_ORDER = [
  "document_number",
  "issue_date",
  "sale_date",
  "due_date",
  "currency",
  "payment_method",
  "total_net",
  "total_vat",
  "total_gross",
  "seller_name",
  "seller_tax_id",
  "seller_address",
  "buyer_name",
  "buyer_tax_id",
  "buyer_address",
  "iban",
];

export function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  return waitFor(what, probe, timeoutMs, 100);
}

/** A valid Polish NIP: nine digits and the mod-11 check digit (prefixes whose check is 10 have none). */
export function validNip(seed: number): string {
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  for (let n = seed; ; n++) {
    const digits = String(100_000_000 + (n % 800_000_000))
      .split("")
      .map(Number);
    const check = digits.reduce((sum, d, i) => sum + d * weights[i]!, 0) % 11;
    if (check !== 10) return [...digits, check].join("");
  }
}

/** A text-layer PDF that is no invoice or receipt (type "other": nothing to extract). */
export async function meetingNotesPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const lines = [
    "Meeting notes",
    "The team discussed the garden party.",
    "Bring chairs and lemonade.",
    "Next meeting on Thursday afternoon.",
  ];
  lines.forEach((line, i) => page.drawText(line, { x: 60, y: 760 - i * 28, size: 16, font }));
  return doc.save();
}

export let server: UiServer;
export let browser: Browser;
export let context: BrowserContext;
/** The review page, signed in at start-up. */
export let page: Page;
export let api: Client;
export const pageErrors: string[] = [];
/** The invoices in upload order (the queue is oldest first). */
export const invoices: { id: string; filename: string }[] = [];

export const fieldsOf = async (id: string) => (await api.req("GET", `/api/v1/documents/${id}/fields`)).json;
export const statusOf = async (id: string) => (await api.req("GET", `/api/v1/documents/${id}/status`)).json;
export const input = (name: string) => page.locator(`[data-testid=input-${name}]`);
export const badge = () => page.locator("[data-testid=review-count]");

/** An invoice whose seller NIP has a wrong check digit (everything else valid), processed at once. */
export const uploadInvoice = async (seed: number, layout: InvoiceLayout) => {
  const invoice = await generateInvoice(seed, layout, {
    currency: "PLN",
    invalid: { seller_tax_id: true, buyer_tax_id: false, iban: false },
  });
  const filename = `faktura-${seed}.pdf`;
  const res = await api.upload(invoice.pdf, filename, { process: "true" });
  assert.equal(res.status, 201, res.text);
  const entry = { id: res.json.document.id as string, filename };
  invoices.push(entry);
  return { ...entry, invoice };
};

/** Registers the session's start-up and shutdown in the calling describe. */
export function reviewSession(): void {
  before(async () => {
    ensureWebBuilt();
    server = await startUiServer();
    browser = await launchChromium();
    ({ api, context, page } = await signedInAdmin(browser, server.base, ADMIN, {
      path: "/review",
      viewport: DESKTOP,
      onPageError: (message) => pageErrors.push(message),
    }));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });
}
