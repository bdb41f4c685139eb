// Public face of date extraction: what services (batch jobs, exporters) import.
export { extractDates, extractDocumentDates, type ExtractDatesOptions } from './extract-dates.js';
export { detectLocale, localeEvidence, type DateOrder, type LocaleEvidence } from './locale.js';
export { rejectLookAlike, type RejectReason } from './filters.js';
