import type { CollectionRow } from "./collection-repository.js";
import type { CompileOutput } from "./compile/outputs.js";
import type { JobJson } from "../jobs/job-view.js";
import type { AggregateProgress, BlockingDocument, CompileStageStatus, ProcessStage } from "./stages.js";

/** The shapes of the collection API (API.md "Collections: work in stages"). */

export interface CollectionJson {
  id: string;
  name: string;
  document_ids: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

export type SkipReason = "job_active" | "completed" | "manual_review";

export interface ProcessResult {
  batch_id: string | null;
  jobs: JobJson[];
  skipped: { document_id: string; reason: SkipReason; job_id: string | null; message: string }[];
}

/** A collection job as JSON: the job shape with no document and the collection named. */
export type CollectionJobJson = Omit<JobJson, "document_id"> & { document_id: null; collection_id: string };

export interface CollectionStatus {
  stages: [
    ProcessStage,
    {
      name: "compile";
      status: CompileStageStatus;
      locked: boolean;
      reason: string | null;
      blocking: BlockingDocument[];
      job: CollectionJobJson | null;
    },
  ];
  progress: AggregateProgress;
  version: number;
}

/** Creates the compile stage's collection job (provided once the engine can enqueue one). */
export interface CollectionJobEnqueuer {
  enqueueCompile(input: {
    collectionId: string;
    ownerId: string;
    outputs: CompileOutput[];
    memberIds: string[];
  }): Promise<string>;
}

export const collectionToJson = (row: CollectionRow, documentIds: string[]): CollectionJson => ({
  id: row.id,
  name: row.name,
  document_ids: documentIds,
  created_at: new Date(Number(row.created_at)).toISOString(),
  updated_at: new Date(Number(row.updated_at)).toISOString(),
  version: Number(row.version),
});
