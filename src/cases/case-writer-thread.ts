import type { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import { startModuleWorker } from '../platform/module-worker.js';
import type { CommitBatch, CommitOutcome } from './case-batch-writer.js';
import type { CaseEventRecord } from './case.types.js';

/** An error as it crosses the thread boundary (an AppError keeps its code and details). */
export interface SentError {
  name: string;
  message: string;
  code: string | undefined;
  details?: unknown;
  app: boolean;
}

/** A call to the case writer thread. */
export type CaseWriterRequest =
  { id: number; method: 'write'; batch: CommitBatch } | { id: number; method: 'close' };

/** The thread's answer: each caller's outcome, or the error that failed the whole transaction. */
export type CaseWriterResponse =
  | {
      id: number;
      ok: true;
      outcomes: ({ ok: true; events: CaseEventRecord[] } | { ok: false; error: SentError })[];
    }
  | { id: number; ok: false; error: SentError };

/** An error made ready for postMessage. */
export function sendError(error: unknown): SentError {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    code: typeof code === 'string' ? code : undefined,
    ...(error instanceof AppError ? { details: error.details, app: true } : { app: false }),
  };
}

/** The error again on this side: an AppError with its code, or an Error carrying `code`. */
export function receiveError(sent: SentError): Error {
  if (sent.app && sent.code) return new AppError(sent.code as ErrorCode, sent.message, sent.details);
  return Object.assign(new Error(sent.message), { name: sent.name, code: sent.code });
}

/**
 * The cases' group commit on a worker thread with its own connection to the SQLite file.
 *
 * Why: better-sqlite3 blocks its thread for every statement and for the commit's fsync. On the
 * HTTP thread, a group commit of a few hundred reports (their rows, audit links and statistics)
 * stalled every other request and the next reports' routing and de-duplication with it. On the
 * writer thread the second core writes one group while the HTTP thread prepares the next, and a
 * group grows by what arrived meanwhile. Acknowledgement is unchanged: a caller's promise
 * resolves after the transaction holding its changes is committed (bench/cases.bench.ts).
 * SQLite in memory (':memory:') cannot be shared between threads; there the repository commits
 * on the caller's thread with the same CaseBatchWriter.
 */
export class CaseWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (v: CaseWriterResponse) => void; reject: (e: unknown) => void }
  >();
  private nextId = 1;
  private failure: Error | undefined;
  /** Resolves once the thread has opened its connection. */
  readonly ready: Promise<void>;

  constructor(database: SqliteDatabase) {
    if (database.location === ':memory:') {
      throw new Error('CaseWriterThread needs a SQLite file, not :memory:');
    }
    this.worker = startModuleWorker(import.meta.url, 'case-writer.worker', {
      location: database.location,
      cacheMiB: database.cacheMiB,
    });
    // Referenced only while a call is outstanding, so an idle writer does not keep the process alive.
    this.worker.on('message', (response: CaseWriterResponse) => this.settle(response));
    this.ready = new Promise<void>((resolve, reject) =>
      this.waiting.set(0, { resolve: () => resolve(), reject }),
    );
    this.ready.catch(() => undefined); // a start-up failure also fails every call; not unhandled
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`case writer thread exited (code ${code})`)));
  }

  /** True once the thread has exited or failed (or was closed): it takes no more groups. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Commits a group; each caller's outcome comes back as CaseBatchWriter.write gives it. */
  async write(batch: CommitBatch): Promise<CommitOutcome[]> {
    const response = await this.call({ id: 0, method: 'write', batch });
    if (!response.ok) throw receiveError(response.error);
    return response.outcomes.map((o) => (o.ok ? o : { ok: false, error: receiveError(o.error) }));
  }

  /** Closes the thread's connection and ends it (the caller has no writes outstanding). */
  async close(): Promise<void> {
    if (this.failure) return;
    await this.call({ id: 0, method: 'close' });
    this.failure = new Error('the case writer is closed');
    await this.worker.terminate();
  }

  private call(request: CaseWriterRequest): Promise<CaseWriterResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private settle(response: CaseWriterResponse): void {
    const waiter = this.waiting.get(response.id);
    if (!waiter) return;
    this.waiting.delete(response.id);
    if (this.waiting.size === 0) this.worker.unref();
    waiter.resolve(response);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}
