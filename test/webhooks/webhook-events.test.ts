/** Which webhook events a job event stands for (the outbox's mapping). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { webhookEventsFor } from "../../src/webhooks/webhook-events.js";

describe("webhook events for job events", () => {
  const base = { step: null, reviewReason: null, collectionId: null };
  it("maps job outcomes; step events and other statuses are not events", () => {
    assert.deepEqual(webhookEventsFor({ ...base, status: "completed" }), ["job.completed"]);
    assert.deepEqual(webhookEventsFor({ ...base, status: "failed" }), ["job.failed"]);
    assert.deepEqual(webhookEventsFor({ ...base, status: "cancelled" }), []);
    assert.deepEqual(webhookEventsFor({ ...base, status: "processing" }), []);
    assert.deepEqual(webhookEventsFor({ ...base, status: "completed", step: "ocr" }), []);
  });
  it("a completed job that needs review is also document.manual_review; a collection job is collection.completed", () => {
    assert.deepEqual(webhookEventsFor({ ...base, status: "completed", reviewReason: "low confidence" }), [
      "job.completed",
      "document.manual_review",
    ]);
    assert.deepEqual(webhookEventsFor({ ...base, status: "completed", collectionId: "c1" }), ["collection.completed"]);
    assert.deepEqual(webhookEventsFor({ ...base, status: "failed", collectionId: "c1" }), ["job.failed"]);
  });
});
