/**
 * Where a job's steps keep their files in the blob store: the one definition of the step
 * workspace path. A step writes under its own prefix and reads earlier steps' prefixes; a
 * failed or cancelled step's prefix is removed whole, and deleting a job removes the job's.
 */
export const jobWorkspace = (jobId: string) => `jobs/${jobId}/`;

export const stepWorkspace = (jobId: string, step: string) => `${jobWorkspace(jobId)}${step}/`;
