import { spawnSync } from 'node:child_process';
import { createHash, getHashes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { openStorage } from '../storage.js';
import { memoryStorage } from '../test-support/app.js';
import { exportAuditHead, parseExportedHead, startAuditJobs } from './audit-head-export.js';
import { canonicalJson, eventHash, GENESIS_HASH, hashAlgorithmOf } from './case-audit.js';
import { verifyAuditChain } from './case-audit-verify.js';
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

describe('SM3 and the exported head', () => {
  const sm3Dir = mkdtempSync(path.join(tmpdir(), 'cityops-audit-sm3-'));
  afterAll(() => rmSync(sm3Dir, { recursive: true, force: true }));

  const verifyWithHead = (file: string) => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.resolve('src/cli/main.ts'), 'audit', 'verify', '--head', file],
      { env: { ...process.env, CITYOPS_DATA_DIR: sm3Dir, CITYOPS_DATABASE_URL: '' }, encoding: 'utf8' },
    );
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  };

  it('has SM3 on this Node (OpenSSL 3), and an SM3 link says so in its hash', () => {
    expect(getHashes()).toContain('sm3');
    const link = {
      seq: 1,
      caseId: 'C-1',
      action: 'report',
      from: null,
      to: 'reported',
      at: 0,
      actor: 'system',
      note: null,
      attachments: [],
      data: {},
      prevHash: GENESIS_HASH,
    } as unknown as Parameters<typeof eventHash>[0];
    const sm3 = eventHash(link, 'sm3');
    expect(sm3).toMatch(/^sm3:[0-9a-f]{64}$/);
    expect(sm3.slice(4)).toBe(
      createHash('sm3')
        .update(
          canonicalJson([1, 'C-1', 'report', null, 'reported', 0, 'system', null, [], {}, GENESIS_HASH]),
        )
        .digest('hex'),
    );
    expect(eventHash(link)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAlgorithmOf(sm3)).toBe('sm3');
    expect(hashAlgorithmOf(eventHash(link))).toBe('sha256');
  });

  it('a chain begun with SHA-256 stays verifiable after switching to SM3; a tampered SM3 link is named', async () => {
    const storage = await memoryStorage();
    const repository = storage.repositories.cases;
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
    });
    const service = await CaseService.create({ repository, jurisdictions });
    await service.report(buildReport(), EVERYTHING);
    await repository.setAuditHash('sm3');
    expect(await repository.auditHead()).toMatchObject({ algorithm: 'sm3' });
    await service.report(buildReport({ category: 'exposed_garbage' }), EVERYTHING);
    const links = await repository.auditLinks(0, 100);
    const algorithms = links.map((l) => hashAlgorithmOf(l.hash));
    expect(algorithms).toContain('sha256');
    expect(algorithms.at(-1)).toBe('sm3');
    expect(await verifyAuditChain(repository)).toMatchObject({ ok: true, links: links.length });
    const last = links.at(-1)!;
    if (storage.database.engine !== 'sqlite') throw new Error('sqlite expected');
    storage.database.db.prepare(`UPDATE case_events SET actor = 'mallory' WHERE seq = ?`).run(last.seq);
    expect(await verifyAuditChain(repository)).toMatchObject({
      ok: false,
      broken: { seq: last.seq, reason: 'hash' },
    });
    await storage.database.close();
  });

  it('the head export job writes the head when it moved, and only then', async () => {
    const storage = await memoryStorage();
    const repository = storage.repositories.cases;
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
    });
    const service = await CaseService.create({ repository, jurisdictions });
    const heads = path.join(sm3Dir, 'job-heads');
    const jobs = await startAuditJobs(repository, {
      algorithm: 'sm3',
      dir: heads,
      intervalMs: 20,
      onError: (error) => {
        throw error;
      },
    });
    await service.report(buildReport(), EVERYTHING);
    // Finished exports only: the job writes `….json.tmp` and renames it, so a listing taken in
    // between sees the temporary file.
    const exported = () => (existsSync(heads) ? readdirSync(heads).filter((f) => f.endsWith('.json')) : []);
    const files = async (n: number) => {
      for (let i = 0; i < 100 && exported().length < n; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return exported().sort();
    };
    const first = await files(1);
    expect(first).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await files(1)).toHaveLength(1);
    const head = parseExportedHead(readFileSync(path.join(heads, first[0]!), 'utf8'));
    expect(head).toMatchObject({ ...(await repository.auditHead()), algorithm: 'sm3' });
    expect(head.hash).toMatch(/^sm3:/);
    await jobs.close();
    await storage.database.close();
  });

  it('cityops audit verify --head fails a chain rewritten with fresh hashes, and a truncated one, naming the entry', async () => {
    const storage = await openStorage({ dataDir: sm3Dir, databaseUrl: undefined });
    const repository = storage.repositories.cases;
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
    });
    const service = await CaseService.create({ repository, jurisdictions });
    await repository.setAuditHash('sm3');
    await service.report(buildReport(), EVERYTHING);
    await service.report(buildReport({ category: 'exposed_garbage' }), EVERYTHING);
    const { file, head } = await exportAuditHead(repository, path.join(sm3Dir, 'heads'));
    await service.report(buildReport({ category: 'noise_nuisance' }), EVERYTHING);
    await storage.database.close();

    const intact = verifyWithHead(file);
    expect(intact.out).toContain(`holds the head exported ${head.at} (entry ${head.seq})`);
    expect(intact.status).toBe(0);

    // Rewrite entry 2 and re-hash everything after it: the chain alone is consistent again.
    const again = await openStorage({ dataDir: sm3Dir, databaseUrl: undefined });
    if (again.database.engine !== 'sqlite') throw new Error('sqlite expected');
    const db = again.database.db;
    const links = await again.repositories.cases.auditLinks(0, 100);
    let prev = GENESIS_HASH;
    for (const link of links) {
      const rewritten = { ...link, actor: link.seq === 2 ? 'mallory' : link.actor, prevHash: prev };
      const hash = eventHash(rewritten, hashAlgorithmOf(link.hash));
      db.prepare('UPDATE case_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(
        rewritten.actor,
        prev,
        hash,
        link.seq,
      );
      prev = hash;
    }
    expect(await verifyAuditChain(again.repositories.cases)).toMatchObject({ ok: true });
    await again.database.close();
    const rewritten = verifyWithHead(file);
    expect(rewritten.status).toBe(2);
    expect(rewritten.out).toContain(`rewritten 审计链被改写 at or before entry ${head.seq}`);

    // Cut the chain short of the exported head.
    const cut = await openStorage({ dataDir: sm3Dir, databaseUrl: undefined });
    if (cut.database.engine !== 'sqlite') throw new Error('sqlite expected');
    cut.database.db.prepare('DELETE FROM case_events WHERE seq >= ?').run(head.seq);
    await cut.database.close();
    const truncated = verifyWithHead(file);
    expect(truncated.status).toBe(2);
    expect(truncated.out).toContain(
      `truncated 审计链被截断: the exported head is entry ${head.seq} (${head.at}), the chain ends at entry ${head.seq - 1}`,
    );
  });
});
