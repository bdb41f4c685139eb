// Batch extraction jobs and the extraction helpers the extract.* handlers share with them.
export {
  JobManager,
  defaultConcurrency,
  statusOf,
  EXTRACT_VERSION,
  type JobDeps,
  type JobOptions,
} from './manager.js';
export { chartsOf, datesOf, tablesOf, textsOf } from './extract-doc.js';
export { discoverInputs, DOCUMENT_EXTENSIONS } from './discover.js';
