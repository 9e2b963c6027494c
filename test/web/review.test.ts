/**
 * The review workflow in a real headless Chromium against the real server and the real
 * extraction: synthetic Polish invoices (text-layer PDFs with an invalid seller NIP) go to
 * manual_review, the navigation's count follows them live, the queue lists them, and the
 * review screen corrects, approves and rejects them — with the page's word boxes, the
 * keyboard, the 400 and 412 answers, a hand-filled document of type "other", Polish, and a
 * narrow window. Screenshots in test-artifacts/screenshots/ (docs/images/ui-review.png on
 * request, like the other UI tests).
 *
 * One server, one browser session; the tests run in order and build on each other.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chromiumSkipReason } from "../support/environment.js";
import { editSteps } from "./review-flow-edits.js";
import { queueSteps } from "./review-flow-queue.js";
import { pageErrors, reviewSession } from "./review-session.js";

const skip = chromiumSkipReason();

describe("review screen in Chromium against the real server", { skip }, () => {
  reviewSession();
  queueSteps();
  editSteps();
  it("raised no errors in the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
