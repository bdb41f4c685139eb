// The models.* channels (except models.status, which belongs to the VLM room): the model store.
import type { BackendContext } from './handlers.js';
import { notImplemented, type Emit, type RoomSlice } from './room.js';

export type ModelChannel =
  | 'models.list'
  | 'models.pull'
  | 'models.pausePull'
  | 'models.cancelPull'
  | 'models.import'
  | 'models.verify'
  | 'models.remove';

export function modelsRoom(_ctx: BackendContext, _emit: Emit): RoomSlice<ModelChannel> {
  return {
    handlers: {
      'models.list': () => notImplemented('The model store'),
      'models.pull': () => notImplemented('Pulling models'),
      'models.pausePull': () => notImplemented('Pulling models'),
      'models.cancelPull': () => notImplemented('Pulling models'),
      'models.import': () => notImplemented('Importing models'),
      'models.verify': () => notImplemented('Verifying models'),
      'models.remove': () => notImplemented('Removing models'),
    },
    dispose: () => Promise.resolve(),
  };
}
