import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Encrypts the secrets users store (destination passwords, S3 keys, webhook secrets) with
 * AES-256-GCM: a database dump or backup alone does not give them away. The stored form is
 * `v1:<iv>:<tag>:<ciphertext>` (base64url), so a later key rotation can tell versions apart.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error("DOCKET_SECRET_KEY must be 32 bytes (64 hex characters or 44 base64)");
    return new SecretBox(key);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(":");
  }

  decrypt(stored: string): string {
    const [version, iv, tag, data] = stored.split(":");
    if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("not a Docket-encrypted secret");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      // Never echo the ciphertext; the usual cause is a changed DOCKET_SECRET_KEY.
      throw new Error("a stored secret cannot be decrypted: was DOCKET_SECRET_KEY changed?");
    }
  }
}

/** Parses DOCKET_SECRET_KEY: 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) throw new Error("DOCKET_SECRET_KEY must be 32 bytes: 64 hex characters or base64");
  return key;
}

export const SECRET_KEY_FILE = "secret.key";

/**
 * The key from DOCKET_SECRET_KEY, else from `<data dir>/secret.key`, created (mode 0600)
 * when missing. Creation uses O_EXCL so two processes starting together agree on one key.
 */
export function loadSecretBox(options: { secretKey: string | undefined; dataDir: string }): SecretBox {
  if (options.secretKey) return SecretBox.fromKey(parseSecretKey(options.secretKey));
  const dir = resolve(options.dataDir);
  const path = join(dir, SECRET_KEY_FILE);
  mkdirSync(dir, { recursive: true });
  try {
    const fd = openSync(path, "wx", 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString("hex")}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // A process that lost the O_EXCL race may read before the winner's write lands: retry briefly.
  for (let i = 0; ; i++) {
    const text = readFileSync(path, "utf8");
    if (text.trim().length >= 64 || i > 50) return SecretBox.fromKey(parseSecretKey(text));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
