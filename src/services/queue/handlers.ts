// The backend's `queue.status` channel: a queue job's progress for the desktop Batch view (src/services/queue).
import type { Handlers } from '../../shared/contract.js';
import { queueStatus } from './producer.js';

export function queueHandlers(): Pick<Handlers, 'queue.status'> {
  return {
    'queue.status': ({ redis, job }) => queueStatus(redis, job),
  };
}
