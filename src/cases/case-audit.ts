import { createHash } from 'node:crypto';
import type { CaseEventRecord } from './case.types.js';

/**
 * The audit chain (审计链): every case event is one link. Each stores the previous link's hash and
 * its own SHA-256 over a canonical serialisation of its content, so changing, deleting or
 * reordering any stored event breaks the chain from that point on.
 */

/** The prevHash of the first link. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The hash of one link: over every field but `hash` itself, prevHash included. */
export function eventHash(event: Omit<CaseEventRecord, 'hash'>): string {
  const content = canonicalJson([
    event.seq,
    event.caseId,
    event.action,
    event.from,
    event.to,
    event.at,
    event.actor,
    event.note,
    event.attachments,
    event.data,
    event.prevHash,
    // Appended only when set, so every link written before public notes existed keeps its hash.
    ...(event.publicNote !== null && event.publicNote !== undefined ? [event.publicNote] : []),
  ]);
  return createHash('sha256').update(content).digest('hex');
}

/** Where a walk of the chain stands between pages. */
export interface ChainCursor {
  seq: number;
  hash: string;
}

/** The first broken link, if any. */
export interface ChainBreak {
  seq: number;
  caseId: string;
  reason: 'hash' | 'prev' | 'gap';
}

/**
 * Checks one page of links (in seq order) continuing from `cursor`; returns the first break or
 * the cursor to continue from.
 */
export function checkLinks(
  cursor: ChainCursor,
  links: readonly CaseEventRecord[],
): { broken: ChainBreak } | { cursor: ChainCursor } {
  let at = cursor;
  for (const link of links) {
    if (link.seq !== at.seq + 1) return { broken: { seq: link.seq, caseId: link.caseId, reason: 'gap' } };
    if (link.prevHash !== at.hash) return { broken: { seq: link.seq, caseId: link.caseId, reason: 'prev' } };
    if (eventHash(link) !== link.hash) {
      return { broken: { seq: link.seq, caseId: link.caseId, reason: 'hash' } };
    }
    at = { seq: link.seq, hash: link.hash };
  }
  return { cursor: at };
}
