/** Secrets at rest: AES-256-GCM with DOCKET_SECRET_KEY, or a key file generated in the data dir. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSecretBox, parseSecretKey, SecretBox } from "../../src/crypto/secret-box.js";
import { DestinationService } from "../../src/destinations/destination-service.js";
import { DocketError } from "../../src/errors.js";
import { createTestDatabase } from "../support/databases.js";

describe("secret box", () => {
  it("encrypts with a fresh IV each time, decrypts, and refuses tampering or another key", () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const a = box.encrypt("hunter2-password");
    const b = box.encrypt("hunter2-password");
    assert.notEqual(a, b);
    assert.ok(!a.includes("hunter2"));
    assert.equal(box.decrypt(a), "hunter2-password");
    const parts = a.split(":");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(
      () => box.decrypt([...parts.slice(0, 3), flipped.toString("base64url")].join(":")),
      /cannot be decrypted/,
    );
    assert.throws(() => SecretBox.fromKey(randomBytes(32)).decrypt(a), /DOCKET_SECRET_KEY changed/);
  });

  it("takes DOCKET_SECRET_KEY as hex or base64, and refuses other lengths", () => {
    const key = randomBytes(32);
    assert.ok(parseSecretKey(key.toString("hex")).equals(key));
    assert.ok(parseSecretKey(key.toString("base64")).equals(key));
    assert.throws(() => parseSecretKey("abcd"), /32 bytes/);
    const box = loadSecretBox({ secretKey: key.toString("hex"), dataDir: "/nonexistent" });
    assert.equal(SecretBox.fromKey(key).decrypt(box.encrypt("x")), "x");
  });

  it("generates a key file (mode 0600) in the data dir when unset, and reuses it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "docket-key-"));
    try {
      const first = loadSecretBox({ secretKey: undefined, dataDir: dir });
      const file = join(dir, "secret.key");
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.match(await readFile(file, "utf8"), /^[0-9a-f]{64}\n$/);
      const again = loadSecretBox({ secretKey: undefined, dataDir: dir });
      assert.equal(again.decrypt(first.encrypt("kept")), "kept");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a destination whose secret this process cannot decrypt", () => {
  it("fails its delivery with destination_auth saying why, and its answers still show the mask", async () => {
    const db = await createTestDatabase("sqlite");
    try {
      const now = Date.now();
      await db.database.db
        .insertInto("users")
        .values({
          id: "u1",
          email: "u@example.test",
          password_hash: "x",
          role: "user",
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const options = { allowPrivateUrls: true, folderRoots: [] };
      const scope = { userId: "u1", admin: false };
      const mine = new DestinationService(db.database, SecretBox.fromKey(randomBytes(32)), options);
      const created = await mine.create(scope, {
        name: "dav",
        kind: "webdav",
        config: { url: "http://dav.example/x/", username: "me", password: "pw-123456" },
      });
      const other = new DestinationService(db.database, SecretBox.fromKey(randomBytes(32)), options);
      assert.equal((await other.get(scope, created.id)).config.password, "********");
      await assert.rejects(other.load("u1", created.id), (error: unknown) => {
        assert.ok(error instanceof DocketError);
        assert.equal(error.code, "destination_auth");
        assert.equal(error.permanent, true);
        assert.match(error.message, /DOCKET_SECRET_KEY/);
        return true;
      });
      assert.deepEqual((await mine.load("u1", created.id)).config, {
        url: "http://dav.example/x/",
        username: "me",
        password: "pw-123456",
      });
    } finally {
      await db.drop();
    }
  });
});
