// The extract room beyond dates: tables, exports and batch jobs.
import { AppError } from '../shared/errors.js';
import type { BackendContext } from './handlers.js';
import { notImplemented, type Emit, type RoomSlice } from './room.js';

export type ExtractChannel =
  | 'extract.tables'
  | 'extract.export'
  | 'extract.start'
  | 'extract.cancel'
  | 'extract.resume'
  | 'extract.jobs'
  | 'extract.job';

export function extractRoom(_ctx: BackendContext, _emit: Emit): RoomSlice<ExtractChannel> {
  return {
    handlers: {
      'extract.tables': () => notImplemented('Table extraction'),
      'extract.export': () => notImplemented('Exporting extractions'),
      'extract.start': () => notImplemented('Batch extraction jobs'),
      'extract.cancel': () => notImplemented('Batch extraction jobs'),
      'extract.resume': () => notImplemented('Batch extraction jobs'),
      'extract.jobs': () => Promise.resolve([]),
      'extract.job': ({ jobId }) => Promise.reject(new AppError('not_found', `no job ${jobId}`)),
    },
    dispose: () => Promise.resolve(),
  };
}
