import { GENESIS_HASH, checkLinks, type ChainBreak } from './case-audit.js';
import type { CaseRepository } from './case.repository.js';

/** Where the chain disagrees with an exported head: `differs` (rewritten), `missing` (truncated). */
export interface HeadMismatch {
  seq: number;
  reason: 'differs' | 'missing';
  /** The case of the link found at `seq` (differs only). */
  caseId?: string;
}

/** The result of walking the whole audit chain. */
export type AuditReport =
  | { ok: true; links: number; head: string }
  | { ok: false; links: number; broken: ChainBreak }
  | { ok: false; links: number; headMismatch: HeadMismatch };

/**
 * Walks the case audit chain from the first link, page by page; stops at the first broken one.
 * With `expected` (an exported head), the link at its seq must also still carry its hash: a tail
 * rewritten with fresh hashes, or cut off, passes the walk but not this.
 */
export async function verifyAuditChain(
  repository: Pick<CaseRepository, 'auditLinks'>,
  pageSize = 5000,
  expected?: { seq: number; hash: string },
): Promise<AuditReport> {
  let cursor = { seq: 0, hash: GENESIS_HASH };
  let mismatch: HeadMismatch | undefined;
  for (;;) {
    const links = await repository.auditLinks(cursor.seq, pageSize);
    if (links.length === 0) break;
    const result = checkLinks(cursor, links);
    if ('broken' in result) return { ok: false, links: result.broken.seq - 1, broken: result.broken };
    const pinned = expected && links.find((l) => l.seq === expected.seq);
    if (pinned && pinned.hash !== expected.hash) {
      mismatch ??= { seq: pinned.seq, reason: 'differs', caseId: pinned.caseId };
    }
    cursor = result.cursor;
  }
  // The exported genesis (seq 0) is the empty chain, which every chain starts from.
  if (expected && expected.seq > cursor.seq) mismatch = { seq: expected.seq, reason: 'missing' };
  if (mismatch) return { ok: false, links: cursor.seq, headMismatch: mismatch };
  return { ok: true, links: cursor.seq, head: cursor.hash };
}
