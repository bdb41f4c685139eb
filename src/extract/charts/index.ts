// Public surface of chart reading: detection and data recovery on a page, and the reader's chart answers.
export { detectCharts } from './detect-charts.js';
export type { VectorPath } from './types.js';
export { answerChartQuestion, isChartQuestion, type ChartReply } from './answer.js';
