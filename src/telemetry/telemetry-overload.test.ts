import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { installErrorHandling } from '../platform/http/errors.js';
import { IngestQueue } from './store/ingest-queue.js';
import { toColumns } from './store/reading-codec.js';
import type { RegisteredSensor } from '../devices/sensor-index.js';
import type { SensorService } from '../devices/sensor.service.js';
import { TelemetryIngest } from './telemetry-ingest.js';
import { telemetryRoutes } from './telemetry.routes.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';

// Overload is refused from the headers: with the ingest queue full, POST /telemetry answers 503
// OVERLOADED + Retry-After before it reads the body. Before this, the route read (and parsed) the
// whole body first, so a client that has not finished sending never got its answer.

const MAX_PENDING = 1_000;
let app: FastifyInstance;
let port: number;
let releaseCommits: () => void = () => undefined;
let hold = true;
let queue: IngestQueue<void>;

beforeAll(async () => {
  // While `hold`, a commit never finishes until released: accepted readings stay pending.
  queue = new IngestQueue<void>({
    maxPending: MAX_PENDING,
    maxGroup: 100_000,
    commit: () => (hold ? new Promise<void>((resolve) => (releaseCommits = resolve)) : Promise.resolve()),
    onError: () => undefined,
  });
  const sensor = { id: 'S-1', key: 1 } as unknown as RegisteredSensor;
  const ingest = new TelemetryIngest({
    resolve: (id) => (id === 'S-1' ? sensor : undefined),
    append: async (readings) => {
      const { columns, rejected } = toColumns(readings);
      await queue.enqueue(columns);
      return { accepted: columns.keys.length, rejected };
    },
  });
  app = Fastify({ logger: false });
  installErrorHandling(app);
  await app.register(
    telemetryRoutes({
      ingest,
      store: {
        latestOf: () => undefined,
        series: () => Promise.reject(new Error('unused')),
        admit: (n) => queue.admit(n),
      },
      sensors: {} as SensorService,
      tree: () => ({}) as JurisdictionTree,
      visibleTo: () => ({ ...EVERYTHING, contains: () => true }),
    }),
    { prefix: '/api/v1' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  hold = false;
  releaseCommits();
  await app.close();
});

const readings = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ sensor: 'S-1', ts: Date.now() - 60_000 + from + i, value: i }));

/** Sends headers announcing `length` bytes and only `partial` of them; resolves with the answer. */
function postPartially(length: number, partial: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const request = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/telemetry',
        headers: { 'content-type': 'application/json', 'content-length': String(length) },
      });
      // The body is never finished: only an answer given before reading it can arrive.
      const timer = setTimeout(() => {
        request.destroy();
        reject(new Error('no answer within 3 s: the server waited for the body'));
      }, 3_000);
      request.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          clearTimeout(timer);
          request.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      });
      request.on('error', (error) => {
        if (!timer.hasRef()) return;
        clearTimeout(timer);
        reject(error);
      });
      request.write(partial);
    },
  );
}

describe('POST /telemetry under overload', () => {
  it('takes a valid batch of long readings that a byte count would have overestimated', async () => {
    // 500 pretty-printed readings of ~300 bytes each (~150 KB): Content-Length / 128 would claim
    // ~1,200 readings, more than the queue's free room of 600, although the batch itself fits.
    const long = Array.from({ length: 500 }, (_, i) => ({
      sensor: 'S-1',
      ts: new Date(Date.now() - i * 1000).toISOString(),
      value: i,
    }));
    const body = JSON.stringify({ readings: long }, null, 40);
    expect(body.length / 128).toBeGreaterThan(MAX_PENDING - 400);
    const filling = app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      payload: { readings: readings(400) },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.pendingReadings).toBe(400);
    const answer = app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.pendingReadings).toBe(900);
    // Let every commit through (the second batch's commit comes after the first's), then hold again.
    hold = false;
    releaseCommits();
    expect((await filling).statusCode).toBe(202);
    expect((await answer).statusCode).toBe(202);
    expect(queue.pendingReadings).toBe(0);
    hold = true;
  });

  it('answers 503 + Retry-After + Connection: close before reading the body when the queue is full', async () => {
    // Fill the queue: these readings are accepted and stay pending (the commit never finishes).
    const filling = app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      payload: { readings: readings(MAX_PENDING) },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.pendingReadings).toBe(MAX_PENDING);

    const answer = await postPartially(900_000, '{"readings":[{"sensor":"S-1",');
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'OVERLOADED' } });

    releaseCommits();
    expect((await filling).statusCode).toBe(202);
  });

  it('closes a keep-alive connection after the refusal, and the client goes on on a new one', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (payload: string) =>
      new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/telemetry',
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (response) => {
            response.resume();
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
            );
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    hold = true;
    const filling = app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      payload: { readings: readings(MAX_PENDING, 10_000) },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await post(JSON.stringify({ readings: readings(2_000, 20_000) }));
    expect(refused).toEqual({ status: 503, connection: 'close' });
    hold = false;
    releaseCommits();
    expect((await filling).statusCode).toBe(202);
    const accepted = await post(JSON.stringify({ readings: readings(10, 30_000) }));
    expect(accepted.status).toBe(202);
    agent.destroy();
  });
});
