/**
 * Recently verified credentials (API tokens, session tokens and cookies), by token hash, so
 * that a client polling the status endpoint does not pay a database round trip for its
 * credential on every request as well as one for the status itself.
 *
 * Why it stays true: every change that can end or alter a credential (revoking a token,
 * logging out, disabling a user or changing their role) publishes an `auth` hint after its
 * commit, and every process forgets the matching entries when the hint arrives. A cache
 * entry is only stored while such hints are known to reach this process (see
 * {@link CredentialCache.begin}); a hint that races a lookup in flight makes that lookup's
 * result uncacheable (the generation check), and a lost listener connection empties the
 * cache and stops caching until it is back. The time-to-live bounds what any remaining gap
 * could cost; a session's own expiry is checked on every hit.
 */
import type { Principal } from "./account-service.js";

/** What an `auth` hint names; the payload is `${kind}:${id}`, or `*` for everything. */
export type CredentialSubject = { kind: "user" | "session" | "token"; id: string } | { kind: "all" };

export function credentialHint(subject: CredentialSubject): string {
  return subject.kind === "all" ? "*" : `${subject.kind}:${subject.id}`;
}

export function parseCredentialHint(payload: string): CredentialSubject {
  const colon = payload.indexOf(":");
  const kind = payload.slice(0, colon);
  // Anything unrecognised (a newer process's hint, say) forgets everything: the safe reading.
  if (colon < 0 || (kind !== "user" && kind !== "session" && kind !== "token")) return { kind: "all" };
  return { kind, id: payload.slice(colon + 1) };
}

interface Entry {
  principal: Principal;
  /** A session's expiry (epoch ms); null for API tokens, which do not expire. */
  expiresAt: number | null;
  cachedAt: number;
}

export interface CredentialCacheOptions {
  /** How long an entry is trusted without a fresh read. */
  ttlMs?: number;
  /** Most entries kept; the least recently used go first. */
  capacity?: number;
  /** Whether `auth` hints from every process reach this one right now. */
  hintsLive: () => boolean;
  now?: () => number;
}

/** A lookup in flight: pass it back to {@link CredentialCache.store}. */
export interface CredentialLookup {
  readonly generation: number;
}

export class CredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #capacity: number;
  readonly #hintsLive: () => boolean;
  readonly #now: () => number;
  /** Bumped by every forget: a lookup that started before one may hold what it forgot. */
  #generation = 0;

  constructor(options: CredentialCacheOptions) {
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#capacity = options.capacity ?? 10_000;
    this.#hintsLive = options.hintsLive;
    this.#now = options.now ?? Date.now;
  }

  get(tokenHash: string): Principal | undefined {
    const entry = this.#entries.get(tokenHash);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (
      now - entry.cachedAt >= this.#ttlMs ||
      (entry.expiresAt !== null && entry.expiresAt <= now) ||
      !this.#hintsLive()
    ) {
      this.#entries.delete(tokenHash);
      return undefined;
    }
    // Map order is insertion order: re-inserting keeps the least recently used first.
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, entry);
    return entry.principal;
  }

  /** Call before reading a credential from the database. */
  begin(): CredentialLookup {
    return { generation: this.#generation };
  }

  /** Keeps what a lookup found, unless something was forgotten while it ran or hints are down. */
  store(lookup: CredentialLookup, tokenHash: string, principal: Principal, expiresAt: number | null): void {
    if (lookup.generation !== this.#generation || !this.#hintsLive()) return;
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, { principal: Object.freeze(principal), expiresAt, cachedAt: this.#now() });
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  forget(subject: CredentialSubject): void {
    this.#generation++;
    if (subject.kind === "all") {
      this.#entries.clear();
      return;
    }
    for (const [hash, { principal }] of this.#entries) {
      const id =
        subject.kind === "user"
          ? principal.user.id
          : subject.kind === "session"
            ? principal.sessionId
            : principal.tokenId;
      if (id === subject.id) this.#entries.delete(hash);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
