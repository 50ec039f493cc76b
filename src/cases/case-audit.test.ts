import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../access/principal.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { openStorage } from '../storage.js';
import { canonicalJson, eventHash } from './case-audit.js';
import { buildReport } from './case-factories.js';
import { CaseService } from './case.service.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cityops-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verify(): { status: number | null; out: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.resolve('src/cli/main.ts'), 'audit', 'verify'],
    { env: { ...process.env, CITYOPS_DATA_DIR: dir, CITYOPS_DATABASE_URL: '' }, encoding: 'utf8' },
  );
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('eventHash', () => {
  const link = {
    seq: 7,
    caseId: 'C1',
    action: 'comment',
    from: 'dispatched' as const,
    to: 'dispatched' as const,
    at: 1,
    actor: 'operator',
    note: '班组3',
    publicNote: null,
    attachments: [],
    data: {},
    prevHash: '0'.repeat(64),
  };
  it('covers a public reply, and leaves links without one as they were hashed before it existed', () => {
    const { publicNote: _none, ...before } = link;
    expect(eventHash(link)).toBe(eventHash(before as typeof link));
    expect(eventHash({ ...link, publicNote: '已修复' })).not.toBe(eventHash(link));
    expect(eventHash({ ...link, publicNote: '已修复' })).not.toBe(eventHash({ ...link, publicNote: '已修' }));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('cityops audit verify', () => {
  it('passes an intact chain and names the first tampered entry with a non-zero exit', async () => {
    const storage = await openStorage({ dataDir: dir, databaseUrl: undefined });
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
    });
    const service = await CaseService.create({ repository: storage.repositories.cases, jurisdictions });
    await service.report(buildReport(), EVERYTHING);
    await service.report(buildReport({ category: 'exposed_garbage' }), EVERYTHING);
    await storage.database.close();

    const intact = verify();
    expect(intact.out).toContain('audit chain intact');
    expect(intact.status).toBe(0);

    const again = await openStorage({ dataDir: dir, databaseUrl: undefined });
    if (again.database.engine !== 'sqlite') throw new Error('sqlite expected');
    again.database.db.prepare(`UPDATE case_events SET actor = 'mallory' WHERE seq = 4`).run();
    await again.database.close();

    const tampered = verify();
    expect(tampered.status).toBe(2);
    expect(tampered.out).toMatch(/entry 4 .*edited/);
  });
});
