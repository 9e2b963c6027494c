import { sql } from "kysely";
import type { Database } from "../../db/database.js";
import { writeTransaction } from "../../db/transaction.js";
import type { JobQueue } from "../../engine/job-queue.js";
import { DocketError } from "../../errors.js";
import type { CollectionJobEnqueuer } from "../collection-types.js";
import { COMPILE_PIPELINE, planCompile, type CompileJobOptions } from "./compile-pipeline.js";

/**
 * Creates the compile stage's collection job through the engine's enqueue, in one write
 * transaction that first locks the collection row (FOR UPDATE on PostgreSQL; SQLite's
 * BEGIN IMMEDIATE serialises writers), so two compile requests at once cannot both start a
 * job: the second sees the first's job and answers 409 job_active.
 *
 * The job has no document: `document_id` null and `collection_id` set on the row and on the
 * events written with it, both set by the engine's enqueue.
 */
export function compileEnqueuer(database: Database, queue: JobQueue): CollectionJobEnqueuer {
  return {
    async enqueueCompile({ collectionId, ownerId, outputs, memberIds }) {
      const id = await writeTransaction(database, async (trx) => {
        const collection = await sql<{ name: string }>`select name from collections where id = ${collectionId}
          and deleted_at is null ${sql.raw(database.dialect === "postgres" ? "for update" : "")}`.execute(trx);
        const name = collection.rows[0]?.name;
        if (name === undefined) throw new DocketError("not_found", "collection not found");
        const active = await sql<{ id: string; status: string }>`select id, status from jobs
          where collection_id = ${collectionId} and status in ('pending', 'processing') limit 1`.execute(trx);
        if (active.rows[0])
          throw new DocketError(
            "job_active",
            `the collection's compile job ${active.rows[0].id} is ${active.rows[0].status}`,
            { details: { job_id: active.rows[0].id } },
          );
        const compile: CompileJobOptions = {
          collection_id: collectionId,
          collection_name: name,
          member_ids: memberIds,
          compile_outputs: outputs,
        };
        // The job shape's option fields (API.md) say what a collection job is: its outputs, no OCR.
        const options = {
          ocr_mode: "document",
          resolution_mode: "base",
          languages: [],
          outputs,
          ocr: "skip",
          extract: "off",
          ...compile,
        } as never;
        const row = await queue.enqueue(
          {
            collectionId,
            ownerId,
            pipeline: COMPILE_PIPELINE,
            options,
            plan: planCompile(outputs),
          },
          trx,
        );
        return row.id;
      });
      queue.announceEnqueued();
      return id;
    },
  };
}
