import { every, type PeriodicJob } from '../platform/periodic.js';
import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_HASHES, type AuditHash } from './case-audit.js';
import type { CaseRepository } from './case.repository.js';

/**
 * The audit chain's head, exported (审计链头导出). A chain alone shows edits, but not a rewrite of
 * the whole tail with fresh hashes, nor a truncation: a head written out of the database (a file a
 * backup, WORM store or another office keeps) pins where the chain stood, and
 * `cityops audit verify --head FILE` checks that the chain still holds it.
 */
export interface ExportedHead {
  seq: number;
  hash: string;
  algorithm: AuditHash;
  /** When it was exported, ISO-8601. */
  at: string;
}

/** Writes the current head to `dir` as `audit-head-<time>.json` (atomically); returns the file. */
export async function exportAuditHead(
  repository: Pick<CaseRepository, 'auditHead'>,
  dir: string,
  now: Date = new Date(),
): Promise<{ file: string; head: ExportedHead }> {
  const { seq, hash, algorithm } = await repository.auditHead();
  const head: ExportedHead = { seq, hash, algorithm, at: now.toISOString() };
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `audit-head-${head.at.replace(/[:.]/g, '-')}.json`);
  // Write then rename: a reader never sees half a file.
  await fs.promises.writeFile(`${file}.tmp`, `${JSON.stringify(head, null, 2)}\n`, { flag: 'w' });
  await fs.promises.rename(`${file}.tmp`, file);
  return { file, head };
}

/** Reads an exported head; a file that is not one throws an Error saying why. */
export function parseExportedHead(text: string): ExportedHead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const v = value as Partial<ExportedHead> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Number.isSafeInteger(v.seq) ||
    (v.seq as number) < 0 ||
    typeof v.hash !== 'string' ||
    !(AUDIT_HASHES as readonly unknown[]).includes(v.algorithm) ||
    typeof v.at !== 'string'
  ) {
    throw new Error('not an exported audit head {seq, hash, algorithm, at}');
  }
  return { seq: v.seq as number, hash: v.hash, algorithm: v.algorithm as AuditHash, at: v.at };
}

/** The audit jobs of a server: the hash new links use, and the periodic head export. */
export type AuditJobs = PeriodicJob;

/**
 * Makes new links use `algorithm` (links already stored keep theirs), then exports the head every
 * `intervalMs` (0: never) into `dir` when it has moved since the last export. Runs do not overlap;
 * a failure is reported and the next run tries again.
 */
export async function startAuditJobs(
  repository: Pick<CaseRepository, 'auditHead' | 'setAuditHash'>,
  options: { algorithm: AuditHash; dir: string; intervalMs: number; onError: (error: unknown) => void },
): Promise<AuditJobs> {
  await repository.setAuditHash(options.algorithm);
  let lastSeq = -1;
  return every(
    options.intervalMs,
    async () => {
      const { seq } = await repository.auditHead();
      if (seq === lastSeq) return;
      lastSeq = (await exportAuditHead(repository, options.dir)).head.seq;
    },
    options.onError,
  );
}
