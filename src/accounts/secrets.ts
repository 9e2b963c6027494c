import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import argon2 from "argon2";

/** argon2id cost. The defaults follow OWASP's recommendation; tests may lower the memory cost. */
export interface PasswordHashingOptions {
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
}

export class PasswordHasher {
  private readonly options: Required<PasswordHashingOptions>;
  /** A real hash of a random password, verified when the user does not exist so both answers take as long. */
  private dummy: Promise<string> | null = null;

  constructor(options: PasswordHashingOptions = {}) {
    this.options = {
      memoryCost: options.memoryCost ?? 19_456,
      timeCost: options.timeCost ?? 2,
      parallelism: options.parallelism ?? 1,
    };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.options });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      this.dummy ??= this.hash(randomBytes(16).toString("hex"));
      await argon2.verify(await this.dummy, password).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}

/** SHA-256 hex: how API and session tokens are stored (a database leak does not leak usable tokens). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new random secret with a recognisable prefix (`dkt_` API tokens, `dks_` sessions). */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
