// The preload builds window.api from the contract's channel list and exposes nothing else (VS Code style):
// unknown channels are refused here, before anything reaches main.
import { contextBridge, ipcRenderer } from 'electron';
import type { AppEvent } from '../shared/contract.js';
import { buildBridge } from './bridge.js';

contextBridge.exposeInMainWorld(
  'api',
  buildBridge({
    invoke: (channel, input) => ipcRenderer.invoke('doclens:rpc', channel, input),
    subscribe: (listener) => {
      const wrapped = (_e: unknown, event: AppEvent) => listener(event);
      ipcRenderer.on('doclens:event', wrapped);
      return () => ipcRenderer.removeListener('doclens:event', wrapped);
    },
  }),
);
