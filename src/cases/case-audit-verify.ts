import { GENESIS_HASH, checkLinks, type ChainBreak } from './case-audit.js';
import type { CaseRepository } from './case.repository.js';

/** The result of walking the whole audit chain. */
export type AuditReport =
  { ok: true; links: number; head: string } | { ok: false; links: number; broken: ChainBreak };

/** Walks the case audit chain from the first link, page by page; stops at the first broken one. */
export async function verifyAuditChain(
  repository: Pick<CaseRepository, 'auditLinks'>,
  pageSize = 5000,
): Promise<AuditReport> {
  let cursor = { seq: 0, hash: GENESIS_HASH };
  for (;;) {
    const links = await repository.auditLinks(cursor.seq, pageSize);
    if (links.length === 0) return { ok: true, links: cursor.seq, head: cursor.hash };
    const result = checkLinks(cursor, links);
    if ('broken' in result) return { ok: false, links: result.broken.seq - 1, broken: result.broken };
    cursor = result.cursor;
  }
}
