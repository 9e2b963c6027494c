import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { displayFilename } from "../../src/intake/safe-filename.js";
import { skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer } from "../api/support.js";

describe("display names carry no control or bidi characters", async () => {
  it("displayFilename removes bidi overrides, isolates, marks, zero-width and control characters", () => {
    assert.equal(displayFilename("evil\u202Egpj.exe"), "evilgpj.exe");
    assert.equal(displayFilename("a\u2067b\u2069c\u200Fd\u061Ce\u200Bf\u0007g\u0085h\uFEFFi.pdf"), "abcdefghi.pdf");
    assert.equal(displayFilename("two\nlines\tand  spaces.png"), "two lines and spaces.png");
    // Everything visible stays, separators and punctuation included (it is never a path).
    assert.equal(
      displayFilename("Rechnung 04/2026 — Müller & Söhne (Kopie).pdf"),
      "Rechnung 04/2026 — Müller & Söhne (Kopie).pdf",
    );
    assert.equal(displayFilename("\u202E\u200B"), null);
    assert.equal(displayFilename(null), null);
  });

  const skip = await skipReasonFor("sqlite");
  it("an upload named evil\\u202Egpj.exe is stored and listed without the override", { skip }, async () => {
    const server = await startServer("sqlite");
    try {
      const u = await createUsers(server.base);
      const up = await u.alice.upload(pngBytes(), "evil\u202Egpj.exe");
      assert.equal(up.status, 201, up.text);
      assert.equal(up.json.document.filename, "evilgpj.exe");
      const stored = await server.docket.database.db
        .selectFrom("documents")
        .select("filename")
        .where("id", "=", up.json.document.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.filename, "evilgpj.exe");
      const listed = await u.alice.req("GET", "/api/v1/documents");
      assert.ok(listed.json.items.every((d: { filename: string }) => !/[\u202A-\u202E\u2066-\u2069]/.test(d.filename)));
    } finally {
      await server.close();
    }
  });
});
