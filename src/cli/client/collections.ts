/**
 * The collection part of the CLI's client (`docket collection …`), in both modes: remote over
 * the API's collection routes, local on the same CollectionService the server runs.
 */
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type {
  CollectionJobJson,
  CollectionJson,
  CollectionService,
  CollectionStatus,
  ProcessResult,
} from "../../collections/collection-service.js";
import type { CompileOutput } from "../../collections/compile/outputs.js";
import type { Scope } from "../../documents/document-service.js";
import type { SubmitOptions } from "../../jobs/options.js";

export type { CollectionJobJson, CollectionJson, CollectionStatus, ProcessResult };

export interface CollectionClient {
  create(name: string): Promise<CollectionJson>;
  list(): Promise<CollectionJson[]>;
  get(id: string): Promise<CollectionJson>;
  add(id: string, documentIds: string[]): Promise<CollectionJson>;
  process(id: string, options: SubmitOptions): Promise<ProcessResult>;
  compile(id: string, outputs: CompileOutput[] | undefined): Promise<CollectionJobJson>;
  /** The status; with `wait`, answers once its version differs from `version` or after `wait` seconds. */
  status(id: string, wait?: { version: number; seconds: number }): Promise<CollectionStatus>;
  result(id: string, format: CompileOutput): Promise<Readable>;
}

type Json = <T>(
  method: string,
  path: string,
  init?: { json?: unknown; headers?: Record<string, string> },
) => Promise<T>;
type Send = (method: string, path: string, init?: { headers?: Record<string, string> }) => Promise<Response>;

export class RemoteCollections implements CollectionClient {
  constructor(
    private readonly json: Json,
    private readonly send: Send,
  ) {}

  private path(id: string, rest = ""): string {
    return `/api/v1/collections/${encodeURIComponent(id)}${rest}`;
  }

  create(name: string): Promise<CollectionJson> {
    return this.json("POST", "/api/v1/collections", { json: { name } });
  }

  async list(): Promise<CollectionJson[]> {
    return (await this.json<{ items: CollectionJson[] }>("GET", "/api/v1/collections?page_size=100")).items;
  }

  get(id: string): Promise<CollectionJson> {
    return this.json("GET", this.path(id));
  }

  add(id: string, documentIds: string[]): Promise<CollectionJson> {
    return this.json("POST", this.path(id, "/documents"), { json: { document_ids: documentIds } });
  }

  process(id: string, options: SubmitOptions): Promise<ProcessResult> {
    return this.json("POST", this.path(id, "/process"), { json: options });
  }

  compile(id: string, outputs: CompileOutput[] | undefined): Promise<CollectionJobJson> {
    return this.json("POST", this.path(id, "/compile"), { json: outputs ? { outputs } : {} });
  }

  async status(id: string, wait?: { version: number; seconds: number }): Promise<CollectionStatus> {
    if (!wait) return this.json("GET", this.path(id, "/status"));
    const res = await this.send("GET", this.path(id, `/status?wait=${wait.seconds}`), {
      headers: { "if-none-match": `"${wait.version}"` },
    });
    // 304: unchanged after the wait; read it again (cheap) so the caller always gets a status.
    if (res.status === 304) return this.json("GET", this.path(id, "/status"));
    return (await res.json()) as CollectionStatus;
  }

  async result(id: string, format: CompileOutput): Promise<Readable> {
    const res = await this.send("GET", this.path(id, `/result/${format}`), { headers: { accept: "*/*" } });
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }
}

/** Local mode: the service itself. Waiting polls the version every 500 ms (no HTTP long-poll here). */
export class LocalCollections implements CollectionClient {
  constructor(
    private readonly service: CollectionService,
    private readonly scope: () => Promise<Scope>,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  create(name: string): Promise<CollectionJson> {
    return this.guard(async () => this.service.create(await this.scope(), name));
  }

  list(): Promise<CollectionJson[]> {
    return this.guard(async () => (await this.service.list(await this.scope(), 1, 100)).items);
  }

  get(id: string): Promise<CollectionJson> {
    return this.guard(async () => this.service.get(await this.scope(), id));
  }

  add(id: string, documentIds: string[]): Promise<CollectionJson> {
    return this.guard(async () => this.service.addDocuments(await this.scope(), id, documentIds));
  }

  process(id: string, options: SubmitOptions): Promise<ProcessResult> {
    return this.guard(async () => this.service.process(await this.scope(), id, options));
  }

  compile(id: string, outputs: CompileOutput[] | undefined): Promise<CollectionJobJson> {
    return this.guard(async () => {
      const scope = await this.scope();
      await this.service.compile(scope, id, outputs);
      return (await this.service.status(scope, id)).stages[1].job!;
    });
  }

  status(id: string, wait?: { version: number; seconds: number }): Promise<CollectionStatus> {
    return this.guard(async () => {
      const scope = await this.scope();
      const deadline = Date.now() + (wait?.seconds ?? 0) * 1000;
      for (;;) {
        const status = await this.service.status(scope, id);
        if (!wait || status.version !== wait.version || Date.now() >= deadline) return status;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
  }

  result(id: string, format: CompileOutput): Promise<Readable> {
    return this.guard(async () => (await this.service.resultFile(await this.scope(), id, format)).stream);
  }
}
