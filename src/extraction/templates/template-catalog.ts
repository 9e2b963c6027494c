/**
 * The templates Docket knows: invoice2data YAML files in DOCKET_TEMPLATES_DIR (searched
 * recursively, *.yml, *.yaml and *.json as invoice2data reads them) and templates uploaded
 * by admins (the database). An upload wins over a file of the same name. Both sources are
 * looked at again at most every few seconds, and only changed files or rows are parsed again:
 * asking for the templates on every document costs a few stat calls. A broken file is logged
 * and skipped, never fatal.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { Database } from "../../db/database.js";
import { DocketError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { parseTemplate } from "./parse-template.js";
import { deleteTemplate, getTemplate, listTemplateVersions, upsertTemplate } from "./template-repository.js";
import type { InvoiceTemplate } from "./template-schema.js";

export type TemplateSource = "directory" | "uploaded";

/** A template as the admin routes list it. */
export interface TemplateSummary {
  name: string;
  issuer: string | null;
  keywords: string[];
  source: TemplateSource;
  updated_at: string;
  /** What Docket ignores in it (e.g. `input_module`), so the uploader knows. */
  warnings: string[];
}

export interface TemplateCatalogOptions {
  /** DOCKET_TEMPLATES_DIR; undefined: uploads only. */
  dir: string | undefined;
  database: Database;
  log: Logger;
  /** How long a look at the folder and the table stays good (default 3 s). */
  checkIntervalMs?: number;
  clock?: () => number;
}

/** Upload names: lower-case letters, digits, dot, dash, underscore; not only dots. */
export const TEMPLATE_NAME = /^(?!\.+$)[a-z0-9._-]{1,100}$/;
const TEMPLATE_FILE = /\.(ya?ml|json)$/i;

interface Entry {
  template: InvoiceTemplate;
  source: TemplateSource;
  updatedAt: number;
  /** The file, for directory templates. */
  path?: string;
}

