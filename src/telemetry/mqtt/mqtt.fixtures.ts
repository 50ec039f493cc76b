// Test fixtures for MQTT ingest (imported by the *.test.ts files here only): a TelemetryIngest over a
// fake store, real API keys over an in-memory database, and the real jurisdiction tree.
import { once } from 'node:events';
import net from 'node:net';
import { AccessService } from '../../access/access.service.js';
import { accessMigrations } from '../../access/access.migrations.js';
import { SqliteAccessRepository } from '../../access/access.repository.sqlite.js';
import type { KeyKind } from '../../access/roles.js';
import { AppError } from '../../errors.js';
import { loadDivisions } from '../../jurisdictions/geo-data.js';
import { JurisdictionTree } from '../../jurisdictions/jurisdiction-tree.js';
import { migrate } from '../../platform/db/migrate.js';
import { openSqlite } from '../../platform/db/sqlite.js';
import type { Reading } from '../store/reading.types.js';
import type { RegisteredSensor } from '../../devices/sensor-index.js';
import { buildRegisteredSensor } from '../../test-support/sensor-factories.js';
import { TelemetryIngest } from '../telemetry-ingest.js';
import { ACCESS_EVENTS, type AccessEvent } from '../../access/access.events.js';
import type { EventBus } from '../../platform/bus/event-bus.js';

/** A sensor at 解放碑 (渝中区 500103) and one in 北碚区 (500109). */
export const YZ = 'CQ-YZ-0001';
export const BB = 'CQ-BB-0001';

const sensor = buildRegisteredSensor;

/** A promise with its resolve outside: `await gate.promise` until the test calls `gate.open()`. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The real TelemetryIngest over a fake append that records what it stored and when. The append can
 * be held (until a gate opens) or made to throw OVERLOADED, to test acknowledgement and overload.
 */
export function testIngest(extra: readonly RegisteredSensor[] = []) {
  const sensors = new Map<string, RegisteredSensor>([
    [YZ, sensor(YZ, 1, '500103')],
    [BB, sensor(BB, 2, '500109')],
  ]);
  for (const s of extra) sensors.set(s.id, s);
  const events: string[] = [];
  const stored: Reading[] = [];
  let overloaded = 0;
  let hold: Promise<void> | undefined;
  const kit = {
    events,
    stored,
    appends: 0,
    /** The next `count` appends throw OVERLOADED. */
    overloadedFor(count: number) {
      overloaded = count;
    },
    /** Appends wait for `until` before committing. */
    holdUntil(until: Promise<void> | undefined) {
      hold = until;
    },
    ingest: new TelemetryIngest({
      resolve: (id) => sensors.get(id),
      append: async (readings) => {
        kit.appends++;
        events.push('append');
        if (overloaded > 0) {
          overloaded--;
          throw new AppError('OVERLOADED');
        }
        if (hold) await hold;
        stored.push(...readings);
        events.push('commit');
        return { accepted: readings.length, rejected: [] };
      },
    }),
  };
  return kit;
}

let tree: JurisdictionTree | undefined;

/** The shipped jurisdiction tree (loaded once per test file). */
export function testTree(): JurisdictionTree {
  tree ??= JurisdictionTree.build(loadDivisions().units);
  return tree;
}

/** A real AccessService on an in-memory database (publishing on `bus` when given), and a way to mint keys. */
export async function testAccess(bus?: EventBus) {
  const database = openSqlite(':memory:');
  await migrate(database, accessMigrations);
  const access = await AccessService.create({
    repository: new SqliteAccessRepository(database),
    tree: testTree,
    ...(bus ? { publish: (events: AccessEvent[]) => bus.publish(ACCESS_EVENTS, events) } : {}),
  });
  return {
    access,
    /** A new API key's secret and id. */
    key: async (kind: KeyKind, scope: string | null) => {
      const { key, record } = await access.createKey({ kind, label: `${kind}-${scope ?? 'all'}`, scope });
      return { key, id: record.id };
    },
    close: () => database.close(),
  };
}

/** Polls `check` every 5 ms until it is true; fails after `timeoutMs`. For events without a hook. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether something accepts TCP connections at host:port. */
export async function reachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  const socket = net.connect({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
