/**
 * Where a pipeline's documents are posted and looked up, shared by the Node client and the k6
 * scenarios (so this module uses no Node API). Naming no pipeline keeps the routes invoices had
 * before pipelines were data, which ingest still serves as theirs.
 */
export function documentsPath(pipeline: string | undefined): string {
  return pipeline === undefined ? '/v1/documents' : `/v1/pipelines/${encodeURIComponent(pipeline)}/documents`;
}