/** A file's name as a template name: without extension, lower case, other characters as "-". */
export function templateNameOfFile(file: string): string {
  return basename(file)
    .replace(TEMPLATE_FILE, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .slice(0, 100);
}

export class TemplateCatalog {
  private readonly checkIntervalMs: number;
  private readonly clock: () => number;
  private readonly log: Logger;
  /** Parsed files by path, with the mtime and size they were parsed at (null: the file is broken). */
  private files = new Map<string, { mtimeMs: number; size: number; entry: Entry | null }>();
  private uploads = new Map<string, { updatedAt: number; entry: Entry | null }>();
  private checkedAt = -Infinity;
  private refreshing: Promise<void> | null = null;
  private dirMissingLogged = false;

  constructor(private readonly o: TemplateCatalogOptions) {
    this.checkIntervalMs = o.checkIntervalMs ?? 3_000;
    this.clock = o.clock ?? Date.now;
    this.log = o.log.child({ component: "templates" });
  }

  /** The templates to match documents against: one per name, uploads before files. */
  async templates(): Promise<InvoiceTemplate[]> {
    return (await this.entries()).map((e) => e.template);
  }

  async list(): Promise<TemplateSummary[]> {
    return (await this.entries()).map(summaryOf);
  }

  /** A template's YAML as written, with where it comes from; null when there is none of that name. */
  async get(name: string): Promise<{ yaml: string; summary: TemplateSummary } | null> {
    const uploaded = await getTemplate(this.o.database.db, name);
    if (uploaded) {
      const updated_at = new Date(Number(uploaded.updated_at)).toISOString();
      try {
        const template = parseTemplate(uploaded.yaml, name);
        return {
          yaml: uploaded.yaml,
          summary: summaryOf({ template, source: "uploaded", updatedAt: Number(uploaded.updated_at) }),
        };
      } catch (error) {
        // Still shown, so that an admin can see and replace a template this Docket cannot read.
        return {
          yaml: uploaded.yaml,
          summary: {
            name,
            issuer: null,
            keywords: [],
            source: "uploaded",
            updated_at,
            warnings: [(error as Error).message],
          },
        };
      }
    }
    const file = (await this.entries()).find((e) => e.source === "directory" && e.template.name === name);
    if (!file?.path) return null;
    return { yaml: await readFile(file.path, "utf8"), summary: summaryOf(file) };
  }

  /** Validate and store an upload; throws DocketError validation_error for a bad name or template. */
  async upload(name: string, yaml: string, userId: string): Promise<{ summary: TemplateSummary; created: boolean }> {
    if (!TEMPLATE_NAME.test(name))
      throw new DocketError("validation_error", `template name "${name}" must be 1–100 of a-z 0-9 . _ -`);
    const template = parseTemplate(yaml, name);
    const { template: row, created } = await upsertTemplate(this.o.database.db, {
      name,
      yaml,
      createdBy: userId,
      now: this.clock(),
    });
    this.invalidate();
    return { summary: summaryOf({ template, source: "uploaded", updatedAt: Number(row.updated_at) }), created };
  }

  /** Delete an upload. A template that only a file provides cannot be deleted here (conflict). */
  async remove(name: string): Promise<void> {
    if (await deleteTemplate(this.o.database.db, name)) {
      this.invalidate();
      return;
    }
    const file = (await this.entries()).find((e) => e.source === "directory" && e.template.name === name);
    if (file)
      throw new DocketError(
        "conflict",
        `template "${name}" comes from the templates folder (${relative(this.o.dir ?? ".", file.path ?? "")}): remove or change the file instead`,
      );
    throw new DocketError("not_found", `no template named "${name}"`);
  }

  /** Look at the folder and the table on the next request, whatever the interval. */
  invalidate(): void {
    this.checkedAt = -Infinity;
  }

  private async entries(): Promise<Entry[]> {
    if (this.clock() - this.checkedAt >= this.checkIntervalMs) {
      this.refreshing ??= this.refresh().finally(() => {
        this.refreshing = null;
      });
      await this.refreshing;
    }
    const byName = new Map<string, Entry>();
    const files = [...this.files.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [path, f] of files) {
      if (!f.entry) continue;
      const other = byName.get(f.entry.template.name);
      if (other) {
        this.log.debug({ file: path, kept: other.path }, "two template files have the same name: the first is used");
        continue;
      }
      byName.set(f.entry.template.name, f.entry);
    }
    for (const u of this.uploads.values()) if (u.entry) byName.set(u.entry.template.name, u.entry);
    return [...byName.values()].sort((a, b) => a.template.name.localeCompare(b.template.name));
  }

  private async refresh(): Promise<void> {
    const started = this.clock();
    await Promise.all([this.refreshDirectory(), this.refreshUploads()]);
    this.checkedAt = started;
  }

  private async refreshDirectory(): Promise<void> {
    const dir = this.o.dir;
    if (!dir) return;
    let names: string[];
    try {
      names = (await readdir(dir, { recursive: true })).filter((n) => TEMPLATE_FILE.test(n));
      this.dirMissingLogged = false;
    } catch (error) {
      if (!this.dirMissingLogged)
        this.log.warn(
          { dir, err: (error as Error).message },
          "templates folder cannot be read: only uploaded templates are used",
        );
      this.dirMissingLogged = true;
      this.files.clear();
      return;
    }
    const next = new Map<string, { mtimeMs: number; size: number; entry: Entry | null }>();
    for (const name of names.sort()) {
      const path = join(dir, name);
      let info;
      try {
        info = await stat(path);
      } catch {
        continue; // removed meanwhile
      }
      if (!info.isFile()) continue;
      const known = this.files.get(path);
      if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) {
        next.set(path, known);
        continue;
      }
      next.set(path, { mtimeMs: info.mtimeMs, size: info.size, entry: await this.readFile(path, info.mtimeMs) });
    }
    this.files = next;
  }

  private async readFile(path: string, mtimeMs: number): Promise<Entry | null> {
    try {
      const template = parseTemplate(await readFile(path, "utf8"), templateNameOfFile(path));
      if (template.warnings.length > 0)
        this.log.info({ file: path, warnings: template.warnings }, "template loaded with warnings");
      return { template, source: "directory", updatedAt: mtimeMs, path };
    } catch (error) {
      this.log.warn({ file: path, err: (error as Error).message }, "template file skipped");
      return null;
    }
  }

  private async refreshUploads(): Promise<void> {
    const db = this.o.database.db;
    const versions = await listTemplateVersions(db);
    const next = new Map<string, { updatedAt: number; entry: Entry | null }>();
    for (const v of versions) {
      const updatedAt = Number(v.updated_at);
      const known = this.uploads.get(v.name);
      if (known && known.updatedAt === updatedAt) {
        next.set(v.name, known);
        continue;
      }
      const row = await getTemplate(db, v.name);
      if (!row) continue;
      try {
        next.set(v.name, {
          updatedAt,
          entry: { template: parseTemplate(row.yaml, v.name), source: "uploaded", updatedAt },
        });
      } catch (error) {
        // Validated at upload; a later Docket may read a template differently. Skip, say so.
        this.log.warn({ template: v.name, err: (error as Error).message }, "uploaded template skipped");
        next.set(v.name, { updatedAt, entry: null });
      }
    }
    this.uploads = next;
  }
}

function summaryOf(e: Entry): TemplateSummary {
  return {
    name: e.template.name,
    issuer: e.template.issuer,
    keywords: e.template.keywords.map((k) => k.source),
    source: e.source,
    updated_at: new Date(Math.round(e.updatedAt)).toISOString(),
    warnings: e.template.warnings,
  };
}
