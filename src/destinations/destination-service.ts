import type { Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/database.js";
import type { DatabaseSchema } from "../db/schema.js";
import type { Scope } from "../documents/document-service.js";
import { newId } from "../engine/ids.js";
import { DocketError, toDocketError } from "../errors.js";
import { OutgoingRequestError } from "../net/safe-http.js";
import { createDeliverer } from "./create-deliverer.js";
import type { DelivererOptions } from "./deliverer.js";
import {
  CONFIG_SCHEMAS,
  DESTINATION_NAME,
  maskConfig,
  SECRET_FIELDS,
  SECRET_MASK,
  type Destination,
  type DestinationJson,
  type DestinationKind,
} from "./destination-types.js";
import { checkFolderPath } from "./folder-paths.js";
import type { DeliveryTables, DestinationsTable } from "./tables.js";

export interface CreateDestination {
  name: string;
  kind: DestinationKind;
  config: Record<string, unknown>;
  is_default?: boolean | undefined;
}

export interface PatchDestination {
  name?: string | undefined;
  config?: Record<string, unknown> | undefined;
  is_default?: boolean | undefined;
}

/** What a submit resolved: the names the plan uses, and each name's destination id. */
export interface ResolvedDestinations {
  names: string[];
  ids: Record<string, string>;
}

const invalid = (message: string, fields: string[]) =>
  new DocketError("validation_error", message, { details: { fields } });

/**
 * Destinations per user: create, read, change, delete and test, always scoped to the
 * owner. Secret config fields are encrypted before they are stored and masked in every
 * answer; a PATCH that sends the mask (or leaves a secret out) keeps the stored secret.
 */
export class DestinationService {
  private readonly db: Kysely<DatabaseSchema & DeliveryTables>;

  constructor(
    private readonly database: Database,
    private readonly box: SecretBox,
    private readonly options: DelivererOptions,
  ) {
    this.db = database.db.withTables<DeliveryTables>();
  }

  async list(scope: Scope): Promise<DestinationJson[]> {
    const rows = await this.db
      .selectFrom("destinations")
      .selectAll()
      .where("owner_id", "=", scope.userId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((r) => this.toJson(r));
  }

  async get(scope: Scope, id: string): Promise<DestinationJson> {
    return this.toJson(await this.row(scope.userId, id));
  }

  async create(scope: Scope, input: CreateDestination): Promise<DestinationJson> {
    const name = this.checkName(input.name);
    const config = this.checkConfig(input.kind, input.config);
    const now = Date.now();
    const row: DestinationsTable = {
      id: newId(),
      owner_id: scope.userId,
      name,
      kind: input.kind,
      ...this.split(input.kind, config),
      is_default: input.is_default ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await this.insertOrConflict(() => this.db.insertInto("destinations").values(row).execute(), name);
    return this.toJson(row);
  }

  async update(scope: Scope, id: string, patch: PatchDestination): Promise<DestinationJson> {
    const row = await this.row(scope.userId, id);
    const kind = row.kind as DestinationKind;
    const set: Partial<DestinationsTable> = { updated_at: Date.now() };
    if (patch.name !== undefined) set.name = this.checkName(patch.name);
    if (patch.is_default !== undefined) set.is_default = patch.is_default ? 1 : 0;
    if (patch.config !== undefined) {
      // Secrets left out or sent back masked keep their stored values.
      const current = this.decrypt(row);
      const merged: Record<string, unknown> = { ...patch.config };
      for (const field of SECRET_FIELDS[kind])
        if (merged[field] === undefined || merged[field] === SECRET_MASK) merged[field] = current[field];
      Object.assign(set, this.split(kind, this.checkConfig(kind, merged)));
    }
    await this.insertOrConflict(
      () => this.db.updateTable("destinations").set(set).where("id", "=", id).execute(),
      set.name ?? row.name,
    );
    return this.get(scope, id);
  }

  async remove(scope: Scope, id: string): Promise<void> {
    await this.row(scope.userId, id);
    await this.db.deleteFrom("destinations").where("id", "=", id).where("owner_id", "=", scope.userId).execute();
  }

  /** Connects and checks without delivering; `ok: false` with what failed (never a 500). */
  async test(scope: Scope, id: string): Promise<{ ok: boolean; detail: string }> {
    const destination = await this.load(scope.userId, id);
    try {
      const deliverer = createDeliverer(destination, this.options);
      return { ok: true, detail: await deliverer.test(AbortSignal.timeout(30_000)) };
    } catch (error) {
      const failure =
        error instanceof OutgoingRequestError ? error : toDocketError(error instanceof Error ? error : String(error));
      const code = failure instanceof DocketError ? `${failure.code}: ` : "";
      return { ok: false, detail: `${code}${failure.message}` };
    }
  }

  /**
   * The destinations a submit delivers to: the ids given (each must be the caller's), or
   * the caller's defaults when none are given. Names are what the plan's steps carry.
   */
  async resolveForSubmit(ownerId: string, ids: readonly string[] | undefined): Promise<ResolvedDestinations> {
    let query = this.db.selectFrom("destinations").select(["id", "name"]).where("owner_id", "=", ownerId);
    if (ids === undefined) query = query.where("is_default", "=", 1);
    else if (ids.length === 0) return { names: [], ids: {} };
    else query = query.where("id", "in", [...new Set(ids)]);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    if (ids !== undefined) {
      const missing = [...new Set(ids)].filter((id) => !rows.some((r) => r.id === id));
      if (missing.length > 0)
        throw new DocketError("validation_error", `unknown destination ${missing.join(", ")}`, {
          details: { fields: ["destinations"], missing },
        });
      rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    }
    return { names: rows.map((r) => r.name), ids: Object.fromEntries(rows.map((r) => [r.name, r.id])) };
  }

  /** A destination with its secrets decrypted, for delivery (never for answers). */
  async load(ownerId: string, id: string): Promise<Destination> {
    const row = await this.row(ownerId, id);
    return {
      id: row.id,
      ownerId: row.owner_id,
      name: row.name,
      kind: row.kind as DestinationKind,
      config: this.decryptForUse(row) as Destination["config"],
      isDefault: row.is_default === 1,
      createdAt: Number(row.created_at),
    };
  }

  private async row(ownerId: string, id: string): Promise<DestinationsTable> {
    const row = await this.db
      .selectFrom("destinations")
      .selectAll()
      .where("id", "=", id)
      .where("owner_id", "=", ownerId)
      .executeTakeFirst();
    if (!row) throw new DocketError("not_found", "destination not found");
    return row;
  }

  private checkName(name: string): string {
    const trimmed = name.trim();
    if (!DESTINATION_NAME.test(trimmed))
      throw invalid("name: 1–63 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit", ["name"]);
    return trimmed;
  }

  private checkConfig(kind: DestinationKind, config: Record<string, unknown>): Record<string, unknown> {
    const parsed = CONFIG_SCHEMAS[kind].safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `config.${i.path.join(".") || "(root)"}: ${i.message}`);
      throw invalid(
        issues.join("; "),
        parsed.error.issues.map((i) => `config.${i.path.join(".")}`),
      );
    }
    const value = parsed.data as Record<string, unknown>;
    if (kind === "folder") value.path = checkFolderPath(value.path as string, this.options.folderRoots);
    return value;
  }

  /** Non-secret fields as JSON, secret ones encrypted together. */
  private split(kind: DestinationKind, config: Record<string, unknown>): { config: string; secrets: string | null } {
    const plain = { ...config };
    const secret: Record<string, unknown> = {};
    for (const field of SECRET_FIELDS[kind]) {
      if (plain[field] !== undefined) secret[field] = plain[field];
      delete plain[field];
    }
    return {
      config: JSON.stringify(plain),
      secrets: Object.keys(secret).length > 0 ? this.box.encrypt(JSON.stringify(secret)) : null,
    };
  }

  /** Secrets this process cannot decrypt (another DOCKET_SECRET_KEY) fail the delivery clearly, not as a crash. */
  private decryptForUse(row: DestinationsTable): Record<string, unknown> {
    try {
      return this.decrypt(row);
    } catch (error) {
      throw new DocketError("destination_auth", `destination "${row.name}": ${(error as Error).message}`, {
        status: 502,
        permanent: true,
      });
    }
  }

  private decrypt(row: DestinationsTable): Record<string, unknown> {
    const config = JSON.parse(row.config) as Record<string, unknown>;
    return row.secrets
      ? { ...config, ...(JSON.parse(this.box.decrypt(row.secrets)) as Record<string, unknown>) }
      : config;
  }

  private toJson(row: DestinationsTable): DestinationJson {
    const kind = row.kind as DestinationKind;
    const config = JSON.parse(row.config) as Record<string, unknown>;
    // Which secrets are set is visible (masked), their values never: they are not even decrypted here.
    const present: Record<string, unknown> = {};
    if (row.secrets) for (const field of SECRET_FIELDS[kind]) present[field] = SECRET_MASK;
    return {
      id: row.id,
      name: row.name,
      kind,
      config: maskConfig(kind, { ...config, ...present }),
      is_default: row.is_default === 1,
      created_at: new Date(Number(row.created_at)).toISOString(),
    };
  }

  private async insertOrConflict(write: () => Promise<unknown>, name: string): Promise<void> {
    try {
      await write();
    } catch (error) {
      const text = String((error as Error).message ?? error);
      if (/unique|duplicate key/i.test(text))
        throw new DocketError("conflict", `you already have a destination named "${name}"`, {
          details: { fields: ["name"] },
        });
      throw error;
    }
  }
}
