// The worker thread behind ReadingWriter: its own connection to the SQLite file, running the
// repository's writing methods one message at a time (a flush yields between its slices, so
// commits arriving meanwhile are not held up behind it).
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../../platform/db/sqlite.js';
import { SqliteReadingRepository } from './reading.repository.sqlite.js';
import type { WriterRequest, WriterResponse } from './reading-writer.js';

const { location, cacheMiB } = workerData as { location: string; cacheMiB: number };
const database = openSqlite(location, { cacheMiB });
const repository = new SqliteReadingRepository(database);
const port = parentPort!;

async function run(request: WriterRequest): Promise<unknown> {
  switch (request.method) {
    case 'appendLog':
      return repository.appendLog(...request.args);
    case 'writePieces':
      return repository.writePieces(...request.args);
    case 'dropLog':
      return repository.dropLog(...request.args);
    case 'hasPieces':
      return repository.hasPieces(...request.args);
    case 'dueForCompaction':
      return repository.dueForCompaction(...request.args);
    case 'compact':
      return repository.compact(...request.args);
    case 'deleteBefore':
      return repository.deleteBefore(...request.args);
    case 'close':
      await database.close();
      return undefined;
  }
}

// Tells the caller the connection is open (ReadingWriter.ready), so no commit waits for start-up.
port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies WriterResponse);

port.on('message', (request: WriterRequest) => {
  run(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WriterResponse),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      const code = (error as { code?: unknown }).code;
      port.postMessage({
        id: request.id,
        ok: false,
        error: { name: e.name, message: e.message, code: typeof code === 'string' ? code : undefined },
      } satisfies WriterResponse);
    },
  );
});
