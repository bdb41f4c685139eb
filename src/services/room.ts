// A room's slice of the backend: the channels it answers and what it must release when the backend stops.
// handlers.ts spreads the slices into one Handlers object, so each room's wiring lives in its own file.
import type { AppEvent, Channel, Handlers } from '../shared/contract.js';
import { AppError } from '../shared/errors.js';

export interface RoomSlice<C extends Channel> {
  handlers: Pick<Handlers, C>;
  dispose(): Promise<void>;
}

export type Emit = (event: AppEvent) => void;

export function notImplemented(what: string): never {
  throw new AppError('not_implemented', `${what} is not available in this build yet`);
}
