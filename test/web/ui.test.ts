/**
 * The web UI in a real headless Chromium against the real server: first-run setup, sign in,
 * uploads (drag-and-drop and the file picker) through the real OCR pipeline, live progress
 * over the event stream and over the long-poll fallback, cancel, retry, the result viewer
 * with word boxes, downloads, Polish, settings — and screenshots of every main page in
 * test-artifacts/screenshots/.
 *
 * One server with one worker, so jobs queue behind each other as on a busy server; the
 * tests run in order and build on each other (the same session, the same documents).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chromiumSkipReason } from "../support/environment.js";
import { documentSteps } from "./ui-flow-documents.js";
import { processingSteps } from "./ui-flow-processing.js";
import { pageErrors, uiSession } from "./ui-session.js";

const skip = chromiumSkipReason();

describe("web UI in Chromium against the real server", { skip }, () => {
  uiSession();
  processingSteps();
  documentSteps();
  it("raised no errors in the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
