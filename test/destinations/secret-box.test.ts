/** Secrets at rest: AES-256-GCM with DOCKET_SECRET_KEY, or a key file generated in the data dir. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSecretBox, parseSecretKey, SecretBox } from "../../src/crypto/secret-box.js";

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
