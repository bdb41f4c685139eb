// Messages between RulingsReader and its worker thread (rulings-worker.ts).
import type { Segment } from '../../documents/rulings.js';

export interface RulingsCall {
  seq: number;
  path: string;
  pages: number[];
  password?: string;
}
export type RulingsReply =
  { seq: number; ok: true; rulings: Segment[][] } | { seq: number; ok: false; message: string };

/** Posted once by the worker when its code has loaded. */
export const RULINGS_READY = 'doclens-rulings-ready';
