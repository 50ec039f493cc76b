// The thread behind WriterThread: its own connection to the SQLite file and a domain's method table
// over it. Each message starts its method at once, in arrival order: a synchronous method (a group
// commit) runs whole before the next message; an asynchronous one (a flush that yields between
// its slices) lets the calls that arrive meanwhile run.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite.js';
import { sendError, type WriterModule, type WriterRequest, type WriterResponse } from './writer-thread.js';

type Table = Record<string, (...args: unknown[]) => unknown>;

const { location, cacheMiB, methods } = workerData as { location: string; cacheMiB: number; methods: string };
const database = openSqlite(location, { cacheMiB });
const table = ((await import(methods)) as WriterModule<Table>).writerMethods(database);
const port = parentPort!;

async function run(request: WriterRequest): Promise<unknown> {
  if ('close' in request) return database.close();
  if (!Object.hasOwn(table, request.method)) throw new Error(`no writer method ${request.method}`);
  return table[request.method]!(...request.args);
}

// Tells the caller the connection is open (WriterThread.ready), so no call waits for start-up.
port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies WriterResponse);

port.on('message', (request: WriterRequest) => {
  run(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WriterResponse),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, error: sendError(error) } satisfies WriterResponse),
  );
});
