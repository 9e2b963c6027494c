import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Database } from "../db/database.js";
import { writeTransaction } from "../db/transaction.js";
import { findIdempotencyKey, putIdempotencyKey } from "../idempotency/idempotency-repository.js";
import { HttpProblem } from "./problem.js";

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** How long a key is remembered. */
const KEY_TTL_MS = 24 * 3600_000;

/**
 * Idempotency-Key on upload, submit and batch: the first response for (user, key) is stored;
 * a repeat of the same request gets it back, the same key with a different request is
 * refused with `idempotency_key_reused`.
 */
export class IdempotencyStore {
  constructor(private readonly database: Database) {}

  static keyOf(request: FastifyRequest): string | null {
    const raw = request.headers["idempotency-key"];
    if (raw === undefined) return null;
    const key = Array.isArray(raw) ? (raw[0] ?? "") : raw;
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new HttpProblem(400, "validation_error", "Idempotency-Key must be 1–200 visible ASCII characters", {
        errors: [{ field: "header.idempotency-key", message: "1–200 visible ASCII characters" }],
      });
    }
    return key;
  }

  static hash(route: string, payload: unknown): string {
    return createHash("sha256")
      .update(route)
      .update("\n")
      .update(JSON.stringify(payload ?? null))
      .digest("hex");
  }

  async lookup(ownerId: string, key: string, requestHash: string): Promise<StoredResponse | null> {
    const row = await findIdempotencyKey(this.database.db, ownerId, key);
    if (!row || Date.now() - Number(row.created_at) > KEY_TTL_MS) return null;
    if (row.request_hash !== requestHash) {
      throw new HttpProblem(
        422,
        "idempotency_key_reused",
        "this Idempotency-Key was already used for a different request",
      );
    }
    return { status: row.response_status, body: JSON.parse(row.response_body) as unknown };
  }

  /** Stores the first response; a concurrent first use keeps whichever committed first. */
  async save(ownerId: string, key: string, requestHash: string, response: StoredResponse): Promise<StoredResponse> {
    try {
      return await this.saveOnce(ownerId, key, requestHash, response);
    } catch (error) {
      // Two first uses at once: the primary key lets one insert win; answer with its response.
      const winner = await this.lookup(ownerId, key, requestHash);
      if (winner) return winner;
      throw error;
    }
  }

  private async saveOnce(
    ownerId: string,
    key: string,
    requestHash: string,
    response: StoredResponse,
  ): Promise<StoredResponse> {
    return writeTransaction(this.database, async (trx) => {
      const row = await findIdempotencyKey(trx, ownerId, key);
      if (row && Date.now() - Number(row.created_at) <= KEY_TTL_MS) {
        if (row.request_hash !== requestHash)
          throw new HttpProblem(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request",
          );
        return { status: row.response_status, body: JSON.parse(row.response_body) as unknown };
      }
      await putIdempotencyKey(
        trx,
        {
          owner_id: ownerId,
          key,
          request_hash: requestHash,
          response_status: response.status,
          response_body: JSON.stringify(response.body),
          created_at: Date.now(),
        },
        row !== undefined,
      );
      return response;
    });
  }
}
