import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../platform/module-worker.js';
import type { AccessGrant } from './sim-access.js';
import type { RunOptions } from './simulator.js';
import type { SimSummary } from './summary.js';

// The messages between the server thread (src/sim-host.ts) and the simulator's thread
// (sim.worker.ts). They live here, in sim/, so that the worker never imports the host.

/** What the server thread tells the simulator thread at start. */
export interface WorkerSetup {
  baseUrl: string;
  scenario: string;
  options: Omit<RunOptions, 'scenario'>;
  statusEveryMs: number;
}
/** Server thread → simulator thread. */
export type WorkerRequest = { type: 'stop' };
/** Where a run is, reported every `statusEveryMs`. */
export interface WorkerStatus {
  readings: number;
  simNow: number;
  lagMs: number;
}
/** Simulator thread → server thread. */
export type WorkerMessage =
  | { type: 'log'; level: 'info' | 'warn'; message: string; data: Record<string, unknown> }
  | ({ type: 'status' } & WorkerStatus)
  | { type: 'done'; text: string; summary: SimSummary }
  | { type: 'failed'; message: string };

/** Starts the simulator's thread (sim.worker.ts) with its setup and credentials. */
export function startSimThread(setup: WorkerSetup, grant: AccessGrant): Worker {
  return startModuleWorker(import.meta.url, 'sim.worker', { ...setup, grant });
}
