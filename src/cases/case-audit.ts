import { createHash } from 'node:crypto';
import type { CaseEventRecord } from './case.types.js';

/**
 * The audit chain (审计链): every case event is one link. Each stores the previous link's hash and
 * its own hash (SHA-256 or SM3) over a canonical serialisation of its content, so changing,
 * deleting or reordering any stored event breaks the chain from that point on. docs/cases.md
 * describes the canonical form.
 */

/** The prevHash of the first link. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The chain's hash functions: SHA-256, or SM3 (GB/T 32905-2016), which national cryptography
 * rules (商用密码) favour. Each link says which it used: an SM3 hash is stored as `sm3:<hex>`, a
 * SHA-256 one as bare hex (as every link was before SM3), so a chain that switches stays
 * verifiable link by link.
 */
export const AUDIT_HASHES = ['sha256', 'sm3'] as const;

/** One of AUDIT_HASHES. */
export type AuditHash = (typeof AUDIT_HASHES)[number];

/** The hash function a stored link hash was made with. */
export function hashAlgorithmOf(hash: string): AuditHash {
  return hash.startsWith('sm3:') ? 'sm3' : 'sha256';
}

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
export function eventHash(event: Omit<CaseEventRecord, 'hash'>, algorithm: AuditHash = 'sha256'): string {
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
  const hex = createHash(algorithm).update(content).digest('hex');
  return algorithm === 'sm3' ? `sm3:${hex}` : hex;
}

/** Where a walk of the chain stands between pages; `algorithm` is the one new links use. */
export interface ChainCursor {
  seq: number;
  hash: string;
  algorithm?: AuditHash;
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
    if (eventHash(link, hashAlgorithmOf(link.hash)) !== link.hash) {
      return { broken: { seq: link.seq, caseId: link.caseId, reason: 'hash' } };
    }
    at = { seq: link.seq, hash: link.hash };
  }
  return { cursor: at };
}
