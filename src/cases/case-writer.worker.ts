// The thread behind CaseWriterThread: its own connection to the SQLite file, one group commit per
// message, in arrival order (the repository may send the next group before this one's answer).
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../platform/db/sqlite.js';
import { CaseBatchWriter } from './case-batch-writer.js';
import { sendError, type CaseWriterRequest, type CaseWriterResponse } from './case-writer-thread.js';

const { location, cacheMiB } = workerData as { location: string; cacheMiB: number };
const database = openSqlite(location, { cacheMiB });
const writer = new CaseBatchWriter(database.db);
const port = parentPort!;

port.postMessage({ id: 0, ok: true, outcomes: [] } satisfies CaseWriterResponse);

port.on('message', (request: CaseWriterRequest) => {
  let response: CaseWriterResponse;
  try {
    if (request.method === 'close') {
      void database.close();
      response = { id: request.id, ok: true, outcomes: [] };
    } else {
      const outcomes = writer.write(request.batch);
      response = {
        id: request.id,
        ok: true,
        outcomes: outcomes.map((o) => (o.ok ? o : { ok: false, error: sendError(o.error) })),
      };
    }
  } catch (error) {
    response = { id: request.id, ok: false, error: sendError(error) };
  }
  port.postMessage(response);
});
