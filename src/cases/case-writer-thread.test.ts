import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { openStorage, type Storage } from '../storage.js';
import { verifyAuditChain } from './case-audit-verify.js';
import { buildReport, CASE_PLACES } from './case-factories.js';
import { SqliteCaseRepository } from './case.repository.sqlite.js';
import { CaseService } from './case.service.js';

const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);

// The cases' group commit on its writer thread (a SQLite file): the same outcomes as on the
// caller's thread, errors that keep their codes across the thread, durable acknowledgements.
describe('case writer thread', () => {
  let dir: string;
  let storage: Storage;
  let repository: SqliteCaseRepository;
  let service: CaseService;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-case-writer-'));
    storage = await openStorage({ dataDir: dir, databaseUrl: undefined });
    repository = storage.repositories.cases as SqliteCaseRepository;
    await repository.startWriterThread();
    expect(repository.writesOnThread).toBe(true);
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
    });
    service = await CaseService.create({ repository, jurisdictions, clock: () => T0 });
  });

  afterEach(async () => {
    await repository.stopWriterThread();
    await storage.database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('de-duplicates, routes and counts a burst of reports as the caller’s thread does', async () => {
    // 40 reports at each of 5 places 5 km apart (one case each), and 100 street lights apart.
    const burst = [
      ...Array.from({ length: 200 }, (_, i) =>
        buildReport({ category: 'illegal_parking', lon: 106.4 + (i % 5) * 0.05, lat: 29.8, reportedAt: T0 }),
      ),
      ...Array.from({ length: 100 }, (_, i) =>
        buildReport({
          category: 'street_light',
          ...CASE_PLACES.jiefangbei,
          lon: 106.5 + (i % 50) * 0.004,
          lat: 29.55 + Math.floor(i / 50) * 0.01,
          reportedAt: T0,
        }),
      ),
    ];
    const outcomes = await Promise.all(burst.map((r) => service.report(r, EVERYTHING)));
    const parking = new Set(outcomes.slice(0, 200).map((o) => o.caseId));
    expect(parking.size).toBe(5);
    for (const id of parking) expect((await repository.get(id))?.occurrences).toBe(40);
    expect(new Set(outcomes.slice(200).map((o) => o.caseId)).size).toBe(100);

    const stats = await service.stats({ scope: '50', from: '2026-03-01', to: '2026-03-01' }, EVERYTHING);
    expect(stats.total.counts.reported).toBe(105);
    expect((await verifyAuditChain(repository)).ok).toBe(true);
  });

  it('fails only the conflicting change of a group, with its AppError code', async () => {
    const { caseId } = await service.report(buildReport({ reportedAt: T0 }), EVERYTHING);
    const current = (await repository.get(caseId))!;
    const stale = { ...current, version: current.version - 1 };
    const comment = (note: string) => ({
      caseId,
      action: 'comment',
      from: current.status,
      to: current.status,
      at: T0,
      actor: 'x',
      note,
      attachments: [],
      data: {},
    });
    const [good, bad] = await Promise.allSettled([
      repository.commit([
        {
          writes: [{ before: current, after: { ...current, version: current.version + 1 } }],
          events: [comment('kept')],
        },
      ]),
      repository.commit([
        {
          writes: [{ before: stale, after: { ...stale, version: current.version } }],
          events: [comment('lost')],
        },
      ]),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    const reason = (bad as PromiseRejectedResult).reason as unknown;
    expect(reason).toBeInstanceOf(AppError);
    expect(reason).toMatchObject({ code: 'CASE_CONFLICT', status: 409 });
    const notes = (await repository.events(caseId)).map((e) => e.note);
    expect(notes).toContain('kept');
    expect(notes).not.toContain('lost');
    expect((await verifyAuditChain(repository)).ok).toBe(true);
  });

  it('acknowledges a report only once another connection can read it', async () => {
    const other = new BetterSqlite3(path.join(dir, 'cityops.sqlite'), { readonly: true });
    try {
      const { caseId } = await service.report(buildReport({ reportedAt: T0 }), EVERYTHING);
      expect(other.prepare('SELECT status FROM cases WHERE id = ?').get(caseId)).toEqual({
        status: 'dispatched',
      });
    } finally {
      other.close();
    }
  });

  it('commits what was queued before it stops, then commits on the caller’s thread', async () => {
    const queued = Array.from({ length: 50 }, (_, i) =>
      service.report(buildReport({ lon: 106.3 + i * 0.01, lat: 29.8, reportedAt: T0 }), EVERYTHING),
    );
    // Let the reports reach the commit queue, then stop while their groups are queued or in flight.
    await new Promise((resolve) => setImmediate(resolve));
    await repository.stopWriterThread();
    expect(repository.writesOnThread).toBe(false);
    const ids = (await Promise.all(queued)).map((o) => o.caseId);
    for (const id of ids) expect(await repository.get(id)).not.toBeNull();
    const after = await service.report(buildReport({ lon: 107.5, lat: 29.9, reportedAt: T0 }), EVERYTHING);
    expect(await repository.get(after.caseId)).not.toBeNull();
    expect((await verifyAuditChain(repository)).ok).toBe(true);
  });

  it('opens one case when another process on the same file reports the same place at once', async () => {
    // A second storage on the file is a second process (a CLI import beside the server): its own
    // connection, its own de-duplication locks, committing on its own thread.
    const cli = await openStorage({ dataDir: dir, databaseUrl: undefined });
    try {
      const jurisdictions = await JurisdictionService.create({ repository: cli.repositories.jurisdictions });
      const other = await CaseService.create({
        repository: cli.repositories.cases,
        jurisdictions,
        clock: () => T0,
      });
      const place = { category: 'road_damage', lon: 106.44, lat: 29.82, reportedAt: T0 };
      for (let round = 0; round < 3; round++) {
        const at = { ...place, lon: place.lon + round * 0.05 };
        const [a, b] = await Promise.all([
          service.report(buildReport(at), EVERYTHING),
          other.report(buildReport(at), EVERYTHING),
        ]);
        expect(b.caseId).toBe(a.caseId);
        expect((await repository.get(a.caseId))?.occurrences).toBe(2);
      }
      // The same source record from both: one occurrence, one case.
      const same = buildReport({ ...place, lon: 106.6, lat: 29.6 });
      const [x, y] = await Promise.all([service.report(same, EVERYTHING), other.report(same, EVERYTHING)]);
      expect(y.caseId).toBe(x.caseId);
      expect((await repository.get(x.caseId))?.occurrences).toBe(1);
      expect((await verifyAuditChain(repository)).ok).toBe(true);
    } finally {
      await cli.database.close();
    }
  });

  it('commits on the caller’s thread after the writer thread died', async () => {
    await service.report(buildReport({ lon: 106.3, lat: 29.8, reportedAt: T0 }), EVERYTHING);
    // No public way to crash it: end the worker from outside, as a fatal error in it would.
    const thread = (repository as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread;
    await thread.worker.terminate();
    // The group in flight when it died fails; the ones after it are written here.
    await service
      .report(buildReport({ lon: 106.4, lat: 29.8, reportedAt: T0 }), EVERYTHING)
      .catch(() => undefined);
    expect(repository.writesOnThread).toBe(false);
    const after = await service.report(buildReport({ lon: 106.5, lat: 29.8, reportedAt: T0 }), EVERYTHING);
    expect(await repository.get(after.caseId)).not.toBeNull();
    expect((await verifyAuditChain(repository)).ok).toBe(true);
  });
});
