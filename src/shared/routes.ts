// HTTP paths of headless mode beyond /rpc and /events, written once for the server and the UI that links them.

/** One output file of a finished batch job, served as a download (src/server/job-downloads.ts). */
export function jobOutputPath(jobId: string, name: string): string {
  return `/jobs/${encodeURIComponent(jobId)}/${encodeURIComponent(name)}`;
}
