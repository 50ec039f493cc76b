import type { Transferable, Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../errors.js';
import { startModuleWorker } from '../module-worker.js';
import type { SqliteDatabase } from './database.js';

/**
 * The functions a writer thread runs on its own connection, by name. Arguments and results cross
 * the thread by structured clone (typed arrays may be transferred), so they are plain data.
 */
export type WriterMethods<M> = { [K in keyof M]: (...args: never[]) => unknown };

/** What a domain's writer module exports: its method table over the thread's connection. */
export interface WriterModule<M> {
  writerMethods(database: SqliteDatabase): M;
}

/** An error as it crosses the thread boundary (an AppError keeps its code and details). */
export interface SentError {
  name: string;
  message: string;
  code: string | undefined;
  details?: unknown;
  app: boolean;
}

/** A call to the writer thread: one method of the table, or the end of its connection. */
export type WriterRequest = { id: number; method: string; args: unknown[] } | { id: number; close: true };

/** The thread's answer to one request; id 0 is its "connection open". */
export type WriterResponse =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SentError };

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

/** The error again on this side: an AppError with its code (and so its status), or an Error carrying `code`. */
export function receiveError(sent: SentError): Error {
  if (sent.app && sent.code) return new AppError(sent.code as ErrorCode, sent.message, sent.details);
  return Object.assign(new Error(sent.message), { name: sent.name, code: sent.code });
}

/** How a writer thread is started. */
export interface WriterThreadOptions<M> {
  /** The module exporting `writerMethods` (moduleBeside(import.meta.url, '<domain>-writer.methods')). */
  methods: URL;
  /** Named in errors: "the case writer is closed", "case writer thread exited (code 1)". */
  name: string;
  /**
   * The same table on the caller's connection. Given, calls made after the thread died or was
   * stopped run here (on the caller's thread); without it they fail with the thread's error.
   */
  fallback?: M;
}

/**
 * A domain's SQLite writes on a worker thread with its own connection to the file.
 *
 * Why: better-sqlite3 blocks its thread for the whole of a statement and for a commit's fsync. On
 * the HTTP thread that stalls every request; on a worker the event loop stays free and the second
 * core writes. Each domain gives only its method table (a module exporting `writerMethods`); this
 * class is the request/response RPC around it: calls in order, errors that keep their catalog code
 * across the thread, a drain on stop, and the fallback when the worker dies. A call resolves when
 * the method returned on the thread, so a method that commits acknowledges a durable commit.
 * SQLite in memory (':memory:') cannot be shared between threads: the constructor refuses it.
 */
export class WriterThread<M extends WriterMethods<M>> {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  private nextId = 1;
  private failure: Error | undefined;
  private drainWaiters: (() => void)[] = [];
  /** Resolves once the thread has opened its connection; calls made before it are queued. */
  readonly ready: Promise<void>;

  constructor(
    database: SqliteDatabase,
    private readonly options: WriterThreadOptions<M>,
  ) {
    if (database.location === ':memory:') {
      throw new Error(`the ${options.name} needs a SQLite file, not :memory:`);
    }
    this.worker = startModuleWorker(import.meta.url, 'writer.worker', {
      location: database.location,
      cacheMiB: database.cacheMiB,
      methods: options.methods.href,
    });
    // Referenced only while a call is outstanding: an idle writer does not keep the process alive,
    // a busy one does (so `await store.append(…)` at the end of a script still completes).
    // Message id 0 is the thread's "ready", outstanding (referenced) until it arrives.
    this.worker.on('message', (response: WriterResponse) => this.settle(response));
    this.ready = new Promise<void>((resolve, reject) =>
      this.waiting.set(0, { resolve: () => resolve(), reject }),
    );
    this.ready.catch(() => undefined); // a start-up failure also fails every call; not unhandled
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`${options.name} thread exited (code ${code})`)));
  }

  /** True once the thread has exited, failed or been stopped: it takes no more calls. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Calls outstanding on the thread. */
  get inFlight(): number {
    return this.waiting.size;
  }

  /** Runs `method` on the thread (or on the fallback once the thread is gone); `transfer` moves buffers instead of copying. */
  call<K extends keyof M & string>(
    method: K,
    args: Parameters<M[K]>,
    transfer: readonly Transferable[] = [],
  ): Promise<Awaited<ReturnType<M[K]>>> {
    if (this.failure) {
      const fallback = this.options.fallback;
      if (!fallback) return Promise.reject(this.failure);
      // Runs at once, on this thread; a throw becomes the rejection.
      return (async () => fallback[method](...args))() as Promise<Awaited<ReturnType<M[K]>>>;
    }
    return this.post({ id: 0, method, args }, transfer) as Promise<Awaited<ReturnType<M[K]>>>;
  }

  /**
   * Waits for the calls outstanding, closes the thread's connection and ends it. Calls made from
   * here on go to the fallback, or fail "closed".
   */
  async stop(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error(`the ${this.options.name} is closed`);
    if (this.waiting.size > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    if (this.worker.threadId >= 0) {
      await this.post({ id: 0, close: true }).catch(() => undefined); // it may have died meanwhile
      await this.worker.terminate();
    }
  }

  private post(request: WriterRequest, transfer: readonly Transferable[] = []): Promise<unknown> {
    const id = this.nextId++;
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(response: WriterResponse): void {
    const waiter = this.waiting.get(response.id);
    if (!waiter) return;
    this.waiting.delete(response.id);
    if (response.ok) waiter.resolve(response.value);
    else waiter.reject(receiveError(response.error));
    if (this.waiting.size === 0) this.drained();
  }

  private drained(): void {
    this.worker.unref();
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    this.drained();
  }
}
