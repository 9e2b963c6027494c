/**
 * Where a job's steps keep their files in the blob store: the one definition of the step
 * workspace path. A step writes under its own prefix and reads earlier steps' prefixes; a
 * failed or cancelled step's prefix is removed whole, and deleting a job removes the job's.
 */
/** The prefix under which every job's workspace lies (the blob sweeper lists it for orphans). */
export const JOB_WORKSPACES_PREFIX = "jobs/";

export const jobWorkspace = (jobId: string) => `${JOB_WORKSPACES_PREFIX}${jobId}/`;

/** The id of the job whose workspace holds this blob key, or undefined for a key outside every workspace. */
export function jobIdOfWorkspaceKey(key: string): string | undefined {
  if (!key.startsWith(JOB_WORKSPACES_PREFIX)) return undefined;
  const rest = key.slice(JOB_WORKSPACES_PREFIX.length);
  const slash = rest.indexOf("/");
  return slash > 0 ? rest.slice(0, slash) : undefined;
}

export const stepWorkspace = (jobId: string, step: string) => `${jobWorkspace(jobId)}${step}/`;
