import type { FieldsJson } from "../../fields/fields-types.js";

/** An output of a member's latest completed job. */
export interface MemberArtifact {
  kind: string;
  blobKey: string;
  mimeType: string;
  sizeBytes: number;
}

/** One document of a collection as the compile builders see it, in collection order. */
export interface CompileMember {
  /** 1-based position in the collection. */
  index: number;
  documentId: string;
  filename: string;
  safeFilename: string;
  mimeType: string;
  /** The original upload. */
  blobKey: string;
  numPages: number | null;
  /** The latest completed job, whose outputs and fields are compiled (null: none). */
  jobId: string | null;
  artifacts: MemberArtifact[];
  fields: FieldsJson | null;
}

/** The file name stem of a member inside the ZIP and similar: its position keeps names unique and ordered. */
export function memberStem(member: Pick<CompileMember, "index" | "safeFilename">): string {
  const stem = member.safeFilename.replace(/\.[^.]*$/, "") || "document";
  return `${String(member.index).padStart(4, "0")}-${stem}`;
}
