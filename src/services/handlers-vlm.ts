// The VLM room: ground.start, models.status, and the VLM branch of the ask flow.
import type { BackendContext } from './handlers.js';
import { notImplemented, type Emit, type RoomSlice } from './room.js';

export type VlmChannel = 'ground.start' | 'models.status';

export function vlmRoom(ctx: BackendContext, _emit: Emit): RoomSlice<VlmChannel> {
  return {
    handlers: {
      'ground.start': () => notImplemented('Finding objects (VLM engine)'),
      'models.status': () =>
        Promise.resolve({
          preference: ctx.settings.get().provider,
          active: null,
          attempts: [],
          summary: 'No model loaded: the reader engine answers until a vision-language model is installed.',
          loadedModel: null,
        }),
    },
    dispose: () => Promise.resolve(),
  };
}
